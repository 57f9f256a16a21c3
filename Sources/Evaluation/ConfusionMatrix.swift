/// Counts of a binary prediction against the truth, with the metrics they define.
///
/// A row is predicted positive when its score is `>= threshold`. Metrics that would divide by
/// zero are `nil` (undefined), never a silent 0: precision with no positive predictions, recall
/// with no positive rows, F1 when either is undefined.
public struct ConfusionMatrix: Codable, Sendable, Equatable {
  public var truePositives = 0
  public var falsePositives = 0
  public var trueNegatives = 0
  public var falseNegatives = 0

  public init(truePositives: Int, falsePositives: Int, trueNegatives: Int, falseNegatives: Int) {
    self.truePositives = truePositives
    self.falsePositives = falsePositives
    self.trueNegatives = trueNegatives
    self.falseNegatives = falseNegatives
  }

  /// The confusion matrix of `scores >= threshold` against `labels`.
  public init(labels: [UInt8], scores: [Double], threshold: Double) {
    precondition(labels.count == scores.count, "one score per label")
    for (label, score) in zip(labels, scores) {
      switch (label == 1, score >= threshold) {
      case (true, true): truePositives += 1
      case (false, true): falsePositives += 1
      case (false, false): trueNegatives += 1
      case (true, false): falseNegatives += 1
      }
    }
  }

  public var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }
  public var predictedPositives: Int { truePositives + falsePositives }
  public var actualPositives: Int { truePositives + falseNegatives }

  /// TP / (TP + FP); `nil` with no positive predictions.
  public var precision: Double? {
    predictedPositives == 0 ? nil : Double(truePositives) / Double(predictedPositives)
  }
  /// TP / (TP + FN); `nil` with no positive rows.
  public var recall: Double? {
    actualPositives == 0 ? nil : Double(truePositives) / Double(actualPositives)
  }
  /// 2PR / (P + R); 0 when P = R = 0; `nil` when either is undefined.
  public var f1: Double? {
    guard let p = precision, let r = recall else { return nil }
    return p + r == 0 ? 0 : 2 * p * r / (p + r)
  }
  /// (TP + TN) / all; `nil` with no rows.
  public var accuracy: Double? {
    total == 0 ? nil : Double(truePositives + trueNegatives) / Double(total)
  }

  /// The same counts seen from the negative class (for a per-class report).
  public var forNegativeClass: ConfusionMatrix {
    ConfusionMatrix(truePositives: trueNegatives, falsePositives: falseNegatives, trueNegatives: truePositives, falseNegatives: falsePositives)
  }

  enum CodingKeys: String, CodingKey {
    case truePositives = "true_positives"
    case falsePositives = "false_positives"
    case trueNegatives = "true_negatives"
    case falseNegatives = "false_negatives"
  }
}
