/// Order statistics shared by the analyses.
public enum Quantiles {
  /// The `p`-quantile of `sorted` (ascending), interpolating linearly between the two nearest
  /// order statistics: `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])` with `h = (n − 1)·p`, numpy's and
  /// pandas' default (Hyndman and Fan's type 7). `nil` when `sorted` is empty.
  public static func quantile(sorted: [Double], _ p: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let h = Double(sorted.count - 1) * p
    let low = Int(h.rounded(.down))
    guard low + 1 < sorted.count else { return sorted[sorted.count - 1] }
    return sorted[low] + (h - Double(low)) * (sorted[low + 1] - sorted[low])
  }

  /// Scores `1…5` by quintile, ties sharing a score: a value's score is
  /// `1 + ⌊5 · (values strictly worse) / n⌋`, where worse is smaller when `higherIsBetter`, else
  /// larger. Equal values always score the same; a value shared by many customers can leave
  /// a score unused (when 60% bought once, they all score F = 1 and the next score is 4).
  /// `O(n log n)`.
  public static func quintileScores(_ values: [Double], higherIsBetter: Bool) -> [UInt8] {
    let n = values.count
    guard n > 0 else { return [] }
    let sorted = values.sorted()
    return values.map { v in
      let worse = higherIsBetter ? lowerBound(sorted, v) : n - upperBound(sorted, v)
      return UInt8(1 + (5 * worse) / n)
    }
  }

  /// The first index whose element is `>= value`.
  static func lowerBound(_ sorted: [Double], _ value: Double) -> Int {
    var low = 0, high = sorted.count
    while low < high {
      let mid = (low + high) / 2
      if sorted[mid] < value { low = mid + 1 } else { high = mid }
    }
    return low
  }

  /// The first index whose element is `> value`.
  static func upperBound(_ sorted: [Double], _ value: Double) -> Int {
    var low = 0, high = sorted.count
    while low < high {
      let mid = (low + high) / 2
      if sorted[mid] <= value { low = mid + 1 } else { high = mid }
    }
    return low
  }
}

/// A distribution of day counts (gaps between purchase days) summarised as a data scientist
/// reads one.
public struct GapDistribution: Sendable, Equatable {
  public var count: Int
  public var mean: Double?
  /// The 10th, 25th, 50th, 75th and 90th percentiles (`Quantiles.quantile`).
  public var p10: Double?, p25: Double?, median: Double?, p75: Double?, p90: Double?

  /// Summarises `gaps` (any order).
  public init(_ gaps: [Double]) {
    let sorted = gaps.sorted()
    count = sorted.count
    mean = sorted.isEmpty ? nil : sorted.reduce(0, +) / Double(sorted.count)
    p10 = Quantiles.quantile(sorted: sorted, 0.10)
    p25 = Quantiles.quantile(sorted: sorted, 0.25)
    median = Quantiles.quantile(sorted: sorted, 0.50)
    p75 = Quantiles.quantile(sorted: sorted, 0.75)
    p90 = Quantiles.quantile(sorted: sorted, 0.90)
  }
}
