import Foundation

/// Trees laid out for fast batch scoring: each padded to a complete binary tree of one depth D,
/// so a row's path is `i ← 2i + 1 + (x[feature[i]] > threshold[i])`, D times, with no branch to
/// mispredict and no child pointers to load.
///
/// A leaf above depth D becomes a node that always goes left (threshold +∞) and its value fills
/// every leaf below it. Rows are scored in chunks of 2,048 that go through every tree before the
/// next chunk starts, so a tree's nodes, once in the core's cache, serve many rows; within a
/// chunk, groups of 64 rows walk a tree together, their independent paths overlapping in the
/// pipeline. Chunks are spread over the cores. The sum over trees runs in tree order for every row, so
/// the result equals walking each tree (`DecisionTreeModel.leaf`) bit for bit.
///
/// Padding costs `2^D` leaves a tree, so trees deeper than `maxDepth` (14) are not laid out
/// (`init` returns `nil`) and are walked instead.
struct CompleteTrees: Sendable {
  let depth: Int
  let treeCount: Int
  /// Tree t's node i is at `t · (2^D − 1) + i`: one 16-byte record, so a node is one load.
  let nodes: [Node]
  /// Tree t's leaf j (left to right) is at `t · 2^D + j`.
  let leaves: [Double]

  static let maxDepth = 14

  init?(_ trees: [DecisionTreeModel.Nodes]) {
    let depth = trees.map(Self.depth).max() ?? 0
    guard depth <= Self.maxDepth else { return nil }
    let nodeCount = (1 << depth) - 1, leafCount = 1 << depth
    var nodes = [Node](repeating: Node(threshold: .infinity, feature: 0), count: trees.count * nodeCount)
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
          nodes[t * nodeCount + i] = Node(threshold: tree.threshold[k], feature: Int(tree.feature[k]))
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
    self.nodes = nodes
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
    let block = Self.blockRows
    let blocks = (rows + block - 1) / block
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, blocks / 4))
    let output = SharedOutput(count: rows)
    defer { output.pointer.deallocate() }
    let (depth, treeCount, packed, leaves) = (self.depth, self.treeCount, self.nodes, self.leaves)
    let nodeCount = (1 << depth) - 1, leafCount = 1 << depth
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let out = output.pointer
      let position = UnsafeMutablePointer<Int>.allocate(capacity: 64)
      defer { position.deallocate() }
      values.withUnsafeBufferPointer { values in
        packed.withUnsafeBufferPointer { packed in
          leaves.withUnsafeBufferPointer { leaves in
            let x = values.baseAddress!, nodes = packed.baseAddress!, leaf = leaves.baseAddress!
            var b = worker
            while b < blocks {
              let chunkStart = b * block, chunkCount = min(block, rows - chunkStart)
              for r in 0..<chunkCount { out[chunkStart + r] = 0 }
              for t in 0..<treeCount {
                let tree = nodes + t * nodeCount
                let leafBase = leaf + (t * leafCount - nodeCount)
                // Groups of 64 rows walk the tree together: their paths are independent, so
                // the loads of one level overlap.
                var start = chunkStart
                while start < chunkStart + chunkCount {
                  let count = min(64, chunkStart + chunkCount - start)
                  let rowBase = x + start * columns
                  for r in 0..<count { position[r] = 0 }
                  for _ in 0..<depth {
                    for r in 0..<count {
                      let i = position[r]
                      let node = tree[i]
                      let goRight = rowBase[r &* columns &+ node.feature] > node.threshold
                      position[r] = i &* 2 &+ (goRight ? 2 : 1)
                    }
                  }
                  for r in 0..<count { out[start + r] += leafBase[position[r]] }
                  start += count
                }
              }
              b += workers
            }
          }
        }
      }
    }
    return Array(UnsafeBufferPointer(start: output.pointer, count: rows))
  }

  /// Rows that go through every tree before the next rows start: enough that a tree's nodes,
  /// once in the core's cache, serve many rows; few enough that the rows stay there too.
  static let blockRows = 2048

  /// A split: `x[feature] <= threshold` goes left.
  struct Node: Sendable {
    var threshold: Double
    var feature: Int
  }
}

/// Memory the workers write at disjoint indices.
private final class SharedOutput: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Double>
  init(count: Int) { pointer = .allocate(capacity: max(count, 1)) }
}
