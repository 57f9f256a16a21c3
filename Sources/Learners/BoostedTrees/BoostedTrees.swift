import Foundation
import RebuyCore

/// Gradient-boosted trees for the logistic loss, grown as LightGBM grows them: features binned
/// into at most `maxBins` bins (each distinct value its own bin when there are few, else bins of
/// equal row counts), leaf-wise trees of at most `maxLeaves` leaves (and `maxDepth` levels, when
/// given), split gain `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` from histograms of gradients and
/// hessians (a child's histogram is its parent's less its sibling's), leaf values
/// `−η·G/(H+λ)`, starting from the log-odds of the positive share.
///
/// Row subsampling (`rowFraction`, a new sample each round) and feature subsampling
/// (`featureFraction`, per tree) are seeded. With `earlyStoppingRounds`, `validationFraction` of
/// the training rows (stratified, seeded) are held out and boosting stops when their log loss
/// has not improved for that many rounds; the model keeps the best round.
///
/// Missing values take the training median first, as in the other models.
public struct BoostedTrees: Estimator {
  public var rounds: Int
  public var learningRate: Double
  public var maxLeaves: Int
  public var maxDepth: Int?
  public var minSamplesLeaf: Int
  public var minHessianLeaf: Double
  public var l2: Double
  public var rowFraction: Double
  public var featureFraction: Double
  public var maxBins: Int
  public var earlyStoppingRounds: Int?
  public var validationFraction: Double
  public var seed: UInt64
  public var classWeight: LogisticRegression.ClassWeight

  public init(
    rounds: Int = 100, learningRate: Double = 0.1, maxLeaves: Int = 31, maxDepth: Int? = nil, minSamplesLeaf: Int = 20,
    minHessianLeaf: Double = 1e-3, l2: Double = 0, rowFraction: Double = 1, featureFraction: Double = 1, maxBins: Int = 255,
    earlyStoppingRounds: Int? = nil, validationFraction: Double = 0.1, seed: UInt64 = 1, classWeight: LogisticRegression.ClassWeight = .none
  ) {
    self.rounds = rounds
    self.learningRate = learningRate
    self.maxLeaves = maxLeaves
    self.maxDepth = maxDepth
    self.minSamplesLeaf = minSamplesLeaf
    self.minHessianLeaf = minHessianLeaf
    self.l2 = l2
    self.rowFraction = rowFraction
    self.featureFraction = featureFraction
    self.maxBins = maxBins
    self.earlyStoppingRounds = earlyStoppingRounds
    self.validationFraction = validationFraction
    self.seed = seed
    self.classWeight = classWeight
  }

  public func fit(_ x: FeatureMatrix, _ y: Labels, sampleWeights: [Double]? = nil) throws(FitError) -> BoostedTreesModel {
    guard rounds >= 1 else { throw .invalidConfiguration("rounds must be at least 1, got \(rounds)") }
    guard learningRate > 0, learningRate.isFinite else { throw .invalidConfiguration("the learning rate must be > 0, got \(learningRate)") }
    guard maxLeaves >= 2 else { throw .invalidConfiguration("maxLeaves must be at least 2, got \(maxLeaves)") }
    guard minSamplesLeaf >= 1, l2 >= 0, minHessianLeaf >= 0 else { throw .invalidConfiguration("leaf limits and the L2 penalty must be >= 0") }
    guard rowFraction > 0, rowFraction <= 1, featureFraction > 0, featureFraction <= 1 else {
      throw .invalidConfiguration("row and feature fractions must be in (0, 1]")
    }
    guard maxBins >= 2, maxBins <= 256 else { throw .invalidConfiguration("maxBins must be in 2…256, got \(maxBins)") }
    let prepared = try DecisionTree(classWeight: classWeight).prepare(x, y, sampleWeights)
    let n = x.rowCount, p = x.columnCount
    // Bins: upper edges (a value goes to the first bin whose edge is >= it), from the sorted column.
    // Both layouts: by column (j·n + i) for partitioning a leaf on one feature; by row (i·p + j)
    // for histograms, which take every feature of a row at once. Features are binned on all
    // cores into their columns, then the columns are transposed block by block.
    let (edges, binnedColumns) = Self.bin(prepared.columns, orders: prepared.orders, maxBins: maxBins)
    var binned = [UInt8](repeating: 0, count: n * p)
    binned.withUnsafeMutableBufferPointer { rowMajor in
      binnedColumns.withUnsafeBufferPointer { columnMajor in
        let block = 4096
        var start = 0
        while start < n {
          let end = min(n, start + block)
          for j in 0..<p {
            let column = columnMajor.baseAddress! + j * n
            for i in start..<end { rowMajor[i * p + j] = column[i] }
          }
          start = end
        }
      }
    }
    // Training and early-stopping rows.
    var rng = SplitMix64(seed: seed)
    var isValidation = [Bool](repeating: false, count: n)
    if earlyStoppingRounds != nil {
      for label in [UInt8(0), 1] {
        let members = (0..<n).filter { y.values[$0] == label }.shuffled(using: &rng)
        for i in members.prefix(Int((validationFraction * Double(members.count)).rounded())) { isValidation[i] = true }
      }
    }
    let trainRows = (0..<n).filter { !isValidation[$0] }
    let validationRows = (0..<n).filter { isValidation[$0] }
    let weights = prepared.weights
    var positive = 0.0, total = 0.0
    for i in trainRows {
      total += weights[i]
      if y.values[i] == 1 { positive += weights[i] }
    }
    guard positive > 0, positive < total else { throw .singleClass(label: positive > 0 ? 1 : 0, rows: trainRows.count) }
    let base = log(positive / (total - positive))
    var score = [Double](repeating: base, count: n)
    var trees: [DecisionTreeModel.Nodes] = []
    var bestLoss = Double.infinity, bestRounds = 0
    var gradient = [Double](repeating: 0, count: n), hessian = gradient
    for round in 0..<rounds {
      for i in trainRows {
        let probability = 1 / (1 + exp(-score[i]))
        gradient[i] = weights[i] * (probability - Double(y.values[i]))
        hessian[i] = weights[i] * max(probability * (1 - probability), 1e-16)
      }
      var rows = trainRows
      if rowFraction < 1 { rows = rows.filter { _ in rng.nextUnit() < rowFraction } }
      var features = Array(0..<p)
      if featureFraction < 1 {
        features.shuffle(using: &rng)
        features = Array(features.prefix(max(1, Int(featureFraction * Double(p))))).sorted()
      }
      let (tree, leaves) = growLeafWise(
        rows: rows, features: features, binned: binned, binnedColumns: binnedColumns, p: p, edges: edges, gradient: gradient,
        hessian: hessian)
      trees.append(tree)
      // Every row's new score: the rows the tree grew on from their leaves, the others (not
      // sampled, held out) through the tree.
      var covered = [Bool](repeating: false, count: n)
      for leaf in leaves {
        for i in leaf.rows {
          score[i] += leaf.value
          covered[i] = true
        }
      }
      for i in 0..<n where !covered[i] {
        var k = 0
        while tree.left[k] >= 0 {
          let j = Int(tree.feature[k])
          k = Int(prepared.columns[j][i] <= tree.threshold[k] ? tree.left[k] : tree.right[k])
        }
        score[i] += tree.value[k]
      }
      if let patience = earlyStoppingRounds {
        var loss = 0.0
        for i in validationRows {
          let probability = 1 / (1 + exp(-score[i]))
          loss -= y.values[i] == 1 ? log(max(probability, 1e-15)) : log(max(1 - probability, 1e-15))
        }
        loss /= Double(max(1, validationRows.count))
        if loss < bestLoss {
          bestLoss = loss
          bestRounds = round + 1
        } else if round + 1 - bestRounds >= patience {
          break
        }
      }
    }
    if earlyStoppingRounds != nil { trees = Array(trees.prefix(bestRounds)) }
    return BoostedTreesModel(
      featureNames: x.featureNames, impute: prepared.impute, missing: prepared.missing, initialScore: base, trees: trees,
      validationLogLoss: earlyStoppingRounds == nil ? nil : bestLoss)
  }

  /// One leaf-wise tree on `rows`, from gradient and hessian histograms (one flat array per
  /// leaf: every feature's bins end to end).
  func growLeafWise(
    rows: [Int], features: [Int], binned: [UInt8], binnedColumns: [UInt8], p: Int, edges: [[Double]], gradient: [Double],
    hessian: [Double]
  ) -> (nodes: DecisionTreeModel.Nodes, leaves: [(rows: [Int], value: Double)]) {
    struct Split {
      var gain = 0.0
      var feature = -1
      var bin = 0
      var leftG = 0.0, leftH = 0.0, leftCount = 0
    }
    struct Leaf {
      var rows: [Int]
      var g: Double
      var h: Double
      var depth: Int
      var node: Int
      /// Gradient, hessian and count per bin, features end to end (`offsets`).
      var histogram: [Double]
      var split: Split
    }
    // Where each feature's bins start in a histogram, and how many bins there are in all.
    let offsets = features.indices.map { position in features[..<position].reduce(0) { $0 + edges[$1].count } }
    let width = features.reduce(0) { $0 + edges[$1].count }
    let slots = offsets.map { 3 * $0 }
    /// Row by row: a row's gradient and hessian are read once and go to every feature's bin.
    /// Rows are cut into `Self.histogramParts` fixed parts (by position, whatever the cores),
    /// each summed on its own and the parts added in order, so the result is deterministic.
    func histogram(_ rows: [Int]) -> [Double] {
      let parts = rows.count >= 16_384 ? Self.histogramParts : 1
      let partial = SharedHistograms(parts: parts, width: 3 * width)
      defer { partial.pointer.deallocate() }
      binned.withUnsafeBufferPointer { binBuffer in
        gradient.withUnsafeBufferPointer { gBuffer in
          hessian.withUnsafeBufferPointer { hBuffer in
            rows.withUnsafeBufferPointer { rowBuffer in
              nonisolated(unsafe) let (bins, g, h, rowList) = (binBuffer, gBuffer, hBuffer, rowBuffer)
              DispatchQueue.concurrentPerform(iterations: parts) { part in
                let out = partial.pointer + part * 3 * width
                // Each feature: its column in a row of bins, and its bins' first slot.
                features.withUnsafeBufferPointer { columns in
                  slots.withUnsafeBufferPointer { slots in
                    let start = rowList.count * part / parts, end = rowList.count * (part + 1) / parts
                    let bins = bins.baseAddress!, count = columns.count
                    for position in start..<end {
                      let i = rowList[position]
                      let rowBins = bins + i &* p
                      let gi = g[i], hi = h[i]
                      for k in 0..<count {
                        let slot = out + (slots[k] &+ 3 &* Int(rowBins[columns[k]]))
                        slot[0] += gi
                        slot[1] += hi
                        slot[2] += 1
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      var hist = [Double](repeating: 0, count: 3 * width)
      for part in 0..<parts {
        let source = partial.pointer + part * 3 * width
        for k in 0..<(3 * width) { hist[k] += source[k] }
      }
      return hist
    }
    func gainOf(_ g: Double, _ h: Double) -> Double { g * g / (h + l2) }
    func bestSplit(_ leaf: Leaf) -> Split {
      var best = Split()
      if let maxDepth, leaf.depth >= maxDepth { return best }
      if leaf.rows.count < 2 * minSamplesLeaf { return best }
      let parentGain = gainOf(leaf.g, leaf.h)
      leaf.histogram.withUnsafeBufferPointer { hist in
        for (position, j) in features.enumerated() {
          let offset = 3 * offsets[position]
          var lg = 0.0, lh = 0.0, lc = 0
          for b in 0..<(edges[j].count - 1) {
            lg += hist[offset + 3 * b]
            lh += hist[offset + 3 * b + 1]
            lc += Int(hist[offset + 3 * b + 2])
            let rc = leaf.rows.count - lc
            if lc < minSamplesLeaf { continue }
            if rc < minSamplesLeaf { break }
            let rg = leaf.g - lg, rh = leaf.h - lh
            if lh < minHessianLeaf || rh < minHessianLeaf { continue }
            let gain = gainOf(lg, lh) + gainOf(rg, rh) - parentGain
            if gain > best.gain {
              best = Split(gain: gain, feature: j, bin: b, leftG: lg, leftH: lh, leftCount: lc)
            }
          }
        }
      }
      return best
    }
    var nodes = DecisionTreeModel.Nodes()
    func addNode(samples: Int, g: Double, h: Double) -> Int {
      nodes.appendLeaf(value: -learningRate * g / (h + l2), samples: samples, weightedSamples: h)
    }
    var g = 0.0, h = 0.0
    for i in rows {
      g += gradient[i]
      h += hessian[i]
    }
    var root = Leaf(rows: rows, g: g, h: h, depth: 0, node: addNode(samples: rows.count, g: g, h: h), histogram: histogram(rows), split: Split())
    root.split = bestSplit(root)
    var leaves = [root]
    while leaves.count < maxLeaves {
      // The leaf whose split gains most (the earliest on a tie).
      var chosen: Int? = nil
      for k in leaves.indices where leaves[k].split.feature >= 0 && leaves[k].split.gain > 0 {
        if chosen == nil || leaves[k].split.gain > leaves[chosen!].split.gain { chosen = k }
      }
      guard let index = chosen else { break }
      let leaf = leaves.remove(at: index)
      let s = leaf.split
      // One pass, each side's size known from the histogram.
      var leftRows: [Int] = [], rightRows: [Int] = []
      leftRows.reserveCapacity(s.leftCount)
      rightRows.reserveCapacity(leaf.rows.count - s.leftCount)
      binnedColumns.withUnsafeBufferPointer { columns in
        let column = columns.baseAddress! + s.feature * (columns.count / p)
        for i in leaf.rows {
          if Int(column[i]) <= s.bin { leftRows.append(i) } else { rightRows.append(i) }
        }
      }
      nodes.feature[leaf.node] = Int32(s.feature)
      nodes.threshold[leaf.node] = edges[s.feature][s.bin]
      nodes.improvement[leaf.node] = s.gain
      let l = addNode(samples: leftRows.count, g: s.leftG, h: s.leftH)
      let r = addNode(samples: rightRows.count, g: leaf.g - s.leftG, h: leaf.h - s.leftH)
      nodes.left[leaf.node] = Int32(l)
      nodes.right[leaf.node] = Int32(r)
      // The smaller child's histogram is built; the larger's is the parent's less it.
      let leftIsSmaller = leftRows.count <= rightRows.count
      let small = histogram(leftIsSmaller ? leftRows : rightRows)
      var large = leaf.histogram
      for k in large.indices { large[k] -= small[k] }
      var left = Leaf(rows: leftRows, g: s.leftG, h: s.leftH, depth: leaf.depth + 1, node: l, histogram: leftIsSmaller ? small : large, split: Split())
      var right = Leaf(
        rows: rightRows, g: leaf.g - s.leftG, h: leaf.h - s.leftH, depth: leaf.depth + 1, node: r, histogram: leftIsSmaller ? large : small,
        split: Split())
      left.split = bestSplit(left)
      right.split = bestSplit(right)
      leaves.append(left)
      leaves.append(right)
    }
    return (nodes.preordered(), leaves.map { ($0.rows, nodes.value[$0.node]) })
  }
}

/// Each feature's edges, stored by the worker that binned it.
private final class SharedEdges: @unchecked Sendable {
  private var edges: [[Double]]
  private let lock = NSLock()
  init(count: Int) { edges = Array(repeating: [], count: count) }
  func store(_ j: Int, _ featureEdges: [Double]) {
    lock.lock()
    edges[j] = featureEdges
    lock.unlock()
  }
  var all: [[Double]] { edges }
}

/// Per-part histograms the workers fill side by side.
private final class SharedHistograms: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Double>
  init(parts: Int, width: Int) {
    pointer = .allocate(capacity: max(parts * width, 1))
    pointer.initialize(repeating: 0, count: max(parts * width, 1))
  }
}

extension BoostedTrees {
  /// Each feature's bin edges (upper edges; a value goes to the first bin whose edge is >= it;
  /// the last is +∞) and its rows' bins, column-major, features on all cores. Up to `maxBins`
  /// distinct values each get a bin (edges at midpoints); more are cut into bins of equal row
  /// counts, only between distinct values.
  static func bin(_ columns: [[Double]], orders: [[Int32]], maxBins: Int) -> (edges: [[Double]], bins: [UInt8]) {
    let p = columns.count, n = columns.first?.count ?? 0
    let edgesOut = SharedEdges(count: p)
    var bins = [UInt8](repeating: 0, count: n * p)
    bins.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let out = buffer
      Grower.eachFeature(p) { j in
        let column = columns[j], order = orders[j]
        var distinct: [Double] = []
        var counts: [Int] = []
        for i in order {
          let v = column[Int(i)]
          if let last = distinct.last, v <= last + DecisionTree.featureThreshold { counts[counts.count - 1] += 1 } else {
            distinct.append(v)
            counts.append(1)
          }
        }
        var featureEdges: [Double] = []
        if distinct.count <= maxBins {
          featureEdges = distinct.indices.dropLast().map { distinct[$0] / 2 + distinct[$0 + 1] / 2 }
        } else {
          let perBin = Double(n) / Double(maxBins)
          var seen = 0
          var next = perBin
          for k in 0..<(distinct.count - 1) {
            seen += counts[k]
            if Double(seen) >= next {
              featureEdges.append(distinct[k] / 2 + distinct[k + 1] / 2)
              while Double(seen) >= next { next += perBin }
            }
          }
        }
        featureEdges.append(.infinity)
        // Bins along the sorted order.
        var bin = 0
        for i in order {
          let v = column[Int(i)]
          while v > featureEdges[bin] { bin += 1 }
          out[j * n + Int(i)] = UInt8(bin)
        }
        edgesOut.store(j, featureEdges)
      }
    }
    return (edgesOut.all, bins)
  }

  /// The fixed number of row parts a large histogram is built in (one per core, up to four).
  static let histogramParts = 4
}

/// Fitted gradient-boosted trees: `P = σ(initialScore + Σ trees' leaf values)`. The trees use
/// `DecisionTreeModel.Nodes`, with `value` a leaf's score (log-odds), `weightedSamples` its
/// training hessian and `improvement` its split's gain.
public struct BoostedTreesModel: Classifier, Equatable {
  public let featureNames: [String]
  public let impute: [Double]
  public let missing: [Int]
  public let initialScore: Double
  public let trees: [DecisionTreeModel.Nodes]
  /// The held-out log loss at the round kept, with early stopping.
  public let validationLogLoss: Double?

  public init(
    featureNames: [String], impute: [Double], missing: [Int], initialScore: Double, trees: [DecisionTreeModel.Nodes],
    validationLogLoss: Double?
  ) {
    self.featureNames = featureNames
    self.impute = impute
    self.missing = missing
    self.initialScore = initialScore
    self.trees = trees
    self.validationLogLoss = validationLogLoss
  }

  /// Each row's log-odds.
  public func scores(_ x: FeatureMatrix) throws(ScoreError) -> [Double] {
    guard x.featureNames == featureNames else { throw .featureMismatch(expected: featureNames, got: x.featureNames) }
    let p = featureNames.count
    for (index, v) in x.values.enumerated() where v.isInfinite {
      throw .nonFinite(row: index / p, feature: featureNames[index % p], value: v)
    }
    var out = [Double](repeating: initialScore, count: x.rowCount)
    for nodes in trees {
      for i in 0..<x.rowCount {
        var k = 0
        while nodes.left[k] >= 0 {
          let j = Int(nodes.feature[k])
          let raw = x.values[i * p + j]
          let v = raw.isNaN ? impute[j] : raw
          k = Int(v <= nodes.threshold[k] ? nodes.left[k] : nodes.right[k])
        }
        out[i] += nodes.value[k]
      }
    }
    return out
  }

  public func predictProbability(_ x: FeatureMatrix) throws(ScoreError) -> [Double] {
    try scores(x).map { 1 / (1 + exp(-$0)) }
  }

  /// Each feature's share of the total split gain.
  public var featureImportances: [Double] {
    var total = [Double](repeating: 0, count: featureNames.count)
    for nodes in trees {
      for k in 0..<nodes.count where nodes.left[k] >= 0 { total[Int(nodes.feature[k])] += nodes.improvement[k] }
    }
    let sum = total.reduce(0, +)
    return sum > 0 ? total.map { $0 / sum } : total
  }

  enum CodingKeys: String, CodingKey {
    case featureNames = "feature_names"
    case impute, missing, trees
    case initialScore = "initial_score"
    case validationLogLoss = "validation_log_loss"
  }
}
