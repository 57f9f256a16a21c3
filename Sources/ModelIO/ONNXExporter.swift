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
  /// - Throws: `ExportError.unsupported` for a logistic regression that reads `btyd_*`
  ///   features (their expected purchases need the hypergeometric function, which ONNX lacks).
  public static func export(_ file: ModelFile) throws(ExportError) -> [UInt8] {
    var graph = Graph()
    switch file.parameters {
    case .linear:
      guard file.btydFeatures == nil else {
        throw .unsupported(
          "this model reads btyd_* features (trained with --btyd-features); their expected purchases need the hypergeometric "
            + "function, which ONNX has no operator for. Export a model trained without --btyd-features")
      }
      logisticGraph(file.logisticRegression!, into: &graph)
    case let .customerBase(model):
      customerBaseGraph(model, file: file, into: &graph)
    case .tree:
      throw .unsupported("decision trees cannot be exported to ONNX yet; export a logistic or bgnbd model")
    }
    graph.constant("threshold", [file.threshold])
    graph.node("GreaterOrEqual", ["probability", "threshold"], "predicted")
    return graph.serialized(name: "rebuy_\(file.kind)_\(file.target.name)", producerVersion: file.training.rebuyVersion)
  }

  private static func logisticGraph(_ model: LogisticRegressionModel, into graph: inout Graph) {
    let p = Int64(model.featureNames.count)
    graph.inputs = model.featureNames
    graph.node("Concat", model.featureNames, "X", axis: 1)
    graph.node("IsNaN", ["X"], "missing")
    graph.node("Where", ["missing", "impute", "X"], "X_imputed")
    graph.node("Sub", ["X_imputed", "mean"], "X_centred")
    graph.node("Div", ["X_centred", "scale"], "Z")
    graph.node("MatMul", ["Z", "coefficients"], "linear")
    graph.node("Add", ["linear", "intercept"], "logit")
    graph.node("Sigmoid", ["logit"], "probability")
    graph.constant("impute", [1, p], model.preprocessing.impute)
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
    private var nodes: [(op: String, inputs: [String], output: String, axis: Int64?)] = []
    private var constants: [(name: String, dims: [Int64], values: [Double])] = []

    mutating func node(_ op: String, _ inputs: [String], _ output: String, axis: Int64? = nil) {
      nodes.append((op, inputs, output, axis))
    }

    /// A constant of shape `dims` (a one-element vector when not given).
    mutating func constant(_ name: String, _ dims: [Int64], _ values: [Double]) {
      constants.append((name, dims, values))
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
            if let axis = node.axis {
              n.message(5) { a in
                a.string(1, "axis")
                a.int(3, axis)
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
