import Foundation

/// A table for people: a header, then rows; the first column left-aligned, the others right.
struct TextTable {
  var header: [String]
  var rows: [[String]] = []

  init(_ header: [String]) { self.header = header }

  mutating func add(_ cells: [String]) { rows.append(cells) }

  var text: String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
    return all.map { cells in
      cells.enumerated().map { column, cell in
        column == 0 ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0) : cell.leftPadded(widths[column])
      }.joined(separator: "  ").trimmingTrailingSpaces
    }.joined(separator: "\n")
  }

  /// A share as a percentage with one decimal, or `–`.
  static func percent(_ value: Double?) -> String {
    guard let value else { return "–" }
    return String(format: "%.1f%%", 100 * value)
  }

  /// A number of days (or other measure) with one decimal, or `–`.
  static func tenths(_ value: Double?) -> String {
    guard let value else { return "–" }
    return String(format: "%.1f", value)
  }
}

extension String {
  /// Without spaces at the end (rows with empty last cells).
  var trimmingTrailingSpaces: String {
    var text = self
    while text.last == " " { text.removeLast() }
    return text
  }
}
