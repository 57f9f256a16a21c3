/// Which header column holds each field of a transaction.
///
/// Defaults follow DESIGN.md: `customer_id`, `date` and `amount` are required; `category`,
/// `channel` and `order_id` are used when present. Naming an optional column explicitly makes it
/// required. Header names are compared exactly, after trimming spaces.
///
/// Logs with a quantity and a unit price instead of a line amount (as many exports have) name
/// both with `quantity` and `price`: the amount is then their product, and no amount column
/// is read.
public struct ColumnMapping: Sendable, Equatable {
  public var customer = "customer_id"
  public var date = "date"
  public var amount = "amount"
  /// `nil` uses `category` if the header has it.
  public var category: String? = nil
  public var channel: String? = nil
  public var order: String? = nil
  /// With `price`: the amount is `quantity × price`.
  public var quantity: String? = nil
  public var price: String? = nil
  /// What each purchase line's item is, when lines are kept (`IngestOptions.keepLines`): `nil`
  /// is the category column.
  public var item: String? = nil

  public init() {}

  /// Column positions in one header.
  public struct Positions: Sendable, Equatable {
    public var customer: Int
    public var date: Int
    /// Where the amount comes from: one column, or a quantity and a price to multiply.
    public var amount: AmountSource
    public var category: Int?
    public var channel: Int?
    public var order: Int?
    /// The item column of kept lines; `nil` unless lines are kept.
    public var item: Int?
    /// The header's field count.
    public var fieldCount: Int
  }

  public enum AmountSource: Sendable, Equatable {
    case column(Int)
    case product(quantity: Int, price: Int)
  }

  /// Finds each column in `header`.
  /// - Throws: `.duplicateColumn` or `.missingColumn`, naming the column and listing the header.
  /// With `keepingLines` `.required`, the item column (`item`, else the category column) must be
  /// in the header; with `.whenPresent`, lines are kept when it is.
  public func resolve(header: [String], file: String, keepingLines: LineKeeping = .no) throws(IngestError) -> Positions {
    let names = header.map { $0.trimmingSpaces }
    var seen: [String: Int] = [:]
    for (index, name) in names.enumerated() {
      if let first = seen[name] {
        throw .duplicateColumn(name: name, file: file, positions: [first + 1, index + 1])
      }
      seen[name] = index
    }
    func required(_ name: String, _ option: String) throws(IngestError) -> Int {
      guard let index = seen[name] else {
        throw .missingColumn(name: name, file: file, header: names, option: option)
      }
      return index
    }
    func optional(_ explicit: String?, default name: String, _ option: String) throws(IngestError) -> Int? {
      if let explicit { return try required(explicit, option) }
      return seen[name]
    }
    return Positions(
      customer: try required(customer, "--customer-col"),
      date: try required(date, "--date-col"),
      amount: try amountSource(required),
      category: try optional(category, default: "category", "--category-col"),
      channel: try optional(channel, default: "channel", "--channel-col"),
      order: try optional(order, default: "order_id", "--order-col"),
      item: try itemColumn(keepingLines, seen, required),
      fieldCount: header.count)
  }
}

/// Whether a read keeps every purchase line with its item (`TransactionLog.lines`).
public enum LineKeeping: Sendable {
  case no
  /// When the item column is in the header.
  case whenPresent
  /// The item column must be in the header.
  case required
}

extension ColumnMapping {
  private func itemColumn(
    _ keeping: LineKeeping, _ seen: [String: Int], _ required: (String, String) throws(IngestError) -> Int
  ) throws(IngestError) -> Int? {
    let name = item ?? category ?? "category"
    switch keeping {
    case .no: return nil
    case .whenPresent: return item == nil ? seen[name] : try required(name, "--item-col")
    case .required: return try required(name, item == nil ? "--item-col (or --category-col)" : "--item-col")
    }
  }

  private func amountSource(_ required: (String, String) throws(IngestError) -> Int) throws(IngestError) -> AmountSource {
    if let quantity, let price {
      return .product(quantity: try required(quantity, "--quantity-col"), price: try required(price, "--price-col"))
    }
    return .column(try required(amount, "--amount-col"))
  }
}

extension String {
  /// The string without leading and trailing spaces and tabs.
  public var trimmingSpaces: String {
    let scalars = unicodeScalars
    guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
    let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
    return String(scalars[first...last])
  }
}
