import Foundation
import Ingest
import TestSupport

/// The analytics oracle's fixture (Notebooks/oracles/analytics_reference.py) and the logs it
/// was made from.
enum AnalyticsFixture {
  static func json(_ section: String) throws -> [String: Any] {
    try Fixture.json("analytics_reference")[section] as! [String: Any]
  }

  /// The bundled dataset; `keepLines` keeps its purchase lines with their category.
  static func bundled(keepLines: Bool = false) throws -> TransactionLog {
    try read(Repository.root.appendingPathComponent("Datasets/transactions.csv"), keepLines: keepLines)
  }

  /// Tests/Fixtures/baskets.csv, with its product column as the item.
  static func products() throws -> TransactionLog {
    try read(Repository.fixture("baskets.csv"), keepLines: true, item: "product")
  }

  static func read(_ url: URL, keepLines: Bool, item: String? = nil) throws -> TransactionLog {
    let bytes = try Data(contentsOf: url)
    var options = IngestOptions()
    options.keepLines = keepLines ? .required : .no
    options.columns.item = item
    return try TransactionLog.read(CSVReader(source: MemorySource([UInt8](bytes)), fileName: url.lastPathComponent), options: options)
  }

  /// Optional doubles from JSON (null is missing).
  static func optionals(_ value: Any?) -> [Double?] {
    (value as! [Any]).map { $0 is NSNull ? nil : ($0 as! Double) }
  }
}
