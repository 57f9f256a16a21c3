import Features
import Foundation
import Ingest
import Synthetic
import Testing
import TestSupport

/// Property tests on generated histories (seeded; the seed is in each failure message).
///
/// Counts, days and labels must be identical. Sums of amounts are compared to 1e-12 relative:
/// reordering lines can regroup a floating-point sum and change its last bit.
@Suite struct LeakageAndInvarianceTests {
  struct Row {
    var id: String, date: String, cents: Int, category: String, channel: String
    var line: String { "\(id),\(date),\(Self.amount(cents)),\(category),\(channel)" }
    static func amount(_ cents: Int) -> String {
      let m = abs(cents)
      return (cents < 0 ? "-" : "") + "\(m / 100)." + (m % 100 < 10 ? "0" : "") + "\(m % 100)"
    }
  }

  static let header = "customer_id,date,amount,category,channel"

  static func generated(seed: UInt64, customers: Int = 300) throws -> [Row] {
    var bytes: [UInt8] = []
    try PurchaseGenerator(customers: customers, seed: seed, start: Day(iso: "2023-01-01")!, end: Day(iso: "2024-12-31")!)
      .write { bytes += $0 }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst().map { line in
      let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      let parts = f[2].split(separator: ".")
      let cents = Int(parts[0].replacingOccurrences(of: "-", with: ""))! * 100 + Int(parts[1])!
      return Row(id: f[0], date: f[1], cents: f[2].hasPrefix("-") ? -cents : cents, category: f[3], channel: f[4])
    }
  }

  static func csv(_ rows: [Row]) -> String { ([header] + rows.map(\.line)).joined(separator: "\n") + "\n" }

  static let snapshot = Snapshot(cutoff: Day(iso: "2024-06-30")!, horizon: 60)

  static func features(_ csv: String, snapshots: [Snapshot] = [snapshot]) throws -> [String: (values: [Double], label: UInt8)] {
    let log = try TransactionLog.read(CSVReader(source: MemorySource(csv), fileName: "t.csv"))
    let t = try FeatureBuilder(for: log).build(log, snapshots: snapshots)
    let width = t.featureNames.count
    var out: [String: (values: [Double], label: UInt8)] = [:]
    for row in 0..<t.rowCount {
      let key = "\(log.customerIDs[Int(t.customers[row])])@\(t.cutoffs[row])"
      out[key] = (Array(t.values[(row * width)..<((row + 1) * width)]), t.labels?[row] ?? 0)
    }
    return out
  }

  static func expectSame(
    _ a: [String: (values: [Double], label: UInt8)], _ b: [String: (values: [Double], label: UInt8)], labels: Bool,
    seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(Set(a.keys) == Set(b.keys), "seed \(seed): customers differ", sourceLocation: sourceLocation)
    for (key, x) in a {
      guard let y = b[key] else { continue }
      for (u, v) in zip(x.values, y.values) where !(u.isNaN && v.isNaN) {
        #expect(abs(u - v) <= 1e-12 * max(abs(u), abs(v)), "seed \(seed) \(key): \(x.values) vs \(y.values)", sourceLocation: sourceLocation)
      }
      if labels { #expect(x.label == y.label, "seed \(seed) \(key): label", sourceLocation: sourceLocation) }
    }
  }

  static func randomRows(_ rng: inout SplitMix64, count: Int, after: Day, ids: [String]) -> [Row] {
    (0..<count).map { _ in
      let day = after.adding(days: 1 + Int(rng.next() % 400))
      let id = rng.next() % 5 == 0 ? "new\(rng.next() % 50)" : ids[Int(rng.next() % UInt64(ids.count))]
      let cents = Int(rng.next() % 20000) - 3000
      return Row(id: id, date: day.description, cents: cents, category: "c\(rng.next() % 20)", channel: "web")
    }
  }

  static func insertRandomly(_ rows: [Row], into base: [Row], rng: inout SplitMix64) -> [Row] {
    var out = base
    for row in rows { out.insert(row, at: Int(rng.next() % UInt64(out.count + 1))) }
    return out
  }

  @Test(arguments: [1, 2, 3] as [UInt64])
  func transactionsAfterTheLabelWindowChangeNothing(seed: UInt64) throws {
    let base = try Self.generated(seed: seed)
    var rng = SplitMix64(seed: seed)
    let windowEnd = Self.snapshot.cutoff.adding(days: Self.snapshot.horizon!)
    let extra = Self.randomRows(&rng, count: 500, after: windowEnd, ids: base.map(\.id))
    let before = try Self.features(Self.csv(base))
    let after = try Self.features(Self.csv(Self.insertRandomly(extra, into: base, rng: &rng)))
    Self.expectSame(before, after, labels: true, seed: seed)
    // The same with a transaction changed rather than added: move one after the window elsewhere.
    var changed = base
    if let i = changed.firstIndex(where: { Day(iso: $0.date)! > windowEnd }) {
      changed[i].cents += 12345
      changed[i].date = windowEnd.adding(days: 3).description
    }
    Self.expectSame(before, try Self.features(Self.csv(changed)), labels: true, seed: seed)
  }

  @Test(arguments: [4, 5, 6] as [UInt64])
  func transactionsAfterTheCutoffChangeOnlyLabels(seed: UInt64) throws {
    let base = try Self.generated(seed: seed)
    var rng = SplitMix64(seed: seed)
    let extra = Self.randomRows(&rng, count: 500, after: Self.snapshot.cutoff, ids: base.map(\.id))
    let before = try Self.features(Self.csv(base))
    let after = try Self.features(Self.csv(Self.insertRandomly(extra, into: base, rng: &rng)))
    Self.expectSame(before, after, labels: false, seed: seed)
    // And the labels did change somewhere: purchases inside the window were added.
    let flipped = before.filter { after[$0.key]?.label != $0.value.label }.count
    #expect(flipped > 0, "seed \(seed): no label changed")
  }

  @Test(arguments: [7, 8] as [UInt64])
  func shufflingRowsChangesNothing(seed: UInt64) throws {
    let base = try Self.generated(seed: seed)
    var rng = SplitMix64(seed: seed)
    let shuffled = base.shuffled(using: &rng)
    let snapshots = [Snapshot(cutoff: Day(iso: "2024-03-31")!, horizon: 60), Self.snapshot]
    Self.expectSame(
      try Self.features(Self.csv(base), snapshots: snapshots), try Self.features(Self.csv(shuffled), snapshots: snapshots),
      labels: true, seed: seed)
  }

  /// One line per product versus the same data rolled up to one line per basket: purchases and
  /// returns are separate baskets, and with category / channel columns a basket is per category
  /// and channel (else those columns could not be kept).
  @Test(arguments: [9, 10] as [UInt64])
  func rollingLinesUpIntoBasketsChangesNothing(seed: UInt64) throws {
    let base = try Self.generated(seed: seed)
    func rolledUp(_ key: (Row) -> String) -> [Row] {
      var order: [String] = []
      var sums: [String: Row] = [:]
      for row in base {
        let k = key(row) + (row.cents < 0 ? "|return" : "|purchase")
        if sums[k] == nil {
          order.append(k)
          sums[k] = row
        } else {
          sums[k]!.cents += row.cents
        }
      }
      return order.map { sums[$0]! }
    }
    let byCategory = rolledUp { "\($0.id)|\($0.date)|\($0.category)|\($0.channel)" }
    #expect(byCategory.count < base.count, "seed \(seed): nothing was rolled up")
    Self.expectSame(try Self.features(Self.csv(base)), try Self.features(Self.csv(byCategory)), labels: true, seed: seed)

    // Without the category and channel columns: one line per customer-day.
    func plain(_ rows: [Row]) -> String {
      (["customer_id,date,amount"] + rows.map { "\($0.id),\($0.date),\(Row.amount($0.cents))" }).joined(separator: "\n")
    }
    let perDay = rolledUp { "\($0.id)|\($0.date)" }
    #expect(perDay.count < byCategory.count)
    Self.expectSame(try Self.features(plain(base)), try Self.features(plain(perDay)), labels: true, seed: seed)
  }
}
