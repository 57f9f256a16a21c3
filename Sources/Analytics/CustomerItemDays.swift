import Ingest

/// Each customer's purchase lines as sorted `(item, day)` keys: what purchase cycles per item
/// and sequential rules both walk.
///
/// A key is `item << 32 | day` (the day offset so that days before 1970 sort correctly); the
/// keys of customer c are `keys[offsets[c]..<offsets[c + 1]]`, ascending, so each item's days
/// are one ascending run. Built by a counting sort on the customer, then a sort per customer.
struct CustomerItemDays {
  let offsets: [Int]
  let keys: [UInt64]

  init(_ lines: PurchaseLines) {
    let customerCount = Int(lines.customer.max() ?? -1) + 1
    var offsets = [Int](repeating: 0, count: customerCount + 1)
    for c in lines.customer { offsets[Int(c) + 1] += 1 }
    for i in 0..<customerCount { offsets[i + 1] += offsets[i] }
    var keys = [UInt64](repeating: 0, count: lines.count)
    var cursor = offsets
    for i in 0..<lines.count {
      let c = Int(lines.customer[i])
      keys[cursor[c]] = UInt64(UInt32(bitPattern: lines.item[i])) << 32 | UInt64(UInt32(bitPattern: lines.day[i]) ^ 0x8000_0000)
      cursor[c] += 1
    }
    for c in 0..<customerCount { keys[offsets[c]..<offsets[c + 1]].sort() }
    self.offsets = offsets
    self.keys = keys
  }

  var customerCount: Int { offsets.count - 1 }

  /// Customer c's keys.
  func range(_ c: Int) -> Range<Int> { offsets[c]..<offsets[c + 1] }

  static func item(_ key: UInt64) -> Int { Int(key >> 32) }
  static func day(_ key: UInt64) -> Int32 { Int32(bitPattern: UInt32(key & 0xFFFF_FFFF) ^ 0x8000_0000) }
}
