import Foundation
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
    let prepared = try prepare(x, y, sampleWeights)
    let grower = Grower(tree: self, labels: y.values, weights: prepared.weights, columns: prepared.columns)
    let nodes = grower.grow(orders: prepared.orders)
    return DecisionTreeModel(
      featureNames: x.featureNames, impute: prepared.impute, missing: prepared.missing, nodes: nodes.preorder(),
      criterion: criterion)
  }

  /// What growing needs, shared by a tree and a forest's trees: the settings and rows checked,
  /// each row's weight (sample × class weight), the imputed columns and each column's order.
  struct Prepared {
    let weights: [Double]
    let impute: [Double]
    let missing: [Int]
    let columns: [[Double]]
    let orders: [[Int32]]
  }

  func prepare(_ x: FeatureMatrix, _ y: Labels, _ sampleWeights: [Double]?) throws(FitError) -> Prepared {
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
    // Sorted once per feature, on all cores.
    nonisolated(unsafe) var orders = [[Int32]](repeating: [], count: p)
    orders.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let out = buffer
      let source = columns
      Grower.eachFeature(p) { j in out[j] = stableOrder(source[j]) }
    }
    return Prepared(weights: weights, impute: preprocessing.impute, missing: preprocessing.missing, columns: columns, orders: orders)
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

  /// The same tree numbered depth first, left before right (scikit-learn's order), each node's
  /// value its weighted share of positives.
  func preorder() -> DecisionTreeModel.Nodes {
    var grown = DecisionTreeModel.Nodes()
    grown.left = left
    grown.right = right
    grown.feature = feature
    grown.threshold = threshold
    grown.samples = samples
    grown.weightedSamples = zip(weight0, weight1).map { $0 + $1 }
    grown.value = zip(weight0, weight1).map { $1 / ($0 + $1) }
    grown.impurity = impurity
    grown.improvement = improvement
    return grown.preordered()
  }
}

/// The level-by-level growth of one tree.
///
/// Every feature's rows are kept sorted by value and grouped by node: node `s` of the current
/// level holds positions `segments[s]` in every feature's arrays (value, row, and the row's
/// weight signed by its label: `+w` for a positive, `−w` for a negative). A level scans each
/// feature's segments in order — sequential memory — for the best split of every node, then
/// partitions each feature's segments stably into the children's (rows in leaves drop out).
/// Features are independent, so both steps run on all cores; the best split is then chosen in
/// column order, so the tree does not depend on the number of cores.
struct Grower {
  let tree: DecisionTree
  let labels: [UInt8]
  /// Rows of weight 0 take no part (a bootstrap's unsampled rows).
  let weights: [Double]
  let columns: [[Double]]
  /// Features to try at each node: a random subset of this many of the node's non-constant
  /// features (a random forest), or all of them.
  var maxFeatures: Int? = nil
  /// Seeds the feature subsets.
  var seed: UInt64 = 0

  /// The best split found for one node of the current level.
  struct Best {
    var score = -Double.infinity
    var feature: Int32 = -1
    var threshold = 0.0
    var leftSamples = 0
    var left0 = 0.0
    var left1 = 0.0
  }

  /// Storage shared by the threads: each works on its own features' regions.
  final class Storage: @unchecked Sendable {
    let n: Int
    let p: Int
    let values: UnsafeMutablePointer<Double>
    let rows: UnsafeMutablePointer<Int32>
    let signed: UnsafeMutablePointer<Double>

    init(n: Int, p: Int) {
      self.n = n
      self.p = p
      values = .allocate(capacity: max(1, n * p))
      rows = .allocate(capacity: max(1, n * p))
      signed = .allocate(capacity: max(1, n * p))
    }

    deinit {
      values.deallocate()
      rows.deallocate()
      signed.deallocate()
    }
  }

  /// Runs `body(j)` for every feature, on all cores.
  static func eachFeature(_ p: Int, _ body: @Sendable (Int) -> Void) {
    DispatchQueue.concurrentPerform(iterations: p, execute: body)
  }

  func grow(orders: [[Int32]]) -> GrowingNodes {
    let n = labels.count, p = columns.count
    let storage = Storage(n: n, p: p)
    let (labels, weights, columns, tree) = (self.labels, self.weights, self.columns, self.tree)
    Grower.eachFeature(p) { j in
      let base = j * n
      let column = columns[j]
      var k = 0
      for row in orders[j] {
        let i = Int(row)
        guard weights[i] > 0 else { continue }
        storage.values[base + k] = column[i]
        storage.rows[base + k] = row
        storage.signed[base + k] = labels[i] == 1 ? weights[i] : -weights[i]
        k += 1
      }
    }
    let active = weights.filter { $0 > 0 }.count
    var nodes = GrowingNodes()
    var w0 = 0.0, w1 = 0.0
    for i in 0..<n { if labels[i] == 1 { w1 += weights[i] } else { w0 += weights[i] } }
    let totalWeight = w0 + w1
    _ = nodes.add(samples: active, w0: w0, w1: w1, impurity: tree.impurity(w0, w1))
    var level: [Int32] = [0]
    var segments = [(start: 0, count: active)]
    var rng = SplitMix64(seed: seed)
    var depth = 0
    let epsilon = Double.ulpOfOne
    let minLeaf = tree.minSamplesLeaf
    let gini = tree.criterion == .gini
    var side = [UInt8](repeating: 0, count: n)  // per row: 0 out, 1 left, 2 right
    while !level.isEmpty {
      let splittable = level.map { id -> Bool in
        let k = Int(id)
        let count = nodes.samples[k]
        if let maxDepth = tree.maxDepth, depth >= maxDepth { return false }
        return count >= tree.minSamplesSplit && count >= 2 * minLeaf && nodes.impurity[k] > epsilon
      }
      guard splittable.contains(true) else { break }
      let totals0 = level.map { nodes.weight0[Int($0)] }, totals1 = level.map { nodes.weight1[Int($0)] }
      // A forest's random subset of each node's non-constant features (drawn in node order).
      var tried = [Bool](repeating: maxFeatures == nil, count: level.count * p)
      if let maxFeatures {
        for (s, segment) in segments.enumerated() where splittable[s] {
          var candidates = (0..<p).filter { j in
            let base = j * n + segment.start
            return storage.values[base + segment.count - 1] > storage.values[base] + DecisionTree.featureThreshold
          }
          let draw = min(maxFeatures, candidates.count)
          for d in 0..<draw {
            let pick = d + Int(rng.next() % UInt64(candidates.count - d))
            candidates.swapAt(d, pick)
            tried[s * p + candidates[d]] = true
          }
        }
      }
      let triedFeatures = tried
      // The best split of every node, feature by feature.
      nonisolated(unsafe) let found = UnsafeMutableBufferPointer<Best>.allocate(capacity: p * level.count)
      found.initialize(repeating: Best())
      defer { found.deallocate() }
      let currentSegments = segments
      Grower.eachFeature(p) { j in
        let base = j * n
        for (s, segment) in currentSegments.enumerated() where splittable[s] && triedFeatures[s * p + j] {
          var best = Best()
          let (t0, t1) = (totals0[s], totals1[s])
          var l0 = 0.0, l1 = 0.0
          var previous = storage.values[base + segment.start]
          for offset in 0..<segment.count {
            let k = base + segment.start + offset
            let v = storage.values[k]
            if v > previous + DecisionTree.featureThreshold && offset >= minLeaf && segment.count - offset >= minLeaf {
              let r0 = t0 - l0, r1 = t1 - l1
              let wl = l0 + l1, wr = r0 + r1
              // Larger is better: −w_l·i_l − w_r·i_r (plus the node's weight, for Gini).
              let score =
                gini ? (l0 * l0 + l1 * l1) / wl + (r0 * r0 + r1 * r1) / wr : -wr * tree.impurity(r0, r1) - wl * tree.impurity(l0, l1)
              if score > best.score {
                var threshold = previous / 2 + v / 2
                if threshold == v || !threshold.isFinite { threshold = previous }
                best = Best(score: score, feature: Int32(j), threshold: threshold, leftSamples: offset, left0: l0, left1: l1)
              }
            }
            let w = storage.signed[k]
            if w.sign == .minus { l0 -= w } else { l1 += w }
            previous = v
          }
          found[j * currentSegments.count + s] = best
        }
      }
      // Split where it is worth it (the first feature in column order on a tie).
      var next: [Int32] = []
      var nextSegments: [(start: Int, count: Int)] = []
      var children = [(left: Int, right: Int)?](repeating: nil, count: level.count)
      var start = 0
      for (s, id) in level.enumerated() where splittable[s] {
        var b = Best()
        for j in 0..<p where found[j * level.count + s].score > b.score { b = found[j * level.count + s] }
        guard b.feature >= 0 else { continue }
        let k = Int(id)
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
        let r = nodes.add(samples: segments[s].count - b.leftSamples, w0: r0, w1: r1, impurity: impurityRight)
        nodes.left[k] = l
        nodes.right[k] = r
        children[s] = (next.count, next.count + 1)
        next += [l, r]
        nextSegments += [(start, b.leftSamples), (start + b.leftSamples, segments[s].count - b.leftSamples)]
        start += segments[s].count
        // Each row's side, from the split feature's segment.
        let base = Int(b.feature) * n
        for offset in 0..<segments[s].count {
          let position = base + segments[s].start + offset
          side[Int(storage.rows[position])] = offset < b.leftSamples ? 1 : 2
        }
      }
      if next.isEmpty { break }
      // Partition every feature's segments into the children's, in place through a scratch copy.
      let splitSegments = level.indices.compactMap { s in children[s].map { _ in segments[s] } }
      side.withUnsafeBufferPointer { buffer in
        nonisolated(unsafe) let sides = buffer
        Grower.eachFeature(p) { j in
          let base = j * n
          var write = 0
          let scratchValues = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, n))
          let scratchRows = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, n))
          let scratchSigned = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, n))
          defer {
            scratchValues.deallocate()
            scratchRows.deallocate()
            scratchSigned.deallocate()
          }
          for segment in splitSegments {
            for wanted in [UInt8(1), 2] {
              for offset in 0..<segment.count {
                let k = base + segment.start + offset
                if sides[Int(storage.rows[k])] == wanted {
                  scratchValues[write] = storage.values[k]
                  scratchRows[write] = storage.rows[k]
                  scratchSigned[write] = storage.signed[k]
                  write += 1
                }
              }
            }
          }
          for k in 0..<write {
            storage.values[base + k] = scratchValues[k]
            storage.rows[base + k] = scratchRows[k]
            storage.signed[base + k] = scratchSigned[k]
          }
        }
      }
      level = next
      segments = nextSegments
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
  var keys = values.map { v -> UInt64 in
    let bits = (v == 0 ? 0.0 : v).bitPattern  // -0 sorts with 0
    return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
  }
  // Keys travel with their indices, so every pass reads sequentially.
  var order = (0..<n).map { Int32($0) }
  var scratch = [Int32](repeating: 0, count: n)
  var scratchKeys = [UInt64](repeating: 0, count: n)
  var counts = [Int](repeating: 0, count: 65_537)
  for pass in 0..<4 {
    let shift = UInt64(16 * pass)
    guard let first = keys.first, keys.contains(where: { ($0 >> shift) & 0xFFFF != (first >> shift) & 0xFFFF }) else { continue }
    for k in counts.indices { counts[k] = 0 }
    for key in keys { counts[Int((key >> shift) & 0xFFFF) + 1] += 1 }
    for k in 1..<counts.count { counts[k] += counts[k - 1] }
    for position in 0..<n {
      let key = keys[position]
      let digit = Int((key >> shift) & 0xFFFF)
      let target = counts[digit]
      scratch[target] = order[position]
      scratchKeys[target] = key
      counts[digit] = target + 1
    }
    swap(&order, &scratch)
    swap(&keys, &scratchKeys)
  }
  return order
}
