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
    // One pass to gather each column's present values contiguously (column j from j·n):
    // strided access per column would cost a pass over the whole matrix each.
    var present = [Int](repeating: 0, count: p)
    var gathered = [Double](repeating: 0, count: n * p)
    var bad: (row: Int, column: Int)? = nil
    x.values.withUnsafeBufferPointer { v in
      gathered.withUnsafeMutableBufferPointer { g in
        present.withUnsafeMutableBufferPointer { count in
          for i in 0..<n {
            for j in 0..<p {
              let value = v[i * p + j]
              if value.isNaN { continue }
              if value.isInfinite && bad == nil { bad = (i, j) }
              g[j * n + count[j]] = value
              count[j] += 1
            }
          }
        }
      }
    }
    if let bad {
      throw .nonFinite(row: bad.row, feature: x.featureNames[bad.column], value: x.values[bad.row * p + bad.column])
    }
    gathered.withUnsafeMutableBufferPointer { g in
      for j in 0..<p {
        let column = UnsafeMutableBufferPointer(rebasing: g[(j * n)..<(j * n + present[j])])
        result.missing[j] = n - present[j]
        if !column.isEmpty { result.impute[j] = median(column) }
        // Mean and variance of the imputed column, two-pass for accuracy.
        let filled = Double(result.missing[j]) * result.impute[j]
        var sum = filled
        for v in column { sum += v }
        let mean = sum / Double(n)
        var squares = Double(result.missing[j]) * (result.impute[j] - mean) * (result.impute[j] - mean)
        for v in column { squares += (v - mean) * (v - mean) }
        let deviation = (squares / Double(n)).squareRoot()
        result.mean[j] = mean
        result.scale[j] = deviation > 1e-12 * max(1, abs(mean)) ? deviation : 1
      }
    }
    return result
  }

  /// The median (the mean of the two middle values for an even count), by selection in
  /// expected linear time; reorders `values`.
  static func median(_ values: UnsafeMutableBufferPointer<Double>) -> Double {
    let mid = values.count / 2
    let upper = select(values, mid)
    guard values.count % 2 == 0 else { return upper }
    // After selection every value before `mid` is <= the upper middle: the lower middle is their maximum.
    var lower = values[0]
    for v in values[0..<mid] where v > lower { lower = v }
    return (lower + upper) / 2
  }

  /// Reorders `values` so that `values[k]` is the k-th smallest, smaller ones before it, larger
  /// after (Hoare's selection with a middle pivot); returns it.
  static func select(_ values: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
    var low = 0, high = values.count - 1
    while low < high {
      let pivot = values[(low + high) / 2]
      var i = low, j = high
      while i <= j {
        while values[i] < pivot { i += 1 }
        while values[j] > pivot { j -= 1 }
        if i <= j {
          values.swapAt(i, j)
          i += 1
          j -= 1
        }
      }
      if k <= j { high = j } else if k >= i { low = i } else { break }
    }
    return values[k]
  }
}
