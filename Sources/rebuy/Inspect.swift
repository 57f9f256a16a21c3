import ArgumentParser
import CustomerBase
import Foundation
import Learners
import ModelIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show what a model file holds: target, parameters (coefficients and odds ratios, or BG/NBD's), validation, training facts.",
    discussion: """
      The odds ratio of a feature is e^coefficient: how the odds of the target multiply when the
      feature rises by one standard deviation (its scale). A BG/NBD model shows its parameters
      with standard errors and what they mean. --json prints the model file itself, checked, on
      standard output.
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
      ]
      if let model = file.logisticRegression {
        lines += Self.describe(model, features: file.features)
        if let btyd = file.btydFeatures {
          lines += ["", "btyd_* features computed with:"] + Self.describe(btyd)
        }
      } else if let model = file.customerBase {
        lines += [""] + Self.describe(model)
      }
      lines.append("")
      if let v = file.validation {
        lines.append(
          "validation (\(file.training.validation.replacingOccurrences(of: "_", with: " "))\(v.cutoff.map { ", cutoff \($0)" } ?? "")): "
            + "\(v.rows) rows, \(v.positives) positive; ROC-AUC \(ReportText.number(v.rocAUC)), PR-AUC \(ReportText.number(v.prAUC)), "
            + "precision \(ReportText.number(v.precision)), recall \(ReportText.number(v.recall)), F1 \(ReportText.number(v.f1))")
        if let counts = v.counts {
          lines.append(
            "  expected purchase days \(String(format: "%.1f", counts.totalExpected)) against \(Int(counts.totalActual)) actual; "
              + "per customer MAE \(ReportText.number(counts.meanAbsoluteError)), RMSE \(ReportText.number(counts.rootMeanSquaredError))")
        }
        lines.append(
          "baselines: recency-only ROC-AUC \(ReportText.number(v.baselines.recencyROCAUC)), base rate \(ReportText.number(v.baselines.baseRate))")
      } else {
        lines.append("validation: none (trained on every row)")
      }
      let t = file.training
      lines.append("training: \(t.rows) rows (\(t.positives) positive), cutoffs \(t.cutoffs.joined(separator: ", ")), skipped rows \(t.skippedRows)")
      let options = [t.c.map { "C \($0)" }, t.classWeight.map { "class weight \($0)" }, "seed \(t.seed)"].compactMap { $0 }
      lines.append("  " + options.joined(separator: ", ") + "; fit \(t.fit.summary)")
      lines.append("  data SHA-256 \(t.dataSHA256); created \(t.created) by Rebuy \(t.rebuyVersion)")
      Terminal.say(lines.joined(separator: "\n"))
    }
  }

  /// A logistic regression's intercept and coefficients, largest first.
  static func describe(_ model: LogisticRegressionModel, features: [ModelFile.FeatureSpec]) -> [String] {
    let width = max(22, (features.map(\.name.count).max() ?? 0) + 2)
    var lines = [
      "intercept: \(String(format: "%+.4f", model.intercept))",
      "",
      "feature".padding(toLength: width, withPad: " ", startingAt: 0) + "coefficient".leftPadded(12) + "odds ratio".leftPadded(12)
        + "scale".leftPadded(12) + "impute".leftPadded(12) + "missing".leftPadded(9),
    ]
    let order = features.indices.sorted { abs(model.coefficients[$0]) > abs(model.coefficients[$1]) }
    for j in order {
      let c = model.coefficients[j]
      let name = features[j].name.padding(toLength: width, withPad: " ", startingAt: 0)
      let numbers = String(format: "%+.4f", c).leftPadded(12) + String(format: "%.3f", exp(c)).leftPadded(12)
      let preprocessing = ReportText.compact(model.preprocessing.scale[j]).leftPadded(12)
        + ReportText.compact(model.preprocessing.impute[j]).leftPadded(12) + "\(model.preprocessing.missing[j])".leftPadded(9)
      lines.append(name + numbers + preprocessing)
    }
    return lines
  }

  /// BG/NBD's and Gamma-Gamma's parameters with standard errors, and what they mean.
  static func describe(_ model: CustomerBaseModel) -> [String] {
    let b = model.purchases
    let unit = model.timeUnit == .days ? "day" : "week"
    var lines = [
      "BG/NBD on \(Terminal.count(model.customers)) customers (time in \(model.timeUnit.rawValue)"
        + (model.penalty > 0 ? ", L2 penalty \(model.penalty)" : "") + "):",
      "  " + estimates(["r", "alpha", "a", "b"], [b.r, b.alpha, b.a, b.b], b.standardErrors),
      "  log-likelihood \(String(format: "%.2f", b.logLikelihood)); fit \(b.diagnostics.summary)",
      "  purchase rate while active: mean \(ReportText.compact(b.r / b.alpha)) a \(unit) (Gamma(r, alpha)); "
        + "dropout after a purchase: mean \(ReportText.compact(b.a / (b.a + b.b))) (Beta(a, b))",
    ]
    if let g = model.spend {
      lines.append("Gamma-Gamma spend: " + estimates(["p", "q", "v"], [g.p, g.q, g.v], g.standardErrors))
      lines.append(
        "  mean spend per purchase in the population \(ReportText.compact(g.p * g.v / (g.q - 1)))"
          + (model.spendFrequencyCorrelation.map { "; correlation of repeat purchases and mean spend \(String(format: "%.3f", $0)) (assumed about 0)" } ?? ""))
    } else {
      lines.append("Gamma-Gamma spend: not fitted")
    }
    return lines
  }

  /// `name value (se s)` for each parameter.
  static func estimates(_ names: [String], _ values: [Double], _ errors: [Double?]) -> String {
    zip(names, zip(values, errors)).map { name, pair in
      "\(name) \(String(format: "%.4f", pair.0))" + (pair.1.map { String(format: " (se %.4f)", $0) } ?? " (se not identified)")
    }.joined(separator: ", ")
  }
}
