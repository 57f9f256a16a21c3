import ArgumentParser
import CustomerBase
import Features
import Foundation
import Ingest
import Learners
import ModelIO
import RebuyCore

/// A hidden command for `Benchmarks/run`: times scoring an in-memory matrix.
struct BenchScoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-score", abstract: "Time scoring an in-memory matrix (for Benchmarks/run).", shouldDisplay: false)

  @Option(help: "Rows to score.")
  var rows = 10_000_000

  @Option(help: "Features per row.")
  var features = 23

  @Option(help: "Repetitions; the best is reported.")
  var repeats = 5

  @Option(help: "Score this forest model file instead, on the rows of --table repeated to --rows.")
  var forest: String?

  @Option(help: "A feature table (rebuy features) whose rows --forest scores.")
  var table: String?

  func validate() throws {
    guard (forest == nil) == (table == nil) else { throw ValidationError("--forest and --table go together.") }
  }

  func run() throws {
    if let forest, let table { return try scoreForest(forest, table) }
    try exitingOnDomainError {
      var rng = SplitMix64(seed: 5)
      let names = (0..<features).map { "f\($0)" }
      let x = FeatureMatrix(
        featureNames: names, rowCount: rows, values: (0..<(rows * features)).map { _ in rng.nextUnit() * 100 })
      let model = LogisticRegressionModel(
        featureNames: names,
        preprocessing: Standardizer(
          impute: Array(repeating: 50, count: features), mean: Array(repeating: 50, count: features),
          scale: Array(repeating: 29, count: features), missing: Array(repeating: 0, count: features)),
        intercept: -1, coefficients: (0..<features).map { Double($0 % 5) - 2 },
        diagnostics: FitDiagnostics(iterations: 0, gradientNorm: 0, objective: 0, reason: "synthetic", converged: true))
      try printBestTime { try model.predictProbability(x) }
    }
  }
}

extension BenchScoreCommand {
  /// Runs `score` `repeats` times and prints the best seconds, the rows per second and a
  /// checksum (so that the work cannot be optimised away).
  func printBestTime(_ score: () throws -> [Double]) throws {
    var best = Double.infinity
    var checksum = 0.0
    for _ in 0..<repeats {
      let clock = ContinuousClock.now
      let probabilities = try score()
      let d = ContinuousClock.now - clock
      best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
      checksum += probabilities[rows / 2]
    }
    print("\(best) \(Double(rows) / best) \(checksum)")
  }

  /// Times a forest's `predictProbability` on a table's rows, repeated to `rows`.
  func scoreForest(_ path: String, _ tablePath: String) throws {
    try exitingOnDomainError {
      guard let model = try loadModel(path).randomForest else {
        throw ModelFileError.invalid(file: path, message: "bench-score --forest needs a random_forest model")
      }
      let table = try FeatureCSV.read(CSVReader(source: try FileSource(path: tablePath), fileName: tablePath), labelColumn: "repurchase", labelRequired: false)
      let source = table.matrix.columns(model.featureNames)!
      let p = model.featureNames.count
      var values = [Double](repeating: 0, count: rows * p)
      for i in 0..<rows {
        let from = (i % source.rowCount) * p
        for j in 0..<p { values[i * p + j] = source.values[from + j] }
      }
      let x = FeatureMatrix(featureNames: model.featureNames, rowCount: rows, values: values)
      try printBestTime { try model.predictProbability(x) }
    }
  }
}

/// A hidden command for `Benchmarks/run`: times the BG/NBD and Gamma-Gamma fits on a feature
/// table's histories (in days), after reading it, and prints the times and parameters as JSON.
struct BenchBTYDCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-btyd", abstract: "Time the BG/NBD and Gamma-Gamma fits (for Benchmarks/run).", shouldDisplay: false)

  @Argument(help: "A feature table from rebuy features.")
  var features: String

  func run() throws {
    try exitingOnDomainError {
      let table = try FeatureCSV.read(CSVReader(source: try FileSource(path: features), fileName: features), labelColumn: "repurchase", labelRequired: false)
      let histories = try CustomerBaseModel.histories(table.matrix, timeUnit: .days)
      let mean = table.matrix.column(named: CustomerBaseModel.spendFeature)!
      let spenders = histories.indices.filter { histories[$0].x > 0 && mean[$0] > 0 }.map { RepeatSpend(x: histories[$0].x, m: mean[$0]) }
      func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
      var clock = ContinuousClock.now
      let purchases = try BGNBD().fit(histories)
      let bgnbdSeconds = seconds(ContinuousClock.now - clock)
      clock = ContinuousClock.now
      let spend = try GammaGamma().fit(spenders)
      let spendSeconds = seconds(ContinuousClock.now - clock)
      let result: [String: Double] = [
        "bgnbd_seconds": bgnbdSeconds, "gamma_gamma_seconds": spendSeconds, "customers": Double(histories.count),
        "repeat_customers": Double(spenders.count), "r": purchases.r, "alpha": purchases.alpha, "a": purchases.a, "b": purchases.b,
        "log_likelihood": purchases.logLikelihood, "p": spend.p, "q": spend.q, "v": spend.v,
      ]
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
  }
}
