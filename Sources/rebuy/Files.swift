import Foundation
import Ingest
import RebuyCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a file descriptor with `read(2)`; `-` is standard input.
final class FileSource: ByteSource {
  private let descriptor: Int32
  private let path: String

  /// Opens `path` for reading (`-` for standard input).
  /// - Throws: `FileError.cannotOpenInput` (exit 66) naming the reason.
  init(path: String) throws {
    self.path = path
    if path == "-" {
      descriptor = 0
      return
    }
    var status = stat()
    if stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
      throw FileError.cannotOpenInput(path: path, reason: "it is a directory")
    }
    descriptor = open(path, O_RDONLY)
    if descriptor < 0 { throw FileError.cannotOpenInput(path: path, reason: String(cString: strerror(errno))) }
  }

  deinit { if descriptor > 0 { close(descriptor) } }

  /// The size of a regular file (nil for pipes and standard input).
  var sizeHint: Int? {
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
    return Int(status.st_size)
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
    while true {
      let n = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw .readFailed(file: path, reason: String(cString: strerror(errno)))
    }
  }
}

/// Output that appears whole or not at all: bytes go to a hidden temporary file beside the
/// target, which is renamed over it only by `commit()`. `-` writes to standard output.
final class AtomicOutput {
  let path: String
  private let temporaryPath: String?
  private let descriptor: Int32
  private var committed = false

  /// Starts an output at `path` (`-` for standard output).
  /// - Throws: `FileError.cannotWrite` (exit 74).
  init(path: String) throws {
    self.path = path
    if path == "-" {
      temporaryPath = nil
      descriptor = 1
      return
    }
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let temporary = directory + "/." + url.lastPathComponent + ".rebuy-\(getpid()).tmp"
    descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if descriptor < 0 { throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
    temporaryPath = temporary
    TemporaryFiles.register(temporary)
  }

  deinit {
    if let temporaryPath, !committed {
      close(descriptor)
      unlink(temporaryPath)
      TemporaryFiles.unregister()
    }
  }

  /// Writes all of `bytes`.
  func write(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0 {
        if errno == EINTR { continue }
        throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
      }
      offset += n
    }
  }

  /// Makes the output visible under its name.
  func commit() throws {
    guard let temporaryPath else { return }
    if fsync(descriptor) != 0 || close(descriptor) != 0 {
      throw FileError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
    guard rename(temporaryPath, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporaryPath)
      throw FileError.cannotWrite(path: path, reason: reason)
    }
    committed = true
    TemporaryFiles.unregister()
  }
}

/// Writes a CSV to `path` (`-` for standard output) through an `AtomicOutput`: `body` appends
/// the rows, and the file appears only when all of them are written.
func writeCSV(_ path: String, _ body: (inout CSVOutput) throws -> Void) throws {
  let out = try AtomicOutput(path: path)
  var csv = CSVOutput(sink: out.write)
  try body(&csv)
  try csv.flush()
  try out.commit()
}

extension CSVOutput {
  /// Appends `,value` for each value (the shortest text that reads back to it), `,` alone for
  /// `nil`: undefined is an empty cell, never 0.
  mutating func cells(_ values: [Double?]) {
    for value in values {
      byte(UInt8(ascii: ","))
      if let value { decimal(value) }
    }
  }
}

/// Removes a half-written temporary file when the process is interrupted (SIGINT, SIGTERM).
enum TemporaryFiles {
  nonisolated(unsafe) private static var pending: UnsafeMutablePointer<CChar>? = nil

  static func register(_ path: String) {
    unregister()
    pending = strdup(path)
    signal(SIGINT, removeAndExit)
    signal(SIGTERM, removeAndExit)
  }

  static func unregister() {
    if let p = pending {
      pending = nil
      free(p)
    }
  }

  private static let removeAndExit: @convention(c) (Int32) -> Void = { signal in
    if let p = TemporaryFiles.pending { unlink(p) }
    _exit(128 + signal)
  }
}
