import ArgumentParser
import Features
import Ingest
import RebuyCore

/// Which cutoffs to build: one, a list, or a regular series.
struct SnapshotOptions: ParsableArguments {
  @Option(help: "Cutoff date (yyyy-mm-dd): features use transactions on or before it. With --snapshots, the latest cutoff.")
  var cutoff: String?

  @Option(help: "Several cutoffs, comma-separated (yyyy-mm-dd,yyyy-mm-dd,…); rows are stacked, keyed by (customer_id, cutoff).")
  var cutoffs: String?

  @Option(help: "Number of stacked snapshots ending at --cutoff.")
  var snapshots: Int?

  @Option(help: "Days between stacked snapshots (with --snapshots).")
  var every: Int?

  @Option(help: "Label window in days: repurchase = 1 when the customer buys in (cutoff, cutoff + H].")
  var horizon: Int?

  func validate() throws {
    if cutoff != nil && cutoffs != nil { throw ValidationError("Give either --cutoff or --cutoffs, not both.") }
    if let horizon, horizon < 1 { throw ValidationError("--horizon must be at least 1 day, got \(horizon).") }
    if let snapshots {
      guard cutoff != nil else { throw ValidationError("--snapshots needs --cutoff (the latest cutoff).") }
      guard snapshots >= 1 else { throw ValidationError("--snapshots must be at least 1, got \(snapshots).") }
      guard snapshots == 1 || every != nil else { throw ValidationError("--snapshots \(snapshots) needs --every DAYS.") }
    } else if every != nil {
      throw ValidationError("--every needs --snapshots.")
    }
    if let every, every < 1 { throw ValidationError("--every must be at least 1 day, got \(every).") }
    if cutoff != nil || cutoffs != nil { _ = try resolved() }
  }

  /// Whether a cutoff was given at all.
  var isGiven: Bool { cutoff != nil || cutoffs != nil }

  /// The snapshots asked for, oldest first.
  func resolved() throws -> [Snapshot] {
    guard isGiven else { throw ValidationError("Give --cutoff DATE or --cutoffs DATE,DATE,….") }
    if let cutoffs {
      let days = try cutoffs.split(separator: ",", omittingEmptySubsequences: false).map {
        try parseDay(String($0).trimmingCharacters(in: .whitespaces), option: "--cutoffs")
      }
      guard Set(days).count == days.count else { throw ValidationError("--cutoffs lists a date twice.") }
      return days.sorted().map { Snapshot(cutoff: $0, horizon: horizon) }
    }
    let latest = try parseDay(cutoff ?? "", option: "--cutoff")
    return Snapshot.series(latest: latest, count: snapshots ?? 1, every: every ?? 1, horizon: horizon)
  }
}

struct FeaturesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "features",
    abstract: "Build recency / frequency / monetary features (and labels) as of a cutoff.",
    discussion: """
      Features use only transactions dated on or before the cutoff; with --horizon H, the
      repurchase label looks at (cutoff, cutoff + H], which must end on or before the last
      transaction. Undefined values (e.g. gap_mean_days for a one-time buyer) are empty cells.
      Rows: customer_id, cutoff, the features, then repurchase when --horizon is given.
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var snapshots: SnapshotOptions

  @Option(name: .shortAndLong, help: "Output CSV; - (the default) is standard output.")
  var output = "-"

  func validate() throws { _ = try snapshots.resolved() }

  func run() throws {
    try exitingOnDomainError {
      let plan = try snapshots.resolved()
      let log = try input.readLog()
      let table = try buildFeatures(log, snapshots: plan, quiet: input.columns.quiet)
      let out = try AtomicOutput(path: output)
      try FeatureCSV.write(table, customerIDs: log.customerIDs, sink: out.write)
      try out.commit()
      var summary = "Wrote \(Terminal.count(table.rowCount)) rows × \(table.featureNames.count) features"
      if let labels = table.labels {
        let positives = labels.reduce(0) { $0 + Int($1) }
        summary += String(format: "; repurchase rate %.1f%%", 100 * Double(positives) / Double(max(1, labels.count)))
      }
      if log.skippedRows > 0 { summary += "; \(Terminal.count(log.skippedRows)) bad rows skipped" }
      Terminal.say(summary + (output == "-" ? "." : " to \(output)."))
    }
  }
}

/// Features with a progress line over customers (terminal only).
func buildFeatures(_ log: TransactionLog, snapshots: [Snapshot], quiet: Bool) throws(FeaturesError) -> FeatureTable {
  let bar = ProgressBar(
    label: "Building features", total: log.customerCount * snapshots.count, unit: .items("customers"), quiet: quiet)
  defer { bar.finish() }
  return try FeatureBuilder(for: log).build(log, snapshots: snapshots, progress: bar.update(to:))
}
