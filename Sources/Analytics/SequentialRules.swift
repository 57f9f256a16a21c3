import Ingest

/// Sequential cross-sell: after a customer first buys X, how often do they buy Y within N days?
///
/// For each customer and item X, let f be the customer's first day with X. The customer is
/// *eligible* for X when the whole window `(f, f + N]` lies inside the data (`f + N ≤` the last
/// day), and *follows X with Y* when they bought Y (Y ≠ X) on a day in that window. Then for the
/// rule X ⇒ Y:
///
/// - `customers`: eligible customers who follow X with Y; support: that over all customers;
/// - confidence: that over the customers eligible for X;
/// - lift: confidence over Y's base rate within N days: of the customers whose window after
///   their first purchase day f₀ lies inside the data, the share who bought Y in `(f₀, f₀ + N]`.
///   Lift above 1 says first buying X makes Y more likely than an equally long window after a
///   first purchase does.
///
/// Customers with more than `maxItems` distinct items are left out (and counted), as oversized
/// baskets are. Rules need `customers ≥ minCustomers`, support ≥ `minSupport` and confidence ≥
/// `minConfidence`. Cost: per customer, the pairs of their distinct items.
public struct SequentialRules: Sendable {
  public struct Rule: Sendable, Equatable {
    public var first: Int32
    public var then: Int32
    public var eligible: Int
    public var customers: Int
    public var support: Double
    public var confidence: Double
    public var lift: Double
  }

  /// Strongest first: by lift, then confidence, then customers, then items.
  public let rules: [Rule]
  public let customers: Int
  public let oversized: Int

  public init(
    _ lines: PurchaseLines, lastDay: Int32, withinDays: Int, minSupport: Double, minConfidence: Double,
    maxItems: Int = 100
  ) {
    let sorted = CustomerItemDays(lines)
    let keys = sorted.keys
    let day = CustomerItemDays.day
    let itemCount = lines.items.count
    var baseline = [Int](repeating: 0, count: itemCount)
    var baselineCustomers = 0
    var eligible = [Int](repeating: 0, count: itemCount)
    var pairs: [UInt64: Int] = [:]
    var customers = 0, oversized = 0
    var itemStarts: [Int] = []
    let window = Int32(withinDays)
    for c in 0..<sorted.customerCount {
      let range = sorted.range(c)
      guard !range.isEmpty else { continue }
      // Runs of one item, days ascending.
      itemStarts.removeAll(keepingCapacity: true)
      var previousItem: UInt64 = .max
      for i in range where keys[i] >> 32 != previousItem {
        itemStarts.append(i)
        previousItem = keys[i] >> 32
      }
      guard itemStarts.count <= maxItems else {
        oversized += 1
        continue
      }
      customers += 1
      itemStarts.append(range.upperBound)
      // The base rate: items bought within the window after the customer's first purchase day.
      let firstDay = itemStarts.dropLast().map { day(keys[$0]) }.min()!
      if firstDay + window <= lastDay {
        baselineCustomers += 1
        for y in 0..<(itemStarts.count - 1)
        where keys[itemStarts[y]..<itemStarts[y + 1]].contains(where: { day($0) > firstDay && day($0) <= firstDay + window }) {
          baseline[Int(keys[itemStarts[y]] >> 32)] += 1
        }
      }
      for x in 0..<(itemStarts.count - 1) {
        let itemX = Int(keys[itemStarts[x]] >> 32)
        let first = day(keys[itemStarts[x]])
        guard first + window <= lastDay else { continue }
        eligible[itemX] += 1
        for y in 0..<(itemStarts.count - 1) where y != x {
          // Any day of Y in (first, first + window]?
          var follows = false
          for i in itemStarts[y]..<itemStarts[y + 1] {
            let d = day(keys[i])
            if d > first + window { break }
            if d > first {
              follows = true
              break
            }
          }
          if follows { pairs[UInt64(itemX) << 32 | (keys[itemStarts[y]] >> 32), default: 0] += 1 }
        }
      }
    }
    var rules: [Rule] = []
    let total = Double(customers)
    for (pair, count) in pairs {
      let x = Int(pair >> 32), y = Int(pair & 0xFFFF_FFFF)
      let support = Double(count) / total, confidence = Double(count) / Double(eligible[x])
      guard support >= minSupport, confidence >= minConfidence else { continue }
      let base = Double(baseline[y]) / Double(baselineCustomers)
      rules.append(
        Rule(
          first: Int32(x), then: Int32(y), eligible: eligible[x], customers: count, support: support,
          confidence: confidence, lift: base > 0 ? confidence / base : .infinity))
    }
    rules.sort { a, b in
      if a.lift != b.lift { return a.lift > b.lift }
      if a.confidence != b.confidence { return a.confidence > b.confidence }
      if a.customers != b.customers { return a.customers > b.customers }
      return (a.first, a.then) < (b.first, b.then)
    }
    self.rules = rules
    self.customers = customers
    self.oversized = oversized
  }
}
