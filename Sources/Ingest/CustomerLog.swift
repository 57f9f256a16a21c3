/// A record that belongs to one customer and one key (a day, a category), and can absorb
/// another record of the same customer and key.
protocol CustomerKeyed {
  var customer: Int32 { get }
  var key: Int32 { get }
  mutating func absorb(_ other: Self)
}

/// An append-only list of per-customer records that compacts itself: sorted by customer (a
/// stable counting sort), then by key within a customer, with records of the same customer and
/// key merged (in input order, so floating-point sums are reproducible).
///
/// Consecutive records of the same customer and key (the lines of one basket) merge as they
/// arrive; the rest merge at each compaction, which runs whenever the list has doubled since the
/// last one. Memory therefore stays proportional to distinct (customer, key) pairs, whatever the
/// order of the input, and the total work is linear in the rows (amortised).
struct CustomerLog<Record: CustomerKeyed> {
  private(set) var records: [Record] = []
  private var threshold = 1 << 22

  /// Reserves room for `count` records without touching the memory.
  mutating func reserveCapacity(_ count: Int) { records.reserveCapacity(count) }

  /// The records, leaving this log empty.
  mutating func takeRecords() -> [Record] {
    defer { records = [] }
    return records
  }

  @inline(__always)
  mutating func add(_ record: Record, customerCount: Int) {
    if let last = records.last, last.customer == record.customer, last.key == record.key {
      records[records.count - 1].absorb(record)
      return
    }
    records.append(record)
    if records.count >= threshold {
      _ = compact(customerCount: customerCount)
      threshold = max(1 << 22, 2 * records.count)
    }
  }

  /// Compacts and returns each customer's range: `records[offsets[c]..<offsets[c + 1]]`.
  mutating func compact(customerCount: Int) -> [Int] {
    if let offsets = offsetsIfOrdered(customerCount: customerCount) { return offsets }
    var offsets = [Int](repeating: 0, count: customerCount + 1)
    for record in records { offsets[Int(record.customer) + 1] += 1 }
    for c in 0..<customerCount { offsets[c + 1] += offsets[c] }
    var cursor = offsets
    var sorted = records
    for record in records {
      let c = Int(record.customer)
      sorted[cursor[c]] = record
      cursor[c] += 1
    }
    records = []
    var write = 0
    var compactedOffsets = [Int](repeating: 0, count: customerCount + 1)
    for c in 0..<customerCount {
      let range = offsets[c]..<offsets[c + 1]
      if !isStrictlyIncreasing(sorted, range) { sortStably(&sorted, range) }
      for i in range {
        if write > compactedOffsets[c] && sorted[write - 1].key == sorted[i].key {
          sorted[write - 1].absorb(sorted[i])
        } else {
          sorted[write] = sorted[i]
          write += 1
        }
      }
      compactedOffsets[c + 1] = write
    }
    sorted.removeLast(sorted.count - write)
    records = sorted
    return compactedOffsets
  }

  /// The customers' ranges when the records are already in (customer, key) order with no key
  /// repeated (input grouped by customer and sorted by date), else `nil`: then nothing need move.
  private func offsetsIfOrdered(customerCount: Int) -> [Int]? {
    var offsets = [Int](repeating: 0, count: customerCount + 1)
    var previous: (customer: Int32, key: Int32) = (-1, .min)
    for (i, record) in records.enumerated() {
      if record.customer < previous.customer { return nil }
      if record.customer == previous.customer {
        if record.key <= previous.key { return nil }
      } else {
        for c in (Int(previous.customer) + 1)...Int(record.customer) { offsets[c] = i }
      }
      previous = (record.customer, record.key)
    }
    for c in (Int(previous.customer) + 1)...customerCount { offsets[c] = records.count }
    return offsets
  }

  private func isStrictlyIncreasing(_ records: [Record], _ range: Range<Int>) -> Bool {
    var i = range.lowerBound + 1
    while i < range.upperBound {
      if records[i - 1].key >= records[i].key { return false }
      i += 1
    }
    return true
  }

  /// Sorts `records[range]` by key, keeping input order among equal keys.
  private func sortStably(_ records: inout [Record], _ range: Range<Int>) {
    if range.count <= 32 {
      // Insertion sort: stable, and fastest for the few records one customer has.
      for i in (range.lowerBound + 1)..<range.upperBound {
        let item = records[i]
        var j = i
        while j > range.lowerBound && records[j - 1].key > item.key {
          records[j] = records[j - 1]
          j -= 1
        }
        records[j] = item
      }
    } else {
      let ordered = records[range].enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
      for (i, element) in ordered.enumerated() { records[range.lowerBound + i] = element.element }
    }
  }
}
