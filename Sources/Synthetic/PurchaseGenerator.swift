import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Synthetic purchase histories from a documented generative process (a BG/NBD-style buyer,
/// with baskets, categories, channels, returns and free items).
///
/// For customer `i` (its own random stream, so a customer's history does not depend on how
/// many others are generated):
/// 1. Joins on a day uniform over `[start, end]` (cohorts join all through the period) and buys
///    that day.
/// 2. Has a purchase rate `λ ~ Gamma(shape 0.75, mean 0.75/36)` per day and a dropout probability
///    `p ~ Beta(0.8, 4)`: after each purchase day the customer leaves for good with probability
///    `p`; otherwise the next purchase comes after `Exponential(1/λ)` days (at least one).
/// 3. Each purchase day is one basket of `1 + Geometric` lines (mean 1.9) worth
///    `LogNormal(μᵢ, 0.5)` in total, `μᵢ ~ Normal(3.4, 0.6)`, split across lines; amounts are in
///    cents. A line is free (amount 0) with probability 0.01.
/// 4. Each line is in one of the customer's two favourite categories with probability 0.7, else
///    any of 12; and in the customer's usual channel (`web`, `store` or `app`) with probability
///    0.85.
/// 5. A line is returned with probability 0.02: a line of minus its amount, same category and
///    channel, 1–30 days later (if that is still on or before `end`).
///
/// Rows are written customer by customer, in date order within a customer:
/// `customer_id,date,amount,category,channel`.
public struct PurchaseGenerator: Sendable {
  public var customers: Int
  public var seed: UInt64
  public var start: Day
  public var end: Day

  /// The categories lines are drawn from.
  public static let categories = [
    "grocery", "beauty", "home", "garden", "toys", "books", "electronics", "fashion", "sports", "pets",
    "baby", "health",
  ]
  /// The channels.
  public static let channels = ["web", "store", "app"]

  /// A generator of `customers` histories between `start` and `end` (inclusive).
  public init(customers: Int, seed: UInt64, start: Day, end: Day) {
    precondition(customers >= 0 && start <= end)
    self.customers = customers
    self.seed = seed
    self.start = start
    self.end = end
  }

  /// Writes the CSV, header first, handing blocks of about 1 MiB to `sink`; returns the number
  /// of data rows written.
  @discardableResult
  public func write(sink: @escaping ([UInt8]) throws -> Void) throws -> Int {
    var out = CSVOutput(sink: sink)
    out.text("customer_id,date,amount,category,channel\n")
    let span = end.days(since: start)
    let dates = (0...span).map { Array(start.adding(days: $0).description.utf8) }
    let categoryBytes = Self.categories.map { Array($0.utf8) }
    let channelBytes = Self.channels.map { Array($0.utf8) }
    let idWidth = max(7, String(customers).count)
    var rows = 0
    var lines: [Line] = []
    for index in 0..<customers {
      lines.removeAll(keepingCapacity: true)
      history(of: index, span: span, into: &lines)
      let id = "C" + String(repeating: "0", count: idWidth - String(index + 1).count) + String(index + 1)
      for line in lines {
        out.text(id)
        out.byte(UInt8(ascii: ","))
        out.bytes(dates[line.day])
        out.byte(UInt8(ascii: ","))
        out.cents(line.cents)
        out.byte(UInt8(ascii: ","))
        out.bytes(categoryBytes[line.category])
        out.byte(UInt8(ascii: ","))
        out.bytes(channelBytes[line.channel])
        out.byte(UInt8(ascii: "\n"))
      }
      rows += lines.count
      try out.flushIfFull()
    }
    try out.flush()
    return rows
  }

  /// One generated line: a day offset from `start`, an amount in cents, a category and a channel.
  struct Line {
    var day: Int
    var cents: Int
    var category: Int
    var channel: Int
  }

  func history(of index: Int, span: Int, into lines: inout [Line]) {
    var rng = SplitMix64(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
    let rate = rng.nextGamma(shape: 0.75) / 36
    let dropout = rng.nextBeta(0.8, 4)
    let logSpend = 3.4 + 0.6 * rng.nextNormal()
    let favourites = (rng.nextInt(below: 12), rng.nextInt(below: 12))
    let usualChannel = rng.nextInt(below: 3)
    var day = rng.nextInt(below: span + 1)
    var returns: [Line] = []
    while day <= span {
      let count = 1 + geometric(&rng, mean: 0.9)
      let basket = exp(logSpend + 0.5 * rng.nextNormal())
      var weights = (0..<count).map { _ in rng.nextExponential(mean: 1) }
      let totalWeight = weights.reduce(0, +)
      for i in weights.indices { weights[i] /= totalWeight }
      for weight in weights {
        let isFree = rng.nextUnit() < 0.01
        let cents = isFree ? 0 : max(1, Int((basket * weight * 100).rounded()))
        let category =
          rng.nextUnit() < 0.7 ? (rng.nextUnit() < 0.5 ? favourites.0 : favourites.1) : rng.nextInt(below: 12)
        let channel = rng.nextUnit() < 0.85 ? usualChannel : rng.nextInt(below: 3)
        let line = Line(day: day, cents: cents, category: category, channel: channel)
        lines.append(line)
        if !isFree && rng.nextUnit() < 0.02 {
          let returnDay = day + 1 + rng.nextInt(below: 30)
          if returnDay <= span { returns.append(Line(day: returnDay, cents: -cents, category: category, channel: channel)) }
        }
      }
      if rng.nextUnit() < dropout { break }
      day += max(1, Int(rng.nextExponential(mean: 1 / rate).rounded()))
    }
    guard !returns.isEmpty else { return }
    // Interleave returns in date order (a stable sort keeps same-day purchases first).
    lines.append(contentsOf: returns)
    let ordered = lines.enumerated().sorted { ($0.element.day, $0.offset) < ($1.element.day, $1.offset) }
    lines = ordered.map(\.element)
  }

  private func geometric(_ rng: inout SplitMix64, mean: Double) -> Int {
    // Failures before a success with success probability 1/(1 + mean).
    let q = mean / (1 + mean)
    return Int(log(rng.nextOpenUnit()) / log(q))
  }
}
