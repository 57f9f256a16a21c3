import Foundation
import Ingest
import Testing
import TestSupport

@testable import Analytics

/// Cohorts, churn and purchase cycles against the pandas oracle on the bundled dataset.
@Suite struct CohortAnalysisTests {
  func expectGaps(_ g: GapDistribution, _ e: [String: Any], _ what: String) {
    #expect(g.count == e["count"] as! Int, "\(what)")
    guard g.count > 0 else { return }
    for (mine, key) in [(g.mean, "mean"), (g.p10, "p10"), (g.p25, "p25"), (g.median, "median"), (g.p75, "p75"), (g.p90, "p90")] {
      expectClose(mine!, e[key] as! Double, relativeTolerance: 1e-12, "\(what) \(key)")
    }
  }

  @Test(arguments: ["cohorts_month", "cohorts_week"])
  func matchesPandas(section: String) throws {
    let ref = try AnalyticsFixture.json(section)
    let log = try AnalyticsFixture.bundled(keepLines: true)
    let period = CohortAnalysis.Period(rawValue: ref["period"] as! String)!
    let a = try CohortAnalysis(log, period: period, churnDays: ref["churn_days"] as! Int)
    let cohorts = ref["cohorts"] as! [[String: Any]]
    #expect(a.cohorts.count == cohorts.count)
    for (mine, theirs) in zip(a.cohorts, cohorts) {
      #expect(mine.label == theirs["cohort"] as! String)
      #expect(mine.customers == theirs["customers"] as! Int)
      #expect(mine.active == theirs["active"] as! [Int], "\(mine.label)")
      #expect(mine.complete == theirs["complete"] as! [Bool], "\(mine.label)")
      expectClose(mine.revenue, theirs["revenue"] as! [Double], relativeTolerance: 1e-12, absoluteTolerance: 1e-9)
    }
    #expect(a.customers == ref["customers"] as! Int)
    #expect(a.repeatCustomers == ref["repeat_customers"] as! Int)
    #expect(a.churnBase == ref["churn_base"] as! Int)
    #expect(a.churned == ref["churned"] as! Int)
    expectGaps(a.gaps, ref["gaps"] as! [String: Any], "all")
    if let byCohort = ref["cohort_gaps"] as? [[String: Any]] {
      for (cohort, e) in zip(a.cohorts, byCohort) { expectGaps(cohort.gaps, e, cohort.label) }
    }
    if let byCategory = ref["category_gaps"] as? [String: [String: Any]] {
      #expect(a.itemGaps.map(\.item) == byCategory.keys.sorted())
      for (item, gaps) in a.itemGaps { expectGaps(gaps, byCategory[item]!, item) }
    }
  }

  @Test func weeksStartOnMondayAndMonthsOnTheFirst() {
    let monday = Day(iso: "2024-03-04")!.ordinal, sunday = Day(iso: "2024-03-10")!.ordinal
    #expect(CohortAnalysis.Period.week.index(monday) == CohortAnalysis.Period.week.index(sunday))
    #expect(CohortAnalysis.Period.week.index(sunday + 1) == CohortAnalysis.Period.week.index(monday) + 1)
    #expect(CohortAnalysis.Period.week.label(CohortAnalysis.Period.week.index(Day(iso: "2024-03-07")!.ordinal)) == "2024-03-04")
    // Before 1970 too (negative ordinals).
    #expect(CohortAnalysis.Period.week.label(CohortAnalysis.Period.week.index(Day(iso: "1969-12-31")!.ordinal)) == "1969-12-29")
    #expect(CohortAnalysis.Period.month.label(CohortAnalysis.Period.month.index(Day(iso: "2024-02-29")!.ordinal)) == "2024-02")
  }

  @Test func returnsAreNotPurchasesAndPartialPeriodsAreFlagged() throws {
    let csv = """
      customer_id,date,amount
      A,2024-01-05,10
      A,2024-02-10,-10
      A,2024-03-01,20
      B,2024-02-01,-5
      B,2024-02-03,0
      """
    let log = try TransactionLog.read(CSVReader(source: MemorySource(Array(csv.utf8)), fileName: "t.csv"))
    let a = try CohortAnalysis(log, period: .month, churnDays: 30)
    #expect(a.cohorts.map(\.label) == ["2024-01", "2024-02"])
    #expect(a.cohorts[0].active == [1, 0, 1])  // the February return is not activity
    #expect(a.cohorts[0].revenue == [10, 0, 20])
    #expect(a.cohorts[0].complete == [true, true, false])  // the data ends on 2024-03-01
    #expect(a.cohorts[1].active == [1, 0])  // B's zero-amount line is a purchase
    #expect(a.repeatCustomers == 1)
    // Churn window (2024-01-31, 2024-03-01]: A bought in it; B first bought 2024-02-03, too late to count.
    #expect(a.churnBase == 1 && a.churned == 0)
    #expect(a.gaps.count == 1 && a.gaps.median == 56)
  }
}
