/// Everything that can be wrong with a transactions file, with the context to fix it.
///
/// Row-level cases (`badValue`, `fieldCount`, `invalidUTF8`) can be skipped with
/// `--skip-bad-rows`; the others stop reading.
public enum IngestError: Error, Equatable, CustomStringConvertible {
  /// The file has no bytes at all.
  case emptyFile(file: String)
  /// The file has a header but no data rows.
  case noDataRows(file: String)
  /// A required or requested column is not in the header.
  case missingColumn(name: String, file: String, header: [String], option: String)
  /// Two header fields have the same name.
  case duplicateColumn(name: String, file: String, positions: [Int])
  /// A field could not be read as what its column needs.
  case badValue(file: String, line: Int, column: String, reason: String, value: String)
  /// Every data row was bad and skipped.
  case noValidRows(file: String, skipped: Int)
  /// A row has a different number of fields than the header.
  case fieldCount(file: String, line: Int, expected: Int, found: Int)
  /// A field is not valid UTF-8.
  case invalidUTF8(file: String, line: Int, column: String, value: String)
  /// A quoted field is still open at the end of the file.
  case unterminatedQuote(file: String, line: Int)
  /// Something other than a delimiter or line end follows a closing quote.
  case textAfterClosingQuote(file: String, line: Int, field: Int)
  /// Reading the file failed.
  case readFailed(file: String, reason: String)

  /// Whether `--skip-bad-rows` may skip the row and go on.
  public var isRowLevel: Bool {
    switch self {
    case .badValue, .fieldCount, .invalidUTF8: true
    default: false
    }
  }

  public var description: String {
    switch self {
    case let .emptyFile(file):
      "\(file): the file is empty; a transactions file needs a header row and data rows"
    case let .noDataRows(file):
      "\(file): the file has a header but no data rows"
    case let .missingColumn(name, file, header, option):
      "\(file): no column '\(name)'; the header has \(header.map { "'\($0)'" }.joined(separator: ", ")); "
        + "name the right column with \(option)"
    case let .duplicateColumn(name, file, positions):
      "\(file):1: the header names column '\(name)' more than once (fields \(positions.map(String.init).joined(separator: " and "))); "
        + "rename one of them"
    case let .noValidRows(file, skipped):
      "\(file): all \(skipped) data rows are bad; nothing is left to read"
    case let .badValue(file, line, column, reason, value):
      "\(file):\(line): \(column): \(reason) ('\(value)')"
    case let .fieldCount(file, line, expected, found):
      "\(file):\(line): expected \(expected) fields as in the header, found \(found); "
        + "quote fields that contain the delimiter"
    case let .invalidUTF8(file, line, column, value):
      "\(file):\(line): \(column): not valid UTF-8 ('\(value)'); convert the file to UTF-8 (e.g. with iconv)"
    case let .unterminatedQuote(file, line):
      "\(file):\(line): a quoted field opened on this line is never closed"
    case let .textAfterClosingQuote(file, line, field):
      "\(file):\(line): field \(field) has text after its closing quote; "
        + "double a quote inside a quoted field (\"\")"
    case let .readFailed(file, reason):
      "\(file): could not read: \(reason)"
    }
  }
}

extension IngestError {
  /// Renders raw field bytes for a message: invalid UTF-8 becomes U+FFFD, long values are cut.
  static func display(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    let text = String(decoding: bytes, as: UTF8.self)
    return text.count > 60 ? String(text.prefix(57)) + "..." : text
  }
}
