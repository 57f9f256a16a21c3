#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A streaming, byte-level CSV reader (RFC 4180).
///
/// Reads its source in chunks (4 MiB by default) into one buffer and hands out each record's
/// fields as byte views into that buffer: no `String` is made per field. It accepts quoted
/// fields with embedded delimiters, doubled quotes (`""`) and line breaks; LF, CRLF or CR line
/// ends; a UTF-8 byte-order mark; a missing final line end. Blank lines are skipped (they hold
/// no data). Memory is one chunk plus the longest record.
///
/// ```swift
/// var reader = CSVReader(source: MemorySource("a,b\n1,2\n"), fileName: "t.csv")
/// try reader.forEachRecord { record in print(record.line, record.count) }
/// ```
public struct CSVReader {
  /// The name used in error messages (`-` is standard input).
  public let fileName: String
  /// The field separator, `,` by default.
  public let delimiter: UInt8
  private var source: any ByteSource
  private let chunkSize: Int

  /// The source's size in bytes when known (see `ByteSource.sizeHint`).
  public var sizeHint: Int? { source.sizeHint }

  /// A reader over `source`; `fileName` appears in error messages.
  public init(source: some ByteSource, fileName: String, delimiter: UInt8 = UInt8(ascii: ","), chunkSize: Int = 4 << 20) {
    self.source = source
    self.fileName = fileName
    self.delimiter = delimiter
    self.chunkSize = max(16, chunkSize)
  }

  /// Calls `body` with each record in turn, the header included.
  /// - Throws: `IngestError.unterminatedQuote`, `.textAfterClosingQuote`, the source's error, or
  ///   whatever `body` throws (which stops the reading).
  public mutating func forEachRecord(_ body: (borrowing CSVRecord) throws(IngestError) -> Void) throws(IngestError) {
    var parser = Parser(capacity: chunkSize, delimiter: delimiter, fileName: fileName)
    defer { parser.deallocate() }
    while true {
      switch try parser.parseRecord() {
      case .needMore:
        try parser.refill(from: &source)
      case .end:
        return
      case .record:
        try body(parser.record)
      case .blank:
        continue
      }
    }
  }
}

/// One record's fields, valid only inside the `forEachRecord` call that passes it.
public struct CSVRecord: ~Copyable {
  /// The 1-based line on which the record starts.
  public let line: Int
  /// The number of fields.
  public let count: Int
  fileprivate let base: UnsafeMutablePointer<UInt8>
  fileprivate let starts: UnsafeMutablePointer<Int>
  fileprivate let ends: UnsafeMutablePointer<Int>

  /// The bytes of field `index`, quotes removed and `""` unescaped.
  @inline(__always)
  public func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: base + starts[index], count: ends[index] - starts[index])
  }

  /// The fields as strings (invalid UTF-8 repaired); for headers and messages, not the hot path.
  public func fieldsAsStrings() -> [String] {
    (0..<count).map { String(decoding: field($0), as: UTF8.self) }
  }
}

/// The reader's state: a local value inside `forEachRecord`, so the hot loop touches no class
/// properties and needs no dynamic exclusivity checks.
private struct Parser {
  enum Step { case needMore, end, record, blank }

  var buffer: UnsafeMutablePointer<UInt8>
  var capacity: Int
  var filled = 0
  var position = 0
  var atEnd = false
  var started = false
  var nextLine = 1
  var line = 0
  var starts: UnsafeMutablePointer<Int>
  var ends: UnsafeMutablePointer<Int>
  var fieldCapacity = 64
  var count = 0
  var escaped: [Int] = []
  let delimiter: UInt8
  let fileName: String

  init(capacity: Int, delimiter: UInt8, fileName: String) {
    self.capacity = capacity
    self.delimiter = delimiter
    self.fileName = fileName
    buffer = .allocate(capacity: capacity)
    starts = .allocate(capacity: fieldCapacity)
    ends = .allocate(capacity: fieldCapacity)
  }

  func deallocate() {
    buffer.deallocate()
    starts.deallocate()
    ends.deallocate()
  }

  var record: CSVRecord { CSVRecord(line: line, count: count, base: buffer, starts: starts, ends: ends) }

  @inline(__always)
  mutating func addField(_ start: Int, _ end: Int) {
    if count == fieldCapacity {
      let grown = fieldCapacity * 2
      let newStarts = UnsafeMutablePointer<Int>.allocate(capacity: grown)
      let newEnds = UnsafeMutablePointer<Int>.allocate(capacity: grown)
      newStarts.update(from: starts, count: count)
      newEnds.update(from: ends, count: count)
      starts.deallocate()
      ends.deallocate()
      starts = newStarts
      ends = newEnds
      fieldCapacity = grown
    }
    starts[count] = start
    ends[count] = end
    count += 1
  }

  /// Parses one record from `position`. On `.needMore` nothing has changed but scratch state,
  /// so the same record is parsed again from its start after a refill.
  mutating func parseRecord() throws(IngestError) -> Step {
    if !started {
      if filled < 3 && !atEnd { return .needMore }
      started = true
      if filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
    }
    let buf = buffer
    let filled = self.filled
    let atEnd = self.atEnd
    let delimiter = self.delimiter
    let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
    count = 0
    escaped.removeAll(keepingCapacity: true)
    var p = position
    var newlines = 0

    while true {
      if p == filled {
        guard atEnd else { return .needMore }
        if count == 0 { return .end }
        addField(p, p)  // a delimiter just before the end: a last, empty field
        return finish(next: p, newlines: newlines)
      }
      if buf[p] == quote {
        p += 1
        let start = p
        var hasEscapes = false
        while true {
          if p == filled {
            if atEnd { throw .unterminatedQuote(file: fileName, line: nextLine) }
            return .needMore
          }
          let b = buf[p]
          if b == quote {
            if p + 1 == filled && !atEnd { return .needMore }
            if p + 1 < filled && buf[p + 1] == quote {
              hasEscapes = true
              p += 2
              continue
            }
            break
          }
          if b == lf { newlines += 1 }
          p += 1
        }
        if hasEscapes { escaped.append(count) }
        addField(start, p)
        p += 1  // the closing quote
        if p == filled {
          if !atEnd { return .needMore }
          return finish(next: p, newlines: newlines)
        }
        let b = buf[p]
        if b == delimiter {
          p += 1
          continue
        }
        if b == lf || b == cr {
          guard let next = lineEnd(p) else { return .needMore }
          return finish(next: next, newlines: newlines + 1)
        }
        throw .textAfterClosingQuote(file: fileName, line: nextLine + newlines, field: count)
      } else {
        let start = p
        while p < filled {
          let b = buf[p]
          if b == delimiter || b == lf || b == cr { break }
          p += 1
        }
        if p == filled && !atEnd { return .needMore }
        addField(start, p)
        if p == filled { return finish(next: p, newlines: newlines) }
        if buf[p] == delimiter {
          p += 1
          continue
        }
        guard let next = lineEnd(p) else { return .needMore }
        if count == 1 && start == p {  // an empty, unquoted line
          position = next
          nextLine += newlines + 1
          return .blank
        }
        return finish(next: next, newlines: newlines + 1)
      }
    }
  }

  /// The position after the line end at `p` (LF, CRLF or CR), or `nil` when more bytes are needed.
  @inline(__always)
  func lineEnd(_ p: Int) -> Int? {
    if buffer[p] == UInt8(ascii: "\n") { return p + 1 }
    if p + 1 < filled { return buffer[p + 1] == UInt8(ascii: "\n") ? p + 2 : p + 1 }
    return atEnd ? p + 1 : nil
  }

  /// Completes a record: unescapes `""` in quoted fields and moves past it.
  mutating func finish(next: Int, newlines: Int) -> Step {
    for index in escaped {
      var read = starts[index], write = read
      let end = ends[index]
      while read < end {
        buffer[write] = buffer[read]
        read += buffer[read] == UInt8(ascii: "\"") ? 2 : 1
        write += 1
      }
      ends[index] = write
    }
    line = nextLine
    nextLine += newlines
    position = next
    return .record
  }

  /// Moves the unread bytes to the front, grows the buffer when one record fills it, and reads.
  mutating func refill(from source: inout any ByteSource) throws(IngestError) {
    if position > 0 {
      let remaining = filled - position
      if remaining > 0 { memmove(buffer, buffer + position, remaining) }
      filled = remaining
      position = 0
    }
    if filled == capacity {
      let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
      grown.update(from: buffer, count: filled)
      buffer.deallocate()
      buffer = grown
      capacity *= 2
    }
    let read = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + filled, count: capacity - filled))
    if read == 0 { atEnd = true }
    filled += read
  }
}
