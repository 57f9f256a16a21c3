import Foundation
import TestSupport

/// Runs the built `rebuy` binary and captures what it prints.
struct RebuyProcess {
  struct Outcome {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// The `rebuy` executable built beside the test bundle.
  static let executable: URL = {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rebuy")
    if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
    return Repository.root.appendingPathComponent(".build/debug/rebuy")
  }()

  /// Runs `rebuy arguments…` in `directory`, feeding `input` on standard input.
  static func run(_ arguments: [String], in directory: URL? = nil, input: Data? = nil, environment extra: [String: String] = [:])
    throws -> Outcome
  {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory ?? Repository.root
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "100"
    environment.merge(extra) { _, new in new }
    process.environment = environment
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    try process.run()
    // Drain both pipes concurrently so a large output cannot block the child.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    if let input { inPipe.fileHandleForWriting.write(input) }
    try inPipe.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// A fresh, empty directory for one test.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rebuy-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
