import RebuyCore

/// Where a reader gets its bytes: a file, standard input, or memory.
///
/// Library code never opens files; the `rebuy` command gives it a source.
public protocol ByteSource {
  /// Reads up to `buffer.count` bytes into `buffer` and returns how many; `0` means the end.
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int

  /// The total size in bytes when known in advance (a regular file), to size buffers; `nil`
  /// for pipes.
  var sizeHint: Int? { get }
}

extension ByteSource {
  public var sizeHint: Int? { nil }
}

/// Bytes held in memory, handed out at most `chunkLimit` at a time (tests use tiny limits to
/// prove the reader is indifferent to where chunks end).
public struct MemorySource: ByteSource {
  private let bytes: [UInt8]
  private var position = 0
  private let chunkLimit: Int

  /// A source over `bytes` that returns at most `chunkLimit` bytes per read.
  public init(_ bytes: [UInt8], chunkLimit: Int = .max) {
    self.bytes = bytes
    self.chunkLimit = max(1, chunkLimit)
  }

  /// A source over the UTF-8 of `text`.
  public init(_ text: String, chunkLimit: Int = .max) {
    self.init(Array(text.utf8), chunkLimit: chunkLimit)
  }

  public var sizeHint: Int? { bytes.count }

  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
    let count = min(buffer.count, chunkLimit, bytes.count - position)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { source in
      buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
    }
    position += count
    return count
  }
}

/// A source that hashes (SHA-256) every byte it passes on, for the data fingerprint a model
/// file records. A class, so the digest can be read after the reader is done with it.
public final class HashingSource: ByteSource {
  private var inner: any ByteSource
  private var hash = SHA256()

  public init(_ inner: some ByteSource) { self.inner = inner }

  public var sizeHint: Int? { inner.sizeHint }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
    let count = try inner.read(into: buffer)
    hash.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    return count
  }

  /// The SHA-256 of every byte read so far, in hex.
  public var hexDigest: String { hash.hexDigest() }
}
