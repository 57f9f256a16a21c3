import Foundation
import Ingest
import Testing
import TestSupport

@testable import Analytics

/// RFM scores, segments and stages against the pandas oracle on the bundled dataset (as of
/// 2024-09-30, horizon 90); hand-checked edge cases.
@Suite struct SegmentationTests {
  @Test func quintilesShareScoresAmongTies() {
    // 1 + ⌊5 · worse / n⌋: three tied lowest values all score 1; the next scores 1 + ⌊15/5⌋ = 4.
    #expect(Quantiles.quintileScores([1, 1, 1, 2, 3], higherIsBetter: true) == [1, 1, 1, 4, 5])
    #expect(Quantiles.quintileScores([1, 1, 1, 2, 3], higherIsBetter: false) == [3, 3, 3, 2, 1])
    #expect(Quantiles.quintileScores(Array(stride(from: 1.0, through: 10, by: 1)), higherIsBetter: true) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    #expect(Quantiles.quintileScores([7, 7, 7], higherIsBetter: true) == [1, 1, 1])
  }

  @Test func quantilesInterpolateAsNumpy() {
    #expect(Quantiles.quantile(sorted: [1, 2, 3, 4], 0.5) == 2.5)
    #expect(Quantiles.quantile(sorted: [1, 2, 3, 4], 0.1) == 1.3000000000000000444)
    #expect(Quantiles.quantile(sorted: [5], 0.9) == 5)
    #expect(Quantiles.quantile(sorted: [], 0.5) == nil)
  }

  @Test func everyScorePairHasOneSegment() {
    var seen = Set<Int>()
    for r in UInt8(1)...5 {
      for fm in UInt8(1)...5 { seen.insert(RFMSegment(r: r, fm: fm).rawValue) }
    }
    #expect(seen.count == RFMSegment.allCases.count)
    #expect(RFMSegment(r: 5, fm: 5) == .champions && RFMSegment(r: 1, fm: 1) == .lost && RFMSegment(r: 5, fm: 1) == .new)
    #expect(RFMSegment.fm(f: 1, m: 2) == 2 && RFMSegment.fm(f: 4, m: 5) == 5 && RFMSegment.fm(f: 3, m: 3) == 3)
  }

  @Test func matchesPandas() throws {
    let ref = try AnalyticsFixture.json("segments")
    let log = try AnalyticsFixture.bundled()
    let s = try Segmentation(log, asOf: Day(iso: ref["as_of"] as! String)!, horizon: ref["horizon"] as? Int)
    let ids = s.customers.map { log.customerIDs[Int($0)] }
    #expect(ids == ref["customer_id"] as! [String])
    #expect(s.r.map(Int.init) == ref["r"] as! [Int])
    #expect(s.f.map(Int.init) == ref["f"] as! [Int])
    #expect(s.m.map(Int.init) == ref["m"] as! [Int])
    #expect(s.fm.map(Int.init) == ref["fm"] as! [Int])
    #expect(s.segment.map(\.name) == ref["segment"] as! [String])
    #expect(s.stage.map(\.name) == ref["stage"] as! [String])
    #expect(s.typicalGapDays == ref["typical_gap"] as! Double)
    let gaps = AnalyticsFixture.optionals(ref["usual_gap"])
    #expect(s.usualGapDays == gaps)
    expectClose(s.overdueRatio, ref["overdue_ratio"] as! [Double], relativeTolerance: 1e-12)
    for (mine, theirs) in [(s.segmentSummary, ref["segments"]), (s.stageSummary, ref["stages"])] {
      let expected = theirs as! [[String: Any]]
      #expect(mine.count == expected.count)
      for (g, e) in zip(mine, expected) {
        #expect(g.name == e["name"] as! String)
        #expect(g.customers == e["customers"] as! Int)
        expectClose(g.share, e["share"] as! Double)
        expectClose(g.revenueShare!, e["revenue_share"] as! Double, relativeTolerance: 1e-9)
        if let rate = e["repeat_rate"] as? Double { expectClose(g.repeatRate!, rate) } else { #expect(g.repeatRate == nil) }
        if let rate = e["repurchase_rate"] as? Double { expectClose(g.repurchaseRate!, rate) } else { #expect(g.repurchaseRate == nil) }
      }
    }
  }

  @Test func stagesFollowTheCustomersOwnCycle() throws {
    // A buys every 10 days, B every 80–100; both last bought 30 days before the date. C and D
    // bought once; every gap in the data is 10, 10, 100, 80, so the typical gap is 45.
    let csv = """
      customer_id,date,amount
      A,2024-01-01,10
      A,2024-01-11,10
      A,2024-01-21,10
      B,2023-07-25,10
      B,2023-11-02,10
      B,2024-01-21,10
      C,2024-02-15,5
      D,2023-09-01,5
      E,2024-03-01,5
      """
    let log = try TransactionLog.read(CSVReader(source: MemorySource(Array(csv.utf8)), fileName: "t.csv"))
    let s = try Segmentation(log, asOf: Day(iso: "2024-02-20")!)
    let stage = Dictionary(uniqueKeysWithValues: zip(s.customers.map { log.customerIDs[Int($0)] }, s.stage))
    #expect(s.typicalGapDays == 45)
    #expect(stage["A"] == .atRisk)  // 30 / 10 = 3: at risk up to 3 usual gaps, lapsed beyond
    #expect(stage["B"] == .active)  // 30 / 90
    #expect(stage["C"] == .new)  // 5 / 45
    #expect(stage["D"] == .lapsed)  // 172 / 45
    #expect(stage["E"] == nil)  // first bought after the date
    #expect(throws: Segmentation.Problem.self) { try Segmentation(log, asOf: Day(iso: "2024-02-20")!, horizon: 30) }
    let oneTimers = try TransactionLog.read(
      CSVReader(source: MemorySource(Array("customer_id,date,amount\nA,2024-01-01,1\nB,2024-01-02,1\n".utf8)), fileName: "t.csv"))
    #expect(throws: Segmentation.Problem.noRepeatPurchases(asOf: Day(iso: "2024-02-01")!)) {
      try Segmentation(oneTimers, asOf: Day(iso: "2024-02-01")!)
    }
    #expect(try Segmentation(oneTimers, asOf: Day(iso: "2024-02-01")!, typicalGap: 10).stage == [.lapsed, .atRisk])  // 31 and 30 days
  }
}
