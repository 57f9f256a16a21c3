/// Frequent itemsets by FP-growth (Han, Pei and Yin, 2000), over sparse baskets.
///
/// An itemset's support is the share of baskets that contain all its items; an itemset is
/// frequent when its support is at least `minSupport` (compared as `count / baskets >=
/// minSupport`, as mlxtend does). Items are ranked by basket count (most frequent first, ties by
/// item index); each basket's frequent items, in rank order, are inserted into a prefix tree
/// whose shared prefixes are found by sorting the baskets, not by hashing child pointers. Mining
/// walks each item's nodes up to the root to build its conditional baskets and recurses, to
/// `maxLength` items. Memory: the tree has at most one node per frequent basket item; no dense
/// basket × item matrix is ever made.
public struct FrequentItemsets: Sendable {
  /// Each itemset's items (ascending item indices) and basket count.
  public let itemsets: [(items: [Int32], count: Int)]
  /// The number of baskets.
  public let baskets: Int

  /// Mines `baskets` for itemsets of up to `maxLength` items with support ≥ `minSupport`.
  public init(_ baskets: Baskets, minSupport: Double, maxLength: Int = .max) {
    let n = baskets.count
    var minCount = max(1, Int((minSupport * Double(n)).rounded(.down)) - 1)
    while Double(minCount) / Double(n) < minSupport { minCount += 1 }
    var counts = [Int](repeating: 0, count: baskets.names.count)
    for item in baskets.items { counts[Int(item)] += 1 }
    let frequent = counts.indices.filter { counts[$0] >= minCount }
    let ranked = frequent.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
    var rank = [Int32](repeating: -1, count: counts.count)
    for (r, item) in ranked.enumerated() { rank[item] = Int32(r) }

    var paths = WeightedPaths()
    var path: [Int32] = []
    for b in 0..<baskets.count {
      path.removeAll(keepingCapacity: true)
      for item in baskets.items[baskets.offsets[b]..<baskets.offsets[b + 1]] where rank[Int(item)] >= 0 {
        path.append(rank[Int(item)])
      }
      guard !path.isEmpty else { continue }
      path.sort()
      paths.append(path, weight: 1)
    }
    var found: [(items: [Int32], count: Int)] = []
    if !ranked.isEmpty && maxLength >= 1 {
      let tree = PrefixTree(paths, itemCount: ranked.count)
      var suffix: [Int32] = []
      Self.mine(tree, suffix: &suffix, minCount: minCount, maxLength: maxLength) { ranks, count in
        found.append((ranks.map { Int32(ranked[Int($0)]) }.sorted(), count))
      }
    }
    found.sort { a, b in a.items.count != b.items.count ? a.items.count < b.items.count : a.items.lexicographicallyPrecedes(b.items) }
    itemsets = found
    self.baskets = n
  }

  private static func mine(
    _ tree: PrefixTree, suffix: inout [Int32], minCount: Int, maxLength: Int, emit: ([Int32], Int) -> Void
  ) {
    for item in stride(from: tree.itemCount - 1, through: 0, by: -1) {
      let support = tree.support[item]
      guard support >= minCount else { continue }
      suffix.append(Int32(item))
      emit(suffix, support)
      if suffix.count < maxLength {
        let base = tree.conditionalPaths(of: item, minCount: minCount)
        if base.count > 0 {
          mine(PrefixTree(base, itemCount: item), suffix: &suffix, minCount: minCount, maxLength: maxLength, emit: emit)
        }
      }
      suffix.removeLast()
    }
  }
}

/// Item sequences (ascending ranks) with weights, flat.
struct WeightedPaths {
  var items: [Int32] = []
  var offsets: [Int] = [0]
  var weights: [Int] = []

  var count: Int { weights.count }

  mutating func append(_ path: [Int32], weight: Int) {
    items.append(contentsOf: path)
    offsets.append(items.count)
    weights.append(weight)
  }

  func path(_ i: Int) -> ArraySlice<Int32> { items[offsets[i]..<offsets[i + 1]] }
}

/// An FP-tree as parallel arrays: node item, count and parent (-1 for the root's children),
/// and each item's nodes.
struct PrefixTree {
  var item: [Int32] = []
  var count: [Int] = []
  var parent: [Int32] = []
  /// `nodes[item]`: the nodes of that item.
  var nodes: [[Int32]]
  /// `support[item]`: the sum of its nodes' counts.
  var support: [Int]
  let itemCount: Int

  /// Builds the tree of `paths` over items `0..<itemCount`. Paths are sorted lexicographically,
  /// so each path shares with the tree exactly its longest common prefix with the path before it.
  init(_ paths: WeightedPaths, itemCount: Int) {
    self.itemCount = itemCount
    nodes = Array(repeating: [], count: itemCount)
    support = Array(repeating: 0, count: itemCount)
    let order = (0..<paths.count).sorted { paths.path($0).lexicographicallyPrecedes(paths.path($1)) }
    var stack: [Int32] = []  // the previous path's nodes
    var previous: ArraySlice<Int32> = []
    for p in order {
      let path = paths.path(p), weight = paths.weights[p]
      var shared = 0
      while shared < path.count && shared < previous.count
        && path[path.startIndex + shared] == previous[previous.startIndex + shared]
      {
        shared += 1
      }
      stack.removeSubrange(shared...)
      for node in stack { count[Int(node)] += weight }
      for i in shared..<path.count {
        let it = path[path.startIndex + i]
        let node = Int32(item.count)
        item.append(it)
        count.append(weight)
        parent.append(stack.last ?? -1)
        nodes[Int(it)].append(node)
        stack.append(node)
      }
      for it in path { support[Int(it)] += weight }
      previous = path
    }
  }

  /// The prefix paths above `target`'s nodes, weighted by the nodes' counts, keeping only the
  /// items frequent among them.
  func conditionalPaths(of target: Int, minCount: Int) -> WeightedPaths {
    var local = [Int](repeating: 0, count: target)
    for node in nodes[target] {
      var up = parent[Int(node)]
      while up >= 0 {
        local[Int(item[Int(up)])] += count[Int(node)]
        up = parent[Int(up)]
      }
    }
    var paths = WeightedPaths()
    var path: [Int32] = []
    for node in nodes[target] {
      path.removeAll(keepingCapacity: true)
      var up = parent[Int(node)]
      while up >= 0 {
        let it = item[Int(up)]
        if local[Int(it)] >= minCount { path.append(it) }
        up = parent[Int(up)]
      }
      guard !path.isEmpty else { continue }
      path.reverse()
      paths.append(path, weight: count[Int(node)])
    }
    return paths
  }
}
