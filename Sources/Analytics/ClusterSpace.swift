import LinearAlgebra

/// Behaviour features made ready for k-means: optionally `log(1 + x)`, missing values set to the
/// column's median, then standardised to mean 0 and (population) standard deviation 1.
///
/// A constant column keeps scale 1 (it contributes nothing to any distance). Logs are taken
/// only of columns named in `logged`, which must then have no value below 0 (counts, days and
/// money are skewed to the right; their logarithm keeps a few large customers from deciding
/// every cluster).
public struct ClusterSpace: Sendable {
  public let names: [String]
  public let logged: [Bool]
  /// Per column, after the log: the median used for missing values, the mean and the scale.
  public let medians: [Double], means: [Double], scales: [Double]
  /// Rows × columns, standardised.
  public let matrix: Matrix

  public enum Problem: Error, Equatable, CustomStringConvertible {
    case negativeForLog(feature: String, value: Double)
    case allMissing(feature: String)

    public var description: String {
      switch self {
      case let .negativeForLog(feature, value):
        "\(feature) has a value below 0 (\(value)), so its logarithm is undefined; leave it out of --log"
      case let .allMissing(feature):
        "\(feature) is undefined for every customer; choose other --features"
      }
    }
  }

  /// - Parameter columns: One array per feature, NaN for missing, all of one length.
  public init(columns: [[Double]], names: [String], logged: [Bool]) throws(Problem) {
    let n = columns.first?.count ?? 0, d = columns.count
    var transformed = columns
    var medians: [Double] = [], means: [Double] = [], scales: [Double] = []
    for j in 0..<d {
      if logged[j] {
        for i in 0..<n where !transformed[j][i].isNaN {
          guard transformed[j][i] >= 0 else { throw .negativeForLog(feature: names[j], value: transformed[j][i]) }
          transformed[j][i] = (1 + transformed[j][i]).logValue
        }
      }
      let present = transformed[j].filter { !$0.isNaN }.sorted()
      guard let median = Quantiles.quantile(sorted: present, 0.5) else { throw .allMissing(feature: names[j]) }
      for i in 0..<n where transformed[j][i].isNaN { transformed[j][i] = median }
      let mean = transformed[j].reduce(0, +) / Double(n)
      let variance = transformed[j].reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
      medians.append(median)
      means.append(mean)
      scales.append(variance > 0 ? variance.squareRoot() : 1)
    }
    var elements = [Double](repeating: 0, count: n * d)
    for j in 0..<d {
      for i in 0..<n { elements[i * d + j] = (transformed[j][i] - means[j]) / scales[j] }
    }
    self.names = names
    self.logged = logged
    self.medians = medians
    self.means = means
    self.scales = scales
    matrix = Matrix(rows: n, columns: d, elements: elements)
  }
}

extension Double {
  /// The natural logarithm.
  var logValue: Double {
    #if canImport(Glibc)
      return Glibc.log(self)
    #else
      return Darwin.log(self)
    #endif
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
