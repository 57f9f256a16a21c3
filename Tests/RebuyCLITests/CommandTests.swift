import Foundation
import Testing
import TestSupport

@Suite struct CommandTests {
  /// `--help` of every command, verbatim against `Tests/Fixtures/help/*.txt`. After a deliberate
  /// change, run the tests with `REBUY_UPDATE_HELP=1` once and review the diff.
  @Test(arguments: [[], ["features"], ["generate"], ["demo"], ["train"], ["evaluate"], ["score"], ["inspect"], ["export"], ["clv"], ["segment"], ["cohorts"], ["cluster"], ["rules"]])
  func helpIsCompleteAndStable(command: [String]) throws {
    let outcome = try RebuyProcess.run(command + ["--help"])
    #expect(outcome.status == 0)
    let name = (command.first ?? "rebuy") + ".txt"
    let golden = Repository.fixture("help").appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["REBUY_UPDATE_HELP"] == "1" {
      try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(outcome.stdout.utf8).write(to: golden)
    }
    #expect(outcome.stdout == (try String(contentsOf: golden, encoding: .utf8)))
  }

  @Test func featuresHelpNamesEveryOption() throws {
    let help = try RebuyProcess.run(["features", "--help"]).stdout
    for option in [
      "--cutoff", "--cutoffs", "--snapshots", "--every", "--horizon", "--customer-col", "--date-col", "--amount-col",
      "--category-col", "--channel-col", "--order-col", "--date-format", "--delimiter", "--skip-bad-rows", "--output",
    ] {
      #expect(help.contains(option), "\(option)")
    }
  }

  @Test func standardInputGivesTheSameFeaturesAsTheFile() throws {
    let messy = Repository.fixture("messy.csv")
    let fromFile = try RebuyProcess.run(["features", messy.path, "--cutoff", "2024-06-30", "--horizon", "30"])
    let fromStdin = try RebuyProcess.run(
      ["features", "-", "--cutoff", "2024-06-30", "--horizon", "30"], input: try Data(contentsOf: messy))
    #expect(fromFile.status == 0 && fromStdin.status == 0)
    #expect(fromFile.stdout == fromStdin.stdout)
    let lines = fromFile.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.first?.hasSuffix(",categories,channels,repurchase") == true)
    #expect(fromFile.stdout.contains("\"quote\"\"d\",2024-06-30,0,1,2,1,30.0,"))
    #expect(fromStdin.stderr.contains("Read 25 rows: 9 customers, 2019-12-01 to 2024-08-01"))
  }

  @Test func stackedSnapshotsAreKeyedByCustomerAndCutoff() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let outcome = try RebuyProcess.run(
      ["features", "Datasets/transactions.csv", "--cutoff", "2024-09-30", "--snapshots", "3", "--every", "90", "--horizon", "90",
       "-o", dir.appendingPathComponent("f.csv").path])
    #expect(outcome.status == 0)
    let rows = try String(contentsOf: dir.appendingPathComponent("f.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
    let cutoffs = Set(rows.map { $0.split(separator: ",")[1] })
    #expect(cutoffs == ["2024-04-03", "2024-07-02", "2024-09-30"])
    let keys = rows.map { $0.split(separator: ",").prefix(2).joined(separator: ",") }
    #expect(Set(keys).count == rows.count)
    let same = try RebuyProcess.run(
      ["features", "Datasets/transactions.csv", "--cutoffs", "2024-09-30,2024-04-03,2024-07-02", "--horizon", "90"])
    #expect(same.stdout == (try String(contentsOf: dir.appendingPathComponent("f.csv"), encoding: .utf8)))
  }

  @Test func generateIsSeededAndAtomic() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = try RebuyProcess.run(["generate", "--customers", "300", "--seed", "4", "-o", "a.csv"], in: dir)
    let b = try RebuyProcess.run(["generate", "--customers", "300", "--seed", "4"], in: dir)
    #expect(a.status == 0 && b.status == 0)
    #expect(try String(contentsOf: dir.appendingPathComponent("a.csv"), encoding: .utf8) == b.stdout)
    #expect(a.stderr.hasPrefix("Wrote ") && a.stderr.contains("rows for 300 customers to a.csv"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.csv"])
    let missingDirectory = try RebuyProcess.run(["generate", "--customers", "3", "-o", "no/such/dir/x.csv"], in: dir)
    #expect(missingDirectory.status == 74)
    #expect(missingDirectory.stderr == "Error: no/such/dir/x.csv: cannot write: No such file or directory\n")
  }

  @Test func demoRunsOnTheBundledDatasetAndWithoutIt() throws {
    let bundled = try RebuyProcess.run(["demo"])
    #expect(bundled.status == 0)
    #expect(bundled.stdout == "")
    #expect(bundled.stderr.contains("Reading Datasets/transactions.csv."))
    #expect(bundled.stderr.contains("features and labels as of 2024-10-02, horizon 90 days"))
    #expect(bundled.stderr.contains("monetary_repeat_mean"))
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let generated = try RebuyProcess.run(["demo"], in: dir)
    #expect(generated.status == 0)
    #expect(generated.stderr.contains("generating the same data (seed 7)"))
    // The same summary either way, from its title to the timing line.
    func summary(_ text: String) -> [String] {
      text.split(separator: "\n").drop { !$0.hasPrefix("Rebuy demo:") }.prefix { !$0.hasPrefix("Done in") }
        .map { $0.replacingOccurrences(of: #"\(\d+\.\d+ s\)"#, with: "(… s)", options: .regularExpression) }
    }
    #expect(summary(generated.stderr).count > 20)
    #expect(summary(generated.stderr) == summary(bundled.stderr))
  }
}

@Suite struct ProgressTests {
  /// Runs `rebuy` under a pseudo-terminal (util-linux `script`), so standard error is a terminal.
  static func inTerminal(_ arguments: [String]) throws -> String {
    let command = ([RebuyProcess.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    process.arguments = ["-qec", command, "/dev/null"]
    process.currentDirectoryURL = Repository.root
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardInput = Pipe()
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return output
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
  func progressShowsOnATerminalOnlyAndQuietSilencesIt() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let data = dir.appendingPathComponent("tx.csv").path
    #expect(try RebuyProcess.run(["generate", "--customers", "30000", "--seed", "2", "-o", data]).status == 0)
    let shown = try Self.inTerminal(["features", data, "--cutoff", "2024-06-30", "-o", dir.appendingPathComponent("f.csv").path])
    #expect(shown.contains("Reading \(data) [") && shown.contains("MB/s ETA"))
    let quiet = try Self.inTerminal(["features", data, "--cutoff", "2024-06-30", "--quiet", "-o", dir.appendingPathComponent("g.csv").path])
    #expect(!quiet.contains("ETA") && quiet.contains("Read "))
    // Not a terminal: no progress line at all.
    let piped = try RebuyProcess.run(["features", data, "--cutoff", "2024-06-30", "-o", dir.appendingPathComponent("h.csv").path])
    #expect(!piped.stderr.contains("ETA") && !piped.stderr.contains("\r"))
  }
}
