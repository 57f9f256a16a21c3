/// Every feature Rebuy builds, with its column name. DESIGN.md gives the definitions; the doc
/// comment on each case repeats it.
public enum Feature: String, CaseIterable, Sendable {
  /// Days from the last purchase day to the cutoff.
  case recencyDays = "recency_days"
  /// Days from the first purchase day to the cutoff (lifetimes' `T`).
  case tenureDays = "tenure_days"
  /// Purchase days on or before the cutoff.
  case orders
  /// `orders − 1`: repeat purchase days.
  case frequency
  /// Sum of purchase-day values.
  case monetaryTotal = "monetary_total"
  /// `monetary_total / orders`.
  case monetaryMean = "monetary_mean"
  /// Mean value of the repeat purchase days; undefined when `orders = 1`.
  case monetaryRepeatMean = "monetary_repeat_mean"
  /// Mean days between consecutive purchase days; undefined when `orders < 2`.
  case gapMeanDays = "gap_mean_days"
  /// Sample standard deviation of those gaps; undefined when `orders < 3`.
  case gapStdDays = "gap_std_days"
  /// `recency_days / gap_mean_days`; undefined with `gap_mean_days`.
  case overdueRatio = "overdue_ratio"
  /// Purchase days and spend in `(c − W, c]`.
  case orders30d = "orders_30d", spend30d = "spend_30d"
  case orders90d = "orders_90d", spend90d = "spend_90d"
  case orders180d = "orders_180d", spend180d = "spend_180d"
  case orders365d = "orders_365d", spend365d = "spend_365d"
  /// `(s₁ − s₀)/(s₁ + s₀)` with s₁ the spend in `(c−90, c]` and s₀ in `(c−180, c−90]`; 0 when both are 0.
  case trend90d = "trend_90d"
  /// Sum of return amounts, as a positive number.
  case returnsTotal = "returns_total"
  /// `returns_total / monetary_total`: the share of purchase value returned (above 1 when the
  /// returns are of purchases made before the data starts); 0 without returns, undefined when
  /// returns meet a zero purchase total. By value, not by line, so that rolling lines up into
  /// baskets changes nothing.
  case returnRate = "return_rate"
  /// Distinct categories bought (only with a category column).
  case categories
  /// Distinct channels bought through (only with a channel column).
  case channels

  /// Whether the value is always a whole number (printed without a decimal point).
  public var isCount: Bool {
    switch self {
    case .recencyDays, .tenureDays, .orders, .frequency, .orders30d, .orders90d, .orders180d, .orders365d,
      .categories, .channels:
      true
    default: false
    }
  }

  /// The look-back windows, in days, of the `orders_Wd` / `spend_Wd` features.
  public static let windows = [30, 90, 180, 365]
}
