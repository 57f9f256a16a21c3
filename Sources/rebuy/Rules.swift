import Analytics
import ArgumentParser
import Foundation
import Ingest
import RebuyCore

struct RulesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rules",
    abstract: "Cross-sell rules: items bought together (FP-growth), or bought next within N days (--sequential).",
    discussion: """
      Baskets are orders (--order-col, default order_id) or, without one, customer-days; items
      are categories, or the values of --item-col (a product column). Returns are left out.
      Frequent itemsets (support ≥ --min-support, up to --max-len items) are mined with
      FP-growth, without a dense basket × item matrix; every rule A → C from them with
      confidence ≥ --min-confidence is written with its support, confidence, lift, leverage
      and conviction (mlxtend's definitions), strongest lift first. Items in a rule are joined
      with |. Baskets with more than --max-basket-items distinct items are left out and counted.
      With --sequential, rules read "after first buying X, the customer buys Y within --within
      days": over customers whose window lies inside the data (see the README).
      """)

  @OptionGroup var input: InputOptions

  @Option(name: .customLong("item-col"), help: "Column whose values are the items (default: the category column).")
  var itemColumn: String?

  @Option(name: .customLong("min-support"), help: "Smallest share of baskets (customers, with --sequential) a rule's items appear in.")
  var minSupport = 0.01

  @Option(name: .customLong("min-confidence"), help: "Smallest confidence of a rule.")
  var minConfidence = 0.2

  @Option(name: .customLong("max-len"), help: "Most items in an itemset (antecedent and consequent together).")
  var maxLength = 3

  @Option(name: .customLong("max-basket-items"), help: "Baskets (or, with --sequential, customers) with more distinct items are left out, and counted.")
  var maxBasketItems = 100

  @Flag(help: "Rules of what customers buy next after first buying an item.")
  var sequential = false

  @Option(help: "With --sequential: days after the first purchase of an item that count as next.")
  var within = 30

  @Option(help: "Rules shown on standard error (the CSV has all).")
  var top = 15

  @Option(name: .shortAndLong, help: "Rules CSV; - (the default) is standard output.")
  var output = "-"

  func validate() throws {
    guard minSupport > 0, minSupport <= 1 else { throw ValidationError("--min-support must be in (0, 1], got \(minSupport).") }
    guard minConfidence >= 0, minConfidence <= 1 else {
      throw ValidationError("--min-confidence must be in [0, 1], got \(minConfidence).")
    }
    guard maxLength >= 2 else { throw ValidationError("--max-len must be at least 2 (a rule has two sides), got \(maxLength).") }
    guard maxBasketItems >= 2 else { throw ValidationError("--max-basket-items must be at least 2, got \(maxBasketItems).") }
    guard within >= 1 else { throw ValidationError("--within must be at least 1 day, got \(within).") }
    guard top >= 0 else { throw ValidationError("--top must be at least 0, got \(top).") }
  }

  func run() throws {
    try exitingOnDomainError {
      let log = try input.readLog(keepLines: .required, itemColumn: itemColumn)
      let lines = log.lines!
      if lines.linesWithoutItem > 0 {
        Terminal.say("\(Terminal.count(lines.linesWithoutItem)) purchase lines have an empty item and are left out.")
      }
      guard lines.count > 0 else { throw RulesProblem.noItems }
      if sequential {
        try writeSequential(lines, lastDay: log.lastDay.ordinal)
      } else {
        try writeBasketRules(lines)
      }
    }
  }

  private func writeBasketRules(_ lines: PurchaseLines) throws {
    let start = ContinuousClock.now
    let baskets = Baskets(lines, maxItems: maxBasketItems)
    let frequent = FrequentItemsets(baskets, minSupport: minSupport, maxLength: maxLength)
    let rules = AssociationRules(frequent, minConfidence: minConfidence).rules
    let names = baskets.names
    func items(_ list: [Int32]) -> String { list.map { names[Int($0)] }.sorted().joined(separator: "|") }
    // Infinite conviction (confidence 1) is written `inf`, as pandas reads it.
    try writeCSV(output) { csv in
      csv.text("antecedents,consequents,antecedent_support,consequent_support,support,confidence,lift,leverage,conviction\n")
      for rule in rules {
        csv.field(items(rule.antecedent))
        csv.byte(UInt8(ascii: ","))
        csv.field(items(rule.consequent))
        csv.cells([rule.antecedentSupport, rule.consequentSupport, rule.support, rule.confidence, rule.lift, rule.leverage, rule.conviction])
        csv.byte(UInt8(ascii: "\n"))
        try csv.flushIfFull()
      }
    }
    let basketKind = lines.orderCount > 0 ? "orders" : "customer-days"
    Terminal.say(
      "\(Terminal.count(baskets.count)) baskets (\(basketKind)) of \(Terminal.count(names.count)) items; "
        + "\(Terminal.count(frequent.itemsets.count)) frequent itemsets, \(Terminal.count(rules.count)) rules "
        + "(\(Terminal.seconds(since: start))).")
    if baskets.oversized > 0 {
      Terminal.say("\(Terminal.count(baskets.oversized)) baskets with more than \(maxBasketItems) items were left out (--max-basket-items).")
    }
    var table = TextTable(["rule", "support", "confidence", "lift"])
    for rule in rules.prefix(top) {
      table.add(
        ["\(items(rule.antecedent)) → \(items(rule.consequent))", TextTable.percent(rule.support),
         TextTable.percent(rule.confidence), String(format: "%.2f", rule.lift)])
    }
    if top > 0 && !rules.isEmpty { Terminal.say(table.text) }
  }

  private func writeSequential(_ lines: PurchaseLines, lastDay: Int32) throws {
    let result = SequentialRules(
      lines, lastDay: lastDay, withinDays: within, minSupport: minSupport, minConfidence: minConfidence,
      maxItems: maxBasketItems)
    let names = lines.items
    try writeCSV(output) { csv in
      csv.text("first,then,eligible_customers,customers,support,confidence,lift\n")
      for rule in result.rules {
        csv.field(names[Int(rule.first)])
        csv.byte(UInt8(ascii: ","))
        csv.field(names[Int(rule.then)])
        csv.text(",\(rule.eligible),\(rule.customers)")
        csv.cells([rule.support, rule.confidence, rule.lift])
        csv.byte(UInt8(ascii: "\n"))
        try csv.flushIfFull()
      }
    }
    Terminal.say(
      "\(Terminal.count(result.customers)) customers; \(Terminal.count(result.rules.count)) rules of what is bought within \(within) days after first buying an item.")
    if result.oversized > 0 {
      Terminal.say("\(Terminal.count(result.oversized)) customers with more than \(maxBasketItems) items were left out (--max-basket-items).")
    }
    var table = TextTable(["after first buying", "then within \(within)d", "customers", "confidence", "lift"])
    for rule in result.rules.prefix(top) {
      table.add(
        [names[Int(rule.first)], names[Int(rule.then)], Terminal.count(rule.customers), TextTable.percent(rule.confidence),
         String(format: "%.2f", rule.lift)])
    }
    if top > 0 && !result.rules.isEmpty { Terminal.say(table.text) }
  }
}

enum RulesProblem: ExitStatusError {
  case noItems

  var exitStatus: Int32 { 65 }
  var description: String { "no purchase line has an item, so there are no baskets to mine" }
}
