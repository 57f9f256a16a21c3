import Foundation
import Testing
import TestSupport

/// Every kind of bad input through the command line: the exact message, the exit status, and
/// no output file left behind.
@Suite struct BadInputTests {
  /// Writes `content` to `tx.csv` in a fresh directory, runs `rebuy features tx.csv --cutoff
  /// 2024-01-31 -o out.csv` plus `extra`, and checks that nothing but tx.csv is left.
  func features(_ content: [UInt8], extra: [String] = []) throws -> RebuyProcess.Outcome {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data(content).write(to: dir.appendingPathComponent("tx.csv"))
    let outcome = try RebuyProcess.run(["features", "tx.csv", "--cutoff", "2024-01-31", "-o", "out.csv"] + extra, in: dir)
    if outcome.status != 0 {
      let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
      #expect(left == ["tx.csv"], "a failed run left \(left)")
    }
    return outcome
  }

  func features(_ text: String, extra: [String] = []) throws -> RebuyProcess.Outcome {
    try features(Array(text.utf8), extra: extra)
  }

  @Test(arguments: [
    ("", "Error: tx.csv: the file is empty; a transactions file needs a header row and data rows\n"),
    ("customer_id,date,amount\n", "Error: tx.csv: the file has a header but no data rows\n"),
    (
      "customer,date,amount\na,2024-01-01,1\n",
      "Error: tx.csv: no column 'customer_id'; the header has 'customer', 'date', 'amount'; name the right column with --customer-col\n"
    ),
    (
      "customer_id,date,amount,amount\na,2024-01-01,1,2\n",
      "Error: tx.csv:1: the header names column 'amount' more than once (fields 3 and 4); rename one of them\n"
    ),
    ("customer_id,date,amount\na,2023-02-30,1\n", "Error: tx.csv:2: date: no such calendar date ('2023-02-30')\n"),
    (
      "customer_id,date,amount\na,2024-01-01,\"1,234\"\n",
      "Error: tx.csv:2: amount: is not a decimal number; use '.' as the decimal separator and no thousands separators ('1,234')\n"
    ),
    ("customer_id,date,amount\na,2024-01-01,NaN\n", "Error: tx.csv:2: amount: is NaN; amounts must be finite numbers ('NaN')\n"),
    ("customer_id,date,amount\na,2024-01-01,inf\n", "Error: tx.csv:2: amount: is infinite; amounts must be finite numbers ('inf')\n"),
    ("customer_id,date,amount\na,2024-01-01,\n", "Error: tx.csv:2: amount: is empty; every row needs a value here ('')\n"),
    (
      "customer_id,date,amount\na,2024-01-01,1\nb,2024-01-02\n",
      "Error: tx.csv:3: expected 3 fields as in the header, found 2; quote fields that contain the delimiter\n"
    ),
    ("customer_id,date,amount\n\"a,2024-01-01,1\n", "Error: tx.csv:2: a quoted field opened on this line is never closed\n"),
  ])
  func badDataExits65(content: String, message: String) throws {
    let outcome = try features(content)
    #expect(outcome.status == 65)
    #expect(outcome.stderr == message)
    #expect(outcome.stdout == "")
  }

  @Test func invalidUTF8Exits65() throws {
    let bytes = Array("customer_id,date,amount\n".utf8) + [0x61, 0xFF, 0x62] + Array(",2024-01-01,1\n".utf8)
    let outcome = try features(bytes)
    #expect(outcome.status == 65)
    #expect(outcome.stderr == "Error: tx.csv:2: customer_id: not valid UTF-8 ('a\u{FFFD}b'); convert the file to UTF-8 (e.g. with iconv)\n")
  }

  @Test func missingInputExits66() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let outcome = try RebuyProcess.run(["features", "nope.csv", "--cutoff", "2024-01-31", "-o", "out.csv"], in: dir)
    #expect(outcome.status == 66)
    #expect(outcome.stderr == "Error: nope.csv: cannot open: No such file or directory\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
  }

  @Test func labelWindowBeyondTheDataExits65() throws {
    let outcome = try features("customer_id,date,amount\na,2024-01-01,1\na,2024-02-15,1\n", extra: ["--horizon", "30"])
    #expect(outcome.status == 65)
    #expect(
      outcome.stderr.hasSuffix(
        "Error: the label window (2024-01-31, 2024-03-01] ends after the last transaction (2024-02-15); choose a cutoff on or before 2024-01-16 or a shorter horizon\n"
      ))
  }

  @Test func aFailedRunLeavesAnExistingOutputUntouched() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("customer_id,date,amount\na,2024-01-01,oops\n".utf8).write(to: dir.appendingPathComponent("tx.csv"))
    try Data("previous\n".utf8).write(to: dir.appendingPathComponent("out.csv"))
    let outcome = try RebuyProcess.run(["features", "tx.csv", "--cutoff", "2024-01-31", "-o", "out.csv"], in: dir)
    #expect(outcome.status == 65)
    #expect(try String(contentsOf: dir.appendingPathComponent("out.csv"), encoding: .utf8) == "previous\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["out.csv", "tx.csv"])
  }

  @Test func skipBadRowsReportsCountsAndGoesOn() throws {
    let outcome = try features(
      "customer_id,date,amount\na,2024-01-01,1\nb,2024-01-01,x\nc,2023-02-29,1\nd,2024-01-05,2\n", extra: ["--skip-bad-rows"])
    #expect(outcome.status == 0)
    #expect(
      outcome.stderr.contains(
        """
        Skipped 2 bad rows; the first 2:
          tx.csv:3: amount: is not a decimal number ('x')
          tx.csv:4: date: no such calendar date ('2023-02-29')
        """))
  }

  @Test(arguments: [
    (["features", "tx.csv"], "Give --cutoff DATE or --cutoffs DATE,DATE,…."),
    (["features", "tx.csv", "--cutoff", "2024-02-30"], "--cutoff must be a date as yyyy-mm-dd, got '2024-02-30'."),
    (["features", "tx.csv", "--cutoff", "2024-01-31", "--horizon", "0"], "--horizon must be at least 1 day, got 0."),
    (["features", "tx.csv", "--cutoff", "2024-01-31", "--snapshots", "3"], "--snapshots 3 needs --every DAYS."),
    (["features", "tx.csv", "--cutoffs", "2024-01-31,2024-01-31"], "--cutoffs lists a date twice."),
    (["features", "tx.csv", "--cutoff", "2024-01-31", "--date-format", "%d/%q/%Y"], "--date-format: unsupported directive %q in '%d/%q/%Y'; supported: %Y %y %m %d %H %M %S %b %f %%."),
    (["features", "tx.csv", "--cutoff", "2024-01-31", "--delimiter", "ab"], "--delimiter must be one ASCII character other than a quote or line break, got 'ab'."),
    (["generate", "--customers", "0"], "--customers must be at least 1, got 0."),
    (["generate", "--customers", "5", "--start", "2024-01-02", "--end", "2024-01-01"], "--start (2024-01-02) must not be after --end (2024-01-01)."),
    (["frobnicate"], "Unexpected argument 'frobnicate'"),
  ])
  func usageErrorsExit64(arguments: [String], message: String) throws {
    let outcome = try RebuyProcess.run(arguments)
    #expect(outcome.status == 64)
    #expect(outcome.stderr.hasPrefix("Error: \(message)"), "\(outcome.stderr)")
  }
}
