import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP connection to 127.0.0.1, for clients no WebSocket library would be: one that sends
/// a frame header it never completes, or never answers a close frame or a ping.
final class RawTCPClient {
    enum Read: Equatable {
        case bytes(Data)
        case closed
        case timedOut
    }

    private let descriptor: Int32

    init(port: Int) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            _ = Glibc.close(descriptor)
            throw TestSetupError("could not connect to 127.0.0.1:\(port)")
        }
        self.descriptor = descriptor
    }

    deinit { _ = Glibc.close(descriptor) }

    func send(_ bytes: Data) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw TestSetupError("send() failed") }
            offset += sent
        }
    }

    /// What arrives within `timeout` seconds: some bytes, the end of the stream, or nothing.
    func read(timeout: Double) -> Read {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return .timedOut }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? .bytes(Data(buffer[..<count])) : .closed
    }

    /// Reads until the stream ends; nil if it is still open after `timeout` seconds.
    func readToEnd(timeout: Double) -> Data? {
        let deadline = Date().addingTimeInterval(timeout)
        var received = Data()
        while true {
            switch read(timeout: max(0, deadline.timeIntervalSinceNow)) {
            case .bytes(let bytes): received += bytes
            case .closed: return received
            case .timedOut: return nil
            }
        }
    }
}
