import Foundation
import Testing
import TestSupport

/// `rebuy segment`, `cohorts`, `cluster` and `rules`: their files, their tables, and their errors.
@Suite struct AnalyticsCommandTests {
  static let data = "Datasets/transactions.csv"

  func csv(_ text: String) -> [[String]] {
    text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
  }

  @Test func segmentWritesEveryCustomerAndTheTables() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let summary = dir.appendingPathComponent("summary.csv").path
    let outcome = try RebuyProcess.run(["segment", Self.data, "--as-of", "2024-09-30", "--horizon", "90", "--summary", summary])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    let rows = csv(outcome.stdout)
    #expect(rows[0].joined(separator: ",") == "customer_id,recency_days,orders,monetary_total,r,f,m,fm,segment,usual_gap_days,overdue_ratio,stage,bought_next_90d")
    #expect(rows.count == 4_529)
    #expect(outcome.stderr.contains("4,528 customers as of 2024-09-30; typical gap between purchases 22 days."))
    for line in ["Champions", "Can't Lose Them", "at risk", "lapsed"] { #expect(outcome.stderr.contains(line)) }
    let groups = csv(try String(contentsOfFile: summary, encoding: .utf8))
    #expect(groups.count == 1 + 11 + 4)
    #expect(groups.dropFirst().filter { $0[0] == "segment" }.reduce(0) { $0 + Int($1[2])! } == 4_528)
    // One-time buyers have no usual gap: the cell is empty, never 0.
    #expect(rows.dropFirst().contains { $0[2] == "1" && $0[9].isEmpty })
    #expect(!rows.dropFirst().contains { $0[9] == "0" })
  }

  @Test func segmentRefusesAWindowBeyondTheData() throws {
    let outcome = try RebuyProcess.run(["segment", Self.data, "--as-of", "2024-12-01", "--horizon", "90"])
    #expect(outcome.status == 65)
    #expect(outcome.stderr.contains("Error: the window (2024-12-01, 2025-03-01] ends after the data's last day 2024-12-31"))
    let early = try RebuyProcess.run(["segment", Self.data, "--as-of", "2020-01-01"])
    #expect(early.status == 65 && early.stderr.contains("nobody bought on or before 2020-01-01; the data starts on 2022-01-01"))
    let usage = try RebuyProcess.run(["segment", Self.data, "--as-of", "2024-09-30", "--at-risk-after", "4"])
    #expect(usage.status == 64)
  }

  @Test func cohortsWriteRetentionAndCycles() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let cycles = dir.appendingPathComponent("cycles.csv").path
    let outcome = try RebuyProcess.run(["cohorts", Self.data, "--cycles", cycles])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    let rows = csv(outcome.stdout)
    #expect(rows[0].joined(separator: ",") == "cohort,period,cohort_customers,active_customers,retention,revenue,revenue_per_customer,complete")
    // 36 monthly cohorts, the first with 36 periods and the last with one: 36·37/2 rows.
    #expect(rows.count == 1 + 666)
    #expect(rows[1].prefix(4) == ["2022-01", "0", "131", "131"])
    #expect(outcome.stderr.contains("5,000 customers in 36 monthly cohorts. Repurchase rate 68.7%"))
    let cycleRows = csv(try String(contentsOfFile: cycles, encoding: .utf8))
    #expect(cycleRows[1].prefix(3) == ["all", "all", "21553"])
    #expect(cycleRows.filter { $0[0] == "item" }.count == 12)
    #expect(cycleRows.filter { $0[0] == "cohort" }.count == 36)
    let weeks = try RebuyProcess.run(["cohorts", Self.data, "--period", "week", "--churn-days", "60"])
    #expect(weeks.status == 0 && weeks.stdout.hasPrefix("cohort,period") && weeks.stderr.contains("weekly cohorts"))
  }

  @Test func clusterWritesClustersAndSweeps() throws {
    let one = try RebuyProcess.run(["cluster", Self.data, "--as-of", "2024-12-31", "--k", "4", "--seed", "1"])
    #expect(one.status == 0, "\(one.stderr)")
    let rows = csv(one.stdout)
    #expect(rows[0] == ["customer_id", "cluster", "distance"] && rows.count == 5_001)
    let sizes = Dictionary(grouping: rows.dropFirst(), by: { $0[1] }).mapValues(\.count)
    #expect(Set(sizes.keys) == ["0", "1", "2", "3"])
    #expect(sizes["0"]! >= sizes["1"]! && sizes["1"]! >= sizes["2"]! && sizes["2"]! >= sizes["3"]!, "numbered by size")
    #expect(one.stderr.contains("mean recency_days"))
    let again = try RebuyProcess.run(["cluster", Self.data, "--as-of", "2024-12-31", "--k", "4", "--seed", "1"])
    #expect(again.stdout == one.stdout, "seeded")
    let sweep = try RebuyProcess.run(["cluster", Self.data, "--as-of", "2024-12-31", "--k", "2..4", "--silhouette-sample", "1000"])
    #expect(sweep.status == 0, "\(sweep.stderr)")
    let table = csv(sweep.stdout)
    #expect(table[0] == ["k", "inertia", "silhouette", "iterations"] && table.count == 4)
    let inertias = table.dropFirst().map { Double($0[1])! }
    #expect(inertias == inertias.sorted(by: >), "more clusters, less inertia")
    let bad = try RebuyProcess.run(["cluster", Self.data, "--as-of", "2024-12-31", "--features", "trend_90d,orders", "--log", "trend_90d"])
    #expect(bad.status == 65 && bad.stderr.contains("trend_90d has a value below 0"))
    let unknown = try RebuyProcess.run(["cluster", Self.data, "--as-of", "2024-12-31", "--features", "spend"])
    #expect(unknown.status == 64 && unknown.stderr.contains("'spend' is not a feature"))
  }

  @Test func rulesFromCategoriesProductsAndSequences() throws {
    let categories = try RebuyProcess.run(["rules", Self.data, "--min-support", "0.005", "--min-confidence", "0.05"])
    #expect(categories.status == 0, "\(categories.stderr)")
    #expect(categories.stderr.contains("26,553 baskets (customer-days) of 12 items; 78 frequent itemsets, 132 rules"))
    let rows = csv(categories.stdout)
    #expect(rows[0].joined(separator: ",") == "antecedents,consequents,antecedent_support,consequent_support,support,confidence,lift,leverage,conviction")
    #expect(rows.count == 133)
    let lifts = rows.dropFirst().map { Double($0[6])! }
    #expect(lifts == lifts.sorted(by: >), "strongest lift first")
    let products = try RebuyProcess.run(
      ["rules", "Tests/Fixtures/baskets.csv", "--item-col", "product", "--min-support", "0.02", "--min-confidence", "0.1"])
    #expect(products.status == 0, "\(products.stderr)")
    #expect(products.stderr.contains("2,411 baskets (orders) of 40 items; 45 frequent itemsets, 14 rules"))
    #expect(products.stderr.contains("purchase lines have an empty item and are left out."))
    #expect(products.stdout.contains("P010,P011|P012,"))
    let sequential = try RebuyProcess.run(["rules", Self.data, "--sequential", "--within", "60", "--min-support", "0.001", "--min-confidence", "0"])
    #expect(sequential.status == 0, "\(sequential.stderr)")
    #expect(csv(sequential.stdout).count == 1 + 132)
    let noItem = try RebuyProcess.run(["rules", "Tests/Fixtures/baskets.csv"])
    #expect(noItem.status == 65 && noItem.stderr.contains("category"), "\(noItem.stderr)")
  }

  /// Bad options are usage errors (64) that name the option; a missing item column is a data
  /// error (65) that names the column and the option to use.
  @Test func badOptionsAndColumnsAreNamed() throws {
    let cases: [([String], Int32, String)] = [
      (["cohorts", Self.data, "--churn-days", "0"], 64, "--churn-days must be at least 1, got 0."),
      (["rules", Self.data, "--min-support", "0"], 64, "--min-support must be in (0, 1], got 0.0."),
      (["rules", Self.data, "--max-len", "1"], 64, "--max-len must be at least 2 (a rule has two sides), got 1."),
      (["cluster", Self.data, "--as-of", "2024-12-31", "--k", "1..3"], 64, "--k ranges start at 2"),
      (["cluster", Self.data, "--as-of", "2024-12-31", "--k", "many"], 64, "--k must be a number of clusters or a range"),
      (["segment", Self.data, "--as-of", "2024-13-01"], 64, "--as-of must be a date as yyyy-mm-dd, got '2024-13-01'."),
      (["rules", Self.data, "--item-col", "product"], 65, "no column 'product'"),
      (["cohorts", Self.data, "--item-col", "sku"], 65, "no column 'sku'"),
    ]
    for (arguments, status, message) in cases {
      let outcome = try RebuyProcess.run(arguments)
      #expect(outcome.status == status, "\(arguments): \(outcome.stderr)")
      #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
      #expect(outcome.stdout.isEmpty, "\(arguments)")
    }
  }
}
