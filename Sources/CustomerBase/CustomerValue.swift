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

  public init(purchases: BGNBDModel, spend: GammaGammaModel) {
    self.purchases = purchases
    self.spend = spend
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
      let cumulative = purchases.expectedPurchases(in: Double(k) * daysPerMonth, history)
      total += value * (cumulative - previous) / pow(1 + monthlyDiscountRate, Double(k))
      previous = cumulative
    }
    return total
  }
}
