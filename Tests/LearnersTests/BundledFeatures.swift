import Features
import Foundation
import Ingest
import Testing
import TestSupport

@testable import Learners

/// The bundled dataset's features at a fixture's training and test cutoffs (horizon 90), in
/// the fixture's feature columns: what the scikit-learn and LightGBM fixtures were made from.
enum BundledFeatures {
  static func load(fixture: String) throws
    -> (json: [String: Any], train: FeatureMatrix, labels: Labels, test: FeatureMatrix, testLabels: [UInt8])
  {
    let json = try Fixture.json(fixture)
    let names = json["features"] as! [String]
    let bytes = try Data(contentsOf: Repository.root.appendingPathComponent("Datasets/transactions.csv"))
    let log = try TransactionLog.read(CSVReader(source: MemorySource([UInt8](bytes)), fileName: "transactions.csv"))
    func table(_ cutoff: String) throws -> (FeatureMatrix, [UInt8]) {
      let built = try FeatureBuilder(for: log).build(log, snapshots: [Snapshot(cutoff: Day(iso: cutoff)!, horizon: 90)])
      return (built.matrix.columns(names)!, built.labels!)
    }
    let (train, labels) = try table(json["train_cutoff"] as! String)
    let (test, testLabels) = try table(json["test_cutoff"] as! String)
    return (json, train, Labels(labels), test, testLabels)
  }
}
