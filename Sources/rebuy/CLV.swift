import ArgumentParser
import CustomerBase
import Features
import Foundation
import Ingest
import RebuyCore

struct CLVCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "clv",
    abstract: "Fit BG/NBD + Gamma-Gamma and write each customer's P(alive), expected purchases, spend and lifetime value.",
    discussion: """
      From each customer's history up to --as-of (repeat purchase days x, the last at tₓ days
      after the first, observed for T days), BG/NBD gives the probability the customer is still
      active and the purchases to expect; Gamma-Gamma, fitted on repeat customers' mean spend,
      gives what each purchase is worth. CLV is the discounted value of the next
      --horizon-months months (30 days each). The fitted parameters go to standard error.
      """)

  @OptionGroup var input: InputOptions

  @Option(name: .customLong("as-of"), help: "The date (yyyy-mm-dd) the histories end on.")
  var asOf: String

  @Option(name: .customLong("horizon-months"), help: "Months of value to count.")
  var horizonMonths = 12

  @Option(name: .customLong("discount-rate"), help: "Monthly discount rate.")
  var discountRate = 0.01

  @Option(name: .shortAndLong, help: "Output CSV; - (the default) is standard output.")
  var output = "-"

  func validate() throws {
    _ = try parseDay(asOf, option: "--as-of")
    guard horizonMonths >= 1 else { throw ValidationError("--horizon-months must be at least 1, got \(horizonMonths).") }
    guard discountRate >= 0, discountRate.isFinite else { throw ValidationError("--discount-rate must be >= 0, got \(discountRate).") }
  }

  func run() throws {
    try exitingOnDomainError {
      let log = try input.readLog()
      let table = try buildFeatures(log, snapshots: [Snapshot(cutoff: try parseDay(asOf, option: "--as-of"))], quiet: input.columns.quiet)
      let matrix = table.matrix
      func column(_ feature: Feature) -> [Double] { matrix.column(named: feature.rawValue)! }
      let frequency = column(.frequency), tenure = column(.tenureDays), recency = column(.recencyDays)
      let repeatMean = column(.monetaryRepeatMean)
      let histories = (0..<table.rowCount).map { RepeatHistory(x: frequency[$0], tx: tenure[$0] - recency[$0], T: tenure[$0]) }
      let purchases = try BGNBD().fit(histories)
      let spenders = (0..<table.rowCount).filter { frequency[$0] > 0 && repeatMean[$0] > 0 }
      let spend = try GammaGamma().fit(spenders.map { RepeatSpend(x: frequency[$0], m: repeatMean[$0]) })
      func estimates(_ names: [String], _ values: [Double], _ errors: [Double?]) -> String {
        zip(names, zip(values, errors)).map { name, pair in
          String(format: "%@ %.4f", name, pair.0) + (pair.1.map { String(format: " (se %.4f)", $0) } ?? " (se not identified)")
        }.joined(separator: ", ")
      }
      Terminal.say(
        "BG/NBD: " + estimates(["r", "alpha", "a", "b"], [purchases.r, purchases.alpha, purchases.a, purchases.b], purchases.standardErrors)
          + String(format: "; log-likelihood %.2f; ", purchases.logLikelihood) + purchases.diagnostics.summary)
      Terminal.say(
        "Gamma-Gamma on \(spenders.count) repeat customers: " + estimates(["p", "q", "v"], [spend.p, spend.q, spend.v], spend.standardErrors)
          + "; " + spend.diagnostics.summary)
      Terminal.say(String(
        format: "Independence check: correlation of repeat purchases and mean spend %.3f (Gamma-Gamma assumes about 0)",
        correlation(spenders.map { frequency[$0] }, spenders.map { repeatMean[$0] })))
      let value = CustomerValue(purchases: purchases, spend: spend)
      let out = try AtomicOutput(path: output)
      var csv = CSVOutput(sink: out.write)
      csv.text("customer_id,p_alive,expected_purchases,expected_spend,clv\n")
      let days = Double(horizonMonths) * 30
      for row in 0..<table.rowCount {
        let history = histories[row]
        let mean = repeatMean[row].isNaN ? 0 : repeatMean[row]
        csv.field(log.customerIDs[Int(table.customers[row])])
        for v in [
          purchases.probabilityAlive(history), purchases.expectedPurchases(in: days, history),
          spend.expectedSpend(RepeatSpend(x: history.x, m: mean)),
          value.lifetimeValue(history, meanSpend: mean, months: horizonMonths, monthlyDiscountRate: discountRate),
        ] {
          csv.byte(UInt8(ascii: ","))
          csv.decimal(v)
        }
        csv.byte(UInt8(ascii: "\n"))
        try csv.flushIfFull()
      }
      try csv.flush()
      try out.commit()
      Terminal.say("Wrote \(Terminal.count(table.rowCount)) customers" + (output == "-" ? "." : " to \(output)."))
    }
  }

  private func correlation(_ a: [Double], _ b: [Double]) -> Double {
    let n = Double(a.count)
    let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for (x, y) in zip(a, b) {
      sab += (x - ma) * (y - mb)
      saa += (x - ma) * (x - ma)
      sbb += (y - mb) * (y - mb)
    }
    return sab / (saa * sbb).squareRoot()
  }
}
