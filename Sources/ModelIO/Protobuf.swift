/// A minimal protocol-buffers writer: varints, length-delimited fields and packed numbers,
/// which is all an ONNX model needs. Fields are written in the order they are added.
struct ProtobufWriter {
  private(set) var bytes: [UInt8] = []

  private mutating func varint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(v & 0x7F) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  private mutating func key(_ field: Int, wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

  /// An integer field (int32, int64 or enum).
  mutating func int(_ field: Int, _ value: Int64) {
    key(field, wireType: 0)
    varint(UInt64(bitPattern: value))
  }

  /// A bytes field.
  mutating func bytes(_ field: Int, _ value: [UInt8]) {
    key(field, wireType: 2)
    varint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  /// A string field.
  mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

  /// An embedded message field.
  mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
    var inner = ProtobufWriter()
    build(&inner)
    bytes(field, inner.bytes)
  }

  /// A packed repeated int64 field.
  mutating func packedInts(_ field: Int, _ values: [Int64]) {
    var inner = ProtobufWriter()
    for v in values { inner.varint(UInt64(bitPattern: v)) }
    bytes(field, inner.bytes)
  }
}
