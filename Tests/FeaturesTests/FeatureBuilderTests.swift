import Features
import Foundation
import Ingest
import Synthetic
import Testing
import TestSupport

func table(_ csv: String, cutoffs: [String], horizon: Int? = nil) throws -> (TransactionLog, FeatureTable) {
  let log = try TransactionLog.read(CSVReader(source: MemorySource(csv), fileName: "t.csv"))
  let snapshots = cutoffs.map { Snapshot(cutoff: Day(iso: $0)!, horizon: horizon) }
  return (log, try FeatureBuilder(for: log).build(log, snapshots: snapshots))
}

@Suite struct FeatureBuilderTests {
  /// One customer, checked by hand against DESIGN.md's definitions.
  @Test func handCheckedCustomer() throws {
    let csv = """
      customer_id,date,amount,category
      a,2024-01-01,10,x
      a,2024-01-01,5,y
      a,2024-03-01,20,x
      a,2024-03-05,-8,x
      a,2024-06-01,0,z
      a,2024-06-20,100,x
      a,2024-07-10,7,x
      b,2024-06-25,1,x

      """
    let (log, t) = try table(csv, cutoffs: ["2024-06-30"], horizon: 10)
    let row = try #require((0..<t.rowCount).first { log.customerIDs[Int(t.customers[$0])] == "a" })
    func v(_ name: String) -> Double? { t.value(row: row, feature: name) }
    // Purchase days: 01-01 (15), 03-01 (20), 06-01 (0), 06-20 (100); cutoff 06-30 = day 0.
    #expect(v("recency_days") == 10)
    #expect(v("tenure_days") == 181)
    #expect(v("orders") == 4)
    #expect(v("frequency") == 3)
    #expect(v("monetary_total") == 135)
    #expect(v("monetary_mean") == 33.75)
    #expect(v("monetary_repeat_mean") == 40)
    // Gaps 60, 92, 19: mean 57, sample std sqrt(((3)² + 35² + 38²)/2).
    #expect(v("gap_mean_days") == 57)
    expectClose(v("gap_std_days")!, ((9.0 + 1225 + 1444) / 2).squareRoot(), relativeTolerance: 1e-15)
    expectClose(v("overdue_ratio")!, 10.0 / 57, relativeTolerance: 1e-15)
    #expect(v("orders_30d") == 2 && v("spend_30d") == 100)
    #expect(v("orders_90d") == 2 && v("spend_90d") == 100)
    #expect(v("orders_180d") == 3 && v("spend_180d") == 120)  // 03-01 is 121 days back; 01-01 is 181
    #expect(v("orders_365d") == 4 && v("spend_365d") == 135)
    #expect(v("trend_90d") == (100.0 - 20) / 120)
    #expect(v("returns_total") == 8)
    expectClose(v("return_rate")!, 8.0 / 135, relativeTolerance: 1e-15)
    #expect(v("categories") == 3)
    #expect(t.labels![row] == 1)  // 07-10 is inside (06-30, 07-10]
    #expect(t.featureNames.contains("categories") && !t.featureNames.contains("channels"))
  }

  /// Past the first 64 categories the count comes from the overflow days, not the day masks:
  /// 150 products bought in shuffled order, each counted from the first day it was bought.
  @Test func manyCategoriesAreCountedExactly() throws {
    var rng = SplitMix64(seed: 31)
    var rows: [(id: String, day: Int, product: Int)] = []
    for customer in 0..<5 {
      for product in 0..<150 where rng.next() % 3 != 0 {
        for _ in 0..<(1 + Int(rng.next() % 3)) { rows.append(("c\(customer)", Int(rng.next() % 200), product)) }
      }
    }
    rows.shuffle(using: &rng)
    let start = Day(iso: "2024-01-01")!
    let csv = "customer_id,date,amount,category\n"
      + rows.map { "\($0.id),\(start.adding(days: $0.day)),1.00,p\($0.product)" }.joined(separator: "\n")
    for cutoffOffset in [10, 99, 199] {
      let cutoff = start.adding(days: cutoffOffset)
      let (log, t) = try table(csv, cutoffs: [cutoff.description])
      #expect(try #require(log.categories).values.count > 64)
      for row in 0..<t.rowCount {
        let id = log.customerIDs[Int(t.customers[row])]
        let expected = Set(rows.filter { $0.id == id && $0.day <= cutoffOffset }.map(\.product)).count
        #expect(t.value(row: row, feature: "categories") == Double(expected), "\(id) at \(cutoff)")
      }
    }
  }

  @Test func oneTimeBuyersHaveUndefinedGapsNotZeros() throws {
    let (_, t) = try table("customer_id,date,amount\na,2024-01-01,5\n", cutoffs: ["2024-01-31"])
    for name in ["monetary_repeat_mean", "gap_mean_days", "gap_std_days", "overdue_ratio"] {
      #expect(t.value(row: 0, feature: name) == nil, "\(name)")
    }
    #expect(t.value(row: 0, feature: "return_rate") == 0)
    #expect(t.labels == nil)
  }

  @Test func returnsOnlyCustomersAreNotInTheSnapshot() throws {
    let (log, t) = try table("customer_id,date,amount\na,2024-01-01,-5\nb,2024-01-01,0\n", cutoffs: ["2024-01-31"])
    #expect(t.rowCount == 1)
    #expect(log.customerIDs[Int(t.customers[0])] == "b")
    #expect(t.value(row: 0, feature: "monetary_total") == 0)
  }

  @Test func returnsAgainstAZeroTotalAreUndefined() throws {
    let (_, t) = try table("customer_id,date,amount\na,2024-01-01,0\na,2024-01-02,-5\n", cutoffs: ["2024-01-31"])
    #expect(t.value(row: 0, feature: "return_rate") == nil)
    #expect(t.value(row: 0, feature: "returns_total") == 5)
  }

  @Test func snapshotsStackOldestFirst() throws {
    let csv = "customer_id,date,amount\na,2024-01-01,5\nb,2024-02-15,5\na,2024-03-01,1\nb,2024-04-01,2\n"
    let log = try TransactionLog.read(CSVReader(source: MemorySource(csv), fileName: "t.csv"))
    let series = Snapshot.series(latest: Day(iso: "2024-03-01")!, count: 3, every: 30, horizon: 31)
    #expect(series.map(\.cutoff.description) == ["2024-01-01", "2024-01-31", "2024-03-01"])  // 2024 is a leap year
    let t = try FeatureBuilder(for: log).build(log, snapshots: Array(series.dropFirst()))
    #expect(t.cutoffs.map { Day(ordinal: $0).description } == ["2024-01-31", "2024-03-01", "2024-03-01"])
    // a buys on 03-01, inside (01-31, 03-02]; then nothing in (03-01, 04-01]; b buys on 04-01.
    #expect(t.labels == [1, 0, 1])
  }

  @Test func labelWindowMustFitTheData() throws {
    let csv = "customer_id,date,amount\na,2024-01-01,5\na,2024-02-01,5\n"
    let log = try TransactionLog.read(CSVReader(source: MemorySource(csv), fileName: "t.csv"))
    let error = FeaturesError.labelWindowBeyondData(cutoff: Day(iso: "2024-01-15")!, horizon: 30, lastDay: Day(iso: "2024-02-01")!)
    #expect(throws: error) { try FeatureBuilder(for: log).build(log, snapshots: [Snapshot(cutoff: Day(iso: "2024-01-15")!, horizon: 30)]) }
    #expect(error.description == "the label window (2024-01-15, 2024-02-14] ends after the last transaction (2024-02-01); choose a cutoff on or before 2024-01-02 or a shorter horizon")
    #expect(throws: FeaturesError.noCustomers(cutoff: Day(iso: "2023-12-31")!, firstDay: Day(iso: "2024-01-01")!)) {
      try FeatureBuilder(for: log).build(log, snapshots: [Snapshot(cutoff: Day(iso: "2023-12-31")!)])
    }
    #expect(throws: FeaturesError.duplicateCutoff(Day(iso: "2024-01-20")!)) {
      try FeatureBuilder(for: log).build(log, snapshots: [Snapshot(cutoff: Day(iso: "2024-01-20")!), Snapshot(cutoff: Day(iso: "2024-01-20")!)])
    }
  }

  @Test func csvOutputLeavesUndefinedCellsEmptyAndQuotesIDs() throws {
    let (log, t) = try table("customer_id,date,amount\n\"x,\"\"y\"\"\",2024-01-01,2.5\n", cutoffs: ["2024-01-02"], horizon: nil)
    var bytes: [UInt8] = []
    try FeatureCSV.write(t, customerIDs: log.customerIDs) { bytes += $0 }
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
    #expect(lines[0].hasPrefix("customer_id,cutoff,recency_days,tenure_days,orders,frequency,monetary_total,"))
    #expect(lines[1] == "\"x,\"\"y\"\"\",2024-01-02,1,1,1,0,2.5,2.5,,,,,1,2.5,1,2.5,1,2.5,1,2.5,1.0,0.0,0.0")
  }
}
