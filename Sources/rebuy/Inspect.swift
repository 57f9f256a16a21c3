import ArgumentParser
import Foundation
import ModelIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show what a model file holds: target, features with coefficients and odds ratios, validation, training facts.",
    discussion: """
      The odds ratio of a feature is e^coefficient: how the odds of the target multiply when the
      feature rises by one standard deviation (its scale). --json prints the model file itself,
      checked, on standard output.
      """)

  @Argument(help: "The model file.")
  var modelFile: String

  @Flag(help: "Print the checked model as JSON on standard output.")
  var json = false

  func run() throws {
    try exitingOnDomainError {
      let file = try loadModel(modelFile)
      if json {
        FileHandle.standardOutput.write(try file.encoded())
        return
      }
      var lines = [
        "\(modelFile): \(file.kind), format \(file.format) version \(file.version)",
        "target: \(file.target.name) within \(file.target.horizonDays) days after the cutoff; threshold \(ReportText.number(file.threshold))",
        "intercept: \(String(format: "%+.4f", file.parameters.intercept))",
        "",
        "feature".padding(toLength: 22, withPad: " ", startingAt: 0) + "coefficient".leftPadded(12) + "odds ratio".leftPadded(12)
          + "scale".leftPadded(12) + "impute".leftPadded(12) + "missing".leftPadded(9),
      ]
      let order = file.features.indices.sorted { abs(file.parameters.coefficients[$0]) > abs(file.parameters.coefficients[$1]) }
      for j in order {
        let f = file.features[j]
        let c = file.parameters.coefficients[j]
        lines.append(
          f.name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%+.4f", c).leftPadded(12)
            + String(format: "%.3f", exp(c)).leftPadded(12) + ReportText.compact(f.scale).leftPadded(12)
            + ReportText.compact(f.impute).leftPadded(12) + "\(f.missing)".leftPadded(9))
      }
      lines.append("")
      if let v = file.validation {
        lines.append(
          "validation (\(file.training.validation.replacingOccurrences(of: "_", with: " "))\(v.cutoff.map { ", cutoff \($0)" } ?? "")): "
            + "\(v.rows) rows, \(v.positives) positive; ROC-AUC \(ReportText.number(v.rocAUC)), PR-AUC \(ReportText.number(v.prAUC)), "
            + "precision \(ReportText.number(v.precision)), recall \(ReportText.number(v.recall)), F1 \(ReportText.number(v.f1))")
        lines.append(
          "baselines: recency-only ROC-AUC \(ReportText.number(v.baselines.recencyROCAUC)), base rate \(ReportText.number(v.baselines.baseRate))")
      } else {
        lines.append("validation: none (trained on every row)")
      }
      let t = file.training
      lines.append("training: \(t.rows) rows (\(t.positives) positive), cutoffs \(t.cutoffs.joined(separator: ", ")), skipped rows \(t.skippedRows)")
      lines.append("  C \(t.c), class weight \(t.classWeight), seed \(t.seed); fit \(t.fit.summary)")
      lines.append("  data SHA-256 \(t.dataSHA256); created \(t.created) by Rebuy \(t.rebuyVersion)")
      Terminal.say(lines.joined(separator: "\n"))
    }
  }
}
