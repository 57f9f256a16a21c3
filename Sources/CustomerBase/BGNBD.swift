import Foundation
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
/// The fit minimises the mean negative log-likelihood, plus `penalty · (r² + α² + a² + b²)` when
/// a penalty is asked for (the `lifetimes` library's `penalizer_coef`, in the histories' time
/// unit), over log-parameters by BFGS with the analytic gradient and a backtracking line search
/// whose steps are bounded, from r = a = b = 1 and α the mean observation time.
public struct BGNBD: Sendable {
  /// Iterations before `FitError.notConverged`.
  public var maxIterations = 500
  /// The L2 penalty on the natural parameters (0: plain maximum likelihood).
  public var penalty: Double

  public init(penalty: Double = 0) {
    self.penalty = penalty
  }

  /// - Throws: `FitError.notIdentified` when no customer has a repeat purchase or a parameter
  ///   runs off to 0 or infinity (the message says what in the data causes it);
  ///   `.invalidConfiguration` for a history that is not one.
  public func fit(_ customers: [RepeatHistory]) throws(FitError) -> BGNBDModel {
    guard !customers.isEmpty else { throw .noRows }
    guard penalty >= 0, penalty.isFinite else { throw .invalidConfiguration("the penalty must be a finite number >= 0, got \(penalty)") }
    for (i, c) in customers.enumerated() {
      guard c.x >= 0, c.tx >= 0, c.T >= c.tx, c.T.isFinite, c.x > 0 || c.tx == 0 else {
        throw .invalidConfiguration("customer \(i + 1): x = \(c.x), tₓ = \(c.tx), T = \(c.T) is not a purchase history (0 ≤ tₓ ≤ T)")
      }
    }
    let repeaters = customers.filter { $0.x > 0 }.count
    guard repeaters > 0 else {
      throw .notIdentified(
        "none of the \(customers.count) customers bought again after their first purchase day; BG/NBD learns the purchase "
          + "rate and the dropout from repeat purchases, so it cannot be fitted (use a later cutoff or a longer history)")
    }
    guard customers.contains(where: { $0.T > 0 }) else {
      throw .notIdentified("every customer's first purchase is on the cutoff day (T = 0): there is no history to learn from")
    }
    let meanT = customers.reduce(0) { $0 + $1.T } / Double(customers.count)
    let penalty = self.penalty
    let scale = log(max(meanT, 1))
    // Log-parameters more than 12 from their natural scale (a factor of 160,000; α relative to
    // the mean observation time) mean the likelihood keeps rising towards a boundary: the data
    // do not pin that parameter down. Where the surface is that flat BFGS may stop on the
    // gradient test or run out of steps; either way the answer is the diagnostic below.
    let prepared = PreparedHistories(customers)
    let result = try minimizeBFGS(from: [0, scale, 0, 0], maxIterations: maxIterations) { u in
      BGNBD.objective(u, prepared, penalty: penalty)
    }
    let diverged = result.point.indices.filter { abs(result.point[$0] - ($0 == 1 ? scale : 0)) > 12 }
    if diverged.isEmpty && !result.diagnostics.converged { throw .notConverged(result.diagnostics) }
    if !diverged.isEmpty {
      let p = result.point.map(exp)
      let names = ["r", "alpha", "a", "b"]
      var causes: [String] = []
      if diverged.contains(0) || diverged.contains(1) {
        causes.append(
          diverged.contains(0) && diverged.contains(1)
            ? "the purchase rates show no spread between customers (the Gamma(r, α) mixing collapses to one rate, \(threeDigits(p[0] / p[1])) purchases per unit of time)"
            : "the purchase rate λ ~ Gamma(r, α) is not determined by these repeat purchases")
      }
      if diverged.contains(2) || diverged.contains(3) {
        let meanDropout = p[2] / (p[2] + p[3])
        causes.append(
          meanDropout < 1e-3
            ? "the histories show almost no dropout (of \(repeaters) repeat customers, hardly any look inactive), so the dropout probability runs to \(threeDigits(meanDropout))"
            : diverged.contains(2) && diverged.contains(3) && p[2] > 1
              ? "the dropout probability shows no spread between customers (Beta(a, b) collapses to p = \(threeDigits(meanDropout)))"
              : "the dropout probability p ~ Beta(a, b) is not determined by these histories")
      }
      throw .notIdentified(
        diverged.map { "\(names[$0]) ran off to \(threeDigits(p[$0]))" }.joined(separator: " and ")
          + " while fitting \(customers.count) histories: " + causes.joined(separator: "; ")
          + ". BG/NBD needs customers who differ and some who stop buying; use more customers or a longer history")
    }
    let p = result.point.map(exp)
    return BGNBDModel(
      r: p[0], alpha: p[1], a: p[2], b: p[3], logLikelihood: -BGNBD.objective(result.point, prepared, penalty: 0).0 * Double(customers.count),
      standardErrors: standardErrors(at: result.point, count: customers.count) { BGNBD.objective($0, prepared, penalty: penalty) },
      diagnostics: result.diagnostics)
  }

  /// The mean negative log-likelihood (plus the penalty) at log-parameters `u`, and its
  /// gradient in `u`.
  static func objective(_ u: [Double], _ customers: [RepeatHistory], penalty: Double = 0) -> (Double, [Double]) {
    objective(u, PreparedHistories(customers), penalty: penalty)
  }

  /// The same over prepared histories. The special functions depend on x only and the
  /// logarithms of α+T and α+tₓ on T and tₓ only, so they are computed once per distinct value
  /// (a few hundred, not a million); per customer there remain table lookups, one `exp` and one
  /// `log1p`.
  static func objective(_ u: [Double], _ data: PreparedHistories, penalty: Double = 0) -> (Double, [Double]) {
    let r = exp(u[0]), alpha = exp(u[1]), a = exp(u[2]), b = exp(u[3])
    let logAlpha = log(alpha), logA = log(a)
    let lgR = logGamma(r), psiR = digamma(r), lgB = logGamma(b), psiB = digamma(b)
    let lgAB = logGamma(a + b), psiAB = digamma(a + b)
    var total = 0.0
    var g0 = 0.0, g1 = 0.0, g2 = 0.0, g3 = 0.0  // d(LL)/d(r, α, a, b)
    // Terms of x alone, weighted by how many customers have that x.
    let xs = data.x.values
    var logBX1 = [Double](repeating: 0, count: xs.count), invBX1 = logBX1
    for (k, x) in xs.enumerated() {
      let n = Double(data.x.counts[k])
      let psiABX = digamma(a + b + x)
      total += n * (logGamma(r + x) - lgR + r * logAlpha + lgAB + logGamma(b + x) - lgB - logGamma(a + b + x))
      g0 += n * (digamma(r + x) - psiR + logAlpha)
      g2 += n * (psiAB - psiABX)
      g3 += n * (psiAB + digamma(b + x) - psiB - psiABX)
      if x > 0 {
        logBX1[k] = log(b + x - 1)
        invBX1[k] = 1 / (b + x - 1)
      }
    }
    g1 += Double(data.count) * r / alpha
    let logAT = data.T.values.map { log(alpha + $0) }, invAT = data.T.values.map { 1 / (alpha + $0) }
    let logATx = data.tx.values.map { log(alpha + $0) }, invATx = data.tx.values.map { 1 / (alpha + $0) }
    // Customers without a repeat purchase depend on T alone: one term per distinct T.
    for (k, n) in data.noRepeatByT.enumerated() where n > 0 {
      let count = Double(n)
      total -= count * r * logAT[k]
      g0 -= count * logAT[k]
      g1 -= count * r * invAT[k]
    }
    data.repeaters.withUnsafeBufferPointer { rows in
      for row in rows {
        let xi = Int(row.x), ti = Int(row.T), txi = Int(row.tx)
        let rx = r + xs[xi]
        let a3 = -rx * logAT[ti]
        let a4 = logA - logBX1[xi] - rx * logATx[txi]
        // ln(e^a3 + e^a4) and the weight of each, with one exp.
        let d = a4 - a3
        let e = exp(-abs(d))
        total += max(a3, a4) + log1p(e)
        let w4 = d >= 0 ? 1 / (1 + e) : e / (1 + e)
        let w3 = 1 - w4
        g0 -= w3 * logAT[ti] + w4 * logATx[txi]
        g1 -= rx * (w3 * invAT[ti] + w4 * invATx[txi])
        g2 += w4 / a
        g3 -= w4 * invBX1[xi]
      }
    }
    let n = Double(data.count)
    let parameters = [r, alpha, a, b]
    let g = [g0, g1, g2, g3]
    let penaltyValue = penalty * parameters.reduce(0) { $0 + $1 * $1 }
    return (-total / n + penaltyValue, (0..<4).map { -g[$0] * parameters[$0] / n + 2 * penalty * parameters[$0] * parameters[$0] })
  }
}

/// Values stored as indices into their distinct values, with how often each occurs.
struct DistinctValues: Sendable {
  let values: [Double]
  let counts: [Int]
  let index: [Int32]

  init(_ all: [Double]) {
    var values: [Double] = []
    var counts: [Int] = []
    var index: [Int32] = []
    index.reserveCapacity(all.count)
    // Whole numbers in a modest range (days, counts) index a table; anything else a dictionary.
    if let top = all.max(), top < 1_048_576, all.allSatisfy({ $0 >= 0 && $0 == $0.rounded(.down) }) {
      var position = [Int32](repeating: -1, count: Int(top) + 1)
      for v in all {
        let slot = Int(v)
        if position[slot] < 0 {
          position[slot] = Int32(values.count)
          values.append(v)
          counts.append(0)
        }
        let k = position[slot]
        counts[Int(k)] += 1
        index.append(k)
      }
    } else {
      var position: [UInt64: Int32] = [:]
      for v in all {
        let k: Int32
        if let known = position[v.bitPattern] {
          k = known
        } else {
          k = Int32(values.count)
          position[v.bitPattern] = k
          values.append(v)
          counts.append(0)
        }
        counts[Int(k)] += 1
        index.append(k)
      }
    }
    self.values = values
    self.counts = counts
    self.index = index
  }
}

/// Histories as the likelihood reads them: x, tₓ and T as distinct values; the repeat
/// customers as indices into them; the others as counts per distinct T.
struct PreparedHistories: Sendable {
  struct Row: Sendable {
    let x: Int32
    let tx: Int32
    let T: Int32
  }

  let count: Int
  let x: DistinctValues
  let tx: DistinctValues
  let T: DistinctValues
  let repeaters: [Row]
  /// Customers with x = 0, per distinct T.
  let noRepeatByT: [Int]

  init(_ customers: [RepeatHistory]) {
    count = customers.count
    x = DistinctValues(customers.map(\.x))
    tx = DistinctValues(customers.map(\.tx))
    T = DistinctValues(customers.map(\.T))
    var repeaters: [Row] = []
    var noRepeat = [Int](repeating: 0, count: T.values.count)
    for i in customers.indices {
      if customers[i].x > 0 {
        repeaters.append(Row(x: x.index[i], tx: tx.index[i], T: T.index[i]))
      } else {
        noRepeat[Int(T.index[i])] += 1
      }
    }
    self.repeaters = repeaters
    noRepeatByT = noRepeat
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

  enum CodingKeys: String, CodingKey {
    case r, alpha, a, b
    case logLikelihood = "log_likelihood"
    case standardErrors = "standard_errors"
    case diagnostics = "fit"
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

  /// P(exactly `n` purchases in the next `t` | the history). Given alive at T, the customer's
  /// future is a BG/NBD process started afresh with the posterior Gamma(r+x, α+T) rate and
  /// Beta(a, b+x) dropout, so this is `P(alive) · P₀(n; r+x, α+T, a, b+x) + (1 − P(alive))·1{n=0}`
  /// with P₀ the new-customer probability below. Summed over n it is 1, and its mean is
  /// `expectedPurchases(in:_:)`.
  public func probabilityOfPurchases(_ n: Int, in t: Double, _ c: RepeatHistory) -> Double {
    let alive = probabilityAlive(c)
    let fresh = BGNBDModel.countProbability(n, in: t, r: r + c.x, alpha: alpha + c.T, a: a, b: b + c.x)
    return alive * fresh + (n == 0 ? 1 - alive : 0)
  }

  /// P(exactly `n` repeat purchases in the first `t` after a customer's first purchase), for a
  /// customer not yet seen (Fader, Hardie & Lee 2005, equation 8; `lifetimes`'
  /// `probability_of_n_purchases_up_to_time`).
  public func probabilityOfPurchasesForNewCustomer(_ n: Int, in t: Double) -> Double {
    BGNBDModel.countProbability(n, in: t, r: r, alpha: alpha, a: a, b: b)
  }

  /// Equation 8 of Fader, Hardie & Lee (2005), in logarithms:
  /// `B(a, b+n)/B(a, b) · Γ(r+n)/(Γ(r) n!) · (α/(α+t))^r (t/(α+t))^n
  ///  + 1{n>0} · B(a+1, b+n−1)/B(a, b) · [1 − (α/(α+t))^r Σⱼ₌₀ⁿ⁻¹ Γ(r+j)/(Γ(r) j!) (t/(α+t))^j]`.
  static func countProbability(_ n: Int, in t: Double, r: Double, alpha: Double, a: Double, b: Double) -> Double {
    precondition(n >= 0 && t >= 0)
    func logBeta(_ p: Double, _ q: Double) -> Double { logGamma(p) + logGamma(q) - logGamma(p + q) }
    let k = Double(n)
    let logStay = r * log(alpha / (alpha + t))  // ln (α/(α+t))^r
    let logZ = log(t / (alpha + t))
    let first = exp(
      logBeta(a, b + k) - logBeta(a, b) + logGamma(r + k) - logGamma(r) - logGamma(k + 1) + logStay + (n > 0 ? k * logZ : 0))
    guard n > 0 else { return first }
    // Σⱼ Γ(r+j)/(Γ(r) j!) zʲ by the ratio of consecutive terms.
    var term = 1.0, sum = 1.0
    let z = t / (alpha + t)
    for j in 1..<n {
      term *= (r + Double(j) - 1) / Double(j) * z
      sum += term
    }
    let tail = max(0, 1 - exp(logStay) * sum)
    return first + exp(logBeta(a + 1, b + k - 1) - logBeta(a, b)) * tail
  }

  /// P(at least one purchase in the next `t`): alive, and the Poisson process with the posterior
  /// Gamma(r+x, α+T) rate has an event: `P(alive) · (1 − ((α+T)/(α+T+t))^(r+x))`.
  public func probabilityOfPurchase(in t: Double, _ c: RepeatHistory) -> Double {
    probabilityAlive(c) * (1 - pow((alpha + c.T) / (alpha + c.T + t), r + c.x))
  }
}

/// A number to three significant digits, for messages.
func threeDigits(_ value: Double) -> String { String(format: "%.3g", value) }
