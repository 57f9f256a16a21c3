/// The distribution of each feature in a table: how many values are missing, and the minimum,
/// median, mean and maximum of the rest.
public struct FeatureSummary: Sendable {
  public struct Column: Sendable, Equatable {
    public let name: String
    public let missing: Int
    /// `nil` when every value is missing.
    public let minimum: Double?
    public let median: Double?
    public let mean: Double?
    public let maximum: Double?
  }

  public let columns: [Column]

  /// Summarises every feature of `table`. The median of an even count is the mean of the two
  /// middle values (as pandas).
  public init(_ table: FeatureTable) {
    let width = table.featureNames.count
    columns = table.featureNames.enumerated().map { column, name in
      var values: [Double] = []
      values.reserveCapacity(table.rowCount)
      for row in 0..<table.rowCount {
        let v = table.values[row * width + column]
        if !v.isNaN { values.append(v) }
      }
      values.sort()
      let missing = table.rowCount - values.count
      guard let first = values.first, let last = values.last else {
        return Column(name: name, missing: missing, minimum: nil, median: nil, mean: nil, maximum: nil)
      }
      let mid = values.count / 2
      let median = values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
      let mean = values.reduce(0, +) / Double(values.count)
      return Column(name: name, missing: missing, minimum: first, median: median, mean: mean, maximum: last)
    }
  }
}
