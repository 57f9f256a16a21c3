import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A repeat customer's spend: `x` repeat purchases with mean value `m` (> 0).
public struct RepeatSpend: Sendable, Equatable {
  public var x: Double
  public var m: Double
  public init(x: Double, m: Double) {
    self.x = x
    self.m = m
  }
}

/// The Gamma-Gamma spend model (Fader, Hardie & Lee 2005b): each transaction's value is
/// Gamma(p, ν) with the customer's ν ~ Gamma(q, γ). Fitted by maximum likelihood on repeat
/// customers' mean spend, over log-parameters by BFGS with the analytic gradient; with a
/// penalty, `penalty · (p² + q² + ν²)` is added to the mean negative log-likelihood (as the
/// `lifetimes` library's `penalizer_coef`).
public struct GammaGamma: Sendable {
  public var maxIterations = 500
  /// The L2 penalty on the natural parameters (0: plain maximum likelihood).
  public var penalty: Double

  public init(penalty: Double = 0) {
    self.penalty = penalty
  }

  public func fit(_ customers: [RepeatSpend]) throws(FitError) -> GammaGammaModel {
    guard !customers.isEmpty else { throw .noRows }
    for (i, c) in customers.enumerated() where !(c.x > 0 && c.m > 0 && c.m.isFinite) {
      throw .invalidConfiguration("customer \(i + 1): the spend model needs repeat customers with a positive mean spend, got x = \(c.x), m = \(c.m)")
    }
    guard penalty >= 0, penalty.isFinite else { throw .invalidConfiguration("the penalty must be a finite number >= 0, got \(penalty)") }
    guard Set(customers.map(\.m)).count > 1 else {
      throw .notIdentified(
        "all \(customers.count) repeat customers have the same mean spend (\(customers[0].m)); the spend model learns from how "
          + "spend differs between customers and cannot be fitted")
    }
    let meanSpend = customers.reduce(0) { $0 + $1.m } / Double(customers.count)
    let penalty = self.penalty
    let prepared = PreparedSpend(customers)
    let result = try minimizeBFGS(from: [0, 0, log(meanSpend)], maxIterations: maxIterations) { u in
      GammaGamma.objective(u, prepared, penalty: penalty)
    }
    // As for BG/NBD: more than 12 from the natural scale (ν relative to the mean spend) is a
    // parameter the data do not determine.
    let names = ["p", "q", "v"]
    let scale = log(meanSpend)
    if let k = result.point.indices.first(where: { abs(result.point[$0] - ($0 == 2 ? scale : 0)) > 12 }) {
      throw .notIdentified(
        "\(names[k]) ran off to \(threeDigits(exp(result.point[k]))) while fitting the spend of \(customers.count) repeat customers: their "
          + "transaction values do not determine the Gamma-Gamma model (too few customers, or spend that does not vary around "
          + "each customer's own mean)")
    }
    guard result.diagnostics.converged else { throw .notConverged(result.diagnostics) }
    guard exp(result.point[1]) > 1 else {
      throw .notIdentified(
        "q = \(threeDigits(exp(result.point[1]))) ≤ 1: mean spend varies so widely between customers (a heavy tail) that the model's "
          + "expected spend is infinite; look for wholesale or erroneous amounts among the largest spenders")
    }
    let p = result.point.map(exp)
    return GammaGammaModel(
      p: p[0], q: p[1], v: p[2], logLikelihood: -GammaGamma.objective(result.point, prepared).0 * Double(customers.count),
      standardErrors: standardErrors(at: result.point, count: customers.count) { GammaGamma.objective($0, prepared, penalty: penalty) },
      diagnostics: result.diagnostics)
  }

  /// The mean negative log-likelihood at log-parameters `u` = (ln p, ln q, ln ν) (plus the
  /// penalty), and its gradient.
  static func objective(_ u: [Double], _ customers: [RepeatSpend], penalty: Double = 0) -> (Double, [Double]) {
    objective(u, PreparedSpend(customers), penalty: penalty)
  }

  /// The same over prepared spend: the special functions are computed once per distinct x, and
  /// per customer there remain one `log` and one division.
  static func objective(_ u: [Double], _ data: PreparedSpend, penalty: Double = 0) -> (Double, [Double]) {
    let p = exp(u[0]), q = exp(u[1]), v = exp(u[2])
    let logV = log(v), lgQ = logGamma(q), psiQ = digamma(q)
    var total = 0.0
    var g0 = 0.0, g1 = 0.0, g2 = 0.0
    let xs = data.x.values
    var psiPXQ = [Double](repeating: 0, count: xs.count), psiPX = psiPXQ
    for (k, x) in xs.enumerated() {
      let n = Double(data.x.counts[k])
      let px = p * x
      total += n * (logGamma(px + q) - logGamma(px) - lgQ + q * logV + px * log(x))
      psiPXQ[k] = digamma(px + q)
      psiPX[k] = digamma(px)
      g0 += n * x * (psiPXQ[k] - psiPX[k] + log(x))
      g1 += n * (psiPXQ[k] - psiQ + logV)
      g2 += n * q / v
    }
    for i in 0..<data.count {
      let k = Int(data.x.index[i])
      let x = xs[k], m = data.m[i], logM = data.logM[i]
      let px = p * x
      let logXMV = log(x * m + v)
      total += (px - 1) * logM - (px + q) * logXMV
      g0 += x * (logM - logXMV)
      g1 -= logXMV
      g2 -= (px + q) / (x * m + v)
    }
    let n = Double(data.count)
    let parameters = [p, q, v]
    let g = [g0, g1, g2]
    let penaltyValue = penalty * parameters.reduce(0) { $0 + $1 * $1 }
    return (-total / n + penaltyValue, (0..<3).map { -g[$0] * parameters[$0] / n + 2 * penalty * parameters[$0] * parameters[$0] })
  }
}

/// Repeat customers' spend as the likelihood reads it: x as distinct values, m and ln m per
/// customer.
struct PreparedSpend: Sendable {
  let count: Int
  let x: DistinctValues
  let m: [Double]
  let logM: [Double]

  init(_ customers: [RepeatSpend]) {
    count = customers.count
    x = DistinctValues(customers.map(\.x))
    m = customers.map(\.m)
    logM = m.map { log($0) }
  }
}

/// A fitted Gamma-Gamma model.
public struct GammaGammaModel: Codable, Sendable, Equatable {
  public let p: Double
  public let q: Double
  public let v: Double
  public let logLikelihood: Double
  /// Standard errors of p, q, ν (see `BGNBDModel.standardErrors`).
  public let standardErrors: [Double?]
  public let diagnostics: FitDiagnostics

  public init(
    p: Double, q: Double, v: Double, logLikelihood: Double, standardErrors: [Double?] = [nil, nil, nil],
    diagnostics: FitDiagnostics
  ) {
    self.p = p
    self.q = q
    self.v = v
    self.logLikelihood = logLikelihood
    self.standardErrors = standardErrors
    self.diagnostics = diagnostics
  }

  enum CodingKeys: String, CodingKey {
    case p, q, v
    case logLikelihood = "log_likelihood"
    case standardErrors = "standard_errors"
    case diagnostics = "fit"
  }

  /// The expected mean spend of a customer's future transactions:
  /// `(p (ν + x m)) / (p x + q − 1)` (a weighting of the population mean and their own).
  public func expectedSpend(_ c: RepeatSpend) -> Double {
    p * (v + c.x * c.m) / (p * c.x + q - 1)
  }
}
