import Evaluation
import Foundation
import Learners
import RebuyCore

/// A model file: one UTF-8 JSON document that people and any language can read (the format is
/// documented field by field in `Models/README.md`).
///
/// Decoding checks `format` and `version` first, then every invariant (one coefficient per
/// feature, finite numbers, positive scales, a threshold in [0, 1]); a failure names the field.
/// Encoding sorts keys, so the same model gives the same bytes.
public struct ModelFile: Codable, Sendable, Equatable {
  /// The value of `format` in every Rebuy model file.
  public static let formatName = "rebuy-model"
  /// The newest version this build reads and the one it writes.
  public static let currentVersion = 1

  public var format = ModelFile.formatName
  public var version = ModelFile.currentVersion
  /// `logistic_regression`.
  public var kind: String
  public var target: TargetSpec
  public var features: [FeatureSpec]
  public var parameters: LinearParameters
  /// Predict positive at `probability >= threshold`.
  public var threshold: Double
  public var training: TrainingInfo
  /// Metrics on the validation rows; `nil` when trained on every row (`--test-fraction 0`).
  public var validation: ValidationSummary?

  public struct TargetSpec: Codable, Sendable, Equatable {
    /// `repurchase` or `churn`.
    public var name: String
    public var horizonDays: Int
    public init(name: String, horizonDays: Int) {
      self.name = name
      self.horizonDays = horizonDays
    }
    enum CodingKeys: String, CodingKey {
      case name
      case horizonDays = "horizon_days"
    }
  }

  public struct FeatureSpec: Codable, Sendable, Equatable {
    public var name: String
    /// The value that replaces a missing one (the training median).
    public var impute: Double
    public var mean: Double
    public var scale: Double
    /// Training rows where the feature was missing.
    public var missing: Int
  }

  public struct LinearParameters: Codable, Sendable, Equatable {
    public var intercept: Double
    /// One per feature, on the standardised scale.
    public var coefficients: [Double]
  }

  public struct TrainingInfo: Codable, Sendable, Equatable {
    public var dataSHA256: String
    public var rows: Int
    public var positives: Int
    public var cutoffs: [String]
    public var skippedRows: Int
    public var created: String
    public var rebuyVersion: String
    public var seed: UInt64
    public var c: Double
    public var classWeight: String
    /// How validation rows were chosen: `out_of_time`, `customer_split` or `none`.
    public var validation: String
    public var fit: FitDiagnostics

    public init(
      dataSHA256: String, rows: Int, positives: Int, cutoffs: [String], skippedRows: Int, created: String,
      rebuyVersion: String, seed: UInt64, c: Double, classWeight: String, validation: String, fit: FitDiagnostics
    ) {
      self.dataSHA256 = dataSHA256
      self.rows = rows
      self.positives = positives
      self.cutoffs = cutoffs
      self.skippedRows = skippedRows
      self.created = created
      self.rebuyVersion = rebuyVersion
      self.seed = seed
      self.c = c
      self.classWeight = classWeight
      self.validation = validation
      self.fit = fit
    }

    enum CodingKeys: String, CodingKey {
      case rows, positives, cutoffs, created, seed, c, validation, fit
      case dataSHA256 = "data_sha256"
      case skippedRows = "skipped_rows"
      case rebuyVersion = "rebuy_version"
      case classWeight = "class_weight"
    }
  }

  public struct ValidationSummary: Codable, Sendable, Equatable {
    public var rows: Int
    public var positives: Int
    public var cutoff: String?
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?
    public var accuracy: Double?
    public var rocAUC: Double?
    public var prAUC: Double?
    public var logLoss: Double?
    public var brierScore: Double?
    public var baselines: Baselines

    public init(report: ClassificationReport, baselines: Baselines, cutoff: String?) {
      rows = report.rows
      positives = report.positives
      self.cutoff = cutoff
      precision = report.precision
      recall = report.recall
      f1 = report.f1
      accuracy = report.accuracy
      rocAUC = report.rocAUC
      prAUC = report.prAUC
      logLoss = report.logLoss
      brierScore = report.brierScore
      self.baselines = baselines
    }

    enum CodingKeys: String, CodingKey {
      case rows, positives, cutoff, precision, recall, f1, accuracy, baselines
      case rocAUC = "roc_auc"
      case prAUC = "pr_auc"
      case logLoss = "log_loss"
      case brierScore = "brier_score"
    }
  }

  /// A file for a fitted logistic regression.
  public init(
    model: LogisticRegressionModel, target: TargetSpec, threshold: Double, training: TrainingInfo,
    validation: ValidationSummary?
  ) {
    kind = "logistic_regression"
    self.target = target
    features = model.featureNames.indices.map { j in
      FeatureSpec(
        name: model.featureNames[j], impute: model.preprocessing.impute[j], mean: model.preprocessing.mean[j],
        scale: model.preprocessing.scale[j], missing: model.preprocessing.missing[j])
    }
    parameters = LinearParameters(intercept: model.intercept, coefficients: model.coefficients)
    self.threshold = threshold
    self.training = training
    self.validation = validation
  }

  /// The model the file describes.
  public var logisticRegression: LogisticRegressionModel {
    LogisticRegressionModel(
      featureNames: features.map(\.name),
      preprocessing: Standardizer(
        impute: features.map(\.impute), mean: features.map(\.mean), scale: features.map(\.scale),
        missing: features.map(\.missing)),
      intercept: parameters.intercept, coefficients: parameters.coefficients, diagnostics: training.fit)
  }

  enum CodingKeys: String, CodingKey {
    case format, version, kind, target, features, parameters, threshold, training, validation
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let format = try container.decode(String.self, forKey: .format)
    guard format == ModelFile.formatName else {
      throw DecodingError.dataCorruptedError(
        forKey: .format, in: container, debugDescription: "format is '\(format)', not '\(ModelFile.formatName)': this is not a Rebuy model file")
    }
    let version = try container.decode(Int.self, forKey: .version)
    guard version <= ModelFile.currentVersion else {
      throw DecodingError.dataCorruptedError(
        forKey: .version, in: container,
        debugDescription: "version \(version) is newer than this Rebuy reads (\(ModelFile.currentVersion)); upgrade Rebuy to use this model")
    }
    guard version >= 1 else {
      throw DecodingError.dataCorruptedError(forKey: .version, in: container, debugDescription: "version \(version) is not a valid version")
    }
    self.format = format
    self.version = version
    kind = try container.decode(String.self, forKey: .kind)
    guard kind == "logistic_regression" else {
      throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "kind '\(kind)' is not one this Rebuy knows (logistic_regression)")
    }
    target = try container.decode(TargetSpec.self, forKey: .target)
    features = try container.decode([FeatureSpec].self, forKey: .features)
    parameters = try container.decode(LinearParameters.self, forKey: .parameters)
    threshold = try container.decode(Double.self, forKey: .threshold)
    training = try container.decode(TrainingInfo.self, forKey: .training)
    validation = try container.decodeIfPresent(ValidationSummary.self, forKey: .validation)
    func fail(_ key: CodingKeys, _ message: String) -> DecodingError {
      DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: message)
    }
    guard ["repurchase", "churn"].contains(target.name) else { throw fail(.target, "target name '\(target.name)' is not repurchase or churn") }
    guard target.horizonDays >= 1 else { throw fail(.target, "horizon_days must be at least 1, got \(target.horizonDays)") }
    guard !features.isEmpty else { throw fail(.features, "the model has no features") }
    guard parameters.coefficients.count == features.count else {
      throw fail(.parameters, "\(parameters.coefficients.count) coefficients for \(features.count) features")
    }
    guard Set(features.map(\.name)).count == features.count else { throw fail(.features, "a feature name appears twice") }
    for f in features {
      guard f.impute.isFinite, f.mean.isFinite, f.scale.isFinite, f.scale > 0 else {
        throw fail(.features, "feature \(f.name) needs finite impute and mean and a finite scale > 0")
      }
    }
    guard parameters.intercept.isFinite, parameters.coefficients.allSatisfy(\.isFinite) else {
      throw fail(.parameters, "the intercept and coefficients must be finite numbers")
    }
    guard threshold.isFinite, (0...1).contains(threshold) else { throw fail(.threshold, "threshold must be in [0, 1], got \(threshold)") }
  }

  /// The file's bytes: pretty-printed JSON with sorted keys and a final newline.
  public func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(self)
    data.append(0x0A)
    return data
  }

  /// Reads a model file's bytes.
  /// - Throws: `ModelFileError` naming what is wrong.
  public static func decode(_ data: Data, file: String) throws(ModelFileError) -> ModelFile {
    do {
      return try JSONDecoder().decode(ModelFile.self, from: data)
    } catch let DecodingError.dataCorrupted(context) {
      throw .invalid(file: file, message: describe(context))
    } catch let DecodingError.keyNotFound(key, context) {
      throw .invalid(file: file, message: "missing field '\(path(context.codingPath + [key]))'")
    } catch let DecodingError.typeMismatch(_, context) {
      throw .invalid(file: file, message: "field '\(path(context.codingPath))' has the wrong type: \(context.debugDescription)")
    } catch let DecodingError.valueNotFound(_, context) {
      throw .invalid(file: file, message: "field '\(path(context.codingPath))' is null")
    } catch {
      throw .invalid(file: file, message: "\(error)")
    }
  }

  private static func path(_ keys: [CodingKey]) -> String {
    keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
  }

  private static func describe(_ context: DecodingError.Context) -> String {
    if context.codingPath.isEmpty {
      return "not valid JSON (is the file truncated or corrupt?): \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)"
    }
    return "\(path(context.codingPath)): \(context.debugDescription)"
  }
}

/// A model file that cannot be used.
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
  case invalid(file: String, message: String)

  public var description: String {
    switch self {
    case let .invalid(file, message): "\(file): not a usable model file: \(message)"
    }
  }
}
