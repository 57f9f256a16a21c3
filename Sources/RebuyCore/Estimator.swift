/// The configuration of a learning algorithm. `fit` never mutates it.
public protocol Estimator: Sendable {
  associatedtype Model: Classifier
  /// Fits a model; `sampleWeights` (one per row, `>= 0`) multiply each row's loss.
  func fit(_ x: FeatureMatrix, _ y: Labels, sampleWeights: [Double]?) throws(FitError) -> Model
}

/// A fitted model, preprocessing included: scores rows it has never seen.
public protocol Classifier: Codable, Sendable {
  /// The features the model reads, in order.
  var featureNames: [String] { get }
  /// P(label = 1) for every row of `x`, whose columns must be `featureNames` in order.
  func predictProbability(_ x: FeatureMatrix) throws(ScoreError) -> [Double]
}

/// Why a model could not be fitted.
public enum FitError: Error, Equatable, CustomStringConvertible {
  case invalidConfiguration(String)
  case noRows
  case shapeMismatch(rows: Int, labels: Int, weights: Int?)
  case singleClass(label: UInt8, rows: Int)
  case nonFinite(row: Int, feature: String, value: Double)
  case badWeight(row: Int, value: Double)
  case notConverged(FitDiagnostics)
  case numerical(String)
  /// The data cannot determine the model's parameters; the message says why in terms of the data.
  case notIdentified(String)

  public var description: String {
    switch self {
    case let .invalidConfiguration(message): message
    case .noRows: "there are no rows to fit on"
    case let .shapeMismatch(rows, labels, weights):
      "the matrix has \(rows) rows but there are \(labels) labels" + (weights.map { " and \($0) weights" } ?? "")
    case let .singleClass(label, rows):
      "every one of the \(rows) training rows has label \(label); a classifier needs both classes "
        + "(choose another cutoff or horizon, or more data)"
    case let .nonFinite(row, feature, value):
      "row \(row + 1), feature \(feature): \(value) is not finite; only missing values (empty) and finite numbers can be fitted"
    case let .badWeight(row, value): "row \(row + 1): the sample weight \(value) is not a finite number >= 0"
    case let .notConverged(diagnostics): "the fit did not converge: \(diagnostics)"
    case let .numerical(message): message
    case let .notIdentified(message): message
    }
  }
}

/// How an iterative fit ended.
public struct FitDiagnostics: Codable, Sendable, Equatable, CustomStringConvertible {
  /// Iterations taken.
  public var iterations: Int
  /// The largest absolute component of the objective's gradient at the end.
  public var gradientNorm: Double
  /// The objective's value at the end.
  public var objective: Double
  /// Why it stopped, in words.
  public var reason: String
  /// Whether `reason` is convergence.
  public var converged: Bool

  public init(iterations: Int, gradientNorm: Double, objective: Double, reason: String, converged: Bool) {
    self.iterations = iterations
    self.gradientNorm = gradientNorm
    self.objective = objective
    self.reason = reason
    self.converged = converged
  }

  public var description: String {
    "\(reason) after \(iterations) iterations (gradient norm \(gradientNorm), objective \(objective))"
  }

  /// How it ended, without the numbers that vary in their last digits between machines.
  public var summary: String { "\(reason) after \(iterations) iterations" }

  enum CodingKeys: String, CodingKey {
    case iterations, objective, reason, converged
    case gradientNorm = "gradient_norm"
  }
}

/// Why rows could not be scored.
public enum ScoreError: Error, Equatable, CustomStringConvertible {
  case featureMismatch(expected: [String], got: [String])
  case nonFinite(row: Int, feature: String, value: Double)

  public var description: String {
    switch self {
    case let .featureMismatch(expected, got):
      let missing = expected.filter { !got.contains($0) }
      return missing.isEmpty
        ? "the model reads the features \(expected.joined(separator: ", ")) in that order; got \(got.joined(separator: ", "))"
        : "the model needs the features \(missing.joined(separator: ", ")), which the input does not have"
    case let .nonFinite(row, feature, value):
      return "row \(row + 1), feature \(feature): \(value) is not finite"
    }
  }
}
