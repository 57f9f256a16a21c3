/// Everything Rebuy reports about probabilities against labels: the metrics at a threshold,
/// the ranking metrics, calibration, lift, and the thresholds worth knowing.
///
/// Undefined values (no positive predictions, one class only) are `nil` and print as
/// "undefined", never as 0.
public struct ClassificationReport: Codable, Sendable, Equatable {
  public let rows: Int
  public let positives: Int
  /// Predict positive at `probability >= threshold`.
  public let threshold: Double
  public let confusion: ConfusionMatrix
  public let precision: Double?
  public let recall: Double?
  public let f1: Double?
  public let accuracy: Double?
  public let rocAUC: Double?
  /// Average precision (the area under the precision-recall curve, scikit-learn's definition).
  public let prAUC: Double?
  public let logLoss: Double?
  public let brierScore: Double?
  /// Precision among the top `topK` rows by probability (10% of rows unless chosen).
  public let topK: Int
  public let precisionAtTopK: Double?
  /// The threshold that maximises F1 on these rows, and that F1.
  public let bestF1Threshold: Double?
  public let bestF1: Double?
  /// The highest threshold reaching `targetRecall`.
  public let targetRecall: Double
  public let thresholdForTargetRecall: Double?
  public let lift: LiftTable
  public let calibration: CalibrationTable

  public init(labels: [UInt8], probabilities: [Double], threshold: Double, topK: Int? = nil, targetRecall: Double = 0.8) {
    precondition(labels.count == probabilities.count, "one probability per label")
    let ranked = RankedScores(labels: labels, scores: probabilities)
    rows = labels.count
    positives = ranked.positives
    self.threshold = threshold
    confusion = ConfusionMatrix(labels: labels, scores: probabilities, threshold: threshold)
    precision = confusion.precision
    recall = confusion.recall
    f1 = confusion.f1
    accuracy = confusion.accuracy
    rocAUC = ROCCurve(ranked).auc
    let pr = PrecisionRecallCurve(ranked)
    prAUC = pr.averagePrecision
    logLoss = ScoreMetrics.logLoss(labels: labels, probabilities: probabilities)
    brierScore = ScoreMetrics.brierScore(labels: labels, probabilities: probabilities)
    self.topK = topK ?? max(1, labels.count / 10)
    precisionAtTopK = ScoreMetrics.precisionAtK(ranked, labels: labels, k: self.topK)
    let best = pr.bestF1
    bestF1Threshold = best?.threshold
    bestF1 = best?.f1
    self.targetRecall = targetRecall
    thresholdForTargetRecall = pr.threshold(forRecall: targetRecall)
    lift = LiftTable(ranked, labels: labels)
    calibration = CalibrationTable(labels: labels, probabilities: probabilities)
  }

  enum CodingKeys: String, CodingKey {
    case rows, positives, threshold, confusion, precision, recall, f1, accuracy, lift, calibration
    case rocAUC = "roc_auc"
    case prAUC = "pr_auc"
    case logLoss = "log_loss"
    case brierScore = "brier_score"
    case topK = "top_k"
    case precisionAtTopK = "precision_at_top_k"
    case bestF1Threshold = "best_f1_threshold"
    case bestF1 = "best_f1"
    case targetRecall = "target_recall"
    case thresholdForTargetRecall = "threshold_for_target_recall"
  }
}

/// The yardsticks shown next to every model, on the same rows: a model must beat them to be
/// worth anything.
public struct Baselines: Codable, Sendable, Equatable {
  /// Predicting the majority class for everyone: its accuracy is the share of the majority.
  public let majorityAccuracy: Double?
  /// The positive rate, which is also the average precision of a constant score.
  public let baseRate: Double?
  /// Scoring by recency alone (more recent = more likely to buy): its ROC-AUC, average
  /// precision and best F1.
  public let recencyROCAUC: Double?
  public let recencyPRAUC: Double?
  public let recencyBestF1: Double?

  /// Baselines for `labels`, with `recencyDays` the rows' recency (missing treated as the
  /// largest recency).
  public init(labels: [UInt8], recencyDays: [Double]) {
    let n = labels.count
    let positives = labels.reduce(0) { $0 + Int($1) }
    baseRate = n == 0 ? nil : Double(positives) / Double(n)
    majorityAccuracy = n == 0 ? nil : Double(max(positives, n - positives)) / Double(n)
    let scores = recencyDays.map { $0.isNaN ? -Double.greatestFiniteMagnitude : -$0 }
    let ranked = RankedScores(labels: labels, scores: scores)
    recencyROCAUC = ROCCurve(ranked).auc
    let pr = PrecisionRecallCurve(ranked)
    recencyPRAUC = pr.averagePrecision
    recencyBestF1 = pr.bestF1?.f1
  }

  enum CodingKeys: String, CodingKey {
    case majorityAccuracy = "majority_accuracy"
    case baseRate = "base_rate"
    case recencyROCAUC = "recency_roc_auc"
    case recencyPRAUC = "recency_pr_auc"
    case recencyBestF1 = "recency_best_f1"
  }
}
