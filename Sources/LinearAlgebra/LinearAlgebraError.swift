/// What can go wrong in a linear-algebra call, with the context LAPACK reports.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
  /// The operands' shapes do not fit the operation.
  case dimensionMismatch(operation: String, details: String)
  /// The Cholesky factorisation failed: the leading minor of this order is not positive
  /// definite (LAPACK `info > 0`).
  case notPositiveDefinite(leadingMinor: Int)
  /// LAPACK rejected an argument (`info < 0`): a programming error in the wrapper.
  case illegalArgument(routine: String, position: Int)

  public var description: String {
    switch self {
    case let .dimensionMismatch(operation, details):
      "\(operation): shapes do not fit (\(details))"
    case let .notPositiveDefinite(minor):
      "the matrix is not positive definite (leading minor of order \(minor)); "
        + "add regularisation or remove linearly dependent columns"
    case let .illegalArgument(routine, position):
      "\(routine): argument \(position) had an illegal value"
    }
  }
}
