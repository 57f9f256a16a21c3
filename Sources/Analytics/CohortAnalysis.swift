import Ingest
import RebuyCore

/// Acquisition cohorts, their retention and revenue, churn, and purchase cycles.
///
/// A customer's cohort is the calendar period (month, or Monday-to-Sunday week) of their first
/// purchase day. Period `k` of a cohort is the `k`-th period after it (0 is the cohort's own).
/// The retention of period `k` is the share of the cohort's customers with a purchase day in
/// it; its revenue is the sum of their purchase-day values in it. A period that ends after the
/// data's last day is *incomplete* and flagged. Returns are not purchases and count in neither.
///
/// Churn over `churnDays` N: of the customers whose first purchase day is at least N days
/// before the data's last day L, the share with no purchase day in `(L − N, L]`.
///
/// Purchase cycles are the days between a customer's consecutive purchase days, summarised
/// overall, by cohort and (with purchase lines) by item: there, the days between consecutive
/// days on which the same customer bought the item.
public struct CohortAnalysis: Sendable {
  /// The calendar period cohorts and their periods are counted in.
  public enum Period: String, Sendable, CaseIterable {
    case month, week

    /// The period index of `day`: months since year 0, or weeks (from Monday) since 1969-12-29.
    func index(_ day: Int32) -> Int {
      switch self {
      case .month:
        let (y, m, _) = Day(ordinal: day).components
        return y * 12 + m - 1
      case .week:
        return Int((Int64(day) + 3 - floorMod(Int64(day) + 3, 7)) / 7)
      }
    }

    /// The first day of period `index`.
    func start(_ index: Int) -> Day {
      switch self {
      case .month: Day(year: index / 12, month: index % 12 + 1, day: 1)!
      case .week: Day(ordinal: Int32(index * 7 - 3))
      }
    }

    /// `2024-03` for months; the Monday, `2024-03-04`, for weeks.
    func label(_ index: Int) -> String {
      switch self {
      case .month: String(start(index).description.prefix(7))
      case .week: start(index).description
      }
    }
  }

  /// One acquisition cohort.
  public struct Cohort: Sendable {
    public var label: String
    public var customers: Int
    /// `active[k]`: the cohort's customers with a purchase day in period `k`.
    public var active: [Int]
    /// `revenue[k]`: their purchase-day values in period `k`.
    public var revenue: [Double]
    /// `complete[k]`: period `k` ends on or before the data's last day.
    public var complete: [Bool]
    /// Customers with two or more purchase days.
    public var repeatCustomers: Int
    /// Customers old enough for the churn measure, and those of them who churned.
    public var churnBase: Int
    public var churned: Int
    public var gaps: GapDistribution

    public func retention(_ k: Int) -> Double { Double(active[k]) / Double(customers) }
  }

  public let period: Period
  public let churnDays: Int
  public let cohorts: [Cohort]
  public let customers: Int
  public let repeatCustomers: Int
  public let churnBase: Int
  public let churned: Int
  public let gaps: GapDistribution
  /// Purchase cycles per item (sorted by name); empty without purchase lines.
  public let itemGaps: [(item: String, gaps: GapDistribution)]

  /// Customers with two or more purchase days over all customers.
  public var repurchaseRate: Double { Double(repeatCustomers) / Double(customers) }
  /// Churned over the churn base; `nil` when nobody is old enough.
  public var churnRate: Double? { churnBase > 0 ? Double(churned) / Double(churnBase) : nil }

  /// Errors a user can act on.
  public enum Problem: Error, Equatable, CustomStringConvertible {
    case noPurchases
    case badChurnDays(Int)

    public var description: String {
      switch self {
      case .noPurchases: "the file has no purchase lines (every amount is negative), so there are no cohorts"
      case let .badChurnDays(days): "--churn-days must be at least 1, got \(days)"
      }
    }
  }

  /// Analyses every customer of `log` with a purchase day. Cost: one pass over the customer-days,
  /// plus, with `log.lines`, a counting sort of the lines by customer and small sorts per customer.
  public init(_ log: TransactionLog, period: Period = .month, churnDays: Int = 90) throws(Problem) {
    guard churnDays >= 1 else { throw .badChurnDays(churnDays) }
    let last = log.lastDay.ordinal
    let churnStart = last - Int32(churnDays)  // churn window is (churnStart, last]
    let lastPeriod = period.index(last)
    let lastComplete = period.index(last + 1) > lastPeriod ? lastPeriod : lastPeriod - 1

    struct Tally {
      var customers = 0, repeaters = 0, churnBase = 0, churned = 0
      var active: [Int] = [], revenue: [Double] = [], gaps: [Double] = []

      mutating func grow(to periods: Int) {
        guard active.count < periods else { return }
        active += [Int](repeating: 0, count: periods - active.count)
        revenue += [Double](repeating: 0, count: periods - revenue.count)
      }
    }
    let firstPeriod = period.index(log.firstDay.ordinal)
    var tallies = [Tally](repeating: Tally(), count: lastPeriod - firstPeriod + 1)
    var allGaps: [Double] = []
    var customers = 0
    for c in 0..<log.customerCount {
      var first: Int32? = nil, previous: Int32 = 0, previousPeriod = Int.min, days = 0
      var cohort = 0
      var recent = false
      for day in log.days(ofCustomer: c) where day.isPurchaseDay {
        let p = period.index(day.day)
        if first == nil {
          first = day.day
          cohort = p - firstPeriod
          tallies[cohort].customers += 1
          tallies[cohort].grow(to: lastPeriod - p + 1)
        } else {
          let gap = Double(day.day - previous)
          allGaps.append(gap)
          tallies[cohort].gaps.append(gap)
        }
        let k = p - firstPeriod - cohort
        if p != previousPeriod { tallies[cohort].active[k] += 1 }
        tallies[cohort].revenue[k] += day.purchaseValue
        previousPeriod = p
        previous = day.day
        days += 1
        if day.day > churnStart { recent = true }
      }
      guard let first else { continue }
      customers += 1
      if days >= 2 { tallies[cohort].repeaters += 1 }
      if first <= churnStart {
        tallies[cohort].churnBase += 1
        if !recent { tallies[cohort].churned += 1 }
      }
    }
    guard customers > 0 else { throw .noPurchases }
    self.period = period
    self.churnDays = churnDays
    self.customers = customers
    cohorts = tallies.indices.filter { tallies[$0].customers > 0 }.map { index in
      let t = tallies[index], p = firstPeriod + index
      return Cohort(
        label: period.label(p), customers: t.customers, active: t.active, revenue: t.revenue,
        complete: t.active.indices.map { p + $0 <= lastComplete }, repeatCustomers: t.repeaters,
        churnBase: t.churnBase, churned: t.churned, gaps: GapDistribution(t.gaps))
    }
    repeatCustomers = tallies.reduce(0) { $0 + $1.repeaters }
    churnBase = tallies.reduce(0) { $0 + $1.churnBase }
    churned = tallies.reduce(0) { $0 + $1.churned }
    gaps = GapDistribution(allGaps)
    itemGaps = log.lines.map(Self.itemGaps) ?? []
  }

  /// The days between consecutive days on which one customer bought one item, per item.
  static func itemGaps(_ lines: PurchaseLines) -> [(item: String, gaps: GapDistribution)] {
    let sorted = CustomerItemDays(lines)
    var gaps = [[Double]](repeating: [], count: lines.items.count)
    for c in 0..<sorted.customerCount {
      var previous: UInt64? = nil
      for key in sorted.keys[sorted.range(c)] {
        if let previous, previous >> 32 == key >> 32, previous != key {
          gaps[CustomerItemDays.item(key)].append(Double(CustomerItemDays.day(key) - CustomerItemDays.day(previous)))
        }
        previous = key
      }
    }
    return lines.items.indices.sorted { lines.items[$0] < lines.items[$1] }.map { (lines.items[$0], GapDistribution(gaps[$0])) }
  }
}

private func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
  let r = a % b
  return r < 0 ? r + b : r
}
