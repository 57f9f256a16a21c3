/// Reading amounts: a decimal with `.` as the separator, an optional sign and exponent.
///
/// Up to 15 significant digits without an exponent are parsed as `mantissa / 10^k`, which is
/// exact and correctly rounded (both operands are exact doubles); anything longer goes through
/// the standard library's correctly rounded parser. `NaN`, `inf`, thousands separators and empty
/// fields are refused. Spaces around the number are allowed.
enum Decimal {
  private static let powersOfTen: [Double] = (0...22).map { k in
    var p = 1.0
    for _ in 0..<k { p *= 10 }
    return p
  }

  /// The value of `field`, or `nil` when it is not a finite decimal number.
  static func parse(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
    var start = 0, end = field.count
    while start < end, field[start] == UInt8(ascii: " ") { start += 1 }
    while end > start, field[end - 1] == UInt8(ascii: " ") { end -= 1 }
    guard start < end else { return nil }
    var i = start
    var negative = false
    if field[i] == UInt8(ascii: "-") || field[i] == UInt8(ascii: "+") {
      negative = field[i] == UInt8(ascii: "-")
      i += 1
    }
    var mantissa: UInt64 = 0
    var digits = 0, significant = 0, fractionDigits = 0
    var seenPoint = false
    while i < end {
      let b = field[i]
      if b >= 48 && b <= 57 {
        digits += 1
        if significant > 0 || b != 48 { significant += 1 }
        if significant <= 18 { mantissa = mantissa &* 10 &+ UInt64(b - 48) }
        if seenPoint { fractionDigits += 1 }
      } else if b == UInt8(ascii: "."), !seenPoint {
        seenPoint = true
      } else {
        break
      }
      i += 1
    }
    guard digits > 0 else { return nil }
    if i == end && significant <= 15 && fractionDigits <= 22 {
      let value = Double(mantissa) / powersOfTen[fractionDigits]
      return negative ? -value : value
    }
    // Exponents and long mantissas: check the grammar, then use the standard parser.
    if i < end {
      guard field[i] == UInt8(ascii: "e") || field[i] == UInt8(ascii: "E") else { return nil }
      i += 1
      if i < end, field[i] == UInt8(ascii: "-") || field[i] == UInt8(ascii: "+") { i += 1 }
      let exponentStart = i
      while i < end, field[i] >= 48, field[i] <= 57 { i += 1 }
      guard i > exponentStart, i == end else { return nil }
    }
    guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: field[start..<end]), as: UTF8.self)),
      value.isFinite
    else { return nil }
    return value
  }

  /// Why `field` is not an amount, for messages.
  static func explainFailure(_ field: UnsafeBufferPointer<UInt8>) -> String {
    let text = String(decoding: field, as: UTF8.self).trimmingSpaces
    if text.isEmpty { return "is empty; every row needs a value here" }
    let lower = text.lowercased()
    if ["nan", "+nan", "-nan"].contains(lower) { return "is NaN; amounts must be finite numbers" }
    if lower.contains("inf") { return "is infinite; amounts must be finite numbers" }
    if text.contains(",") {
      return "is not a decimal number; use '.' as the decimal separator and no thousands separators"
    }
    if Double(text) != nil { return "is too large; amounts must be finite numbers" }
    return "is not a decimal number"
  }
}

/// Reads a decimal number (see `Decimal`): `nil` when `field` is not a finite decimal.
public func parseDecimal(_ field: UnsafeBufferPointer<UInt8>) -> Double? { Decimal.parse(field) }
