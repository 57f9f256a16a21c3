import Foundation
import Testing
import TestSupport

/// `rebuy train --model bgnbd|all`, `--btyd-features`, and BG/NBD models through evaluate,
/// score, inspect and clv.
@Suite struct CustomerBaseCommandTests {
  static let train = [
    "train", "Datasets/transactions.csv", "--cutoff", "2024-09-30", "--snapshots", "3", "--every", "90", "--horizon", "90",
  ]

  /// Every model on one split: three model files, a leaderboard that lists them best first with
  /// the recency baseline, and each file usable by evaluate, score and inspect.
  @Test func modelAllWritesALeaderboardAndUsableFiles() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("models").path
    let outcome = try RebuyProcess.run(Self.train + ["--model", "all", "--btyd-features", "-o", out])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("Leaderboard on the validation rows (4,528):"))
    let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
    #expect(
      names == [
        "bgnbd.json", "boosted-btyd.json", "boosted.json", "forest-btyd.json", "forest.json", "leaderboard.csv", "logistic-btyd.json",
        "logistic.json", "tree-btyd.json", "tree.json",
      ])
    let board = try String(contentsOfFile: "\(out)/leaderboard.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    #expect(board[0].joined(separator: ",") == "model,roc_auc,pr_auc,best_f1,f1,threshold,log_loss,brier_score")
    #expect(Set(board.dropFirst().map { String($0[0]) }) == ["logistic", "logistic-btyd", "tree", "tree-btyd", "forest", "forest-btyd", "boosted", "boosted-btyd", "bgnbd", "recency_only"])
    let aucs = board.dropFirst().dropLast().map { Double($0[1])! }
    #expect(aucs == aucs.sorted(by: >), "best first")
    // Every model beats recency alone on this data.
    #expect(aucs.filter { $0 > Double(board.last![1])! }.count >= aucs.count - 1, "\(aucs)")
    for name in ["logistic", "logistic-btyd", "tree", "tree-btyd", "forest", "forest-btyd", "boosted", "boosted-btyd", "bgnbd"] {
      let path = "\(out)/\(name).json"
      let evaluated = try RebuyProcess.run(["evaluate", path, "Datasets/transactions.csv", "--cutoff", "2024-09-30", "--json"])
      #expect(evaluated.status == 0, "\(evaluated.stderr)")
      // The same validation rows as in training: the same ROC-AUC as in the leaderboard.
      let json = try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as! [String: Any]
      let auc = (json["report"] as! [String: Any])["roc_auc"] as! Double
      let listed = Double(board.first { $0[0] == name }![1])!
      expectClose(auc, listed, relativeTolerance: 1e-12, name)
      #expect((json["counts"] != nil) == (name == "bgnbd"))
      let scored = try RebuyProcess.run(["score", path, "Datasets/transactions.csv", "--as-of", "2024-12-31"])
      #expect(scored.status == 0 && scored.stdout.split(separator: "\n").count == 5001, "\(scored.stderr)")
      let inspected = try RebuyProcess.run(["inspect", path])
      #expect(inspected.status == 0, "\(inspected.stderr)")
    }
  }

  @Test func bgnbdModelReportsCountsAndExplainsItself() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("bgnbd.json").path
    let outcome = try RebuyProcess.run(Self.train + ["--model", "bgnbd", "--time-unit", "weeks", "-o", model])
    #expect(outcome.status == 0, "\(outcome.stderr)")
    #expect(outcome.stderr.contains("BG/NBD on 4,121 customers (time in weeks):"))
    #expect(outcome.stderr.contains("Expected against actual purchase days in the 90 days after the cutoff:"))
    #expect(outcome.stderr.contains("correlation of repeat purchases and mean spend"))
    let inspected = try RebuyProcess.run(["inspect", model])
    #expect(inspected.stderr.contains("bgnbd, format rebuy-model version 1"))
    #expect(inspected.stderr.contains("r ") && inspected.stderr.contains("(se "))
    let scored = try RebuyProcess.run(["score", model, "Datasets/transactions.csv", "--as-of", "2024-12-31"])
    let first = scored.stdout.split(separator: "\n")[1].split(separator: ",")
    #expect(first[4].hasPrefix("p_alive=") && first[5].hasPrefix("expected_purchases=") && first[6].hasPrefix("expected_spend="))
    // The weeks model is the days model: the same scores to rounding.
    let days = dir.appendingPathComponent("days.json").path
    #expect(try RebuyProcess.run(Self.train + ["--model", "bgnbd", "-o", days]).status == 0)
    let daysScored = try RebuyProcess.run(["score", days, "Datasets/transactions.csv", "--as-of", "2024-12-31"])
    func probabilities(_ csv: String) -> [Double] { csv.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[1])! } }
    expectClose(probabilities(scored.stdout), probabilities(daysScored.stdout), relativeTolerance: 1e-5, absoluteTolerance: 1e-8)
  }

  /// Data BG/NBD cannot learn from: customers who all buy every ten days and never stop. The
  /// model is refused with the reason; in --model all, the other models still go ahead.
  @Test func unidentifiableDataIsExplained() throws {
    let dir = try RebuyProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var csv = "customer_id,date,amount\n"
    for c in 0..<300 {
      for k in 0..<36 {
        let day = Calendar(identifier: .gregorian).date(byAdding: .day, value: c % 10 + 10 * k, to: Date(timeIntervalSince1970: 1_704_067_200))!
        let text = ISO8601DateFormatter().string(from: day).prefix(10)
        // A second product line now and then, and a few customers who stop, so the
        // classifiers have two classes.
        if c % 5 == 0 && k > 20 { break }
        csv += "c\(c),\(text),10\n"
      }
    }
    try Data(csv.utf8).write(to: dir.appendingPathComponent("steady.csv"))
    let args = ["train", "steady.csv", "--cutoff", "2024-10-01", "--horizon", "60"]
    let alone = try RebuyProcess.run(args + ["--model", "bgnbd", "-o", "m.json"], in: dir)
    #expect(alone.status == 65)
    #expect(alone.stderr.contains("ran off to") && alone.stderr.contains("BG/NBD needs customers who differ and some who stop buying"), "\(alone.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("m.json").path))
    let all = try RebuyProcess.run(args + ["--model", "all", "-o", "all"], in: dir)
    #expect(all.status == 0, "\(all.stderr)")
    #expect(all.stderr.contains("bgnbd could not be fitted:") && all.stderr.contains("not fitted"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("all").path).sorted() == ["boosted.json", "forest.json", "leaderboard.csv", "logistic.json", "tree.json"])
  }

  @Test func optionsThatDoNotGoTogether() throws {
    let both = try RebuyProcess.run(Self.train + ["--model", "bgnbd", "--btyd-features", "-o", "/tmp/never.json"])
    #expect(both.status == 64 && both.stderr.contains("--btyd-features gives BG/NBD's output to the other models"))
    let all = try RebuyProcess.run(Self.train + ["--model", "all", "--test-fraction", "0", "-o", "/tmp/never"])
    #expect(all.status == 64 && all.stderr.contains("--model all compares models on validation rows"))
  }
}
