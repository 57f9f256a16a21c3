import Foundation
import LinearAlgebra
import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// k-means clustering: k-means++ starts, Lloyd iterations with distances through BLAS, several
/// seeded restarts keeping the lowest inertia.
///
/// Inertia is `Σᵢ ‖xᵢ − c(xᵢ)‖²`. The start is scikit-learn's greedy k-means++: the first
/// centre uniformly at random, then each next centre the best (lowest resulting inertia) of
/// `2 + ⌊ln k⌋` candidates drawn with probability proportional to the squared distance to the
/// nearest chosen centre. Lloyd's iterations assign every row to its nearest centre
/// (`‖x‖² − 2x·c + ‖c‖²`, `x·c` by `dgemm` over blocks of rows) and move each centre to its
/// rows' mean, until no row changes cluster, the centres move less than `tolerance` (total
/// squared shift, relative to the mean variance of the columns, as scikit-learn's `tol`) or
/// `maxIterations` pass. A cluster left empty takes the row farthest from its own centre.
///
/// - Parameters:
///   - k: Clusters, `1 ≤ k ≤ rows`.
///   - restarts: Independent starts; the lowest final inertia wins. Defaults to 4.
///   - maxIterations: Defaults to 300.
///   - tolerance: Defaults to 1e-4; 0 iterates until no row changes cluster.
///   - seed: Seeds every start.
public struct KMeans: Sendable {
  public var k: Int
  public var restarts = 4
  public var maxIterations = 300
  public var tolerance = 1e-4
  public var seed: UInt64 = 0

  public init(k: Int, restarts: Int = 4, maxIterations: Int = 300, tolerance: Double = 1e-4, seed: UInt64 = 0) {
    self.k = k
    self.restarts = restarts
    self.maxIterations = maxIterations
    self.tolerance = tolerance
    self.seed = seed
  }

  /// A clustering.
  public struct Result: Sendable {
    /// `k × columns`, row-major.
    public var centres: Matrix
    public var labels: [Int32]
    /// Each row's squared distance to its centre; they sum to `inertia`.
    public var squaredDistances: [Double]
    public var inertia: Double
    public var iterations: Int
    /// Whether the iterations stopped before `maxIterations`.
    public var converged: Bool
  }

  /// Errors a user can act on.
  public enum Problem: Error, Equatable, CustomStringConvertible {
    case badK(k: Int, rows: Int)
    case badSettings(String)

    public var description: String {
      switch self {
      case let .badK(k, rows): "k must be between 1 and the number of customers (\(rows)), got \(k)"
      case let .badSettings(message): message
      }
    }
  }

  /// Clusters the rows of `x`.
  public func fit(_ x: Matrix) throws(Problem) -> Result {
    guard k >= 1, k <= x.rows else { throw .badK(k: k, rows: x.rows) }
    guard restarts >= 1, maxIterations >= 1, tolerance >= 0 else {
      throw .badSettings("restarts and iterations must be at least 1 and the tolerance at least 0")
    }
    var master = SplitMix64(seed: seed)
    var best: Result? = nil
    for _ in 0..<restarts {
      var generator = SplitMix64(seed: master.next())
      let start = Self.plusPlus(x, k: k, generator: &generator)
      let result = Self.lloyd(x, centres: start, maxIterations: maxIterations, tolerance: tolerance)
      if best == nil || result.inertia < best!.inertia { best = result }
    }
    return best!
  }

  /// Greedy k-means++ centres (see the type's documentation).
  public static func plusPlus(_ x: Matrix, k: Int, generator: inout SplitMix64) -> Matrix {
    let n = x.rows, d = x.columns
    var centres = Matrix(rows: k, columns: d)
    let trials = 2 + Int(log(Double(k)))
    let first = Int(generator.next() % UInt64(n))
    for j in 0..<d { centres.elements[j] = x.elements[first * d + j] }
    var closest = (0..<n).map { squaredDistance(x, $0, x, first) }
    var potential = closest.reduce(0, +)
    for c in 1..<max(k, 1) {
      var bestCandidate = -1, bestPotential = Double.infinity, bestClosest: [Double] = []
      for _ in 0..<trials {
        let candidate = sample(closest, total: potential, generator: &generator)
        var trial = closest
        var sum = 0.0
        for i in 0..<n {
          trial[i] = min(trial[i], squaredDistance(x, i, x, candidate))
          sum += trial[i]
        }
        if sum < bestPotential {
          bestPotential = sum
          bestCandidate = candidate
          bestClosest = trial
        }
      }
      for j in 0..<d { centres.elements[c * d + j] = x.elements[bestCandidate * d + j] }
      closest = bestClosest
      potential = bestPotential
    }
    return centres
  }

  /// A row drawn with probability proportional to `weights` (uniformly when all are 0).
  private static func sample(_ weights: [Double], total: Double, generator: inout SplitMix64) -> Int {
    guard total > 0 else { return Int(generator.next() % UInt64(weights.count)) }
    let target = generator.nextUnit() * total
    var running = 0.0
    for (i, w) in weights.enumerated() {
      running += w
      if running > target { return i }
    }
    return weights.lastIndex { $0 > 0 } ?? weights.count - 1
  }

  /// Lloyd's iterations from `centres` (see the type's documentation).
  public static func lloyd(_ x: Matrix, centres start: Matrix, maxIterations: Int = 300, tolerance: Double = 0) -> Result {
    let n = x.rows, d = x.columns, k = start.rows
    let threshold = tolerance * meanVariance(x)
    var centres = start
    var labels = [Int32](repeating: -1, count: n)
    var distances = [Double](repeating: 0, count: n)
    var iterations = 0, converged = false
    while iterations < maxIterations {
      iterations += 1
      let changed = assign(x, centres, labels: &labels, distances: &distances)
      if !changed && iterations > 1 {
        converged = true
        break
      }
      let moved = update(x, labels: labels, distances: distances, k: k)
      var shift = 0.0
      for i in 0..<(k * d) { shift += (moved.elements[i] - centres.elements[i]) * (moved.elements[i] - centres.elements[i]) }
      centres = moved
      if shift <= threshold && tolerance > 0 {
        converged = true
        _ = assign(x, centres, labels: &labels, distances: &distances)
        break
      }
    }
    if !converged { _ = assign(x, centres, labels: &labels, distances: &distances) }
    let squared = (0..<n).map { squaredDistance(x, $0, centres, Int(labels[$0])) }
    let inertia = squared.reduce(0, +)
    return Result(
      centres: centres, labels: labels, squaredDistances: squared, inertia: inertia, iterations: iterations, converged: converged)
  }

  /// Assigns each row to its nearest centre; returns whether any label changed. Blocks of rows
  /// go to all cores (each row's answer depends on that row alone, so the result is the same).
  static func assign(_ x: Matrix, _ centres: Matrix, labels: inout [Int32], distances: inout [Double]) -> Bool {
    let n = x.rows, d = x.columns, k = centres.rows
    let centreNorms = (0..<k).map { c in (0..<d).reduce(0.0) { $0 + centres[c, $1] * centres[c, $1] } }
    let block = 4096
    let blocks = (n + block - 1) / block
    var changedBlocks = [Bool](repeating: false, count: blocks)
    labels.withUnsafeMutableBufferPointer { labelBuffer in
      distances.withUnsafeMutableBufferPointer { distanceBuffer in
        changedBlocks.withUnsafeMutableBufferPointer { changedBuffer in
          nonisolated(unsafe) let (labels, distances, changed) = (labelBuffer, distanceBuffer, changedBuffer)
          DispatchQueue.concurrentPerform(iterations: blocks) { b in
            let start = b * block, rows = min(block, n - start)
            let chunk = Matrix(rows: rows, columns: d, elements: Array(x.elements[(start * d)..<((start + rows) * d)]))
            let products = try! gemm(chunk, centres, transposeB: true)  // rows × k; shapes agree by construction
            for r in 0..<rows {
              let i = start + r
              var norm = 0.0
              for j in 0..<d { norm += chunk.elements[r * d + j] * chunk.elements[r * d + j] }
              var best: Int32 = 0, bestDistance = Double.infinity
              for c in 0..<k {
                let distance = norm - 2 * products.elements[r * k + c] + centreNorms[c]
                if distance < bestDistance {
                  bestDistance = distance
                  best = Int32(c)
                }
              }
              if labels[i] != best { changed[b] = true }
              labels[i] = best
              distances[i] = max(0, bestDistance)
            }
          }
        }
      }
    }
    return changedBlocks.contains(true)
  }

  /// Each cluster's mean; an empty cluster takes the row farthest from its centre.
  static func update(_ x: Matrix, labels: [Int32], distances: [Double], k: Int) -> Matrix {
    let n = x.rows, d = x.columns
    var sums = Matrix(rows: k, columns: d)
    var counts = [Int](repeating: 0, count: k)
    for i in 0..<n {
      let c = Int(labels[i])
      counts[c] += 1
      for j in 0..<d { sums.elements[c * d + j] += x.elements[i * d + j] }
    }
    let empty = (0..<k).filter { counts[$0] == 0 }
    if !empty.isEmpty {
      let far = (0..<n).sorted { distances[$0] != distances[$1] ? distances[$0] > distances[$1] : $0 < $1 }
      for (c, i) in zip(empty, far) where counts[Int(labels[i])] > 1 {
        let donor = Int(labels[i])
        counts[donor] -= 1
        counts[c] = 1
        for j in 0..<d {
          sums.elements[donor * d + j] -= x.elements[i * d + j]
          sums.elements[c * d + j] = x.elements[i * d + j]
        }
      }
    }
    for c in 0..<k where counts[c] > 0 {
      for j in 0..<d { sums.elements[c * d + j] /= Double(counts[c]) }
    }
    return sums
  }

  /// The mean of the columns' population variances.
  static func meanVariance(_ x: Matrix) -> Double {
    let n = x.rows, d = x.columns
    guard n > 0, d > 0 else { return 0 }
    var total = 0.0
    for j in 0..<d {
      var mean = 0.0
      for i in 0..<n { mean += x.elements[i * d + j] }
      mean /= Double(n)
      var variance = 0.0
      for i in 0..<n { variance += (x.elements[i * d + j] - mean) * (x.elements[i * d + j] - mean) }
      total += variance / Double(n)
    }
    return total / Double(d)
  }

  /// `‖a[i] − b[j]‖²` for rows of two matrices with the same columns.
  @inline(__always)
  static func squaredDistance(_ a: Matrix, _ i: Int, _ b: Matrix, _ j: Int) -> Double {
    let d = a.columns
    var sum = 0.0
    for t in 0..<d {
      let diff = a.elements[i * d + t] - b.elements[j * d + t]
      sum += diff * diff
    }
    return sum
  }
}
