import Foundation

/// Trees laid out for fast batch scoring: each padded to a complete binary tree of one depth D,
/// so a row's path is `i ← 2i + 1 + (x[feature[i]] > threshold[i])`, D times, with no branch to
/// mispredict and no child pointers to load.
///
/// A leaf above depth D becomes a node that always goes left (threshold +∞) and its value fills
/// every leaf below it. Rows are scored in blocks of 64 with the trees in the outer loop, so one
/// tree's nodes stay in cache while the block's independent paths overlap in the pipeline;
/// blocks are spread over the cores. The sum over trees runs in tree order for every row, so
/// the result equals walking each tree (`DecisionTreeModel.leaf`) bit for bit.
///
/// Padding costs `2^D` leaves a tree, so trees deeper than `maxDepth` (14) are not laid out
/// (`init` returns `nil`) and are walked instead.
struct CompleteTrees: Sendable {
  let depth: Int
  let treeCount: Int
  /// Tree t's node i is at `t · (2^D − 1) + i`.
  let features: [Int32]
  let thresholds: [Double]
  /// Tree t's leaf j (left to right) is at `t · 2^D + j`.
  let leaves: [Double]

  static let maxDepth = 14

  init?(_ trees: [DecisionTreeModel.Nodes]) {
    let depth = trees.map(Self.depth).max() ?? 0
    guard depth <= Self.maxDepth else { return nil }
    let nodeCount = (1 << depth) - 1, leafCount = 1 << depth
    var features = [Int32](repeating: 0, count: trees.count * nodeCount)
    var thresholds = [Double](repeating: .infinity, count: trees.count * nodeCount)
    var leaves = [Double](repeating: 0, count: trees.count * leafCount)
    for (t, tree) in trees.enumerated() {
      // (original node, complete-tree position, depth); a leaf above depth D passes left.
      var stack: [(Int, Int, Int)] = [(0, 0, 0)]
      while let (k, i, d) = stack.popLast() {
        if d == depth {
          leaves[t * leafCount + i - nodeCount] = tree.value[k]
          continue
        }
        if tree.left[k] >= 0 {
          features[t * nodeCount + i] = tree.feature[k]
          thresholds[t * nodeCount + i] = tree.threshold[k]
          stack.append((Int(tree.left[k]), 2 * i + 1, d + 1))
          stack.append((Int(tree.right[k]), 2 * i + 2, d + 1))
        } else {
          stack.append((k, 2 * i + 1, d + 1))
          stack.append((k, 2 * i + 2, d + 1))
        }
      }
    }
    self.depth = depth
    treeCount = trees.count
    self.features = features
    self.thresholds = thresholds
    self.leaves = leaves
  }

  /// The depth of the deepest leaf.
  static func depth(_ tree: DecisionTreeModel.Nodes) -> Int {
    var deepest = 0
    var stack = [(0, 0)]
    while let (k, d) = stack.popLast() {
      if tree.left[k] < 0 {
        deepest = max(deepest, d)
      } else {
        stack.append((Int(tree.left[k]), d + 1))
        stack.append((Int(tree.right[k]), d + 1))
      }
    }
    return deepest
  }

  /// For each row of `values` (row-major, `columns` wide, no missing values), the sum of the
  /// trees' leaf values, added in tree order.
  func sums(_ values: [Double], rows: Int, columns: Int) -> [Double] {
    let block = 64
    let blocks = (rows + block - 1) / block
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, blocks / 16))
    let output = SharedOutput(count: rows)
    defer { output.pointer.deallocate() }
    let (depth, treeCount, features, thresholds, leaves) = (self.depth, self.treeCount, self.features, self.thresholds, self.leaves)
    let nodeCount = (1 << depth) - 1, leafCount = 1 << depth
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let out = output.pointer
      values.withUnsafeBufferPointer { x in
        features.withUnsafeBufferPointer { features in
          thresholds.withUnsafeBufferPointer { thresholds in
            leaves.withUnsafeBufferPointer { leaves in
              var position = [Int](repeating: 0, count: block)
              var b = worker
              while b < blocks {
                let start = b * block, count = min(block, rows - start)
                for r in 0..<count { out[start + r] = 0 }
                for t in 0..<treeCount {
                  let nodeBase = t * nodeCount
                  for r in 0..<count { position[r] = 0 }
                  for _ in 0..<depth {
                    for r in 0..<count {
                      let i = position[r]
                      let v = x[(start + r) * columns + Int(features[nodeBase + i])]
                      position[r] = 2 * i + 1 + (v > thresholds[nodeBase + i] ? 1 : 0)
                    }
                  }
                  let leafBase = t * leafCount - nodeCount
                  for r in 0..<count { out[start + r] += leaves[leafBase + position[r]] }
                }
                b += workers
              }
            }
          }
        }
      }
    }
    return Array(UnsafeBufferPointer(start: output.pointer, count: rows))
  }
}

/// Memory the workers write at disjoint indices.
private final class SharedOutput: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Double>
  init(count: Int) { pointer = .allocate(capacity: max(count, 1)) }
}
