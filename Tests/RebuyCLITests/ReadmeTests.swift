import Foundation
import Testing
import TestSupport

/// Runs the `console` transcripts in README.md and compares what they print, line by line.
///
/// Each `$ ` line is run with `sh -c` (standard error merged into standard output), in order, in
/// one fresh directory holding a copy of `Datasets/`, with the built `rebuy` first on `PATH`. The lines
/// after it, up to the next `$ `, are what it must print. Timings such as `(0.33 s)` and
/// `Done in 0.39 s.` are compared as `(… s)`, since they vary from run to run.
@Suite struct ReadmeTests {
  struct Step {
    let command: String
    let expected: [String]
  }

  static func transcripts() throws -> [[Step]] {
    let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
    var blocks: [[Step]] = []
    var current: [Step]? = nil
    for line in readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if line == "```console" {
        current = []
      } else if line == "```", let steps = current {
        blocks.append(steps)
        current = nil
      } else if current != nil {
        if line.hasPrefix("$ ") {
          current!.append(Step(command: String(line.dropFirst(2)), expected: []))
        } else if let last = current!.popLast() {
          current!.append(Step(command: last.command, expected: last.expected + [line]))
        }
      }
    }
    return blocks
  }

  static func normalised(_ lines: [String]) -> [String] {
    lines.map {
      $0.replacingOccurrences(of: #"\(\d+\.\d+ s\)"#, with: "(… s)", options: .regularExpression)
        .replacingOccurrences(of: #"Done in \d+\.\d+ s\."#, with: "Done in … s.", options: .regularExpression)
    }
  }

  @Test func readmeHasTranscripts() throws {
    #expect(try Self.transcripts().count >= 4)
  }

  /// The transcripts build on each other (a later one reads a file an earlier one wrote), so
  /// they run in order in one directory.
  @Test func transcriptsAreTrue() throws {
    let steps = try Self.transcripts().flatMap { $0 }
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.copyItem(
      at: Repository.root.appendingPathComponent("Datasets"), to: dir.appendingPathComponent("Datasets"))
    let binDirectory = RebuyProcess.executable.deletingLastPathComponent().path
    for step in steps {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/sh")
      process.arguments = ["-c", step.command + " 2>&1"]
      process.currentDirectoryURL = dir
      var environment = ProcessInfo.processInfo.environment
      environment["PATH"] = binDirectory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
      process.environment = environment
      let pipe = Pipe()
      process.standardOutput = pipe
      try process.run()
      let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      var actual = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      if actual.last == "" { actual.removeLast() }
      #expect(Self.normalised(actual) == Self.normalised(step.expected), "README: \(step.command)")
    }
  }
}
