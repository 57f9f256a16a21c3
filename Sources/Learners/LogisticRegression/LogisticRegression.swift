import LinearAlgebra
import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// L2-regularised logistic regression, fitted with Newton steps and a Cholesky solve.
///
/// Minimises `Σᵢ C·sᵢ·ℓ(yᵢ, zᵢ) + ½‖β‖²` with `zᵢ = b + βᵀxᵢ` and
/// `ℓ(y, z) = log(1 + eᶻ) − y·z`, which is scikit-learn's objective; the intercept `b` is not
/// penalised, `sᵢ` is the row's sample weight times its class weight. Each Newton step solves
/// `H Δ = g` with `H = Xᵀ diag(C·s·p(1−p)) X + diag(1, …, 1, 0)` built by BLAS `dsyrk` and
/// LAPACK's Cholesky solve (`dposv`), then backtracks (Armijo) until the objective decreases.
/// It stops when the Newton step's largest component falls below `tolerance · max(1, ‖θ‖∞)`;
/// convergence is quadratic near the optimum, so a handful of steps reach machine precision.
/// Cost per step: `O(n·p²)` for the Hessian plus two matrix-vector products.
///
/// The features are first imputed (training medians) and standardised (`Standardizer`), unless
/// `standardize` is false; the fitted model carries that preprocessing.
///
/// - Parameters:
///   - c: Inverse regularisation strength, as scikit-learn's `C`; finite, `> 0`. Defaults to `1.0`.
///   - classWeight: `.none`, `.balanced` (`n / (2·n_k)`, as scikit-learn) or explicit weights.
///   - maxIterations: Newton steps before `FitError.notConverged`. Defaults to `100`.
///   - tolerance: On the Newton step, relative to the largest coefficient. Defaults to `1e-12`.
public struct LogisticRegression: Estimator {
  public enum ClassWeight: Sendable, Equatable, Codable {
    case none
    case balanced
    case explicit(negative: Double, positive: Double)
  }

  public var c: Double
  public var classWeight: ClassWeight
  public var maxIterations: Int
  public var tolerance: Double
  public var standardize: Bool
  /// Start large fits from a subsample's solution (the answer is the same; it is faster).
  public var warmStart = true

  /// Above about this many rows, the fit starts from a subsample's solution.
  static let warmStartRows = 50_000

  public init(c: Double = 1, classWeight: ClassWeight = .none, maxIterations: Int = 100, tolerance: Double = 1e-12, standardize: Bool = true) {
    self.c = c
    self.classWeight = classWeight
    self.maxIterations = maxIterations
    self.tolerance = tolerance
    self.standardize = standardize
  }

  public func fit(_ x: FeatureMatrix, _ y: Labels, sampleWeights: [Double]? = nil) throws(FitError) -> LogisticRegressionModel {
    try validate(x, y, sampleWeights)
    let n = x.rowCount, p = x.columnCount
    let preprocessing = standardize ? try Standardizer.fit(x) : Standardizer.identity(columns: p)
    if !standardize {
      for (index, v) in x.values.enumerated() where !v.isFinite {
        throw .nonFinite(row: index / p, feature: x.featureNames[index % p], value: v)
      }
    }
    // The standardised design matrix, with a last column of ones for the intercept.
    var design = [Double](repeating: 1, count: n * (p + 1))
    design.withUnsafeMutableBufferPointer { d in
      x.values.withUnsafeBufferPointer { v in
        for i in 0..<n {
          for j in 0..<p {
            let value = v[i * p + j]
            d[i * (p + 1) + j] = ((value.isNaN ? preprocessing.impute[j] : value) - preprocessing.mean[j]) / preprocessing.scale[j]
          }
        }
      }
    }
    let weights = rowWeights(y, sampleWeights).map { $0 * c }
    // On large data, a few Newton steps on an evenly spaced subsample (its weights scaled up to
    // stand for every row) start the full fit near the optimum, so that only the last, quadratic
    // steps run on every row. The full fit's stopping rule is unchanged, so is its answer.
    var start = [Double](repeating: 0, count: p + 1)
    let stride = n / Self.warmStartRows
    if warmStart && stride >= 4 {
      let rows = Swift.stride(from: 0, to: n, by: stride).map { $0 }
      var sample = [Double]()
      sample.reserveCapacity(rows.count * (p + 1))
      for i in rows { sample.append(contentsOf: design[(i * (p + 1))..<((i + 1) * (p + 1))]) }
      let scaled = rows.map { weights[$0] * Double(n) / Double(rows.count) }
      if let (warm, _) = try? newton(
        Matrix(rows: rows.count, columns: p + 1, elements: sample), labels: rows.map { y.values[$0] }, weights: scaled,
        penalised: p, start: start, tolerance: 1e-4)
      {
        start = warm
      }
    }
    let (theta, diagnostics) = try newton(
      Matrix(rows: n, columns: p + 1, elements: design), labels: y.values, weights: weights, penalised: p, start: start,
      tolerance: tolerance)
    return LogisticRegressionModel(
      featureNames: x.featureNames, preprocessing: preprocessing, intercept: theta[p],
      coefficients: Array(theta[0..<p]), diagnostics: diagnostics)
  }

  private func validate(_ x: FeatureMatrix, _ y: Labels, _ sampleWeights: [Double]?) throws(FitError) {
    guard c.isFinite, c > 0 else { throw .invalidConfiguration("C must be a finite number > 0, got \(c)") }
    guard maxIterations >= 1 else { throw .invalidConfiguration("maxIterations must be at least 1, got \(maxIterations)") }
    if case let .explicit(negative, positive) = classWeight {
      guard negative.isFinite, positive.isFinite, negative > 0, positive > 0 else {
        throw .invalidConfiguration("class weights must be finite numbers > 0, got \(negative) and \(positive)")
      }
    }
    try validateRows(x, y, sampleWeights)
  }

  /// The checks on the rows every estimator shares: some rows, one label (and weight) per row,
  /// weights finite and >= 0, both classes present.
  func validateRows(_ x: FeatureMatrix, _ y: Labels, _ sampleWeights: [Double]?) throws(FitError) {
    guard x.rowCount > 0 else { throw .noRows }
    guard y.count == x.rowCount, sampleWeights.map({ $0.count == x.rowCount }) ?? true else {
      throw .shapeMismatch(rows: x.rowCount, labels: y.count, weights: sampleWeights?.count)
    }
    if let sampleWeights {
      for (row, w) in sampleWeights.enumerated() where !(w.isFinite && w >= 0) { throw .badWeight(row: row, value: w) }
    }
    let positives = y.positives
    if positives == 0 || positives == y.count {
      throw .singleClass(label: positives == 0 ? 0 : 1, rows: y.count)
    }
  }

  /// Sample weight × class weight for every row.
  func rowWeights(_ y: Labels, _ sampleWeights: [Double]?) -> [Double] {
    let (negative, positive): (Double, Double)
    switch classWeight {
    case .none: (negative, positive) = (1, 1)
    case .balanced:
      let n = Double(y.count), positives = Double(y.positives)
      (negative, positive) = (n / (2 * (n - positives)), n / (2 * positives))
    case let .explicit(n, p): (negative, positive) = (n, p)
    }
    return y.values.enumerated().map { i, label in (label == 1 ? positive : negative) * (sampleWeights?[i] ?? 1) }
  }

  /// Newton's method on the design matrix `a` (the last column the intercept); the first
  /// `penalised` coefficients carry the L2 penalty.
  private func newton(
    _ a: Matrix, labels: [UInt8], weights: [Double], penalised: Int, start: [Double], tolerance: Double
  ) throws(FitError) -> ([Double], FitDiagnostics) {
    let n = a.rows, k = a.columns
    var theta = start
    var z = [Double](repeating: 0, count: n)
    do { z = try gemv(a, theta) } catch { throw .numerical("\(error)") }
    var probabilities = [Double](repeating: 0, count: n)
    var residual = [Double](repeating: 0, count: n)
    var curvature = [Double](repeating: 0, count: n)
    var candidateZ = [Double](repeating: 0, count: n)
    var candidateProbabilities = [Double](repeating: 0, count: n)
    var workspace: [Double] = []
    var objective = evaluate(z, labels, weights, probabilities: &probabilities) + penalty(theta, penalised)
    var iterations = 0
    var gradientNorm = Double.infinity
    do {
      while true {
        for i in 0..<n {
          let probability = probabilities[i]
          residual[i] = weights[i] * (probability - Double(labels[i]))
          curvature[i] = weights[i] * probability * (1 - probability)
        }
        var gradient = try gemv(a, residual, transpose: true)
        for j in 0..<penalised { gradient[j] += theta[j] }
        gradientNorm = gradient.reduce(0) { max($0, abs($1)) }
        var hessian = try gram(a, weights: curvature, workspace: &workspace)
        for j in 0..<penalised { hessian[j, j] += 1 }
        // A vanishing intercept curvature (every probability saturated) would make H singular.
        hessian[k - 1, k - 1] += 1e-12 * max(1, hessian[k - 1, k - 1])
        let step = try solveSPD(hessian, gradient)
        let decrement = zip(gradient, step).reduce(0) { $0 + $1.0 * $1.1 }
        let stepSize = step.reduce(0) { max($0, abs($1)) }
        let size = theta.reduce(0) { max($0, abs($1)) }
        if stepSize <= tolerance * max(1, size) {
          for j in 0..<k { theta[j] -= step[j] }
          return (theta, FitDiagnostics(iterations: iterations + 1, gradientNorm: gradientNorm, objective: objective,
                                        reason: "converged (Newton step below tolerance)", converged: true))
        }
        guard iterations < maxIterations else {
          throw FitError.notConverged(FitDiagnostics(iterations: iterations, gradientNorm: gradientNorm, objective: objective,
                                                     reason: "reached \(maxIterations) Newton steps", converged: false))
        }
        iterations += 1
        let direction = try gemv(a, step)
        // Near the optimum the decrease is below the objective's rounding noise, where a line
        // search cannot judge; there the full Newton step is taken (quadratic convergence).
        let noise = 1e3 * Double.ulpOfOne * max(1, abs(objective))
        var t = 1.0
        var accepted = false
        for _ in 0..<40 {
          for i in 0..<n { candidateZ[i] = z[i] - t * direction[i] }
          var candidateTheta = theta
          for j in 0..<k { candidateTheta[j] -= t * step[j] }
          let candidate =
            evaluate(candidateZ, labels, weights, probabilities: &candidateProbabilities) + penalty(candidateTheta, penalised)
          if decrement / 2 <= noise || candidate <= objective - 1e-4 * t * decrement {
            swap(&z, &candidateZ)
            swap(&probabilities, &candidateProbabilities)
            (theta, objective) = (candidateTheta, candidate)
            accepted = true
            break
          }
          t /= 2
        }
        if !accepted {
          // No decrease is representable: the optimum is reached to machine precision.
          return (theta, FitDiagnostics(iterations: iterations, gradientNorm: gradientNorm, objective: objective,
                                        reason: "converged (no further decrease at machine precision)", converged: true))
        }
      }
    } catch let error as LinearAlgebraError {
      throw .numerical("the Newton system could not be solved: \(error)")
    } catch let error as FitError {
      throw error
    } catch {
      throw .numerical("\(error)")
    }
  }

  /// The weighted loss `Σ wᵢ (log(1 + e^zᵢ) − yᵢ zᵢ)` and, into `probabilities`, `σ(zᵢ)`: one
  /// exponential per row, without overflow.
  private func evaluate(_ z: [Double], _ labels: [UInt8], _ weights: [Double], probabilities: inout [Double]) -> Double {
    var total = 0.0
    probabilities.withUnsafeMutableBufferPointer { p in
      for i in 0..<z.count {
        let e = exp(-abs(z[i]))  // in (0, 1]
        let softplus = max(z[i], 0) + log1p(e)
        total += weights[i] * (softplus - Double(labels[i]) * z[i])
        p[i] = z[i] >= 0 ? 1 / (1 + e) : e / (1 + e)
      }
    }
    return total
  }

  private func penalty(_ theta: [Double], _ penalised: Int) -> Double {
    var s = 0.0
    for j in 0..<penalised { s += theta[j] * theta[j] }
    return s / 2
  }
}

/// The logistic function `1 / (1 + e^(−z))`, without overflow.
@inline(__always)
func sigmoid(_ z: Double) -> Double {
  if z >= 0 { return 1 / (1 + exp(-z)) }
  let e = exp(z)
  return e / (1 + e)
}
