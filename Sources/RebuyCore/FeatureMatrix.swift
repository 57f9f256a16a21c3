/// A feature matrix for learning: named columns, row-major `Double`s, NaN for a missing value.
///
/// Missing values reach the learners as NaN and are imputed by each model's own preprocessing;
/// `value(row:column:)` returns `nil` for them.
public struct FeatureMatrix: Sendable, Equatable {
  /// The column names, in order.
  public let featureNames: [String]
  /// The number of rows.
  public let rowCount: Int
  /// Row-major values, `rowCount × featureNames.count`; NaN is missing.
  public var values: [Double]

  /// A matrix from row-major values.
  /// - Precondition: `values.count == rowCount * featureNames.count`.
  public init(featureNames: [String], rowCount: Int, values: [Double]) {
    precondition(values.count == rowCount * featureNames.count, "FeatureMatrix needs rowCount × columns values")
    self.featureNames = featureNames
    self.rowCount = rowCount
    self.values = values
  }

  /// A matrix from rows of optional values (`nil` is missing).
  public init(featureNames: [String], rows: [[Double?]]) {
    precondition(rows.allSatisfy { $0.count == featureNames.count }, "Every row needs one value per feature")
    self.init(featureNames: featureNames, rowCount: rows.count, values: rows.flatMap { $0.map { $0 ?? .nan } })
  }

  /// The number of columns.
  public var columnCount: Int { featureNames.count }

  /// A value, or `nil` when it is missing.
  public func value(row: Int, column: Int) -> Double? {
    let v = values[row * columnCount + column]
    return v.isNaN ? nil : v
  }

  /// The values of the column named `name` (NaN where missing), or `nil` when there is none.
  public func column(named name: String) -> [Double]? {
    guard let j = featureNames.firstIndex(of: name) else { return nil }
    return (0..<rowCount).map { values[$0 * columnCount + j] }
  }

  /// The rows at `indices`, in that order.
  public func rows(_ indices: [Int]) -> FeatureMatrix {
    var out: [Double] = []
    out.reserveCapacity(indices.count * columnCount)
    for i in indices { out.append(contentsOf: values[(i * columnCount)..<((i + 1) * columnCount)]) }
    return FeatureMatrix(featureNames: featureNames, rowCount: indices.count, values: out)
  }

  /// The columns named `names`, in that order.
  /// - Returns: `nil` when a name is not a column.
  public func columns(_ names: [String]) -> FeatureMatrix? {
    var positions: [Int] = []
    for name in names {
      guard let position = featureNames.firstIndex(of: name) else { return nil }
      positions.append(position)
    }
    var out: [Double] = []
    out.reserveCapacity(rowCount * names.count)
    for row in 0..<rowCount {
      for p in positions { out.append(values[row * columnCount + p]) }
    }
    return FeatureMatrix(featureNames: names, rowCount: rowCount, values: out)
  }

  /// The matrix with `columns` (one value per row each) added after its own, named `names`.
  public func appending(columns: [[Double]], named names: [String]) -> FeatureMatrix {
    precondition(columns.count == names.count && columns.allSatisfy { $0.count == rowCount }, "one value per row in each column")
    var out: [Double] = []
    out.reserveCapacity(rowCount * (columnCount + names.count))
    for row in 0..<rowCount {
      out.append(contentsOf: values[(row * columnCount)..<((row + 1) * columnCount)])
      for column in columns { out.append(column[row]) }
    }
    return FeatureMatrix(featureNames: featureNames + names, rowCount: rowCount, values: out)
  }
}

/// Binary labels, one per row: 1 for the positive class (the target happened), else 0.
public struct Labels: Sendable, Equatable {
  public let values: [UInt8]

  public init(_ values: [UInt8]) {
    precondition(values.allSatisfy { $0 <= 1 }, "Labels are 0 or 1")
    self.values = values
  }

  public var count: Int { values.count }
  /// The number of positive rows.
  public var positives: Int { values.reduce(0) { $0 + Int($1) } }

  /// The labels at `indices`, in that order.
  public func rows(_ indices: [Int]) -> Labels { Labels(indices.map { values[$0] }) }
}
