import Foundation
import Testing
import TestSupport

@Suite struct ScoreInspectTests {
  static let model = "Models/example-logistic.json"

  @Test func scoresFromTransactionsEqualScoresFromTheFeatureTable() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let scores = dir.appendingPathComponent("s.csv").path
    let fromTransactions = try RebuyProcess.run(["score", Self.model, "Datasets/transactions.csv", "--as-of", "2024-12-31", "-o", scores])
    #expect(fromTransactions.status == 0, "\(fromTransactions.stderr)")
    let features = dir.appendingPathComponent("f.csv").path
    #expect(try RebuyProcess.run(["features", "Datasets/transactions.csv", "--cutoff", "2024-12-31", "-o", features]).status == 0)
    let fromTable = try RebuyProcess.run(["score", Self.model, "--features", features])
    #expect(fromTable.status == 0, "\(fromTable.stderr)")
    let written = try String(contentsOfFile: scores, encoding: .utf8)
    #expect(written == fromTable.stdout)
    let rows = written.split(separator: "\n")
    #expect(rows.first == "customer_id,probability,predicted,decile,reason_1,reason_2,reason_3")
    #expect(rows.count - 1 == 5000)
    // Deciles split the ranking in tenths; the first decile has the highest probabilities.
    let parsed = rows.dropFirst().map { $0.split(separator: ",") }
    let decileOne = parsed.filter { $0[3] == "1" }
    #expect(decileOne.count == 500)
    let lowestTop = decileOne.map { Double($0[1])! }.min()!
    #expect(parsed.filter { $0[3] != "1" }.allSatisfy { Double($0[1])! <= lowestTop })
    let threshold = try #require(
      (try JSONSerialization.jsonObject(with: Data(contentsOf: Repository.root.appendingPathComponent(Self.model))) as? [String: Any])?["threshold"] as? Double)
    #expect(parsed.allSatisfy { ($0[2] == "1") == (Double($0[1])! >= threshold) })
    #expect(parsed[0][4].contains("=") && parsed[0][4].contains("("))
  }

  @Test func scoreIsAFilter() throws {
    let input = try Data(contentsOf: Repository.root.appendingPathComponent("Datasets/transactions.csv"))
    let piped = try RebuyProcess.run(["score", Self.model, "-", "--as-of", "2024-06-30"], input: input)
    let direct = try RebuyProcess.run(["score", Self.model, "Datasets/transactions.csv", "--as-of", "2024-06-30"])
    #expect(piped.status == 0 && direct.status == 0)
    #expect(piped.stdout == direct.stdout && !piped.stdout.isEmpty)
  }

  @Test func scoringNeedsTheModelsFeatures() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("customer_id,recency_days\na,3\n".utf8).write(to: dir.appendingPathComponent("f.csv"))
    let outcome = try RebuyProcess.run(["score", Repository.root.appendingPathComponent(Self.model).path, "--features", "f.csv"], in: dir)
    #expect(outcome.status == 65)
    #expect(outcome.stderr.hasPrefix("Error: the model needs the features tenure_days, orders,"))
  }

  @Test func inspectShowsCoefficientsAndOddsRatiosAndJSONRoundTrips() throws {
    let text = try RebuyProcess.run(["inspect", Self.model])
    #expect(text.status == 0)
    #expect(text.stderr.contains("target: repurchase within 90 days after the cutoff"))
    #expect(text.stderr.contains("odds ratio"))
    #expect(text.stderr.contains("recency_days"))
    #expect(text.stderr.contains("validation (out of time, cutoff 2024-10-02)"))
    let json = try RebuyProcess.run(["inspect", Self.model, "--json"])
    #expect(json.stdout == (try String(contentsOf: Repository.root.appendingPathComponent(Self.model), encoding: .utf8)))
  }
}

@Suite struct ExportTests {
  @Test func exportWritesTheSameONNXBytesEveryTime() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = try RebuyProcess.run(["export", ScoreInspectTests.model, "--format", "onnx", "-o", dir.appendingPathComponent("a.onnx").path])
    let b = try RebuyProcess.run(["export", ScoreInspectTests.model, "-o", dir.appendingPathComponent("b.onnx").path])
    #expect(a.status == 0 && b.status == 0, "\(a.stderr)")
    #expect(a.stderr.contains("ONNX opset 17, 23 inputs"))
    let bytes = try Data(contentsOf: dir.appendingPathComponent("a.onnx"))
    #expect(bytes == (try Data(contentsOf: dir.appendingPathComponent("b.onnx"))))
    // The graph names its inputs after the features.
    #expect(bytes.range(of: Data("recency_days".utf8)) != nil && bytes.range(of: Data("probability".utf8)) != nil)
    let badFormat = try RebuyProcess.run(["export", ScoreInspectTests.model, "--format", "pmml", "-o", "x"])
    #expect(badFormat.status == 64 && badFormat.stderr.hasPrefix("Error: --format must be onnx, got 'pmml'."))
  }
}

@Suite struct CLVCommandTests {
  @Test func clvWritesOneRowPerCustomerAndPrintsTheParameters() throws {
    let outcome = try RebuyProcess.run(["clv", "Datasets/transactions.csv", "--as-of", "2024-12-31"])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("BG/NBD on 5,000 customers (time in days):") && outcome.stderr.contains("Gamma-Gamma spend: p "))
    #expect(outcome.stderr.contains("correlation of repeat purchases and mean spend"))
    let rows = outcome.stdout.split(separator: "\n")
    #expect(rows.first == "customer_id,p_alive,expected_purchases,expected_spend,clv")
    #expect(rows.count - 1 == 5000)
    for row in rows.dropFirst() {
      let v = row.split(separator: ",").dropFirst().map { Double($0)! }
      #expect(v[0] >= 0 && v[0] <= 1 && v[1] >= 0 && v[2] > 0 && v[3] >= 0, "\(row)")
    }
    let bad = try RebuyProcess.run(["clv", "Datasets/transactions.csv", "--as-of", "2024-12-31", "--horizon-months", "0"])
    #expect(bad.status == 64)
    // Weeks are the same model: the same values to rounding.
    let weeks = try RebuyProcess.run(["clv", "Datasets/transactions.csv", "--as-of", "2024-12-31", "--time-unit", "weeks"])
    #expect(weeks.stderr.contains("(time in weeks)"))
    func values(_ csv: String) -> [Double] { csv.split(separator: "\n").dropFirst().flatMap { $0.split(separator: ",").dropFirst().map { Double($0)! } } }
    expectClose(values(weeks.stdout), values(outcome.stdout), relativeTolerance: 1e-5, absoluteTolerance: 1e-7)
  }

  /// A saved BG/NBD model applies its parameters instead of fitting; a logistic model cannot.
  @Test func clvWithASavedModel() throws {
    let outcome = try RebuyProcess.run(["clv", "Datasets/transactions.csv", "--as-of", "2024-12-31", "--model", "Models/example-bgnbd.json"])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("Parameters from Models/example-bgnbd.json:") && outcome.stderr.contains("BG/NBD on 4,132 customers"))
    let wrong = try RebuyProcess.run(["clv", "Datasets/transactions.csv", "--as-of", "2024-12-31", "--model", ScoreInspectTests.model])
    #expect(wrong.status == 65 && wrong.stderr.contains("rebuy clv needs a bgnbd model"), "\(wrong.stderr)")
  }
}
