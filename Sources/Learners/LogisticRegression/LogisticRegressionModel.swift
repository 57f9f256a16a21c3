import RebuyCore

/// A fitted logistic regression: its preprocessing, intercept and coefficients (on the
/// standardised features), and how the fit ended.
///
/// `P(y = 1 | x) = σ(b + Σⱼ βⱼ (x̃ⱼ − μⱼ)/σⱼ)`, where `x̃ⱼ` is `xⱼ` or, when missing, the
/// training median. Scoring folds the standardisation into raw-scale weights once, so each row
/// costs one pass over its values.
public struct LogisticRegressionModel: Classifier, Equatable {
  public let featureNames: [String]
  public let preprocessing: Standardizer
  public let intercept: Double
  /// One per feature, on the standardised scale (so their sizes compare).
  public let coefficients: [Double]
  public let diagnostics: FitDiagnostics

  public init(
    featureNames: [String], preprocessing: Standardizer, intercept: Double, coefficients: [Double],
    diagnostics: FitDiagnostics
  ) {
    self.featureNames = featureNames
    self.preprocessing = preprocessing
    self.intercept = intercept
    self.coefficients = coefficients
    self.diagnostics = diagnostics
  }

  /// The linear score `b + Σ βⱼ x̃ⱼ` of every row (log-odds).
  public func decisionFunction(_ x: FeatureMatrix) throws(ScoreError) -> [Double] {
    guard x.featureNames == featureNames else { throw .featureMismatch(expected: featureNames, got: x.featureNames) }
    let p = featureNames.count
    // Raw-scale weights: βⱼ/σⱼ, with the means folded into the intercept.
    var weights = [Double](repeating: 0, count: p)
    var bias = intercept
    for j in 0..<p {
      weights[j] = coefficients[j] / preprocessing.scale[j]
      bias -= weights[j] * preprocessing.mean[j]
    }
    if let index = x.values.firstIndex(where: \.isInfinite) {
      throw .nonFinite(row: index / p, feature: featureNames[index % p], value: x.values[index])
    }
    var out = [Double](repeating: 0, count: x.rowCount)
    let impute = preprocessing.impute
    x.values.withUnsafeBufferPointer { v in
      out.withUnsafeMutableBufferPointer { o in
        for i in 0..<x.rowCount {
          var s = bias
          for j in 0..<p {
            let value = v[i * p + j]
            s += weights[j] * (value.isNaN ? impute[j] : value)
          }
          o[i] = s
        }
      }
    }
    return out
  }

  public func predictProbability(_ x: FeatureMatrix) throws(ScoreError) -> [Double] {
    try decisionFunction(x).map(sigmoid)
  }

  enum CodingKeys: String, CodingKey {
    case featureNames = "feature_names"
    case preprocessing, intercept, coefficients, diagnostics
  }
}
