import ArgumentParser
import CustomerBase
import Evaluation
import Features
import Ingest
import RebuyCore

/// Rows to learn from or to evaluate: features, labels for the chosen target, and where each
/// row came from.
struct LabelledRows {
  var matrix: FeatureMatrix
  var labels: Labels
  /// What the labels mark.
  var target: Target
  /// Per row, the purchase days in the label window, when built from transactions.
  var windowPurchaseDays: [Double]?
  /// Per row, the cutoff (day ordinal) when known.
  var cutoffs: [Int32]?
  var sha256: String
  var skippedRows: Int

  /// Features and labels built from a transactions file, as of `snapshots`.
  static func fromTransactions(
    _ path: String, columns: ColumnOptions, snapshots: [Snapshot], target: Target
  ) throws -> LabelledRows {
    let (log, sha256) = try columns.readLog(path, fingerprint: true)
    return try fromLog(log, sha256: sha256 ?? "", snapshots: snapshots, target: target, quiet: columns.quiet)
  }

  /// Features and labels built from a log already read.
  static func fromLog(_ log: TransactionLog, sha256: String, snapshots: [Snapshot], target: Target, quiet: Bool = true) throws
    -> LabelledRows
  {
    let table = try buildFeatures(log, snapshots: snapshots, quiet: quiet)
    return LabelledRows(
      matrix: table.matrix, labels: Labels(target.labels(fromRepurchase: table.labels!)), target: target,
      windowPurchaseDays: table.windowPurchaseDays?.map(Double.init), cutoffs: table.cutoffs, sha256: sha256,
      skippedRows: log.skippedRows)
  }

  /// A prebuilt feature table; its label column is taken as the target as it stands (churn when
  /// its name says so, else repurchase).
  static func fromFeatureCSV(_ path: String, labelColumn: String) throws -> LabelledRows {
    let file = try FileSource(path: path)
    let hashing = HashingSource(file)
    let table = try FeatureCSV.read(CSVReader(source: hashing, fileName: path == "-" ? "<stdin>" : path), labelColumn: labelColumn)
    Terminal.say("Read \(Terminal.count(table.labels.count)) rows × \(table.matrix.columnCount) features from \(path).")
    return LabelledRows(
      matrix: table.matrix, labels: Labels(table.labels), target: labelColumn.lowercased().contains("churn") ? .churn : .repurchase,
      cutoffs: table.cutoffs, sha256: hashing.hexDigest, skippedRows: 0)
  }

  func rows(_ indices: [Int]) -> LabelledRows {
    LabelledRows(
      matrix: matrix.rows(indices), labels: labels.rows(indices), target: target, windowPurchaseDays: windowPurchaseDays.map { w in indices.map { w[$0] } },
      cutoffs: cutoffs.map { c in indices.map { c[$0] } }, sha256: sha256, skippedRows: skippedRows)
  }

  /// A BG/NBD model's expected purchases in the window against the actual ones; `nil` when the
  /// rows came without window counts (a feature table).
  func countReport(_ model: CustomerBaseModel, horizonDays: Int) throws -> CountReport? {
    guard let actual = windowPurchaseDays, !actual.isEmpty else { return nil }
    let histories = try CustomerBaseModel.histories(matrix, timeUnit: model.timeUnit)
    return CountReport(
      expected: model.expectedPurchases(withinDays: horizonDays, histories), actual: actual, frequency: histories.map(\.x))
  }

  /// The recency column, for the recency baseline (NaN when the table has none).
  var recencyDays: [Double] {
    matrix.column(named: Feature.recencyDays.rawValue) ?? Array(repeating: .nan, count: matrix.rowCount)
  }
}

/// What the model predicts.
enum Target: String, ExpressibleByArgument, CaseIterable {
  case repurchase, churn

  /// Labels for this target from `repurchase` labels (churn = 1 − repurchase).
  func labels(fromRepurchase repurchase: [UInt8]) -> [UInt8] {
    self == .repurchase ? repurchase : repurchase.map { 1 - $0 }
  }
}

/// How rows are divided into training and validation.
enum Split {
  /// Train on every cutoff but the latest, validate on the latest.
  case outOfTime(latest: Int32)
  /// A seeded split stratified by label: `fraction` of each class to validation.
  case stratified(fraction: Double, seed: UInt64)
  /// Every row trains; nothing validates.
  case none

  /// Training and validation row indices.
  func apply(to rows: LabelledRows) -> (train: [Int], validate: [Int]) {
    let all = Array(0..<rows.labels.count)
    switch self {
    case .none:
      return (all, [])
    case let .outOfTime(latest):
      let cutoffs = rows.cutoffs!
      return (all.filter { cutoffs[$0] != latest }, all.filter { cutoffs[$0] == latest })
    case let .stratified(fraction, seed):
      var rng = SplitMix64(seed: seed)
      var validate: [Int] = []
      for label in [UInt8(0), 1] {
        let members = all.filter { rows.labels.values[$0] == label }.shuffled(using: &rng)
        validate += members.prefix(Int((fraction * Double(members.count)).rounded()))
      }
      let chosen = Set(validate)
      return (all.filter { !chosen.contains($0) }, validate.sorted())
    }
  }

  var isOutOfTime: Bool {
    if case .outOfTime = self { return true }
    return false
  }

  var name: String {
    switch self {
    case .outOfTime: "out_of_time"
    case .stratified: "customer_split"
    case .none: "none"
    }
  }
}
