import Foundation
import Testing
import TestSupport

@testable import Learners

/// Against scikit-learn's `RandomForestClassifier` (fixture: `Notebooks/oracles/sklearn_reference.py`):
/// 100 trees, √p features a split, bootstrap; trained on the bundled dataset at 2024-06-30 and
/// judged on the customers at 2024-09-30. Different random draws make different trees, so the
/// comparison is of quality: ROC-AUC within 0.005, out-of-bag accuracy within 0.01.
@Suite struct RandomForestTests {
  /// ROC-AUC by pair counting (ties count one half).
  static func auc(_ labels: [UInt8], _ scores: [Double]) -> Double {
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rankSum = 0.0, i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
      let rank = Double(i + j) / 2 + 1
      for k in i...j where labels[order[k]] == 1 { rankSum += rank }
      i = j + 1
    }
    let positives = Double(labels.filter { $0 == 1 }.count), negatives = Double(labels.count) - positives
    return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
  }

  @Test(arguments: 0..<2)
  func asGoodAsScikitLearn(setting: Int) throws {
    let (json, train, labels, test, testLabels) = try BundledFeatures.load(fixture: "forest_reference")
    let reference = (json["forests"] as! [[String: Any]])[setting]
    let settings = reference["settings"] as! [String: Any]
    let forest = RandomForest(
      trees: 100, maxFeatures: .sqrt, seed: 7,
      tree: DecisionTree(maxDepth: settings["max_depth"] as? Int, minSamplesLeaf: settings["min_samples_leaf"] as! Int))
    let model = try forest.fit(train, labels)
    #expect(model.trees.count == 100)
    let auc = Self.auc(testLabels, try model.predictProbability(test))
    let theirs = reference["test_roc_auc"] as! Double
    #expect(abs(auc - theirs) <= 0.005, "ROC-AUC \(auc) against scikit-learn's \(theirs)")
    let oob = try #require(model.outOfBag)
    #expect(abs(oob.accuracy - (reference["oob_accuracy"] as! Double)) <= 0.01, "OOB accuracy \(oob.accuracy)")
    // About e^-1 of the rows are out of bag for each tree, so nearly every row has an estimate.
    #expect(oob.rows >= train.rowCount * 99 / 100)
    print("forest setting \(setting): ROC-AUC \(auc) (scikit-learn \(theirs)); OOB accuracy \(oob.accuracy) (\(reference["oob_accuracy"] as! Double))")
  }

  /// The same seed gives the same forest; another seed another one; importances sum to 1.
  @Test func seededAndDeterministic() throws {
    let (_, train, labels, _, _) = try BundledFeatures.load(fixture: "forest_reference")
    let forest = RandomForest(trees: 5, seed: 3, tree: DecisionTree(maxDepth: 4, minSamplesLeaf: 10))
    let a = try forest.fit(train, labels), b = try forest.fit(train, labels)
    #expect(a.trees == b.trees)
    var other = forest
    other.seed = 4
    #expect(try other.fit(train, labels).trees != a.trees)
    expectClose(a.featureImportances.reduce(0, +), 1, relativeTolerance: 1e-12)
    // Without bootstrap and with every feature, each tree is the plain tree.
    let plain = try RandomForest(trees: 2, maxFeatures: .all, bootstrap: false, tree: DecisionTree(maxDepth: 4)).fit(train, labels)
    let single = try DecisionTree(maxDepth: 4).fit(train, labels)
    #expect(plain.trees.allSatisfy { $0 == single.nodes })
    #expect(throws: FitError.self) { try RandomForest(trees: 0).fit(train, labels) }
  }
}
