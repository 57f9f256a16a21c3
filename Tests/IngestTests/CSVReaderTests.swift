import Ingest
import Testing
import TestSupport

/// Reads every record of `text` as strings, with the line each starts on.
func records(_ text: String, chunkLimit: Int = .max, chunkSize: Int = 4 << 20, delimiter: Character = ",") throws
  -> [(line: Int, fields: [String])]
{
  var reader = CSVReader(
    source: MemorySource(text, chunkLimit: chunkLimit), fileName: "t.csv", delimiter: delimiter.asciiValue!,
    chunkSize: chunkSize)
  var out: [(Int, [String])] = []
  try reader.forEachRecord { record in out.append((record.line, record.fieldsAsStrings())) }
  return out
}

@Suite struct CSVReaderTests {
  @Test func plainRecords() throws {
    let r = try records("a,b,c\n1,2,3\n")
    #expect(r.map(\.fields) == [["a", "b", "c"], ["1", "2", "3"]])
    #expect(r.map(\.line) == [1, 2])
  }

  @Test func quotedDelimitersEscapesAndNewlines() throws {
    let r = try records("id,note\n\"a,b\",\"say \"\"hi\"\"\"\n\"multi\nline\",x\n\"\",\"\"\"\"\n")
    #expect(r.map(\.fields) == [["id", "note"], ["a,b", "say \"hi\""], ["multi\nline", "x"], ["", "\""]])
    #expect(r.map(\.line) == [1, 2, 3, 5])
  }

  @Test func crlfAndLoneCRLineEnds() throws {
    #expect(try records("a,b\r\n1,2\r\n").map(\.fields) == [["a", "b"], ["1", "2"]])
    #expect(try records("a,b\r1,2\r").map(\.fields) == [["a", "b"], ["1", "2"]])
    #expect(try records("a,\"b\"\r\n\"1\",2").map(\.fields) == [["a", "b"], ["1", "2"]])
  }

  @Test func byteOrderMarkIsSkipped() throws {
    let r = try records("\u{FEFF}customer_id,date\nx,y\n")
    #expect(r.first?.fields == ["customer_id", "date"])
  }

  @Test func missingFinalNewlineAndTrailingEmptyField() throws {
    #expect(try records("a,b\n1,2").map(\.fields) == [["a", "b"], ["1", "2"]])
    #expect(try records("a,b\n1,").map(\.fields) == [["a", "b"], ["1", ""]])
    #expect(try records("a,b\n1,\n").map(\.fields) == [["a", "b"], ["1", ""]])
  }

  @Test func blankLinesAreSkippedButCounted() throws {
    let r = try records("a\n\n1\r\n\r\n2\n")
    #expect(r.map(\.fields) == [["a"], ["1"], ["2"]])
    #expect(r.map(\.line) == [1, 3, 5])
  }

  @Test func otherDelimiters() throws {
    #expect(try records("a;b\n\"1;5\";2\n", delimiter: ";").map(\.fields) == [["a", "b"], ["1;5", "2"]])
    #expect(try records("a\tb\n1\t2\n", delimiter: "\t").map(\.fields) == [["a", "b"], ["1", "2"]])
  }

  @Test func emptyInputHasNoRecords() throws {
    #expect(try records("").isEmpty)
    #expect(try records("\u{FEFF}").isEmpty)
  }

  @Test func unterminatedQuoteNamesTheLineItOpened() {
    #expect(throws: IngestError.unterminatedQuote(file: "t.csv", line: 2)) { try records("a,b\n\"open,2\n3,4\n") }
  }

  @Test func textAfterAClosingQuoteIsAnError() {
    #expect(throws: IngestError.textAfterClosingQuote(file: "t.csv", line: 2, field: 1)) { try records("a,b\n\"x\"y,2\n") }
  }

  /// Fed the same bytes in every chunk size from 1 byte up, the reader yields identical records.
  @Test func everyChunkSizeGivesTheSameRecords() throws {
    let text = "\u{FEFF}customer_id,date,amount\r\n\"Smith, J\",2024-01-05,\"1\"\"0\"\r\n\n\"multi\nline\",2024-02-01,3\nlast,2024-03-03,-1"
    let expected = try records(text)
    #expect(expected.count == 4)
    for limit in 1...(text.utf8.count + 1) {
      let got = try records(text, chunkLimit: limit)
      #expect(got.map(\.fields) == expected.map(\.fields), "chunk \(limit)")
      #expect(got.map(\.line) == expected.map(\.line), "chunk \(limit)")
      // A tiny buffer forces growth when one record is longer than a chunk.
      let small = try records(text, chunkLimit: limit, chunkSize: 16)
      #expect(small.map(\.fields) == expected.map(\.fields), "chunk \(limit), buffer 16")
    }
  }

  @Test func randomisedRoundTrip() throws {
    var rng = SplitMix64(seed: 11)
    let alphabet: [Character] = ["a", "b", ",", "\"", "\n", "\r", " ", "é", "1"]
    for _ in 0..<200 {
      let rows = (0..<(1 + rng.nextInt(5))).map { _ in
        (0..<3).map { _ in String((0..<rng.nextInt(6)).map { _ in alphabet[rng.nextInt(alphabet.count)] }) }
      }
      // Quote every field (doubling quotes) so any content round-trips.
      let text = rows.map { $0.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }
        .joined(separator: "\n")
      let got = try records(text, chunkLimit: 1 + rng.nextInt(7), chunkSize: 16)
      #expect(got.map(\.fields) == rows)
    }
  }
}

extension SplitMix64 {
  mutating func nextInt(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
