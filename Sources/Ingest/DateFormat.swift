import RebuyCore

/// How the `date` column is written.
///
/// - `iso` (the default): `yyyy-mm-dd`, optionally followed by a space or `T` and
///   `HH:MM[:SS[.fraction]]`, then optionally `Z` or an offset `±HH:MM`. The calendar date is
///   taken as written; offsets are not applied (a purchase belongs to the local day it was made).
/// - `pattern`: a `--date-format` of strftime-style directives: `%Y` (4-digit year), `%y`
///   (2-digit year: 69–99 → 19xx, 00–68 → 20xx), `%m`, `%d`, `%H`, `%M`, `%S` (1 or 2 digits),
///   `%b` (month name, 3 letters, any case), `%f` (fraction digits) and `%%`; any other
///   character must match itself. The whole field must match.
///
/// The time of day is checked (hours 0–23, minutes 0–59, seconds 0–60) and then dropped.
public enum DateFormat: Sendable, Equatable {
  case iso
  case pattern([Token])

  /// One piece of a `--date-format` pattern.
  public enum Token: Sendable, Equatable {
    case year4, year2, month, day, hour, minute, second, monthName, fraction
    case literal(UInt8)
  }

  /// The directives `--date-format` understands, for messages.
  public static let supportedDirectives = "%Y %y %m %d %H %M %S %b %f %%"

  /// Parses a `--date-format` pattern.
  /// - Returns: `nil` with a reason when the pattern has an unknown directive or lacks a year,
  ///   month or day.
  public static func pattern(_ text: String) -> Result<DateFormat, PatternError> {
    var tokens: [Token] = []
    var characters = text.makeIterator()
    while let c = characters.next() {
      guard c == "%" else {
        tokens.append(contentsOf: c.utf8.map(Token.literal))
        continue
      }
      switch characters.next() {
      case "Y": tokens.append(.year4)
      case "y": tokens.append(.year2)
      case "m": tokens.append(.month)
      case "d": tokens.append(.day)
      case "H": tokens.append(.hour)
      case "M": tokens.append(.minute)
      case "S": tokens.append(.second)
      case "b": tokens.append(.monthName)
      case "f": tokens.append(.fraction)
      case "%": tokens.append(.literal(UInt8(ascii: "%")))
      case let other:
        return .failure(PatternError(message: "unsupported directive %\(other.map(String.init) ?? "") in '\(text)'; supported: \(supportedDirectives)"))
      }
    }
    let hasYear = tokens.contains(.year4) || tokens.contains(.year2)
    let hasMonth = tokens.contains(.month) || tokens.contains(.monthName)
    guard hasYear, hasMonth, tokens.contains(.day) else {
      return .failure(PatternError(message: "'\(text)' needs a year (%Y or %y), a month (%m or %b) and a day (%d)"))
    }
    return .success(.pattern(tokens))
  }

  /// Why a `--date-format` pattern was refused.
  public struct PatternError: Error, Sendable { public let message: String }

  /// What a failed date should have looked like, for messages.
  public var expectation: String {
    switch self {
    case .iso: "yyyy-mm-dd (optionally with a time); use --date-format for other layouts"
    case .pattern: "a date in the --date-format layout"
    }
  }

  /// The day a field holds, or `nil` when it is not a date in this format.
  public func parse(_ field: UnsafeBufferPointer<UInt8>) -> Day? {
    switch self {
    case .iso: DateFormat.parseISO(field)
    case let .pattern(tokens): DateFormat.parse(field, tokens: tokens)
    }
  }

  /// Whether the field is laid out right but names a day that does not exist (`2023-02-30`).
  public func isImpossibleDate(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
    guard case .iso = self, field.count >= 10 else { return false }
    let shape = (0..<10).allSatisfy { i in
      i == 4 || i == 7 ? field[i] == UInt8(ascii: "-") : (field[i] >= 48 && field[i] <= 57)
    }
    return shape && DateFormat.parseISO(UnsafeBufferPointer(rebasing: field[0..<10])) == nil
  }

  @inline(__always)
  private static func digit(_ b: UInt8) -> Int? { b >= 48 && b <= 57 ? Int(b - 48) : nil }

  private static func parseISO(_ f: UnsafeBufferPointer<UInt8>) -> Day? {
    guard f.count >= 10, f[4] == UInt8(ascii: "-"), f[7] == UInt8(ascii: "-"),
      let y0 = digit(f[0]), let y1 = digit(f[1]), let y2 = digit(f[2]), let y3 = digit(f[3]),
      let m0 = digit(f[5]), let m1 = digit(f[6]), let d0 = digit(f[8]), let d1 = digit(f[9]),
      let day = Day(year: y0 * 1000 + y1 * 100 + y2 * 10 + y3, month: m0 * 10 + m1, day: d0 * 10 + d1)
    else { return nil }
    if f.count == 10 { return day }
    guard f[10] == UInt8(ascii: " ") || f[10] == UInt8(ascii: "T") else { return nil }
    return isISOTime(f, from: 11) ? day : nil
  }

  /// `HH:MM[:SS[.fff]][Z|±HH:MM|±HHMM]` from `i` to the end of `f`.
  private static func isISOTime(_ f: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
    var i = start
    func twoDigits(max: Int) -> Bool {
      guard i + 1 < f.count, let a = digit(f[i]), let b = digit(f[i + 1]), a * 10 + b <= max else { return false }
      i += 2
      return true
    }
    guard twoDigits(max: 23), i < f.count, f[i] == UInt8(ascii: ":"), { i += 1; return true }(),
      twoDigits(max: 59)
    else { return false }
    if i < f.count, f[i] == UInt8(ascii: ":") {
      i += 1
      guard twoDigits(max: 60) else { return false }
      if i < f.count, f[i] == UInt8(ascii: ".") {
        i += 1
        let digitsStart = i
        while i < f.count, digit(f[i]) != nil { i += 1 }
        guard i > digitsStart else { return false }
      }
    }
    if i == f.count { return true }
    if f[i] == UInt8(ascii: "Z") { return i + 1 == f.count }
    guard f[i] == UInt8(ascii: "+") || f[i] == UInt8(ascii: "-") else { return false }
    i += 1
    guard twoDigits(max: 23) else { return false }
    if i < f.count, f[i] == UInt8(ascii: ":") { i += 1 }
    return twoDigits(max: 59) && i == f.count
  }

  private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

  private static func parse(_ f: UnsafeBufferPointer<UInt8>, tokens: [Token]) -> Day? {
    var i = 0
    var year = 0, month = 0, day = 0
    func number(minDigits: Int, maxDigits: Int) -> Int? {
      var value = 0, count = 0
      while count < maxDigits, i < f.count, let d = digit(f[i]) {
        value = value * 10 + d
        count += 1
        i += 1
      }
      return count >= minDigits ? value : nil
    }
    for token in tokens {
      switch token {
      case .year4:
        guard let v = number(minDigits: 4, maxDigits: 4) else { return nil }
        year = v
      case .year2:
        guard let v = number(minDigits: 2, maxDigits: 2) else { return nil }
        year = v >= 69 ? 1900 + v : 2000 + v
      case .month:
        guard let v = number(minDigits: 1, maxDigits: 2) else { return nil }
        month = v
      case .day:
        guard let v = number(minDigits: 1, maxDigits: 2) else { return nil }
        day = v
      case .hour:
        guard let v = number(minDigits: 1, maxDigits: 2), v <= 23 else { return nil }
      case .minute:
        guard let v = number(minDigits: 1, maxDigits: 2), v <= 59 else { return nil }
      case .second:
        guard let v = number(minDigits: 1, maxDigits: 2), v <= 60 else { return nil }
      case .fraction:
        guard number(minDigits: 1, maxDigits: 18) != nil else { return nil }
      case .monthName:
        guard i + 3 <= f.count else { return nil }
        let name = String(decoding: f[i..<(i + 3)], as: UTF8.self).lowercased()
        guard let index = monthNames.firstIndex(of: name) else { return nil }
        month = index + 1
        i += 3
      case let .literal(b):
        guard i < f.count, f[i] == b else { return nil }
        i += 1
      }
    }
    guard i == f.count else { return nil }
    return Day(year: year, month: month, day: day)
  }
}
