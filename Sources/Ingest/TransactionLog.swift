import RebuyCore

/// One customer's lines on one calendar day, rolled up.
///
/// A purchase line has amount `>= 0` (zero included); a return line has a negative amount.
public struct DayTotals: Sendable, Equatable {
  /// The customer's index in `TransactionLog.customerIDs`.
  public var customer: Int32
  /// The day, as `Day.ordinal`.
  public var day: Int32
  /// Lines with amount `>= 0`.
  public var purchaseLines: Int32
  /// Sum of the purchase lines' amounts.
  public var purchaseValue: Double
  /// Sum of the return lines' amounts, as a positive number.
  public var returnValue: Double
  /// Bit `k` is set when the customer bought category `k` this day (`k < 64`, in order of first
  /// appearance in the file; later categories are in `TransactionLog.categories.overflow`).
  public var categoryMask: UInt64
  /// As `categoryMask`, for channels.
  public var channelMask: UInt64

  public init(
    customer: Int32, day: Int32, purchaseLines: Int32, purchaseValue: Double, returnValue: Double,
    categoryMask: UInt64 = 0, channelMask: UInt64 = 0
  ) {
    self.customer = customer
    self.day = day
    self.purchaseLines = purchaseLines
    self.purchaseValue = purchaseValue
    self.returnValue = returnValue
    self.categoryMask = categoryMask
    self.channelMask = channelMask
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
  /// The distinct categories bought; `nil` without a category column.
  public let categories: DistinctValues?
  /// The distinct channels bought through; `nil` without a channel column.
  public let channels: DistinctValues?
  /// Data rows read and kept.
  public let rows: Int
  /// Data rows skipped as bad (only with `skipBadRows`).
  public let skippedRows: Int
  /// The first ten skipped rows' messages.
  public let skippedMessages: [String]
  /// The earliest and latest dates of any kept row.
  public let firstDay: Day
  public let lastDay: Day
  /// Every purchase line's basket and item; `nil` unless `IngestOptions.keepLines`.
  public let lines: PurchaseLines?

  /// The distinct values of a text column (category, channel) on purchase lines.
  ///
  /// The first 64 values (in order of first appearance) are bits of each day's mask
  /// (`DayTotals.categoryMask`, `.channelMask`): a customer's distinct values up to a cutoff are
  /// the bits of the OR of those masks. Values beyond 64 (product-level categories) are kept as
  /// one first purchase day per customer and value in `overflowFirstDays`.
  public struct DistinctValues: Sendable {
    /// Every distinct value, in order of first appearance; the first 64 are mask bits.
    public let values: [String]
    /// `overflowFirstDays[overflowOffsets[i]..<overflowOffsets[i + 1]]`: customer `i`'s first
    /// purchase day of each value beyond the first 64.
    public let overflowOffsets: [Int]
    public let overflowFirstDays: [Int32]

    /// The number of values beyond the first 64 that `customer` bought on or before `cutoff`.
    public func overflowCount(customer: Int, upTo cutoff: Int32) -> Int {
      guard !overflowFirstDays.isEmpty else { return 0 }
      var count = 0
      for day in overflowFirstDays[overflowOffsets[customer]..<overflowOffsets[customer + 1]] where day <= cutoff {
        count += 1
      }
      return count
    }
  }

  /// The number of customers with at least one kept row.
  public var customerCount: Int { customerIDs.count }

  /// Customer `index`'s day totals, in date order.
  public func days(ofCustomer index: Int) -> ArraySlice<DayTotals> {
    days[dayOffsets[index]..<dayOffsets[index + 1]]
  }

  init(
    customerIDs: [String], dayOffsets: [Int], days: [DayTotals], categories: DistinctValues?,
    channels: DistinctValues?, rows: Int, skippedRows: Int, skippedMessages: [String], firstDay: Day,
    lastDay: Day, lines: PurchaseLines?
  ) {
    self.lines = lines
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
  /// Keep every purchase line's customer, day, order and item (`columns.item`, else the
  /// category) in `TransactionLog.lines`, for basket rules and per-item purchase cycles.
  public var keepLines = LineKeeping.no

  public init() {}
}

/// Purchase lines (amount `>= 0`) with their item, in file order, as parallel arrays: what basket
/// rules and per-item purchase cycles need, and the customer-day totals do not keep.
///
/// A line's basket is its order (`order`, when the file has an order column) or else its
/// customer-day. Return lines (negative amounts) are not purchases and are not kept; neither
/// are lines with an empty item, which are counted in `linesWithoutItem` instead.
public struct PurchaseLines: Sendable {
  /// Distinct items, in order of first appearance; a line's `item` indexes this.
  public let items: [String]
  public let customer: [Int32]
  public let day: [Int32]
  /// The order's index among distinct order ids, or -1 without an order column (or an empty id).
  public let order: [Int32]
  public let item: [Int32]
  /// Distinct order ids seen.
  public let orderCount: Int
  /// Purchase lines whose item was empty.
  public let linesWithoutItem: Int

  public init(
    items: [String], customer: [Int32], day: [Int32], order: [Int32], item: [Int32], orderCount: Int,
    linesWithoutItem: Int
  ) {
    self.items = items
    self.customer = customer
    self.day = day
    self.order = order
    self.item = item
    self.orderCount = orderCount
    self.linesWithoutItem = linesWithoutItem
  }

  public var count: Int { item.count }
}
