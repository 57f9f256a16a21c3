import Foundation
import Testing
import TestSupport

@Suite struct TrainEvaluateTests {
  static let train = ["train", "Datasets/transactions.csv", "--cutoff", "2024-06-30", "--snapshots", "3", "--every", "90", "--horizon", "90"]

  /// A fixed creation time, so the same inputs give the same bytes.
  static let epoch = ["SOURCE_DATE_EPOCH": "1700000000"]

  @Test func trainWritesTheSameBytesTwiceAndEvaluateReadsIt() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
      let a = try RebuyProcess.run(Self.train + ["-o", dir.appendingPathComponent("a.json").path], environment: Self.epoch)
      let b = try RebuyProcess.run(Self.train + ["-o", dir.appendingPathComponent("b.json").path], environment: Self.epoch)
      #expect(a.status == 0 && b.status == 0, "\(a.stderr)")
      #expect(a.stderr.contains("validating on 4,108 (out of time)"))
      #expect(a.stderr.contains("Validation (cutoff 2024-06-30): 4,108 rows"))
      #expect(a.stderr.contains("recency only     ROC-AUC"))
      let bytesA = try Data(contentsOf: dir.appendingPathComponent("a.json"))
      #expect(bytesA == (try Data(contentsOf: dir.appendingPathComponent("b.json"))))
      let json = try JSONSerialization.jsonObject(with: bytesA) as! [String: Any]
      #expect(json["format"] as? String == "rebuy-model" && json["version"] as? Int == 1)
      let training = json["training"] as! [String: Any]
      #expect(training["created"] as? String == "2023-11-14T22:13:20Z")
      #expect((training["data_sha256"] as? String)?.count == 64)
      #expect(training["cutoffs"] as? [String] == ["2024-01-02", "2024-04-01", "2024-06-30"])
      #expect((json["validation"] as? [String: Any])?["roc_auc"] is Double)
    }
    let evaluated = try RebuyProcess.run(
      ["evaluate", dir.appendingPathComponent("a.json").path, "Datasets/transactions.csv", "--cutoff", "2024-09-30", "--json"])
    #expect(evaluated.status == 0, "\(evaluated.stderr)")
    let report = try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as! [String: Any]
    #expect(report["cutoff"] as? String == "2024-09-30")
    let inner = report["report"] as! [String: Any]
    #expect(inner["rows"] as? Int == 4528)
    #expect((inner["roc_auc"] as! Double) > 0.5)
    let text = try RebuyProcess.run(["evaluate", dir.appendingPathComponent("a.json").path, "Datasets/transactions.csv", "--cutoff", "2024-09-30"])
    #expect(text.stderr.contains("repurchase within 90 days after 2024-09-30: 4,528 rows"))
  }

  @Test func finalModelsAndFeatureTables() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let features = dir.appendingPathComponent("f.csv").path
    #expect(try RebuyProcess.run(["features", "Datasets/transactions.csv", "--cutoff", "2024-06-30", "--horizon", "90", "-o", features]).status == 0)
    let fromTable = try RebuyProcess.run(
      ["train", "--features", features, "--horizon", "90", "--test-fraction", "0", "--target", "repurchase", "-o", dir.appendingPathComponent("m.json").path])
    #expect(fromTable.status == 0, "\(fromTable.stderr)")
    #expect(fromTable.stderr.contains("validating on 0 (none)"))
    let json = try JSONSerialization.jsonObject(with: try Data(contentsOf: dir.appendingPathComponent("m.json"))) as! [String: Any]
    #expect(json["validation"] == nil)
    #expect((json["features"] as! [Any]).count == 23)
    let churn = try RebuyProcess.run(Self.train + ["--target", "churn", "--class-weight", "balanced", "--threshold", "best-f1", "-o", dir.appendingPathComponent("c.json").path])
    #expect(churn.status == 0, "\(churn.stderr)")
    let churnJSON = try JSONSerialization.jsonObject(with: try Data(contentsOf: dir.appendingPathComponent("c.json"))) as! [String: Any]
    #expect((churnJSON["target"] as! [String: Any])["name"] as? String == "churn")
  }

  @Test func badModelsAndDataHaveClearErrors() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = try RebuyProcess.run(["evaluate", "nope.json", "Datasets/transactions.csv", "--cutoff", "2024-09-30"])
    #expect(missing.status == 66)
    #expect(missing.stderr == "Error: nope.json: cannot open: No such file or directory\n")
    let truncated = dir.appendingPathComponent("t.json")
    try Data("{ \"format\" : \"rebuy-mo".utf8).write(to: truncated)
    let bad = try RebuyProcess.run(["evaluate", truncated.path, "Datasets/transactions.csv", "--cutoff", "2024-09-30"])
    #expect(bad.status == 65)
    #expect(bad.stderr.hasPrefix("Error: \(truncated.path): not a usable model file: not valid JSON (is the file truncated or corrupt?)"))
    // Everyone buys again: one class, a clear error, no model file.
    let oneClass = dir.appendingPathComponent("one.csv")
    try Data("customer_id,date,amount\na,2024-01-01,1\na,2024-01-20,1\nb,2024-01-02,1\nb,2024-01-25,2\n".utf8).write(to: oneClass)
    let single = try RebuyProcess.run(["train", oneClass.path, "--cutoff", "2024-01-05", "--horizon", "20", "-o", dir.appendingPathComponent("x.json").path])
    #expect(single.status == 65)
    #expect(single.stderr.contains("Error: every one of the 2 training rows has label 1; a classifier needs both classes"))
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.json").path))
    let noHorizon = try RebuyProcess.run(["train", "--features", "f.csv", "-o", "m.json"])
    #expect(noHorizon.status == 64)
    #expect(noHorizon.stderr.hasPrefix("Error: Give --horizon DAYS"))
    let badC = try RebuyProcess.run(Self.train + ["--c", "0", "-o", "m.json"])
    #expect(badC.status == 64)
  }
}

@Suite struct ExampleModelTests {
  /// `Models/example-<kind>.json` is what `scripts/make-example-models` makes.
  @Test(arguments: ["logistic", "bgnbd", "tree"])
  func exampleModelIsCurrent(kind: String) throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("m.json")
    let outcome = try RebuyProcess.run(
      ["train", "Datasets/transactions.csv", "--cutoff", "2024-10-02", "--snapshots", "3", "--every", "90", "--horizon", "90",
       "--model", kind, "-o", out.path],
      environment: ["SOURCE_DATE_EPOCH": "1767225600"])
    #expect(outcome.status == 0)
    let committed = try Data(contentsOf: Repository.root.appendingPathComponent("Models/example-\(kind).json"))
    #expect(try Data(contentsOf: out) == committed, "run scripts/make-example-models and commit the result")
  }
}

@Suite struct BaselineFlagTests {
  /// A model that only knows recency cannot beat the recency baseline: the report says so.
  @Test func aModelThatDoesNotBeatRecencyIsFlagged() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var rng = SplitMix64(seed: 4)
    var csv = "customer_id,recency_days,repurchase\n"
    for i in 0..<400 {
      let recency = Int(rng.next() % 300)
      let label = rng.nextUnit() < 1 / (1 + exp(Double(recency - 100) / 30)) ? 1 : 0
      csv += "c\(i),\(recency),\(label)\n"
    }
    try Data(csv.utf8).write(to: dir.appendingPathComponent("f.csv"))
    let outcome = try RebuyProcess.run(["train", "--features", "f.csv", "--horizon", "30", "-o", "m.json"], in: dir)
    #expect(outcome.status == 0, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("WARNING: the model does not beat the recency baseline"))
  }
}

@Suite struct ReportPageTests {
  /// The page is written whole, holds every chart as inline SVG and asks nothing of the network
  /// (Notebooks/checks/report_check.py renders it in Chromium).
  @Test func evaluateWritesASelfContainedReport() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let page = dir.appendingPathComponent("report.html")
    let outcome = try RebuyProcess.run(
      ["evaluate", "Models/example-logistic.json", "Datasets/transactions.csv", "--cutoff", "2024-09-30", "--report", page.path])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    let html = try String(contentsOf: page, encoding: .utf8)
    for id in ["roc", "pr", "lift", "gain", "calibration", "histogram", "confusion", "facts"] {
      #expect(html.contains("id=\"\(id)\""), "\(id)")
    }
    #expect(html.components(separatedBy: "<svg").count - 1 == 6)
    #expect(!html.contains("https://") && !html.contains("<script"))
    #expect(html.contains("recency only (AUC"))
  }
}
