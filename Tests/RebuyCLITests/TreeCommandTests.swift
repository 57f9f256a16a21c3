import Foundation
import Testing
import TestSupport

/// `rebuy train --model tree`, and trees through inspect, score, evaluate and export.
@Suite struct TreeCommandTests {
  /// Trains one model of `kind` (with `options`) into `dir`; returns its path, what training
  /// printed, the model file and its `parameters` (after checking the file's `kind`).
  func train(_ kind: String, _ options: [String], in dir: URL, fileKind: String) throws
    -> (model: String, stderr: String, file: [String: Any], parameters: [String: Any])
  {
    let model = dir.appendingPathComponent("\(kind).json").path
    let trained = try RebuyProcess.run(CustomerBaseCommandTests.train + ["--model", kind] + options + ["-o", model])
    #expect(trained.status == 0, "\(trained.stderr)")
    let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as! [String: Any]
    #expect(file["kind"] as? String == fileKind)
    return (model, trained.stderr, file, file["parameters"] as! [String: Any])
  }

  @Test func treeTrainsExplainsAndScores() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (model, printed, file, parameters) = try train(
      "tree", ["--max-depth", "4", "--min-samples-leaf", "30"], in: dir, fileKind: "decision_tree")
    #expect(printed.contains("Fit: grown to ") && printed.contains("Most important: recency_days"))
    #expect(parameters["max_depth"] as? Int == 4 && parameters["min_samples_leaf"] as? Int == 30)
    let nodes = parameters["nodes"] as! [String: Any]
    let samples = nodes["samples"] as! [Int], left = nodes["left"] as! [Int]
    #expect(zip(samples, left).filter { $0.1 < 0 }.allSatisfy { $0.0 >= 30 }, "every leaf has at least 30 rows")

    // The rules: an outline whose leaves add up to the training rows.
    let inspected = try RebuyProcess.run(["inspect", model])
    #expect(inspected.status == 0 && inspected.stderr.contains("decision_tree, format rebuy-model version 1"))
    #expect(inspected.stderr.contains("feature importances (share of the impurity decrease):"))
    let leafRows = inspected.stderr.split(separator: "\n").filter { $0.contains("→ repurchase P ") }.map { line -> Int in
      Int(line.split(separator: "[")[1].split(separator: " ")[0].replacingOccurrences(of: ",", with: ""))!
    }
    #expect(leafRows.reduce(0, +) == samples[0] && leafRows.count == left.filter { $0 < 0 }.count)
    // One customer's path ends where rebuy score puts them.
    let path = try RebuyProcess.run(
      ["inspect", model, "--customer", "C0000002", "--transactions", "Datasets/transactions.csv", "--as-of", "2024-12-31"])
    #expect(path.status == 0, "\(path.stderr)")
    let scored = try RebuyProcess.run(["score", model, "Datasets/transactions.csv", "--as-of", "2024-12-31"])
    let row = scored.stdout.split(separator: "\n").first { $0.hasPrefix("C0000002,") }!.split(separator: ",")
    let probability = Double(row[1])!
    #expect(path.stderr.contains("C0000002 as of 2024-12-31: P \(String(format: "%.3f", probability))"), "\(path.stderr)")
    // Reasons are conditions on the path.
    #expect(row[4].contains("<=") || row[4].contains(">"))
    let missing = try RebuyProcess.run(
      ["inspect", model, "--customer", "nobody", "--transactions", "Datasets/transactions.csv", "--as-of", "2024-12-31"])
    #expect(missing.status == 65 && missing.stderr.contains("customer 'nobody' has no purchase on or before 2024-12-31"))

    // Evaluate on the validation cutoff gives the validation numbers in the file.
    let evaluated = try RebuyProcess.run(["evaluate", model, "Datasets/transactions.csv", "--cutoff", "2024-09-30", "--json"])
    let report = (try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as! [String: Any])["report"] as! [String: Any]
    expectClose(report["roc_auc"] as! Double, (file["validation"] as! [String: Any])["roc_auc"] as! Double, relativeTolerance: 1e-12)
    // The ONNX export (checked against onnxruntime by Notebooks/checks/onnx_check.py).
    let exported = try RebuyProcess.run(["export", model, "--format", "onnx", "-o", dir.appendingPathComponent("t.onnx").path])
    #expect(exported.status == 0 && exported.stderr.contains("23 inputs"), "\(exported.stderr)")
  }

  @Test func sameInputsSameFile() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    for name in ["a", "b"] {
      let outcome = try RebuyProcess.run(
        CustomerBaseCommandTests.train + ["--model", "tree", "--criterion", "entropy", "-o", dir.appendingPathComponent(name).path],
        environment: ["SOURCE_DATE_EPOCH": "1767225600"])
      #expect(outcome.status == 0)
    }
    #expect(try Data(contentsOf: dir.appendingPathComponent("a")) == (try Data(contentsOf: dir.appendingPathComponent("b"))))
    let bad = try RebuyProcess.run(CustomerBaseCommandTests.train + ["--model", "tree", "--min-samples-leaf", "0", "-o", "/tmp/never"])
    #expect(bad.status == 64 && bad.stderr.contains("--min-samples-leaf must be at least 1"))
  }

  @Test func forestTrainsExplainsAndScores() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (model, printed, file, parameters) = try train(
      "forest", ["--trees", "20", "--max-features", "0.3"], in: dir, fileKind: "random_forest")
    #expect(printed.contains("Fit: grew 20 trees") && printed.contains("out-of-bag accuracy"))
    #expect((parameters["trees"] as! [Any]).count == 20 && parameters["max_features"] as? Int == 6)
    #expect(parameters["max_depth"] as? Int == 12 && parameters["min_samples_leaf"] as? Int == 20, "the forest's defaults")
    let inspected = try RebuyProcess.run(["inspect", model])
    #expect(inspected.stderr.contains("forest: 20 trees (bootstrap, 6 of 23 features tried a split, seed 1)"), "\(inspected.stderr)")
    let scored = try RebuyProcess.run(["score", model, "Datasets/transactions.csv", "--as-of", "2024-12-31"])
    let first = scored.stdout.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false)
    #expect(first.count == 7 && first[4].contains("=") && first[4].contains("("), "\(first)")
    let evaluated = try RebuyProcess.run(["evaluate", model, "Datasets/transactions.csv", "--cutoff", "2024-09-30", "--json"])
    let report = (try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as! [String: Any])["report"] as! [String: Any]
    expectClose(report["roc_auc"] as! Double, (file["validation"] as! [String: Any])["roc_auc"] as! Double, relativeTolerance: 1e-12)
    // The same seed, the same forest, byte for byte.
    for name in ["a.json", "b.json"] {
      let outcome = try RebuyProcess.run(
        CustomerBaseCommandTests.train + ["--model", "forest", "--trees", "20", "-o", dir.appendingPathComponent(name).path],
        environment: ["SOURCE_DATE_EPOCH": "1767225600"])
      #expect(outcome.status == 0)
    }
    #expect(try Data(contentsOf: dir.appendingPathComponent("a.json")) == (try Data(contentsOf: dir.appendingPathComponent("b.json"))))
  }

  @Test func boostedTreesTrainExplainAndScore() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (model, printed, file, parameters) = try train(
      "boosted", ["--rounds", "300", "--learning-rate", "0.2", "--max-leaves", "15", "--early-stopping", "10"], in: dir,
      fileKind: "boosted_trees")
    #expect(printed.contains("Fit: boosted ") && printed.contains("stopped early"), "\(printed)")
    let trees = parameters["trees"] as! [[String: Any]]
    #expect(trees.count < 300 && trees.allSatisfy { ($0["left"] as! [Int]).filter { $0 < 0 }.count <= 15 })
    let inspected = try RebuyProcess.run(["inspect", model])
    #expect(inspected.stderr.contains("boosted trees: \(trees.count) trees, learning rate 0.2, at most 15 leaves"), "\(inspected.stderr)")
    let scored = try RebuyProcess.run(["score", model, "Datasets/transactions.csv", "--as-of", "2024-12-31"])
    let first = scored.stdout.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false)
    #expect(first.count == 7 && first[4].contains("=") && first[4].contains("("), "\(first)")
    let evaluated = try RebuyProcess.run(["evaluate", model, "Datasets/transactions.csv", "--cutoff", "2024-09-30", "--json"])
    let report = (try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as! [String: Any])["report"] as! [String: Any]
    expectClose(report["roc_auc"] as! Double, (file["validation"] as! [String: Any])["roc_auc"] as! Double, relativeTolerance: 1e-12)
  }
}
