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
  private let label: String
  private let total: Int?
  private let enabled: Bool
  private let start = ContinuousClock.now
  private var lastDraw = ContinuousClock.now - .seconds(1)  // the first chunk draws at once
  private var done = 0

  init(label: String, total: Int?, quiet: Bool) {
    self.label = label
    self.total = total
    enabled = !quiet && isatty(2) != 0
  }

  func advance(by count: Int) {
    done += count
    guard enabled, ContinuousClock.now - lastDraw > .milliseconds(100) else { return }
    lastDraw = ContinuousClock.now
    let elapsed = max(1e-9, seconds(ContinuousClock.now - start))
    let rate = Double(done) / elapsed
    var line = "\(label) \(megabytes(done))"
    if let total, total > 0 {
      let fraction = min(1, Double(done) / Double(total))
      let width = 24
      let filled = Int(fraction * Double(width))
      line = "\(label) [" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
        + String(format: "%3.0f%%", fraction * 100) + " \(megabytes(done))/\(megabytes(total))"
        + String(format: " %.0f MB/s ETA %.0f s", rate / 1e6, Double(total - done) / max(rate, 1))
    } else {
      line += String(format: " %.0f MB/s", rate / 1e6)
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
