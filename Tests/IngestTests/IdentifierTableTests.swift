import Testing
import TestSupport

@testable import Ingest

@Suite struct IdentifierTableTests {
  /// Against a dictionary: the same index for the same key, first come first numbered, through
  /// many table growths, with empty, long and near-identical keys.
  @Test func agreesWithADictionary() {
    var table = IdentifierTable(capacity: 4)
    var reference: [[UInt8]: Int32] = [:]
    var rng = SplitMix64(seed: 21)
    for step in 0..<20_000 {
      let length = Int(rng.next() % 20)
      let key = (0..<length).map { _ in UInt8(rng.next() % 4) + (step % 7 == 0 ? 200 : 48) }
      let expected = reference[key] ?? Int32(reference.count)
      reference[key] = expected
      let got = key.withUnsafeBufferPointer { table.index(of: $0) }
      #expect(got == expected)
    }
    #expect(table.count == reference.count)
    for (key, index) in reference.prefix(500) {
      #expect(Array(table.string(at: Int(index)).utf8) == key || key.contains { $0 >= 128 })
    }
  }

  /// Keys longer than the slot's eight-byte prefix (and than its 255-byte length field) that
  /// differ only at the end are told apart.
  @Test func longKeysThatShareAPrefix() {
    var table = IdentifierTable(capacity: 4)
    let base = [UInt8](repeating: UInt8(ascii: "x"), count: 300)
    for round in 0..<2 {
      for i in 0..<100 {
        let key = base + Array(String(i).utf8)
        let index = key.withUnsafeBufferPointer { table.index(of: $0) }
        #expect(index == Int32(i), "round \(round)")
      }
    }
    #expect(table.count == 100)
    #expect(table.string(at: 42).hasSuffix("x42"))
  }
}
