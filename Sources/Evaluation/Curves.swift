/// The ROC curve: false and true positive rates at every distinct score, from the strictest
/// threshold (`+∞`, nothing predicted positive) to the loosest.
///
/// `auc` is the trapezoidal area under it, which equals the probability that a random positive
/// scores above a random negative, ties counting ½ (scikit-learn's `roc_auc_score`). It is `nil`
/// when one class is absent.
public struct ROCCurve: Sendable {
  public let falsePositiveRates: [Double]
  public let truePositiveRates: [Double]
  /// `thresholds[k]` gives point `k`; the first is `+∞`.
  public let thresholds: [Double]
  public let auc: Double?

  public init(labels: [UInt8], scores: [Double]) {
    self.init(RankedScores(labels: labels, scores: scores))
  }

  init(_ ranked: RankedScores) {
    guard ranked.positives > 0, ranked.negatives > 0 else {
      (falsePositiveRates, truePositiveRates, thresholds, auc) = ([], [], [], nil)
      return
    }
    let p = Double(ranked.positives), n = Double(ranked.negatives)
    falsePositiveRates = [0] + ranked.falsePositives.map { Double($0) / n }
    truePositiveRates = [0] + ranked.truePositives.map { Double($0) / p }
    thresholds = [.infinity] + ranked.thresholds
    var area = 0.0
    for k in 1..<falsePositiveRates.count {
      area += (falsePositiveRates[k] - falsePositiveRates[k - 1]) * (truePositiveRates[k] + truePositiveRates[k - 1]) / 2
    }
    auc = area
  }
}

/// The precision-recall curve at every distinct score, strictest threshold first, and the
/// average precision `AP = Σₖ (Rₖ − Rₖ₋₁) Pₖ` (scikit-learn's `average_precision_score`, with
/// `R₀ = 0`; no interpolation). `averagePrecision` is `nil` without positive rows.
public struct PrecisionRecallCurve: Sendable {
  public let precisions: [Double]
  public let recalls: [Double]
  /// `thresholds[k]`: predict positive when `score >= thresholds[k]`.
  public let thresholds: [Double]
  public let averagePrecision: Double?

  public init(labels: [UInt8], scores: [Double]) {
    self.init(RankedScores(labels: labels, scores: scores))
  }

  init(_ ranked: RankedScores) {
    guard ranked.positives > 0 else {
      (precisions, recalls, thresholds, averagePrecision) = ([], [], [], nil)
      return
    }
    let p = Double(ranked.positives)
    precisions = zip(ranked.truePositives, ranked.falsePositives).map { Double($0) / Double($0 + $1) }
    recalls = ranked.truePositives.map { Double($0) / p }
    thresholds = ranked.thresholds
    var ap = 0.0, previousRecall = 0.0
    for (precision, recall) in zip(precisions, recalls) {
      ap += (recall - previousRecall) * precision
      previousRecall = recall
    }
    averagePrecision = ap
  }

  /// The threshold with the highest F1 (the highest such threshold on ties), and that F1; `nil`
  /// without positive rows.
  public var bestF1: (threshold: Double, f1: Double)? {
    var best: (threshold: Double, f1: Double)? = nil
    for (k, threshold) in thresholds.enumerated() {
      let (precision, recall) = (precisions[k], recalls[k])
      let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
      if best == nil || f1 > best!.f1 { best = (threshold, f1) }
    }
    return best
  }

  /// The highest threshold whose recall reaches `target` (in `(0, 1]`), or `nil` without
  /// positive rows.
  public func threshold(forRecall target: Double) -> Double? {
    guard let k = recalls.firstIndex(where: { $0 >= target - 1e-12 }) else { return nil }
    return thresholds[k]
  }
}
