import ArgumentParser
import CustomerBase
import Evaluation
import Features
import Foundation
import Ingest
import Learners
import ModelIO
import RebuyCore

struct ScoreCommand: ParsableCommand {
  /// The indices of the three largest magnitudes, largest first (the lower index on ties).
  static func largestThree(_ values: [Double]) -> [Int] {
    var best: [Int] = []
    for j in values.indices {
      let v = abs(values[j])
      var position = best.count
      while position > 0 && abs(values[best[position - 1]]) < v { position -= 1 }
      if position < 3 {
        best.insert(j, at: position)
        if best.count > 3 { best.removeLast() }
      }
    }
    return best
  }

  static let configuration = CommandConfiguration(
    commandName: "score",
    abstract: "Score customers with a model: who will buy again (or churn), from raw transactions as of a date.",
    discussion: """
      Builds exactly the model's features from the transactions dated on or before --as-of (or
      reads them from --features) and writes one row per customer: customer_id, probability,
      predicted (probability >= the model's threshold), decile (1 = the highest 10%), and the
      three features that move the customer's score most (coefficient × standardised value,
      relative to the training average), as feature=value (two decimals) (contribution). - reads standard input and writes standard output, so
      score works as a filter.
      """)

  @Argument(help: "The model file.")
  var modelFile: String

  @Argument(help: "Transactions CSV (not with --features); - reads standard input.")
  var transactions: String?

  @OptionGroup var columns: ColumnOptions

  @Option(name: .customLong("as-of"), help: "Score as of this date (yyyy-mm-dd): features use transactions on or before it.")
  var asOf: String?

  @Option(help: "A prebuilt feature table (from rebuy features) instead of transactions.")
  var features: String?

  @Option(help: "Decision threshold in [0, 1] (default: the model's).")
  var threshold: Double?

  @Option(name: .shortAndLong, help: "Output CSV; - (the default) is standard output.")
  var output = "-"

  func validate() throws {
    if features != nil {
      guard transactions == nil else { throw ValidationError("Give a transactions file or --features, not both.") }
    } else {
      guard transactions != nil else { throw ValidationError("Give a transactions file (or --features FILE).") }
      guard let asOf else { throw ValidationError("Give --as-of DATE: the day the scores are for.") }
      _ = try parseDay(asOf, option: "--as-of")
    }
    if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be in [0, 1], got \(threshold).") }
  }

  func run() throws {
    try exitingOnDomainError {
      let clock = ContinuousClock.now
      let file = try loadModel(modelFile)
      let ids: [String]
      let table: FeatureMatrix
      if let features {
        let read = try FeatureCSV.read(
          CSVReader(source: try FileSource(path: features), fileName: features == "-" ? "<stdin>" : features),
          labelColumn: file.target.name, labelRequired: false)
        (ids, table) = (read.ids, read.matrix)
      } else {
        let log = try columns.readLog(transactions!).log
        let built = try buildFeatures(log, snapshots: [Snapshot(cutoff: try parseDay(asOf!, option: "--as-of"))], quiet: columns.quiet)
        (ids, table) = (built.customers.map { log.customerIDs[Int($0)] }, built.matrix)
      }
      let reasons: Reasons
      let probabilities: [Double]
      if let model = file.logisticRegression {
        let matrix = try file.modelInput(table)
        probabilities = try model.predictProbability(matrix)
        reasons = .contributions(model, matrix)
      } else if let model = file.decisionTree {
        let matrix = try file.modelInput(table)
        probabilities = try model.predictProbability(matrix)
        reasons = .path(model, matrix)
      } else if let model = file.randomForest {
        let matrix = try file.modelInput(table)
        probabilities = try model.predictProbability(matrix)
        reasons = .forest(model.treeModels, matrix, average: true)
      } else if let model = file.boostedTrees {
        let matrix = try file.modelInput(table)
        probabilities = try model.predictProbability(matrix)
        let trees = model.trees.map {
          DecisionTreeModel(featureNames: model.featureNames, impute: model.impute, missing: model.missing, nodes: $0, criterion: .gini)
        }
        reasons = .forest(trees, matrix, average: false)
      } else {
        let model = file.customerBase!
        probabilities = try file.predictProbability(table)
        let histories = try CustomerBaseModel.histories(table, timeUnit: model.timeUnit)
        let spend = table.column(named: CustomerBaseModel.spendFeature)
        reasons = .customerBase(model, histories, spend, horizonDays: file.target.horizonDays)
      }
      let cut = threshold ?? file.threshold
      // Deciles as in the lift table: ranked by probability, highest first, ties in row order.
      let decile = LiftTable.deciles(of: probabilities)
      let bar = ProgressBar(label: "Scoring", total: table.rowCount, unit: .items("customers"), quiet: columns.quiet)
      defer { bar.finish() }
      let write = reasons.writer()
      try writeCSV(output) { csv in
        csv.text("customer_id,probability,predicted,decile,reason_1,reason_2,reason_3\n")
        for row in 0..<table.rowCount {
          if row & 16383 == 0 { bar.update(to: row) }
          csv.field(ids[row])
          csv.byte(UInt8(ascii: ","))
          csv.decimal(probabilities[row])
          csv.text(probabilities[row] >= cut ? ",1," : ",0,")
          csv.integer(decile[row])
          write(row, &csv)
          csv.byte(UInt8(ascii: "\n"))
          try csv.flushIfFull()
        }
      }
      let positives = probabilities.filter { $0 >= cut }.count
      Terminal.say(
        "Scored \(Terminal.count(table.rowCount)) customers: \(Terminal.count(positives)) predicted to \(file.target.name == "churn" ? "churn" : "buy again") "
          + "at threshold \(ReportText.number(cut)) (\(Terminal.seconds(since: clock)))" + (output == "-" ? "." : "; wrote \(output)."))
    }
  }
}

/// What the three reason columns of `rebuy score` say about a customer.
enum Reasons {
  /// A logistic regression's three largest contributions (coefficient × standardised value) on
  /// the model's input matrix.
  case contributions(LogisticRegressionModel, FeatureMatrix)
  /// A tree: the three conditions on the customer's path that move P(target) most (the change
  /// from a node to the child the customer goes to), as `feature<=t (+0.12)`.
  case path(DecisionTreeModel, FeatureMatrix)
  /// A forest: each feature's contribution, the change in P(target) at the splits on it along
  /// the customer's path, averaged over the trees; the three largest, as `feature=value (+0.12)`.
  /// Boosted trees: the same changes in log-odds, summed over the trees.
  case forest([DecisionTreeModel], FeatureMatrix, average: Bool)
  /// BG/NBD: P(alive), the expected purchases in the horizon and (with Gamma-Gamma) the
  /// expected spend per purchase.
  case customerBase(CustomerBaseModel, [RepeatHistory], [Double]?, horizonDays: Int)

  /// A function that appends one row's three reason fields (each after a comma).
  func writer() -> (Int, inout CSVOutput) -> Void {
    switch self {
    case let .contributions(model, matrix):
      let p = model.featureNames.count
      var contributions = [Double](repeating: 0, count: p)
      return { row, csv in
        for j in 0..<p {
          let value = matrix.values[row * p + j]
          let filled = value.isNaN ? model.preprocessing.impute[j] : value
          contributions[j] = model.coefficients[j] * (filled - model.preprocessing.mean[j]) / model.preprocessing.scale[j]
        }
        for j in ScoreCommand.largestThree(contributions) {
          let value = matrix.values[row * p + j]
          csv.byte(UInt8(ascii: ","))
          csv.text(model.featureNames[j])
          csv.byte(UInt8(ascii: "="))
          if value.isNaN { csv.text("missing") } else { csv.fixed(value) }
          csv.text(" (")
          csv.fixed(contributions[j], sign: true)
          csv.byte(UInt8(ascii: ")"))
        }
      }
    case let .path(model, matrix):
      let p = model.featureNames.count
      let nodes = model.nodes
      return { row, csv in
        let path = model.decisionPath(Array(matrix.values[(row * p)..<((row + 1) * p)]))
        let changes = (1..<max(1, path.count)).map { nodes.value[path[$0]] - nodes.value[path[$0 - 1]] }
        var shown = 0
        for step in ScoreCommand.largestThree(changes) {
          let parent = path[step], child = path[step + 1]
          csv.byte(UInt8(ascii: ","))
          csv.text(model.featureNames[Int(nodes.feature[parent])])
          csv.text(child == Int(nodes.left[parent]) ? "<=" : ">")
          csv.decimal(nodes.threshold[parent])
          csv.text(" (")
          csv.fixed(changes[step], sign: true)
          csv.byte(UInt8(ascii: ")"))
          shown += 1
        }
        for _ in shown..<3 { csv.byte(UInt8(ascii: ",")) }
      }
    case let .forest(trees, matrix, average):
      let p = matrix.columnCount
      var contributions = [Double](repeating: 0, count: p)
      return { row, csv in
        let values = Array(matrix.values[(row * p)..<((row + 1) * p)])
        for j in 0..<p { contributions[j] = 0 }
        for tree in trees {
          let path = tree.decisionPath(values)
          for step in 1..<max(1, path.count) {
            let parent = path[step - 1]
            contributions[Int(tree.nodes.feature[parent])] += tree.nodes.value[path[step]] - tree.nodes.value[parent]
          }
        }
        if average {
          let count = Double(trees.count)
          for j in 0..<p { contributions[j] /= count }
        }
        var shown = 0
        for j in ScoreCommand.largestThree(contributions) where contributions[j] != 0 {
          csv.byte(UInt8(ascii: ","))
          csv.text(matrix.featureNames[j])
          csv.byte(UInt8(ascii: "="))
          if values[j].isNaN { csv.text("missing") } else { csv.fixed(values[j]) }
          csv.text(" (")
          csv.fixed(contributions[j], sign: true)
          csv.byte(UInt8(ascii: ")"))
          shown += 1
        }
        for _ in shown..<3 { csv.byte(UInt8(ascii: ",")) }
      }
    case let .customerBase(model, histories, spend, horizonDays):
      let t = Double(horizonDays) / model.timeUnit.days
      return { row, csv in
        let history = histories[row]
        csv.text(",p_alive=")
        csv.fixed(model.purchases.probabilityAlive(history))
        csv.text(",expected_purchases=")
        csv.fixed(model.purchases.expectedPurchases(in: t, history))
        csv.byte(UInt8(ascii: ","))
        if let gammaGamma = model.spend {
          let mean = spend.map { $0[row].isNaN ? 0 : $0[row] } ?? 0
          csv.text("expected_spend=")
          csv.fixed(gammaGamma.expectedSpend(RepeatSpend(x: history.x, m: mean)))
        }
      }
    }
  }
}
