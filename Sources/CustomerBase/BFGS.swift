import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Minimises a smooth function of a few variables by BFGS with its analytic gradient: a
/// backtracking (Armijo) line search whose first step moves no variable by more than 2 (a factor
/// e² for log-parameters), a restart along the gradient when the update loses descent, and a
/// stop when the gradient's largest component is below `1e-8 · max(1, |f|)` or no decrease is
/// representable any more. After `maxIterations` steps it returns where it is, with
/// `converged` false in the diagnostics: the caller decides what that means.
func minimizeBFGS(
  from start: [Double], maxIterations: Int, objective: ([Double]) -> (Double, [Double])
) throws(FitError) -> (point: [Double], value: Double, diagnostics: FitDiagnostics) {
  let k = start.count
  let identity = (0..<k).map { i in (0..<k).map { j in i == j ? 1.0 : 0.0 } }
  var u = start
  var (value, gradient) = objective(u)
  guard value.isFinite else { throw .numerical("the likelihood is not finite at the starting values") }
  var inverse = identity
  var iterations = 0
  while true {
    let norm = gradient.map(abs).max()!
    if norm < 1e-8 * max(1, abs(value)) {
      return (u, value, FitDiagnostics(
        iterations: iterations, gradientNorm: norm, objective: value, reason: "converged (gradient below tolerance)",
        converged: true))
    }
    guard iterations < maxIterations else {
      return (u, value, FitDiagnostics(
        iterations: iterations, gradientNorm: norm, objective: value, reason: "reached \(maxIterations) BFGS steps",
        converged: false))
    }
    iterations += 1
    var direction = (0..<k).map { i in -(0..<k).reduce(0) { $0 + inverse[i][$1] * gradient[$1] } }
    var slope = zip(direction, gradient).reduce(0) { $0 + $1.0 * $1.1 }
    if slope >= 0 {
      inverse = identity
      direction = gradient.map { -$0 }
      slope = -gradient.reduce(0) { $0 + $1 * $1 }
    }
    var t = min(1, 2 / direction.map(abs).max()!)
    var accepted: (u: [Double], value: Double, gradient: [Double])? = nil
    for _ in 0..<60 {
      let candidate = zip(u, direction).map { $0 + t * $1 }
      let (v, g) = objective(candidate)
      // Strictly lower: near the optimum the Armijo term rounds away, and accepting an equal
      // value would step in place for ever.
      if v.isFinite && v < value && v <= value + 1e-4 * t * slope {
        accepted = (candidate, v, g)
        break
      }
      t /= 2
    }
    guard let next = accepted else {
      // Near the optimum this is rounding; with a gradient still large it is a failure.
      let nearOptimum = norm < 1e-5 * max(1, abs(value))
      return (u, value, FitDiagnostics(
        iterations: iterations, gradientNorm: norm, objective: value,
        reason: nearOptimum ? "converged (no further decrease at machine precision)" : "the line search found no decrease",
        converged: nearOptimum))
    }
    let s = zip(next.u, u).map { $0 - $1 }
    let y = zip(next.gradient, gradient).map { $0 - $1 }
    let sy = zip(s, y).reduce(0) { $0 + $1.0 * $1.1 }
    if sy > 1e-12 {
      let hy = (0..<k).map { i in (0..<k).reduce(0) { $0 + inverse[i][$1] * y[$1] } }
      let yhy = zip(y, hy).reduce(0) { $0 + $1.0 * $1.1 }
      for i in 0..<k {
        for j in 0..<k { inverse[i][j] += (sy + yhy) * s[i] * s[j] / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy }
      }
    }
    (u, value, gradient) = next
  }
}

/// Standard errors of the natural parameters `exp(u)` at the optimum `u` of a mean negative
/// log-likelihood over `count` observations: the Hessian of the total negative log-likelihood in
/// log-parameters by central differences of the analytic gradient, inverted (Gauss-Jordan), and
/// carried to the natural scale by the delta method (`se(θ) = θ · se(ln θ)`). `nil` for a
/// parameter whose variance is not positive (the data do not identify it).
func standardErrors(at u: [Double], count: Int, objective: ([Double]) -> (Double, [Double])) -> [Double?] {
  let k = u.count
  let h = 1e-5
  var hessian = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
  for j in 0..<k {
    var up = u, down = u
    up[j] += h
    down[j] -= h
    let (gUp, gDown) = (objective(up).1, objective(down).1)
    for i in 0..<k { hessian[i][j] = (gUp[i] - gDown[i]) / (2 * h) * Double(count) }
  }
  for i in 0..<k {
    for j in 0..<i { hessian[i][j] = (hessian[i][j] + hessian[j][i]) / 2; hessian[j][i] = hessian[i][j] }
  }
  guard let inverse = invert(hessian) else { return Array(repeating: nil, count: k) }
  return (0..<k).map { i in inverse[i][i] > 0 ? exp(u[i]) * inverse[i][i].squareRoot() : nil }
}

/// The inverse of a small square matrix by Gauss-Jordan elimination with partial pivoting, or
/// `nil` when it is singular.
func invert(_ matrix: [[Double]]) -> [[Double]]? {
  let n = matrix.count
  var a = matrix
  var inverse = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : 0.0 } }
  for column in 0..<n {
    guard let pivot = (column..<n).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }), abs(a[pivot][column]) > 1e-300 else {
      return nil
    }
    a.swapAt(column, pivot)
    inverse.swapAt(column, pivot)
    let scale = a[column][column]
    for j in 0..<n {
      a[column][j] /= scale
      inverse[column][j] /= scale
    }
    for row in 0..<n where row != column {
      let factor = a[row][column]
      if factor == 0 { continue }
      for j in 0..<n {
        a[row][j] -= factor * a[column][j]
        inverse[row][j] -= factor * inverse[column][j]
      }
    }
  }
  return inverse
}
