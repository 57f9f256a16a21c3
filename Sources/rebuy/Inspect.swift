import ArgumentParser
import CustomerBase
import Features
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

  @Option(help: "Tree: print only the rules down to this depth (default: the whole tree).")
  var depth: Int?

  @Option(help: "Tree: print this customer's decision path (with --transactions and --as-of).")
  var customer: String?

  @Option(help: "With --customer: the transactions to build the customer's features from.")
  var transactions: String?

  @Option(name: .customLong("as-of"), help: "With --customer: the date the features are for (yyyy-mm-dd).")
  var asOf: String?

  @OptionGroup var columns: ColumnOptions

  func validate() throws {
    if customer != nil {
      guard transactions != nil, let asOf else { throw ValidationError("--customer needs --transactions FILE and --as-of DATE.") }
      _ = try parseDay(asOf, option: "--as-of")
    }
    if let depth, depth < 0 { throw ValidationError("--depth must be >= 0, got \(depth).") }
  }

  func run() throws {
    try exitingOnDomainError {
      let file = try loadModel(modelFile)
      if json {
        FileHandle.standardOutput.write(try file.encoded())
        return
      }
      if let customer {
        guard let tree = file.decisionTree else {
          throw ValidationError("--customer shows a tree's decision path; \(modelFile) is a \(file.kind) (rebuy score gives every model's reasons).")
        }
        let log = try columns.readLog(transactions!).log
        let table = try buildFeatures(log, snapshots: [Snapshot(cutoff: try parseDay(asOf!, option: "--as-of"))], quiet: columns.quiet)
        guard let row = table.customers.firstIndex(where: { log.customerIDs[Int($0)] == customer }) else {
          throw CustomerNotFound(customer: customer, file: transactions!, asOf: asOf!)
        }
        let input = try file.modelInput(table.matrix.rows([row]))
        Terminal.say("\(customer) as of \(asOf!): " + Self.path(tree, input.values).joined(separator: "\n  "))
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
      } else if let model = file.decisionTree {
        lines += [""] + Self.describe(model, target: file.target.name, depth: depth)
        if let btyd = file.btydFeatures {
          lines += ["", "btyd_* features computed with:"] + Self.describe(btyd)
        }
      } else if let model = file.randomForest, case let .forest(settings) = file.parameters {
        let depths = model.treeModels.map(\.depth), leaves = model.treeModels.map(\.leafCount)
        lines += [
          "",
          "forest: \(model.trees.count) trees (\(settings.bootstrap ? "bootstrap" : "every row"), \(settings.maxFeatures) of "
            + "\(model.featureNames.count) features tried a split, seed \(settings.seed)), depth \(depths.min()!)–\(depths.max()!), "
            + "\(leaves.reduce(0, +) / leaves.count) leaves a tree on average (\(model.criterion.rawValue))",
        ]
        if let oob = model.outOfBag {
          lines.append("out-of-bag accuracy \(String(format: "%.3f", oob.accuracy)) on \(Terminal.count(oob.rows)) training rows")
        }
        lines += Self.importances(model.featureNames, model.featureImportances)
        if let btyd = file.btydFeatures {
          lines += ["", "btyd_* features computed with:"] + Self.describe(btyd)
        }
      } else if let model = file.boostedTrees, case let .boosted(settings) = file.parameters {
        let leaves = model.trees.map { $0.left.filter { $0 < 0 }.count }
        lines += [
          "",
          "boosted trees: \(model.trees.count) trees, learning rate \(settings.learningRate), at most \(settings.maxLeaves) leaves "
            + "(\(leaves.min() ?? 0)–\(leaves.max() ?? 0) grown), L2 \(settings.l2), rows \(settings.rowFraction), features \(settings.featureFraction)",
          "initial log-odds \(String(format: "%+.4f", model.initialScore))"
            + (model.validationLogLoss.map { String(format: "; early stopping kept the best round (held-out log loss %.4f)", $0) } ?? ""),
        ]
        lines += Self.importances(model.featureNames, model.featureImportances).map {
          $0.replacingOccurrences(of: "share of the impurity decrease", with: "share of the split gain")
        }
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

  /// A tree's size, its rules as an indented outline (each condition with the training rows
  /// that meet it and their P(target)), and its feature importances.
  static func describe(_ model: DecisionTreeModel, target: String, depth limit: Int?) -> [String] {
    let nodes = model.nodes
    var lines = ["tree: \(nodes.count) nodes, \(model.leafCount) leaves, depth \(model.depth) (\(model.criterion.rawValue))", ""]
    func facts(_ k: Int) -> String { "[\(Terminal.count(nodes.samples[k])) rows, P \(String(format: "%.3f", nodes.value[k]))]" }
    func visit(_ k: Int, _ level: Int) {
      let indent = String(repeating: "  ", count: level)
      guard nodes.left[k] >= 0 else {
        lines.append(indent + "→ \(target) P \(String(format: "%.3f", nodes.value[k])) [\(Terminal.count(nodes.samples[k])) rows]")
        return
      }
      if let limit, level >= limit {
        lines.append(indent + "…")
        return
      }
      let name = model.featureNames[Int(nodes.feature[k])], t = ReportText.exact(nodes.threshold[k])
      let (l, r) = (Int(nodes.left[k]), Int(nodes.right[k]))
      lines.append(indent + "\(name) <= \(t) \(facts(l))")
      visit(l, level + 1)
      lines.append(indent + "\(name) > \(t) \(facts(r))")
      visit(r, level + 1)
    }
    visit(0, 0)
    return lines + importances(model.featureNames, model.featureImportances)
  }

  /// Feature importances, largest first (those above 0).
  static func importances(_ names: [String], _ importances: [Double]) -> [String] {
    var lines = ["", "feature importances (share of the impurity decrease):"]
    for j in importances.indices.sorted(by: { importances[$0] > importances[$1] }) where importances[j] > 0 {
      lines.append("  " + names[j].padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%.3f", importances[j]))
    }
    return lines
  }

  /// A row's decision path: each condition it meets, with its value and the P(target) of the
  /// node it reaches.
  static func path(_ model: DecisionTreeModel, _ row: [Double]) -> [String] {
    let nodes = model.nodes
    let path = model.decisionPath(row)
    var lines = ["P \(String(format: "%.3f", nodes.value[path.last!])) (all training rows: P \(String(format: "%.3f", nodes.value[0])))"]
    for step in 1..<path.count {
      let (parent, child) = (path[step - 1], path[step])
      let j = Int(nodes.feature[parent])
      let value = row[j].isNaN ? model.impute[j] : row[j]
      lines.append(
        "\(model.featureNames[j]) = \(ReportText.exact(value))\(row[j].isNaN ? " (missing, imputed)" : "") "
          + "\(child == Int(nodes.left[parent]) ? "<=" : ">") \(ReportText.exact(nodes.threshold[parent])): "
          + "P \(String(format: "%.3f", nodes.value[child])) [\(Terminal.count(nodes.samples[child])) rows]")
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

/// `rebuy inspect --customer` for a customer without a purchase by the date.
struct CustomerNotFound: ExitStatusError {
  let customer: String
  let file: String
  let asOf: String
  var exitStatus: Int32 { 65 }
  var description: String {
    "\(file): customer '\(customer)' has no purchase on or before \(asOf) (check the id and --customer-col)"
  }
}
