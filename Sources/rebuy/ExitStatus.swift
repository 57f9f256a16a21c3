import ArgumentParser
import Features
import Ingest
import ModelIO
import RebuyCore

/// A domain error that knows its sysexits status.
protocol ExitStatusError: Error, CustomStringConvertible {
  var exitStatus: Int32 { get }
}

extension IngestError: ExitStatusError {
  var exitStatus: Int32 {
    if case .readFailed = self { return 74 }  // EX_IOERR
    return 65  // EX_DATAERR
  }
}

extension FeaturesError: ExitStatusError {
  var exitStatus: Int32 { 65 }
}

extension FitError: ExitStatusError {
  var exitStatus: Int32 { 65 }
}

extension ScoreError: ExitStatusError {
  var exitStatus: Int32 { 65 }
}

extension ModelFileError: ExitStatusError {
  var exitStatus: Int32 { 65 }
}

extension ONNXExporter.ExportError: ExitStatusError {
  var exitStatus: Int32 { 65 }
}

/// Files that cannot be opened or written.
enum FileError: ExitStatusError {
  case cannotOpenInput(path: String, reason: String)
  case cannotWrite(path: String, reason: String)

  var exitStatus: Int32 {
    switch self {
    case .cannotOpenInput: 66  // EX_NOINPUT
    case .cannotWrite: 74  // EX_IOERR
    }
  }

  var description: String {
    switch self {
    case let .cannotOpenInput(path, reason): "\(path): cannot open: \(reason)"
    case let .cannotWrite(path, reason): "\(path): cannot write: \(reason)"
    }
  }
}

/// Runs `body`; a domain error is printed as `Error: …` on standard error and becomes its exit
/// status.
func exitingOnDomainError(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as ExitStatusError {
    Terminal.say("Error: \(error.description)")
    throw ExitCode(error.exitStatus)
  }
}
