import Foundation
import Testing
import TestSupport

@testable import Learners

/// The branch-free forest scorer against walking each tree: the same probability for
/// every row, bit for bit, on random trees of uneven depth, with missing values.
@Suite struct BranchFreeTreesTests {
  /// A random tree: each node splits with probability `split` until `maxDepth`.
  static func randomTree(_ generator: inout SplitMix64, features: Int, maxDepth: Int, split: Double) -> DecisionTreeModel.Nodes {
    var nodes = DecisionTreeModel.Nodes()
    func add(depth: Int) -> Int32 {
      let index = nodes.appendLeaf(value: generator.nextUnit())
      if depth < maxDepth && (depth == 0 || generator.nextUnit() < split) {
        nodes.feature[index] = Int32(generator.next() % UInt64(features))
        // Thresholds on a coarse grid, so rows often sit exactly on one (x <= t goes left).
        nodes.threshold[index] = Double(generator.next() % 11) * 10
        let left = add(depth: depth + 1)
        let right = add(depth: depth + 1)
        nodes.left[index] = left
        nodes.right[index] = right
      }
      return Int32(index)
    }
    _ = add(depth: 0)
    return nodes
  }

  static func forest(seed: UInt64, trees: Int, maxDepth: Int) -> (RandomForestModel, FeatureMatrix) {
    var generator = SplitMix64(seed: seed)
    let features = 5, rows = 1_000
    let nodes = (0..<trees).map { _ in randomTree(&generator, features: features, maxDepth: maxDepth, split: 0.8) }
    let names = (0..<features).map { "f\($0)" }
    let model = RandomForestModel(
      featureNames: names, impute: [50, 30, 70, 10, 90], missing: Array(repeating: 0, count: features), trees: nodes,
      criterion: .gini, outOfBag: nil)
    let values = (0..<(rows * features)).map { _ -> Double in
      generator.nextUnit() < 0.05 ? .nan : Double(generator.next() % 21) * 5
    }
    return (model, FeatureMatrix(featureNames: names, rowCount: rows, values: values))
  }

  @Test(arguments: [(UInt64(1), 12), (2, 5), (3, 20), (4, 1)])
  func equalsWalkingEachTree(seed: UInt64, depth: Int) throws {
    let (model, x) = Self.forest(seed: seed, trees: 30, maxDepth: depth)
    let branchFree = try #require(BranchFreeTrees(model.trees))
    #expect(branchFree.depth == model.trees.map(\.depth).max())
    #expect(branchFree.nodes.count == model.trees.reduce(0) { $0 + $1.count })
    let fast = try model.predictProbability(x)
    // The walk, tree by tree, summed in the same order.
    let walked = (0..<x.rowCount).map { i in
      let row = Array(x.values[(i * 5)..<((i + 1) * 5)])
      let sum = model.treeModels.reduce(0.0) { total, tree in
        total + row.withUnsafeBufferPointer { tree.nodes.value[tree.leaf($0)] }
      }
      return sum / Double(model.trees.count)
    }
    #expect(fast == walked, "seed \(seed)")
  }

  @Test func deepTreesAreWalked() throws {
    // A chain: each split's left child is a leaf, its right child splits again, 65 levels down.
    var deep = DecisionTreeModel.Nodes.leaf(0)
    for level in 0..<65 {
      deep.left[level * 2] = Int32(level * 2 + 1)
      deep.right[level * 2] = Int32(level * 2 + 2)
      deep.feature[level * 2] = 0
      deep.threshold[level * 2] = Double(level)
      for _ in 0..<2 { deep.appendLeaf(value: Double(level)) }
    }
    #expect(deep.depth == 65)
    #expect(BranchFreeTrees([deep]) == nil)
    #expect(BranchFreeTrees([DecisionTreeModel.Nodes.leaf(0.25)])?.depth == 0)
    // The walk scores it: rows at 0.5, 10.5, … stop at leaf `level`, with value `level`.
    let model = RandomForestModel(
      featureNames: ["f0"], impute: [0], missing: [0], trees: [deep], criterion: .gini, outOfBag: nil)
    let x = FeatureMatrix(featureNames: ["f0"], rowCount: 4, values: [-1, 0.5, 10.5, 70])
    #expect(try model.predictProbability(x) == [0, 1, 11, 64])
  }
}
