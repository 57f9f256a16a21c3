/// A byte buffer for CSV output that hands full blocks to a sink (a file, standard output,
/// memory); the caller flushes at the end.
public struct CSVOutput {
  private var buffer: [UInt8] = []
  private let sink: ([UInt8]) throws -> Void
  private let blockSize = 1 << 20

  /// An output that hands blocks of about 1 MiB to `sink`.
  public init(sink: @escaping ([UInt8]) throws -> Void) {
    self.sink = sink
    buffer.reserveCapacity(blockSize + 4096)
  }

  /// Appends one byte.
  public mutating func byte(_ b: UInt8) { buffer.append(b) }

  /// Appends raw bytes.
  public mutating func bytes(_ b: [UInt8]) { buffer.append(contentsOf: b) }

  /// Appends an amount given in cents as a decimal with two places (`-12.05`, `0.00`).
  public mutating func cents(_ value: Int) {
    if value < 0 { buffer.append(UInt8(ascii: "-")) }
    let magnitude = Int(value.magnitude)
    integer(magnitude / 100)
    buffer.append(UInt8(ascii: "."))
    buffer.append(UInt8(magnitude % 100 / 10) + 48)
    buffer.append(UInt8(magnitude % 10) + 48)
  }

  /// Appends a `Double` exactly as `value.description` would (the shortest text that reads back
  /// to the same number), without making a `String` when the value is a whole number of cents.
  ///
  /// Fast path: when `k = (100·v).rounded()` gives `k / 100 == v` (the same correctly rounded
  /// division a parser performs on the text `"k/100"`), the two-decimal text with trailing
  /// zeros trimmed reads back to `v`, and no shorter text can. Other values take `description`.
  public mutating func decimal(_ value: Double) {
    let magnitude = abs(value)
    if magnitude >= 0.01 && magnitude < 1e13 {
      let cents = (magnitude * 100).rounded()
      if cents / 100 == magnitude {
        let k = Int(cents)
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        integer(k / 100)
        buffer.append(UInt8(ascii: "."))
        let fraction = k % 100
        buffer.append(UInt8(fraction / 10) + 48)
        if fraction % 10 != 0 { buffer.append(UInt8(fraction % 10) + 48) }
        return
      }
    }
    text(value.description)
  }

  /// Appends a number for people: a whole number as an integer, others with two decimals
  /// (rounded half to even on the scaled value); `sign` writes `+` before a positive number.
  public mutating func fixed(_ value: Double, sign: Bool = false) {
    guard value.isFinite, abs(value) < 1e15 else { return text(value.description) }
    let hundredths = (value * 100).rounded(.toNearestOrEven)
    if hundredths < 0 || (hundredths == 0 && value < 0) {
      buffer.append(UInt8(ascii: "-"))
    } else if sign {
      buffer.append(UInt8(ascii: "+"))
    }
    let magnitude = Int(abs(hundredths))
    integer(magnitude / 100)
    if !sign && value == value.rounded() { return }
    buffer.append(UInt8(ascii: "."))
    buffer.append(UInt8(magnitude % 100 / 10) + 48)
    buffer.append(UInt8(magnitude % 10) + 48)
  }

  /// Appends text as it is.
  public mutating func text(_ s: String) { buffer.append(contentsOf: s.utf8) }

  /// A text field, quoted when it holds a comma, a quote or a line break.
  public mutating func field(_ s: String) {
    let needsQuotes = s.utf8.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
    guard needsQuotes else { return text(s) }
    buffer.append(34)
    for b in s.utf8 {
      if b == 34 { buffer.append(34) }
      buffer.append(b)
    }
    buffer.append(34)
  }

  /// Appends a decimal integer.
  public mutating func integer(_ value: Int) {
    if value < 0 { buffer.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    withUnsafeMutableBytes(of: &digits) { d in
      repeat {
        d[count] = UInt8(magnitude % 10) + 48
        magnitude /= 10
        count += 1
      } while magnitude > 0
      while count > 0 {
        count -= 1
        buffer.append(d[count])
      }
    }
  }
}

extension CSVOutput {
  /// Hands the buffer to the sink once it holds a block.
  public mutating func flushIfFull() throws {
    if buffer.count >= blockSize { try flush() }
  }

  /// Hands whatever is buffered to the sink.
  public mutating func flush() throws {
    guard !buffer.isEmpty else { return }
    try sink(buffer)
    buffer.removeAll(keepingCapacity: true)
  }
}
