/// Scores sorted from highest to lowest with their labels, and the cumulative counts at each
/// distinct score: the common ground of the ROC and precision-recall curves (scikit-learn's
/// `_binary_clf_curve`).
///
/// Rows with equal scores are one point: a threshold cannot separate them. Sorting is stable,
/// so ties keep their input order wherever order matters (top-k, deciles).
struct RankedScores {
  /// Row indices, highest score first, ties in input order.
  let order: [Int]
  /// The distinct scores, highest first.
  let thresholds: [Double]
  /// True and false positives when predicting positive at `score >= thresholds[k]`.
  let truePositives: [Int]
  let falsePositives: [Int]
  let positives: Int
  let negatives: Int

  /// Row indices, highest score first, ties in input order.
  static func order(of scores: [Double]) -> [Int] {
    scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
  }

  init(labels: [UInt8], scores: [Double]) {
    precondition(labels.count == scores.count, "one score per label")
    order = RankedScores.order(of: scores)
    var thresholds: [Double] = []
    var tps: [Int] = []
    var fps: [Int] = []
    var tp = 0, fp = 0
    for (position, row) in order.enumerated() {
      if labels[row] == 1 { tp += 1 } else { fp += 1 }
      let last = position == order.count - 1 || scores[order[position + 1]] != scores[row]
      if last {
        thresholds.append(scores[row])
        tps.append(tp)
        fps.append(fp)
      }
    }
    self.thresholds = thresholds
    truePositives = tps
    falsePositives = fps
    positives = tp
    negatives = fp
  }
}
