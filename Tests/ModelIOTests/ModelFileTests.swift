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
    #expect(try back.logisticRegression.predictProbability(x) == (try file.logisticRegression.predictProbability(x)))
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
