import Foundation
import Testing
import TestSupport

@testable import Learners

/// Against LightGBM's `LGBMClassifier` (fixture: `Notebooks/oracles/lightgbm_reference.py`) in
/// two settings, trained on the bundled dataset at 2024-06-30 and judged on the customers at
/// 2024-09-30: ROC-AUC within 0.003 of LightGBM's.
@Suite struct BoostedTreesTests {
  static func model(_ settings: [String: Any]) -> BoostedTrees {
    BoostedTrees(
      rounds: settings["n_estimators"] as! Int, learningRate: settings["learning_rate"] as! Double,
      maxLeaves: settings["num_leaves"] as! Int, maxDepth: settings["max_depth"] as? Int,
      minSamplesLeaf: settings["min_child_samples"] as! Int, l2: settings["reg_lambda"] as! Double,
      rowFraction: settings["subsample"] as? Double ?? 1, featureFraction: settings["colsample_bytree"] as? Double ?? 1, seed: 3)
  }

  @Test(arguments: 0..<2)
  func asGoodAsLightGBM(setting: Int) throws {
    let json = try Fixture.json("boosted_reference")
    let (_, train, labels, test, testLabels) = try BundledFeatures.load(fixture: "boosted_reference")
    let reference = (json["boosted"] as! [[String: Any]])[setting]
    let model = try Self.model(reference["settings"] as! [String: Any]).fit(train, labels)
    let auc = RandomForestTests.auc(testLabels, try model.predictProbability(test))
    let theirs = reference["test_roc_auc"] as! Double
    print("boosted setting \(setting): ROC-AUC \(auc) (LightGBM \(theirs)), \(model.trees.count) trees")
    #expect(abs(auc - theirs) <= 0.003, "ROC-AUC \(auc) against LightGBM's \(theirs)")
  }

  /// The loss falls round by round on the training rows; early stopping keeps the best round;
  /// the same seed gives the same model.
  @Test func boostingBehaves() throws {
    let (_, train, labels, _, _) = try BundledFeatures.load(fixture: "boosted_reference")
    func logLoss(_ model: BoostedTreesModel) throws -> Double {
      let p = try model.predictProbability(train)
      return zip(p, labels.values).map { $1 == 1 ? -log($0) : -log(1 - $0) }.reduce(0, +) / Double(p.count)
    }
    let few = try BoostedTrees(rounds: 5).fit(train, labels), more = try BoostedTrees(rounds: 50).fit(train, labels)
    #expect(try logLoss(more) < (try logLoss(few)))
    let base = BoostedTreesModel(
      featureNames: few.featureNames, impute: few.impute, missing: few.missing, initialScore: few.initialScore, trees: [],
      validationLogLoss: nil)
    let rate = Double(labels.positives) / Double(labels.count)
    expectClose(try base.predictProbability(train)[0], rate, relativeTolerance: 1e-12)
    let stopped = try BoostedTrees(rounds: 500, learningRate: 0.3, earlyStoppingRounds: 10).fit(train, labels)
    #expect(stopped.trees.count < 500 && stopped.validationLogLoss != nil)
    let a = try BoostedTrees(rounds: 10, rowFraction: 0.7, featureFraction: 0.5, seed: 9).fit(train, labels)
    let b = try BoostedTrees(rounds: 10, rowFraction: 0.7, featureFraction: 0.5, seed: 9).fit(train, labels)
    #expect(a == b)
    #expect(a.trees.allSatisfy { $0.left.filter { $0 < 0 }.count <= 31 })
    #expect(throws: FitError.self) { try BoostedTrees(rounds: 0).fit(train, labels) }
  }
}
