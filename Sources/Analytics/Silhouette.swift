import LinearAlgebra
import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The mean silhouette coefficient of a clustering, on all rows or a seeded sample of them.
///
/// For a row i in a cluster A, `a(i)` is its mean Euclidean distance to A's other rows, `b(i)`
/// the smallest mean distance to the rows of another cluster, and `s(i) = (b − a) / max(a, b)`;
/// `s(i) = 0` when i is alone in its cluster (scikit-learn's `silhouette_score`). Distances are
/// among the sampled rows only, as with scikit-learn's `sample_size`. Cost: `O(s²·d)` for s
/// sampled rows, by `dgemm` over blocks, and `O(s·k)` memory beyond one block.
public enum Silhouette {
  /// The mean silhouette of `labels` (clusters `0..<k`) on `x`; `nil` with fewer than 2
  /// clusters among the rows used.
  ///
  /// - Parameters:
  ///   - sampleSize: At most this many rows, drawn without replacement with `seed`; all rows
  ///     when there are no more than that.
  public static func score(_ x: Matrix, labels: [Int32], k: Int, sampleSize: Int = 10_000, seed: UInt64 = 0) -> Double? {
    let rows = sampleRows(x.rows, sampleSize: sampleSize, seed: seed)
    let s = rows.count, d = x.columns
    var sample = Matrix(rows: s, columns: d)
    for (r, i) in rows.enumerated() {
      for j in 0..<d { sample.elements[r * d + j] = x.elements[i * d + j] }
    }
    let sampleLabels = rows.map { Int(labels[$0]) }
    var sizes = [Int](repeating: 0, count: k)
    for label in sampleLabels { sizes[label] += 1 }
    guard sizes.filter({ $0 > 0 }).count >= 2 else { return nil }
    let norms = (0..<s).map { r in (0..<d).reduce(0.0) { $0 + sample.elements[r * d + $1] * sample.elements[r * d + $1] } }
    var total = 0.0
    let block = max(1, min(s, 1 << 22 / max(s, 1)))
    var start = 0
    while start < s {
      let count = min(block, s - start)
      let chunk = Matrix(rows: count, columns: d, elements: Array(sample.elements[(start * d)..<((start + count) * d)]))
      let products = try! gemm(chunk, sample, transposeB: true)  // count × s; shapes agree by construction
      var sums = [Double](repeating: 0, count: k)
      for r in 0..<count {
        let i = start + r
        for c in 0..<k { sums[c] = 0 }
        for j in 0..<s where j != i {
          let squared = norms[i] - 2 * products.elements[r * s + j] + norms[j]
          sums[sampleLabels[j]] += squared > 0 ? squared.squareRoot() : 0
        }
        let own = sampleLabels[i]
        guard sizes[own] > 1 else { continue }
        let a = sums[own] / Double(sizes[own] - 1)
        var b = Double.infinity
        for c in 0..<k where c != own && sizes[c] > 0 { b = min(b, sums[c] / Double(sizes[c])) }
        let denominator = max(a, b)
        total += denominator > 0 ? (b - a) / denominator : 0
      }
      start += count
    }
    return total / Double(s)
  }

  /// Row indices, ascending: every row, or `sampleSize` of them drawn without replacement.
  public static func sampleRows(_ n: Int, sampleSize: Int, seed: UInt64) -> [Int] {
    guard n > sampleSize else { return Array(0..<n) }
    var generator = SplitMix64(seed: seed)
    var indices = Array(0..<n)
    for i in 0..<sampleSize {
      let j = i + Int(generator.next() % UInt64(n - i))
      indices.swapAt(i, j)
    }
    return indices[0..<sampleSize].sorted()
  }
}
