import CustomerBase
import Learners

/// Writes a model file as an ONNX model, preprocessing included.
///
/// The graph takes one input per feature the model reads, named after it (`double`, shape
/// `[N, 1]`; NaN is a missing value), and gives `probability` (`[N, 1]`, P(target)) and
/// `predicted` (`bool`, probability >= threshold). A logistic regression:
///
/// ```
/// X = Concat(features…)          Xi = Where(IsNaN(X), impute, X)
/// Z = (Xi − mean) / scale        probability = Sigmoid(Z · coefficients + intercept)
/// ```
///
/// A decision tree: the same imputation, then every split's condition at once and the leaf whose
/// path's conditions are all met (see `treeGraph`), in double precision.
///
/// A BG/NBD model (inputs `frequency`, `recency_days`, `tenure_days`; time in the model's unit,
/// `t` the horizon):
///
/// ```
/// x = frequency    T = tenure_days / unit    tₓ = (tenure_days − recency_days) / unit
/// odds  = Where(x > 0, Exp((r+x)·Log((α+T)/(α+tₓ)) + Log(a / Where(x > 0, b+x−1, 1))), 0)
/// alive = 1 / (1 + odds)         purchase = alive · (1 − Pow((α+T)/(α+T+t), r+x))
/// probability = purchase, or 1 − purchase for churn
/// ```
///
/// Standard ONNX operators only (default domain, opset `ONNXExporter.opset`), in double
/// precision, so that any runtime gives Rebuy's probabilities to rounding.
public enum ONNXExporter {
  /// The ONNX operator set the graphs are written for.
  public static let opset: Int64 = 17
  /// The IR version of the files.
  public static let irVersion: Int64 = 8

  /// A model that cannot be written as ONNX.
  public enum ExportError: Error, Equatable, CustomStringConvertible {
    case unsupported(String)
    public var description: String {
      switch self {
      case let .unsupported(message): message
      }
    }
  }

  /// The graph's inputs for a model file: the features it reads (for BG/NBD, the history
  /// features only).
  public static func inputs(_ file: ModelFile) -> [String] {
    file.customerBase == nil ? file.features.map(\.name) : CustomerBaseModel.historyFeatures
  }

  /// The ONNX bytes of a model file.
  /// - Throws: `ExportError.unsupported` for a model that reads `btyd_*`
  ///   features (their expected purchases need the hypergeometric function, which ONNX lacks).
  public static func export(_ file: ModelFile) throws(ExportError) -> [UInt8] {
    guard file.btydFeatures == nil else { throw btydUnsupported }
    var graph = Graph()
    switch file.parameters {
    case .linear:
      logisticGraph(file.logisticRegression!, into: &graph)
    case let .customerBase(model):
      customerBaseGraph(model, file: file, into: &graph)
    case .tree:
      let model = file.decisionTree!
      imputedInput(model.featureNames, impute: model.impute, into: &graph)
      treeGraph(model.nodes, output: "probability", prefix: "", into: &graph)
    case .forest:
      let model = file.randomForest!
      imputedInput(model.featureNames, impute: model.impute, into: &graph)
      // The mean of the trees.
      treeSum(model.trees, into: &graph)
      graph.constant("tree_count", [Double(model.trees.count)])
      graph.node("Div", ["tree_sum", "tree_count"], "probability")
    case .boosted:
      let model = file.boostedTrees!
      imputedInput(model.featureNames, impute: model.impute, into: &graph)
      // σ(initial score + the sum of the trees' leaf scores).
      treeSum(model.trees, into: &graph)
      graph.constant("initial_score", [model.initialScore])
      graph.node("Add", ["tree_sum", "initial_score"], "logit")
      graph.node("Sigmoid", ["logit"], "probability")
    }
    graph.constant("threshold", [file.threshold])
    graph.node("GreaterOrEqual", ["probability", "threshold"], "predicted")
    return graph.serialized(name: "rebuy_\(file.kind)_\(file.target.name)", producerVersion: file.training.rebuyVersion)
  }

  private static let btydUnsupported = ExportError.unsupported(
    "this model reads btyd_* features (trained with --btyd-features); their expected purchases need the hypergeometric "
      + "function, which ONNX has no operator for. Export a model trained without --btyd-features")

  /// The features as one matrix with missing values imputed: `X_imputed`.
  private static func imputedInput(_ names: [String], impute: [Double], into graph: inout Graph) {
    graph.inputs = names
    graph.node("Concat", names, "X", axis: 1)
    graph.node("IsNaN", ["X"], "missing")
    graph.node("Where", ["missing", "impute", "X"], "X_imputed")
    graph.constant("impute", [1, Int64(names.count)], impute)
  }

  /// `tree_sum`: the sum of the trees' leaf values, each tree its own subgraph (0 for no trees).
  private static func treeSum(_ trees: [DecisionTreeModel.Nodes], into graph: inout Graph) {
    guard !trees.isEmpty else {
      treeGraph(DecisionTreeModel.Nodes.leaf(0), output: "tree_sum", prefix: "empty_", into: &graph)
      return
    }
    var outputs: [String] = []
    for (t, nodes) in trees.enumerated() {
      let prefix = "tree\(t)_"
      treeGraph(nodes, output: prefix + "value", prefix: prefix, into: &graph)
      outputs.append(prefix + "value")
    }
    graph.node("Sum", outputs, "tree_sum")
  }

  /// A tree in standard operators, exactly (double precision): every split's condition
  /// `x[feature] <= threshold` at once, then for each leaf the number of its path's conditions
  /// met (`C · L + (1 − C) · R`, with `L` and `R` marking the splits a leaf's path goes left and
  /// right of); the row's leaf is the one whose count equals its depth, and
  /// `probability = [count == depth] · values`.
  private static func treeGraph(_ nodes: DecisionTreeModel.Nodes, output: String, prefix: String, into graph: inout Graph) {
    func name(_ base: String) -> String { prefix + base }
    let splits = (0..<nodes.count).filter { nodes.left[$0] >= 0 }
    let leaves = (0..<nodes.count).filter { nodes.left[$0] < 0 }
    guard !splits.isEmpty else {
      // A single leaf: the same probability for every row (0 · x keeps the row count).
      graph.integerConstant(name("first_feature"), [1], [0])
      graph.node("Gather", ["X_imputed", name("first_feature")], name("X_first"), axis: 1)
      graph.node("Mul", [name("X_first"), name("zero")], name("zeros"))
      graph.node("Add", [name("zeros"), name("leaf_value")], output)
      graph.constant(name("zero"), [0])
      graph.constant(name("leaf_value"), [nodes.value[0]])
      return
    }
    let (k, l) = (splits.count, leaves.count)
    let splitIndex = Dictionary(uniqueKeysWithValues: splits.enumerated().map { ($1, $0) })
    var goesLeft = [Double](repeating: 0, count: k * l), goesRight = goesLeft
    var depths = [Double](repeating: 0, count: l)
    // Each leaf's path, from the root down.
    var parent = [Int](repeating: -1, count: nodes.count)
    for s in splits {
      parent[Int(nodes.left[s])] = s
      parent[Int(nodes.right[s])] = s
    }
    for (column, leaf) in leaves.enumerated() {
      var child = leaf
      while parent[child] >= 0 {
        let s = parent[child]
        let row = splitIndex[s]!
        if child == Int(nodes.left[s]) { goesLeft[row * l + column] = 1 } else { goesRight[row * l + column] = 1 }
        depths[column] += 1
        child = s
      }
    }
    graph.integerConstant(name("split_features"), [Int64(k)], splits.map { Int64(nodes.feature[$0]) })
    graph.constant(name("split_thresholds"), [Int64(k)], splits.map { nodes.threshold[$0] })
    graph.constant(name("goes_left"), [Int64(k), Int64(l)], goesLeft)
    graph.constant(name("goes_right"), [Int64(k), Int64(l)], goesRight)
    graph.constant(name("depths"), [Int64(l)], depths)
    graph.constant(name("leaf_values"), [Int64(l), 1], leaves.map { nodes.value[$0] })
    graph.constant(name("one"), [1])
    graph.node("Gather", ["X_imputed", name("split_features")], name("X_splits"), axis: 1)
    graph.node("LessOrEqual", [name("X_splits"), name("split_thresholds")], name("left_of"))
    graph.node("Cast", [name("left_of")], name("left_met"), to: 11)  // DOUBLE
    graph.node("Sub", [name("one"), name("left_met")], name("right_met"))
    graph.node("MatMul", [name("left_met"), name("goes_left")], name("met_left"))
    graph.node("MatMul", [name("right_met"), name("goes_right")], name("met_right"))
    graph.node("Add", [name("met_left"), name("met_right")], name("met"))
    graph.node("Equal", [name("met"), name("depths")], name("reached"))
    graph.node("Cast", [name("reached")], name("reached_value"), to: 11)
    graph.node("MatMul", [name("reached_value"), name("leaf_values")], output)
  }

  private static func logisticGraph(_ model: LogisticRegressionModel, into graph: inout Graph) {
    let p = Int64(model.featureNames.count)
    imputedInput(model.featureNames, impute: model.preprocessing.impute, into: &graph)
    graph.node("Sub", ["X_imputed", "mean"], "X_centred")
    graph.node("Div", ["X_centred", "scale"], "Z")
    graph.node("MatMul", ["Z", "coefficients"], "linear")
    graph.node("Add", ["linear", "intercept"], "logit")
    graph.node("Sigmoid", ["logit"], "probability")
    graph.constant("mean", [1, p], model.preprocessing.mean)
    graph.constant("scale", [1, p], model.preprocessing.scale)
    graph.constant("coefficients", [p, 1], model.coefficients)
    graph.constant("intercept", [model.intercept])
  }

  private static func customerBaseGraph(_ model: CustomerBaseModel, file: ModelFile, into graph: inout Graph) {
    let m = model.purchases
    graph.inputs = inputs(file)
    for (name, value) in [
      ("r", m.r), ("alpha", m.alpha), ("a", m.a), ("b_minus_1", m.b - 1), ("unit", model.timeUnit.days),
      ("horizon", Double(file.target.horizonDays) / model.timeUnit.days), ("zero", 0), ("one", 1),
    ] {
      graph.constant(name, [value])
    }
    graph.node("Div", ["tenure_days", "unit"], "T")
    graph.node("Sub", ["tenure_days", "recency_days"], "tx_days")
    graph.node("Div", ["tx_days", "unit"], "tx")
    graph.node("Greater", ["frequency", "zero"], "repeat")
    graph.node("Add", ["alpha", "T"], "alpha_T")
    graph.node("Add", ["alpha", "tx"], "alpha_tx")
    graph.node("Add", ["r", "frequency"], "r_x")
    graph.node("Div", ["alpha_T", "alpha_tx"], "ratio")
    graph.node("Log", ["ratio"], "log_ratio")
    graph.node("Mul", ["r_x", "log_ratio"], "rate_term")
    graph.node("Add", ["b_minus_1", "frequency"], "b_x_1")
    graph.node("Where", ["repeat", "b_x_1", "one"], "b_x_1_safe")
    graph.node("Div", ["a", "b_x_1_safe"], "dropout_odds")
    graph.node("Log", ["dropout_odds"], "log_dropout_odds")
    graph.node("Add", ["rate_term", "log_dropout_odds"], "log_odds")
    graph.node("Exp", ["log_odds"], "odds_repeat")
    graph.node("Where", ["repeat", "odds_repeat", "zero"], "odds")
    graph.node("Add", ["one", "odds"], "one_plus_odds")
    graph.node("Reciprocal", ["one_plus_odds"], "p_alive")
    graph.node("Add", ["alpha_T", "horizon"], "alpha_T_t")
    graph.node("Div", ["alpha_T", "alpha_T_t"], "stay_base")
    graph.node("Pow", ["stay_base", "r_x"], "no_purchase_if_alive")
    graph.node("Sub", ["one", "no_purchase_if_alive"], "purchase_if_alive")
    if file.target.name == "churn" {
      graph.node("Mul", ["p_alive", "purchase_if_alive"], "purchase")
      graph.node("Sub", ["one", "purchase"], "probability")
    } else {
      graph.node("Mul", ["p_alive", "purchase_if_alive"], "probability")
    }
  }

  /// Nodes, constants, inputs; serialised as an ONNX `ModelProto`.
  private struct Graph {
    private static let double: Int64 = 11  // TensorProto.DataType.DOUBLE
    private static let bool: Int64 = 9  // TensorProto.DataType.BOOL

    var inputs: [String] = []
    private var nodes: [(op: String, inputs: [String], output: String, attributes: [(String, Int64)])] = []
    private var constants: [(name: String, dims: [Int64], values: [Double])] = []
    private var integerConstants: [(name: String, dims: [Int64], values: [Int64])] = []

    mutating func node(_ op: String, _ inputs: [String], _ output: String, axis: Int64? = nil, to: Int64? = nil) {
      var attributes: [(String, Int64)] = []
      if let axis { attributes.append(("axis", axis)) }
      if let to { attributes.append(("to", to)) }
      nodes.append((op, inputs, output, attributes))
    }

    /// A constant of shape `dims` (a one-element vector when not given).
    mutating func constant(_ name: String, _ dims: [Int64], _ values: [Double]) {
      constants.append((name, dims, values))
    }

    /// An int64 constant of shape `dims`.
    mutating func integerConstant(_ name: String, _ dims: [Int64], _ values: [Int64]) {
      integerConstants.append((name, dims, values))
    }

    mutating func constant(_ name: String, _ values: [Double]) {
      constant(name, [Int64(values.count)], values)
    }

    func serialized(name: String, producerVersion: String) -> [UInt8] {
      var writer = ProtobufWriter()
      writer.int(1, irVersion)  // ir_version
      writer.string(2, "rebuy")  // producer_name
      writer.string(3, producerVersion)  // producer_version
      writer.message(7) { graph in  // graph
        for node in nodes {
          graph.message(1) { n in
            for input in node.inputs { n.string(1, input) }
            n.string(2, node.output)
            n.string(3, node.output)
            n.string(4, node.op)
            for (name, value) in node.attributes {
              n.message(5) { a in
                a.string(1, name)
                a.int(3, value)
                a.int(20, 2)  // AttributeType.INT
              }
            }
          }
        }
        graph.string(2, name)
        for constant in constants {
          graph.message(5) { t in
            t.packedInts(1, constant.dims)
            t.int(2, Graph.double)
            t.string(8, constant.name)
            var raw: [UInt8] = []
            for v in constant.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            t.bytes(9, raw)
          }
        }
        for constant in integerConstants {
          graph.message(5) { t in
            t.packedInts(1, constant.dims)
            t.int(2, 7)  // TensorProto.DataType.INT64
            t.string(8, constant.name)
            var raw: [UInt8] = []
            for v in constant.values { withUnsafeBytes(of: v.littleEndian) { raw.append(contentsOf: $0) } }
            t.bytes(9, raw)
          }
        }
        func valueInfo(_ field: Int, _ name: String, _ type: Int64) {
          graph.message(field) { v in
            v.string(1, name)
            v.message(2) { t in
              t.message(1) { tensorType in
                tensorType.int(1, type)
                tensorType.message(2) { shape in
                  shape.message(1) { $0.string(2, "N") }
                  shape.message(1) { $0.int(1, 1) }
                }
              }
            }
          }
        }
        for input in inputs { valueInfo(11, input, Graph.double) }
        valueInfo(12, "probability", Graph.double)
        valueInfo(12, "predicted", Graph.bool)
      }
      writer.message(8) { opsetImport in  // opset_import
        opsetImport.string(1, "")
        opsetImport.int(2, opset)
      }
      return writer.bytes
    }
  }
}
