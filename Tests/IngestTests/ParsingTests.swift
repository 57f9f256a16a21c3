import Testing
import TestSupport

@testable import Ingest

func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
  Array(text.utf8).withUnsafeBufferPointer(body)
}

@Suite struct DateFormatTests {
  @Test(arguments: [
    ("2024-02-29", "2024-02-29"), ("1999-12-31 23:59", "1999-12-31"), ("2024-01-05 18:30:00", "2024-01-05"),
    ("2024-01-05T18:30:00.123Z", "2024-01-05"), ("2024-01-05T23:30:00+02:00", "2024-01-05"),
    ("2024-01-05 08:00:00-0500", "2024-01-05"), ("1970-01-01", "1970-01-01"), ("1900-03-01", "1900-03-01"),
  ])
  func isoDatesAndTimes(text: String, day: String) {
    #expect(withBytes(text) { DateFormat.iso.parse($0) } == Day(iso: day))
  }

  @Test(arguments: [
    "2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "2024-04-31", "24-01-05", "2024/01/05", "2024-1-5",
    "2024-01-05 24:00", "2024-01-05 10:60", "2024-01-05x", "", "2024-01-05 10", "2024-01-05Z",
  ])
  func isoRejects(text: String) {
    #expect(withBytes(text) { DateFormat.iso.parse($0) } == nil)
  }

  @Test func impossibleDatesAreToldApartFromGarbage() {
    #expect(withBytes("2023-02-30") { DateFormat.iso.isImpossibleDate($0) })
    #expect(!withBytes("2023/02/30") { DateFormat.iso.isImpossibleDate($0) })
  }

  @Test(arguments: [
    ("%d/%m/%Y", "05/01/2024", "2024-01-05"), ("%m/%d/%Y %H:%M", "1/5/2024 9:07", "2024-01-05"),
    ("%d.%m.%y", "31.12.99", "1999-12-31"), ("%d.%m.%y", "01.01.24", "2024-01-01"),
    ("%d %b %Y", "5 JAN 2024", "2024-01-05"), ("%Y%m%d", "20240105", "2024-01-05"),
    ("%Y-%m-%d %H:%M:%S.%f", "2024-01-05 10:00:00.5", "2024-01-05"),
  ])
  func patterns(pattern: String, text: String, day: String) throws {
    let format = try DateFormat.pattern(pattern).get()
    #expect(withBytes(text) { format.parse($0) } == Day(iso: day))
  }

  @Test func patternsRejectMismatches() throws {
    let format = try DateFormat.pattern("%d/%m/%Y").get()
    for text in ["31/02/2024", "05-01-2024", "05/01/2024 extra", "5/1/24"] {
      #expect(withBytes(text) { format.parse($0) } == nil, "\(text)")
    }
  }

  @Test func badPatternsAreExplained() {
    guard case let .failure(error) = DateFormat.pattern("%Q-%m-%d") else { Issue.record("accepted %Q"); return }
    #expect(error.message.contains("unsupported directive %Q"))
    guard case let .failure(noDay) = DateFormat.pattern("%Y-%m") else { Issue.record("accepted no day"); return }
    #expect(noDay.message.contains("needs a year"))
  }

  @Test func dayArithmeticRoundTrips() {
    var rng = SplitMix64(seed: 5)
    for _ in 0..<2000 {
      let ordinal = Int32(Int(rng.next() % 3_000_000) - 719_000)
      let day = Day(ordinal: ordinal)
      let (y, m, d) = day.components
      #expect(Day(year: y, month: m, day: d) == day)
      if (1...9999).contains(y) { #expect(Day(iso: day.description) == day) }
    }
    #expect(Day(iso: "1970-01-01")?.ordinal == 0)
    #expect(Day(iso: "2000-03-01")?.ordinal == 11017)
  }
}

@Suite struct DecimalTests {
  @Test(arguments: [
    ("12.50", 12.5), ("-3", -3), ("+0.1", 0.1), ("0", 0), (".5", 0.5), ("5.", 5), (" 7.25 ", 7.25),
    ("1e2", 100), ("-2.5E-1", -0.25), ("123456789012.345", 123456789012.345),
    ("0.1000000000000000055511151231257827", 0.1), ("12345678901234567890", 12345678901234567168),
  ])
  func parses(text: String, value: Double) {
    #expect(withBytes(text) { Decimal.parse($0) } == value)
  }

  @Test func matchesTheStandardParserOnRandomDecimals() {
    var rng = SplitMix64(seed: 9)
    for _ in 0..<5000 {
      let units = Int(rng.next() % 100_000_000_000)
      let places = Int(rng.next() % 6)
      var text = String(units)
      if places > 0 {
        text = String(repeating: "0", count: max(0, places + 1 - text.count)) + text
        text.insert(".", at: text.index(text.endIndex, offsetBy: -places))
      }
      #expect(withBytes(text) { Decimal.parse($0) } == Double(text), "\(text)")
    }
  }

  @Test(arguments: ["", "  ", "1,234", "1,234.50", "NaN", "nan", "inf", "-Infinity", "1e999", "12abc", "1.2.3", "-", ".", "e5", "$5", "1e"])
  func rejects(text: String) {
    #expect(withBytes(text) { Decimal.parse($0) } == nil)
  }

  @Test func failuresAreExplained() {
    #expect(withBytes("1,234") { Decimal.explainFailure($0) }.contains("no thousands separators"))
    #expect(withBytes("NaN") { Decimal.explainFailure($0) }.contains("NaN"))
    #expect(withBytes("inf") { Decimal.explainFailure($0) }.contains("infinite"))
    #expect(withBytes("") { Decimal.explainFailure($0) }.contains("empty"))
    #expect(withBytes("1e999") { Decimal.explainFailure($0) }.contains("too large"))
  }
}
