/// How well expected purchase counts match the purchases that happened, per customer and in
/// aggregate: what a count model (BG/NBD) is judged by beyond its probability of any purchase.
///
/// `byFrequency` is the customary BTYD check: customers grouped by repeat purchases before the
/// cutoff (0, 1, …, 6, and 7 or more), the mean expected against the mean actual count in the
/// window. Grouping by the past, not by the outcome, keeps the comparison fair.
public struct CountReport: Codable, Sendable, Equatable {
  public let rows: Int
  /// Mean absolute error per customer.
  public let meanAbsoluteError: Double
  /// Root mean squared error per customer.
  public let rootMeanSquaredError: Double
  public let totalExpected: Double
  public let totalActual: Double
  public let byFrequency: [Group]

  public struct Group: Codable, Sendable, Equatable {
    /// Repeat purchases before the cutoff; the last group holds `frequency` and more.
    public let frequency: Int
    public let orMore: Bool
    public let customers: Int
    public let meanExpected: Double
    public let meanActual: Double

    enum CodingKeys: String, CodingKey {
      case frequency, customers
      case orMore = "or_more"
      case meanExpected = "mean_expected"
      case meanActual = "mean_actual"
    }
  }

  /// - Parameters:
  ///   - expected: each customer's expected count in the window.
  ///   - actual: each customer's count in the window.
  ///   - frequency: each customer's repeat purchases before the cutoff.
  ///   - groups: frequencies 0 … groups−2 alone, then the rest together.
  public init(expected: [Double], actual: [Double], frequency: [Double], groups: Int = 8) {
    precondition(expected.count == actual.count && actual.count == frequency.count, "one value per customer in each")
    precondition(!expected.isEmpty && groups >= 2)
    rows = expected.count
    var absolute = 0.0, squared = 0.0
    var sums = [(customers: Int, expected: Double, actual: Double)](repeating: (0, 0, 0), count: groups)
    for i in expected.indices {
      let error = expected[i] - actual[i]
      absolute += abs(error)
      squared += error * error
      let group = min(groups - 1, max(0, Int(frequency[i])))
      sums[group].customers += 1
      sums[group].expected += expected[i]
      sums[group].actual += actual[i]
    }
    let n = Double(rows)
    meanAbsoluteError = absolute / n
    rootMeanSquaredError = (squared / n).squareRoot()
    totalExpected = expected.reduce(0, +)
    totalActual = actual.reduce(0, +)
    byFrequency = sums.indices.compactMap { g in
      let s = sums[g]
      guard s.customers > 0 else { return nil }
      return Group(
        frequency: g, orMore: g == groups - 1, customers: s.customers, meanExpected: s.expected / Double(s.customers),
        meanActual: s.actual / Double(s.customers))
    }
  }

  enum CodingKeys: String, CodingKey {
    case rows
    case meanAbsoluteError = "mean_absolute_error"
    case rootMeanSquaredError = "root_mean_squared_error"
    case totalExpected = "total_expected"
    case totalActual = "total_actual"
    case byFrequency = "by_frequency"
  }
}
