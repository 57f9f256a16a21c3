import Foundation
import Testing

@_exported import RebuyCore

/// Where the repository is, for tests that read fixtures and run the `rebuy` binary.
public enum Repository {
  /// The repository's top folder.
  public static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// A file under `Tests/Fixtures`.
  public static func fixture(_ name: String) -> URL {
    root.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name)
  }
}

/// Reference values written by the scripts in `Notebooks/oracles`.
public enum Fixture {
  /// A JSON fixture as a dictionary.
  public static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: Repository.fixture(name + ".json"))
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw FixtureError(message: "\(name).json is not a JSON object")
    }
    return object
  }

  public struct FixtureError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
  }
}

/// Checks `actual ≈ expected` within `relativeTolerance · max(|a|, |e|)` plus `absoluteTolerance`.
public func expectClose(
  _ actual: Double, _ expected: Double, relativeTolerance: Double = 1e-12, absoluteTolerance: Double = 0,
  _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
  let bound = relativeTolerance * max(abs(actual), abs(expected)) + absoluteTolerance
  #expect(
    abs(actual - expected) <= bound, "\(comment()) \(actual) vs \(expected) (tolerance \(bound))",
    sourceLocation: sourceLocation)
}

/// Element-wise `expectClose` for two equally long arrays.
public func expectClose(
  _ actual: [Double], _ expected: [Double], relativeTolerance: Double = 1e-12, absoluteTolerance: Double = 0,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, "lengths differ", sourceLocation: sourceLocation)
  for (i, (a, e)) in zip(actual, expected).enumerated() {
    expectClose(a, e, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance, "[\(i)]", sourceLocation: sourceLocation)
  }
}
