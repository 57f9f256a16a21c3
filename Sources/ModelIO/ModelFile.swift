import CustomerBase
import Evaluation
import Foundation
import Learners
import RebuyCore

/// A model file: one UTF-8 JSON document that people and any language can read (the format is
/// documented field by field in `Models/README.md`).
///
/// Every kind shares one envelope (target, features, threshold, training, validation); what
/// `parameters` holds depends on `kind`. Decoding checks `format` and `version` first, then
/// every invariant (one coefficient per feature, finite numbers, positive scales, a threshold in
/// [0, 1]); a failure names the field. Encoding sorts keys, so the same model gives the same
/// bytes.
public struct ModelFile: Codable, Sendable, Equatable {
  /// The value of `format` in every Rebuy model file.
  public static let formatName = "rebuy-model"
  /// The newest version this build reads and the one it writes.
  public static let currentVersion = 1

  /// `kind` of a logistic regression.
  public static let logisticKind = "logistic_regression"
  /// `kind` of a BG/NBD (+ Gamma-Gamma) model.
  public static let bgnbdKind = "bgnbd"
  /// `kind` of a CART decision tree.
  public static let treeKind = "decision_tree"
  /// `kind` of a random forest.
  public static let forestKind = "random_forest"
  /// `kind` of gradient-boosted trees.
  public static let boostedKind = "boosted_trees"
  /// Every kind this build reads.
  public static let kinds = [logisticKind, bgnbdKind, treeKind, forestKind, boostedKind]

  public var format = ModelFile.formatName
  public var version = ModelFile.currentVersion
  /// `logistic_regression` or `bgnbd`.
  public var kind: String
  public var target: TargetSpec
  /// The features the model reads, in order (for `bgnbd`: the history features).
  public var features: [FeatureSpec]
  public var parameters: Parameters
  /// For a model trained with `--btyd-features`: the BG/NBD model its `btyd_*` features are
  /// computed with.
  public var btydFeatures: CustomerBaseModel?
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

  /// A feature the model reads; the preprocessing fields are there for a logistic regression.
  public struct FeatureSpec: Codable, Sendable, Equatable {
    public var name: String
    /// The value that replaces a missing one (the training median).
    public var impute: Double?
    public var mean: Double?
    public var scale: Double?
    /// Training rows where the feature was missing.
    public var missing: Int?

    /// The features of a tree model: a name, the training median and missing count each.
    static func imputed(_ names: [String], _ impute: [Double], _ missing: [Int]) -> [FeatureSpec] {
      names.indices.map { FeatureSpec(name: names[$0], impute: impute[$0], missing: missing[$0]) }
    }

    public init(name: String, impute: Double? = nil, mean: Double? = nil, scale: Double? = nil, missing: Int? = nil) {
      self.name = name
      self.impute = impute
      self.mean = mean
      self.scale = scale
      self.missing = missing
    }
  }

  /// What a model of each kind is made of.
  public enum Parameters: Sendable, Equatable {
    case linear(LinearParameters)
    case customerBase(CustomerBaseModel)
    case tree(TreeParameters)
    case forest(ForestParameters)
    case boosted(BoostedParameters)
  }

  /// Gradient-boosted trees: how they were grown, the initial log-odds and every tree's nodes
  /// (leaf `value`s are log-odds).
  public struct BoostedParameters: Codable, Sendable, Equatable {
    public var learningRate: Double
    public var maxLeaves: Int
    public var maxDepth: Int?
    public var minSamplesLeaf: Int
    public var l2: Double
    public var rowFraction: Double
    public var featureFraction: Double
    public var maxBins: Int
    public var earlyStoppingRounds: Int?
    public var validationLogLoss: Double?
    public var seed: UInt64
    public var initialScore: Double
    public var trees: [DecisionTreeModel.Nodes]

    enum CodingKeys: String, CodingKey {
      case l2, seed, trees
      case learningRate = "learning_rate"
      case maxLeaves = "max_leaves"
      case maxDepth = "max_depth"
      case minSamplesLeaf = "min_samples_leaf"
      case rowFraction = "row_fraction"
      case featureFraction = "feature_fraction"
      case maxBins = "max_bins"
      case earlyStoppingRounds = "early_stopping_rounds"
      case validationLogLoss = "validation_log_loss"
      case initialScore = "initial_score"
    }
  }

  /// A random forest: how it was grown, its out-of-bag accuracy, and every tree's nodes.
  public struct ForestParameters: Codable, Sendable, Equatable {
    public var criterion: DecisionTree.Criterion
    public var maxFeatures: Int
    public var bootstrap: Bool
    public var seed: UInt64
    public var maxDepth: Int?
    public var minSamplesSplit: Int
    public var minSamplesLeaf: Int
    public var minImpurityDecrease: Double
    public var outOfBag: RandomForestModel.OutOfBag?
    public var trees: [DecisionTreeModel.Nodes]

    enum CodingKeys: String, CodingKey {
      case criterion, bootstrap, seed, trees
      case maxFeatures = "max_features"
      case maxDepth = "max_depth"
      case minSamplesSplit = "min_samples_split"
      case minSamplesLeaf = "min_samples_leaf"
      case minImpurityDecrease = "min_impurity_decrease"
      case outOfBag = "out_of_bag"
    }
  }

  /// A decision tree: how it was grown and its nodes (see `DecisionTreeModel`).
  public struct TreeParameters: Codable, Sendable, Equatable {
    public var criterion: DecisionTree.Criterion
    public var maxDepth: Int?
    public var minSamplesSplit: Int
    public var minSamplesLeaf: Int
    public var minImpurityDecrease: Double
    public var nodes: DecisionTreeModel.Nodes

    enum CodingKeys: String, CodingKey {
      case criterion, nodes
      case maxDepth = "max_depth"
      case minSamplesSplit = "min_samples_split"
      case minSamplesLeaf = "min_samples_leaf"
      case minImpurityDecrease = "min_impurity_decrease"
    }
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
    /// Logistic regression's inverse L2 strength.
    public var c: Double?
    /// The class weights of a logistic regression or a tree model.
    public var classWeight: String?
    /// How validation rows were chosen: `out_of_time`, `customer_split` or `none`.
    public var validation: String
    public var fit: FitDiagnostics

    public init(
      dataSHA256: String, rows: Int, positives: Int, cutoffs: [String], skippedRows: Int, created: String,
      rebuyVersion: String, seed: UInt64, c: Double? = nil, classWeight: String? = nil, validation: String, fit: FitDiagnostics
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
    /// Expected against actual purchases in the window, for a count model.
    public var counts: CountReport?

    public init(report: ClassificationReport, baselines: Baselines, cutoff: String?, counts: CountReport? = nil) {
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
      self.counts = counts
    }

    enum CodingKeys: String, CodingKey {
      case rows, positives, cutoff, precision, recall, f1, accuracy, baselines, counts
      case rocAUC = "roc_auc"
      case prAUC = "pr_auc"
      case logLoss = "log_loss"
      case brierScore = "brier_score"
    }
  }

  /// The envelope every kind shares, around its features and parameters.
  private init(
    kind: String, target: TargetSpec, features: [FeatureSpec], parameters: Parameters, btydFeatures: CustomerBaseModel?,
    threshold: Double, training: TrainingInfo, validation: ValidationSummary?
  ) {
    self.kind = kind
    self.target = target
    self.features = features
    self.parameters = parameters
    self.btydFeatures = btydFeatures
    self.threshold = threshold
    self.training = training
    self.validation = validation
  }

  /// A file for a fitted logistic regression (`btydFeatures`: the model its `btyd_*` features
  /// come from, when it reads them).
  public init(
    model: LogisticRegressionModel, target: TargetSpec, threshold: Double, training: TrainingInfo,
    validation: ValidationSummary?, btydFeatures: CustomerBaseModel? = nil
  ) {
    let features = model.featureNames.indices.map { j in
      FeatureSpec(
        name: model.featureNames[j], impute: model.preprocessing.impute[j], mean: model.preprocessing.mean[j],
        scale: model.preprocessing.scale[j], missing: model.preprocessing.missing[j])
    }
    self.init(
      kind: ModelFile.logisticKind, target: target, features: features,
      parameters: .linear(LinearParameters(intercept: model.intercept, coefficients: model.coefficients)),
      btydFeatures: btydFeatures, threshold: threshold, training: training, validation: validation)
  }

  /// A file for a fitted BG/NBD (+ Gamma-Gamma) model, which predicts P(a purchase within the
  /// horizon) (or its complement for churn).
  public init(
    model: CustomerBaseModel, target: TargetSpec, threshold: Double, training: TrainingInfo, validation: ValidationSummary?
  ) {
    let features = (CustomerBaseModel.historyFeatures + (model.spend == nil ? [] : [CustomerBaseModel.spendFeature])).map {
      FeatureSpec(name: $0)
    }
    self.init(
      kind: ModelFile.bgnbdKind, target: target, features: features, parameters: .customerBase(model), btydFeatures: nil,
      threshold: threshold, training: training, validation: validation)
  }

  /// A file for a fitted decision tree grown by `settings` (`btydFeatures` as for a logistic
  /// regression).
  public init(
    model: DecisionTreeModel, settings: DecisionTree, target: TargetSpec, threshold: Double, training: TrainingInfo,
    validation: ValidationSummary?, btydFeatures: CustomerBaseModel? = nil
  ) {
    let parameters = TreeParameters(
      criterion: settings.criterion, maxDepth: settings.maxDepth, minSamplesSplit: settings.minSamplesSplit,
      minSamplesLeaf: settings.minSamplesLeaf, minImpurityDecrease: settings.minImpurityDecrease, nodes: model.nodes)
    self.init(
      kind: ModelFile.treeKind, target: target, features: FeatureSpec.imputed(model.featureNames, model.impute, model.missing),
      parameters: .tree(parameters), btydFeatures: btydFeatures, threshold: threshold, training: training, validation: validation)
  }

  /// A file for a fitted random forest grown by `settings`.
  public init(
    model: RandomForestModel, settings: RandomForest, target: TargetSpec, threshold: Double, training: TrainingInfo,
    validation: ValidationSummary?, btydFeatures: CustomerBaseModel? = nil
  ) {
    let tree = settings.tree
    let parameters = ForestParameters(
      criterion: tree.criterion, maxFeatures: settings.maxFeatures.resolve(model.featureNames.count), bootstrap: settings.bootstrap,
      seed: settings.seed, maxDepth: tree.maxDepth, minSamplesSplit: tree.minSamplesSplit, minSamplesLeaf: tree.minSamplesLeaf,
      minImpurityDecrease: tree.minImpurityDecrease, outOfBag: model.outOfBag, trees: model.trees)
    self.init(
      kind: ModelFile.forestKind, target: target, features: FeatureSpec.imputed(model.featureNames, model.impute, model.missing),
      parameters: .forest(parameters), btydFeatures: btydFeatures, threshold: threshold, training: training, validation: validation)
  }

  /// The random forest the file describes, or `nil` for another kind.
  public var randomForest: RandomForestModel? {
    guard case let .forest(forest) = parameters else { return nil }
    return RandomForestModel(
      featureNames: features.map(\.name), impute: features.map { $0.impute! }, missing: features.map { $0.missing! },
      trees: forest.trees, criterion: forest.criterion, outOfBag: forest.outOfBag)
  }

  /// A file for fitted gradient-boosted trees grown by `settings`.
  public init(
    model: BoostedTreesModel, settings: BoostedTrees, target: TargetSpec, threshold: Double, training: TrainingInfo,
    validation: ValidationSummary?, btydFeatures: CustomerBaseModel? = nil
  ) {
    let parameters = BoostedParameters(
      learningRate: settings.learningRate, maxLeaves: settings.maxLeaves, maxDepth: settings.maxDepth,
      minSamplesLeaf: settings.minSamplesLeaf, l2: settings.l2, rowFraction: settings.rowFraction,
      featureFraction: settings.featureFraction, maxBins: settings.maxBins, earlyStoppingRounds: settings.earlyStoppingRounds,
      validationLogLoss: model.validationLogLoss, seed: settings.seed, initialScore: model.initialScore, trees: model.trees)
    self.init(
      kind: ModelFile.boostedKind, target: target, features: FeatureSpec.imputed(model.featureNames, model.impute, model.missing),
      parameters: .boosted(parameters), btydFeatures: btydFeatures, threshold: threshold, training: training, validation: validation)
  }

  /// The boosted trees the file describes, or `nil` for another kind.
  public var boostedTrees: BoostedTreesModel? {
    guard case let .boosted(boosted) = parameters else { return nil }
    return BoostedTreesModel(
      featureNames: features.map(\.name), impute: features.map { $0.impute! }, missing: features.map { $0.missing! },
      initialScore: boosted.initialScore, trees: boosted.trees, validationLogLoss: boosted.validationLogLoss)
  }

  /// The decision tree the file describes, or `nil` for another kind.
  public var decisionTree: DecisionTreeModel? {
    guard case let .tree(tree) = parameters else { return nil }
    return DecisionTreeModel(
      featureNames: features.map(\.name), impute: features.map { $0.impute! }, missing: features.map { $0.missing! },
      nodes: tree.nodes, criterion: tree.criterion)
  }

  /// The logistic regression the file describes, or `nil` for another kind.
  public var logisticRegression: LogisticRegressionModel? {
    guard case let .linear(linear) = parameters else { return nil }
    return LogisticRegressionModel(
      featureNames: features.map(\.name),
      preprocessing: Standardizer(
        impute: features.map { $0.impute! }, mean: features.map { $0.mean! }, scale: features.map { $0.scale! },
        missing: features.map { $0.missing! }),
      intercept: linear.intercept, coefficients: linear.coefficients, diagnostics: training.fit)
  }

  /// The BG/NBD model the file describes, or `nil` for another kind.
  public var customerBase: CustomerBaseModel? {
    guard case let .customerBase(model) = parameters else { return nil }
    return model
  }

  /// The features a feature table must have to be scored: the model's own, with `btyd_*`
  /// replaced by the history features they are computed from.
  public var inputFeatures: [String] {
    var names = features.map(\.name).filter { !CustomerBaseModel.derivedFeatures.contains($0) }
    if btydFeatures != nil {
      names += CustomerBaseModel.historyFeatures.filter { !names.contains($0) }
    }
    return names
  }

  /// The probability of the target for every row of `table` (whose columns may be any superset
  /// of `inputFeatures`, in any order).
  public func predictProbability(_ table: FeatureMatrix) throws(ScoreError) -> [Double] {
    switch parameters {
    case .linear:
      return try logisticRegression!.predictProbability(try modelInput(table))
    case .tree:
      return try decisionTree!.predictProbability(try modelInput(table))
    case .forest:
      return try randomForest!.predictProbability(try modelInput(table))
    case .boosted:
      return try boostedTrees!.predictProbability(try modelInput(table))
    case let .customerBase(model):
      let purchase = model.probabilityOfPurchase(
        withinDays: target.horizonDays, try CustomerBaseModel.histories(table, timeUnit: model.timeUnit))
      return target.name == "churn" ? purchase.map { 1 - $0 } : purchase
    }
  }

  /// For a model that reads features (logistic regression, tree): `table`'s columns in the
  /// model's order, `btyd_*` features computed first when the model reads them.
  public func modelInput(_ table: FeatureMatrix) throws(ScoreError) -> FeatureMatrix {
    let names = features.map(\.name)
    var source = table
    if let btydFeatures, !names.allSatisfy(table.featureNames.contains) {
      source = try btydFeatures.appendingDerivedFeatures(to: table, horizonDays: target.horizonDays)
    }
    guard let matrix = source.columns(names) else { throw .featureMismatch(expected: inputFeatures, got: table.featureNames) }
    return matrix
  }

  enum CodingKeys: String, CodingKey {
    case format, version, kind, target, features, parameters, threshold, training, validation
    case btydFeatures = "btyd_features"
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(format, forKey: .format)
    try container.encode(version, forKey: .version)
    try container.encode(kind, forKey: .kind)
    try container.encode(target, forKey: .target)
    try container.encode(features, forKey: .features)
    switch parameters {
    case let .linear(linear): try container.encode(linear, forKey: .parameters)
    case let .customerBase(model): try container.encode(model, forKey: .parameters)
    case let .tree(tree): try container.encode(tree, forKey: .parameters)
    case let .forest(forest): try container.encode(forest, forKey: .parameters)
    case let .boosted(boosted): try container.encode(boosted, forKey: .parameters)
    }
    try container.encodeIfPresent(btydFeatures, forKey: .btydFeatures)
    try container.encode(threshold, forKey: .threshold)
    try container.encode(training, forKey: .training)
    try container.encodeIfPresent(validation, forKey: .validation)
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
    guard ModelFile.kinds.contains(kind) else {
      throw DecodingError.dataCorruptedError(
        forKey: .kind, in: container,
        debugDescription: "kind '\(kind)' is not one this Rebuy knows (\(ModelFile.kinds.joined(separator: ", ")))")
    }
    target = try container.decode(TargetSpec.self, forKey: .target)
    features = try container.decode([FeatureSpec].self, forKey: .features)
    switch kind {
    case ModelFile.logisticKind: parameters = .linear(try container.decode(LinearParameters.self, forKey: .parameters))
    case ModelFile.treeKind: parameters = .tree(try container.decode(TreeParameters.self, forKey: .parameters))
    case ModelFile.forestKind: parameters = .forest(try container.decode(ForestParameters.self, forKey: .parameters))
    case ModelFile.boostedKind: parameters = .boosted(try container.decode(BoostedParameters.self, forKey: .parameters))
    default: parameters = .customerBase(try container.decode(CustomerBaseModel.self, forKey: .parameters))
    }
    btydFeatures = try container.decodeIfPresent(CustomerBaseModel.self, forKey: .btydFeatures)
    threshold = try container.decode(Double.self, forKey: .threshold)
    training = try container.decode(TrainingInfo.self, forKey: .training)
    validation = try container.decodeIfPresent(ValidationSummary.self, forKey: .validation)
    func fail(_ key: CodingKeys, _ message: String) -> DecodingError {
      DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: message)
    }
    guard ["repurchase", "churn"].contains(target.name) else { throw fail(.target, "target name '\(target.name)' is not repurchase or churn") }
    guard target.horizonDays >= 1 else { throw fail(.target, "horizon_days must be at least 1, got \(target.horizonDays)") }
    guard !features.isEmpty else { throw fail(.features, "the model has no features") }
    guard Set(features.map(\.name)).count == features.count else { throw fail(.features, "a feature name appears twice") }
    switch parameters {
    case let .linear(linear):
      guard linear.coefficients.count == features.count else {
        throw fail(.parameters, "\(linear.coefficients.count) coefficients for \(features.count) features")
      }
      for f in features {
        guard let impute = f.impute, let mean = f.mean, let scale = f.scale, f.missing != nil else {
          throw fail(.features, "feature \(f.name) needs impute, mean, scale and missing")
        }
        guard impute.isFinite, mean.isFinite, scale.isFinite, scale > 0 else {
          throw fail(.features, "feature \(f.name) needs finite impute and mean and a finite scale > 0")
        }
      }
      guard linear.intercept.isFinite, linear.coefficients.allSatisfy(\.isFinite) else {
        throw fail(.parameters, "the intercept and coefficients must be finite numbers")
      }
    case .tree, .forest, .boosted:
      for f in features {
        guard let impute = f.impute, impute.isFinite, let missing = f.missing, missing >= 0 else {
          throw fail(.features, "feature \(f.name) needs a finite impute and missing")
        }
      }
      if case let .tree(tree) = parameters, let problem = ModelFile.problem(tree.nodes, features: features.count) {
        throw fail(.parameters, problem)
      }
      if case let .forest(forest) = parameters {
        guard !forest.trees.isEmpty else { throw fail(.parameters, "the forest has no trees") }
        for (t, nodes) in forest.trees.enumerated() {
          if let problem = ModelFile.problem(nodes, features: features.count) { throw fail(.parameters, "tree \(t): \(problem)") }
        }
      }
      if case let .boosted(boosted) = parameters {
        guard boosted.initialScore.isFinite else { throw fail(.parameters, "initial_score must be finite") }
        for (t, nodes) in boosted.trees.enumerated() {
          if let problem = ModelFile.problem(nodes, features: features.count, probabilities: false) {
            throw fail(.parameters, "tree \(t): \(problem)")
          }
        }
      }
    case let .customerBase(model):
      for name in CustomerBaseModel.historyFeatures where !features.contains(where: { $0.name == name }) {
        throw fail(.features, "a bgnbd model reads \(name)")
      }
      if let problem = ModelFile.problem(model) { throw fail(.parameters, problem) }
    }
    if customerBase == nil {
      let derived = features.map(\.name).filter { CustomerBaseModel.derivedFeatures.contains($0) }
      if !derived.isEmpty && btydFeatures == nil {
        throw fail(.btydFeatures, "the model reads \(derived.joined(separator: ", ")) but the file has no btyd_features to compute them")
      }
      if let btydFeatures, let problem = ModelFile.problem(btydFeatures) { throw fail(.btydFeatures, problem) }
    }
    guard threshold.isFinite, (0...1).contains(threshold) else { throw fail(.threshold, "threshold must be in [0, 1], got \(threshold)") }
  }

  /// What is wrong with a tree's arrays, if anything: one entry per node in each; a leaf has
  /// both children -1 and feature -1; a split's children come after it, each node has one
  /// parent, its feature is a column and its threshold finite; values are in [0, 1].
  static func problem(_ nodes: DecisionTreeModel.Nodes, features: Int, probabilities: Bool = true) -> String? {
    let n = nodes.left.count
    guard n >= 1 else { return "nodes: the tree has no nodes" }
    for (name, count) in [
      ("right", nodes.right.count), ("feature", nodes.feature.count), ("threshold", nodes.threshold.count),
      ("value", nodes.value.count), ("samples", nodes.samples.count), ("weighted_samples", nodes.weightedSamples.count),
      ("impurity", nodes.impurity.count), ("improvement", nodes.improvement.count),
    ] where count != n {
      return "nodes.\(name) has \(count) entries for \(n) nodes"
    }
    var parents = [Int](repeating: 0, count: n)
    for k in 0..<n {
      let (l, r, f) = (Int(nodes.left[k]), Int(nodes.right[k]), Int(nodes.feature[k]))
      if l < 0 || r < 0 {
        guard l == -1, r == -1, f == -1 else { return "node \(k): a leaf needs left, right and feature -1" }
      } else {
        guard l > k, r > k, l < n, r < n, l != r else { return "node \(k): children \(l) and \(r) are not later nodes of the tree" }
        guard (0..<features).contains(f) else { return "node \(k): feature \(f) is not one of the \(features) features" }
        guard nodes.threshold[k].isFinite else { return "node \(k): the threshold is not finite" }
        parents[l] += 1
        parents[r] += 1
      }
      guard nodes.value[k].isFinite, !probabilities || (0...1).contains(nodes.value[k]) else {
        return "node \(k): value \(nodes.value[k]) is not \(probabilities ? "in [0, 1]" : "finite")"
      }
    }
    if let k = (1..<n).first(where: { parents[$0] != 1 }) { return "node \(k) has \(parents[k]) parents" }
    return nil
  }

  /// What is wrong with a BG/NBD model's numbers, if anything.
  static func problem(_ model: CustomerBaseModel) -> String? {
    let b = model.purchases
    for (name, value) in [("bgnbd.r", b.r), ("bgnbd.alpha", b.alpha), ("bgnbd.a", b.a), ("bgnbd.b", b.b)] where !(value.isFinite && value > 0) {
      return "\(name) must be a finite number > 0, got \(value)"
    }
    if let g = model.spend {
      for (name, value) in [("gamma_gamma.p", g.p), ("gamma_gamma.q", g.q), ("gamma_gamma.v", g.v)] where !(value.isFinite && value > 0) {
        return "\(name) must be a finite number > 0, got \(value)"
      }
    }
    return nil
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
