/// A JSON value as the web API and `export` write it. Numbers that are not finite (NaN, ±∞) are written as `null`,
/// since JSON has no such numbers; `numbers` and `integers` are arrays kept unboxed, for long curves.
public indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int64)
    case string(String)
    case numbers([Double])
    case integers([Int])
    case array([JSONValue])
    /// Keys in the order given.
    case object([(String, JSONValue)])

    /// An optional number, `null` when nil.
    public static func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
    /// An optional string, `null` when nil.
    public static func string(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
    public static func integer(_ value: Int) -> JSONValue { .integer(Int64(value)) }
    public static func integer(_ value: Int?) -> JSONValue { value.map { .integer(Int64($0)) } ?? .null }

    /// The UTF-8 bytes of the value, compact, keys in order; doubles in Swift's shortest round-trip form.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        write(into: &bytes)
        return bytes
    }

    func write(into bytes: inout [UInt8]) {
        switch self {
        case .null: bytes += Array("null".utf8)
        case .bool(let value): bytes += Array((value ? "true" : "false").utf8)
        case .number(let value): Self.write(value, into: &bytes)
        case .integer(let value): bytes += Array(String(value).utf8)
        case .string(let value): Self.write(value, into: &bytes)
        case .numbers(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.write(value, into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .integers(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes += Array(String(value).utf8)
            }
            bytes.append(UInt8(ascii: "]"))
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                value.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.write(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                value.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static func write(_ value: Double, into bytes: inout [UInt8]) {
        guard value.isFinite else { bytes += Array("null".utf8); return }
        // Swift's description is the shortest string that reads back as the same double ("1.0", "1e-07").
        bytes += Array(value.description.utf8)
    }

    /// A JSON string: quotes, backslashes and control characters escaped; `<`, `>` and `&` as \u escapes too, so
    /// the text is inert even if a browser were to sniff it as HTML.
    private static func write(_ text: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): bytes += Array("\\\\".utf8)
            case UInt8(ascii: "\n"): bytes += Array("\\n".utf8)
            case UInt8(ascii: "\r"): bytes += Array("\\r".utf8)
            case UInt8(ascii: "\t"): bytes += Array("\\t".utf8)
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xf)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
