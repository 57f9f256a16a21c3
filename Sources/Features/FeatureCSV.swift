import RebuyCore

/// Writes a feature table as CSV: `customer_id`, `cutoff`, the features, then `repurchase`
/// when the table has labels.
///
/// Undefined values are empty cells. Counts are written as integers, other values in the
/// shortest form that reads back to the same `Double`. Ids that contain the delimiter, a quote
/// or a line break are quoted (RFC 4180). Output goes to `sink` in blocks of about 1 MiB.
public enum FeatureCSV {
  /// The label column's name.
  public static let labelColumn = "repurchase"

  public static func write(
    _ table: FeatureTable, customerIDs: [String], sink: @escaping ([UInt8]) throws -> Void
  ) throws {
    var out = CSVOutput(sink: sink)
    var header = ["customer_id", "cutoff"] + table.featureNames
    if table.labels != nil { header.append(labelColumn) }
    for (i, name) in header.enumerated() {
      if i > 0 { out.byte(UInt8(ascii: ",")) }
      out.text(name)
    }
    out.byte(UInt8(ascii: "\n"))
    let isCount = table.featureNames.map { Feature(rawValue: $0)?.isCount ?? false }
    let width = table.featureNames.count
    var cutoffText: (ordinal: Int32, text: String) = (.min, "")
    for row in 0..<table.rowCount {
      out.field(customerIDs[Int(table.customers[row])])
      if table.cutoffs[row] != cutoffText.ordinal {
        cutoffText = (table.cutoffs[row], Day(ordinal: table.cutoffs[row]).description)
      }
      out.byte(UInt8(ascii: ","))
      out.text(cutoffText.text)
      for column in 0..<width {
        out.byte(UInt8(ascii: ","))
        let v = table.values[row * width + column]
        if v.isNaN { continue }
        if isCount[column] { out.integer(Int(v)) } else { out.decimal(v) }
      }
      if let labels = table.labels {
        out.byte(UInt8(ascii: ","))
        out.integer(Int(labels[row]))
      }
      out.byte(UInt8(ascii: "\n"))
      try out.flushIfFull()
    }
    try out.flush()
  }
}

