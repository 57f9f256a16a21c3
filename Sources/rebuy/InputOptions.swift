import ArgumentParser
import Ingest
import RebuyCore

/// A transactions file and how to read it: for commands that always read one.
struct InputOptions: ParsableArguments {
  @Argument(help: "Transactions CSV (header row required); - reads standard input.")
  var transactions: String

  @OptionGroup var columns: ColumnOptions

  /// Reads the whole file into a log, reporting what was read (and skipped) on standard error;
  /// `keepLines` keeps the purchase lines with their item (`itemColumn`, else the category).
  func readLog(keepLines: LineKeeping = .no, itemColumn: String? = nil) throws -> TransactionLog {
    try columns.readLog(transactions, keepLines: keepLines, itemColumn: itemColumn).log
  }
}

/// How to read a transactions file: shared by every command that reads one.
struct ColumnOptions: ParsableArguments {
  @Option(name: .customLong("customer-col"), help: "Column with the customer id.")
  var customerColumn = "customer_id"

  @Option(name: .customLong("date-col"), help: "Column with the date.")
  var dateColumn = "date"

  @Option(name: .customLong("amount-col"), help: "Column with the amount (negative = a return).")
  var amountColumn = "amount"

  @Option(name: .customLong("quantity-col"), help: "Column with the quantity: with --price-col, the amount is quantity × price.")
  var quantityColumn: String?

  @Option(name: .customLong("price-col"), help: "Column with the unit price (with --quantity-col).")
  var priceColumn: String?

  @Option(name: .customLong("category-col"), help: "Column with the product category (default: 'category' if present).")
  var categoryColumn: String?

  @Option(name: .customLong("channel-col"), help: "Column with the sales channel (default: 'channel' if present).")
  var channelColumn: String?

  @Option(name: .customLong("order-col"), help: "Column with the order id (default: 'order_id' if present).")
  var orderColumn: String?

  @Option(
    name: .customLong("date-format"),
    help: "Date layout with \(DateFormat.supportedDirectives) (default: yyyy-mm-dd with an optional time).")
  var dateFormat: String?

  @Option(help: "Field delimiter, one character.")
  var delimiter = ","

  @Flag(help: "No progress bar (it is shown only when standard error is a terminal).")
  var quiet = false

  @Flag(name: .customLong("skip-bad-rows"), help: "Skip bad rows (reporting how many and the first ten) instead of stopping.")
  var skipBadRows = false

  func validate() throws {
    guard (quantityColumn == nil) == (priceColumn == nil) else {
      throw ValidationError("--quantity-col and --price-col go together: the amount is quantity × price.")
    }
    guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != UInt8(ascii: "\""),
      byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r")
    else {
      throw ValidationError("--delimiter must be one ASCII character other than a quote or line break, got '\(delimiter)'.")
    }
    if let dateFormat, case let .failure(error) = DateFormat.pattern(dateFormat) {
      throw ValidationError("--date-format: \(error.message).")
    }
  }

  var ingestOptions: IngestOptions {
    var options = IngestOptions()
    options.columns.customer = customerColumn
    options.columns.date = dateColumn
    options.columns.amount = amountColumn
    options.columns.category = categoryColumn
    options.columns.channel = channelColumn
    options.columns.order = orderColumn
    options.columns.quantity = quantityColumn
    options.columns.price = priceColumn
    if let dateFormat, case let .success(format) = DateFormat.pattern(dateFormat) { options.dateFormat = format }
    options.skipBadRows = skipBadRows
    return options
  }

  /// Reads the whole file at `path` into a log, reporting what was read (and skipped) on
  /// standard error; with `fingerprint`, also the SHA-256 of its bytes.
  func readLog(
    _ path: String, fingerprint: Bool = false, keepLines: LineKeeping = .no, itemColumn: String? = nil
  ) throws -> (log: TransactionLog, sha256: String?) {
    let start = ContinuousClock.now
    let input = try FileSource(path: path)
    let bar = ProgressBar(label: "Reading \(path == "-" ? "standard input" : path)", total: input.sizeHint, quiet: quiet)
    let file = ProgressSource(input, bar: bar)
    let hashing = fingerprint ? HashingSource(file) : nil
    let source: any ByteSource = hashing ?? file
    let reader = CSVReader(
      source: source, fileName: path == "-" ? "<stdin>" : path,
      delimiter: delimiter.utf8.first!)
    let log: TransactionLog
    do {
      defer { bar.finish() }
      var options = ingestOptions
      options.keepLines = keepLines
      options.columns.item = itemColumn
      log = try TransactionLog.read(reader, options: options)
    }
    Terminal.say(
      "Read \(Terminal.count(log.rows)) rows: \(Terminal.count(log.customerCount)) customers, "
        + "\(log.firstDay) to \(log.lastDay) (\(Terminal.seconds(since: start))).")
    if log.skippedRows > 0 {
      Terminal.say("Skipped \(Terminal.count(log.skippedRows)) bad rows; the first \(log.skippedMessages.count):")
      for message in log.skippedMessages { Terminal.say("  \(message)") }
    }
    return (log, hashing?.hexDigest)
  }
}

/// Parses a `yyyy-mm-dd` option value.
func parseDay(_ text: String, option: String) throws -> Day {
  guard let day = Day(iso: text) else {
    throw ValidationError("\(option) must be a date as yyyy-mm-dd, got '\(text)'.")
  }
  return day
}
