import CustomerBase
import Evaluation
import Foundation
import Learners
import ModelIO
import Testing
import TestSupport

@Suite struct ModelFileTests {
  static func sample() throws -> ModelFile {
    let x = FeatureMatrix(featureNames: ["recency_days", "orders"], rows: [[1, 5], [30, 1], [nil, 2], [5, 4], [60, 1], [2, 3]])
    let y = Labels([1, 0, 0, 1, 0, 1])
    let model = try LogisticRegression().fit(x, y)
    let p = try model.predictProbability(x)
    let report = ClassificationReport(labels: y.values, probabilities: p, threshold: 0.5)
    return ModelFile(
      model: model, target: .init(name: "repurchase", horizonDays: 90), threshold: 0.5,
      training: .init(
        dataSHA256: String(repeating: "a", count: 64), rows: 6, positives: 3, cutoffs: ["2024-06-30"], skippedRows: 0,
        created: "2026-01-01T00:00:00Z", rebuyVersion: "0.1.0", seed: 1, c: 1, classWeight: "none", validation: "none",
        fit: model.diagnostics),
      validation: .init(report: report, baselines: Baselines(labels: y.values, recencyDays: [1, 30, .nan, 5, 60, 2]), cutoff: nil))
  }

  @Test func roundTripsAndEncodesTheSameBytes() throws {
    let file = try Self.sample()
    let bytes = try file.encoded()
    let back = try ModelFile.decode(bytes, file: "m.json")
    #expect(back == file)
    #expect(try back.encoded() == bytes)
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.contains("\"format\" : \"rebuy-model\""))
    #expect(text.contains("\"horizon_days\" : 90"))
    // The model the file describes scores like the fitted one.
    let x = FeatureMatrix(featureNames: ["recency_days", "orders"], rows: [[3, 2], [nil, nil]])
    #expect(try back.logisticRegression!.predictProbability(x) == (try file.logisticRegression!.predictProbability(x)))
    #expect(try back.predictProbability(x) == (try file.logisticRegression!.predictProbability(x)))
  }

  func decodeError(_ edit: (inout [String: Any]) -> Void) throws -> String {
    var json = try JSONSerialization.jsonObject(with: try Self.sample().encoded()) as! [String: Any]
    edit(&json)
    let data = try JSONSerialization.data(withJSONObject: json)
    do {
      _ = try ModelFile.decode(data, file: "m.json")
      return "decoded"
    } catch {
      return error.description
    }
  }

  @Test func newerVersionIsRefusedWithAMessageThatSaysSo() throws {
    #expect(try decodeError { $0["version"] = 2 } == "m.json: not a usable model file: version: version 2 is newer than this Rebuy reads (1); upgrade Rebuy to use this model")
  }

  @Test func handEditedFilesNameWhatIsWrong() throws {
    #expect(try decodeError { $0["format"] = "pickle" }.contains("format is 'pickle', not 'rebuy-model'"))
    #expect(try decodeError { json in
      var p = json["parameters"] as! [String: Any]
      p["coefficients"] = [1.0]
      json["parameters"] = p
    }.contains("parameters: 1 coefficients for 2 features"))
    #expect(try decodeError { $0["threshold"] = 1.5 }.contains("threshold must be in [0, 1], got 1.5"))
    #expect(try decodeError { $0.removeValue(forKey: "target") }.contains("missing field 'target'"))
    #expect(try decodeError { json in
      var features = json["features"] as! [[String: Any]]
      features[0]["scale"] = 0.0
      json["features"] = features
    }.contains("finite scale > 0"))
    #expect(try decodeError { $0["kind"] = "neural_net" }.contains("kind 'neural_net' is not one this Rebuy knows"))
  }

  @Test func truncatedAndCorruptFiles() throws {
    let bytes = try Self.sample().encoded()
    for broken in [bytes.prefix(bytes.count / 2), Data("{ not json".utf8), Data()] {
      #expect(throws: ModelFileError.self) { try ModelFile.decode(Data(broken), file: "m.json") }
    }
    do {
      _ = try ModelFile.decode(bytes.prefix(40), file: "m.json")
    } catch {
      #expect(error.description.contains("not valid JSON (is the file truncated or corrupt?)"))
    }
  }
}

/// BG/NBD model files, and logistic regressions that read BG/NBD features.
@Suite struct CustomerBaseModelFileTests {
  /// The first 1,000 histories of the lifetimes fixture (the bundled dataset at 2024-06-30) as
  /// a feature table, with a column the BG/NBD model does not read.
  static let table: FeatureMatrix = {
    let json = try! Fixture.json("btyd_reference")
    let x = json["x"] as! [Double], tx = json["t_x"] as! [Double], T = json["T"] as! [Double]
    let spend = json["clv_mean_spend"] as! [Double]
    return FeatureMatrix(
      featureNames: ["frequency", "recency_days", "tenure_days", "monetary_repeat_mean", "orders"],
      rows: (0..<1000).map { i -> [Double?] in
        let mean: Double? = x[i] > 0 ? spend[i] : nil
        let recency: Double = T[i] - tx[i]
        return [x[i], recency, T[i], mean, x[i] + 1]
      })
  }()

  static func fitted() throws -> CustomerBaseModel {
    let (model, problem) = try CustomerBaseModel.fit(table, timeUnit: .weeks)
    #expect(problem == nil)
    return model
  }

  static func file(_ model: CustomerBaseModel, target: String) -> ModelFile {
    ModelFile(
      model: model, target: .init(name: target, horizonDays: 60), threshold: 0.3,
      training: .init(
        dataSHA256: String(repeating: "b", count: 64), rows: 1000, positives: 400, cutoffs: ["2024-06-30"], skippedRows: 0,
        created: "2026-01-01T00:00:00Z", rebuyVersion: "0.1.0", seed: 1, validation: "none", fit: model.purchases.diagnostics),
      validation: nil)
  }

  @Test func roundTripsAndScoresLikeTheModel() throws {
    let model = try Self.fitted()
    #expect(model.spend != nil && model.timeUnit == .weeks && model.customers == 1000)
    for target in ["repurchase", "churn"] {
      let file = Self.file(model, target: target)
      let bytes = try file.encoded()
      let back = try ModelFile.decode(bytes, file: "m.json")
      #expect(back == file)
      #expect(try back.encoded() == bytes)
      #expect(back.features.map(\.name) == ["frequency", "recency_days", "tenure_days", "monetary_repeat_mean"])
      // P(a purchase within 60 days): the horizon in weeks, from each row's history.
      let expected = try CustomerBaseModel.histories(Self.table, timeUnit: .weeks).map {
        model.purchases.probabilityOfPurchase(in: 60.0 / 7, $0)
      }
      let probabilities = try back.predictProbability(Self.table)
      #expect(probabilities == (target == "churn" ? expected.map { 1 - $0 } : expected))
    }
    // Without the history features it cannot score, and says what is missing.
    #expect(throws: ScoreError.self) { try Self.file(model, target: "repurchase").predictProbability(Self.table.columns(["orders"])!) }
  }

  @Test func handEditedBGNBDFilesNameWhatIsWrong() throws {
    func decodeError(_ edit: (inout [String: Any]) -> Void) throws -> String {
      var json = try JSONSerialization.jsonObject(with: try Self.file(try Self.fitted(), target: "repurchase").encoded()) as! [String: Any]
      edit(&json)
      do {
        _ = try ModelFile.decode(try JSONSerialization.data(withJSONObject: json), file: "m.json")
        return "decoded"
      } catch {
        return "\(error)"
      }
    }
    #expect(try decodeError { json in
      var p = json["parameters"] as! [String: Any]
      var b = p["bgnbd"] as! [String: Any]
      b["r"] = -1.0
      p["bgnbd"] = b
      json["parameters"] = p
    }.contains("bgnbd.r must be a finite number > 0, got -1.0"))
    #expect(try decodeError { json in
      json["features"] = [["name": "frequency"], ["name": "tenure_days"]]
    }.contains("a bgnbd model reads recency_days"))
    #expect(try decodeError { json in
      var p = json["parameters"] as! [String: Any]
      p["time_unit"] = "fortnights"
      json["parameters"] = p
    }.contains("parameters.time_unit"))
  }

  /// A logistic regression on BG/NBD features scores raw feature tables by computing them
  /// first; its file must carry the BG/NBD model.
  @Test func logisticRegressionOnBTYDFeatures() throws {
    let btyd = try Self.fitted()
    let augmented = try btyd.appendingDerivedFeatures(to: Self.table, horizonDays: 60)
    #expect(augmented.featureNames.suffix(2) == ["btyd_p_alive", "btyd_expected_purchases"])
    let inputs = try #require(augmented.columns(["orders", "btyd_p_alive", "btyd_expected_purchases"]))
    let labels = Labels((0..<1000).map { UInt8(($0 * 7919) % 3 == 0 ? 1 : 0) })
    let model = try LogisticRegression().fit(inputs, labels)
    let file = ModelFile(
      model: model, target: .init(name: "repurchase", horizonDays: 60), threshold: 0.5,
      training: .init(
        dataSHA256: String(repeating: "c", count: 64), rows: 1000, positives: 333, cutoffs: [], skippedRows: 0,
        created: "2026-01-01T00:00:00Z", rebuyVersion: "0.1.0", seed: 1, c: 1, classWeight: "none", validation: "none",
        fit: model.diagnostics),
      validation: nil, btydFeatures: btyd)
    #expect(file.inputFeatures == ["orders", "frequency", "recency_days", "tenure_days"])
    let back = try ModelFile.decode(try file.encoded(), file: "m.json")
    #expect(try back.predictProbability(Self.table) == (try model.predictProbability(inputs)))
    // Without the BG/NBD model the btyd_* features cannot be computed: the file is refused.
    var json = try JSONSerialization.jsonObject(with: try file.encoded()) as! [String: Any]
    json.removeValue(forKey: "btyd_features")
    #expect(throws: ModelFileError.self) { try ModelFile.decode(try JSONSerialization.data(withJSONObject: json), file: "m.json") }
    // Nor can it be exported to ONNX (no hypergeometric function there).
    #expect(throws: ONNXExporter.ExportError.self) { try ONNXExporter.export(file) }
  }
}

@Suite struct TreeModelFileTests {
  static func file() throws -> ModelFile {
    let x = FeatureMatrix(featureNames: ["recency_days", "orders"], rows: (0..<60).map { i -> [Double?] in [Double(i), i % 7 == 0 ? nil : Double(i % 5)] })
    let y = Labels((0..<60).map { UInt8($0 < 30 ? 1 : 0) })
    let settings = DecisionTree(maxDepth: 3, minSamplesLeaf: 2)
    let model = try settings.fit(x, y)
    return ModelFile(
      model: model, settings: settings, target: .init(name: "repurchase", horizonDays: 90), threshold: 0.5,
      training: .init(
        dataSHA256: String(repeating: "d", count: 64), rows: 60, positives: 30, cutoffs: [], skippedRows: 0,
        created: "2026-01-01T00:00:00Z", rebuyVersion: "0.1.0", seed: 1, classWeight: "none", validation: "none",
        fit: FitDiagnostics(iterations: model.depth, gradientNorm: 0, objective: 0, reason: "grown", converged: true)),
      validation: nil)
  }

  @Test func roundTripsAndScoresLikeTheTree() throws {
    let file = try Self.file()
    let bytes = try file.encoded()
    let back = try ModelFile.decode(bytes, file: "t.json")
    #expect(back == file)
    #expect(try back.encoded() == bytes)
    let x = FeatureMatrix(featureNames: ["orders", "recency_days"], rows: [[1, 3], [nil, 50], [4, nil]])
    #expect(try back.predictProbability(x) == (try file.decisionTree!.predictProbability(x.columns(["recency_days", "orders"])!)))
  }

  @Test func handEditedTreesNameWhatIsWrong() throws {
    func decodeError(_ edit: (inout [String: Any]) -> Void) throws -> String {
      var json = try JSONSerialization.jsonObject(with: try Self.file().encoded()) as! [String: Any]
      edit(&json)
      do {
        _ = try ModelFile.decode(try JSONSerialization.data(withJSONObject: json), file: "t.json")
        return "decoded"
      } catch {
        return "\(error)"
      }
    }
    func editNodes(_ field: String, _ change: @escaping (inout [Any]) -> Void) -> (inout [String: Any]) -> Void {
      { json in
        var p = json["parameters"] as! [String: Any]
        var nodes = p["nodes"] as! [String: Any]
        var values = nodes[field] as! [Any]
        change(&values)
        nodes[field] = values
        p["nodes"] = nodes
        json["parameters"] = p
      }
    }
    #expect(try decodeError(editNodes("left") { $0[0] = 0 }).contains("node 0: children"))
    #expect(try decodeError(editNodes("feature") { $0[0] = 7 }).contains("node 0: feature 7 is not one of the 2 features"))
    #expect(try decodeError(editNodes("value") { $0.removeLast() }).contains("nodes.value has"))
    #expect(try decodeError(editNodes("value") { $0[0] = 1.5 }).contains("value 1.5 is not in [0, 1]"))
  }
}
