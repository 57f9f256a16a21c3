import Foundation
import Ingest

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A progress line on standard error — done, rate, ETA — redrawn at most ten times a second,
/// only when standard error is a terminal and `--quiet` is not given; it clears itself at the end.
final class ProgressBar {
  /// What is counted: bytes (shown in MB) or items such as customers.
  enum Unit { case bytes, items(String) }

  private let label: String
  private let total: Int?
  private let unit: Unit
  private let enabled: Bool
  private let start = ContinuousClock.now
  private var lastDraw = ContinuousClock.now - .seconds(1)  // the first chunk draws at once
  private var done = 0

  init(label: String, total: Int?, unit: Unit = .bytes, quiet: Bool) {
    self.label = label
    self.total = total
    self.unit = unit
    enabled = !quiet && isatty(2) != 0
  }

  /// Moves to `done` items in all.
  func update(to done: Int) { advance(by: done - self.done) }

  func advance(by count: Int) {
    done += count
    guard enabled, ContinuousClock.now - lastDraw > .milliseconds(100) else { return }
    lastDraw = ContinuousClock.now
    let elapsed = max(1e-9, seconds(ContinuousClock.now - start))
    let rate = Double(done) / elapsed
    let (amount, speed): (String, String)
    switch unit {
    case .bytes: (amount, speed) = (megabytes(done) + (total.map { "/" + megabytes($0) } ?? ""), String(format: "%.0f MB/s", rate / 1e6))
    case let .items(name):
      (amount, speed) = (Terminal.count(done) + (total.map { "/" + Terminal.count($0) } ?? "") + " " + name,
        String(format: "%.0f/s", rate))
    }
    var line = "\(label) \(amount) \(speed)"
    if case let .items(name) = unit, name.isEmpty, total == nil { line = label + "…" }  // a status line
    if let total, total > 0 {
      let fraction = min(1, Double(done) / Double(total))
      let width = 24
      let filled = Int(fraction * Double(width))
      line = "\(label) [" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
        + String(format: "%3.0f%% ", fraction * 100) + amount + " " + speed
        + (done > 0 ? String(format: " ETA %.0f s", Double(total - done) / max(rate, 1e-9)) : "")
    }
    FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
  }

  func finish() {
    guard enabled else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }

  private func megabytes(_ bytes: Int) -> String { String(format: "%.0f MB", Double(bytes) / 1e6) }

  private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }
}

/// A source that reports every chunk it reads to a progress bar.
final class ProgressSource: ByteSource {
  private var inner: any ByteSource
  private let bar: ProgressBar

  init(_ inner: some ByteSource, bar: ProgressBar) {
    self.inner = inner
    self.bar = bar
  }

  var sizeHint: Int? { inner.sizeHint }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
    let count = try inner.read(into: buffer)
    bar.advance(by: count)
    return count
  }
}
