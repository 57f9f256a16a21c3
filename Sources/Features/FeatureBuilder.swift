import Ingest
import RebuyCore

/// Builds the features (and labels) of DESIGN.md from a transaction log, as of each snapshot's
/// cutoff.
///
/// Only days on or before the cutoff are read for features; only days in `(c, c + H]` for the
/// label. Customers appear in a snapshot when they have a purchase day on or before its cutoff.
/// Cost: one pass over each customer's days per snapshot; memory: the output table.
public struct FeatureBuilder: Sendable {
  /// The features built, in column order: every `Feature`, less `categories` / `channels` when
  /// the log has no such column.
  public let features: [Feature]

  /// A builder for logs that have (or lack) category and channel columns.
  public init(categories: Bool, channels: Bool) {
    features = Feature.allCases.filter { feature in
      switch feature {
      case .categories: categories
      case .channels: channels
      default: true
      }
    }
  }

  /// A builder for the columns `log` has.
  public init(for log: TransactionLog) {
    self.init(categories: log.categories != nil, channels: log.channels != nil)
  }

  /// Features for every snapshot, stacked oldest cutoff first; within a snapshot, customers in
  /// order of first appearance in the file.
  /// - Throws: `FeaturesError` when a cutoff repeats, precedes every purchase, or its label
  ///   window runs past the data.
  /// `progress`, when given, hears the number of customers done so far (across snapshots) every
  /// 16,384 customers.
  public func build(_ log: TransactionLog, snapshots: [Snapshot], progress: ((Int) -> Void)? = nil) throws(FeaturesError)
    -> FeatureTable
  {
    var seen = Set<Day>()
    for snapshot in snapshots {
      guard seen.insert(snapshot.cutoff).inserted else { throw .duplicateCutoff(snapshot.cutoff) }
      if let horizon = snapshot.horizon, snapshot.cutoff.adding(days: horizon) > log.lastDay {
        throw .labelWindowBeyondData(cutoff: snapshot.cutoff, horizon: horizon, lastDay: log.lastDay)
      }
    }
    let horizon = snapshots.first?.horizon
    precondition(snapshots.allSatisfy { $0.horizon == horizon }, "Stacked snapshots share one horizon")
    let width = features.count
    var customers: [Int32] = []
    var cutoffs: [Int32] = []
    var values: [Double] = []
    var labels: [UInt8] = []
    var windowPurchaseDays: [Int32] = []
    values.reserveCapacity(log.customerCount * width * snapshots.count)
    var row = [Double](repeating: .nan, count: width)
    for (index, snapshot) in snapshots.enumerated() {
      let before = customers.count
      for customer in 0..<log.customerCount {
        if let progress, customer & 16383 == 0 { progress(index * log.customerCount + customer) }
        guard let count = computeRow(log, customer: customer, snapshot: snapshot, into: &row) else { continue }
        customers.append(Int32(customer))
        cutoffs.append(snapshot.cutoff.ordinal)
        values.append(contentsOf: row)
        if horizon != nil {
          labels.append(count > 0 ? 1 : 0)
          windowPurchaseDays.append(count)
        }
      }
      if customers.count == before { throw .noCustomers(cutoff: snapshot.cutoff, firstDay: log.firstDay) }
    }
    return FeatureTable(
      featureNames: features.map(\.rawValue), customers: customers, cutoffs: cutoffs, values: values,
      labels: horizon == nil ? nil : labels, windowPurchaseDays: horizon == nil ? nil : windowPurchaseDays, horizon: horizon)
  }

  /// Fills `row` for one customer; returns the purchase days in the label window (0 without a
  /// horizon), or `nil` when the customer has no purchase day by the cutoff.
  private func computeRow(_ log: TransactionLog, customer: Int, snapshot: Snapshot, into row: inout [Double]) -> Int32? {
    let cutoff = snapshot.cutoff.ordinal
    let days = log.days(ofCustomer: customer)
    var history = History()
    var label: Int32 = 0
    let windowEnd = snapshot.horizon.map { cutoff + Int32($0) } ?? cutoff
    for totals in days {
      if totals.day > cutoff {
        if totals.day > windowEnd { break }
        if totals.isPurchaseDay { label += 1 }
        continue
      }
      history.add(totals, cutoff: cutoff)
    }
    guard history.orders > 0 else { return nil }
    // Gaps need the mean first: a second pass over the purchase days, for an accurate variance.
    var gapSquares = 0.0
    if history.orders >= 3 {
      let mean = history.gapMean
      var previous: Int32? = nil
      for totals in days where totals.isPurchaseDay {
        if totals.day > cutoff { break }
        if let previous {
          let d = Double(totals.day - previous) - mean
          gapSquares += d * d
        }
        previous = totals.day
      }
    }
    for (column, feature) in features.enumerated() {
      row[column] = history.value(of: feature, cutoff: cutoff, gapSquares: gapSquares, log: log, customer: customer)
    }
    return label
  }
}

/// Running totals over one customer's days up to a cutoff.
private struct History {
  var orders = 0
  var firstDay: Int32 = 0
  var lastDay: Int32 = 0
  var total = 0.0
  var firstDayValue = 0.0
  var repeatTotal = 0.0
  /// Purchase days and spend in the windows of `Feature.windows` (30, 90, 180, 365 days).
  var windowOrders = SIMD4<Double>.zero
  var windowSpend = SIMD4<Double>.zero
  var spendPrevious90 = 0.0
  var returnsTotal = 0.0
  var categoryMask: UInt64 = 0
  var channelMask: UInt64 = 0

  mutating func add(_ totals: DayTotals, cutoff: Int32) {
    returnsTotal += totals.returnValue
    categoryMask |= totals.categoryMask
    channelMask |= totals.channelMask
    guard totals.isPurchaseDay else { return }
    let value = totals.purchaseValue
    if orders == 0 {
      firstDay = totals.day
      firstDayValue = value
    } else {
      repeatTotal += value
    }
    orders += 1
    lastDay = totals.day
    total += value
    let age = Double(cutoff - totals.day)  // 0 on the cutoff itself
    let inWindow = History.windowLengths .> SIMD4(repeating: age)
    windowOrders.replace(with: windowOrders + 1, where: inWindow)
    windowSpend.replace(with: windowSpend + value, where: inWindow)
    if age >= 90 && age < 180 { spendPrevious90 += value }
  }

  static let windowLengths = SIMD4<Double>(Feature.windows.map(Double.init))

  var gapMean: Double { Double(lastDay - firstDay) / Double(orders - 1) }

  func value(of feature: Feature, cutoff: Int32, gapSquares: Double, log: TransactionLog, customer: Int) -> Double {
    let undefined = Double.nan
    switch feature {
    case .recencyDays: return Double(cutoff - lastDay)
    case .tenureDays: return Double(cutoff - firstDay)
    case .orders: return Double(orders)
    case .frequency: return Double(orders - 1)
    case .monetaryTotal: return total
    case .monetaryMean: return total / Double(orders)
    case .monetaryRepeatMean: return orders > 1 ? repeatTotal / Double(orders - 1) : undefined
    case .gapMeanDays: return orders > 1 ? gapMean : undefined
    case .gapStdDays: return orders > 2 ? (gapSquares / Double(orders - 2)).squareRoot() : undefined
    case .overdueRatio:
      guard orders > 1 else { return undefined }
      // Purchase days are distinct, so gapMean > 0.
      return Double(cutoff - lastDay) / gapMean
    case .orders30d: return windowOrders[0]
    case .spend30d: return windowSpend[0]
    case .orders90d: return windowOrders[1]
    case .spend90d: return windowSpend[1]
    case .orders180d: return windowOrders[2]
    case .spend180d: return windowSpend[2]
    case .orders365d: return windowOrders[3]
    case .spend365d: return windowSpend[3]
    case .trend90d:
      let recent = windowSpend[1], previous = spendPrevious90
      return recent + previous == 0 ? 0 : (recent - previous) / (recent + previous)
    case .returnsTotal: return returnsTotal
    case .returnRate:
      if returnsTotal == 0 { return 0 }
      return total > 0 ? returnsTotal / total : undefined
    case .categories:
      return Double(categoryMask.nonzeroBitCount + (log.categories?.overflowCount(customer: customer, upTo: cutoff) ?? 0))
    case .channels:
      return Double(channelMask.nonzeroBitCount + (log.channels?.overflowCount(customer: customer, upTo: cutoff) ?? 0))
    }
  }

}
