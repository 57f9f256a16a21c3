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
    try scores(x, link: { $0 })
  }

  public func predictProbability(_ x: FeatureMatrix) throws(ScoreError) -> [Double] {
    try scores(x, link: sigmoid)
  }

  /// `link(b + Σ βⱼ x̃ⱼ)` for every row, in one pass over the values.
  @inline(__always)
  private func scores(_ x: FeatureMatrix, link: (Double) -> Double) throws(ScoreError) -> [Double] {
    guard x.featureNames == featureNames else { throw .featureMismatch(expected: featureNames, got: x.featureNames) }
    let p = featureNames.count
    // Raw-scale weights βⱼ/σⱼ, with the means folded into the intercept.
    var weights = [Double](repeating: 0, count: p)
    var bias = intercept
    for j in 0..<p {
      weights[j] = coefficients[j] / preprocessing.scale[j]
      bias -= weights[j] * preprocessing.mean[j]
    }
    let impute = preprocessing.impute
    var firstNonFinite = Int.max
    let result = x.values.withUnsafeBufferPointer { v in
      weights.withUnsafeBufferPointer { w in
        impute.withUnsafeBufferPointer { m in
          [Double](unsafeUninitializedCapacity: x.rowCount) { out, initialized in
            for i in 0..<x.rowCount {
              var s = bias
              let row = i * p
              for j in 0..<p {
                let value = v[row + j]
                s += w[j] * (value.isNaN ? m[j] : value)
              }
              if !s.isFinite && firstNonFinite == Int.max { firstNonFinite = i }
              out[i] = link(s)
            }
            initialized = x.rowCount
          }
        }
      }
    }
    // An infinite input makes its row's score non-finite, so the first infinite value is at or
    // after the first non-finite score; a huge but finite score is just a certain prediction.
    if firstNonFinite < x.rowCount, let index = x.values[(firstNonFinite * p)...].firstIndex(where: \.isInfinite) {
      throw .nonFinite(row: index / p, feature: featureNames[index % p], value: x.values[index])
    }
    return result
  }

  enum CodingKeys: String, CodingKey {
    case featureNames = "feature_names"
    case preprocessing, intercept, coefficients, diagnostics
  }
}
