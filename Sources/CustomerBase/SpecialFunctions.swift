#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// ln Γ(x) for x > 0.
@inline(__always)
func logGamma(_ x: Double) -> Double { lgamma(x) }

/// The digamma function ψ(x) = d/dx ln Γ(x), for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up
/// to x ≥ 12, then the asymptotic series (next term below 1e-15 there).
func digamma(_ x: Double) -> Double {
  var x = x
  var result = 0.0
  while x < 12 {
    result -= 1 / x
    x += 1
  }
  let f = 1 / (x * x)
  let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))))
  return result + log(x) - 0.5 / x - series
}

/// Gauss's hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, by its power series (summed
/// until a term no longer changes the sum).
func hypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
  var term = 1.0, sum = 1.0
  var k = 0.0
  while k < 1_000_000 {
    term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
    sum += term
    if abs(term) <= 1e-17 * abs(sum) { break }
    k += 1
  }
  return sum
}
