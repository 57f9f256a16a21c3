import ArgumentParser
import CustomerBase
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

/// `--model`.
enum ModelChoice: String, ExpressibleByArgument, CaseIterable {
  case logistic, tree, forest, boosted, bgnbd, all
}

/// `--max-features sqrt|log2|all|N|F`.
struct MaxFeaturesArgument: ExpressibleByArgument {
  let value: RandomForest.MaxFeatures
  init?(argument: String) {
    switch argument {
    case "sqrt": value = .sqrt
    case "log2": value = .log2
    case "all": value = .all
    default:
      if let n = Int(argument), n >= 1 {
        value = .count(n)
      } else if let f = Double(argument), f > 0, f <= 1 {
        value = .fraction(f)
      } else {
        return nil
      }
    }
  }
}

extension DecisionTree.Criterion: ExpressibleByArgument {}

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

      --model bgnbd fits BG/NBD (+ Gamma-Gamma spend) on the histories at the latest training
      cutoff and predicts P(a purchase in the window); it is also judged on expected against
      actual purchases. --model all fits every model on the same split and prints a
      leaderboard; -o is then a directory. --btyd-features gives the logistic regression
      BG/NBD's P(alive) and expected purchases as two more features (each training cutoff's
      from a BG/NBD fitted at that cutoff, so no label is ever seen).
      """)

  @Argument(help: "Transactions CSV (not with --features); - reads standard input.")
  var transactions: String?

  @OptionGroup var snapshots: SnapshotOptions
  @OptionGroup var columns: ColumnOptions

  @Option(help: "A prebuilt feature table (from rebuy features) instead of transactions.")
  var features: String?

  @Option(name: .customLong("label-col"), help: "The label column of --features.")
  var labelColumn = "repurchase"

  @Option(help: "The model: logistic, tree, forest, boosted, bgnbd, or all (each on the same split, with a leaderboard).")
  var model: ModelChoice = .logistic

  @Option(help: "What to predict: repurchase (buys again within the horizon) or churn (does not).")
  var target: Target = .repurchase

  @Option(name: .customLong("c"), help: "Logistic regression: inverse L2 strength, as scikit-learn's C.")
  var c = 1.0

  @Option(name: .customLong("class-weight"), help: "Logistic regression and tree: none, balanced, or NEG:POS weights.")
  var classWeight = ClassWeightArgument(argument: "none")!

  @Flag(name: .customLong("btyd-features"), help: "Logistic regression and tree: add BG/NBD's P(alive) and expected purchases in the horizon as features.")
  var btydFeatures = false

  @Option(help: "Tree: the split criterion, gini or entropy.")
  var criterion: DecisionTree.Criterion = .gini

  @Option(name: .customLong("max-depth"), help: "Tree, forest, boosted: the deepest split (0: no limit; default 6 for a tree, 12 for a forest's trees, none for boosted trees).")
  var maxDepth: Int?

  @Option(name: .customLong("min-samples-leaf"), help: "Tree, forest, boosted: the fewest training rows in a leaf (default 50 for a tree, 20 otherwise).")
  var minSamplesLeaf: Int?

  @Option(help: "Forest: the number of trees.")
  var trees = 100

  @Option(name: .customLong("max-features"), help: "Forest: features tried at each split: sqrt, log2, all, a count, or a share in (0, 1].")
  var maxFeatures = MaxFeaturesArgument(argument: "sqrt")!

  @Option(help: "Boosted: boosting rounds (trees).")
  var rounds = 100

  @Option(name: .customLong("learning-rate"), help: "Boosted: the shrinkage of each tree's scores.")
  var learningRate = 0.1

  @Option(name: .customLong("max-leaves"), help: "Boosted: the most leaves a tree may have.")
  var maxLeaves = 31

  @Option(help: "Boosted: L2 penalty on leaf scores.")
  var l2 = 0.0

  @Option(name: .customLong("row-fraction"), help: "Boosted: share of training rows each round samples (1: all).")
  var rowFraction = 1.0

  @Option(name: .customLong("feature-fraction"), help: "Boosted: share of features each tree may use (1: all).")
  var featureFraction = 1.0

  @Option(name: .customLong("early-stopping"), help: "Boosted: stop when the log loss of 10% of the training rows, held out, has not improved for this many rounds.")
  var earlyStopping: Int?

  @Option(name: .customLong("min-samples-split"), help: "Tree: the fewest training rows in a node that may split.")
  var minSamplesSplit = 2

  @Option(name: .customLong("min-impurity-decrease"), help: "Tree: the least weighted impurity decrease a split must bring.")
  var minImpurityDecrease = 0.0

  @Option(name: .customLong("time-unit"), help: "BG/NBD: the unit time is counted in, days or weeks (the same model; alpha scales).")
  var timeUnit: TimeUnit = .days

  @Option(help: "BG/NBD and Gamma-Gamma: L2 penalty on the parameters (0: plain maximum likelihood).")
  var penalty = 0.0

  @Option(help: "Decision threshold in [0, 1], or best-f1.")
  var threshold: ThresholdArgument = .value(0.5)

  @Option(help: "Seed for the validation split.")
  var seed: UInt64 = 1

  @Option(name: .customLong("test-fraction"), help: "Share of rows (per class) held out when there is one cutoff; 0 trains on every row.")
  var testFraction = 0.2

  @Option(name: .shortAndLong, help: "The model file to write (with --model all: a directory, for one file per model and leaderboard.csv).")
  var output: String

  func validate() throws {
    guard c.isFinite, c > 0 else { throw ValidationError("--c must be a finite number > 0, got \(c).") }
    guard penalty.isFinite, penalty >= 0 else { throw ValidationError("--penalty must be a finite number >= 0, got \(penalty).") }
    guard testFraction >= 0, testFraction < 1 else { throw ValidationError("--test-fraction must be in [0, 1), got \(testFraction).") }
    if model == .all && testFraction == 0 { throw ValidationError("--model all compares models on validation rows: --test-fraction must be > 0.") }
    if model == .bgnbd && btydFeatures { throw ValidationError("--btyd-features gives BG/NBD's output to the other models; it does not apply to --model bgnbd.") }
    if let maxDepth, maxDepth < 0 { throw ValidationError("--max-depth must be >= 0 (0: no limit), got \(maxDepth).") }
    if let minSamplesLeaf, minSamplesLeaf < 1 { throw ValidationError("--min-samples-leaf must be at least 1, got \(minSamplesLeaf).") }
    guard trees >= 1 else { throw ValidationError("--trees must be at least 1, got \(trees).") }
    guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1, got \(rounds).") }
    guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate must be > 0, got \(learningRate).") }
    guard maxLeaves >= 2 else { throw ValidationError("--max-leaves must be at least 2, got \(maxLeaves).") }
    guard l2 >= 0, l2.isFinite else { throw ValidationError("--l2 must be >= 0, got \(l2).") }
    guard rowFraction > 0, rowFraction <= 1, featureFraction > 0, featureFraction <= 1 else {
      throw ValidationError("--row-fraction and --feature-fraction must be in (0, 1].")
    }
    if let earlyStopping, earlyStopping < 1 { throw ValidationError("--early-stopping must be at least 1, got \(earlyStopping).") }
    guard minSamplesSplit >= 2 else { throw ValidationError("--min-samples-split must be at least 2, got \(minSamplesSplit).") }
    guard minImpurityDecrease >= 0, minImpurityDecrease.isFinite else { throw ValidationError("--min-impurity-decrease must be >= 0, got \(minImpurityDecrease).") }
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
      let horizon = snapshots.horizon!
      if let features {
        data = try LabelledRows.fromFeatureCSV(features, labelColumn: labelColumn)
      } else {
        data = try LabelledRows.fromTransactions(transactions!, columns: columns, snapshots: try snapshots.resolved(), target: target)
      }
      let distinctCutoffs = Set(data.cutoffs ?? [])
      let split: Split =
        testFraction == 0 ? .none
        : distinctCutoffs.count > 1 ? .outOfTime(latest: distinctCutoffs.max()!) : .stratified(fraction: testFraction, seed: seed)
      let targetSpec = ModelFile.TargetSpec(name: data.target.rawValue, horizonDays: horizon)
      let logistic = LogisticRegression(c: c, classWeight: classWeight.value)
      let btyd = Training.BTYDOptions(unit: timeUnit, penalty: penalty)
      func treeSettings(depth: Int, leaf: Int) -> DecisionTree {
        let chosenDepth = maxDepth ?? depth
        return DecisionTree(
          criterion: criterion, maxDepth: chosenDepth == 0 ? nil : chosenDepth, minSamplesSplit: minSamplesSplit,
          minSamplesLeaf: minSamplesLeaf ?? leaf, minImpurityDecrease: minImpurityDecrease, classWeight: classWeight.value)
      }
      let tree = treeSettings(depth: 6, leaf: 50)
      let forest = RandomForest(trees: trees, maxFeatures: maxFeatures.value, seed: seed, tree: treeSettings(depth: 12, leaf: 20))
      let boostedDepth = maxDepth ?? 0
      let boosted = BoostedTrees(
        rounds: rounds, learningRate: learningRate, maxLeaves: maxLeaves, maxDepth: boostedDepth == 0 ? nil : boostedDepth,
        minSamplesLeaf: minSamplesLeaf ?? 20, l2: l2, rowFraction: rowFraction, featureFraction: featureFraction,
        earlyStoppingRounds: earlyStopping, seed: seed, classWeight: classWeight.value)
      var specs: [Training.Spec]
      switch model {
      case .logistic: specs = [.logistic(logistic, btydFeatures: btydFeatures ? btyd : nil)]
      case .tree: specs = [.tree(tree, btydFeatures: btydFeatures ? btyd : nil)]
      case .forest: specs = [.forest(forest, btydFeatures: btydFeatures ? btyd : nil)]
      case .boosted: specs = [.boosted(boosted, btydFeatures: btydFeatures ? btyd : nil)]
      case .bgnbd: specs = [.bgnbd(btyd)]
      case .all:
        specs = [
          .logistic(logistic, btydFeatures: nil), .tree(tree, btydFeatures: nil), .forest(forest, btydFeatures: nil),
          .boosted(boosted, btydFeatures: nil),
        ]
        if btydFeatures {
          specs += [
            .logistic(logistic, btydFeatures: btyd), .tree(tree, btydFeatures: btyd), .forest(forest, btydFeatures: btyd),
            .boosted(boosted, btydFeatures: btyd),
          ]
        }
        specs.append(.bgnbd(btyd))
      }
      let cutoffNames = distinctCutoffs.sorted().map { Day(ordinal: $0).description }
      func file(_ trained: Training.Outcome) -> ModelFile {
        let info = ModelFile.TrainingInfo(
          dataSHA256: data.sha256, rows: trained.trainingRows, positives: trained.trainingPositives, cutoffs: cutoffNames,
          skippedRows: data.skippedRows, created: creationTime(), rebuyVersion: RebuyCommand.version, seed: seed,
          c: trained.isLogistic ? c : nil, classWeight: trained.usesClassWeights ? classWeight.text : nil, validation: split.name,
          fit: trained.diagnostics)
        return trained.file(target: targetSpec, training: info)
      }
      if model != .all {
        let trained = try Training.run(data, split: split, spec: specs[0], threshold: threshold, horizonDays: horizon, quiet: columns.quiet)
        let out = try AtomicOutput(path: output)
        try out.write([UInt8](try file(trained).encoded()))
        try out.commit()
        Terminal.say("Wrote \(output) (\(Terminal.seconds(since: clock))).")
        return
      }
      // Every model on the same split; one that cannot be fitted is reported and left out.
      var fitted: [(name: String, outcome: Training.Outcome)] = []
      var failed: [(name: String, error: FitError)] = []
      for spec in specs {
        Terminal.say("\n== \(spec.name) ==")
        do {
          let outcome = try Training.run(
            data, split: split, spec: spec, threshold: threshold, horizonDays: horizon, quiet: columns.quiet, brief: true)
          fitted.append((spec.name, outcome))
        } catch let error as FitError {
          Terminal.say("\(spec.name) could not be fitted: \(error)")
          failed.append((spec.name, error))
        }
      }
      if fitted.isEmpty, let first = failed.first { throw first.error }
      let board = Leaderboard(
        fitted.map { ($0.name, $0.outcome.validationReport) } + failed.map { ($0.name, nil) }, baselines: fitted[0].outcome.baselines)
      Terminal.say("\n" + board.text(rows: fitted[0].outcome.validationReport?.rows))
      try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
      for (name, outcome) in fitted {
        let out = try AtomicOutput(path: "\(output)/\(name).json")
        try out.write([UInt8](try file(outcome).encoded()))
        try out.commit()
      }
      let csv = try AtomicOutput(path: "\(output)/leaderboard.csv")
      try csv.write(Array(board.csv.utf8))
      try csv.commit()
      Terminal.say("Wrote \(fitted.count) model files and leaderboard.csv to \(output)/ (\(Terminal.seconds(since: clock))).")
    }
  }
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
  /// BG/NBD's options.
  struct BTYDOptions {
    var unit: TimeUnit = .days
    var penalty = 0.0
  }

  /// What to fit.
  enum Spec {
    /// A logistic regression, with the BG/NBD features when `btydFeatures` is given.
    case logistic(LogisticRegression, btydFeatures: BTYDOptions?)
    case bgnbd(BTYDOptions)
    /// A CART tree, with the BG/NBD features when `btydFeatures` is given.
    case tree(DecisionTree, btydFeatures: BTYDOptions?)
    /// A random forest, likewise.
    case forest(RandomForest, btydFeatures: BTYDOptions?)
    /// Gradient-boosted trees, likewise.
    case boosted(BoostedTrees, btydFeatures: BTYDOptions?)

    /// The name in the leaderboard and of the model file in `--model all`'s directory.
    var name: String {
      switch self {
      case let .logistic(_, btyd): btyd == nil ? "logistic" : "logistic-btyd"
      case .bgnbd: "bgnbd"
      case let .tree(_, btyd): btyd == nil ? "tree" : "tree-btyd"
      case let .forest(_, btyd): btyd == nil ? "forest" : "forest-btyd"
      case let .boosted(_, btyd): btyd == nil ? "boosted" : "boosted-btyd"
      }
    }

    /// The BG/NBD features' options, for a model that reads them.
    var btydFeatures: BTYDOptions? {
      switch self {
      case let .logistic(_, options), let .tree(_, options), let .forest(_, options), let .boosted(_, options): options
      case .bgnbd: nil
      }
    }
  }

  /// A fitted model.
  enum Fitted {
    case logistic(LogisticRegressionModel, btyd: CustomerBaseModel?)
    case customerBase(CustomerBaseModel)
    case tree(DecisionTreeModel, settings: DecisionTree, btyd: CustomerBaseModel?)
    case forest(RandomForestModel, settings: RandomForest, btyd: CustomerBaseModel?)
    case boosted(BoostedTreesModel, settings: BoostedTrees, btyd: CustomerBaseModel?)
  }

  struct Outcome {
    let fitted: Fitted
    let threshold: Double
    let trainingRows: Int
    let trainingPositives: Int
    let diagnostics: FitDiagnostics
    let validation: ModelFile.ValidationSummary?
    let validationReport: ClassificationReport?
    let baselines: Baselines?

    var isLogistic: Bool {
      if case .logistic = fitted { return true }
      return false
    }

    /// Whether class weights apply (logistic regression, tree).
    var usesClassWeights: Bool {
      if case .customerBase = fitted { return false }
      return true
    }

    /// The logistic regression, when that is what was fitted.
    var logisticModel: LogisticRegressionModel? {
      if case let .logistic(model, _) = fitted { return model }
      return nil
    }

    func file(target: ModelFile.TargetSpec, training: ModelFile.TrainingInfo) -> ModelFile {
      switch fitted {
      case let .logistic(model, btyd):
        ModelFile(model: model, target: target, threshold: threshold, training: training, validation: validation, btydFeatures: btyd)
      case let .customerBase(model):
        ModelFile(model: model, target: target, threshold: threshold, training: training, validation: validation)
      case let .tree(model, settings, btyd):
        ModelFile(
          model: model, settings: settings, target: target, threshold: threshold, training: training, validation: validation,
          btydFeatures: btyd)
      case let .forest(model, settings, btyd):
        ModelFile(
          model: model, settings: settings, target: target, threshold: threshold, training: training, validation: validation,
          btydFeatures: btyd)
      case let .boosted(model, settings, btyd):
        ModelFile(
          model: model, settings: settings, target: target, threshold: threshold, training: training, validation: validation,
          btydFeatures: btyd)
      }
    }
  }

  /// - Parameter brief: print one line of validation metrics instead of the full report.
  static func run(
    _ data: LabelledRows, split: Split, spec: Spec, threshold: ThresholdArgument, horizonDays: Int, quiet: Bool = true,
    brief: Bool = false
  ) throws -> Outcome {
    let (trainIndices, validateIndices) = split.apply(to: data)
    var data = data
    var btydModel: CustomerBaseModel? = nil
    if let options = spec.btydFeatures {
      (data, btydModel) = try withBTYDFeatures(data, trainIndices: trainIndices, options: options, horizonDays: horizonDays)
    }
    // Every row trains when nothing is held out: no copy then.
    let train = validateIndices.isEmpty ? data : data.rows(trainIndices)
    Terminal.say(
      "Training on \(Terminal.count(train.labels.count)) rows (\(Terminal.count(train.labels.positives)) positive), "
        + "validating on \(Terminal.count(validateIndices.count)) (\(split.name.replacingOccurrences(of: "_", with: " "))).")
    let fitClock = ContinuousClock.now
    // Iterations cannot be counted ahead: a status line, shown on a terminal, while fitting.
    let bar = ProgressBar(label: "Fitting on \(Terminal.count(train.labels.count)) rows", total: nil, unit: .items(""), quiet: quiet)
    bar.update(to: 0)
    let fitted: Fitted
    let diagnostics: FitDiagnostics
    let predict: (LabelledRows) throws -> [Double]
    do {
      defer { bar.finish() }
      switch spec {
      case let .logistic(estimator, _):
        let model = try estimator.fit(train.matrix, train.labels)
        fitted = .logistic(model, btyd: btydModel)
        diagnostics = model.diagnostics
        predict = { try model.predictProbability($0.matrix.columns(model.featureNames)!) }
      case let .tree(estimator, _):
        let model = try estimator.fit(train.matrix, train.labels)
        fitted = .tree(model, settings: estimator, btyd: btydModel)
        diagnostics = FitDiagnostics(
          iterations: model.depth, gradientNorm: 0, objective: model.nodes.impurity[0],
          reason: "grown to \(model.nodes.count) nodes (\(model.leafCount) leaves, depth \(model.depth))", converged: true)
        predict = { try model.predictProbability($0.matrix.columns(model.featureNames)!) }
      case let .forest(estimator, _):
        let model = try estimator.fit(train.matrix, train.labels)
        fitted = .forest(model, settings: estimator, btyd: btydModel)
        let depths = model.treeModels.map(\.depth)
        diagnostics = FitDiagnostics(
          iterations: model.trees.count, gradientNorm: 0, objective: model.outOfBag?.accuracy ?? 0,
          reason: "grew \(model.trees.count) trees (depth \(depths.min()!)–\(depths.max()!), \(model.trees.map(\.count).reduce(0, +)) nodes)"
            + (model.outOfBag.map { String(format: "; out-of-bag accuracy %.3f", $0.accuracy) } ?? ""),
          converged: true)
        predict = { try model.predictProbability($0.matrix.columns(model.featureNames)!) }
      case let .boosted(estimator, _):
        let model = try estimator.fit(train.matrix, train.labels)
        fitted = .boosted(model, settings: estimator, btyd: btydModel)
        let mostLeaves: Int = model.trees.map { nodes in nodes.left.filter { $0 < 0 }.count }.max() ?? 1
        diagnostics = FitDiagnostics(
          iterations: model.trees.count, gradientNorm: 0, objective: model.validationLogLoss ?? 0,
          reason: "boosted \(model.trees.count) trees (at most \(mostLeaves) leaves)"
            + (model.validationLogLoss.map { String(format: "; stopped early, held-out log loss %.4f", $0) } ?? ""),
          converged: true)
        predict = { try model.predictProbability($0.matrix.columns(model.featureNames)!) }
      case let .bgnbd(options):
        let (model, problem) = try fitCustomerBase(train, options: options)
        if let problem { Terminal.say("Gamma-Gamma spend not fitted: \(problem)") }
        fitted = .customerBase(model)
        diagnostics = model.purchases.diagnostics
        let churn = data.target == .churn
        predict = { rows in
          let p = model.probabilityOfPurchase(withinDays: horizonDays, try CustomerBaseModel.histories(rows.matrix, timeUnit: model.timeUnit))
          return churn ? p.map { 1 - $0 } : p
        }
      }
    }
    Terminal.say("Fit: \(diagnostics.summary) (\(Terminal.seconds(since: fitClock))).")
    var importances: (names: [String], values: [Double])? = nil
    if case let .tree(model, _, _) = fitted { importances = (model.featureNames, model.featureImportances) }
    if case let .forest(model, _, _) = fitted { importances = (model.featureNames, model.featureImportances) }
    if case let .boosted(model, _, _) = fitted { importances = (model.featureNames, model.featureImportances) }
    if let (names, importances) = importances, !brief {
      let top = importances.indices.sorted { importances[$0] > importances[$1] }.prefix(5).filter { importances[$0] > 0 }
      Terminal.say("Most important: " + top.map { "\(names[$0]) \(String(format: "%.3f", importances[$0]))" }.joined(separator: ", "))
    }
    if case let .customerBase(model) = fitted, !brief {
      Terminal.say(InspectCommand.describe(model).joined(separator: "\n"))
    }
    let chosenThreshold: Double
    switch threshold {
    case let .value(v): chosenThreshold = v
    case .bestF1:
      chosenThreshold = PrecisionRecallCurve(labels: train.labels.values, scores: try predict(train)).bestF1?.threshold ?? 0.5
    }
    var summary: ModelFile.ValidationSummary? = nil
    var report: ClassificationReport? = nil
    var baselines: Baselines? = nil
    if !validateIndices.isEmpty {
      let validation = data.rows(validateIndices)
      let probabilities = try predict(validation)
      let validationReport = ClassificationReport(labels: validation.labels.values, probabilities: probabilities, threshold: chosenThreshold)
      let validationBaselines = Baselines(labels: validation.labels.values, recencyDays: validation.recencyDays)
      var counts: CountReport? = nil
      if case let .customerBase(model) = fitted { counts = try validation.countReport(model, horizonDays: horizonDays) }
      let cutoff = split.isOutOfTime ? validation.cutoffs?.first.map { Day(ordinal: $0).description } : nil
      let title = "Validation" + (cutoff.map { " (cutoff \($0))" } ?? "")
      if brief {
        Terminal.say(
          "\(title): ROC-AUC \(ReportText.number(validationReport.rocAUC)), PR-AUC \(ReportText.number(validationReport.prAUC)), "
            + "F1 \(ReportText.number(validationReport.f1)) at threshold \(ReportText.number(chosenThreshold))"
            + (counts.map { "; expected purchase days per customer MAE \(ReportText.number($0.meanAbsoluteError))" } ?? ""))
      } else {
        Terminal.say("\n" + ReportText.render(validationReport, baselines: validationBaselines, title: title) + "\n")
        if let counts { Terminal.say(ReportText.render(counts, horizonDays: horizonDays) + "\n") }
      }
      summary = ModelFile.ValidationSummary(report: validationReport, baselines: validationBaselines, cutoff: cutoff, counts: counts)
      report = validationReport
      baselines = validationBaselines
    }
    return Outcome(
      fitted: fitted, threshold: chosenThreshold, trainingRows: train.labels.count, trainingPositives: train.labels.positives,
      diagnostics: diagnostics, validation: summary, validationReport: report, baselines: baselines)
  }

  /// BG/NBD (+ Gamma-Gamma) on the rows of the latest cutoff among `rows` (each customer once,
  /// with the longest history); all rows when cutoffs are unknown.
  static func fitCustomerBase(_ rows: LabelledRows, options: BTYDOptions) throws -> (CustomerBaseModel, String?) {
    var chosen = rows
    if let cutoffs = rows.cutoffs, let latest = cutoffs.max() {
      chosen = rows.rows(cutoffs.indices.filter { cutoffs[$0] == latest })
    }
    return try CustomerBaseModel.fit(chosen.matrix, timeUnit: options.unit, penalty: options.penalty)
  }

  /// `data` with the `btyd_*` features, and the BG/NBD model that scores new rows. Training rows
  /// at each cutoff get them from a BG/NBD fitted on the training rows at that cutoff (their
  /// histories end at the cutoff, so no label window is ever seen); every other row from the
  /// model of the latest training cutoff, which is the one returned.
  static func withBTYDFeatures(
    _ data: LabelledRows, trainIndices: [Int], options: BTYDOptions, horizonDays: Int
  ) throws -> (LabelledRows, CustomerBaseModel) {
    let cutoffs = data.cutoffs ?? Array(repeating: 0, count: data.labels.count)
    var groups: [Int32: [Int]] = [:]
    for i in trainIndices { groups[cutoffs[i], default: []].append(i) }
    var columns = [[Double]](repeating: [Double](repeating: .nan, count: data.labels.count), count: 2)
    var latest: CustomerBaseModel? = nil
    var covered = [Bool](repeating: false, count: data.labels.count)
    for cutoff in groups.keys.sorted() {
      let indices = groups[cutoff]!
      let rows = data.matrix.rows(indices)
      let model = try CustomerBaseModel.fit(rows, timeUnit: options.unit, penalty: options.penalty).model
      let derived = model.derivedFeatures(try CustomerBaseModel.histories(rows, timeUnit: options.unit), horizonDays: horizonDays)
      for (k, i) in indices.enumerated() {
        columns[0][i] = derived[0][k]
        columns[1][i] = derived[1][k]
        covered[i] = true
      }
      latest = model
    }
    guard let model = latest else { throw FitError.noRows }
    let rest = covered.indices.filter { !covered[$0] }
    if !rest.isEmpty {
      let derived = model.derivedFeatures(try CustomerBaseModel.histories(data.matrix.rows(rest), timeUnit: options.unit), horizonDays: horizonDays)
      for (k, i) in rest.enumerated() {
        columns[0][i] = derived[0][k]
        columns[1][i] = derived[1][k]
      }
    }
    var out = data
    out.matrix = data.matrix.appending(columns: columns, named: CustomerBaseModel.derivedFeatures)
    Terminal.say(
      "BG/NBD features from \(groups.count) fit\(groups.count == 1 ? "" : "s") (one per training cutoff); the latest: "
        + "r \(ReportText.compact(model.purchases.r)), alpha \(ReportText.compact(model.purchases.alpha)), "
        + "a \(ReportText.compact(model.purchases.a)), b \(ReportText.compact(model.purchases.b)).")
    return (out, model)
  }
}
