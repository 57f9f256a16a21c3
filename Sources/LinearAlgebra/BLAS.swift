import COpenBLAS

/// Process-wide BLAS settings.
public enum BLAS {
  /// Sets the number of threads OpenBLAS may use.
  ///
  /// Rebuy pins this to `1` at start-up: on tall, skinny matrices one thread is faster on two
  /// cores, and reductions are then bit-for-bit reproducible.
  public static func setThreadCount(_ count: Int) {
    openblas_set_num_threads(Int32(max(1, count)))
  }

  /// The number of threads OpenBLAS will use.
  public static var threadCount: Int { Int(openblas_get_num_threads()) }
}

/// `y = alpha * A x + beta * y` (or `Aᵀ x` when `transpose`), BLAS `dgemv`.
/// - Throws: `.dimensionMismatch` when `x` or `y` does not fit `A`.
public func gemv(
  _ a: Matrix, _ x: [Double], transpose: Bool = false, alpha: Double = 1, beta: Double = 0,
  into y: inout [Double]
) throws(LinearAlgebraError) {
  let (inputLength, outputLength) = transpose ? (a.rows, a.columns) : (a.columns, a.rows)
  guard x.count == inputLength, y.count == outputLength else {
    throw .dimensionMismatch(
      operation: "gemv",
      details: "A is \(a.rows)×\(a.columns)\(transpose ? " (transposed)" : ""), x has \(x.count), y has \(y.count)")
  }
  guard a.rows > 0, a.columns > 0 else {
    for i in y.indices { y[i] *= beta }
    return
  }
  a.elements.withUnsafeBufferPointer { ap in
    x.withUnsafeBufferPointer { xp in
      y.withUnsafeMutableBufferPointer { yp in
        cblas_dgemv(
          CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(a.rows), Int32(a.columns),
          alpha, ap.baseAddress, Int32(a.columns), xp.baseAddress, 1, beta, yp.baseAddress, 1)
      }
    }
  }
}

/// `A x` (or `Aᵀ x`), BLAS `dgemv`.
public func gemv(_ a: Matrix, _ x: [Double], transpose: Bool = false) throws(LinearAlgebraError) -> [Double] {
  var y = [Double](repeating: 0, count: transpose ? a.columns : a.rows)
  try gemv(a, x, transpose: transpose, into: &y)
  return y
}

/// `op(A) op(B)`, where `op` transposes when asked, BLAS `dgemm`.
/// - Throws: `.dimensionMismatch` when the inner dimensions differ.
public func gemm(
  _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false
) throws(LinearAlgebraError) -> Matrix {
  let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
  let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
  guard k == kb else {
    throw .dimensionMismatch(operation: "gemm", details: "op(A) is \(m)×\(k), op(B) is \(kb)×\(n)")
  }
  var c = Matrix(rows: m, columns: n)
  guard m > 0, n > 0, k > 0 else { return c }
  a.elements.withUnsafeBufferPointer { ap in
    b.elements.withUnsafeBufferPointer { bp in
      c.elements.withUnsafeMutableBufferPointer { cp in
        cblas_dgemm(
          CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
          Int32(m), Int32(n), Int32(k), 1, ap.baseAddress, Int32(a.columns), bp.baseAddress,
          Int32(b.columns), 0, cp.baseAddress, Int32(n))
      }
    }
  }
  return c
}

/// The Gram matrix `Aᵀ diag(w) A` of the columns of `A`, with optional row weights, BLAS `dsyrk`.
///
/// This is the Hessian's shape in Newton / IRLS fitting. The result is symmetric and both
/// triangles are filled. Weights must be non-negative (they are applied as `√w` to each row, in
/// a copy of `A`). Cost: `O(rows · columns²)`.
public func gram(_ a: Matrix, weights: [Double]? = nil) throws(LinearAlgebraError) -> Matrix {
  var workspace: [Double] = []
  return try gram(a, weights: weights, workspace: &workspace)
}

/// `gram(_:weights:)` reusing `workspace` for the weighted rows, so that an iterative fit
/// allocates it once. Rows are weighted and accumulated in blocks of 4,096 (`dsyrk` with
/// `beta = 1`), so the workspace stays small and in cache whatever the number of rows.
public func gram(_ a: Matrix, weights: [Double]?, workspace: inout [Double]) throws(LinearAlgebraError) -> Matrix {
  let n = a.columns
  var c = Matrix(rows: n, columns: n)
  guard a.rows > 0, n > 0 else { return c }
  if let weights, weights.count != a.rows {
    throw .dimensionMismatch(operation: "gram", details: "A has \(a.rows) rows, \(weights.count) weights")
  }
  let blockRows = 4096
  if weights != nil && workspace.count < blockRows * n { workspace = [Double](repeating: 0, count: blockRows * n) }
  a.elements.withUnsafeBufferPointer { source in
    workspace.withUnsafeMutableBufferPointer { scratch in
      c.elements.withUnsafeMutableBufferPointer { cp in
        var first = 0
        while first < a.rows {
          let rows = min(blockRows, a.rows - first)
          let block: UnsafePointer<Double>
          if let weights {
            for i in 0..<rows {
              let s = weights[first + i].squareRoot()
              for j in 0..<n { scratch[i * n + j] = source[(first + i) * n + j] * s }
            }
            block = UnsafePointer(scratch.baseAddress!)
          } else {
            block = source.baseAddress! + first * n
          }
          cblas_dsyrk(
            CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(rows), 1, block, Int32(n), first == 0 ? 0 : 1,
            cp.baseAddress, Int32(n))
          first += rows
        }
      }
    }
  }
  for i in 0..<n {
    for j in 0..<i { c.elements[i * n + j] = c.elements[j * n + i] }
  }
  return c
}

/// Solves `A x = b` for a symmetric positive-definite, row-major `A` (LAPACK `dposv`, Cholesky).
/// - Throws: `.notPositiveDefinite(leadingMinor:)` when the factorisation fails;
///   `.dimensionMismatch` when `A` is not square or `b` does not fit.
public func solveSPD(_ a: Matrix, _ b: [Double]) throws(LinearAlgebraError) -> [Double] {
  guard a.rows == a.columns, b.count == a.rows else {
    throw .dimensionMismatch(operation: "solveSPD", details: "A is \(a.rows)×\(a.columns), b has \(b.count)")
  }
  let n = a.rows
  guard n > 0 else { return [] }
  var factor = a.elements
  var x = b
  let info = factor.withUnsafeMutableBufferPointer { ap in
    x.withUnsafeMutableBufferPointer { xp in
      LAPACKE_dposv(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), 1, ap.baseAddress, Int32(n), xp.baseAddress, 1)
    }
  }
  if info > 0 { throw .notPositiveDefinite(leadingMinor: Int(info)) }
  if info < 0 { throw .illegalArgument(routine: "dposv", position: Int(-info)) }
  return x
}
