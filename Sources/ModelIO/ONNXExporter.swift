import Learners

/// Writes a logistic-regression model as an ONNX model, preprocessing included.
///
/// The graph takes one input per feature, named after it (`double`, shape `[N, 1]`; NaN is a
/// missing value), and gives `probability` (`[N, 1]`, P(target)) and `predicted` (`bool`,
/// probability >= threshold):
///
/// ```
/// X = Concat(features…)          Xi = Where(IsNaN(X), impute, X)
/// Z = (Xi − mean) / scale        probability = Sigmoid(Z · coefficients + intercept)
/// ```
///
/// Standard ONNX operators only (default domain, opset `ONNXExporter.opset`), in double
/// precision, so that any runtime gives Rebuy's probabilities to rounding.
public enum ONNXExporter {
  /// The ONNX operator set the graphs are written for.
  public static let opset: Int64 = 17
  /// The IR version of the files.
  public static let irVersion: Int64 = 8

  private static let double: Int64 = 11  // TensorProto.DataType.DOUBLE
  private static let bool: Int64 = 9  // TensorProto.DataType.BOOL

  /// The ONNX bytes of a model file's logistic regression.
  public static func export(_ file: ModelFile) -> [UInt8] {
    let model = file.logisticRegression
    let p = model.featureNames.count
    var writer = ProtobufWriter()
    writer.int(1, irVersion)  // ir_version
    writer.string(2, "rebuy")  // producer_name
    writer.string(3, file.training.rebuyVersion)  // producer_version
    writer.message(7) { graph in  // graph
      func node(_ op: String, _ inputs: [String], _ output: String, attributes: ((inout ProtobufWriter) -> Void)? = nil) {
        graph.message(1) { n in
          for input in inputs { n.string(1, input) }
          n.string(2, output)
          n.string(3, output)
          n.string(4, op)
          if let attributes { n.message(5, attributes) }
        }
      }
      node("Concat", model.featureNames, "X") { a in
        a.string(1, "axis")
        a.int(3, 1)
        a.int(20, 2)  // AttributeType.INT
      }
      node("IsNaN", ["X"], "missing")
      node("Where", ["missing", "impute", "X"], "X_imputed")
      node("Sub", ["X_imputed", "mean"], "X_centred")
      node("Div", ["X_centred", "scale"], "Z")
      node("MatMul", ["Z", "coefficients"], "linear")
      node("Add", ["linear", "intercept"], "logit")
      node("Sigmoid", ["logit"], "probability")
      node("GreaterOrEqual", ["probability", "threshold"], "predicted")
      graph.string(2, "rebuy_\(file.kind)_\(file.target.name)")
      func tensor(_ name: String, _ dims: [Int64], _ values: [Double]) {
        graph.message(5) { t in
          t.packedInts(1, dims)
          t.int(2, double)
          t.string(8, name)
          var raw: [UInt8] = []
          for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
          t.bytes(9, raw)
        }
      }
      tensor("impute", [1, Int64(p)], model.preprocessing.impute)
      tensor("mean", [1, Int64(p)], model.preprocessing.mean)
      tensor("scale", [1, Int64(p)], model.preprocessing.scale)
      tensor("coefficients", [Int64(p), 1], model.coefficients)
      tensor("intercept", [1], [model.intercept])
      tensor("threshold", [1], [file.threshold])
      func valueInfo(_ field: Int, _ name: String, _ type: Int64, width: Int64) {
        graph.message(field) { v in
          v.string(1, name)
          v.message(2) { t in
            t.message(1) { tensorType in
              tensorType.int(1, type)
              tensorType.message(2) { shape in
                shape.message(1) { $0.string(2, "N") }
                shape.message(1) { $0.int(1, width) }
              }
            }
          }
        }
      }
      for name in model.featureNames { valueInfo(11, name, double, width: 1) }
      valueInfo(12, "probability", double, width: 1)
      valueInfo(12, "predicted", bool, width: 1)
    }
    writer.message(8) { opsetImport in  // opset_import
      opsetImport.string(1, "")
      opsetImport.int(2, opset)
    }
    return writer.bytes
  }
}
