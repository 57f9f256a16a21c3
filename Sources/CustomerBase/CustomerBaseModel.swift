import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// BG/NBD (how many purchases, and whether the customer is still active) with Gamma-Gamma (what
/// each purchase is worth), fitted on the histories in a feature table: what a `bgnbd` model
/// file holds, and what `--btyd-features` derives features from.
///
/// A history comes from three features: `frequency` (x), `tenure_days` (T) and
/// `tenure_days − recency_days` (tₓ), in `timeUnit`; spend from `monetary_repeat_mean`.
public struct CustomerBaseModel: Codable, Sendable, Equatable {
  /// The features histories are read from.
  public static let historyFeatures = ["frequency", "recency_days", "tenure_days"]
  /// The feature Gamma-Gamma reads (besides `frequency`).
  public static let spendFeature = "monetary_repeat_mean"
  /// The features `--btyd-features` adds: P(alive) and the expected purchases in the horizon.
  public static let derivedFeatures = ["btyd_p_alive", "btyd_expected_purchases"]

  public var timeUnit: TimeUnit
  public var purchases: BGNBDModel
  /// `nil` when the histories had no repeat customers with positive spend to fit it on.
  public var spend: GammaGammaModel?
  /// The correlation of repeat purchases and mean spend among repeat customers (Gamma-Gamma
  /// assumes they are independent; near 0 is good).
  public var spendFrequencyCorrelation: Double?
  /// Histories the model was fitted on.
  public var customers: Int
  /// The L2 penalty used (0: none).
  public var penalty: Double

  public init(
    timeUnit: TimeUnit, purchases: BGNBDModel, spend: GammaGammaModel?, spendFrequencyCorrelation: Double?, customers: Int,
    penalty: Double
  ) {
    self.timeUnit = timeUnit
    self.purchases = purchases
    self.spend = spend
    self.spendFrequencyCorrelation = spendFrequencyCorrelation
    self.customers = customers
    self.penalty = penalty
  }

  /// Fits BG/NBD on every row's history and, when the table has `monetary_repeat_mean`,
  /// Gamma-Gamma on the repeat customers with a positive mean spend.
  /// - Parameter requireSpend: throw when Gamma-Gamma cannot be fitted (CLV needs it);
  ///   otherwise `spend` is `nil` then and `spendProblem` says why.
  public static func fit(
    _ matrix: FeatureMatrix, timeUnit: TimeUnit = .days, penalty: Double = 0, requireSpend: Bool = false
  ) throws(FitError) -> (model: CustomerBaseModel, spendProblem: String?) {
    let histories: [RepeatHistory]
    do { histories = try CustomerBaseModel.histories(matrix, timeUnit: timeUnit) } catch {
      throw .invalidConfiguration("\(error)")
    }
    let purchases = try BGNBD(penalty: penalty).fit(histories)
    var spend: GammaGammaModel? = nil
    var correlation: Double? = nil
    var problem: String? = nil
    if let mean = matrix.column(named: spendFeature) {
      let spenders = histories.indices.filter { histories[$0].x > 0 && mean[$0] > 0 }
      let sample = spenders.map { RepeatSpend(x: histories[$0].x, m: mean[$0]) }
      do {
        spend = try GammaGamma(penalty: penalty).fit(sample)
        correlation = pearsonCorrelation(sample.map(\.x), sample.map(\.m))
      } catch {
        if requireSpend { throw error }
        problem = "\(error)"
      }
    } else {
      problem = "the table has no \(spendFeature) column"
      if requireSpend { throw .invalidConfiguration("the spend model needs \(spendFeature), which the table does not have") }
    }
    return (
      CustomerBaseModel(
        timeUnit: timeUnit, purchases: purchases, spend: spend, spendFrequencyCorrelation: correlation, customers: histories.count,
        penalty: penalty),
      problem
    )
  }

  /// Every row's history, in `timeUnit`.
  /// - Throws: `ScoreError.featureMismatch` when a history feature is missing,
  ///   `.nonFinite` when one is undefined or infinite.
  public static func histories(_ matrix: FeatureMatrix, timeUnit: TimeUnit) throws(ScoreError) -> [RepeatHistory] {
    guard let x = matrix.column(named: "frequency"), let recency = matrix.column(named: "recency_days"),
      let tenure = matrix.column(named: "tenure_days")
    else { throw .featureMismatch(expected: historyFeatures, got: matrix.featureNames) }
    var out: [RepeatHistory] = []
    out.reserveCapacity(matrix.rowCount)
    for row in 0..<matrix.rowCount {
      for (name, value) in zip(historyFeatures, [x[row], recency[row], tenure[row]]) where !value.isFinite {
        throw .nonFinite(row: row, feature: name, value: value)
      }
      out.append(timeUnit.history(frequency: x[row], recencyDays: recency[row], tenureDays: tenure[row]))
    }
    return out
  }

  /// P(at least one purchase in the next `days` days) for each history.
  public func probabilityOfPurchase(withinDays days: Int, _ histories: [RepeatHistory]) -> [Double] {
    let t = Double(days) / timeUnit.days
    return histories.map { purchases.probabilityOfPurchase(in: t, $0) }
  }

  /// The expected purchases in the next `days` days for each history.
  public func expectedPurchases(withinDays days: Int, _ histories: [RepeatHistory]) -> [Double] {
    let t = Double(days) / timeUnit.days
    return histories.map { purchases.expectedPurchases(in: t, $0) }
  }

  /// The `derivedFeatures` of each history: P(alive) and the expected purchases in the next
  /// `horizonDays` days.
  public func derivedFeatures(_ histories: [RepeatHistory], horizonDays: Int) -> [[Double]] {
    [histories.map(purchases.probabilityAlive), expectedPurchases(withinDays: horizonDays, histories)]
  }

  /// `matrix` with `derivedFeatures` appended, from each row's history.
  public func appendingDerivedFeatures(to matrix: FeatureMatrix, horizonDays: Int) throws(ScoreError) -> FeatureMatrix {
    let histories = try CustomerBaseModel.histories(matrix, timeUnit: timeUnit)
    return matrix.appending(columns: derivedFeatures(histories, horizonDays: horizonDays), named: CustomerBaseModel.derivedFeatures)
  }

  enum CodingKeys: String, CodingKey {
    case customers, penalty
    case timeUnit = "time_unit"
    case purchases = "bgnbd"
    case spend = "gamma_gamma"
    case spendFrequencyCorrelation = "spend_frequency_correlation"
  }
}

/// The Pearson correlation of two equally long series (NaN when either is constant).
public func pearsonCorrelation(_ a: [Double], _ b: [Double]) -> Double {
  let n = Double(a.count)
  let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
  var sab = 0.0, saa = 0.0, sbb = 0.0
  for (x, y) in zip(a, b) {
    sab += (x - ma) * (y - mb)
    saa += (x - ma) * (x - ma)
    sbb += (y - mb) * (y - mb)
  }
  return sab / (saa * sbb).squareRoot()
}
