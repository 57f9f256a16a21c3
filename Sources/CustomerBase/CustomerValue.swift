import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Customer lifetime value from a BG/NBD model (how many purchases) and a Gamma-Gamma model
/// (what each is worth): over `months` months of `daysPerMonth` days, the expected purchases of
/// each month times the expected spend, discounted by `(1 + monthlyDiscountRate)^month`:
///
/// `CLV = Σₖ E[spend] · (E[N(k·D)] − E[N((k−1)·D)]) / (1 + d)^k`, k = 1…months,
///
/// which is the `lifetimes` library's `customer_lifetime_value` with time in days.
public struct CustomerValue: Sendable {
  public let purchases: BGNBDModel
  public let spend: GammaGammaModel
  /// The time unit `purchases` was fitted in (histories are given in it).
  public let unit: TimeUnit

  public init(purchases: BGNBDModel, spend: GammaGammaModel, unit: TimeUnit = .days) {
    self.purchases = purchases
    self.spend = spend
    self.unit = unit
  }

  /// The discounted value of the next `months` months for a customer with this history and this
  /// mean repeat spend (any value when `x = 0`: the population's mean is used then).
  public func lifetimeValue(
    _ history: RepeatHistory, meanSpend: Double, months: Int = 12, monthlyDiscountRate: Double = 0.01,
    daysPerMonth: Double = 30
  ) -> Double {
    let value = spend.expectedSpend(RepeatSpend(x: history.x, m: meanSpend))
    var total = 0.0
    var previous = 0.0
    for k in 1...max(1, months) {
      let cumulative = purchases.expectedPurchases(in: Double(k) * daysPerMonth / unit.days, history)
      total += value * (cumulative - previous) / pow(1 + monthlyDiscountRate, Double(k))
      previous = cumulative
    }
    return total
  }
}

/// The unit BG/NBD measures time in. The model is the same either way (α scales with the unit
/// and the other parameters do not); weeks are what much of the literature reports.
public enum TimeUnit: String, Codable, Sendable, CaseIterable {
  case days, weeks

  /// The unit's length in days.
  public var days: Double { self == .days ? 1 : 7 }

  /// A customer's history from features in days: `frequency` repeat purchase days, the last
  /// `recencyDays` before the cutoff, the first `tenureDays` before it.
  public func history(frequency: Double, recencyDays: Double, tenureDays: Double) -> RepeatHistory {
    RepeatHistory(x: frequency, tx: (tenureDays - recencyDays) / days, T: tenureDays / days)
  }
}
