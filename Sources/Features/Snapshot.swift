import RebuyCore

/// When features are taken and how far ahead the label looks.
///
/// Features use only transactions dated on or before `cutoff`; the label looks at the window
/// `(cutoff, cutoff + horizon]`.
public struct Snapshot: Sendable, Equatable {
  /// The last day whose transactions the features may see.
  public var cutoff: Day
  /// The label window's length in days, or `nil` for features only.
  public var horizon: Int?

  public init(cutoff: Day, horizon: Int? = nil) {
    self.cutoff = cutoff
    self.horizon = horizon
  }

  /// `count` snapshots `every` days apart, the latest at `latest`, oldest first.
  public static func series(latest: Day, count: Int, every: Int, horizon: Int?) -> [Snapshot] {
    (0..<count).reversed().map { Snapshot(cutoff: latest.adding(days: -$0 * every), horizon: horizon) }
  }
}

/// Why a snapshot cannot be built from a log.
public enum FeaturesError: Error, Equatable, CustomStringConvertible {
  /// The label window runs past the last transaction, so labels would be censored.
  case labelWindowBeyondData(cutoff: Day, horizon: Int, lastDay: Day)
  /// Nobody had bought anything by the cutoff.
  case noCustomers(cutoff: Day, firstDay: Day)
  /// The same cutoff was given twice.
  case duplicateCutoff(Day)

  public var description: String {
    switch self {
    case let .labelWindowBeyondData(cutoff, horizon, lastDay):
      "the label window (\(cutoff), \(cutoff.adding(days: horizon))] ends after the last transaction (\(lastDay)); "
        + "choose a cutoff on or before \(lastDay.adding(days: -horizon)) or a shorter horizon"
    case let .noCustomers(cutoff, firstDay):
      "no customer has a purchase on or before the cutoff \(cutoff); the first transaction is on \(firstDay)"
    case let .duplicateCutoff(day):
      "the cutoff \(day) is given more than once"
    }
  }
}
