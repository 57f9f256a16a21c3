import ArgumentParser
import RebuyCore
import Synthetic

struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Write synthetic purchase histories (customer_id,date,amount,category,channel).",
    discussion: """
      Each customer joins on a uniform day, buys at a Gamma-distributed rate, may drop out after
      each purchase with a Beta-distributed probability, and spends log-normal amounts split over
      basket lines, with categories, channels, about 2% returned lines and 1% free lines. The same
      seed gives the same bytes. See README.md for the full process.
      """)

  @Option(help: "Number of customers.")
  var customers: Int

  @Option(help: "Random seed.")
  var seed: UInt64 = 1

  @Option(help: "First day of the period (yyyy-mm-dd).")
  var start = "2022-01-01"

  @Option(help: "Last day of the period (yyyy-mm-dd).")
  var end = "2024-12-31"

  @Option(name: .shortAndLong, help: "Output CSV; - (the default) is standard output.")
  var output = "-"

  func validate() throws {
    guard customers >= 1 else { throw ValidationError("--customers must be at least 1, got \(customers).") }
    let first = try parseDay(start, option: "--start"), last = try parseDay(end, option: "--end")
    guard first <= last else { throw ValidationError("--start (\(start)) must not be after --end (\(end)).") }
  }

  func run() throws {
    try exitingOnDomainError {
      let clock = ContinuousClock.now
      let generator = PurchaseGenerator(
        customers: customers, seed: seed, start: try parseDay(start, option: "--start"),
        end: try parseDay(end, option: "--end"))
      let out = try AtomicOutput(path: output)
      let rows = try generator.write(sink: out.write)
      try out.commit()
      Terminal.say(
        "Wrote \(Terminal.count(rows)) rows for \(Terminal.count(customers)) customers"
          + (output == "-" ? "" : " to \(output)") + " (\(Terminal.seconds(since: clock))).")
    }
  }
}
