import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension TransactionLog {
  /// Reads a whole transactions file: the header, then every row, in one streaming pass.
  ///
  /// Each row is checked completely before it counts: field count, a non-empty, valid UTF-8
  /// customer id, a date in `options.dateFormat`, a finite amount, valid UTF-8 in the category
  /// and channel. A bad row stops the read with its error, or with `options.skipBadRows` is
  /// counted, its message kept (the first ten), and left out whole.
  ///
  /// Memory is proportional to distinct customer-days (plus customer-categories and
  /// customer-channels), never to lines; time is linear in the rows.
  ///
  /// - Throws: `IngestError` naming the file, line, column and value.
  public static func read(_ reader: CSVReader, options: IngestOptions = IngestOptions()) throws(IngestError) -> TransactionLog {
    var reader = reader
    let file = reader.fileName
    let sizeHint = reader.sizeHint
    var builder: Builder? = nil
    var sawHeader = false
    var skipped = 0
    var skippedMessages: [String] = []
    try reader.forEachRecord { (record) throws(IngestError) -> Void in
      guard sawHeader else {
        sawHeader = true
        let header = record.fieldsAsStrings()
        let columns = try options.columns.resolve(header: header, file: file, keepingLines: options.keepLines)
        builder = Builder(
          columns: columns, names: header.map { $0.trimmingSpaces }, dateFormat: options.dateFormat, file: file,
          expectedRows: sizeHint.map { $0 / 24 } ?? 0)
        return
      }
      do throws(IngestError) {
        try builder!.add(record)
      } catch {
        guard options.skipBadRows, error.isRowLevel else { throw error }
        skipped += 1
        if skippedMessages.count < 10 { skippedMessages.append(error.description) }
      }
    }
    guard var builder else { throw .emptyFile(file: file) }
    guard builder.rows > 0 else {
      if skipped > 0 { throw .noValidRows(file: file, skipped: skipped) }
      throw .noDataRows(file: file)
    }
    return builder.finish(skippedRows: skipped, skippedMessages: skippedMessages)
  }
}

extension DayTotals: CustomerKeyed {
  var key: Int32 { day }

  mutating func absorb(_ other: DayTotals) {
    purchaseLines += other.purchaseLines
    purchaseValue += other.purchaseValue
    returnValue += other.returnValue
    categoryMask |= other.categoryMask
    channelMask |= other.channelMask
  }
}

/// The first day a customer bought a value beyond the first 64 (category, channel), while reading.
private struct SeenRecord: CustomerKeyed {
  var customer: Int32
  var key: Int32  // the value's index
  var firstDay: Int32

  mutating func absorb(_ other: SeenRecord) { firstDay = min(firstDay, other.firstDay) }
}

/// Accumulates rows; see `TransactionLog.read`.
private struct Builder {
  let columns: ColumnMapping.Positions
  let names: [String]
  let dateFormat: DateFormat
  let file: String
  var customers = IdentifierTable(capacity: 1 << 16)
  var days = CustomerLog<DayTotals>()
  var categories = ValueTracker()
  var channels = ValueTracker()
  var rows = 0
  /// Kept purchase lines (only when `columns.item` is set).
  var lineItems = IdentifierTable(capacity: 1 << 10)
  var lineOrders = IdentifierTable(capacity: 1 << 16)
  var lineCustomer: [Int32] = [], lineDay: [Int32] = [], lineOrder: [Int32] = [], lineItem: [Int32] = []
  var linesWithoutItem = 0
  var firstDay = Int32.max
  var lastDay = Int32.min
  /// The previous row's customer: consecutive rows of one customer skip the hash lookup.
  var previousID: [UInt8] = []
  var previousCustomer: Int32 = -1

  /// `expectedRows` reserves (virtual) room for the logs up front, so they need not be copied as
  /// they grow; 0 when unknown.
  init(columns: ColumnMapping.Positions, names: [String], dateFormat: DateFormat, file: String, expectedRows: Int) {
    days.reserveCapacity(expectedRows)
    self.columns = columns
    self.names = names
    self.dateFormat = dateFormat
    self.file = file
  }

  mutating func add(_ record: borrowing CSVRecord) throws(IngestError) {
    let line = record.line
    guard record.count == columns.fieldCount else {
      throw .fieldCount(file: file, line: line, expected: columns.fieldCount, found: record.count)
    }
    let id = record.field(columns.customer)
    try checkText(id, column: columns.customer, line: line)
    guard !id.isEmpty else {
      throw .badValue(
        file: file, line: line, column: names[columns.customer],
        reason: "is empty; every row needs a customer id (--skip-bad-rows leaves such rows out, and counts them)", value: "")
    }
    let dateField = record.field(columns.date)
    guard let day = dateFormat.parse(dateField) else {
      let reason =
        dateFormat.isImpossibleDate(dateField)
        ? "no such calendar date" : "is not a date; expected \(dateFormat.expectation)"
      throw .badValue(file: file, line: line, column: names[columns.date], reason: reason, value: IngestError.display(dateField))
    }
    let amount: Double
    switch columns.amount {
    case let .column(index):
      amount = try number(record, index, line: line)
    case let .product(quantity, price):
      amount = try number(record, quantity, line: line) * number(record, price, line: line)
    }
    let category = columns.category.map { record.field($0) }
    if let category, let column = columns.category { try checkText(category, column: column, line: line) }
    let channel = columns.channel.map { record.field($0) }
    if let channel, let column = columns.channel { try checkText(channel, column: column, line: line) }
    let item = columns.item.map { record.field($0) }
    if let item, let column = columns.item { try checkText(item, column: column, line: line) }
    let order = columns.order.map { record.field($0) }
    if let order, let column = columns.order, item != nil { try checkText(order, column: column, line: line) }

    // The row is good: only now does it change anything.
    rows += 1
    let ordinal = day.ordinal
    firstDay = min(firstDay, ordinal)
    lastDay = max(lastDay, ordinal)
    let customer = customerIndex(id)
    var totals =
      amount >= 0  // a zero amount is a purchase
      ? DayTotals(customer: customer, day: ordinal, purchaseLines: 1, purchaseValue: amount, returnValue: 0)
      : DayTotals(customer: customer, day: ordinal, purchaseLines: 0, purchaseValue: 0, returnValue: -amount)
    if amount >= 0 {
      if let category, !category.isEmpty {
        totals.categoryMask = categories.see(category, customer: customer, day: ordinal, customerCount: customers.count)
      }
      if let channel, !channel.isEmpty {
        totals.channelMask = channels.see(channel, customer: customer, day: ordinal, customerCount: customers.count)
      }
    }
    days.add(totals, customerCount: customers.count)
    if let item, amount >= 0 {
      if item.isEmpty {
        linesWithoutItem += 1
      } else {
        lineCustomer.append(customer)
        lineDay.append(ordinal)
        lineOrder.append(order.map { $0.isEmpty ? -1 : lineOrders.index(of: $0) } ?? -1)
        lineItem.append(lineItems.index(of: item))
      }
    }
  }

  @inline(__always)
  private mutating func customerIndex(_ id: UnsafeBufferPointer<UInt8>) -> Int32 {
    if previousCustomer >= 0 && previousID.count == id.count
      && previousID.withUnsafeBufferPointer({ memcmp($0.baseAddress!, id.baseAddress!, id.count) == 0 })
    {
      return previousCustomer
    }
    previousCustomer = customers.index(of: id)
    previousID.removeAll(keepingCapacity: true)
    previousID.append(contentsOf: id)
    return previousCustomer
  }

  /// A decimal field, or the error that names it.
  private func number(_ record: borrowing CSVRecord, _ column: Int, line: Int) throws(IngestError) -> Double {
    let field = record.field(column)
    guard let value = Decimal.parse(field) else {
      throw .badValue(
        file: file, line: line, column: names[column], reason: Decimal.explainFailure(field), value: IngestError.display(field))
    }
    return value
  }

  private func checkText(_ field: UnsafeBufferPointer<UInt8>, column: Int, line: Int) throws(IngestError) {
    guard !isValidUTF8(field) else { return }
    throw .invalidUTF8(file: file, line: line, column: names[column], value: IngestError.display(field))
  }

  mutating func finish(skippedRows: Int, skippedMessages: [String]) -> TransactionLog {
    let customerCount = customers.count
    let dayOffsets = days.compact(customerCount: customerCount)
    let totals = days.takeRecords()
    return TransactionLog(
      customerIDs: customers.allStrings(), dayOffsets: dayOffsets, days: totals,
      categories: columns.category == nil ? nil : categories.finish(customerCount: customerCount),
      channels: columns.channel == nil ? nil : channels.finish(customerCount: customerCount),
      rows: rows, skippedRows: skippedRows, skippedMessages: skippedMessages,
      firstDay: Day(ordinal: firstDay), lastDay: Day(ordinal: lastDay),
      lines: columns.item == nil
        ? nil
        : PurchaseLines(
          items: lineItems.allStrings(), customer: lineCustomer, day: lineDay, order: lineOrder, item: lineItem,
          orderCount: lineOrders.count, linesWithoutItem: linesWithoutItem))
  }
}

/// The distinct values of one text column: the first 64 become mask bits, the rest a log of
/// first purchase days (see `TransactionLog.DistinctValues`).
private struct ValueTracker {
  var values = IdentifierTable(capacity: 64)
  var overflow = CustomerLog<SeenRecord>()

  /// The mask bit of `text`, or 0 when it is beyond the first 64 (then logged instead).
  @inline(__always)
  mutating func see(_ text: UnsafeBufferPointer<UInt8>, customer: Int32, day: Int32, customerCount: Int) -> UInt64 {
    let index = values.index(of: text)
    if index < 64 { return 1 << UInt64(index) }
    overflow.add(SeenRecord(customer: customer, key: index, firstDay: day), customerCount: customerCount)
    return 0
  }

  mutating func finish(customerCount: Int) -> TransactionLog.DistinctValues {
    let offsets = overflow.records.isEmpty ? [] : overflow.compact(customerCount: customerCount)
    return .init(values: values.allStrings(), overflowOffsets: offsets, overflowFirstDays: overflow.records.map(\.firstDay))
  }
}

/// Whether `bytes` is valid UTF-8; ASCII is checked in one quick pass.
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
  var high: UInt8 = 0
  for b in bytes { high |= b }
  if high < 0x80 { return true }
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
