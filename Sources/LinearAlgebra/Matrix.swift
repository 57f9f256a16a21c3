/// A dense, row-major matrix of `Double`s.
///
/// Element `(i, j)` lives at `elements[i * columns + j]`, the layout every wrapper in this module
/// passes to BLAS and LAPACK as `CblasRowMajor` / `LAPACK_ROW_MAJOR`.
public struct Matrix: Equatable, Sendable {
  /// Number of rows, `>= 0`.
  public let rows: Int
  /// Number of columns, `>= 0`.
  public let columns: Int
  /// The elements, row after row; `rows * columns` of them.
  public var elements: [Double]

  /// A matrix from its elements in row-major order.
  /// - Precondition: `elements.count == rows * columns`.
  public init(rows: Int, columns: Int, elements: [Double]) {
    precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
    precondition(elements.count == rows * columns, "Matrix needs rows * columns elements")
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  /// A matrix with every element equal to `value` (zero by default).
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    self.init(rows: rows, columns: columns, elements: Array(repeating: value, count: rows * columns))
  }

  /// A matrix from an array of equally long rows.
  public init(_ rowArrays: [[Double]]) {
    let columns = rowArrays.first?.count ?? 0
    precondition(rowArrays.allSatisfy { $0.count == columns }, "All rows must have the same length")
    self.init(rows: rowArrays.count, columns: columns, elements: rowArrays.flatMap { $0 })
  }

  /// The element in row `i`, column `j`.
  public subscript(i: Int, j: Int) -> Double {
    get { elements[i * columns + j] }
    set { elements[i * columns + j] = newValue }
  }

  /// The transpose, `Aᵀ`.
  public var transposed: Matrix {
    var result = Matrix(rows: columns, columns: rows)
    for i in 0..<rows {
      for j in 0..<columns { result.elements[j * rows + i] = elements[i * columns + j] }
    }
    return result
  }
}
