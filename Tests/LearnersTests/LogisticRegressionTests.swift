import Foundation
@testable import Learners
import Testing
import TestSupport

@Suite struct LogisticRegressionTests {
  struct Reference {
    let names: [String]
    let x: FeatureMatrix
    let y: Labels
    let impute: [Double], mean: [Double], scale: [Double]
    let fits: [[String: Any]]

    init() throws {
      let json = try Fixture.json("logistic_reference")
      names = json["feature_names"] as! [String]
      let rows = (json["x"] as! [[Any]]).map { $0.map { $0 as? Double } }
      x = FeatureMatrix(featureNames: names, rows: rows)
      y = Labels((json["y"] as! [Int]).map(UInt8.init))
      impute = json["impute"] as! [Double]
      mean = json["mean"] as! [Double]
      scale = json["scale"] as! [Double]
      fits = json["fits"] as! [[String: Any]]
    }
  }

  /// Against scikit-learn (fixture: `Notebooks/oracles/sklearn_reference.py`) on the bundled
  /// dataset's features: the preprocessing to 1e-12; the coefficients and intercept to 1e-6
  /// relative (to the largest magnitude) against the exact newton-cholesky solution, and within
  /// lbfgs's own distance from it (recorded in the fixture) of the lbfgs solution.
  @Test(arguments: 0..<6)
  func matchesScikitLearn(fitIndex: Int) throws {
    let ref = try Reference()
    let fit = ref.fits[fitIndex]
    let c = fit["c"] as! Double
    let weight: LogisticRegression.ClassWeight = (fit["class_weight"] as! String) == "balanced" ? .balanced : .none
    let model = try LogisticRegression(c: c, classWeight: weight).fit(ref.x, ref.y)
    expectClose(model.preprocessing.impute, ref.impute, relativeTolerance: 1e-12)
    expectClose(model.preprocessing.mean, ref.mean, relativeTolerance: 1e-12, absoluteTolerance: 1e-12)
    expectClose(model.preprocessing.scale, ref.scale, relativeTolerance: 1e-12)
    let exact = (fit["exact_coefficients"] as! [Double]) + [fit["exact_intercept"] as! Double]
    let ours = model.coefficients + [model.intercept]
    let size = exact.map(abs).max()!
    expectClose(ours, exact, relativeTolerance: 0, absoluteTolerance: 1e-6 * size)
    let lbfgs = (fit["coefficients"] as! [Double]) + [fit["intercept"] as! Double]
    expectClose(ours, lbfgs, relativeTolerance: 0, absoluteTolerance: 2 * (fit["lbfgs_gap"] as! Double) + 1e-6 * size)
    #expect(model.diagnostics.converged)
    let first100 = ref.x.rows(Array(0..<100))
    expectClose(try model.predictProbability(first100), fit["probabilities_first_100"] as! [Double], relativeTolerance: 1e-6)
  }

  @Test func shufflingRowsLeavesTheCoefficientsUnchanged() throws {
    let ref = try Reference()
    var rng = SplitMix64(seed: 12)
    let order = Array(0..<ref.x.rowCount).shuffled(using: &rng)
    let a = try LogisticRegression().fit(ref.x, ref.y)
    let b = try LogisticRegression().fit(ref.x.rows(order), ref.y.rows(order))
    expectClose(b.coefficients + [b.intercept], a.coefficients + [a.intercept], relativeTolerance: 1e-9, absoluteTolerance: 1e-10)
  }

  @Test func sampleWeightsActLikeRepeatedRows() throws {
    let x = FeatureMatrix(featureNames: ["a", "b"], rows: [[1, 2], [2, 1], [3, 5], [0, 1], [4, 4], [2, 2]])
    let y = Labels([0, 0, 1, 0, 1, 1])
    let weighted = try LogisticRegression(standardize: false).fit(x, y, sampleWeights: [1, 2, 1, 1, 3, 1])
    let repeated = try LogisticRegression(standardize: false).fit(
      x.rows([0, 1, 1, 2, 3, 4, 4, 4, 5]), y.rows([0, 1, 1, 2, 3, 4, 4, 4, 5]))
    expectClose(weighted.coefficients + [weighted.intercept], repeated.coefficients + [repeated.intercept], relativeTolerance: 1e-10)
  }

  @Test func perfectlySeparableDataGivesFiniteCoefficients() throws {
    let x = FeatureMatrix(featureNames: ["a"], rows: [[-3], [-2], [-1], [1], [2], [3]])
    let y = Labels([0, 0, 0, 1, 1, 1])
    let model = try LogisticRegression(c: 1).fit(x, y)
    #expect(model.coefficients[0].isFinite && model.coefficients[0] > 0)
    #expect(model.diagnostics.converged)
    let p = try model.predictProbability(x)
    #expect(p[0] < 0.5 && p[5] > 0.5)
  }

  @Test func constantColumnsGetZeroCoefficients() throws {
    let x = FeatureMatrix(featureNames: ["a", "constant"], rows: [[1, 7], [2, 7], [3, 7], [4, 7], [5, 7]])
    let model = try LogisticRegression().fit(x, Labels([0, 1, 0, 1, 1]))
    #expect(model.preprocessing.scale[1] == 1)
    #expect(abs(model.coefficients[1]) < 1e-12)
  }

  @Test func oneClassIsAClearError() {
    let x = FeatureMatrix(featureNames: ["a"], rows: [[1], [2]])
    #expect(throws: FitError.singleClass(label: 1, rows: 2)) { try LogisticRegression().fit(x, Labels([1, 1])) }
    #expect(throws: FitError.singleClass(label: 0, rows: 1)) {
      try LogisticRegression().fit(FeatureMatrix(featureNames: ["a"], rows: [[1]]), Labels([0]))
    }
    #expect(FitError.singleClass(label: 1, rows: 2).description.contains("needs both classes"))
  }

  @Test func moreFeaturesThanRows() throws {
    var rng = SplitMix64(seed: 3)
    let names = (0..<30).map { "f\($0)" }
    let rows = (0..<8).map { _ in (0..<30).map { _ in Optional(rng.nextUnit()) } }
    let model = try LogisticRegression(c: 0.5).fit(FeatureMatrix(featureNames: names, rows: rows), Labels([0, 1, 0, 1, 1, 0, 0, 1]))
    #expect(model.coefficients.allSatisfy { $0.isFinite })
    #expect(model.diagnostics.converged)
  }

  @Test func missingValuesAreImputedAndInfinityIsRefused() throws {
    let x = FeatureMatrix(featureNames: ["a"], rows: [[1], [nil], [3], [10]])
    let model = try LogisticRegression().fit(x, Labels([0, 0, 1, 1]))
    #expect(model.preprocessing.impute == [3])
    #expect(model.preprocessing.missing == [1])
    let bad = FeatureMatrix(featureNames: ["a"], rowCount: 2, values: [1, .infinity])
    #expect(throws: FitError.nonFinite(row: 1, feature: "a", value: .infinity)) { try LogisticRegression().fit(bad, Labels([0, 1])) }
    #expect(throws: ScoreError.nonFinite(row: 1, feature: "a", value: .infinity)) { try model.predictProbability(bad) }
  }

  @Test func badConfigurationsAndShapes() {
    let x = FeatureMatrix(featureNames: ["a"], rows: [[1], [2]])
    #expect(throws: FitError.self) { try LogisticRegression(c: 0).fit(x, Labels([0, 1])) }
    #expect(throws: FitError.self) { try LogisticRegression(c: .nan).fit(x, Labels([0, 1])) }
    #expect(throws: FitError.shapeMismatch(rows: 2, labels: 3, weights: nil)) { try LogisticRegression().fit(x, Labels([0, 1, 1])) }
    #expect(throws: FitError.badWeight(row: 0, value: -1)) { try LogisticRegression().fit(x, Labels([0, 1]), sampleWeights: [-1, 1]) }
    #expect(throws: FitError.noRows) { try LogisticRegression().fit(FeatureMatrix(featureNames: ["a"], rows: []), Labels([])) }
  }

  @Test func scoringChecksFeatureNames() throws {
    let model = try LogisticRegression().fit(FeatureMatrix(featureNames: ["a", "b"], rows: [[1, 0], [2, 1], [0, 1]]), Labels([0, 1, 0]))
    #expect(throws: ScoreError.self) { try model.predictProbability(FeatureMatrix(featureNames: ["b", "a"], rows: [[1, 0]])) }
  }

  /// Probabilities stay in [0, 1] whatever the inputs' size.
  @Test func probabilitiesStayInTheUnitInterval() throws {
    let model = try LogisticRegression(c: 100).fit(FeatureMatrix(featureNames: ["a"], rows: [[0], [1], [0.5], [0.7]]), Labels([0, 1, 0, 1]))
    let extreme = FeatureMatrix(featureNames: ["a"], rows: [[-1e300], [1e300], [0], [nil]])
    let p = try model.predictProbability(extreme)
    #expect(p.allSatisfy { $0 >= 0 && $0 <= 1 })
    #expect(p[0] == 0 && p[1] == 1)
  }
}

@Suite struct StandardizerTests {
  /// Selection against sorting, on random data with many ties, odd and even counts.
  @Test func medianMatchesSorting() {
    var rng = SplitMix64(seed: 8)
    for n in [1, 2, 3, 4, 5, 10, 11, 100, 1001, 5000] {
      for _ in 0..<20 {
        var values = (0..<n).map { _ in Double(rng.next() % 7) + (rng.next() % 2 == 0 ? 0.5 : 0) }
        let sorted = values.sorted()
        let expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        #expect(values.withUnsafeMutableBufferPointer { Standardizer.median($0) } == expected, "n \(n)")
      }
    }
  }

  /// Above the warm-start size the fit still reaches the full-data optimum.
  @Test func warmStartedFitsMatchColdOnes() throws {
    var rng = SplitMix64(seed: 9)
    let n = 240_000
    var values: [Double] = []
    var labels: [UInt8] = []
    for _ in 0..<n {
      let a = rng.nextUnit() * 4 - 2, b = rng.nextUnit()
      values += [a, b]
      labels.append(rng.nextUnit() < 1 / (1 + exp(-(1.5 * a - 2 * b + 0.3))) ? 1 : 0)
    }
    let x = FeatureMatrix(featureNames: ["a", "b"], rowCount: n, values: values)
    let warm = try LogisticRegression().fit(x, Labels(labels))
    var coldEstimator = LogisticRegression()
    coldEstimator.warmStart = false
    let cold = try coldEstimator.fit(x, Labels(labels))
    #expect(warm.diagnostics.converged && cold.diagnostics.converged)
    #expect(warm.diagnostics.iterations < cold.diagnostics.iterations)
    expectClose(warm.coefficients + [warm.intercept], cold.coefficients + [cold.intercept], relativeTolerance: 1e-9, absoluteTolerance: 1e-12)
  }
}
