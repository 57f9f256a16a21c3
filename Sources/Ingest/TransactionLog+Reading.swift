import RebuyCore

extension TransactionLog {
  /// Reads a whole transactions file: the header, then every row, in one streaming pass.
  ///
  /// Each row is checked completely before it counts: field count, a non-empty, valid UTF-8
  /// customer id, a date in `options.dateFormat`, a finite amount, valid UTF-8 in the category
  /// and channel. A bad row stops the read with its error, or with `options.skipBadRows` is
  /// counted, its message kept (the first ten), and left out whole.
  ///
  /// - Throws: `IngestError` naming the file, line, column and value.
  public static func read(_ reader: CSVReader, options: IngestOptions = IngestOptions()) throws(IngestError) -> TransactionLog {
    let file = reader.fileName
    guard try reader.nextRecord() else { throw .emptyFile(file: file) }
    let header = reader.fieldsAsStrings()
    let columns = try options.columns.resolve(header: header, file: file)
    let names = header.map { $0.trimmingSpaces }
    var builder = Builder(columns: columns, names: names, dateFormat: options.dateFormat, file: file)
    var skipped = 0
    var skippedMessages: [String] = []
    while try reader.nextRecord() {
      do {
        try builder.add(reader)
      } catch {
        guard options.skipBadRows, error.isRowLevel else { throw error }
        skipped += 1
        if skippedMessages.count < 10 { skippedMessages.append(error.description) }
      }
    }
    guard builder.rows > 0 else {
      if skipped > 0 { throw .noValidRows(file: file, skipped: skipped) }
      throw .noDataRows(file: file)
    }
    return builder.finish(skippedRows: skipped, skippedMessages: skippedMessages)
  }
}

/// Accumulates rows into per-customer day totals; see `TransactionLog.read`.
private struct Builder {
  let columns: ColumnMapping.Positions
  let names: [String]
  let dateFormat: DateFormat
  let file: String
  var customers = IdentifierTable(capacity: 1 << 16)
  var perCustomer: [[DayTotals]] = []
  var unsorted: [Bool] = []
  var categories = SeenValues()
  var channels = SeenValues()
  var rows = 0
  var firstDay = Int32.max
  var lastDay = Int32.min

  init(columns: ColumnMapping.Positions, names: [String], dateFormat: DateFormat, file: String) {
    self.columns = columns
    self.names = names
    self.dateFormat = dateFormat
    self.file = file
  }

  mutating func add(_ reader: CSVReader) throws(IngestError) {
    let line = reader.line
    guard reader.fieldCount == columns.fieldCount else {
      throw .fieldCount(file: file, line: line, expected: columns.fieldCount, found: reader.fieldCount)
    }
    let id = reader.field(columns.customer)
    try checkText(id, column: columns.customer, line: line)
    guard !id.isEmpty else {
      throw .badValue(file: file, line: line, column: names[columns.customer], reason: "is empty; every row needs a customer id", value: "")
    }
    let dateField = reader.field(columns.date)
    guard let day = dateFormat.parse(dateField) else {
      let reason =
        dateFormat.isImpossibleDate(dateField)
        ? "no such calendar date" : "is not a date; expected \(dateFormat.expectation)"
      throw .badValue(file: file, line: line, column: names[columns.date], reason: reason, value: IngestError.display(dateField))
    }
    let amountField = reader.field(columns.amount)
    guard let amount = Decimal.parse(amountField) else {
      throw .badValue(
        file: file, line: line, column: names[columns.amount], reason: Decimal.explainFailure(amountField),
        value: IngestError.display(amountField))
    }
    let category = columns.category.map { reader.field($0) }
    if let category, let column = columns.category { try checkText(category, column: column, line: line) }
    let channel = columns.channel.map { reader.field($0) }
    if let channel, let column = columns.channel { try checkText(channel, column: column, line: line) }

    // The row is good: only now does it change anything.
    rows += 1
    let ordinal = day.ordinal
    firstDay = min(firstDay, ordinal)
    lastDay = max(lastDay, ordinal)
    let customer = Int(customers.index(of: id))
    if customer == perCustomer.count {
      perCustomer.append([])
      unsorted.append(false)
      categories.addCustomer()
      channels.addCustomer()
    }
    let isPurchase = amount >= 0  // -0.0 >= 0 too: a zero amount is a purchase
    perCustomer[customer].withLast(day: ordinal, markUnsorted: &unsorted[customer]) { totals in
      if isPurchase {
        totals.purchaseLines += 1
        totals.purchaseValue += amount
      } else {
        totals.returnValue -= amount
      }
    }
    if isPurchase {
      if let category, !category.isEmpty { categories.see(category, customer: customer, day: ordinal) }
      if let channel, !channel.isEmpty { channels.see(channel, customer: customer, day: ordinal) }
    }
  }

  private func checkText(_ field: UnsafeBufferPointer<UInt8>, column: Int, line: Int) throws(IngestError) {
    guard !isValidUTF8(field) else { return }
    throw .invalidUTF8(file: file, line: line, column: names[column], value: IngestError.display(field))
  }

  mutating func finish(skippedRows: Int, skippedMessages: [String]) -> TransactionLog {
    var offsets = [0]
    offsets.reserveCapacity(perCustomer.count + 1)
    var days: [DayTotals] = []
    days.reserveCapacity(perCustomer.reduce(0) { $0 + $1.count })
    for customer in perCustomer.indices {
      if unsorted[customer] {
        days.append(contentsOf: mergedByDay(perCustomer[customer]))
      } else {
        days.append(contentsOf: perCustomer[customer])
      }
      perCustomer[customer] = []
      offsets.append(days.count)
    }
    return TransactionLog(
      customerIDs: customers.allStrings(), dayOffsets: offsets, days: days,
      categories: columns.category == nil ? nil : categories.finish(),
      channels: columns.channel == nil ? nil : channels.finish(),
      rows: rows, skippedRows: skippedRows, skippedMessages: skippedMessages,
      firstDay: Day(ordinal: firstDay), lastDay: Day(ordinal: lastDay))
  }
}

/// Sorts one customer's day totals by day and adds up totals of the same day.
///
/// Sums are taken in date order then input order, so the result does not depend on how the
/// input was chunked; it may differ in the last bit from a sum in another order.
private func mergedByDay(_ entries: [DayTotals]) -> [DayTotals] {
  let sorted = entries.enumerated().sorted { ($0.element.day, $0.offset) < ($1.element.day, $1.offset) }.map(\.element)
  var merged: [DayTotals] = []
  for entry in sorted {
    if var last = merged.last, last.day == entry.day {
      last.purchaseLines += entry.purchaseLines
      last.purchaseValue += entry.purchaseValue
      last.returnValue += entry.returnValue
      merged[merged.count - 1] = last
    } else {
      merged.append(entry)
    }
  }
  return merged
}

extension Array where Element == DayTotals {
  /// Applies `update` to the totals of `day`: the last entry when it is that day, else a new one.
  @inline(__always)
  fileprivate mutating func withLast(day: Int32, markUnsorted: inout Bool, _ update: (inout DayTotals) -> Void) {
    if let lastDay = last?.day {
      if lastDay == day {
        update(&self[count - 1])
        return
      }
      if day < lastDay { markUnsorted = true }
    }
    var totals = DayTotals(day: day, purchaseLines: 0, purchaseValue: 0, returnValue: 0)
    update(&totals)
    append(totals)
  }
}

/// Per customer, the first purchase day of each distinct value of a text column.
private struct SeenValues {
  var table = IdentifierTable(capacity: 256)
  var perCustomer: [[(value: Int32, firstDay: Int32)]] = []

  mutating func addCustomer() { perCustomer.append([]) }

  mutating func see(_ text: UnsafeBufferPointer<UInt8>, customer: Int, day: Int32) {
    let value = table.index(of: text)
    if let i = perCustomer[customer].firstIndex(where: { $0.value == value }) {
      if day < perCustomer[customer][i].firstDay { perCustomer[customer][i].firstDay = day }
    } else {
      perCustomer[customer].append((value, day))
    }
  }

  func finish() -> TransactionLog.FirstSeen {
    var offsets = [0]
    var firstDays: [Int32] = []
    for seen in perCustomer {
      firstDays.append(contentsOf: seen.map(\.firstDay))
      offsets.append(firstDays.count)
    }
    return .init(offsets: offsets, firstDays: firstDays, values: table.allStrings())
  }
}

/// Whether `bytes` is valid UTF-8; ASCII is checked in one quick pass.
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
  var ascii = true
  for b in bytes where b >= 0x80 {
    ascii = false
    break
  }
  if ascii { return true }
  var iterator = bytes.makeIterator()
  var decoder = UTF8()
  while true {
    switch decoder.decode(&iterator) {
    case .scalarValue: continue
    case .emptyInput: return true
    case .error: return false
    }
  }
}
