import Analytics
import ArgumentParser
import Features
import Foundation
import Ingest
import LinearAlgebra
import RebuyCore

struct ClusterCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cluster",
    abstract: "Group customers by behaviour with k-means, or sweep k and print inertia and silhouette.",
    discussion: """
      Features are built as of --as-of (rebuy features' definitions); those in --log become
      log(1 + x); missing values take the median; each is standardised to mean 0 and standard
      deviation 1. k-means starts from k-means++ (seeded), runs Lloyd's iterations (distances
      through BLAS) and keeps the best of --restarts starts. With one k, --output gets each
      customer's cluster and distance to its centre, and standard error each cluster's
      profile (customers, share of revenue, mean of each feature). With a range (--k 2..10),
      each k's inertia and mean silhouette (on a seeded sample of --silhouette-sample
      customers) is printed and written instead.
      """)

  @OptionGroup var input: InputOptions

  @Option(name: .customLong("as-of"), help: "The date (yyyy-mm-dd) the histories end on.")
  var asOf: String

  @Option(help: "Clusters: a number, or a range such as 2..10 to compare.")
  var k = "4"

  @Option(help: "Comma-separated features to cluster on.")
  var features = "recency_days,orders,monetary_mean,tenure_days"

  @Option(help: "Comma-separated features to take log(1 + x) of (none for no logs).")
  var log = "recency_days,orders,monetary_mean,tenure_days"

  @Option(help: "Independent k-means++ starts; the lowest inertia wins.")
  var restarts = 4

  @Option(name: .customLong("max-iterations"), help: "Lloyd iterations per start.")
  var maxIterations = 300

  @Option(help: "Seed for the starts and the silhouette sample.")
  var seed: UInt64 = 0

  @Option(name: .customLong("silhouette-sample"), help: "Customers the silhouette is measured on (all when fewer).")
  var silhouetteSample = 10_000

  @Option(name: .shortAndLong, help: "Output CSV; - (the default) is standard output.")
  var output = "-"

  var kRange: ClosedRange<Int>? {
    let parts = k.components(separatedBy: "..")
    if parts.count == 1, let one = Int(parts[0]) { return one...one }
    if parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low <= high { return low...high }
    return nil
  }

  var featureNames: [String] { features.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
  var loggedNames: Set<String> {
    log == "none" ? [] : Set(log.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
  }

  func validate() throws {
    _ = try parseDay(asOf, option: "--as-of")
    guard let range = kRange, range.lowerBound >= 1 else {
      throw ValidationError("--k must be a number of clusters or a range low..high, at least 1, got '\(k)'.")
    }
    if range.count > 1 && range.lowerBound < 2 {
      throw ValidationError("--k ranges start at 2: the silhouette needs two clusters, got '\(k)'.")
    }
    guard restarts >= 1, maxIterations >= 1, silhouetteSample >= 2 else {
      throw ValidationError("--restarts and --max-iterations must be at least 1 and --silhouette-sample at least 2.")
    }
    let known = Set(Feature.allCases.map(\.rawValue))
    for name in featureNames + loggedNames where !known.contains(name) {
      throw ValidationError("'\(name)' is not a feature; features are \(Feature.allCases.map(\.rawValue).joined(separator: ", ")).")
    }
    guard !featureNames.isEmpty, Set(featureNames).count == featureNames.count else {
      throw ValidationError("--features needs at least one feature, each once, got '\(features)'.")
    }
    if let extra = loggedNames.subtracting(featureNames).sorted().first {
      throw ValidationError("--log names \(extra), which is not in --features.")
    }
  }

  func run() throws {
    try exitingOnDomainError {
      let log = try input.readLog()
      let table = try buildFeatures(log, snapshots: [Snapshot(cutoff: try parseDay(asOf, option: "--as-of"))], quiet: input.columns.quiet)
      let matrix = table.matrix
      if let missing = featureNames.first(where: { matrix.column(named: $0) == nil }) {
        throw ClusterProblem.featureNotBuilt(missing)
      }
      let columns = featureNames.map { matrix.column(named: $0)! }
      let space = try ClusterSpace(columns: columns, names: featureNames, logged: featureNames.map { loggedNames.contains($0) })
      let range = kRange!
      guard range.upperBound <= table.rowCount else {
        throw ClusterProblem.tooFewCustomers(k: range.upperBound, customers: table.rowCount)
      }
      if range.count == 1 {
        try single(k: range.lowerBound, space: space, table: table, log: log, raw: columns)
      } else {
        try sweep(range, space: space)
      }
    }
  }

  private func fit(_ k: Int, _ space: ClusterSpace) throws -> KMeans.Result {
    try KMeans(k: k, restarts: restarts, maxIterations: maxIterations, seed: seed).fit(space.matrix)
  }

  private func sweep(_ range: ClosedRange<Int>, space: ClusterSpace) throws {
    var table = TextTable(["k", "inertia", "silhouette", "iterations"])
    var rows: [(k: Int, result: KMeans.Result, silhouette: Double?)] = []
    for k in range {
      let result = try fit(k, space)
      let silhouette = Silhouette.score(space.matrix, labels: result.labels, k: k, sampleSize: silhouetteSample, seed: seed)
      table.add(["\(k)", String(format: "%.1f", result.inertia), silhouette.map { String(format: "%.3f", $0) } ?? "–", "\(result.iterations)"])
      rows.append((k, result, silhouette))
    }
    Terminal.say(
      "k-means on \(Terminal.count(space.matrix.rows)) customers × \(space.names.count) features, best of \(restarts) starts; "
        + "silhouette on \(Terminal.count(min(silhouetteSample, space.matrix.rows))) customers:")
    Terminal.say(table.text)
    try writeCSV(output) { csv in
      csv.text("k,inertia,silhouette,iterations\n")
      for row in rows {
        csv.text("\(row.k)")
        csv.cells([row.result.inertia, row.silhouette])
        csv.text(",\(row.result.iterations)\n")
      }
    }
  }

  private func single(k: Int, space: ClusterSpace, table: FeatureTable, log: TransactionLog, raw: [[Double]]) throws {
    let fitted = try fit(k, space)
    // Each cluster's customers, once; clusters numbered by size, largest first (ties by k-means'
    // own order), so output is stable to read.
    var members = [[Int]](repeating: [], count: k)
    for (i, label) in fitted.labels.enumerated() { members[Int(label)].append(i) }
    let sizes = members.map(\.count)
    let order = (0..<k).sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
    var renumber = [Int](repeating: 0, count: k)
    for (new, old) in order.enumerated() { renumber[old] = new }
    try writeCSV(output) { csv in
      csv.text("customer_id,cluster,distance\n")
      for i in 0..<table.rowCount {
        csv.field(log.customerIDs[Int(table.customers[i])])
        csv.text(",\(renumber[Int(fitted.labels[i])]),")
        csv.decimal(fitted.squaredDistances[i].squareRoot())
        csv.byte(UInt8(ascii: "\n"))
        try csv.flushIfFull()
      }
    }
    let revenue = table.matrix.column(named: "monetary_total") ?? []
    let totalRevenue = revenue.reduce(0, +)
    var profile = TextTable(["cluster", "customers", "share", "revenue"] + space.names.map { "mean \($0)" })
    for (new, old) in order.enumerated() {
      let rows = members[old]
      let clusterRevenue = rows.reduce(0.0) { $0 + revenue[$1] }
      let means = raw.map { column -> String in
        let present = rows.map { column[$0] }.filter { !$0.isNaN }
        return present.isEmpty ? "–" : ReportText.compact(present.reduce(0, +) / Double(present.count))
      }
      profile.add(
        ["\(new)", Terminal.count(rows.count), TextTable.percent(Double(rows.count) / Double(table.rowCount)),
         TextTable.percent(totalRevenue > 0 ? clusterRevenue / totalRevenue : nil)] + means)
    }
    Terminal.say(
      "k-means, k = \(k), on \(Terminal.count(table.rowCount)) customers: inertia \(String(format: "%.1f", fitted.inertia)) "
        + "after \(fitted.iterations) iterations" + (fitted.converged ? "" : " (not converged; raise --max-iterations)") + ".")
    Terminal.say(profile.text)
  }
}

/// Clustering problems found after reading the data.
enum ClusterProblem: ExitStatusError {
  case featureNotBuilt(String)
  case tooFewCustomers(k: Int, customers: Int)

  var exitStatus: Int32 { 65 }

  var description: String {
    switch self {
    case let .featureNotBuilt(name): "\(name) cannot be built from this file (it needs a column the file lacks); choose other --features"
    case let .tooFewCustomers(k, customers): "k = \(k) needs at least \(k) customers; there are \(customers)"
    }
  }
}

extension Segmentation.Problem: ExitStatusError { var exitStatus: Int32 { 65 } }
extension CohortAnalysis.Problem: ExitStatusError { var exitStatus: Int32 { 65 } }
extension KMeans.Problem: ExitStatusError { var exitStatus: Int32 { 65 } }
extension ClusterSpace.Problem: ExitStatusError { var exitStatus: Int32 { 65 } }
