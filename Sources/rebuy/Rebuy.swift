import ArgumentParser
import Foundation
import LinearAlgebra

/// The `rebuy` command: predictive modelling for repeat purchase.
struct RebuyCommand: ParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "rebuy",
    abstract: "Predict who will buy again, from a log of purchases.",
    discussion: """
      Exit statuses: 0 ok, 64 usage, 65 bad data, 66 missing input, 74 I/O error.
      Messages for people go to standard error; data goes to files or standard output.
      """,
    version: version,
    subcommands: [DemoCommand.self, GenerateCommand.self, FeaturesCommand.self, TrainCommand.self, EvaluateCommand.self, ScoreCommand.self, InspectCommand.self, ExportCommand.self, CLVCommand.self, SegmentCommand.self, CohortsCommand.self, ClusterCommand.self, RulesCommand.self, BenchScoreCommand.self, BenchBTYDCommand.self])
}

@main
enum Rebuy {
  static func main() {
    // One BLAS thread: faster on tall, skinny matrices here, and bit-for-bit reproducible.
    let threads = ProcessInfo.processInfo.environment["REBUY_BLAS_THREADS"].flatMap(Int.init) ?? 1
    BLAS.setThreadCount(threads)
    RebuyCommand.main()
  }
}
