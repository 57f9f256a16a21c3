import Features
import Foundation
import Ingest
import Testing
import TestSupport

/// Every value of every customer against the pandas implementation in
/// `Notebooks/oracles/features_pandas.py` (fixtures record the pandas and numpy versions), with
/// the label and the purchase days in the label window.
///
/// Counts and days must be equal; sums of amounts may differ in the last bits because the two
/// implementations add in different orders, so real values are compared to 1e-9 relative
/// (plus 1e-9 absolute for values near zero).
@Suite struct OracleTests {
  @Test(arguments: ["features_bundled", "features_messy"])
  func everyValueMatchesPandas(fixtureName: String) throws {
    let fixture = try Fixture.json(fixtureName)
    let input = try #require(fixture["input"] as? String)
    let cutoffs = try #require(fixture["cutoffs"] as? [String]).map { Day(iso: $0)! }
    let horizon = try #require(fixture["horizon"] as? Int)
    let columns = try #require(fixture["columns"] as? [String])
    let rows = try #require(fixture["rows"] as? [[Any]])

    let bytes = try Data(contentsOf: Repository.root.appendingPathComponent(input))
    let log = try TransactionLog.read(CSVReader(source: MemorySource([UInt8](bytes)), fileName: input))
    let table = try FeatureBuilder(for: log).build(log, snapshots: cutoffs.map { Snapshot(cutoff: $0, horizon: horizon) })

    let featureColumns = Array(columns.dropFirst(2).dropLast(2))
    #expect(table.featureNames == featureColumns)
    var ours: [String: Int] = [:]
    for row in 0..<table.rowCount {
      ours["\(log.customerIDs[Int(table.customers[row])])|\(Day(ordinal: table.cutoffs[row]))"] = row
    }
    #expect(ours.count == rows.count, "the same customers appear in each snapshot")
    var compared = 0
    for reference in rows {
      let key = "\(reference[0] as! String)|\(reference[1] as! String)"
      guard let row = ours[key] else {
        Issue.record("pandas has \(key), Rebuy does not")
        continue
      }
      for (column, name) in featureColumns.enumerated() {
        let expected = reference[2 + column] as? Double
        let actual = table.value(row: row, feature: column)
        guard let expected, let actual else {
          #expect(actual == nil && expected == nil, "\(key) \(name): \(String(describing: actual)) vs \(String(describing: expected))")
          continue
        }
        if Feature(rawValue: name)!.isCount {
          #expect(actual == expected, "\(key) \(name)")
        } else {
          expectClose(actual, expected, relativeTolerance: 1e-9, absoluteTolerance: 1e-9, "\(key) \(name)")
        }
        compared += 1
      }
      #expect(Int(table.labels![row]) == reference[reference.count - 2] as! Int, "\(key) repurchase")
      #expect(Int(table.windowPurchaseDays![row]) == reference.last as! Int, "\(key) purchase days in the window")
    }
    #expect(compared > 0)
  }
}
