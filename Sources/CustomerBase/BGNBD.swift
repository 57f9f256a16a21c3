import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One customer's purchase history as the BG/NBD model sees it: `x` repeat purchases, the last
/// at `tx` after the first, observed for `T` since the first (all in days, or any one unit).
public struct RepeatHistory: Sendable, Equatable {
  public var x: Double
  public var tx: Double
  public var T: Double
  public init(x: Double, tx: Double, T: Double) {
    self.x = x
    self.tx = tx
    self.T = T
  }
}

/// The BG/NBD model of Fader, Hardie & Lee (2005), fitted by maximum likelihood.
///
/// While alive, a customer buys at a rate λ ~ Gamma(r, α); after each purchase they drop out
/// with probability p ~ Beta(a, b). The log-likelihood of one customer is
/// `ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
///  + ln[(α+T)^−(r+x) + 1{x>0}·a/(b+x−1)·(α+tₓ)^−(r+x)]`.
/// The fit maximises the mean log-likelihood over log-parameters by BFGS with the analytic
/// gradient and a backtracking line search whose steps are bounded, from r = a = b = 1 and α the
/// mean observation time.
public struct BGNBD: Sendable {
  /// Iterations before `FitError.notConverged`.
  public var maxIterations = 500

  public init() {}

  public func fit(_ customers: [RepeatHistory]) throws(FitError) -> BGNBDModel {
    guard !customers.isEmpty else { throw .noRows }
    for (i, c) in customers.enumerated() {
      guard c.x >= 0, c.tx >= 0, c.T >= c.tx, c.T.isFinite, c.x > 0 || c.tx == 0 else {
        throw .invalidConfiguration("customer \(i + 1): x = \(c.x), tₓ = \(c.tx), T = \(c.T) is not a purchase history (0 ≤ tₓ ≤ T)")
      }
    }
    let meanT = customers.reduce(0) { $0 + $1.T } / Double(customers.count)
    let result = try minimizeBFGS(from: [0, log(max(meanT, 1)), 0, 0], maxIterations: maxIterations) { u in
      BGNBD.objective(u, customers)
    }
    let p = result.point.map(exp)
    return BGNBDModel(
      r: p[0], alpha: p[1], a: p[2], b: p[3], logLikelihood: -result.value * Double(customers.count),
      standardErrors: standardErrors(at: result.point, count: customers.count) { BGNBD.objective($0, customers) },
      diagnostics: result.diagnostics)
  }

  /// The mean negative log-likelihood at log-parameters `u`, and its gradient in `u`.
  static func objective(_ u: [Double], _ customers: [RepeatHistory]) -> (Double, [Double]) {
    let r = exp(u[0]), alpha = exp(u[1]), a = exp(u[2]), b = exp(u[3])
    var total = 0.0
    var g = [0.0, 0.0, 0.0, 0.0]  // d(LL)/d(r, α, a, b)
    let psiR = digamma(r), psiB = digamma(b), psiAB = digamma(a + b)
    for c in customers {
      let x = c.x
      let a1 = logGamma(r + x) - logGamma(r) + r * log(alpha)
      let a2 = logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x)
      let a3 = -(r + x) * log(alpha + c.T)
      var w3 = 1.0, w4 = 0.0, mix = a3
      if x > 0 {
        let a4 = log(a) - log(b + x - 1) - (r + x) * log(alpha + c.tx)
        let top = max(a3, a4)
        let e3 = exp(a3 - top), e4 = exp(a4 - top)
        mix = top + log(e3 + e4)
        w3 = e3 / (e3 + e4)
        w4 = e4 / (e3 + e4)
      }
      total += a1 + a2 + mix
      let psiABX = digamma(a + b + x)
      g[0] += digamma(r + x) - psiR + log(alpha) - w3 * log(alpha + c.T) - w4 * (x > 0 ? log(alpha + c.tx) : 0)
      g[1] += r / alpha - w3 * (r + x) / (alpha + c.T) - w4 * (x > 0 ? (r + x) / (alpha + c.tx) : 0)
      g[2] += psiAB - psiABX + w4 / a
      g[3] += psiAB + digamma(b + x) - psiB - psiABX - (x > 0 ? w4 / (b + x - 1) : 0)
    }
    let n = Double(customers.count)
    let parameters = [r, alpha, a, b]
    return (-total / n, (0..<4).map { -g[$0] * parameters[$0] / n })
  }
}

/// A fitted BG/NBD model: its parameters and what they predict for a customer.
public struct BGNBDModel: Codable, Sendable, Equatable {
  public let r: Double
  public let alpha: Double
  public let a: Double
  public let b: Double
  /// The total log-likelihood at the fit.
  public let logLikelihood: Double
  /// Standard errors of r, α, a, b from the observed information (the inverse Hessian of the
  /// negative log-likelihood); `nil` where the Hessian is not positive definite (the data do
  /// not identify the parameter).
  public let standardErrors: [Double?]
  public let diagnostics: FitDiagnostics

  public init(
    r: Double, alpha: Double, a: Double, b: Double, logLikelihood: Double, standardErrors: [Double?] = [nil, nil, nil, nil],
    diagnostics: FitDiagnostics
  ) {
    self.r = r
    self.alpha = alpha
    self.a = a
    self.b = b
    self.logLikelihood = logLikelihood
    self.standardErrors = standardErrors
    self.diagnostics = diagnostics
  }

  /// P(still alive | x, tₓ, T): 1 for a customer with no repeat purchase (who cannot yet have
  /// dropped out), else `1 / (1 + a/(b+x−1) · ((α+T)/(α+tₓ))^(r+x))`.
  public func probabilityAlive(_ c: RepeatHistory) -> Double {
    guard c.x > 0 else { return 1 }
    let logRatio = (r + c.x) * log((alpha + c.T) / (alpha + c.tx)) + log(a / (b + c.x - 1))
    return 1 / (1 + exp(logRatio))
  }

  /// The expected number of purchases in the next `t` (same unit as T), given the history.
  public func expectedPurchases(in t: Double, _ c: RepeatHistory) -> Double {
    let x = c.x
    let z = t / (alpha + c.T + t)
    let hyper = hypergeometric2F1(r + x, b + x, a + b + x - 1, z)
    let first = (a + b + x - 1) / (a - 1)
    let second = 1 - hyper * pow((alpha + c.T) / (alpha + c.T + t), r + x)
    let denominator = 1 + (x > 0 ? (a / (b + x - 1)) * pow((alpha + c.T) / (alpha + c.tx), r + x) : 0)
    return first * second / denominator
  }

  /// P(at least one purchase in the next `t`): alive, and the Poisson process with the posterior
  /// Gamma(r+x, α+T) rate has an event: `P(alive) · (1 − ((α+T)/(α+T+t))^(r+x))`.
  public func probabilityOfPurchase(in t: Double, _ c: RepeatHistory) -> Double {
    probabilityAlive(c) * (1 - pow((alpha + c.T) / (alpha + c.T + t), r + c.x))
  }
}
