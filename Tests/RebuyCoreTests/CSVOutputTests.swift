import Foundation
import RebuyCore
import Testing

@Suite struct CSVOutputTests {
  static func written(_ body: (inout CSVOutput) -> Void) throws -> String {
    var bytes: [UInt8] = []
    var out = CSVOutput { bytes += $0 }
    body(&out)
    try out.flush()
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The fast path writes exactly what `description` writes, on values that take it and values
  /// that do not: cents, sums of cents, ratios, tiny, huge, negative and signed zeros.
  @Test func decimalsMatchDescription() throws {
    var rng = SplitMix64(seed: 17)
    var values: [Double] = [0, -0.0, 0.01, 0.1, 0.5, 1, -1, 100, 134.31, 208.55999999999997, 1e-5, 0.005, 9.99, 1e12 + 0.25, 1e13, 1e16, 123456789.12]
    for _ in 0..<100_000 {
      let cents = Double(Int(rng.next() % 10_000_000) - 5_000_000)
      values.append(cents / 100)
      var sum = 0.0
      for _ in 0..<Int(rng.next() % 6) { sum += Double(rng.next() % 100_000) / 100 }
      values.append(sum)
      values.append(sum / Double(1 + rng.next() % 9))
      values.append(rng.nextUnit() * 1000)
    }
    for value in values {
      #expect(try Self.written { $0.decimal(value) } == value.description, "\(value)")
    }
  }

  /// Two-decimal numbers for people, against C's printf("%.2f") on the scaled values it rounds.
  @Test func fixedMatchesPrintf() throws {
    #expect(try Self.written { $0.fixed(3) } == "3")
    #expect(try Self.written { $0.fixed(306.18) } == "306.18")
    #expect(try Self.written { $0.fixed(1.5, sign: true) } == "+1.50")
    #expect(try Self.written { $0.fixed(-0.004, sign: true) } == "-0.00")
    var rng = SplitMix64(seed: 3)
    for _ in 0..<10_000 {
      let v = (rng.nextUnit() - 0.5) * 2000
      #expect(try Self.written { $0.fixed(v, sign: true) } == String(format: "%+.2f", v), "\(v)")
    }
  }

  @Test func integersCentsAndQuotedFields() throws {
    #expect(try Self.written { $0.integer(-1234567) } == "-1234567")
    #expect(try Self.written { $0.integer(0) } == "0")
    #expect(try Self.written { $0.cents(-1205) } == "-12.05")
    #expect(try Self.written { $0.cents(7) } == "0.07")
    #expect(try Self.written { $0.field("a,\"b\"") } == "\"a,\"\"b\"\"\"")
    #expect(try Self.written { $0.field("plain") } == "plain")
  }
}

@Suite struct SHA256Tests {
  /// FIPS 180-4 test vectors, fed whole and in uneven chunks.
  @Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
  ])
  func vectors(message: String, digest: String) {
    var whole = SHA256()
    whole.update(Array(message.utf8))
    #expect(whole.hexDigest() == digest)
    var chunked = SHA256()
    var bytes = Array(message.utf8)[...]
    var size = 1
    while !bytes.isEmpty {
      chunked.update(Array(bytes.prefix(size)))
      bytes = bytes.dropFirst(size)
      size += 7
    }
    #expect(chunked.hexDigest() == digest)
  }

  @Test func millionAs() {
    var hash = SHA256()
    let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
    for _ in 0..<1000 { hash.update(block) }
    #expect(hash.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }
}
