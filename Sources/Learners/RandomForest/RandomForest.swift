import Foundation
import RebuyCore

/// A random forest of CART trees (Breiman 2001), as scikit-learn's `RandomForestClassifier`:
/// each tree grows on a bootstrap sample of the rows (drawn with replacement; a row drawn k
/// times weighs k) and at each node tries a random subset of `maxFeatures` of the node's
/// non-constant features; the forest's probability is the mean of its trees'. Seeded: each
/// tree's bootstrap and feature draws come from its own `SplitMix64`, seeded in turn from one
/// seeded by `seed`, so the same seed gives the same forest on any machine.
///
/// The out-of-bag estimate scores each row with the trees that did not draw it.
public struct RandomForest: Estimator {
  /// How many features each split may try.
  public enum MaxFeatures: Sendable, Equatable, Codable {
    /// √p (scikit-learn's default for classifiers), rounded down, at least 1.
    case sqrt
    case log2
    case all
    case count(Int)
    /// This share of the features, rounded down, at least 1.
    case fraction(Double)

    public func resolve(_ p: Int) -> Int {
      let k: Int
      switch self {
      case .sqrt: k = Int(Double(p).squareRoot())
      case .log2: k = Int(Foundation.log2(Double(p)))
      case .all: k = p
      case let .count(c): k = c
      case let .fraction(f): k = Int(f * Double(p))
      }
      return min(p, max(1, k))
    }
  }

  public var trees: Int
  public var maxFeatures: MaxFeatures
  public var bootstrap: Bool
  public var seed: UInt64
  /// Each tree's settings (criterion, depth and leaf limits, class weights).
  public var tree: DecisionTree

  public init(trees: Int = 100, maxFeatures: MaxFeatures = .sqrt, bootstrap: Bool = true, seed: UInt64 = 1, tree: DecisionTree = DecisionTree()) {
    self.trees = trees
    self.maxFeatures = maxFeatures
    self.bootstrap = bootstrap
    self.seed = seed
    self.tree = tree
  }

  public func fit(_ x: FeatureMatrix, _ y: Labels, sampleWeights: [Double]? = nil) throws(FitError) -> RandomForestModel {
    guard trees >= 1 else { throw .invalidConfiguration("a forest needs at least 1 tree, got \(trees)") }
    if case let .count(c) = maxFeatures, c < 1 { throw .invalidConfiguration("maxFeatures must be at least 1, got \(c)") }
    if case let .fraction(f) = maxFeatures, !(f > 0 && f <= 1) { throw .invalidConfiguration("maxFeatures must be in (0, 1], got \(f)") }
    let prepared = try tree.prepare(x, y, sampleWeights)
    let n = x.rowCount, p = x.columnCount
    let k = maxFeatures.resolve(p)
    var forest: [DecisionTreeModel.Nodes] = []
    var oobSum = [Double](repeating: 0, count: n), oobCount = [Int](repeating: 0, count: n)
    // Each tree's generator is seeded by the next output of one seeded by `seed` (seeds a fixed
    // step apart would give SplitMix64 streams that are shifts of one another).
    var seeds = SplitMix64(seed: seed)
    for _ in 0..<trees {
      var rng = SplitMix64(seed: seeds.next())
      var counts = [Double](repeating: bootstrap ? 0 : 1, count: n)
      if bootstrap { for _ in 0..<n { counts[Int(rng.next() % UInt64(n))] += 1 } }
      let weights = zip(prepared.weights, counts).map { $0 * $1 }
      var grower = Grower(tree: tree, labels: y.values, weights: weights, columns: prepared.columns)
      grower.maxFeatures = k
      grower.seed = rng.next()
      let nodes = grower.grow(orders: prepared.orders).preorder()
      forest.append(nodes)
      for i in 0..<n where counts[i] == 0 {
        var node = 0
        while nodes.left[node] >= 0 {
          let j = Int(nodes.feature[node])
          node = Int(prepared.columns[j][i] <= nodes.threshold[node] ? nodes.left[node] : nodes.right[node])
        }
        oobSum[i] += nodes.value[node]
        oobCount[i] += 1
      }
    }
    let scored = (0..<n).filter { oobCount[$0] > 0 }
    let correct = scored.filter { (oobSum[$0] / Double(oobCount[$0]) >= 0.5 ? 1 : 0) == y.values[$0] }.count
    return RandomForestModel(
      featureNames: x.featureNames, impute: prepared.impute, missing: prepared.missing, trees: forest, criterion: tree.criterion,
      outOfBag: scored.isEmpty ? nil : .init(rows: scored.count, accuracy: Double(correct) / Double(scored.count)),
      outOfBagProbabilities: (0..<n).map { oobCount[$0] > 0 ? oobSum[$0] / Double(oobCount[$0]) : .nan })
  }
}

/// A fitted random forest: its trees (parallel arrays each, as `DecisionTreeModel`'s) and the
/// imputation they share.
public struct RandomForestModel: Classifier, Equatable {
  public struct OutOfBag: Codable, Sendable, Equatable {
    /// Rows that some tree did not draw.
    public let rows: Int
    /// Their accuracy at 0.5 (scikit-learn's `oob_score_`).
    public let accuracy: Double
  }

  public let featureNames: [String]
  public let impute: [Double]
  public let missing: [Int]
  public let trees: [DecisionTreeModel.Nodes]
  public let criterion: DecisionTree.Criterion
  public let outOfBag: OutOfBag?
  /// Each training row's out-of-bag probability (NaN when every tree drew it); not stored in
  /// model files.
  public let outOfBagProbabilities: [Double]

  public init(
    featureNames: [String], impute: [Double], missing: [Int], trees: [DecisionTreeModel.Nodes], criterion: DecisionTree.Criterion,
    outOfBag: OutOfBag?, outOfBagProbabilities: [Double] = []
  ) {
    self.featureNames = featureNames
    self.impute = impute
    self.missing = missing
    self.trees = trees
    self.criterion = criterion
    self.outOfBag = outOfBag
    self.outOfBagProbabilities = outOfBagProbabilities
  }

  /// Each tree as a model of its own.
  public var treeModels: [DecisionTreeModel] {
    trees.map { DecisionTreeModel(featureNames: featureNames, impute: impute, missing: missing, nodes: $0, criterion: criterion) }
  }

  /// The mean of the trees' probabilities. Forests of trees up to depth 64 are scored through
  /// `BranchFreeTrees` (the same numbers, faster), deeper ones by walking each tree.
  public func predictProbability(_ x: FeatureMatrix) throws(ScoreError) -> [Double] {
    guard x.featureNames == featureNames else { throw .featureMismatch(expected: featureNames, got: x.featureNames) }
    let p = featureNames.count
    for (index, v) in x.values.enumerated() where v.isInfinite {
      throw .nonFinite(row: index / p, feature: featureNames[index % p], value: v)
    }
    let count = Double(trees.count)
    if let branchFree = BranchFreeTrees(trees) {
      // Missing values take the training medians, chunk by chunk; then every tree at once.
      return branchFree.sums(x.values, rows: x.rowCount, columns: p, impute: impute).map { $0 / count }
    }
    let models = treeModels
    var sum = [Double](repeating: 0, count: x.rowCount)
    x.values.withUnsafeBufferPointer { values in
      for model in models {
        for i in 0..<x.rowCount {
          sum[i] += model.nodes.value[model.leaf(UnsafeBufferPointer(rebasing: values[(i * p)..<((i + 1) * p)]))]
        }
      }
    }
    return sum.map { $0 / count }
  }

  /// The mean of the trees' importances (scikit-learn's `feature_importances_`), normalised.
  public var featureImportances: [Double] {
    var total = [Double](repeating: 0, count: featureNames.count)
    for model in treeModels {
      for (j, v) in model.featureImportances.enumerated() { total[j] += v }
    }
    let sum = total.reduce(0, +)
    return sum > 0 ? total.map { $0 / sum } : total
  }

  enum CodingKeys: String, CodingKey {
    case featureNames = "feature_names"
    case impute, missing, trees, criterion
    case outOfBag = "out_of_bag"
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    featureNames = try c.decode([String].self, forKey: .featureNames)
    impute = try c.decode([Double].self, forKey: .impute)
    missing = try c.decode([Int].self, forKey: .missing)
    trees = try c.decode([DecisionTreeModel.Nodes].self, forKey: .trees)
    criterion = try c.decode(DecisionTree.Criterion.self, forKey: .criterion)
    outOfBag = try c.decodeIfPresent(OutOfBag.self, forKey: .outOfBag)
    outOfBagProbabilities = []
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(featureNames, forKey: .featureNames)
    try c.encode(impute, forKey: .impute)
    try c.encode(missing, forKey: .missing)
    try c.encode(trees, forKey: .trees)
    try c.encode(criterion, forKey: .criterion)
    try c.encodeIfPresent(outOfBag, forKey: .outOfBag)
  }
}
