import Foundation
import Testing
import TestSupport

@testable import CustomerBase

/// Checks an analytic gradient against central differences (step 1e-6; 1e-5 relative, 1e-8
/// absolute tolerance), component by component.
func expectGradientMatchesFiniteDifferences(
  at u: [Double], sourceLocation: SourceLocation = #_sourceLocation, _ objective: ([Double]) -> (Double, [Double])
) {
  let gradient = objective(u).1
  for k in u.indices {
    var up = u, down = u
    up[k] += 1e-6
    down[k] -= 1e-6
    let numeric = (objective(up).0 - objective(down).0) / 2e-6
    expectClose(gradient[k], numeric, relativeTolerance: 1e-5, absoluteTolerance: 1e-8, "parameter \(k)", sourceLocation: sourceLocation)
  }
}

/// Against the `lifetimes` library (fixture: Notebooks/oracles/lifetimes_reference.py) on the
/// bundled dataset's histories at 2024-06-30.
@Suite struct BGNBDTests {
  static func histories() throws -> (json: [String: Any], customers: [RepeatHistory]) {
    let json = try Fixture.json("btyd_reference")
    let x = json["x"] as! [Double], tx = json["t_x"] as! [Double], T = json["T"] as! [Double]
    return (json, x.indices.map { RepeatHistory(x: x[$0], tx: tx[$0], T: T[$0]) })
  }

  @Test func parametersAndLikelihoodMatchLifetimes() throws {
    let (json, customers) = try Self.histories()
    let model = try BGNBD().fit(customers)
    let expected = json["bgnbd"] as! [String: Double]
    expectClose(model.r, expected["r"]!, relativeTolerance: 1e-4)
    expectClose(model.alpha, expected["alpha"]!, relativeTolerance: 1e-4)
    expectClose(model.a, expected["a"]!, relativeTolerance: 1e-4)
    expectClose(model.b, expected["b"]!, relativeTolerance: 1e-4)
    expectClose(model.logLikelihood, json["bgnbd_log_likelihood"] as! Double, relativeTolerance: 1e-6)
    #expect(model.diagnostics.converged)
  }

  @Test func predictionsMatchLifetimesPerCustomer() throws {
    let (json, customers) = try Self.histories()
    let p = json["bgnbd"] as! [String: Double]
    // Predictions at lifetimes' own parameters, so that only the formulas are compared.
    let model = BGNBDModel(
      r: p["r"]!, alpha: p["alpha"]!, a: p["a"]!, b: p["b"]!, logLikelihood: 0,
      diagnostics: FitDiagnostics(iterations: 0, gradientNorm: 0, objective: 0, reason: "fixture", converged: true))
    expectClose(customers.map(model.probabilityAlive), json["p_alive"] as! [Double], relativeTolerance: 1e-9)
    expectClose(customers.map { model.expectedPurchases(in: 90, $0) }, json["expected_purchases_90"] as! [Double], relativeTolerance: 1e-8)
  }

  @Test func gradientMatchesFiniteDifferences() throws {
    let (_, customers) = try Self.histories()
    expectGradientMatchesFiniteDifferences(at: [-0.5, 3.0, 0.2, 2.0]) { BGNBD.objective($0, customers) }
  }

  @Test func digammaAndHypergeometricAgainstKnownValues() {
    expectClose(digamma(1), -0.5772156649015329, relativeTolerance: 1e-14)
    expectClose(digamma(0.5), -1.9635100260214235, relativeTolerance: 1e-14)
    expectClose(digamma(10), 2.251752589066721, relativeTolerance: 1e-14)
    // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z.
    expectClose(hypergeometric2F1(1, 1, 2, 0.5), -log(0.5) / 0.5, relativeTolerance: 1e-14)
  }
}

@Suite struct GammaGammaTests {
  @Test func parametersAndExpectedSpendMatchLifetimes() throws {
    let json = try Fixture.json("btyd_reference")
    let x = json["spend_frequency"] as! [Double], m = json["spend"] as! [Double]
    let customers = x.indices.map { RepeatSpend(x: x[$0], m: m[$0]) }
    let model = try GammaGamma().fit(customers)
    let expected = json["gamma_gamma"] as! [String: Double]
    expectClose(model.p, expected["p"]!, relativeTolerance: 1e-4)
    expectClose(model.q, expected["q"]!, relativeTolerance: 1e-4)
    expectClose(model.v, expected["v"]!, relativeTolerance: 1e-4)
    let atTheirs = GammaGammaModel(p: expected["p"]!, q: expected["q"]!, v: expected["v"]!, logLikelihood: 0, diagnostics: model.diagnostics)
    expectClose(customers.map(atTheirs.expectedSpend), json["expected_spend"] as! [Double], relativeTolerance: 1e-10)
  }

  @Test func gradientMatchesFiniteDifferences() throws {
    let json = try Fixture.json("btyd_reference")
    let x = json["spend_frequency"] as! [Double], m = json["spend"] as! [Double]
    let customers = x.indices.map { RepeatSpend(x: x[$0], m: m[$0]) }
    expectGradientMatchesFiniteDifferences(at: [0.5, 1.0, 3.0]) { GammaGamma.objective($0, customers) }
  }
}

@Suite struct CustomerValueTests {
  /// At lifetimes' parameters, CLV per customer equals its `customer_lifetime_value`.
  @Test func lifetimeValueMatchesLifetimes() throws {
    let json = try Fixture.json("btyd_reference")
    let x = json["x"] as! [Double], tx = json["t_x"] as! [Double], T = json["T"] as! [Double]
    let spend = json["clv_mean_spend"] as! [Double]
    let b = json["bgnbd"] as! [String: Double], g = json["gamma_gamma"] as! [String: Double]
    let diagnostics = FitDiagnostics(iterations: 0, gradientNorm: 0, objective: 0, reason: "fixture", converged: true)
    let value = CustomerValue(
      purchases: BGNBDModel(r: b["r"]!, alpha: b["alpha"]!, a: b["a"]!, b: b["b"]!, logLikelihood: 0, diagnostics: diagnostics),
      spend: GammaGammaModel(p: g["p"]!, q: g["q"]!, v: g["v"]!, logLikelihood: 0, diagnostics: diagnostics))
    let ours = x.indices.map { value.lifetimeValue(RepeatHistory(x: x[$0], tx: tx[$0], T: T[$0]), meanSpend: spend[$0]) }
    expectClose(ours, json["clv_12_months"] as! [Double], relativeTolerance: 1e-8, absoluteTolerance: 1e-9)
  }
}

/// Histories drawn from the BG/NBD process itself: λ ~ Gamma(r, α) (or fixed at `rate`),
/// p ~ Beta(a, b) (or fixed at `dropout`), dropout after each purchase, observed for `T` days.
func simulateHistories(
  r: Double = 0.6, alpha: Double = 20, a: Double = 1.2, b: Double = 4, rate: Double? = nil, dropout: Double? = nil,
  count: Int, T: Double = 365, seed: UInt64
) -> [RepeatHistory] {
  var rng = SplitMix64(seed: seed)
  func gamma(_ shape: Double) -> Double {
    // Marsaglia-Tsang, with the boost for shape < 1.
    if shape < 1 { return gamma(shape + 1) * pow(rng.nextUnit() + 1e-300, 1 / shape) }
    let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
    while true {
      var x = 0.0, v = 0.0
      repeat {
        let u1 = rng.nextUnit() + 1e-300, u2 = rng.nextUnit()
        x = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        v = 1 + c * x
      } while v <= 0
      v = v * v * v
      if log(rng.nextUnit() + 1e-300) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
    }
  }
  var histories: [RepeatHistory] = []
  for _ in 0..<count {
    var lambda = 0.0
    if let rate { lambda = rate } else { lambda = gamma(r) / alpha }
    var p = 0.0
    if let dropout {
      p = dropout
    } else {
      let ga = gamma(a), gb = gamma(b)
      p = ga / (ga + gb)
    }
    var t = 0.0, x = 0.0, last = 0.0
    while true {
      t += -log(rng.nextUnit() + 1e-300) / lambda
      if t > T { break }
      x += 1
      last = t
      if rng.nextUnit() < p { break }
    }
    histories.append(RepeatHistory(x: x, tx: last, T: T))
  }
  return histories
}

@Suite struct BGNBDRecoveryTests {
  /// Data drawn from the BG/NBD process give back the parameters within four standard errors.
  @Test func recoversKnownParameters() throws {
    let (r, alpha, a, b) = (0.6, 20.0, 1.2, 4.0)
    let model = try BGNBD().fit(simulateHistories(r: r, alpha: alpha, a: a, b: b, count: 20_000, seed: 77))
    let fitted = [model.r, model.alpha, model.a, model.b], truth = [r, alpha, a, b]
    for k in 0..<4 {
      let se = try #require(model.standardErrors[k])
      #expect(abs(fitted[k] - truth[k]) < 4 * se, "parameter \(k): \(fitted[k]) vs \(truth[k]) (se \(se))")
      #expect(se < 0.5 * truth[k], "parameter \(k) is poorly identified: se \(se)")
    }
  }

  /// The message of the `FitError.notIdentified` that `fit` throws ("" when it throws
  /// something else or nothing).
  static func notIdentifiedMessage(_ fit: () throws -> BGNBDModel) -> String {
    do {
      let model = try fit()
      Issue.record("expected a diagnostic, got r \(model.r), α \(model.alpha), a \(model.a), b \(model.b)")
    } catch {
      if case let .notIdentified(message)? = error as? FitError { return message }
      Issue.record("expected notIdentified, got \(error)")
    }
    return ""
  }

  /// Customers who never stop buying and all buy at one rate leave the model nothing to learn
  /// about dropout or about differences: a diagnostic that says so, not a number.
  @Test func unidentifiableDataGetADiagnostic() throws {
    let steady = simulateHistories(rate: 0.05, dropout: 0, count: 5_000, seed: 5)
    #expect(steady.allSatisfy { $0.x > 0 })
    let message = Self.notIdentifiedMessage { try BGNBD().fit(steady) }
    #expect(message.contains("ran off"), "\(message)")
    let nobody = Self.notIdentifiedMessage { try BGNBD().fit([RepeatHistory(x: 0, tx: 0, T: 30), RepeatHistory(x: 0, tx: 0, T: 90)]) }
    #expect(nobody.contains("none of the 2 customers bought again"), "\(nobody)")
    #expect(message.contains("almost no dropout"), "\(message)")
  }
}

@Suite struct BGNBDOptionsTests {
  static func model(_ p: [String: Double]) -> BGNBDModel {
    BGNBDModel(
      r: p["r"]!, alpha: p["alpha"]!, a: p["a"]!, b: p["b"]!, logLikelihood: 0,
      diagnostics: FitDiagnostics(iterations: 0, gradientNorm: 0, objective: 0, reason: "fixture", converged: true))
  }

  /// Weeks: lifetimes' own fit on tₓ/7, T/7 (1e-4 relative, as the days fit); the model is the
  /// same as in days (α/7, the rest equal, P(alive) equal).
  @Test func weeksMatchLifetimesAndDays() throws {
    let (json, customers) = try BGNBDTests.histories()
    let weeks = customers.map { TimeUnit.weeks.history(frequency: $0.x, recencyDays: $0.T - $0.tx, tenureDays: $0.T) }
    let model = try BGNBD().fit(weeks)
    let expected = json["bgnbd_weeks"] as! [String: Double]
    for (ours, name) in [(model.r, "r"), (model.alpha, "alpha"), (model.a, "a"), (model.b, "b")] {
      expectClose(ours, expected[name]!, relativeTolerance: 1e-4, name)
    }
    let days = try BGNBD().fit(customers)
    expectClose(model.alpha * 7, days.alpha, relativeTolerance: 1e-5)
    expectClose(weeks.map(model.probabilityAlive), customers.map(days.probabilityAlive), relativeTolerance: 1e-5, absoluteTolerance: 1e-7)
    expectClose(
      weeks.map { model.expectedPurchases(in: 90.0 / 7, $0) }, customers.map { days.expectedPurchases(in: 90, $0) },
      relativeTolerance: 1e-5, absoluteTolerance: 1e-7)
  }

  /// The penalised fit is the minimum of lifetimes' own penalised objective (found by scipy's
  /// BFGS to a gradient of 1e-10): parameters to 1e-4 relative. Gamma-Gamma against lifetimes'
  /// penalised fit, 1e-4 relative.
  @Test func penalisedFitsMatchLifetimesObjective() throws {
    let (json, customers) = try BGNBDTests.histories()
    let weeks = customers.map { TimeUnit.weeks.history(frequency: $0.x, recencyDays: $0.T - $0.tx, tenureDays: $0.T) }
    let penalty = json["penalty"] as! Double
    let model = try BGNBD(penalty: penalty).fit(weeks)
    let expected = json["bgnbd_weeks_penalised"] as! [String: Double]
    for (ours, name) in [(model.r, "r"), (model.alpha, "alpha"), (model.a, "a"), (model.b, "b")] {
      expectClose(ours, expected[name]!, relativeTolerance: 1e-4, name)
    }
    // The reported log-likelihood is the data's, without the penalty.
    let plain = BGNBD.objective([model.r, model.alpha, model.a, model.b].map { log($0) }, weeks).0
    expectClose(model.logLikelihood, -plain * Double(weeks.count), relativeTolerance: 1e-12)
    expectGradientMatchesFiniteDifferences(at: [-0.5, 1.0, 0.2, 2.0]) { BGNBD.objective($0, weeks, penalty: penalty) }

    let x = json["spend_frequency"] as! [Double], m = json["spend"] as! [Double]
    let spend = try GammaGamma(penalty: json["spend_penalty"] as! Double).fit(x.indices.map { RepeatSpend(x: x[$0], m: m[$0]) })
    let g = json["gamma_gamma_penalised"] as! [String: Double]
    for (ours, name) in [(spend.p, "p"), (spend.q, "q"), (spend.v, "v")] {
      expectClose(ours, g[name]!, relativeTolerance: 1e-4, name)
    }
  }

  /// P(n purchases): for a new customer equal to lifetimes' (1e-10 relative); given a history,
  /// a distribution (sums to 1) whose mean is the lifetimes-checked expected purchases (1e-8).
  @Test func probabilityOfNPurchases() throws {
    let (json, customers) = try BGNBDTests.histories()
    let model = Self.model(json["bgnbd"] as! [String: Double])
    let expected = json["new_customer_count_probability_90"] as! [Double]
    expectClose((0..<expected.count).map { model.probabilityOfPurchasesForNewCustomer($0, in: 90) }, expected, relativeTolerance: 1e-10)
    // Every distinct history shape, including the heaviest buyers.
    let sample = customers.sorted { ($0.x, $0.tx, $0.T) < ($1.x, $1.tx, $1.T) }.enumerated().filter { $0.offset % 37 == 0 }.map(\.element)
      + [customers.max { $0.x < $1.x }!]
    for c in sample {
      let p = (0..<400).map { model.probabilityOfPurchases($0, in: 90, c) }
      #expect(p.allSatisfy { $0 >= 0 })
      expectClose(p.reduce(0, +), 1, relativeTolerance: 1e-10)
      expectClose(p.indices.reduce(0) { $0 + Double($1) * p[$1] }, model.expectedPurchases(in: 90, c), relativeTolerance: 1e-8)
      expectClose(1 - p[0], model.probabilityOfPurchase(in: 90, c), relativeTolerance: 1e-10, absoluteTolerance: 1e-14)
    }
  }
}
