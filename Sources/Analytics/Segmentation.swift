import Ingest
import RebuyCore

/// RFM scores, named segments and lifecycle stages of every customer, as of a date.
///
/// A customer counts when they have a purchase day on or before `asOf` (DESIGN.md's snapshot
/// rule); only those days count. R scores `recency_days` (fewer days is better), F scores
/// `orders` (purchase days) and M scores `monetary_total` (the sum of purchase-day values, to the
/// millionth), each with `Quantiles.quintileScores`. Segments follow `RFMSegment`, stages `LifecycleStage`.
/// Cost: one pass over the customer-days, then sorts of n values.
public struct Segmentation: Sendable {
  /// The date the histories end on.
  public let asOf: Day
  /// Indices into the log's customers, in log order.
  public let customers: [Int32]
  public let recencyDays: [Int32]
  public let orders: [Int32]
  public let monetaryTotal: [Double]
  public let r: [UInt8], f: [UInt8], m: [UInt8], fm: [UInt8]
  public let segment: [RFMSegment]
  /// The median days between a customer's purchase days; `nil` with one purchase day.
  public let usualGapDays: [Double?]
  /// `recency_days` over the usual gap (the typical gap for one-time buyers).
  public let overdueRatio: [Double]
  public let stage: [LifecycleStage]
  /// The median of every gap between consecutive purchase days up to `asOf`.
  public let typicalGapDays: Double
  /// Whether each customer bought in `(asOf, asOf + horizon]`; `nil` without a horizon.
  public let boughtInWindow: [Bool]?
  public let horizonDays: Int?

  /// Errors a user can act on.
  public enum Problem: Error, Equatable, CustomStringConvertible {
    case noCustomers(asOf: Day, firstDay: Day)
    case noRepeatPurchases(asOf: Day)
    case windowBeyondData(asOf: Day, horizon: Int, lastDay: Day)
    case badThresholds(atRisk: Double, lapsed: Double)

    public var description: String {
      switch self {
      case let .noCustomers(asOf, firstDay):
        "nobody bought on or before \(asOf); the data starts on \(firstDay): choose a later --as-of"
      case let .noRepeatPurchases(asOf):
        "nobody has two purchase days up to \(asOf), so there is no purchase cycle to measure stages against; give one with --typical-gap DAYS"
      case let .windowBeyondData(asOf, horizon, lastDay):
        "the window (\(asOf), \(asOf.adding(days: horizon))] ends after the data's last day \(lastDay): choose an earlier --as-of or a shorter --horizon, or leave --horizon out"
      case let .badThresholds(atRisk, lapsed):
        "stage thresholds need 0 < --at-risk-after < --lapsed-after, got \(atRisk) and \(lapsed)"
      }
    }
  }

  /// Segments the customers of `log` as of `asOf`.
  ///
  /// - Parameters:
  ///   - horizon: With a horizon H, also whether each customer bought in `(asOf, asOf + H]`
  ///     (the window must end by the data's last day).
  ///   - atRiskAfter, lapsedAfter: The stage thresholds, multiples of the usual gap.
  ///   - typicalGap: The gap for one-time buyers; `nil` measures it from the data.
  public init(
    _ log: TransactionLog, asOf: Day, horizon: Int? = nil, atRiskAfter: Double = 1.5, lapsedAfter: Double = 3,
    typicalGap: Double? = nil
  ) throws(Problem) {
    guard atRiskAfter > 0, lapsedAfter > atRiskAfter, atRiskAfter.isFinite, lapsedAfter.isFinite else {
      throw .badThresholds(atRisk: atRiskAfter, lapsed: lapsedAfter)
    }
    if let horizon, asOf.adding(days: horizon) > log.lastDay {
      throw .windowBeyondData(asOf: asOf, horizon: horizon, lastDay: log.lastDay)
    }
    let cutoff = asOf.ordinal
    var customers: [Int32] = [], recency: [Int32] = [], orders: [Int32] = [], money: [Double] = []
    var usualGap: [Double?] = [], allGaps: [Double] = [], window: [Bool] = []
    var gaps: [Double] = []
    for c in 0..<log.customerCount {
      var count: Int32 = 0, total = 0.0, last: Int32 = 0, bought = false
      gaps.removeAll(keepingCapacity: true)
      for day in log.days(ofCustomer: c) where day.isPurchaseDay {
        if day.day > cutoff {
          if let horizon, day.day <= cutoff + Int32(horizon) { bought = true }
          continue
        }
        if count > 0 { gaps.append(Double(day.day - last)) }
        count += 1
        total += day.purchaseValue
        last = day.day
      }
      guard count > 0 else { continue }
      customers.append(Int32(c))
      recency.append(cutoff - last)
      orders.append(count)
      money.append(total)
      allGaps.append(contentsOf: gaps)
      gaps.sort()
      usualGap.append(Quantiles.quantile(sorted: gaps, 0.5))
      window.append(bought)
    }
    guard !customers.isEmpty else { throw .noCustomers(asOf: asOf, firstDay: log.firstDay) }
    allGaps.sort()
    guard let typical = typicalGap ?? Quantiles.quantile(sorted: allGaps, 0.5) else {
      throw .noRepeatPurchases(asOf: asOf)
    }
    self.asOf = asOf
    self.customers = customers
    recencyDays = recency
    self.orders = orders
    monetaryTotal = money
    r = Quantiles.quintileScores(recency.map(Double.init), higherIsBetter: false)
    f = Quantiles.quintileScores(orders.map(Double.init), higherIsBetter: true)
    // Spend is ranked to the millionth: sums of the same amounts in another order differ in the
    // last bits, and must not break or make ties.
    m = Quantiles.quintileScores(money.map { ($0 * 1e6).rounded() / 1e6 }, higherIsBetter: true)
    fm = zip(f, m).map { RFMSegment.fm(f: $0, m: $1) }
    segment = zip(r, fm).map { RFMSegment(r: $0, fm: $1) }
    usualGapDays = usualGap
    typicalGapDays = typical
    overdueRatio = zip(recency, usualGap).map { Double($0) / ($1 ?? typical) }
    stage = zip(overdueRatio, orders).map { ratio, orders in
      if ratio > lapsedAfter { return .lapsed }
      if ratio > atRiskAfter { return .atRisk }
      return orders == 1 ? .new : .active
    }
    boughtInWindow = horizon == nil ? nil : window
    horizonDays = horizon
  }

  public var count: Int { customers.count }

  /// One group's figures: customers, shares and rates.
  public struct GroupSummary: Sendable, Equatable {
    public var name: String
    public var customers: Int
    /// Customers over all customers.
    public var share: Double
    /// The group's purchase value up to the date over everyone's; `nil` when everyone's is 0.
    public var revenueShare: Double?
    /// Customers with two or more purchase days, over the group's customers.
    public var repeatRate: Double?
    /// Customers who bought in the window after the date; `nil` without a horizon.
    public var repurchaseRate: Double?
  }

  /// The figures of each segment, in `RFMSegment` order (empty segments included).
  public var segmentSummary: [GroupSummary] {
    summarise(RFMSegment.allCases.map(\.name)) { segment[$0].rawValue }
  }

  /// The figures of each lifecycle stage, in `LifecycleStage` order.
  public var stageSummary: [GroupSummary] {
    summarise(LifecycleStage.allCases.map(\.name)) { stage[$0].rawValue }
  }

  private func summarise(_ names: [String], group: (Int) -> Int) -> [GroupSummary] {
    var customers = [Int](repeating: 0, count: names.count)
    var repeaters = customers, buyers = customers
    var revenue = [Double](repeating: 0, count: names.count)
    for i in 0..<count {
      let g = group(i)
      customers[g] += 1
      revenue[g] += monetaryTotal[i]
      if orders[i] >= 2 { repeaters[g] += 1 }
      if boughtInWindow?[i] == true { buyers[g] += 1 }
    }
    let totalRevenue = revenue.reduce(0, +)
    return names.indices.map { g in
      GroupSummary(
        name: names[g], customers: customers[g], share: Double(customers[g]) / Double(count),
        revenueShare: totalRevenue > 0 ? revenue[g] / totalRevenue : nil,
        repeatRate: customers[g] > 0 ? Double(repeaters[g]) / Double(customers[g]) : nil,
        repurchaseRate: boughtInWindow != nil && customers[g] > 0 ? Double(buyers[g]) / Double(customers[g]) : nil)
    }
  }
}
