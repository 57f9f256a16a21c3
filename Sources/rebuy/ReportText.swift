import Evaluation
import Foundation

/// The evaluation report as people read it (in the manner of scikit-learn's
/// `classification_report`), with the ranking metrics, thresholds, baselines and lift.
enum ReportText {
  /// A metric to three decimals, or `undefined` (the Evaluation module's one formatter).
  static func number(_ value: Double?, _ undefined: String = "undefined") -> String {
    ReportPage.format(value, undefined: undefined)
  }

  /// A value for people: whole numbers without decimals, others to three significant places.
  static func compact(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
    return String(format: "%.3g", value)
  }

  /// A value exactly: whole numbers without decimals, others as the shortest decimal that
  /// reads back to the same double (tree thresholds must not be rounded).
  static func exact(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
    return "\(value)"
  }

  static func render(_ report: ClassificationReport, baselines: Baselines, title: String) -> String {
    var lines: [String] = []
    let rate = report.rows == 0 ? 0 : 100 * Double(report.positives) / Double(report.rows)
    lines.append("\(title): \(Terminal.count(report.rows)) rows, \(Terminal.count(report.positives)) positive (\(String(format: "%.1f%%", rate)))")
    lines.append("")
    func row(_ name: String, _ cells: [String]) -> String {
      name.leftPadded(12) + cells.map { $0.leftPadded(11) }.joined()
    }
    lines.append(row("", ["precision", "recall", "f1-score", "support"]))
    let negative = report.confusion.forNegativeClass
    let classes = [(0, negative), (1, report.confusion)]
    for (label, matrix) in classes {
      lines.append(row("\(label)", [number(matrix.precision, "undefined"), number(matrix.recall), number(matrix.f1), "\(matrix.actualPositives)"]))
    }
    let n = Double(report.rows)
    func average(_ metric: (ConfusionMatrix) -> Double?, weighted: Bool) -> Double? {
      var total = 0.0
      for (_, matrix) in classes {
        guard let v = metric(matrix) else { return nil }
        total += weighted ? v * Double(matrix.actualPositives) / n : v / 2
      }
      return total
    }
    lines.append(row("accuracy", ["", "", number(report.accuracy), "\(report.rows)"]))
    for (name, weighted) in [("macro avg", false), ("weighted avg", true)] {
      lines.append(row(name, [number(average(\.precision, weighted: weighted)), number(average(\.recall, weighted: weighted)),
                              number(average(\.f1, weighted: weighted)), "\(report.rows)"]))
    }
    if report.confusion.predictedPositives == 0 {
      lines.append("  (precision of class 1 is undefined: no row is predicted positive at this threshold)")
    }
    lines.append("")
    lines.append("threshold \(number(report.threshold))   ROC-AUC \(number(report.rocAUC))   PR-AUC \(number(report.prAUC))   "
      + "log loss \(number(report.logLoss))   Brier \(number(report.brierScore))")
    let c = report.confusion
    lines.append("confusion matrix: TN \(c.trueNegatives)  FP \(c.falsePositives)  FN \(c.falseNegatives)  TP \(c.truePositives)")
    lines.append("precision in the top \(Terminal.count(report.topK)) rows: \(number(report.precisionAtTopK))")
    lines.append("best-F1 threshold \(number(report.bestF1Threshold)) (F1 \(number(report.bestF1)));  "
      + "threshold for \(Int(report.targetRecall * 100))% recall \(number(report.thresholdForTargetRecall))")
    let lift = report.lift.deciles.map { number($0.lift, "–") }.joined(separator: " ")
    lines.append("lift by decile: \(lift)")
    let gain = report.lift.deciles.map { number($0.cumulativeGain, "–") }.joined(separator: " ")
    lines.append("cumulative gain: \(gain)")
    lines.append("")
    lines.append("Baselines on the same rows:")
    lines.append("  majority class   accuracy \(number(baselines.majorityAccuracy))   (base rate \(number(baselines.baseRate)))")
    lines.append("  recency only     ROC-AUC \(number(baselines.recencyROCAUC))   PR-AUC \(number(baselines.recencyPRAUC))   best F1 \(number(baselines.recencyBestF1))")
    if let model = report.rocAUC, let recency = baselines.recencyROCAUC, model <= recency {
      lines.append("  WARNING: the model does not beat the recency baseline (ROC-AUC \(number(model)) <= \(number(recency))).")
    }
    return lines.joined(separator: "\n")
  }
}

extension ReportText {
  /// Expected against actual purchase days in the window, per customer, in total and by past
  /// repeat purchases.
  static func render(_ counts: CountReport, horizonDays: Int) -> String {
    let change = counts.totalActual == 0 ? "" : String(format: " (%+.1f%%)", 100 * (counts.totalExpected / counts.totalActual - 1))
    var lines = [
      "Expected against actual purchase days in the \(horizonDays) days after the cutoff:",
      "  per customer: MAE \(number(counts.meanAbsoluteError)), RMSE \(number(counts.rootMeanSquaredError))",
      "  in total: expected \(String(format: "%.1f", counts.totalExpected)), actual \(Int(counts.totalActual))\(change)",
      "  by repeat purchases before the cutoff:",
      "  " + "frequency".leftPadded(10) + "customers".leftPadded(11) + "expected".leftPadded(10) + "actual".leftPadded(10),
    ]
    for group in counts.byFrequency {
      lines.append(
        "  " + "\(group.frequency)\(group.orMore ? "+" : "")".leftPadded(10) + Terminal.count(group.customers).leftPadded(11)
          + number(group.meanExpected).leftPadded(10) + number(group.meanActual).leftPadded(10))
    }
    return lines.joined(separator: "\n")
  }
}

extension String {
  func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
