import Ingest
import RebuyCore

/// A feature table read back from CSV (as `rebuy features` writes it, or prepared elsewhere).
public struct LabelledFeatureCSV: Sendable {
  public let matrix: FeatureMatrix
  /// One label per row (0 or 1); empty when the table has no label column.
  public let labels: [UInt8]
  /// The `customer_id` column, or row numbers when there is none.
  public let ids: [String]
  /// The `cutoff` column as day ordinals, when there is one.
  public let cutoffs: [Int32]?
}

extension FeatureCSV {
  /// Reads a feature CSV: every column but `customer_id`, `cutoff` and `labelColumn` is a
  /// feature, read as a decimal (an empty cell is missing); the label column must hold 0 or 1.
  /// With `labelRequired` false, a table without the label column is read without labels.
  /// - Throws: `IngestError` naming the file, line, column and value.
  public static func read(_ reader: CSVReader, labelColumn: String, labelRequired: Bool = true) throws(IngestError)
    -> LabelledFeatureCSV
  {
    var reader = reader
    let file = reader.fileName
    var header: [String]? = nil
    var featureColumns: [Int] = []
    var labelIndex: Int? = nil, idIndex: Int? = nil, cutoffIndex: Int? = nil
    var rows = 0
    var values: [Double] = []
    var labels: [UInt8] = []
    var ids: [String] = []
    var cutoffs: [Int32] = []
    try reader.forEachRecord { (record) throws(IngestError) -> Void in
      guard let names = header else {
        let names = record.fieldsAsStrings().map(\.trimmingSpaces)
        header = names
        labelIndex = names.firstIndex(of: labelColumn)
        if labelIndex == nil && labelRequired {
          throw .missingColumn(name: labelColumn, file: file, header: names, option: "--label-col")
        }
        idIndex = names.firstIndex(of: "customer_id")
        cutoffIndex = names.firstIndex(of: "cutoff")
        featureColumns = names.indices.filter { $0 != labelIndex && $0 != idIndex && $0 != cutoffIndex }
        return
      }
      let line = record.line
      guard record.count == names.count else {
        throw .fieldCount(file: file, line: line, expected: names.count, found: record.count)
      }
      for column in featureColumns {
        let field = record.field(column)
        if field.isEmpty {
          values.append(.nan)
        } else if let v = parseDecimal(field) {
          values.append(v)
        } else {
          throw .badValue(file: file, line: line, column: names[column], reason: "is not a number (leave missing values empty)", value: String(decoding: field, as: UTF8.self))
        }
      }
      rows += 1
      if let labelIndex {
        let label = String(decoding: record.field(labelIndex), as: UTF8.self)
        guard label == "0" || label == "1" else {
          throw .badValue(file: file, line: line, column: names[labelIndex], reason: "is not a label (0 or 1)", value: label)
        }
        labels.append(label == "1" ? 1 : 0)
      }
      ids.append(idIndex.map { String(decoding: record.field($0), as: UTF8.self) } ?? String(rows))
      if let cutoffIndex {
        let text = String(decoding: record.field(cutoffIndex), as: UTF8.self)
        guard let day = Day(iso: text) else {
          throw .badValue(file: file, line: line, column: "cutoff", reason: "is not a date (yyyy-mm-dd)", value: text)
        }
        cutoffs.append(day.ordinal)
      }
    }
    guard let names = header else { throw .emptyFile(file: file) }
    guard rows > 0 else { throw .noDataRows(file: file) }
    return LabelledFeatureCSV(
      matrix: FeatureMatrix(featureNames: featureColumns.map { names[$0] }, rowCount: rows, values: values),
      labels: labels, ids: ids, cutoffs: cutoffIndex == nil ? nil : cutoffs)
  }
}

extension FeatureTable {
  /// The features as a matrix for learning (missing values stay NaN).
  public var matrix: FeatureMatrix { FeatureMatrix(featureNames: featureNames, rowCount: rowCount, values: values) }
}
