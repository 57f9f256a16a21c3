import ArgumentParser
import Evaluation
import Features
import Foundation
import Ingest
import Learners
import ModelIO
import RebuyCore

struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Rebuild features and labels for a new cutoff with a model's definitions and report how good it is.",
    discussion: """
      The label window is the model's horizon, after --cutoff; it must end within the data.
      The report goes to standard error, or with --json to standard output as JSON.
      """)

  @Argument(help: "The model file.")
  var modelFile: String

  @OptionGroup var input: InputOptions

  @Option(help: "Cutoff date (yyyy-mm-dd).")
  var cutoff: String

  @Option(help: "Decision threshold in [0, 1] (default: the model's).")
  var threshold: Double?

  @Flag(help: "Print the report as JSON on standard output.")
  var json = false

  @Option(help: "Also write a self-contained HTML report with charts to this file.")
  var report: String?

  func validate() throws {
    _ = try parseDay(cutoff, option: "--cutoff")
    if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be in [0, 1], got \(threshold).") }
  }

  func run() throws {
    try exitingOnDomainError {
      let file = try loadModel(modelFile)
      let target = Target(rawValue: file.target.name)!
      let data = try LabelledRows.fromTransactions(
        input.transactions, columns: input.columns,
        snapshots: [Snapshot(cutoff: try parseDay(cutoff, option: "--cutoff"), horizon: file.target.horizonDays)], target: target)
      let probabilities = try file.predictProbability(data.matrix)
      let counts = try file.customerBase.flatMap { try data.countReport($0, horizonDays: file.target.horizonDays) }
      let report = ClassificationReport(labels: data.labels.values, probabilities: probabilities, threshold: threshold ?? file.threshold)
      let baselines = Baselines(labels: data.labels.values, recencyDays: data.recencyDays)
      if let path = self.report {
        let facts: [(String, String)] = [
          ("model", modelFile), ("kind", file.kind), ("target", "\(file.target.name) within \(file.target.horizonDays) days"),
          ("cutoff", cutoff), ("features", "\(file.features.count)"), ("trained on", "\(file.training.rows) rows, cutoffs \(file.training.cutoffs.joined(separator: ", "))"),
          ("training data SHA-256", file.training.dataSHA256), ("created", "\(file.training.created) by Rebuy \(file.training.rebuyVersion)"),
        ]
        let page = ReportPage.html(
          title: "Rebuy evaluation: \(file.target.name) within \(file.target.horizonDays) days after \(cutoff)",
          labels: data.labels.values, probabilities: probabilities, recencyDays: data.recencyDays, report: report,
          baselines: baselines, facts: facts)
        let out = try AtomicOutput(path: path)
        try out.write(Array(page.utf8))
        try out.commit()
        Terminal.say("Wrote \(path).")
      }
      if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let document = EvaluationDocument(
          model: modelFile, target: file.target.name, horizonDays: file.target.horizonDays, cutoff: cutoff, report: report,
          baselines: baselines, counts: counts)
        FileHandle.standardOutput.write(try encoder.encode(document) + Data("\n".utf8))
      } else {
        Terminal.say("\n" + ReportText.render(report, baselines: baselines, title: "\(file.target.name) within \(file.target.horizonDays) days after \(cutoff)"))
        if let counts { Terminal.say("\n" + ReportText.render(counts, horizonDays: file.target.horizonDays)) }
      }
    }
  }
}

/// `rebuy evaluate --json`.
struct EvaluationDocument: Encodable {
  let model: String
  let target: String
  let horizonDays: Int
  let cutoff: String
  let report: ClassificationReport
  let baselines: Baselines
  /// For a count model: expected against actual purchases.
  let counts: CountReport?

  enum CodingKeys: String, CodingKey {
    case model, target, cutoff, report, baselines, counts
    case horizonDays = "horizon_days"
  }
}

/// Reads and checks a model file.
func loadModel(_ path: String) throws -> ModelFile {
  guard let data = FileManager.default.contents(atPath: path) else {
    throw FileError.cannotOpenInput(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "No such file or directory")
  }
  return try ModelFile.decode(data, file: path)
}
