import Features
import Foundation
import Ingest
import LinearAlgebra
import Testing
import TestSupport

@testable import Analytics

/// k-means against scikit-learn's `KMeans` (Lloyd, from the same starting centres) and
/// `silhouette_score` on the bundled dataset's standardised log features.
@Suite struct KMeansTests {
  static func space() throws -> (json: [String: Any], space: ClusterSpace, ids: [String]) {
    let ref = try AnalyticsFixture.json("kmeans")
    let log = try AnalyticsFixture.bundled()
    let table = try FeatureBuilder(for: log).build(log, snapshots: [Snapshot(cutoff: Day(iso: ref["as_of"] as! String)!)])
    let names = ref["features"] as! [String]
    let space = try ClusterSpace(
      columns: names.map { table.matrix.column(named: $0)! }, names: names, logged: names.map { _ in true })
    return (ref, space, table.customers.map { log.customerIDs[Int($0)] })
  }

  @Test func standardisesAsPandas() throws {
    let (ref, space, ids) = try Self.space()
    #expect(ids == ref["customer_id"] as! [String])
    expectClose(space.means, ref["means"] as! [Double], relativeTolerance: 1e-12)
    expectClose(space.scales, ref["scales"] as! [Double], relativeTolerance: 1e-12)
    let first = (ref["first_rows"] as! [[Double]]).flatMap { $0 }
    expectClose(Array(space.matrix.elements.prefix(first.count)), first, relativeTolerance: 1e-10, absoluteTolerance: 1e-12)
  }

  @Test func lloydMatchesScikitLearnFromTheSameStart() throws {
    let (ref, space, _) = try Self.space()
    let x = space.matrix
    let start = ref["start_rows"] as! [Int]
    let centres = Matrix(rows: start.count, columns: x.columns, elements: start.flatMap { i in (0..<x.columns).map { x[i, $0] } })
    let result = KMeans.lloyd(x, centres: centres, maxIterations: 1000, tolerance: 0)
    // Inertia within 1e-6 relative (the bound); the same assignment of every customer.
    expectClose(result.inertia, ref["inertia"] as! Double, relativeTolerance: 1e-6)
    #expect(result.labels.map(Int.init) == ref["labels"] as! [Int])
    #expect(result.converged)
    // Silhouette over all 5,000 customers (the sample size exceeds them), 1e-9 relative.
    let silhouette = try #require(Silhouette.score(x, labels: result.labels, k: start.count, sampleSize: 10_000))
    expectClose(silhouette, ref["silhouette"] as! Double, relativeTolerance: 1e-9)
  }

  @Test func restartsFindAsLowAnInertiaAsScikitLearn() throws {
    let (ref, space, _) = try Self.space()
    let result = try KMeans(k: 5, restarts: 10, seed: 3).fit(space.matrix)
    // scikit-learn's best of 10 k-means++ starts; ours may land in another local minimum, but no
    // worse than 1% above it.
    #expect(result.inertia <= (ref["plus_plus_best_inertia"] as! Double) * 1.01)
    #expect(try KMeans(k: 5, restarts: 10, seed: 3).fit(space.matrix).labels == result.labels)  // seeded
  }

  @Test func edgeCases() throws {
    // Two obvious groups; k = 1 is the mean; an empty cluster takes the farthest row.
    let x = Matrix([[0, 0], [0, 1], [10, 10], [10, 11]])
    let two = KMeans.lloyd(x, centres: Matrix([[0, 0], [10, 10]]), tolerance: 0)
    #expect(two.labels == [0, 0, 1, 1])
    expectClose(two.inertia, 1.0)
    let one = try KMeans(k: 1).fit(x)
    expectClose(one.centres.elements, [5, 5.5])
    let stranded = KMeans.lloyd(x, centres: Matrix([[5, 5], [100, 100]]), tolerance: 0)
    #expect(Set(stranded.labels).count == 2)
    #expect(throws: KMeans.Problem.badK(k: 5, rows: 4)) { try KMeans(k: 5).fit(x) }
    // Silhouette by hand: two tight pairs far apart.
    let s = try #require(Silhouette.score(x, labels: [0, 0, 1, 1], k: 2))
    // a = 1 for every row; b is the mean distance to the other pair.
    let b = [(200.0.squareRoot() + 221.0.squareRoot()) / 2, (181.0.squareRoot() + 200.0.squareRoot()) / 2]
    let expected = (2 * (b[0] - 1) / b[0] + 2 * (b[1] - 1) / b[1]) / 4
    expectClose(s, expected, relativeTolerance: 1e-10)
    #expect(Silhouette.score(x, labels: [0, 0, 0, 0], k: 2) == nil)
  }

  @Test func logsRefuseNegativeValues() {
    #expect(throws: ClusterSpace.Problem.negativeForLog(feature: "trend_90d", value: -0.5)) {
      try ClusterSpace(columns: [[0.5, -0.5]], names: ["trend_90d"], logged: [true])
    }
    #expect(throws: ClusterSpace.Problem.allMissing(feature: "gap_std_days")) {
      try ClusterSpace(columns: [[.nan, .nan]], names: ["gap_std_days"], logged: [false])
    }
  }
}
