import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Draws from the distributions the generator needs, all from one seeded `SplitMix64`.
extension SplitMix64 {
  /// Uniform in `(0, 1)`: never exactly 0, so logarithms are safe.
  public mutating func nextOpenUnit() -> Double {
    (Double(next() >> 11) + 0.5) * 0x1.0p-53
  }

  /// Standard normal, by the Box–Muller transform (one of the pair is used).
  public mutating func nextNormal() -> Double {
    let u = nextOpenUnit(), v = nextOpenUnit()
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
  }

  /// Gamma with this shape and scale 1, by Marsaglia & Tsang (2000); shapes below 1 use
  /// `G(shape + 1) · U^(1/shape)`.
  public mutating func nextGamma(shape: Double) -> Double {
    if shape < 1 { return nextGamma(shape: shape + 1) * pow(nextOpenUnit(), 1 / shape) }
    let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
    while true {
      var x: Double, v: Double
      repeat {
        x = nextNormal()
        v = 1 + c * x
      } while v <= 0
      v = v * v * v
      let u = nextOpenUnit()
      if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
    }
  }

  /// Beta(a, b), as `X / (X + Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`.
  public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
    let x = nextGamma(shape: a), y = nextGamma(shape: b)
    return x / (x + y)
  }

  /// Exponential with this mean.
  public mutating func nextExponential(mean: Double) -> Double { -mean * log(nextOpenUnit()) }

  /// Uniform integer in `0..<n`.
  public mutating func nextInt(below n: Int) -> Int { Int(next() % UInt64(n)) }
}
