import RebuyCore

/// Median imputation then standardisation, fitted on training rows and carried by a model.
///
/// For feature `j`: a missing value becomes `impute[j]`, the median of the training values
/// that are present (the mean of the two middle ones for an even count; 0 when all are
/// missing); then `(x − mean[j]) / scale[j]`, with the mean and the population standard
/// deviation (as scikit-learn's `StandardScaler`) of the imputed training column. A constant
/// column gets `scale = 1`, so it becomes 0 everywhere and its coefficient stays 0 under L2.
public struct Standardizer: Codable, Sendable, Equatable {
  public var impute: [Double]
  public var mean: [Double]
  public var scale: [Double]
  /// How many training values of each feature were missing (and imputed).
  public var missing: [Int]

  public init(impute: [Double], mean: [Double], scale: [Double], missing: [Int]) {
    self.impute = impute
    self.mean = mean
    self.scale = scale
    self.missing = missing
  }

  /// The identity: nothing imputed (missing values become 0), nothing scaled.
  public static func identity(columns: Int) -> Standardizer {
    Standardizer(
      impute: Array(repeating: 0, count: columns), mean: Array(repeating: 0, count: columns),
      scale: Array(repeating: 1, count: columns), missing: Array(repeating: 0, count: columns))
  }

  /// Fits on `x`.
  /// - Throws: `FitError.nonFinite` for an infinite value.
  public static func fit(_ x: FeatureMatrix) throws(FitError) -> Standardizer {
    let n = x.rowCount, p = x.columnCount
    var result = identity(columns: p)
    var column = [Double]()
    column.reserveCapacity(n)
    for j in 0..<p {
      column.removeAll(keepingCapacity: true)
      for i in 0..<n {
        let v = x.values[i * p + j]
        if v.isNaN { continue }
        guard v.isFinite else { throw .nonFinite(row: i, feature: x.featureNames[j], value: v) }
        column.append(v)
      }
      result.missing[j] = n - column.count
      column.sort()
      if !column.isEmpty {
        let mid = column.count / 2
        result.impute[j] = column.count % 2 == 1 ? column[mid] : (column[mid - 1] + column[mid]) / 2
      }
      // Mean and variance of the imputed column, two-pass for accuracy.
      let filled = Double(result.missing[j]) * result.impute[j]
      let mean = (column.reduce(0, +) + filled) / Double(n)
      var squares = Double(result.missing[j]) * (result.impute[j] - mean) * (result.impute[j] - mean)
      for v in column { squares += (v - mean) * (v - mean) }
      let deviation = (squares / Double(n)).squareRoot()
      result.mean[j] = mean
      result.scale[j] = deviation > 1e-12 * max(1, abs(mean)) ? deviation : 1
    }
    return result
  }

  /// `x` imputed and standardised, row-major, `x.rowCount × x.columnCount`.
  public func transform(_ x: FeatureMatrix) -> [Double] {
    let p = x.columnCount
    var out = x.values
    out.withUnsafeMutableBufferPointer { o in
      for i in 0..<x.rowCount {
        for j in 0..<p {
          let v = o[i * p + j]
          o[i * p + j] = ((v.isNaN ? impute[j] : v) - mean[j]) / scale[j]
        }
      }
    }
    return out
  }
}
