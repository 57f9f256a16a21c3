import LinearAlgebra
import Testing
import TestSupport

/// Each BLAS/LAPACK wrapper against plain loops, on seeded random matrices.
@Suite struct BLASTests {
  static func random(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
    var rng = SplitMix64(seed: seed)
    return Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in rng.nextUnit() * 2 - 1 })
  }

  static func product(_ a: Matrix, _ b: Matrix) -> Matrix {
    var c = Matrix(rows: a.rows, columns: b.columns)
    for i in 0..<a.rows {
      for j in 0..<b.columns {
        var s = 0.0
        for k in 0..<a.columns { s += a[i, k] * b[k, j] }
        c[i, j] = s
      }
    }
    return c
  }

  @Test(arguments: [(1, 1), (7, 3), (50, 17), (3, 40)])
  func gemvMatchesLoops(shape: (Int, Int)) throws {
    let a = Self.random(shape.0, shape.1, seed: 1)
    var rng = SplitMix64(seed: 2)
    let x = (0..<shape.1).map { _ in rng.nextUnit() }
    let expected = (0..<shape.0).map { i in (0..<shape.1).reduce(0.0) { $0 + a[i, $1] * x[$1] } }
    expectClose(try gemv(a, x), expected, relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
    let z = (0..<shape.0).map { _ in rng.nextUnit() }
    let expectedT = (0..<shape.1).map { j in (0..<shape.0).reduce(0.0) { $0 + a[$1, j] * z[$1] } }
    expectClose(try gemv(a, z, transpose: true), expectedT, relativeTolerance: 1e-12, absoluteTolerance: 1e-14)
  }

  @Test func gemvAccumulatesWithAlphaAndBeta() throws {
    let a = Matrix([[1, 2], [3, 4]])
    var y = [10.0, 20.0]
    try gemv(a, [1, 1], alpha: 2, beta: 0.5, into: &y)
    let expected: [Double] = [11, 24]  // 2·(1+2) + 0.5·10, 2·(3+4) + 0.5·20
    #expect(y == expected)
  }

  @Test func gemmMatchesLoopsInEveryTransposition() throws {
    let a = Self.random(6, 4, seed: 3), b = Self.random(4, 5, seed: 4)
    let expected = Self.product(a, b)
    expectClose(try gemm(a, b).elements, expected.elements, absoluteTolerance: 1e-14)
    expectClose(try gemm(a.transposed, b, transposeA: true).elements, expected.elements, absoluteTolerance: 1e-14)
    expectClose(try gemm(a, b.transposed, transposeB: true).elements, expected.elements, absoluteTolerance: 1e-14)
  }

  @Test func gramMatchesLoopsWithAndWithoutWeights() throws {
    let a = Self.random(40, 6, seed: 5)
    var rng = SplitMix64(seed: 6)
    let w = (0..<40).map { _ in rng.nextUnit() }
    var weighted = Matrix(rows: 6, columns: 6)
    for i in 0..<6 {
      for j in 0..<6 { weighted[i, j] = (0..<40).reduce(0.0) { $0 + w[$1] * a[$1, i] * a[$1, j] } }
    }
    expectClose(try gram(a, weights: w).elements, weighted.elements, relativeTolerance: 1e-12, absoluteTolerance: 1e-13)
    expectClose(try gram(a).elements, Self.product(a.transposed, a).elements, relativeTolerance: 1e-12, absoluteTolerance: 1e-13)
  }

  @Test func choleskySolveRecoversTheSolution() throws {
    let a = Self.random(30, 5, seed: 7)
    var spd = try gram(a)
    for i in 0..<5 { spd[i, i] += 0.1 }
    let x = [1.0, -2, 3, 0.5, -0.25]
    let b = try gemv(spd, x)
    expectClose(try solveSPD(spd, b), x, relativeTolerance: 1e-10, absoluteTolerance: 1e-12)
  }

  @Test func choleskyNamesTheFailingMinor() {
    let indefinite = Matrix([[1, 0, 0], [0, 1, 0], [0, 0, -1]])
    #expect(throws: LinearAlgebraError.notPositiveDefinite(leadingMinor: 3)) { try solveSPD(indefinite, [1, 1, 1]) }
  }

  @Test func shapesAreChecked() {
    #expect(throws: LinearAlgebraError.self) { try gemv(Matrix(rows: 2, columns: 3), [1, 2]) }
    #expect(throws: LinearAlgebraError.self) { try gemm(Matrix(rows: 2, columns: 3), Matrix(rows: 2, columns: 3)) }
    #expect(throws: LinearAlgebraError.self) { try solveSPD(Matrix(rows: 2, columns: 3), [1, 2]) }
    #expect(throws: LinearAlgebraError.self) { try gram(Matrix(rows: 2, columns: 3), weights: [1]) }
  }

  @Test func threadCountIsPinnable() {
    BLAS.setThreadCount(1)
    #expect(BLAS.threadCount == 1)
  }
}
