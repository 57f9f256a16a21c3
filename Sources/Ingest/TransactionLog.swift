import RebuyCore

/// One customer's lines on one calendar day, rolled up.
///
/// A purchase line has amount `>= 0` (zero included); a return line has a negative amount.
public struct DayTotals: Sendable, Equatable {
  /// The day, as `Day.ordinal`.
  public var day: Int32
  /// Lines with amount `>= 0`.
  public var purchaseLines: Int32
  /// Sum of the purchase lines' amounts.
  public var purchaseValue: Double
  /// Sum of the return lines' amounts, as a positive number.
  public var returnValue: Double

  public init(day: Int32, purchaseLines: Int32, purchaseValue: Double, returnValue: Double) {
    self.day = day
    self.purchaseLines = purchaseLines
    self.purchaseValue = purchaseValue
    self.returnValue = returnValue
  }

  /// Whether the customer bought anything this day (a purchase day in DESIGN.md's sense).
  public var isPurchaseDay: Bool { purchaseLines > 0 }
}

/// A transactions file read into per-customer, per-day totals.
///
/// Memory is proportional to customers plus customer-days (distinct customer × date pairs), never
/// to raw lines: a file with one line per product and the same file rolled up to one line per
/// basket give the same log. Each customer's days are sorted and distinct.
public struct TransactionLog: Sendable {
  /// Customer ids in order of first appearance; a customer's index is its position here.
  public let customerIDs: [String]
  /// `days[dayOffsets[i]..<dayOffsets[i + 1]]` are customer `i`'s days, in date order.
  public let dayOffsets: [Int]
  /// Every customer's day totals, customer after customer.
  public let days: [DayTotals]
  /// For each customer, the first purchase day of each distinct category; `nil` without a
  /// category column.
  public let categories: FirstSeen?
  /// As `categories`, for the channel column.
  public let channels: FirstSeen?
  /// Data rows read and kept.
  public let rows: Int
  /// Data rows skipped as bad (only with `skipBadRows`).
  public let skippedRows: Int
  /// The first ten skipped rows' messages.
  public let skippedMessages: [String]
  /// The earliest and latest dates of any kept row.
  public let firstDay: Day
  public let lastDay: Day

  /// Per customer, the day each distinct value (category, channel) was first bought.
  public struct FirstSeen: Sendable {
    /// `firstDays[offsets[i]..<offsets[i + 1]]` belong to customer `i`.
    public let offsets: [Int]
    public let firstDays: [Int32]
    /// The distinct values, in order of first appearance.
    public let values: [String]
  }

  /// The number of customers with at least one kept row.
  public var customerCount: Int { customerIDs.count }

  /// Customer `index`'s day totals, in date order.
  public func days(ofCustomer index: Int) -> ArraySlice<DayTotals> {
    days[dayOffsets[index]..<dayOffsets[index + 1]]
  }

  init(
    customerIDs: [String], dayOffsets: [Int], days: [DayTotals], categories: FirstSeen?,
    channels: FirstSeen?, rows: Int, skippedRows: Int, skippedMessages: [String], firstDay: Day,
    lastDay: Day
  ) {
    self.customerIDs = customerIDs
    self.dayOffsets = dayOffsets
    self.days = days
    self.categories = categories
    self.channels = channels
    self.rows = rows
    self.skippedRows = skippedRows
    self.skippedMessages = skippedMessages
    self.firstDay = firstDay
    self.lastDay = lastDay
  }
}

/// How to read a transactions file.
public struct IngestOptions: Sendable {
  /// Which columns hold which fields.
  public var columns = ColumnMapping()
  /// How dates are written.
  public var dateFormat = DateFormat.iso
  /// Skip bad rows (counting them) instead of stopping at the first.
  public var skipBadRows = false

  public init() {}
}
