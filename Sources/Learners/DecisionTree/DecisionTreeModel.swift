import RebuyCore

/// A fitted classification tree: parallel arrays with the root at 0, depth first, left before
/// right (scikit-learn's layout). Row `x` goes left at node `k` when
/// `x[feature[k]] <= threshold[k]` (missing values first replaced by `impute`); a leaf has
/// `left = right = -1` and `feature = -1`.
public struct DecisionTreeModel: Classifier, Equatable {
  public struct Nodes: Codable, Sendable, Equatable {
    public var left: [Int32] = []
    public var right: [Int32] = []
    public var feature: [Int32] = []
    public var threshold: [Double] = []
    /// P(positive) at the node: its weighted share of positives.
    public var value: [Double] = []
    /// Training rows that reached the node.
    public var samples: [Int] = []
    /// Their total weight (sample weight × class weight).
    public var weightedSamples: [Double] = []
    public var impurity: [Double] = []
    /// Weighted impurity decrease of the node's split (`w·i − w_l·i_l − w_r·i_r`); 0 at a leaf.
    public var improvement: [Double] = []

    public init() {}

    /// A tree of one leaf with this value.
    public static func leaf(_ value: Double) -> Nodes {
      var nodes = Nodes()
      nodes.appendLeaf(value: value)
      return nodes
    }

    /// Appends a leaf (no children, no split) and returns its index.
    @discardableResult
    public mutating func appendLeaf(value: Double, samples: Int = 0, weightedSamples: Double = 0) -> Int {
      left.append(-1)
      right.append(-1)
      feature.append(-1)
      threshold.append(0)
      self.value.append(value)
      self.samples.append(samples)
      self.weightedSamples.append(weightedSamples)
      impurity.append(0)
      improvement.append(0)
      return count - 1
    }

    public var count: Int { left.count }

    /// The depth of the deepest leaf (0 for a single leaf).
    public var depth: Int {
      var deepest = 0
      var stack = [(0, 0)]
      while let (k, d) = stack.popLast() {
        deepest = max(deepest, d)
        if left[k] >= 0 { stack += [(Int(left[k]), d + 1), (Int(right[k]), d + 1)] }
      }
      return deepest
    }

    /// The same tree numbered depth first, left before right (scikit-learn's layout), from any
    /// numbering with the root at 0.
    public func preordered() -> Nodes {
      var out = Nodes()
      var stack: [(node: Int, parent: Int, isLeft: Bool)] = [(0, -1, false)]
      while let (node, parent, isLeft) = stack.popLast() {
        let id = out.left.count
        out.left.append(-1)
        out.right.append(-1)
        out.feature.append(feature[node])
        out.threshold.append(threshold[node])
        out.value.append(value[node])
        out.samples.append(samples[node])
        out.weightedSamples.append(weightedSamples[node])
        out.impurity.append(impurity[node])
        out.improvement.append(improvement[node])
        if parent >= 0 {
          if isLeft { out.left[parent] = Int32(id) } else { out.right[parent] = Int32(id) }
        }
        if left[node] >= 0 {
          stack.append((Int(right[node]), id, false))
          stack.append((Int(left[node]), id, true))
        }
      }
      return out
    }

    enum CodingKeys: String, CodingKey {
      case left, right, feature, threshold, value, samples, impurity, improvement
      case weightedSamples = "weighted_samples"
    }
  }

  public let featureNames: [String]
  /// The training medians that replace missing values.
  public let impute: [Double]
  /// Training rows where each feature was missing.
  public let missing: [Int]
  public let nodes: Nodes
  public let criterion: DecisionTree.Criterion

  public init(featureNames: [String], impute: [Double], missing: [Int], nodes: Nodes, criterion: DecisionTree.Criterion) {
    self.featureNames = featureNames
    self.impute = impute
    self.missing = missing
    self.nodes = nodes
    self.criterion = criterion
  }

  /// The leaf a row (in `featureNames` order) lands in.
  public func leaf(_ row: UnsafeBufferPointer<Double>) -> Int {
    var k = 0
    while nodes.left[k] >= 0 {
      let j = Int(nodes.feature[k])
      let v = row[j].isNaN ? impute[j] : row[j]
      k = Int(v <= nodes.threshold[k] ? nodes.left[k] : nodes.right[k])
    }
    return k
  }

  /// The nodes a row passes through, root first, ending at its leaf.
  public func decisionPath(_ row: [Double]) -> [Int] {
    var path = [0]
    var k = 0
    while nodes.left[k] >= 0 {
      let j = Int(nodes.feature[k])
      let v = row[j].isNaN ? impute[j] : row[j]
      k = Int(v <= nodes.threshold[k] ? nodes.left[k] : nodes.right[k])
      path.append(k)
    }
    return path
  }

  public func predictProbability(_ x: FeatureMatrix) throws(ScoreError) -> [Double] {
    guard x.featureNames == featureNames else { throw .featureMismatch(expected: featureNames, got: x.featureNames) }
    let p = featureNames.count
    for (index, v) in x.values.enumerated() where v.isInfinite {
      throw .nonFinite(row: index / p, feature: featureNames[index % p], value: v)
    }
    return x.values.withUnsafeBufferPointer { values in
      (0..<x.rowCount).map { i in nodes.value[leaf(UnsafeBufferPointer(rebasing: values[(i * p)..<((i + 1) * p)]))] }
    }
  }

  /// Each feature's share of the total weighted impurity decrease (scikit-learn's
  /// `feature_importances_`); all 0 for a tree that never split.
  public var featureImportances: [Double] {
    var importance = [Double](repeating: 0, count: featureNames.count)
    for k in 0..<nodes.count where nodes.left[k] >= 0 {
      importance[Int(nodes.feature[k])] += nodes.improvement[k]
    }
    let total = importance.reduce(0, +)
    return total > 0 ? importance.map { $0 / total } : importance
  }

  /// The depth of the deepest leaf (0 for a single leaf).
  public var depth: Int { nodes.depth }

  /// The number of leaves.
  public var leafCount: Int { nodes.left.filter { $0 < 0 }.count }

  enum CodingKeys: String, CodingKey {
    case featureNames = "feature_names"
    case impute, missing, nodes, criterion
  }
}
