// zlib's module as ZIPFoundation declares it on Linux (Debian's zlib1g-dev), for gzipped sitemaps.
import CZlib

/// Inflates a gzip stream with zlib, refusing output past `limit` (a small file can expand enormously).
enum Gunzip {
    struct Failure: Error {
        let reason: String
    }

    static let magic: [UInt8] = [0x1F, 0x8B]

    static func inflate(_ bytes: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        // 16 + MAX_WBITS: a gzip header and trailer around the deflate data.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = bytes
        let status: Int32 = input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                guard output.count + produced <= limit else { return Z_BUF_ERROR }
                output.append(contentsOf: chunk[..<produced])
                if status == Z_STREAM_END { return Z_STREAM_END }
                guard status == Z_OK else { return status }
                if stream.avail_in == 0 && produced == 0 { return Z_DATA_ERROR }  // truncated
            }
        }
        switch status {
        case Z_STREAM_END: return output
        case Z_BUF_ERROR: throw Failure(reason: "it expands past \(limit >> 20) MiB")
        default: throw Failure(reason: "it is not valid gzip")
        }
    }
}
