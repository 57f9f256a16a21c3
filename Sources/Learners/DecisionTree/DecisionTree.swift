import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A CART classification tree (Breiman et al.), grown as scikit-learn's
/// `DecisionTreeClassifier` grows it with the best splitter.
///
/// At each node every feature's candidate thresholds are the midpoints between consecutive
/// distinct values of the node's rows (values closer than 1e-7 count as equal), `x <= t` goes
/// left, and the split kept is the one that most lowers the weighted impurity (Gini or entropy
/// in bits) among those leaving at least `minSamplesLeaf` rows on each side. A node stays a leaf
/// when it is at `maxDepth`, has fewer than `minSamplesSplit` rows, is pure, or its best split
/// lowers the impurity (weighted by the node's share of all rows) by less than
/// `minImpurityDecrease`. On exactly tied splits the first feature in column order wins
/// (scikit-learn draws a random order). A leaf predicts its weighted share of positives.
///
/// Missing values are replaced by the training median of their feature before growing (and
/// when scoring); the fitted model carries those medians.
///
/// Growth is level by level: every feature is sorted once (a radix sort), and each level
/// scans each feature's order once for all of the level's nodes, so a level costs
/// `O(n · p)` whatever its width.
public struct DecisionTree: Estimator {
  public enum Criterion: String, Sendable, Codable, CaseIterable {
    case gini, entropy
  }

  public var criterion: Criterion
  /// `nil`: grow until the other limits stop it.
  public var maxDepth: Int?
  public var minSamplesSplit: Int
  public var minSamplesLeaf: Int
  public var minImpurityDecrease: Double
  public var classWeight: LogisticRegression.ClassWeight

  public init(
    criterion: Criterion = .gini, maxDepth: Int? = nil, minSamplesSplit: Int = 2, minSamplesLeaf: Int = 1,
    minImpurityDecrease: Double = 0, classWeight: LogisticRegression.ClassWeight = .none
  ) {
    self.criterion = criterion
    self.maxDepth = maxDepth
    self.minSamplesSplit = minSamplesSplit
    self.minSamplesLeaf = minSamplesLeaf
    self.minImpurityDecrease = minImpurityDecrease
    self.classWeight = classWeight
  }

  /// scikit-learn's `FEATURE_THRESHOLD`: values closer than this are the same value.
  static let featureThreshold = 1e-7

  public func fit(_ x: FeatureMatrix, _ y: Labels, sampleWeights: [Double]? = nil) throws(FitError) -> DecisionTreeModel {
    if let maxDepth, maxDepth < 1 { throw .invalidConfiguration("maxDepth must be at least 1, got \(maxDepth)") }
    guard minSamplesSplit >= 2 else { throw .invalidConfiguration("minSamplesSplit must be at least 2, got \(minSamplesSplit)") }
    guard minSamplesLeaf >= 1 else { throw .invalidConfiguration("minSamplesLeaf must be at least 1, got \(minSamplesLeaf)") }
    guard minImpurityDecrease >= 0, minImpurityDecrease.isFinite else {
      throw .invalidConfiguration("minImpurityDecrease must be a finite number >= 0, got \(minImpurityDecrease)")
    }
    // The same checks and row weights as the logistic regression.
    let weighting = LogisticRegression(classWeight: classWeight)
    try weighting.validateRows(x, y, sampleWeights)
    let weights = weighting.rowWeights(y, sampleWeights)
    let n = x.rowCount, p = x.columnCount
    let preprocessing = try Standardizer.fit(x)
    // Imputed values, column by column.
    var columns = [[Double]](repeating: [], count: p)
    for j in 0..<p {
      columns[j] = (0..<n).map { i in
        let v = x.values[i * p + j]
        return v.isNaN ? preprocessing.impute[j] : v
      }
    }
    let orders = columns.map(stableOrder)
    var grower = Grower(tree: self, columns: columns, labels: y.values, weights: weights)
    let nodes = grower.grow(orders: orders)
    return DecisionTreeModel(
      featureNames: x.featureNames, impute: preprocessing.impute, missing: preprocessing.missing, nodes: nodes.preorder(),
      criterion: criterion)
  }

  /// The impurity of a node with class weights `w0`, `w1`.
  func impurity(_ w0: Double, _ w1: Double) -> Double {
    let w = w0 + w1
    switch criterion {
    case .gini:
      return 1 - (w0 * w0 + w1 * w1) / (w * w)
    case .entropy:
      var e = 0.0
      for c in [w0, w1] where c > 0 {
        let q = c / w
        e -= q * log2(q)
      }
      return e
    }
  }
}

/// The nodes of a tree as it is grown (breadth first).
struct GrowingNodes {
  var left: [Int32] = []
  var right: [Int32] = []
  var feature: [Int32] = []
  var threshold: [Double] = []
  var samples: [Int] = []
  var weight0: [Double] = []
  var weight1: [Double] = []
  var impurity: [Double] = []
  var improvement: [Double] = []

  mutating func add(samples: Int, w0: Double, w1: Double, impurity: Double) -> Int32 {
    left.append(-1)
    right.append(-1)
    feature.append(-1)
    threshold.append(0)
    self.samples.append(samples)
    weight0.append(w0)
    weight1.append(w1)
    self.impurity.append(impurity)
    improvement.append(0)
    return Int32(left.count - 1)
  }

  /// The same tree numbered depth first, left before right (scikit-learn's order).
  func preorder() -> DecisionTreeModel.Nodes {
    var out = DecisionTreeModel.Nodes()
    var stack: [(node: Int32, parent: Int32, isLeft: Bool)] = [(0, -1, false)]
    while let (node, parent, isLeft) = stack.popLast() {
      let i = Int(node)
      let id = Int32(out.left.count)
      out.left.append(-1)
      out.right.append(-1)
      out.feature.append(feature[i])
      out.threshold.append(threshold[i])
      out.samples.append(samples[i])
      out.weightedSamples.append(weight0[i] + weight1[i])
      out.value.append(weight1[i] / (weight0[i] + weight1[i]))
      out.impurity.append(impurity[i])
      out.improvement.append(improvement[i])
      if parent >= 0 {
        if isLeft { out.left[Int(parent)] = id } else { out.right[Int(parent)] = id }
      }
      if left[i] >= 0 {
        stack.append((right[i], id, false))
        stack.append((left[i], id, true))
      }
    }
    return out
  }
}

/// The level-by-level growth of one tree.
struct Grower {
  let tree: DecisionTree
  let columns: [[Double]]
  let labels: [UInt8]
  let weights: [Double]

  /// The best split found for one node of the current level.
  struct Best {
    var score = -Double.infinity
    var feature: Int32 = -1
    var threshold = 0.0
    var leftSamples = 0
    var left0 = 0.0
    var left1 = 0.0
  }

  mutating func grow(orders: [[Int32]]) -> GrowingNodes {
    let n = labels.count, p = columns.count
    var nodes = GrowingNodes()
    var w0 = 0.0, w1 = 0.0
    for i in 0..<n { if labels[i] == 1 { w1 += weights[i] } else { w0 += weights[i] } }
    let totalWeight = w0 + w1
    _ = nodes.add(samples: n, w0: w0, w1: w1, impurity: tree.impurity(w0, w1))
    // The level's nodes (tree ids), and each row's position among them (-1: in a finished leaf).
    var level: [Int32] = [0]
    var slot = [Int32](repeating: 0, count: n)
    var depth = 0
    let epsilon = Double.ulpOfOne
    while !level.isEmpty {
      // Which of the level's nodes may split.
      let splittable = level.map { id -> Bool in
        let k = Int(id)
        let count = nodes.samples[k]
        if let maxDepth = tree.maxDepth, depth >= maxDepth { return false }
        return count >= tree.minSamplesSplit && count >= 2 * tree.minSamplesLeaf && nodes.impurity[k] > epsilon
      }
      guard splittable.contains(true) else { break }
      var best = [Best](repeating: Best(), count: level.count)
      let counts = level.map { nodes.samples[Int($0)] }
      let totals0 = level.map { nodes.weight0[Int($0)] }, totals1 = level.map { nodes.weight1[Int($0)] }
      var leftCount = [Int](repeating: 0, count: level.count)
      var left0 = [Double](repeating: 0, count: level.count), left1 = left0
      var last = [Double](repeating: .nan, count: level.count)
      let minLeaf = tree.minSamplesLeaf
      for j in 0..<p {
        for s in 0..<level.count {
          leftCount[s] = 0
          left0[s] = 0
          left1[s] = 0
          last[s] = .nan
        }
        let column = columns[j]
        for i32 in orders[j] {
          let i = Int(i32)
          let s32 = slot[i]
          if s32 < 0 { continue }
          let s = Int(s32)
          if !splittable[s] { continue }
          let v = column[i]
          let previous = last[s]
          if !previous.isNaN && v > previous + DecisionTree.featureThreshold {
            let lc = leftCount[s]
            if lc >= minLeaf && counts[s] - lc >= minLeaf {
              let l0 = left0[s], l1 = left1[s]
              let r0 = totals0[s] - l0, r1 = totals1[s] - l1
              let score = -(r0 + r1) * tree.impurity(r0, r1) - (l0 + l1) * tree.impurity(l0, l1)
              if score > best[s].score {
                var threshold = previous / 2 + v / 2
                if threshold == v || !threshold.isFinite { threshold = previous }
                best[s] = Best(score: score, feature: Int32(j), threshold: threshold, leftSamples: lc, left0: l0, left1: l1)
              }
            }
          }
          leftCount[s] += 1
          if labels[i] == 1 { left1[s] += weights[i] } else { left0[s] += weights[i] }
          last[s] = v
        }
      }
      // Split where it is worth it; the children form the next level.
      var next: [Int32] = []
      var childSlots = [(left: Int32, right: Int32)?](repeating: nil, count: level.count)
      for (s, id) in level.enumerated() where splittable[s] && best[s].feature >= 0 {
        let k = Int(id)
        let b = best[s]
        let w = totals0[s] + totals1[s]
        let (r0, r1) = (totals0[s] - b.left0, totals1[s] - b.left1)
        let (wl, wr) = (b.left0 + b.left1, r0 + r1)
        let impurityLeft = tree.impurity(b.left0, b.left1), impurityRight = tree.impurity(r0, r1)
        let improvement = (w / totalWeight) * (nodes.impurity[k] - wr / w * impurityRight - wl / w * impurityLeft)
        if improvement + epsilon < tree.minImpurityDecrease { continue }
        nodes.feature[k] = b.feature
        nodes.threshold[k] = b.threshold
        nodes.improvement[k] = w * nodes.impurity[k] - wl * impurityLeft - wr * impurityRight
        let l = nodes.add(samples: b.leftSamples, w0: b.left0, w1: b.left1, impurity: impurityLeft)
        let r = nodes.add(samples: counts[s] - b.leftSamples, w0: r0, w1: r1, impurity: impurityRight)
        nodes.left[k] = l
        nodes.right[k] = r
        childSlots[s] = (Int32(next.count), Int32(next.count + 1))
        next += [l, r]
      }
      for i in 0..<n where slot[i] >= 0 {
        let s = Int(slot[i])
        guard let children = childSlots[s] else {
          slot[i] = -1
          continue
        }
        let k = Int(level[s])
        slot[i] = columns[Int(nodes.feature[k])][i] <= nodes.threshold[k] ? children.left : children.right
      }
      level = next
      depth += 1
    }
    return nodes
  }
}

/// The row indices of `values` in ascending order, equal values in row order: an LSD radix
/// sort on the values' bits (flipped so that unsigned order is numeric order), skipping the
/// 16-bit digits every value shares.
func stableOrder(_ values: [Double]) -> [Int32] {
  let n = values.count
  let keys = values.map { v -> UInt64 in
    let bits = (v == 0 ? 0.0 : v).bitPattern  // -0 sorts with 0
    return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
  }
  var order = (0..<n).map { Int32($0) }
  var scratch = [Int32](repeating: 0, count: n)
  var counts = [Int](repeating: 0, count: 65_537)
  for pass in 0..<4 {
    let shift = UInt64(16 * pass)
    guard let first = keys.first, keys.contains(where: { ($0 >> shift) & 0xFFFF != (first >> shift) & 0xFFFF }) else { continue }
    for k in counts.indices { counts[k] = 0 }
    for key in keys { counts[Int((key >> shift) & 0xFFFF) + 1] += 1 }
    for k in 1..<counts.count { counts[k] += counts[k - 1] }
    for i in order {
      let digit = Int((keys[Int(i)] >> shift) & 0xFFFF)
      scratch[counts[digit]] = i
      counts[digit] += 1
    }
    swap(&order, &scratch)
  }
  return order
}
