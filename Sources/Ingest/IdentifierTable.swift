/// Interns byte strings (customer ids, categories) as dense integer indices, without making a
/// `String` per lookup.
///
/// Open addressing with linear probing over a power-of-two table kept at most half full; the
/// keys live back to back in one byte arena. Lookup costs one FNV-1a hash of the key and, on
/// average, about one byte comparison.
struct IdentifierTable {
  private var arena: [UInt8] = []
  private var offsets: [Int] = [0]
  private var hashes: [UInt64] = []
  private var slots: [Int32]
  private var mask: Int

  init(capacity: Int = 1 << 16) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = Array(repeating: -1, count: size)
    mask = size - 1
  }

  /// The number of distinct keys.
  var count: Int { hashes.count }

  /// The index of `key`, adding it when new.
  mutating func index(of key: UnsafeBufferPointer<UInt8>) -> Int32 {
    let hash = Self.hash(key)
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let entry = slots[slot]
      if entry < 0 { break }
      if hashes[Int(entry)] == hash && equals(Int(entry), key) { return entry }
      slot = (slot + 1) & mask
    }
    let index = Int32(hashes.count)
    arena.append(contentsOf: key)
    offsets.append(arena.count)
    hashes.append(hash)
    slots[slot] = index
    if hashes.count * 2 > slots.count { grow() }
    return index
  }

  /// The key stored at `index`, as a string.
  func string(at index: Int) -> String {
    arena.withUnsafeBufferPointer { String(decoding: $0[offsets[index]..<offsets[index + 1]], as: UTF8.self) }
  }

  /// Every key, in index order.
  func allStrings() -> [String] { (0..<count).map(string(at:)) }

  private func equals(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = offsets[index], end = offsets[index + 1]
    guard end - start == key.count else { return false }
    return arena.withUnsafeBufferPointer { stored in
      var i = 0
      while i < key.count {
        if stored[start + i] != key[i] { return false }
        i += 1
      }
      return true
    }
  }

  private mutating func grow() {
    let size = slots.count * 2
    slots = Array(repeating: -1, count: size)
    mask = size - 1
    for (index, hash) in hashes.enumerated() {
      var slot = Int(truncatingIfNeeded: hash) & mask
      while slots[slot] >= 0 { slot = (slot + 1) & mask }
      slots[slot] = Int32(index)
    }
  }

  private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    // Mix the high bits down: the table indexes with the low bits.
    h ^= h >> 29
    h = h &* 0xbf58_476d_1ce4_e5b9
    return h ^ (h >> 32)
  }
}
