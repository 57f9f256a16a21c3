import Evaluation
import Foundation

/// Models side by side on the same validation rows, best ROC-AUC first, with the baselines.
struct Leaderboard {
  struct Entry {
    let name: String
    /// `nil` when the model could not be fitted.
    let report: ClassificationReport?
  }

  let entries: [Entry]
  let baselines: Baselines?

  init(_ models: [(String, ClassificationReport?)], baselines: Baselines?) {
    entries = models.map { Entry(name: $0.0, report: $0.1) }.sorted {
      ($0.report?.rocAUC ?? -1, $1.name) > ($1.report?.rocAUC ?? -1, $0.name)
    }
    self.baselines = baselines
  }

  /// The table for people.
  func text(rows: Int?) -> String {
    func row(_ cells: [String]) -> String {
      cells[0].padding(toLength: 16, withPad: " ", startingAt: 0) + cells.dropFirst().map { $0.leftPadded(10) }.joined()
    }
    let n = ReportText.number
    var lines = [
      "Leaderboard on the validation rows" + (rows.map { " (\(Terminal.count($0)))" } ?? "") + ":",
      row(["model", "ROC-AUC", "PR-AUC", "best F1", "F1", "threshold", "log loss", "Brier"]),
    ]
    for entry in entries {
      guard let r = entry.report else {
        lines.append(row([entry.name, "not fitted"]))
        continue
      }
      lines.append(row([entry.name, n(r.rocAUC, "–"), n(r.prAUC, "–"), n(r.bestF1, "–"), n(r.f1, "–"), n(r.threshold, "–"), n(r.logLoss, "–"), n(r.brierScore, "–")]))
    }
    if let b = baselines {
      lines.append(row(["recency only", n(b.recencyROCAUC, "–"), n(b.recencyPRAUC, "–"), n(b.recencyBestF1, "–"), "–", "–", "–", "–"]))
      lines.append(row(["majority class", "–", "–", "–", "–", "–", "–", "–"]) + "   (accuracy \(n(b.majorityAccuracy, "–")))")
    }
    return lines.joined(separator: "\n")
  }

  /// The table for machines: one row per model and baseline, empty where undefined.
  var csv: String {
    func cell(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
    var lines = ["model,roc_auc,pr_auc,best_f1,f1,threshold,log_loss,brier_score"]
    for entry in entries {
      let r = entry.report
      lines.append(
        [entry.name, cell(r?.rocAUC), cell(r?.prAUC), cell(r?.bestF1), cell(r?.f1), cell(r?.threshold), cell(r?.logLoss), cell(r?.brierScore)]
          .joined(separator: ","))
    }
    if let b = baselines {
      lines.append(["recency_only", cell(b.recencyROCAUC), cell(b.recencyPRAUC), cell(b.recencyBestF1), "", "", "", ""].joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
