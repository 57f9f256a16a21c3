import Foundation
import Ingest
import Synthetic
import Testing
import TestSupport

@Suite struct PurchaseGeneratorTests {
  static func bytes(customers: Int, seed: UInt64, start: String = "2022-01-01", end: String = "2024-12-31") throws -> [UInt8] {
    var out: [UInt8] = []
    try PurchaseGenerator(customers: customers, seed: seed, start: Day(iso: start)!, end: Day(iso: end)!).write { out += $0 }
    return out
  }

  @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
    #expect(try Self.bytes(customers: 200, seed: 1) == Self.bytes(customers: 200, seed: 1))
    #expect(try Self.bytes(customers: 200, seed: 1) != Self.bytes(customers: 200, seed: 2))
  }

  /// The bundled dataset is exactly what the command in Datasets/README.md makes.
  @Test func bundledDatasetIsReproducible() throws {
    let bundled = try Data(contentsOf: Repository.root.appendingPathComponent("Datasets/transactions.csv"))
    #expect([UInt8](bundled) == (try Self.bytes(customers: 5000, seed: 7)))
  }

  /// A customer's history does not depend on how many others are generated.
  @Test func customersAreIndependentOfTheCount() throws {
    let small = String(decoding: try Self.bytes(customers: 10, seed: 3), as: UTF8.self)
    let large = String(decoding: try Self.bytes(customers: 50, seed: 3), as: UTF8.self)
    #expect(large.hasPrefix(small))
  }

  @Test func outputReadsBackAndHasTheDocumentedShape() throws {
    let bytes = try Self.bytes(customers: 3000, seed: 5)
    let log = try TransactionLog.read(CSVReader(source: MemorySource(bytes), fileName: "gen.csv"))
    #expect(log.customerCount == 3000)
    #expect(log.firstDay >= Day(iso: "2022-01-01")! && log.lastDay <= Day(iso: "2024-12-31")!)
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst()
    let amounts = lines.map { Double($0.split(separator: ",")[2])! }
    let returns = Double(amounts.filter { $0 < 0 }.count) / Double(amounts.count)
    let free = Double(amounts.filter { $0 == 0 }.count) / Double(amounts.count)
    // About 2% of lines are returned and 1% are free (binomial noise on ~30,000 lines).
    #expect(returns > 0.01 && returns < 0.03, "return share \(returns)")
    #expect(free > 0.005 && free < 0.015, "free share \(free)")
    // Baskets average 1.9 lines: lines per purchase day within 10% of that.
    let purchaseDays = log.days.filter(\.isPurchaseDay).count
    let purchaseLines = log.days.reduce(0) { $0 + Int($1.purchaseLines) }
    let perBasket = Double(purchaseLines) / Double(purchaseDays)
    #expect(abs(perBasket - 1.9) < 0.19, "lines per basket \(perBasket)")
    // Every line's category and channel come from the documented lists.
    #expect(Set(try #require(log.categories).values).isSubset(of: PurchaseGenerator.categories))
    #expect(Set(try #require(log.channels).values) == Set(PurchaseGenerator.channels))
  }

  @Test func samplersHaveTheirMeans() {
    var rng = SplitMix64(seed: 99)
    let n = 200_000
    var gamma = 0.0, gammaSmall = 0.0, beta = 0.0
    for _ in 0..<n {
      gamma += rng.nextGamma(shape: 2.5)
      gammaSmall += rng.nextGamma(shape: 0.75)
      beta += rng.nextBeta(0.8, 4)
    }
    // Standard errors: sqrt(2.5/n) ≈ 0.0035, sqrt(0.75/n) ≈ 0.0019, ≈ 0.0004; bounds are 5 of them.
    #expect(abs(gamma / Double(n) - 2.5) < 0.018)
    #expect(abs(gammaSmall / Double(n) - 0.75) < 0.01)
    #expect(abs(beta / Double(n) - 0.8 / 4.8) < 0.002)
  }
}
