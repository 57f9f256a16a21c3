#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Metrics of probabilities against labels.
public enum ScoreMetrics {
  /// Mean negative log-likelihood, `−mean(y log p + (1 − y) log(1 − p))`, with `p` clipped to
  /// `[ε, 1 − ε]`, `ε` the double's machine epsilon (as scikit-learn's `log_loss`); `nil` with
  /// no rows.
  public static func logLoss(labels: [UInt8], probabilities: [Double]) -> Double? {
    guard !labels.isEmpty else { return nil }
    let eps = Double.ulpOfOne
    var total = 0.0
    for (label, probability) in zip(labels, probabilities) {
      let p = min(max(probability, eps), 1 - eps)
      total -= label == 1 ? log(p) : log(1 - p)
    }
    return total / Double(labels.count)
  }

  /// Mean squared error of the probabilities, `mean((p − y)²)` (scikit-learn's
  /// `brier_score_loss`); `nil` with no rows.
  public static func brierScore(labels: [UInt8], probabilities: [Double]) -> Double? {
    guard !labels.isEmpty else { return nil }
    var total = 0.0
    for (label, p) in zip(labels, probabilities) { total += (p - Double(label)) * (p - Double(label)) }
    return total / Double(labels.count)
  }

  /// The share of positives among the `k` highest scores (a contact budget of `k` customers);
  /// ties at the boundary are taken in row order. `nil` when `k` is not in `1...rows`.
  public static func precisionAtK(labels: [UInt8], scores: [Double], k: Int) -> Double? {
    precisionAtK(RankedScores(labels: labels, scores: scores), labels: labels, k: k)
  }

  static func precisionAtK(_ ranked: RankedScores, labels: [UInt8], k: Int) -> Double? {
    guard k >= 1, k <= labels.count else { return nil }
    let hits = ranked.order.prefix(k).reduce(0) { $0 + Int(labels[$1]) }
    return Double(hits) / Double(k)
  }
}

/// Lift and cumulative gain by decile of score.
///
/// Rows are ranked by score, highest first (ties in row order); decile `d` (1–10) holds ranks
/// `⌊(d−1)·n/10⌋ ..< ⌊d·n/10⌋`. Its lift is its positive rate over the overall rate; the
/// cumulative gain is the share of all positives found in deciles 1…d.
public struct LiftTable: Codable, Sendable, Equatable {
  public struct Decile: Codable, Sendable, Equatable {
    public let decile: Int
    public let rows: Int
    public let positives: Int
    /// Positive rate in the decile; `nil` for an empty decile (fewer than ten rows).
    public let rate: Double?
    /// `rate / overall rate`; `nil` when either is undefined or the overall rate is 0.
    public let lift: Double?
    /// Positives in deciles 1…d over all positives; `nil` with no positives.
    public let cumulativeGain: Double?

    enum CodingKeys: String, CodingKey {
      case decile, rows, positives, rate, lift
      case cumulativeGain = "cumulative_gain"
    }
  }

  public let deciles: [Decile]

  public init(labels: [UInt8], scores: [Double]) {
    self.init(RankedScores(labels: labels, scores: scores), labels: labels)
  }

  /// Each row's decile (1 = the highest scores), divided as the table divides them.
  public static func deciles(of scores: [Double]) -> [Int] {
    let order = RankedScores.order(of: scores)
    var decile = [Int](repeating: 0, count: scores.count)
    for d in 1...10 {
      for rank in ((d - 1) * scores.count / 10)..<(d * scores.count / 10) { decile[order[rank]] = d }
    }
    return decile
  }

  init(_ ranked: RankedScores, labels: [UInt8]) {
    let n = labels.count
    let overall = n == 0 ? nil : Double(ranked.positives) / Double(n)
    var cumulative = 0
    deciles = (1...10).map { d in
      let range = ((d - 1) * n / 10)..<(d * n / 10)
      let positives = range.reduce(0) { $0 + Int(labels[ranked.order[$1]]) }
      cumulative += positives
      let rate = range.isEmpty ? nil : Double(positives) / Double(range.count)
      let lift: Double? = if let rate, let overall, overall > 0 { rate / overall } else { nil }
      return Decile(
        decile: d, rows: range.count, positives: positives, rate: rate, lift: lift,
        cumulativeGain: ranked.positives == 0 ? nil : Double(cumulative) / Double(ranked.positives))
    }
  }
}

/// A reliability table: probabilities in ten equal-width bins, each bin's mean prediction
/// against its observed positive rate (scikit-learn's `calibration_curve` with
/// `strategy='uniform'`). Bin `b` (0–9) holds `b/10 < p <= (b+1)/10`, bin 0 also `p = 0`.
public struct CalibrationTable: Codable, Sendable, Equatable {
  public struct Bin: Codable, Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let rows: Int
    /// Mean predicted probability; `nil` for an empty bin.
    public let meanPredicted: Double?
    /// Observed positive rate; `nil` for an empty bin.
    public let fractionPositive: Double?

    enum CodingKeys: String, CodingKey {
      case lower, upper, rows
      case meanPredicted = "mean_predicted"
      case fractionPositive = "fraction_positive"
    }
  }

  public let bins: [Bin]

  public init(labels: [UInt8], probabilities: [Double], binCount: Int = 10) {
    var rows = [Int](repeating: 0, count: binCount)
    var sums = [Double](repeating: 0, count: binCount)
    var positives = [Int](repeating: 0, count: binCount)
    // numpy's linspace(0, 1, binCount + 1): i·step, the last edge exactly 1.
    let step = 1 / Double(binCount)
    let edges = (0...binCount).map { $0 == binCount ? 1 : Double($0) * step }
    for (label, p) in zip(labels, probabilities) {
      // The first inner edge that is >= p (numpy's searchsorted, side 'left').
      var bin = 0
      while bin < binCount - 1 && edges[bin + 1] < p { bin += 1 }
      rows[bin] += 1
      sums[bin] += p
      positives[bin] += Int(label)
    }
    bins = (0..<binCount).map { b in
      Bin(
        lower: edges[b], upper: edges[b + 1], rows: rows[b],
        meanPredicted: rows[b] == 0 ? nil : sums[b] / Double(rows[b]),
        fractionPositive: rows[b] == 0 ? nil : Double(positives[b]) / Double(rows[b]))
    }
  }
}
