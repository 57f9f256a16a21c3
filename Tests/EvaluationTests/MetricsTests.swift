import Evaluation
import Foundation
import Testing
import TestSupport

/// Every number against scikit-learn on the same scores (fixture:
/// `Notebooks/oracles/sklearn_reference.py`), to 1e-12.
@Suite struct MetricsTests {
  static func cases() throws -> [[String: Any]] { try Fixture.json("metrics_reference")["cases"] as! [[String: Any]] }

  @Test(arguments: 0..<2)
  func everyNumberMatchesScikitLearn(caseIndex: Int) throws {
    let c = try Self.cases()[caseIndex]
    let labels = (c["labels"] as! [Int]).map(UInt8.init)
    let scores = c["scores"] as! [Double]
    let threshold = c["threshold"] as! Double
    let report = ClassificationReport(labels: labels, probabilities: scores, threshold: threshold, targetRecall: 0.8)
    let confusion = c["confusion"] as! [String: Int]
    #expect(report.confusion == ConfusionMatrix(truePositives: confusion["tp"]!, falsePositives: confusion["fp"]!, trueNegatives: confusion["tn"]!, falseNegatives: confusion["fn"]!))
    let tolerance = 1e-12
    expectClose(report.precision!, c["precision"] as! Double, relativeTolerance: tolerance)
    expectClose(report.recall!, c["recall"] as! Double, relativeTolerance: tolerance)
    expectClose(report.f1!, c["f1"] as! Double, relativeTolerance: tolerance)
    expectClose(report.accuracy!, c["accuracy"] as! Double, relativeTolerance: tolerance)
    expectClose(report.rocAUC!, c["roc_auc"] as! Double, relativeTolerance: tolerance)
    expectClose(report.prAUC!, c["average_precision"] as! Double, relativeTolerance: tolerance)
    expectClose(report.logLoss!, c["log_loss"] as! Double, relativeTolerance: tolerance)
    expectClose(report.brierScore!, c["brier"] as! Double, relativeTolerance: tolerance)
    #expect(report.bestF1Threshold == c["best_f1_threshold"] as? Double)
    expectClose(report.bestF1!, c["best_f1"] as! Double, relativeTolerance: tolerance)
    #expect(report.thresholdForTargetRecall == c["threshold_for_recall_80"] as? Double)
    #expect(report.topK == c["top_k"] as! Int)
    expectClose(report.precisionAtTopK!, c["precision_at_top_k"] as! Double, relativeTolerance: tolerance)

    let roc = ROCCurve(labels: labels, scores: scores)
    expectClose(roc.falsePositiveRates, c["roc_fpr"] as! [Double], relativeTolerance: tolerance)
    expectClose(roc.truePositiveRates, c["roc_tpr"] as! [Double], relativeTolerance: tolerance)
    let pr = PrecisionRecallCurve(labels: labels, scores: scores)
    expectClose(pr.precisions, c["pr_precision"] as! [Double], relativeTolerance: tolerance)
    expectClose(pr.recalls, c["pr_recall"] as! [Double], relativeTolerance: tolerance)
    #expect(pr.thresholds == c["pr_thresholds"] as! [Double])

    let filled = report.calibration.bins.filter { $0.rows > 0 }
    expectClose(filled.map { $0.fractionPositive! }, c["calibration_fraction_positive"] as! [Double], relativeTolerance: tolerance)
    expectClose(filled.map { $0.meanPredicted! }, c["calibration_mean_predicted"] as! [Double], relativeTolerance: tolerance)

    let lift = c["lift"] as! [[String: Any]]
    for (ours, theirs) in zip(report.lift.deciles, lift) {
      #expect(ours.rows == theirs["rows"] as! Int && ours.positives == theirs["positives"] as! Int)
      expectClose(ours.lift ?? .nan, (theirs["lift"] as? Double) ?? .nan, relativeTolerance: tolerance)
      expectClose(ours.cumulativeGain!, theirs["cumulative_gain"] as! Double, relativeTolerance: tolerance)
    }
  }

  /// The slow, obviously correct twin: AUC by counting positive-negative pairs, ties ½.
  static func pairAUC(_ labels: [UInt8], _ scores: [Double]) -> Double {
    var wins = 0.0, pairs = 0.0
    for i in labels.indices where labels[i] == 1 {
      for j in labels.indices where labels[j] == 0 {
        pairs += 1
        wins += scores[i] > scores[j] ? 1 : (scores[i] == scores[j] ? 0.5 : 0)
      }
    }
    return wins / pairs
  }

  @Test func aucEqualsThePairCountAndIgnoresOrderAndMonotoneTransforms() {
    for seed in 1...20 as ClosedRange<UInt64> {
      var rng = SplitMix64(seed: seed)
      let n = 5 + Int(rng.next() % 200)
      var labels = (0..<n).map { _ in UInt8(rng.next() % 2) }
      labels[0] = 0
      labels[1] = 1
      let scores = (0..<n).map { _ in Double(rng.next() % 20) / 20 }
      let auc = ROCCurve(labels: labels, scores: scores).auc!
      expectClose(auc, Self.pairAUC(labels, scores), relativeTolerance: 1e-12, "seed \(seed)")
      let order = Array(0..<n).shuffled(using: &rng)
      expectClose(ROCCurve(labels: order.map { labels[$0] }, scores: order.map { scores[$0] }).auc!, auc, relativeTolerance: 1e-12, "seed \(seed)")
      expectClose(ROCCurve(labels: labels, scores: scores.map { exp(3 * $0) - 7 }).auc!, auc, relativeTolerance: 1e-12, "seed \(seed)")
    }
  }

  @Test func edgeCasesAreUndefinedNotZero() {
    #expect(ROCCurve(labels: [1, 0, 1, 0], scores: [0.3, 0.3, 0.3, 0.3]).auc == 0.5)
    #expect(ROCCurve(labels: [1, 1], scores: [0.2, 0.9]).auc == nil)
    #expect(PrecisionRecallCurve(labels: [0, 0], scores: [0.2, 0.9]).averagePrecision == nil)
    let none = ConfusionMatrix(labels: [0, 1, 1], scores: [0.1, 0.2, 0.3], threshold: 0.9)
    #expect(none.precision == nil && none.recall == 0 && none.f1 == nil)
    let noPositives = ConfusionMatrix(labels: [0, 0], scores: [0.1, 0.9], threshold: 0.5)
    #expect(noPositives.recall == nil && noPositives.precision == 0)
    #expect(ScoreMetrics.logLoss(labels: [], probabilities: []) == nil)
    #expect(ScoreMetrics.precisionAtK(labels: [1], scores: [0.5], k: 2) == nil)
    let tiny = LiftTable(labels: [1, 0, 1], scores: [0.9, 0.1, 0.5])
    #expect(tiny.deciles.filter { $0.rows == 0 }.allSatisfy { $0.rate == nil && $0.lift == nil })
    #expect(tiny.deciles.last?.cumulativeGain == 1)
  }

  @Test func baselines() {
    let labels: [UInt8] = [1, 0, 0, 1, 0]
    let b = Baselines(labels: labels, recencyDays: [1, 50, 100, 3, .nan])
    #expect(b.baseRate == 0.4 && b.majorityAccuracy == 0.6)
    #expect(b.recencyROCAUC == 1)
  }
}

@Suite struct DecileTests {
  /// Row deciles agree with the lift table's counts, for every size from 1 to 40 rows.
  @Test func decilesAgreeWithTheLiftTable() {
    var rng = SplitMix64(seed: 6)
    for n in 1...40 {
      let scores = (0..<n).map { _ in Double(rng.next() % 5) }
      let labels = (0..<n).map { _ in UInt8(rng.next() % 2) }
      let deciles = LiftTable.deciles(of: scores)
      let table = LiftTable(labels: labels, scores: scores)
      for d in table.deciles {
        let rows = deciles.indices.filter { deciles[$0] == d.decile }
        #expect(rows.count == d.rows, "n \(n) decile \(d.decile)")
        #expect(rows.reduce(0) { $0 + Int(labels[$1]) } == d.positives, "n \(n) decile \(d.decile)")
      }
    }
  }
}

/// Expected against actual counts: MAE and RMSE against scikit-learn, the groups by past
/// frequency against pandas (fixture: `Notebooks/oracles/sklearn_reference.py`), to 1e-12.
@Suite struct CountReportTests {
  @Test func matchesScikitLearnAndPandas() throws {
    let c = try Fixture.json("metrics_reference")["counts"] as! [String: Any]
    let expected = c["expected"] as! [Double], actual = c["actual"] as! [Double]
    let report = CountReport(expected: expected, actual: actual, frequency: c["frequency"] as! [Double])
    expectClose(report.meanAbsoluteError, c["mean_absolute_error"] as! Double, relativeTolerance: 1e-12)
    expectClose(report.rootMeanSquaredError, c["root_mean_squared_error"] as! Double, relativeTolerance: 1e-12)
    expectClose(report.totalExpected, expected.reduce(0, +), relativeTolerance: 1e-12)
    #expect(report.totalActual == actual.reduce(0, +))
    let groups = c["groups"] as! [[String: Any]]
    #expect(report.byFrequency.map(\.frequency) == groups.map { $0["frequency"] as! Int })
    #expect(report.byFrequency.map(\.customers) == groups.map { $0["customers"] as! Int })
    expectClose(report.byFrequency.map(\.meanExpected), groups.map { $0["mean_expected"] as! Double }, relativeTolerance: 1e-12)
    expectClose(report.byFrequency.map(\.meanActual), groups.map { $0["mean_actual"] as! Double }, relativeTolerance: 1e-12)
    #expect(report.byFrequency.last!.orMore && report.byFrequency.dropLast().allSatisfy { !$0.orMore })
  }
}
