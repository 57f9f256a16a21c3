import ArgumentParser
import Features
import Foundation
import Ingest
import Learners
import RebuyCore
import Synthetic

struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run the whole loop on the bundled dataset: features, labels, a model and its report.",
    discussion: """
      Reads Datasets/transactions.csv (from the current directory; if it is not there, the same
      data is generated in memory with the seed it was made with), builds features and
      repurchase labels as of the latest cutoff whose label window fits in the data, and prints
      the customers, the repurchase rate and each feature's distribution. Then it trains a
      logistic regression on the two snapshots 90 and 180 days earlier and evaluates it out of
      time on the latest, next to the baselines.
      """)

  /// How the bundled dataset was made (Datasets/README.md).
  static let bundled = (customers: 5000, seed: UInt64(7), start: "2022-01-01", end: "2024-12-31")

  @Option(help: "Transactions CSV to use instead of the bundled dataset.")
  var data: String?

  @Option(help: "Label window in days.")
  var horizon = 90

  @Option(help: "Cutoff date (default: the last transaction date minus the horizon).")
  var cutoff: String?

  func validate() throws {
    guard horizon >= 1 else { throw ValidationError("--horizon must be at least 1 day, got \(horizon).") }
    if let cutoff { _ = try parseDay(cutoff, option: "--cutoff") }
  }

  func run() throws {
    try exitingOnDomainError {
      let clock = ContinuousClock.now
      let log = try loadLog()
      let cut = try cutoff.map { try parseDay($0, option: "--cutoff") } ?? log.lastDay.adding(days: -horizon)
      let table = try FeatureBuilder(for: log).build(log, snapshots: [Snapshot(cutoff: cut, horizon: horizon)])
      let positives = table.labels!.reduce(0) { $0 + Int($1) }
      let rate = String(format: "%.1f%%", 100 * Double(positives) / Double(table.rowCount))
      let facts = [
        ("customers with a purchase by the cutoff", Terminal.count(table.rowCount)),
        ("bought again within \(horizon) days", "\(Terminal.count(positives)) (\(rate))"),
        ("bad rows skipped", Terminal.count(log.skippedRows)),
      ]
      let width = facts.map(\.0.count).max()!
      var text = "\nRebuy demo: features and labels as of \(cut), horizon \(horizon) days\n"
      for (label, value) in facts { text += "  " + label.padding(toLength: width + 2, withPad: " ", startingAt: 0) + value + "\n" }
      text += "\n"
      text += summaryTable(FeatureSummary(table), rows: table.rowCount)
      Terminal.say(text)

      Terminal.say("Training a logistic regression on the cutoffs \(cut.adding(days: -2 * horizon)) and \(cut.adding(days: -horizon)), validating on \(cut):")
      let series = Snapshot.series(latest: cut, count: 3, every: horizon, horizon: horizon)
      let data = try LabelledRows.fromLog(log, sha256: "", snapshots: series, target: .repurchase)
      let trained = try Training.run(
        data, split: .outOfTime(latest: cut.ordinal), spec: .logistic(LogisticRegression(), btydFeatures: nil), threshold: .bestF1,
        horizonDays: horizon)
      let model = trained.logisticModel!
      let strongest = zip(model.featureNames, model.coefficients).sorted { abs($0.1) > abs($1.1) }.prefix(5)
      text = "Strongest coefficients (standardised): "
        + strongest.map { "\($0.0) \(String(format: "%+.2f", $0.1))" }.joined(separator: ", ")
      text += "\n\nDone in \(Terminal.seconds(since: clock)). Next: rebuy train Datasets/transactions.csv --cutoff \(cut) --snapshots 3 --every \(horizon) --horizon \(horizon) -o model.json"
      Terminal.say(text)
    }
  }

  private func loadLog() throws -> TransactionLog {
    let path = data ?? "Datasets/transactions.csv"
    if data != nil || FileManager.default.fileExists(atPath: path) {
      Terminal.say("Reading \(path).")
      return try InputOptions.parse([path]).readLog()
    }
    let b = Self.bundled
    Terminal.say("Datasets/transactions.csv is not in this directory; generating the same data (seed \(b.seed)).")
    var bytes: [UInt8] = []
    let generator = PurchaseGenerator(
      customers: b.customers, seed: b.seed, start: Day(iso: b.start)!, end: Day(iso: b.end)!)
    try generator.write { bytes.append(contentsOf: $0) }
    return try TransactionLog.read(CSVReader(source: MemorySource(bytes), fileName: "<generated>"))
  }

  private func summaryTable(_ summary: FeatureSummary, rows: Int) -> String {
    func number(_ v: Double?) -> String {
      guard let v else { return "–" }
      if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
      return String(format: abs(v) >= 100 ? "%.1f" : "%.3f", v)
    }
    let header = ["feature", "missing", "min", "median", "mean", "max"]
    let body = summary.columns.map { c in
      [c.name, c.missing == 0 ? "0" : String(format: "%d (%.0f%%)", c.missing, 100 * Double(c.missing) / Double(rows)),
       number(c.minimum), number(c.median), number(c.mean), number(c.maximum)]
    }
    let widths = header.indices.map { i in ([header] + body).map { $0[i].count }.max()! }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { i, cell in
        i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
          : String(repeating: " ", count: widths[i] - cell.count) + cell
      }.joined(separator: "  ")
    }
    return "  " + ([line(header)] + body.map(line)).joined(separator: "\n  ") + "\n"
  }
}
