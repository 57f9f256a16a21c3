import Ingest

/// Purchase lines grouped into baskets of distinct items, in compressed sparse rows.
///
/// A basket is an order (lines with the same order id) or, for lines without one, a
/// customer-day. Each basket's items are distinct and ascending. Baskets with more than
/// `maxItems` distinct items are left out and counted (`oversized`): a bulk order of hundreds
/// of items says little about cross-sell and would dominate the counts. Memory: one `Int32` per
/// distinct basket item, plus one `Int` per basket.
public struct Baskets: Sendable {
  /// `items[offsets[b]..<offsets[b + 1]]` are basket `b`'s items, indices into `names`.
  public let offsets: [Int]
  public let items: [Int32]
  /// The item names.
  public let names: [String]
  /// Baskets left out for having more than `maxItems` distinct items.
  public let oversized: Int

  public var count: Int { offsets.count - 1 }

  /// Groups `lines` into baskets.
  public init(_ lines: PurchaseLines, maxItems: Int = 100) {
    // Group key: the order, else the customer (then split by day below).
    let orderCount = lines.orderCount
    let groups = orderCount + (Int(lines.customer.max() ?? -1) + 1)
    var groupOffsets = [Int](repeating: 0, count: groups + 1)
    func group(_ i: Int) -> Int { lines.order[i] >= 0 ? Int(lines.order[i]) : orderCount + Int(lines.customer[i]) }
    for i in 0..<lines.count { groupOffsets[group(i) + 1] += 1 }
    for g in 0..<groups { groupOffsets[g + 1] += groupOffsets[g] }
    // Within a group, sort by (day, item): an order's day is ignored, a customer's splits by day.
    var keys = [UInt64](repeating: 0, count: lines.count)
    var cursor = groupOffsets
    for i in 0..<lines.count {
      let g = group(i)
      let day: UInt64 = lines.order[i] >= 0 ? 0 : UInt64(UInt32(bitPattern: lines.day[i]) ^ 0x8000_0000)
      keys[cursor[g]] = day << 32 | UInt64(UInt32(bitPattern: lines.item[i]))
      cursor[g] += 1
    }
    var offsets = [0], items: [Int32] = []
    items.reserveCapacity(lines.count)
    var oversized = 0
    for g in 0..<groups {
      let range = groupOffsets[g]..<groupOffsets[g + 1]
      guard !range.isEmpty else { continue }
      keys[range].sort()
      var start = items.count
      var previous: UInt64? = nil
      for key in keys[range] {
        if let previous, previous >> 32 != key >> 32 {
          Self.close(&offsets, &items, from: start, maxItems: maxItems, oversized: &oversized)
          start = items.count
        }
        if previous != key { items.append(Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)) }
        previous = key
      }
      Self.close(&offsets, &items, from: start, maxItems: maxItems, oversized: &oversized)
    }
    self.offsets = offsets
    self.items = items
    self.names = lines.items
    self.oversized = oversized
  }

  private static func close(_ offsets: inout [Int], _ items: inout [Int32], from start: Int, maxItems: Int, oversized: inout Int) {
    if items.count - start > maxItems {
      items.removeSubrange(start...)
      oversized += 1
    } else {
      offsets.append(items.count)
    }
  }
}
