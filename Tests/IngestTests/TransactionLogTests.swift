import Foundation
import Ingest
import Testing
import TestSupport

func readLog(_ text: String, options: IngestOptions = IngestOptions(), chunkLimit: Int = .max) throws(IngestError)
  -> TransactionLog
{
  try TransactionLog.read(CSVReader(source: MemorySource(text, chunkLimit: chunkLimit), fileName: "tx.csv"), options: options)
}

func readLog(bytes: [UInt8], options: IngestOptions = IngestOptions()) throws(IngestError) -> TransactionLog {
  try TransactionLog.read(CSVReader(source: MemorySource(bytes), fileName: "tx.csv"), options: options)
}

@Suite struct TransactionLogTests {
  @Test func rollsLinesUpIntoCustomerDays() throws {
    let log = try readLog(
      """
      customer_id,date,amount,category,channel
      a,2024-01-02,10,x,web
      b,2024-01-01,5,y,app
      a,2024-01-01 09:00,2.5,y,web
      a,2024-01-02 18:00,-4,x,web
      a,2024-01-02,0,,store

      """)
    #expect(log.customerIDs == ["a", "b"])
    #expect(log.rows == 5)
    let a = Array(log.days(ofCustomer: 0))
    #expect(a.map(\.day) == [Day(iso: "2024-01-01")!.ordinal, Day(iso: "2024-01-02")!.ordinal])
    #expect(a[1] == DayTotals(customer: 0, day: a[1].day, purchaseLines: 2, purchaseValue: 10, returnValue: 4, categoryMask: 1, channelMask: 0b101))
    #expect(a[0].purchaseValue == 2.5)
    #expect(log.firstDay == Day(iso: "2024-01-01") && log.lastDay == Day(iso: "2024-01-02"))
    // Categories in order of first appearance: x = bit 0, y = bit 1. a bought y on 01-01 and x
    // on 01-02 (the empty category is not a category).
    #expect(try #require(log.categories).values == ["x", "y"])
    #expect(a[0].categoryMask == 0b10 && a[1].categoryMask == 0b01)
    #expect(try #require(log.channels).values == ["web", "app", "store"])
    #expect(a[1].channelMask == 0b101)  // web and store; the return's channel does not count
  }

  @Test func renamedColumnsAndOptionalColumns() throws {
    var options = IngestOptions()
    options.columns.customer = "Customer ID"
    options.columns.date = "InvoiceDate"
    options.columns.amount = "Total"
    options.dateFormat = try DateFormat.pattern("%d/%m/%Y %H:%M").get()
    let log = try readLog("InvoiceDate, Customer ID ,Total\n01/12/2010 08:26,17850,15.30\n", options: options)
    #expect(log.customerIDs == ["17850"])
    #expect(log.categories == nil && log.channels == nil)
    #expect(log.firstDay == Day(iso: "2010-12-01"))
  }

  @Test func emptyFile() {
    #expect(throws: IngestError.emptyFile(file: "tx.csv")) { try readLog("") }
    #expect(throws: IngestError.emptyFile(file: "tx.csv")) { try readLog("\n\n") }
  }

  @Test func headerOnly() {
    #expect(throws: IngestError.noDataRows(file: "tx.csv")) { try readLog("customer_id,date,amount\n") }
    #expect(throws: IngestError.noDataRows(file: "tx.csv")) { try readLog("customer_id,date,amount") }
  }

  @Test func missingColumnIsNamedWithTheHeader() {
    let error = IngestError.missingColumn(name: "amount", file: "tx.csv", header: ["customer_id", "date", "value"], option: "--amount-col")
    #expect(throws: error) { try readLog("customer_id,date,value\na,2024-01-01,1\n") }
    #expect(error.description == "tx.csv: no column 'amount'; the header has 'customer_id', 'date', 'value'; name the right column with --amount-col")
    var options = IngestOptions()
    options.columns.category = "segment"
    #expect(throws: IngestError.self) { try readLog("customer_id,date,amount\na,2024-01-01,1\n", options: options) }
  }

  @Test func duplicateColumns() {
    let error = IngestError.duplicateColumn(name: "date", file: "tx.csv", positions: [2, 4])
    #expect(throws: error) { try readLog("customer_id,date,amount,date\na,2024-01-01,1,2024-01-01\n") }
    #expect(error.description == "tx.csv:1: the header names column 'date' more than once (fields 2 and 4); rename one of them")
  }

  @Test func impossibleDate() {
    let error = IngestError.badValue(file: "tx.csv", line: 3, column: "date", reason: "no such calendar date", value: "2023-02-30")
    #expect(throws: error) { try readLog("customer_id,date,amount\na,2023-02-28,1\na,2023-02-30,1\n") }
    #expect(error.description == "tx.csv:3: date: no such calendar date ('2023-02-30')")
  }

  @Test func unreadableDate() {
    #expect(
      throws: IngestError.badValue(
        file: "tx.csv", line: 2, column: "date",
        reason: "is not a date; expected yyyy-mm-dd (optionally with a time); use --date-format for other layouts",
        value: "05/01/2024")
    ) { try readLog("customer_id,date,amount\na,05/01/2024,1\n") }
  }

  @Test(arguments: [
    ("\"1,234\"", "is not a decimal number; use '.' as the decimal separator and no thousands separators", "1,234"),
    ("NaN", "is NaN; amounts must be finite numbers", "NaN"),
    ("inf", "is infinite; amounts must be finite numbers", "inf"),
    ("", "is empty; every row needs a value here", ""),
    ("12 EUR", "is not a decimal number", "12 EUR"),
  ])
  func badAmounts(field: String, reason: String, value: String) {
    #expect(throws: IngestError.badValue(file: "tx.csv", line: 2, column: "amount", reason: reason, value: value)) {
      try readLog("customer_id,date,amount\na,2024-01-01,\(field)\n")
    }
  }

  @Test func wrongNumberOfFields() {
    let error = IngestError.fieldCount(file: "tx.csv", line: 3, expected: 3, found: 4)
    #expect(throws: error) { try readLog("customer_id,date,amount\na,2024-01-01,1\nb,2024-01-01,1,234\n") }
    #expect(error.description == "tx.csv:3: expected 3 fields as in the header, found 4; quote fields that contain the delimiter")
  }

  @Test func emptyCustomerID() {
    #expect(throws: IngestError.badValue(file: "tx.csv", line: 2, column: "customer_id", reason: "is empty; every row needs a customer id (--skip-bad-rows leaves such rows out, and counts them)", value: "")) {
      try readLog("customer_id,date,amount\n,2024-01-01,1\n")
    }
  }

  @Test func invalidUTF8() {
    var bytes = Array("customer_id,date,amount\nab".utf8)
    bytes += [0xC3, 0x28]  // a lead byte followed by a non-continuation byte
    bytes += Array(",2024-01-01,1\n".utf8)
    #expect(throws: IngestError.invalidUTF8(file: "tx.csv", line: 2, column: "customer_id", value: "ab\u{FFFD}(")) {
      try readLog(bytes: bytes)
    }
  }

  @Test func unterminatedQuoteStopsEvenWhenSkipping() {
    var options = IngestOptions()
    options.skipBadRows = true
    #expect(throws: IngestError.unterminatedQuote(file: "tx.csv", line: 3)) {
      try readLog("customer_id,date,amount\na,2024-01-01,1\n\"b,2024-01-01,1\n", options: options)
    }
  }

  @Test func skipBadRowsCountsAndKeepsTheFirstTen() throws {
    var options = IngestOptions()
    options.skipBadRows = true
    var text = "customer_id,date,amount\ngood,2024-01-01,1\n"
    for i in 0..<12 { text += "bad\(i),2024-02-30,1\n" }
    text += "good,2024-01-02,2\nshort,2024-01-01\n"
    let log = try readLog(text, options: options)
    #expect(log.rows == 2)
    #expect(log.customerIDs == ["good"])
    #expect(log.skippedRows == 13)
    #expect(log.skippedMessages.count == 10)
    #expect(log.skippedMessages.first == "tx.csv:3: date: no such calendar date ('2024-02-30')")
    #expect(log.skippedMessages.last == "tx.csv:12: date: no such calendar date ('2024-02-30')")
  }

  @Test func allRowsBadIsAnError() {
    var options = IngestOptions()
    options.skipBadRows = true
    #expect(throws: IngestError.noValidRows(file: "tx.csv", skipped: 2)) {
      try readLog("customer_id,date,amount\na,x,1\nb,y,2\n", options: options)
    }
  }

  @Test func chunkingDoesNotChangeTheLog() throws {
    let text = try String(contentsOf: Repository.fixture("messy.csv"), encoding: .utf8)
    let whole = try readLog(text)
    for limit in [1, 2, 3, 7, 64] {
      let chunked = try readLog(text, chunkLimit: limit)
      #expect(chunked.customerIDs == whole.customerIDs)
      #expect(chunked.days == whole.days)
      #expect(chunked.dayOffsets == whole.dayOffsets)
    }
  }
}

@Suite struct QuantityPriceTests {
  /// Exports with a quantity and a unit price: the amount is their product; a cancellation
  /// (negative quantity) is a return.
  @Test func amountIsQuantityTimesPrice() throws {
    var options = IngestOptions()
    options.columns.customer = "Customer ID"
    options.columns.date = "InvoiceDate"
    options.columns.quantity = "Quantity"
    options.columns.price = "Price"
    let log = try readLog(
      """
      Invoice,StockCode,Quantity,InvoiceDate,Price,Customer ID
      489434,85048,12,2009-12-01 07:45:00,6.95,13085.0
      489434,79323P,12,2009-12-01 07:45:00,6.75,13085.0
      C489449,22087,-12,2009-12-01 10:33:00,2.95,16321.0
      489450,22088,3,2009-12-01 10:40:00,0,16321.0

      """, options: options)
    #expect(log.customerIDs == ["13085.0", "16321.0"])
    let first = Array(log.days(ofCustomer: 0))
    #expect(first.count == 1 && abs(first[0].purchaseValue - (12 * 6.95 + 12 * 6.75)) < 1e-9)
    let second = Array(log.days(ofCustomer: 1))
    #expect(abs(second[0].returnValue - 35.4) < 1e-9 && second[0].purchaseLines == 1 && second[0].purchaseValue == 0)
  }

  @Test func badQuantityOrPriceNamesItsColumn() {
    var options = IngestOptions()
    options.columns.quantity = "qty"
    options.columns.price = "unit"
    #expect(throws: IngestError.badValue(file: "tx.csv", line: 2, column: "unit", reason: "is not a decimal number", value: "£3")) {
      try readLog("customer_id,date,qty,unit\na,2024-01-01,2,£3\n", options: options)
    }
    #expect(throws: IngestError.missingColumn(name: "unit", file: "tx.csv", header: ["customer_id", "date", "qty", "price"], option: "--price-col")) {
      try readLog("customer_id,date,qty,price\na,2024-01-01,2,3\n", options: options)
    }
  }
}
