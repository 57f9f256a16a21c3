import ArgumentParser
import Evaluation
import Features
import Foundation
import Ingest
import Learners
import ModelIO
import RebuyCore

/// `--class-weight none|balanced|NEG:POS`.
struct ClassWeightArgument: ExpressibleByArgument {
  let value: LogisticRegression.ClassWeight
  let text: String

  init?(argument: String) {
    text = argument
    switch argument {
    case "none": value = .none
    case "balanced": value = .balanced
    default:
      let parts = argument.split(separator: ":").compactMap { Double($0) }
      guard parts.count == 2, parts.allSatisfy({ $0.isFinite && $0 > 0 }) else { return nil }
      value = .explicit(negative: parts[0], positive: parts[1])
    }
  }
}

/// `--threshold 0.5` or `--threshold best-f1`.
enum ThresholdArgument: ExpressibleByArgument, Equatable {
  case value(Double)
  case bestF1

  init?(argument: String) {
    if argument == "best-f1" {
      self = .bestF1
    } else if let v = Double(argument), v.isFinite, (0...1).contains(v) {
      self = .value(v)
    } else {
      return nil
    }
  }
}

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Fit a model that predicts repurchase (or churn) and report how good it is.",
    discussion: """
      Builds features and labels from the transactions (or reads --features), splits out of
      time when several cutoffs are given (train on the earlier, validate on the latest) or else
      by a seeded split stratified by label, fits, prints the validation report next to the
      baselines, and writes the model file. --test-fraction 0 fits on every row (a final model).
      With --threshold best-f1 the threshold maximises F1 on the training rows.
      """)

  @Argument(help: "Transactions CSV (not with --features); - reads standard input.")
  var transactions: String?

  @OptionGroup var snapshots: SnapshotOptions
  @OptionGroup var columns: ColumnOptions

  @Option(help: "A prebuilt feature table (from rebuy features) instead of transactions.")
  var features: String?

  @Option(name: .customLong("label-col"), help: "The label column of --features.")
  var labelColumn = "repurchase"

  @Option(help: "The model: logistic.")
  var model = "logistic"

  @Option(help: "What to predict: repurchase (buys again within the horizon) or churn (does not).")
  var target: Target = .repurchase

  @Option(name: .customLong("c"), help: "Inverse L2 strength, as scikit-learn's C.")
  var c = 1.0

  @Option(name: .customLong("class-weight"), help: "none, balanced, or NEG:POS weights.")
  var classWeight = ClassWeightArgument(argument: "none")!

  @Option(help: "Decision threshold in [0, 1], or best-f1.")
  var threshold: ThresholdArgument = .value(0.5)

  @Option(help: "Seed for the validation split.")
  var seed: UInt64 = 1

  @Option(name: .customLong("test-fraction"), help: "Share of rows (per class) held out when there is one cutoff; 0 trains on every row.")
  var testFraction = 0.2

  @Option(name: .shortAndLong, help: "The model file to write.")
  var output: String

  func validate() throws {
    guard model == "logistic" else { throw ValidationError("--model must be logistic, got '\(model)'.") }
    guard c.isFinite, c > 0 else { throw ValidationError("--c must be a finite number > 0, got \(c).") }
    guard testFraction >= 0, testFraction < 1 else { throw ValidationError("--test-fraction must be in [0, 1), got \(testFraction).") }
    if features != nil {
      guard transactions == nil else { throw ValidationError("Give a transactions file or --features, not both.") }
    } else {
      guard transactions != nil else { throw ValidationError("Give a transactions file (or --features FILE).") }
      guard snapshots.isGiven else { throw ValidationError("Give --cutoff DATE (or --cutoffs) for the features.") }
    }
    guard snapshots.horizon != nil else { throw ValidationError("Give --horizon DAYS: the label window (recorded in the model).") }
  }

  func run() throws {
    try exitingOnDomainError {
      let clock = ContinuousClock.now
      let data: LabelledRows
      let horizon: Int
      if let features {
        data = try LabelledRows.fromFeatureCSV(features, labelColumn: labelColumn)
        horizon = snapshots.horizon!
      } else {
        data = try LabelledRows.fromTransactions(transactions!, columns: columns, snapshots: try snapshots.resolved(), target: target)
        horizon = snapshots.horizon!
      }
      let distinctCutoffs = Set(data.cutoffs ?? [])
      let split: Split =
        testFraction == 0 ? .none
        : distinctCutoffs.count > 1 ? .outOfTime(latest: distinctCutoffs.max()!) : .stratified(fraction: testFraction, seed: seed)
      let trained = try Training.run(
        data, split: split, estimator: LogisticRegression(c: c, classWeight: classWeight.value), threshold: threshold,
        quiet: columns.quiet)
      let fitted = trained.model
      let summary = trained.validation
      let cutoffNames = distinctCutoffs.sorted().map { Day(ordinal: $0).description }
      let file = ModelFile(
        model: fitted, target: .init(name: features == nil ? target.rawValue : labelColumnTarget, horizonDays: horizon),
        threshold: trained.threshold,
        training: .init(
          dataSHA256: data.sha256, rows: trained.trainingRows, positives: trained.trainingPositives, cutoffs: cutoffNames,
          skippedRows: data.skippedRows, created: creationTime(), rebuyVersion: RebuyCommand.version, seed: seed, c: c,
          classWeight: classWeight.text, validation: split.name, fit: fitted.diagnostics),
        validation: summary)
      let out = try AtomicOutput(path: output)
      try out.write([UInt8](try file.encoded()))
      try out.commit()
      Terminal.say("Wrote \(output) (\(Terminal.seconds(since: clock))).")
    }
  }

  /// A feature table's label is taken as repurchase unless its name says churn.
  private var labelColumnTarget: String { labelColumn.lowercased().contains("churn") ? "churn" : "repurchase" }
}

/// The `created` time for a model file: now, or `SOURCE_DATE_EPOCH` when set (for
/// byte-identical files from the same inputs).
func creationTime() -> String {
  let formatter = ISO8601DateFormatter()
  formatter.timeZone = TimeZone(identifier: "UTC")
  if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init) {
    return formatter.string(from: Date(timeIntervalSince1970: epoch))
  }
  return formatter.string(from: Date())
}

/// Split, fit, choose the threshold, and report on the validation rows: what `rebuy train`
/// and `rebuy demo` share.
enum Training {
  struct Outcome {
    let model: LogisticRegressionModel
    let threshold: Double
    let trainingRows: Int
    let trainingPositives: Int
    let validation: ModelFile.ValidationSummary?
  }

  static func run(
    _ data: LabelledRows, split: Split, estimator: LogisticRegression, threshold: ThresholdArgument, quiet: Bool = true
  ) throws -> Outcome {
    let (trainIndices, validateIndices) = split.apply(to: data)
    // Every row trains when nothing is held out: no copy then.
    let train = validateIndices.isEmpty ? data : data.rows(trainIndices)
    Terminal.say(
      "Training on \(Terminal.count(train.labels.count)) rows (\(Terminal.count(train.labels.positives)) positive), "
        + "validating on \(Terminal.count(validateIndices.count)) (\(split.name.replacingOccurrences(of: "_", with: " "))).")
    let fitClock = ContinuousClock.now
    // Newton steps cannot be counted ahead: a status line, shown on a terminal, while fitting.
    let bar = ProgressBar(label: "Fitting on \(Terminal.count(train.labels.count)) rows", total: nil, unit: .items(""), quiet: quiet)
    bar.update(to: 0)
    let fitted: LogisticRegressionModel
    do {
      defer { bar.finish() }
      fitted = try estimator.fit(train.matrix, train.labels)
    }
    Terminal.say("Fit: \(fitted.diagnostics.summary) (\(Terminal.seconds(since: fitClock))).")
    let chosenThreshold: Double
    switch threshold {
    case let .value(v): chosenThreshold = v
    case .bestF1:
      let probabilities = try fitted.predictProbability(train.matrix)
      chosenThreshold = PrecisionRecallCurve(labels: train.labels.values, scores: probabilities).bestF1?.threshold ?? 0.5
    }
    var summary: ModelFile.ValidationSummary? = nil
    if !validateIndices.isEmpty {
      let validation = data.rows(validateIndices)
      let probabilities = try fitted.predictProbability(validation.matrix)
      let report = ClassificationReport(labels: validation.labels.values, probabilities: probabilities, threshold: chosenThreshold)
      let baselines = Baselines(labels: validation.labels.values, recencyDays: validation.recencyDays)
      let cutoff = split.isOutOfTime ? validation.cutoffs?.first.map { Day(ordinal: $0).description } : nil
      let title = "Validation" + (cutoff.map { " (cutoff \($0))" } ?? "")
      Terminal.say("\n" + ReportText.render(report, baselines: baselines, title: title) + "\n")
      summary = ModelFile.ValidationSummary(report: report, baselines: baselines, cutoff: cutoff)
    }
    return Outcome(
      model: fitted, threshold: chosenThreshold, trainingRows: train.labels.count, trainingPositives: train.labels.positives,
      validation: summary)
  }
}
