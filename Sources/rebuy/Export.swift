import ArgumentParser
import ModelIO

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a model for other runtimes (ONNX), preprocessing included.",
    discussion: """
      The ONNX graph has one double input per feature the model reads, named after it (shape
      [N, 1]; NaN is missing), and outputs probability ([N, 1]) and predicted (probability >=
      the model's threshold). Logistic and BG/NBD models; standard operators, opset
      \(ONNXExporter.opset); onnxruntime gives the same probabilities as rebuy score.
      """)

  @Argument(help: "The model file.")
  var modelFile: String

  @Option(help: "The format: onnx.")
  var format = "onnx"

  @Option(name: .shortAndLong, help: "The file to write.")
  var output: String

  func validate() throws {
    guard format == "onnx" else { throw ValidationError("--format must be onnx, got '\(format)'.") }
  }

  func run() throws {
    try exitingOnDomainError {
      let file = try loadModel(modelFile)
      let bytes = try ONNXExporter.export(file)
      let out = try AtomicOutput(path: output)
      try out.write(bytes)
      try out.commit()
      Terminal.say("Wrote \(output): ONNX opset \(ONNXExporter.opset), \(ONNXExporter.inputs(file).count) inputs, \(Terminal.count(bytes.count)) bytes.")
    }
  }
}
