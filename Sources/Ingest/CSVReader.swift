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
/// ends; a UTF-8 byte-order mark; a missing final line end. Blank lines are skipped.
/// Memory is one chunk plus the longest record.
///
/// ```swift
/// let reader = CSVReader(source: MemorySource("a,b\n1,2\n"), fileName: "t.csv")
/// while try reader.nextRecord() { print(reader.fieldCount, reader.line) }
/// ```
public final class CSVReader {
  /// The name used in error messages (`-` is standard input).
  public let fileName: String
  /// The field separator, `,` by default.
  public let delimiter: UInt8
  /// The 1-based line on which the current record starts.
  public private(set) var line = 0
  /// Bytes read from the source so far.
  public private(set) var bytesRead = 0

  private var source: any ByteSource
  private var buffer: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  private var filled = 0
  private var position = 0
  private var nextLine = 1
  private var atEnd = false
  private var started = false
  private var starts: [Int] = []
  private var ends: [Int] = []
  private var escapedFields: [Int] = []

  /// A reader over `source`; `fileName` appears in error messages.
  public init(source: some ByteSource, fileName: String, delimiter: UInt8 = UInt8(ascii: ","), chunkSize: Int = 4 << 20) {
    self.source = source
    self.fileName = fileName
    self.delimiter = delimiter
    capacity = max(16, chunkSize)
    buffer = .allocate(capacity: capacity)
  }

  deinit { buffer.deallocate() }

  /// The number of fields in the current record.
  public var fieldCount: Int { starts.count }

  /// The bytes of field `index` of the current record, quotes removed and `""` unescaped.
  /// Valid until the next call to `nextRecord()`.
  public func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: buffer + starts[index], count: ends[index] - starts[index])
  }

  /// The fields of the current record as strings (invalid UTF-8 repaired); for headers and
  /// messages, not for the hot path.
  public func fieldsAsStrings() -> [String] {
    (0..<fieldCount).map { String(decoding: field($0), as: UTF8.self) }
  }

  /// Moves to the next record. Returns `false` at the end of the input.
  /// - Throws: `IngestError.unterminatedQuote`, `.textAfterClosingQuote`, or the source's error.
  public func nextRecord() throws(IngestError) -> Bool {
    if !started {
      started = true
      while filled < 3 && !atEnd { try refill() }
      if filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
    }
    while true {
      switch try parseRecord() {
      case .needMore:
        try refill()
      case .end:
        return false
      case let .complete(next, newlines, blank):
        line = nextLine
        nextLine += newlines
        position = next
        if blank { continue }
        for index in escapedFields { unescape(field: index) }
        return true
      }
    }
  }

  private enum ParseResult { case needMore, end, complete(next: Int, newlines: Int, blank: Bool) }

  private func parseRecord() throws(IngestError) -> ParseResult {
    let buf = buffer
    let filled = self.filled
    let atEnd = self.atEnd
    let delimiter = self.delimiter
    let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
    starts.removeAll(keepingCapacity: true)
    ends.removeAll(keepingCapacity: true)
    escapedFields.removeAll(keepingCapacity: true)
    var p = position
    var newlines = 0

    // Called at a line end at `p`; returns the position after it, or nil when more bytes are needed.
    func lineEnd(_ p: Int) -> Int? {
      if buf[p] == lf { return p + 1 }
      if p + 1 < filled { return buf[p + 1] == lf ? p + 2 : p + 1 }
      return atEnd ? p + 1 : nil
    }

    while true {
      if p == filled {
        guard atEnd else { return .needMore }
        if starts.isEmpty { return .end }
        starts.append(p)  // a delimiter just before the end: a last, empty field
        ends.append(p)
        return .complete(next: p, newlines: newlines, blank: false)
      }
      if buf[p] == quote {
        p += 1
        let start = p
        var escaped = false
        while true {
          if p == filled {
            if atEnd { throw .unterminatedQuote(file: fileName, line: nextLine) }
            return .needMore
          }
          let b = buf[p]
          if b == quote {
            if p + 1 == filled && !atEnd { return .needMore }
            if p + 1 < filled && buf[p + 1] == quote {
              escaped = true
              p += 2
              continue
            }
            break
          }
          if b == lf { newlines += 1 }
          p += 1
        }
        if escaped { escapedFields.append(starts.count) }
        starts.append(start)
        ends.append(p)
        p += 1  // the closing quote
        if p == filled {
          if !atEnd { return .needMore }
          return .complete(next: p, newlines: newlines, blank: false)
        }
        let b = buf[p]
        if b == delimiter {
          p += 1
          continue
        }
        if b == lf || b == cr {
          guard let next = lineEnd(p) else { return .needMore }
          return .complete(next: next, newlines: newlines + 1, blank: false)
        }
        throw .textAfterClosingQuote(file: fileName, line: nextLine + newlines, field: starts.count)
      } else {
        let start = p
        while p < filled {
          let b = buf[p]
          if b == delimiter || b == lf || b == cr { break }
          p += 1
        }
        if p == filled {
          if !atEnd { return .needMore }
          starts.append(start)
          ends.append(p)
          return .complete(next: p, newlines: newlines, blank: false)
        }
        starts.append(start)
        ends.append(p)
        if buf[p] == delimiter {
          p += 1
          continue
        }
        guard let next = lineEnd(p) else { return .needMore }
        return .complete(next: next, newlines: newlines + 1, blank: starts.count == 1 && start == p)
      }
    }
  }

  /// Turns each `""` inside a quoted field into `"`, in place.
  private func unescape(field index: Int) {
    var read = starts[index]
    var write = read
    let end = ends[index]
    while read < end {
      buffer[write] = buffer[read]
      read += buffer[read] == UInt8(ascii: "\"") ? 2 : 1
      write += 1
    }
    ends[index] = write
  }

  /// Moves the unread bytes to the front, grows the buffer when one record fills it, and reads.
  private func refill() throws(IngestError) {
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
    let count = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + filled, count: capacity - filled))
    if count == 0 { atEnd = true }
    filled += count
    bytesRead += count
  }
}
