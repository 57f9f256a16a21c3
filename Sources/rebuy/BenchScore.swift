import ArgumentParser
import Learners
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

  func run() throws {
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
      var best = Double.infinity
      var checksum = 0.0
      for _ in 0..<repeats {
        let clock = ContinuousClock.now
        let p = try model.predictProbability(x)
        let d = ContinuousClock.now - clock
        best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        checksum += p[rows / 2]
      }
      print("\(best) \(Double(rows) / best) \(checksum)")
    }
  }
}
