import Analytics
import ArgumentParser
import Foundation
import Ingest
import RebuyCore

struct SegmentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "segment",
    abstract: "Score every customer's recency, frequency and spend 1–5, name their RFM segment and their lifecycle stage.",
    discussion: """
      From each customer's purchase days up to --as-of: R scores days since the last purchase
      (recent is 5), F the number of purchase days and M the total spent, each 1–5 by
      quintile; equal values share a score: 1 + ⌊5 · (customers strictly worse) / customers⌋.
      The segment comes from R and FM = ⌊(F + M + 1) / 2⌋ (the map is in the README). The
      stage compares days since the last purchase with the customer's own usual gap (the
      median of their gaps; for one-time buyers, the median gap of everyone): new or active up
      to --at-risk-after usual gaps, at risk up to --lapsed-after, lapsed beyond.
      One row per customer goes to --output; the table per segment and stage to standard error
      (and with --summary, as CSV). With --horizon H, the share who bought in the H days after
      --as-of is shown for each group.
      """)

  @OptionGroup var input: InputOptions

  @Option(name: .customLong("as-of"), help: "The date (yyyy-mm-dd) the histories end on.")
  var asOf: String

  @Option(help: "Also measure who bought in the next H days (the window must end within the data).")
  var horizon: Int?

  @Option(name: .customLong("at-risk-after"), help: "Usual gaps since the last purchase after which a customer is at risk.")
  var atRiskAfter = 1.5

  @Option(name: .customLong("lapsed-after"), help: "Usual gaps since the last purchase after which a customer has lapsed.")
  var lapsedAfter = 3.0

  @Option(name: .customLong("typical-gap"), help: "Days: the usual gap of one-time buyers (default: the median gap in the data).")
  var typicalGap: Double?

  @Option(name: .shortAndLong, help: "Per-customer CSV; - (the default) is standard output.")
  var output = "-"

  @Option(help: "Also write the per-segment and per-stage figures to this CSV.")
  var summary: String?

  func validate() throws {
    _ = try parseDay(asOf, option: "--as-of")
    if let horizon, horizon < 1 { throw ValidationError("--horizon must be at least 1 day, got \(horizon).") }
    guard atRiskAfter > 0, lapsedAfter > atRiskAfter, lapsedAfter.isFinite else {
      throw ValidationError("--at-risk-after and --lapsed-after need 0 < at-risk-after < lapsed-after, got \(atRiskAfter) and \(lapsedAfter).")
    }
    if let typicalGap, !(typicalGap > 0 && typicalGap.isFinite) {
      throw ValidationError("--typical-gap must be a positive number of days, got \(typicalGap).")
    }
  }

  func run() throws {
    try exitingOnDomainError {
      let log = try input.readLog()
      let segments = try Segmentation(
        log, asOf: try parseDay(asOf, option: "--as-of"), horizon: horizon, atRiskAfter: atRiskAfter,
        lapsedAfter: lapsedAfter, typicalGap: typicalGap)
      try writeCSV(output) { csv in
        csv.text("customer_id,recency_days,orders,monetary_total,r,f,m,fm,segment,usual_gap_days,overdue_ratio,stage")
        csv.text(horizon.map { ",bought_next_\($0)d\n" } ?? "\n")
        for i in 0..<segments.count {
          csv.field(log.customerIDs[Int(segments.customers[i])])
          csv.text(",\(segments.recencyDays[i]),\(segments.orders[i]),")
          csv.decimal(segments.monetaryTotal[i])
          csv.text(",\(segments.r[i]),\(segments.f[i]),\(segments.m[i]),\(segments.fm[i]),")
          csv.field(segments.segment[i].name)
          csv.cells([segments.usualGapDays[i], segments.overdueRatio[i]])
          csv.text("," + segments.stage[i].name)
          if let bought = segments.boughtInWindow { csv.text(bought[i] ? ",1" : ",0") }
          csv.byte(UInt8(ascii: "\n"))
          try csv.flushIfFull()
        }
      }
      let groups = [("segment", segments.segmentSummary), ("stage", segments.stageSummary)]
      Terminal.say(
        "\(Terminal.count(segments.count)) customers as of \(segments.asOf); typical gap between purchases "
          + "\(ReportText.compact(segments.typicalGapDays)) days.")
      for (title, summary) in groups {
        Terminal.say("")
        Terminal.say(Self.table(title, summary, horizon: horizon))
      }
      if let summary {
        try writeCSV(summary) { csv in Self.writeSummary(groups, horizon: horizon, to: &csv) }
      }
      if output != "-" { Terminal.say("\nWrote \(Terminal.count(segments.count)) customers to \(output).") }
    }
  }

  static func table(_ title: String, _ groups: [Segmentation.GroupSummary], horizon: Int?) -> String {
    var table = TextTable(
      [title, "customers", "share", "revenue", "repeat"] + (horizon.map { ["bought in \($0)d"] } ?? []))
    for g in groups {
      table.add(
        [g.name, Terminal.count(g.customers), TextTable.percent(g.share), TextTable.percent(g.revenueShare),
         TextTable.percent(g.repeatRate)] + (horizon == nil ? [] : [TextTable.percent(g.repurchaseRate)]))
    }
    return table.text
  }

  /// The per-segment and per-stage figures as CSV rows.
  static func writeSummary(_ groups: [(String, [Segmentation.GroupSummary])], horizon: Int?, to csv: inout CSVOutput) {
    csv.text("group,name,customers,share,revenue_share,repeat_rate" + (horizon.map { ",bought_next_\($0)d_rate\n" } ?? "\n"))
    for (kind, summaries) in groups {
      for g in summaries {
        csv.text(kind + ",")
        csv.field(g.name)
        csv.text(",\(g.customers)")
        csv.cells([g.share, g.revenueShare, g.repeatRate] + (horizon == nil ? [] : [g.repurchaseRate]))
        csv.byte(UInt8(ascii: "\n"))
      }
    }
  }
}
