import RebuyCore

/// Minimises a smooth function of a few variables by BFGS with its analytic gradient: a
/// backtracking (Armijo) line search whose first step moves no variable by more than 2 (a factor
/// e² for log-parameters), a restart along the gradient when the update loses descent, and a
/// stop when the gradient's largest component is below `1e-8 · max(1, |f|)` or no decrease is
/// representable any more.
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
      throw .notConverged(FitDiagnostics(
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
      if v.isFinite && v <= value + 1e-4 * t * slope {
        accepted = (candidate, v, g)
        break
      }
      t /= 2
    }
    guard let next = accepted else {
      return (u, value, FitDiagnostics(
        iterations: iterations, gradientNorm: norm, objective: value,
        reason: "converged (no further decrease at machine precision)", converged: true))
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
