import Foundation
import Ingest
import Testing
import TestSupport

@testable import Analytics

/// Association rules against mlxtend (fpgrowth + association_rules), sequential rules against
/// pandas, and FP-growth against brute-force counting.
@Suite struct RulesTests {
  func expectSameRules(_ log: TransactionLog, _ ref: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
    let baskets = Baskets(log.lines!, maxItems: 100)
    #expect(baskets.count == ref["baskets"] as! Int, sourceLocation: sourceLocation)
    let frequent = FrequentItemsets(baskets, minSupport: ref["min_support"] as! Double, maxLength: ref["max_len"] as! Int)
    #expect(frequent.itemsets.count == ref["itemsets"] as! Int, sourceLocation: sourceLocation)
    let rules = AssociationRules(frequent, minConfidence: ref["min_confidence"] as! Double).rules
    func text(_ items: [Int32]) -> String { items.map { baskets.names[Int($0)] }.sorted().joined(separator: "|") }
    let mine = rules.sorted { (text($0.antecedent), text($0.consequent)) < (text($1.antecedent), text($1.consequent)) }
    let expected = ref["rules"] as! [[String: Any]]
    #expect(mine.count == expected.count, sourceLocation: sourceLocation)
    for (rule, e) in zip(mine, expected) {
      #expect(text(rule.antecedent) == (e["antecedents"] as! [String]).joined(separator: "|"), sourceLocation: sourceLocation)
      #expect(text(rule.consequent) == (e["consequents"] as! [String]).joined(separator: "|"), sourceLocation: sourceLocation)
      let pairs: [(Double, String)] = [
        (rule.antecedentSupport, "antecedent support"), (rule.consequentSupport, "consequent support"), (rule.support, "support"),
        (rule.confidence, "confidence"), (rule.lift, "lift"), (rule.leverage, "leverage"),
      ]
      for (value, key) in pairs {
        expectClose(value, e[key] as! Double, relativeTolerance: 1e-12, absoluteTolerance: 1e-15, key, sourceLocation: sourceLocation)
      }
      if let conviction = e["conviction"] as? Double {
        expectClose(rule.conviction, conviction, relativeTolerance: 1e-12, sourceLocation: sourceLocation)
      } else {
        #expect(rule.conviction == .infinity, sourceLocation: sourceLocation)
      }
    }
  }

  @Test func categoryRulesOnCustomerDaysMatchMlxtend() throws {
    expectSameRules(try AnalyticsFixture.bundled(keepLines: true), try AnalyticsFixture.json("category_rules"))
  }

  @Test func productRulesOnOrdersMatchMlxtend() throws {
    let sha = try Fixture.json("analytics_reference")["baskets_csv_sha256"] as! String
    var hash = SHA256()
    hash.update([UInt8](try Data(contentsOf: Repository.fixture("baskets.csv"))))
    #expect(hash.hexDigest() == sha)  // the file the oracle mined
    let log = try AnalyticsFixture.products()
    #expect(log.lines!.linesWithoutItem > 0)  // the file has lines without a product; they are counted
    expectSameRules(log, try AnalyticsFixture.json("product_rules"))
  }

  @Test func sequentialRulesMatchPandas() throws {
    let ref = try AnalyticsFixture.json("sequential_rules")
    let log = try AnalyticsFixture.bundled(keepLines: true)
    let result = SequentialRules(
      log.lines!, lastDay: log.lastDay.ordinal, withinDays: ref["within"] as! Int, minSupport: ref["min_support"] as! Double,
      minConfidence: ref["min_confidence"] as! Double)
    #expect(result.customers == ref["customers"] as! Int)
    let names = log.lines!.items
    let mine = result.rules.sorted { (names[Int($0.first)], names[Int($0.then)]) < (names[Int($1.first)], names[Int($1.then)]) }
    let expected = ref["rules"] as! [[String: Any]]
    #expect(mine.count == expected.count)
    for (rule, e) in zip(mine, expected) {
      #expect(names[Int(rule.first)] == e["first"] as! String && names[Int(rule.then)] == e["then"] as! String)
      #expect(rule.eligible == e["eligible"] as! Int && rule.customers == e["customers"] as! Int)
      expectClose(rule.support, e["support"] as! Double)
      expectClose(rule.confidence, e["confidence"] as! Double)
      expectClose(rule.lift, e["lift"] as! Double)
    }
  }

  @Test func basketsGroupOrdersThenCustomerDaysAndLeaveOutOversized() throws {
    let csv = """
      customer_id,date,amount,category,order_id
      A,2024-01-01,1,x,O1
      A,2024-01-01,1,y,O1
      A,2024-01-01,1,x,O1
      A,2024-01-01,1,z,O2
      A,2024-01-02,-1,x,O1
      B,2024-01-01,1,y,
      B,2024-01-01,1,z,
      B,2024-01-02,1,y,
      C,2024-01-03,1,a,O9
      C,2024-01-03,1,b,O9
      C,2024-01-03,1,c,O9
      C,2024-01-03,1,,O9
      """
    let log = try TransactionLog.read(
      CSVReader(source: MemorySource(Array(csv.utf8)), fileName: "t.csv"),
      options: { var o = IngestOptions(); o.keepLines = .required; return o }())
    #expect(log.lines!.linesWithoutItem == 1)
    let baskets = Baskets(log.lines!, maxItems: 2)
    let sets = (0..<baskets.count).map { b in
      baskets.items[baskets.offsets[b]..<baskets.offsets[b + 1]].map { baskets.names[Int($0)] }
    }
    // O1 {x, y} (duplicate x once, the return left out), O2 {z}, B's two days, O9 too big.
    #expect(sets == [["x", "y"], ["z"], ["y", "z"], ["y"]])
    #expect(baskets.oversized == 1)
    // x appears only with y: x → y has confidence 1 and infinite conviction.
    let rules = AssociationRules(FrequentItemsets(baskets, minSupport: 0.25), minConfidence: 0.5).rules
    let xy = try #require(rules.first { $0.antecedent.map { baskets.names[Int($0)] } == ["x"] })
    #expect(xy.consequent.map { baskets.names[Int($0)] } == ["y"] && xy.confidence == 1 && xy.conviction == .infinity)
    expectClose(xy.lift, 1 / 0.75)
    expectClose(xy.leverage, 0.25 - 0.25 * 0.75)
  }

  @Test func fpGrowthCountsEveryItemsetAsBruteForce() {
    var generator = SplitMix64(seed: 42)
    for trial in 0..<20 {
      let itemCount = 3 + Int(generator.next() % 6)
      var lines: [(Int32, Int32)] = []  // (basket, item)
      let basketCount = 20 + Int(generator.next() % 60)
      for b in 0..<basketCount {
        for item in 0..<itemCount where generator.nextUnit() < 0.35 + 0.05 * Double(item % 3) {
          lines.append((Int32(b), Int32(item)))
        }
      }
      let purchase = PurchaseLines(
        items: (0..<itemCount).map { "i\($0)" }, customer: lines.map { _ in 0 }, day: lines.map { $0.0 }, order: lines.map { _ in -1 },
        item: lines.map { $0.1 }, orderCount: 0, linesWithoutItem: 0)
      let baskets = Baskets(purchase, maxItems: 100)
      let minSupport = 0.05 + 0.3 * generator.nextUnit()
      let found = FrequentItemsets(baskets, minSupport: minSupport, maxLength: 4)
      // Brute force: every subset of up to 4 items, counted over every basket.
      var expected: [[Int32]: Int] = [:]
      for mask in 1..<(1 << itemCount) where mask.nonzeroBitCount <= 4 {
        let set = (0..<itemCount).filter { mask & (1 << $0) != 0 }.map(Int32.init)
        var count = 0
        for b in 0..<baskets.count {
          let basket = Set(baskets.items[baskets.offsets[b]..<baskets.offsets[b + 1]])
          if set.allSatisfy(basket.contains) { count += 1 }
        }
        if Double(count) / Double(baskets.count) >= minSupport { expected[set] = count }
      }
      let mine = Dictionary(uniqueKeysWithValues: found.itemsets.map { ($0.items, $0.count) })
      #expect(mine == expected, "trial \(trial), seed 42")
    }
  }
}
