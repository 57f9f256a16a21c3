/// Cross-sell rules "baskets with A also have C" from frequent itemsets, with mlxtend's metrics.
///
/// For every frequent itemset I of two or more items and every non-empty proper subset A of I,
/// the rule A → C with C = I \ A has, with s(·) the support:
///
/// - support `s(I)`, confidence `s(I) / s(A)`, lift `confidence / s(C)` (both computed from the
///   basket counts),
/// - leverage `s(I) − s(A)·s(C)`, conviction `(1 − s(C)) / (1 − confidence)` (infinite when the
///   confidence is 1).
///
/// Rules with confidence below `minConfidence` are left out. Every subset of a frequent
/// itemset is frequent, so every support needed is among the itemsets.
public struct AssociationRules: Sendable {
  /// One rule; items are indices into the basket item names, ascending.
  public struct Rule: Sendable, Equatable {
    public var antecedent: [Int32]
    public var consequent: [Int32]
    public var antecedentSupport: Double
    public var consequentSupport: Double
    public var support: Double
    public var confidence: Double
    public var lift: Double
    public var leverage: Double
    public var conviction: Double
  }

  /// Strongest first: by lift, then confidence, then support (descending), then items.
  public let rules: [Rule]

  public init(_ frequent: FrequentItemsets, minConfidence: Double) {
    var supports: [[Int32]: Int] = [:]
    for set in frequent.itemsets { supports[set.items] = set.count }
    let n = Double(frequent.baskets)
    var rules: [Rule] = []
    for set in frequent.itemsets where set.items.count >= 2 {
      let size = set.items.count
      let support = Double(set.count) / n
      for mask in 1..<((1 << size) - 1) {
        var antecedent: [Int32] = [], consequent: [Int32] = []
        for (bit, item) in set.items.enumerated() {
          if mask & (1 << bit) != 0 { antecedent.append(item) } else { consequent.append(item) }
        }
        let countA = supports[antecedent]!, countC = supports[consequent]!
        let sa = Double(countA) / n, sc = Double(countC) / n
        // From the counts: the correctly rounded ratio, so a rule exactly at the threshold is kept.
        let confidence = Double(set.count) / Double(countA)
        guard confidence >= minConfidence else { continue }
        rules.append(
          Rule(
            antecedent: antecedent, consequent: consequent, antecedentSupport: sa, consequentSupport: sc,
            support: support, confidence: confidence,
            // From the counts too, so A → C and C → A get exactly the same lift.
            lift: Double(set.count) * n / (Double(countA) * Double(countC)), leverage: support - sa * sc,
            conviction: confidence >= 1 ? .infinity : (1 - sc) / (1 - confidence)))
      }
    }
    rules.sort { a, b in
      if a.lift != b.lift { return a.lift > b.lift }
      if a.confidence != b.confidence { return a.confidence > b.confidence }
      if a.support != b.support { return a.support > b.support }
      if a.antecedent != b.antecedent { return a.antecedent.lexicographicallyPrecedes(b.antecedent) }
      return a.consequent.lexicographicallyPrecedes(b.consequent)
    }
    self.rules = rules
  }
}
