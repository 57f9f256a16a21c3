#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Interns byte strings (customer ids, categories) as dense integer indices, without making a
/// `String` per lookup.
///
/// Open addressing with linear probing over a power-of-two table kept at most half full. Each
/// slot packs a 24-bit tag of the hash with the key's position in one byte arena, where the key
/// is stored as `[index: 4 bytes][length: 4 bytes][bytes]`; a lookup therefore touches one slot
/// and one arena entry, which matters when a million customers arrive in date order.
struct IdentifierTable {
  private var arena: [UInt8] = []
  private var entryOffsets: [Int] = []
  private var slots: [UInt64]
  private var mask: Int
  private static let offsetBits: UInt64 = 40
  private static let offsetMask: UInt64 = (1 << 40) - 1

  init(capacity: Int = 1 << 16) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = Array(repeating: 0, count: size)
    mask = size - 1
  }

  /// The number of distinct keys.
  var count: Int { entryOffsets.count }

  /// The index of `key`, adding it when new.
  mutating func index(of key: UnsafeBufferPointer<UInt8>) -> Int32 {
    let hash = Self.hash(key)
    let tag = hash >> Self.offsetBits
    var slot = Int(truncatingIfNeeded: hash) & mask
    let found: Int32? = arena.withUnsafeBufferPointer { stored in
      while true {
        let entry = slots[slot]
        if entry == 0 { return nil }
        if entry >> Self.offsetBits == tag {
          let offset = Int(entry & Self.offsetMask) - 1
          let base = UnsafeRawPointer(stored.baseAddress! + offset)
          let length = Int(base.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
          if length == key.count && (length == 0 || memcmp(base + 8, key.baseAddress!, length) == 0) {
            return Int32(bitPattern: base.loadUnaligned(as: UInt32.self))
          }
        }
        slot = (slot + 1) & mask
      }
    }
    if let found { return found }
    let index = Int32(count)
    let offset = arena.count
    withUnsafeBytes(of: UInt32(index).littleEndian) { arena.append(contentsOf: $0) }
    withUnsafeBytes(of: UInt32(key.count).littleEndian) { arena.append(contentsOf: $0) }
    arena.append(contentsOf: key)
    entryOffsets.append(offset)
    slots[slot] = tag << Self.offsetBits | UInt64(offset + 1)
    if count * 2 > slots.count { grow() }
    return index
  }

  /// The key stored at `index`, as a string.
  func string(at index: Int) -> String {
    let offset = entryOffsets[index]
    return arena.withUnsafeBufferPointer { stored in
      let length = Int(UnsafeRawPointer(stored.baseAddress! + offset).loadUnaligned(fromByteOffset: 4, as: UInt32.self))
      return String(decoding: stored[(offset + 8)..<(offset + 8 + length)], as: UTF8.self)
    }
  }

  /// Every key, in index order.
  func allStrings() -> [String] { (0..<count).map(string(at:)) }

  private mutating func grow() {
    let size = slots.count * 2
    var grown = [UInt64](repeating: 0, count: size)
    mask = size - 1
    arena.withUnsafeBufferPointer { stored in
      for offset in entryOffsets {
        let length = Int(UnsafeRawPointer(stored.baseAddress! + offset).loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let hash = Self.hash(UnsafeBufferPointer(rebasing: stored[(offset + 8)..<(offset + 8 + length)]))
        var slot = Int(truncatingIfNeeded: hash) & mask
        while grown[slot] != 0 { slot = (slot + 1) & mask }
        grown[slot] = (hash >> Self.offsetBits) << Self.offsetBits | UInt64(offset + 1)
      }
    }
    slots = grown
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
