import RebuyCore

/// Features (and labels) for every customer in one or more snapshots, one row per
/// `(customer, cutoff)`.
///
/// Values are stored row-major as `Double`s with NaN marking an undefined value (Rebuy never
/// produces NaN otherwise: amounts are checked finite on input); `value(row:feature:)` returns
/// `nil` for those.
public struct FeatureTable: Sendable {
  /// The feature columns, in order.
  public let featureNames: [String]
  /// For each row, the customer's index in the log.
  public let customers: [Int32]
  /// For each row, its cutoff day (`Day.ordinal`).
  public let cutoffs: [Int32]
  /// Row-major values, `rowCount × featureNames.count`; NaN is undefined.
  public let values: [Double]
  /// The label (`repurchase`: 1 when the customer buys again in the window), when a horizon was
  /// given.
  public let labels: [UInt8]?
  /// Purchase days in the label window (the count the label tests for > 0), when a horizon was
  /// given: what count models (BG/NBD) are checked against.
  public let windowPurchaseDays: [Int32]?
  /// The label window's length in days.
  public let horizon: Int?

  public init(
    featureNames: [String], customers: [Int32], cutoffs: [Int32], values: [Double], labels: [UInt8]?,
    windowPurchaseDays: [Int32]? = nil, horizon: Int?
  ) {
    precondition(values.count == customers.count * featureNames.count)
    self.featureNames = featureNames
    self.customers = customers
    self.cutoffs = cutoffs
    self.values = values
    self.labels = labels
    self.windowPurchaseDays = windowPurchaseDays
    self.horizon = horizon
  }

  /// The number of rows.
  public var rowCount: Int { customers.count }

  /// A feature's value in a row, or `nil` when it is undefined there.
  public func value(row: Int, feature: Int) -> Double? {
    let v = values[row * featureNames.count + feature]
    return v.isNaN ? nil : v
  }

  /// A feature's value by name, or `nil` when undefined.
  public func value(row: Int, feature name: String) -> Double? {
    featureNames.firstIndex(of: name).flatMap { value(row: row, feature: $0) }
  }
}
