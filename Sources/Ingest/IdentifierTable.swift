#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Interns byte strings (customer ids, categories) as dense integer indices, without making a
/// `String` per lookup.
///
/// Open addressing with linear probing over a power-of-two table kept at most half full. Each
/// slot is 16 bytes: a 24-bit tag of the hash, the key's length and its index, then the key's
/// first eight bytes. A key of up to eight bytes (most ids) is therefore matched in the slot
/// alone, one cache line, which matters when a million customers arrive in date order; longer
/// keys are then compared in full in a byte arena.
struct IdentifierTable {
  private var arena: [UInt8] = []
  /// `arena[offsets[i]..<offsets[i + 1]]` is key `i`.
  private var offsets: [Int] = [0]
  /// Two words per slot: `tag << 40 | min(length, 255) << 32 | (index + 1)`, then the prefix.
  private var slots: [UInt64]
  private var mask: Int

  init(capacity: Int = 1 << 16) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = Array(repeating: 0, count: 2 * size)
    mask = size - 1
  }

  /// The number of distinct keys.
  var count: Int { offsets.count - 1 }

  /// The index of `key`, adding it when new.
  mutating func index(of key: UnsafeBufferPointer<UInt8>) -> Int32 {
    let hash = Self.hash(key)
    let prefix = Self.prefix(key)
    let meta = (hash >> 40) << 40 | UInt64(min(key.count, 255)) << 32
    var slot = Int(truncatingIfNeeded: hash) & mask
    let found: Int32? = slots.withUnsafeBufferPointer { table in
      arena.withUnsafeBufferPointer { stored in
        while true {
          let entry = table[2 * slot]
          if entry == 0 { return nil }
          if entry & ~0xFFFF_FFFF == meta && table[2 * slot + 1] == prefix {
            let index = Int(entry & 0xFFFF_FFFF) - 1
            if key.count <= 8 { return Int32(index) }
            let start = offsets[index], length = offsets[index + 1] - start
            if length == key.count && memcmp(stored.baseAddress! + start, key.baseAddress!, length) == 0 {
              return Int32(index)
            }
          }
          slot = (slot + 1) & mask
        }
      }
    }
    if let found { return found }
    let index = count
    arena.append(contentsOf: key)
    offsets.append(arena.count)
    slots[2 * slot] = meta | UInt64(index + 1)
    slots[2 * slot + 1] = prefix
    if count * 2 > mask + 1 { grow() }
    return Int32(index)
  }

  /// The key stored at `index`, as a string.
  func string(at index: Int) -> String {
    arena.withUnsafeBufferPointer { String(decoding: $0[offsets[index]..<offsets[index + 1]], as: UTF8.self) }
  }

  /// Every key, in index order.
  func allStrings() -> [String] { (0..<count).map(string(at:)) }

  private mutating func grow() {
    let size = (mask + 1) * 2
    var grown = [UInt64](repeating: 0, count: 2 * size)
    mask = size - 1
    arena.withUnsafeBufferPointer { stored in
      for index in 0..<count {
        let key = UnsafeBufferPointer(rebasing: stored[offsets[index]..<offsets[index + 1]])
        let hash = Self.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while grown[2 * slot] != 0 { slot = (slot + 1) & mask }
        grown[2 * slot] = (hash >> 40) << 40 | UInt64(min(key.count, 255)) << 32 | UInt64(index + 1)
        grown[2 * slot + 1] = Self.prefix(key)
      }
    }
    slots = grown
  }

  /// The key's first eight bytes, zero-padded, as one word.
  @inline(__always)
  private static func prefix(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
    guard let base = key.baseAddress else { return 0 }
    if key.count >= 8 { return UnsafeRawPointer(base).loadUnaligned(as: UInt64.self) }
    var word: UInt64 = 0
    for i in 0..<key.count { word |= UInt64(base[i]) << (8 * UInt64(i)) }
    return word
  }

  /// A fast 64-bit hash: eight bytes at a time, multiply-mixed, then finalised (SplitMix64's
  /// finaliser) so that both the low bits (the slot) and the high bits (the tag) are good.
  @inline(__always)
  static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
    guard let base = key.baseAddress else { return finalise(h) }
    let raw = UnsafeRawPointer(base)
    var i = 0
    while i + 8 <= key.count {
      h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
      h = (h << 31) | (h >> 33)
      i += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while i < key.count {
      tail |= UInt64(base[i]) << shift
      shift += 8
      i += 1
    }
    h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
    return finalise(h)
  }

  @inline(__always)
  private static func finalise(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
