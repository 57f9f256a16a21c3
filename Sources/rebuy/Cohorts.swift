import Analytics
import ArgumentParser
import Foundation
import Ingest
import RebuyCore

struct CohortsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cohorts",
    abstract: "Acquisition cohorts: retention and revenue by period since the first purchase, churn and purchase cycles.",
    discussion: """
      A customer's cohort is the month (or Monday-to-Sunday week) of their first purchase.
      For each cohort and each period since, --output gets the customers with a purchase day in
      that period, their share of the cohort (retention) and the revenue; a period that ends
      after the data's last day is marked incomplete. Standard error shows the retention
      matrix, the repurchase rate (customers with two or more purchase days), the churn rate
      (of customers who first bought at least --churn-days before the last day, the share
      with no purchase in the last --churn-days days), and the purchase cycle: the days
      between consecutive purchase days, overall, by cohort and by category (or --item-col),
      written to --cycles as CSV.
      """)

  @OptionGroup var input: InputOptions

  @Option(help: "Calendar period of cohorts and retention: month or week.")
  var period: CohortAnalysis.Period = .month

  @Option(name: .customLong("churn-days"), help: "Days without a purchase (before the data's last day) that count as churned.")
  var churnDays = 90

  @Option(name: .customLong("item-col"), help: "Column whose values get their own purchase cycles (default: the category column, if any).")
  var itemColumn: String?

  @Option(name: .customLong("max-columns"), help: "Periods shown in the retention matrix on standard error (the CSV has all).")
  var maxColumns = 12

  @Option(name: .shortAndLong, help: "Cohort × period CSV; - (the default) is standard output.")
  var output = "-"

  @Option(help: "Also write the purchase-cycle distributions (overall, by cohort, by item) to this CSV.")
  var cycles: String?

  func validate() throws {
    guard churnDays >= 1 else { throw ValidationError("--churn-days must be at least 1, got \(churnDays).") }
    guard maxColumns >= 1 else { throw ValidationError("--max-columns must be at least 1, got \(maxColumns).") }
  }

  func run() throws {
    try exitingOnDomainError {
      let log = try input.readLog(keepLines: itemColumn == nil ? .whenPresent : .required, itemColumn: itemColumn)
      let analysis = try CohortAnalysis(log, period: period, churnDays: churnDays)
      try writeCSV(output) { csv in
        csv.text("cohort,period,cohort_customers,active_customers,retention,revenue,revenue_per_customer,complete\n")
        for cohort in analysis.cohorts {
          for k in cohort.active.indices {
            csv.text("\(cohort.label),\(k),\(cohort.customers),\(cohort.active[k])")
            csv.cells([cohort.retention(k), cohort.revenue[k], cohort.revenue[k] / Double(cohort.customers)])
            csv.text(cohort.complete[k] ? ",true\n" : ",false\n")
          }
          try csv.flushIfFull()
        }
      }
      Terminal.say(Self.report(analysis, maxColumns: maxColumns, lines: log.lines))
      if let cycles {
        try writeCSV(cycles) { csv in Self.writeCycles(analysis, to: &csv) }
      }
    }
  }

  static func report(_ a: CohortAnalysis, maxColumns: Int, lines: PurchaseLines?) -> String {
    var text: [String] = []
    let churn = a.churnRate.map { TextTable.percent($0) } ?? "undefined (nobody first bought \(a.churnDays)+ days before the end)"
    text.append(
      "\(Terminal.count(a.customers)) customers in \(a.cohorts.count) \(a.period.rawValue)ly cohorts. "
        + "Repurchase rate \(TextTable.percent(a.repurchaseRate)) (\(Terminal.count(a.repeatCustomers)) bought on two or more days); "
        + "churn over the last \(a.churnDays) days \(churn) of \(Terminal.count(a.churnBase)).")
    text.append("")
    let shown = min(maxColumns, a.cohorts.map(\.active.count).max() ?? 1)
    var matrix = TextTable(["cohort", "customers"] + (0..<shown).map { "\($0)" })
    for cohort in a.cohorts {
      matrix.add(
        [cohort.label, Terminal.count(cohort.customers)]
          + (0..<shown).map { k in
            guard k < cohort.active.count else { return "" }
            return TextTable.percent(cohort.retention(k)) + (cohort.complete[k] ? "" : "*")
          })
    }
    text.append("Retention: share of each cohort buying in each \(a.period.rawValue) since its first (* incomplete):")
    text.append(matrix.text)
    text.append("")
    text.append("Days between purchases:")
    var cycles = TextTable(["group", "gaps", "mean", "p10", "p25", "median", "p75", "p90"])
    func add(_ name: String, _ g: GapDistribution) {
      cycles.add(
        [name, Terminal.count(g.count), TextTable.tenths(g.mean), TextTable.tenths(g.p10), TextTable.tenths(g.p25),
         TextTable.tenths(g.median), TextTable.tenths(g.p75), TextTable.tenths(g.p90)])
    }
    add("all customers", a.gaps)
    for item in a.itemGaps.sorted(by: { $0.gaps.count > $1.gaps.count }).prefix(20) { add(item.item, item.gaps) }
    text.append(cycles.text)
    if a.itemGaps.count > 20 {
      text.append("(the 20 items with the most gaps; --cycles writes all \(Terminal.count(a.itemGaps.count)) and every cohort)")
    }
    if let lines, lines.linesWithoutItem > 0 {
      text.append("\(Terminal.count(lines.linesWithoutItem)) purchase lines have no item and count in no item's cycle.")
    }
    return text.joined(separator: "\n")
  }

  /// The purchase-cycle distributions, overall, by cohort and by item, as CSV rows.
  static func writeCycles(_ a: CohortAnalysis, to csv: inout CSVOutput) {
    func row(_ kind: String, _ name: String, _ g: GapDistribution) {
      csv.text(kind + ",")
      csv.field(name)
      csv.text(",\(g.count)")
      csv.cells([g.mean, g.p10, g.p25, g.median, g.p75, g.p90])
      csv.byte(UInt8(ascii: "\n"))
    }
    csv.text("group,name,gaps,mean_days,p10_days,p25_days,median_days,p75_days,p90_days\n")
    row("all", "all", a.gaps)
    for cohort in a.cohorts { row("cohort", cohort.label, cohort.gaps) }
    for item in a.itemGaps { row("item", item.item, item.gaps) }
  }
}

extension CohortAnalysis.Period: ExpressibleByArgument {}
