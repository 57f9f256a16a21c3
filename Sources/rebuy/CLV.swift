import ArgumentParser
import CustomerBase
import Features
import Foundation
import Ingest
import ModelIO
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
      --horizon-months months (30 days each). The fitted parameters go to standard error, with
      standard errors. --model applies the parameters of a saved bgnbd model (rebuy train
      --model bgnbd) to a new date instead of fitting.
      """)

  @OptionGroup var input: InputOptions

  @Option(name: .customLong("as-of"), help: "The date (yyyy-mm-dd) the histories end on.")
  var asOf: String

  @Option(name: .customLong("horizon-months"), help: "Months of value to count.")
  var horizonMonths = 12

  @Option(name: .customLong("discount-rate"), help: "Monthly discount rate.")
  var discountRate = 0.01

  @Option(name: .customLong("time-unit"), help: "The unit BG/NBD counts time in: days or weeks (the same model; alpha scales).")
  var timeUnit: TimeUnit = .days

  @Option(help: "L2 penalty on the parameters (0: plain maximum likelihood).")
  var penalty = 0.0

  @Option(help: "Use the BG/NBD and Gamma-Gamma parameters of this model file (from rebuy train --model bgnbd) instead of fitting.")
  var model: String?

  @Option(name: .shortAndLong, help: "Output CSV; - (the default) is standard output.")
  var output = "-"

  func validate() throws {
    _ = try parseDay(asOf, option: "--as-of")
    guard horizonMonths >= 1 else { throw ValidationError("--horizon-months must be at least 1, got \(horizonMonths).") }
    guard discountRate >= 0, discountRate.isFinite else { throw ValidationError("--discount-rate must be >= 0, got \(discountRate).") }
    guard penalty >= 0, penalty.isFinite else { throw ValidationError("--penalty must be >= 0, got \(penalty).") }
  }

  func run() throws {
    try exitingOnDomainError {
      let log = try input.readLog()
      let table = try buildFeatures(log, snapshots: [Snapshot(cutoff: try parseDay(asOf, option: "--as-of"))], quiet: input.columns.quiet)
      let matrix = table.matrix
      let fitted: CustomerBaseModel
      if let model {
        let file = try loadModel(model)
        guard let stored = file.customerBase, stored.spend != nil else {
          throw ModelFileError.invalid(file: model, message: "rebuy clv needs a bgnbd model with Gamma-Gamma spend, not \(file.kind)")
        }
        fitted = stored
        Terminal.say("Parameters from \(model):")
      } else {
        fitted = try CustomerBaseModel.fit(matrix, timeUnit: timeUnit, penalty: penalty, requireSpend: true).model
      }
      Terminal.say(InspectCommand.describe(fitted).joined(separator: "\n"))
      let histories = try CustomerBaseModel.histories(matrix, timeUnit: fitted.timeUnit)
      let repeatMean = matrix.column(named: CustomerBaseModel.spendFeature)!
      let purchases = fitted.purchases, spend = fitted.spend!
      let value = CustomerValue(purchases: purchases, spend: spend, unit: fitted.timeUnit)
      try writeCSV(output) { csv in
        csv.text("customer_id,p_alive,expected_purchases,expected_spend,clv\n")
        let horizon = Double(horizonMonths) * 30 / fitted.timeUnit.days
        for row in 0..<table.rowCount {
          let history = histories[row]
          let mean = repeatMean[row].isNaN ? 0 : repeatMean[row]
          csv.field(log.customerIDs[Int(table.customers[row])])
          csv.cells([
            purchases.probabilityAlive(history), purchases.expectedPurchases(in: horizon, history),
            spend.expectedSpend(RepeatSpend(x: history.x, m: mean)),
            value.lifetimeValue(history, meanSpend: mean, months: horizonMonths, monthlyDiscountRate: discountRate),
          ])
          csv.byte(UInt8(ascii: "\n"))
          try csv.flushIfFull()
        }
      }
      Terminal.say("Wrote \(Terminal.count(table.rowCount)) customers" + (output == "-" ? "." : " to \(output)."))
    }
  }
}

extension TimeUnit: ExpressibleByArgument {}
