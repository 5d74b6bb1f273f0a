import Foundation

/// JSON with sorted keys, so the same value always gives the same bytes; `pretty` adds line breaks and indents.
/// JSON has no NaN or infinity: they are written as the strings "NaN", "Infinity" and "-Infinity" (Python's `json`
/// reads them back with `parse_constant`).
public func canonicalJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
