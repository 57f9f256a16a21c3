/// The named RFM segments, from the recency score R and the frequency-and-money score FM.
///
/// `FM = ⌊(F + M + 1) / 2⌋`, the mean of F and M rounded half up. The map is a full 5 × 5 grid,
/// so every customer gets exactly one segment:
///
/// ```
///        FM=1             FM=2                 FM=3                 FM=4              FM=5
/// R=5    New              Potential Loyalist   Potential Loyalist   Champions         Champions
/// R=4    Promising        Potential Loyalist   Potential Loyalist   Loyal             Champions
/// R=3    About to Sleep   Need Attention       Need Attention       Loyal             Loyal
/// R=2    Hibernating      About to Sleep       At Risk              At Risk           Can't Lose Them
/// R=1    Lost             Hibernating          At Risk              Can't Lose Them   Can't Lose Them
/// ```
public enum RFMSegment: Int, CaseIterable, Sendable {
  case champions, loyal, potentialLoyalist, new, promising, needAttention, aboutToSleep, atRisk, cantLoseThem,
    hibernating, lost

  /// The segment's name as printed and written.
  public var name: String {
    switch self {
    case .champions: "Champions"
    case .loyal: "Loyal"
    case .potentialLoyalist: "Potential Loyalist"
    case .new: "New"
    case .promising: "Promising"
    case .needAttention: "Need Attention"
    case .aboutToSleep: "About to Sleep"
    case .atRisk: "At Risk"
    case .cantLoseThem: "Can't Lose Them"
    case .hibernating: "Hibernating"
    case .lost: "Lost"
    }
  }

  /// Rows R = 1…5, columns FM = 1…5.
  static let grid: [[RFMSegment]] = [
    [.lost, .hibernating, .atRisk, .cantLoseThem, .cantLoseThem],
    [.hibernating, .aboutToSleep, .atRisk, .atRisk, .cantLoseThem],
    [.aboutToSleep, .needAttention, .needAttention, .loyal, .loyal],
    [.promising, .potentialLoyalist, .potentialLoyalist, .loyal, .champions],
    [.new, .potentialLoyalist, .potentialLoyalist, .champions, .champions],
  ]

  /// The segment of scores `r` and `fm` (each 1…5).
  public init(r: UInt8, fm: UInt8) {
    self = Self.grid[Int(r) - 1][Int(fm) - 1]
  }

  /// `FM = ⌊(F + M + 1) / 2⌋`.
  public static func fm(f: UInt8, m: UInt8) -> UInt8 { (f + m + 1) / 2 }
}

/// Where a customer stands against their own purchase cycle.
///
/// A customer's usual gap is the median of the days between their consecutive purchase days
/// (with one purchase day, the *typical* gap: the median of every gap in the data up to the
/// date). The overdue ratio is days since the last purchase over the usual gap. Then, with
/// `atRiskAfter` a (default 1.5) and `lapsedAfter` l (default 3):
///
/// - **new**: one purchase day, ratio ≤ a;
/// - **active**: two or more purchase days, ratio ≤ a;
/// - **at risk**: a < ratio ≤ l — overdue against their own rhythm;
/// - **lapsed**: ratio > l.
public enum LifecycleStage: Int, CaseIterable, Sendable {
  case new, active, atRisk, lapsed

  public var name: String {
    switch self {
    case .new: "new"
    case .active: "active"
    case .atRisk: "at risk"
    case .lapsed: "lapsed"
    }
  }
}
