import Foundation

// How numbers are written, everywhere lstmlab shows one: tables, verdicts, notebooks, SVG, the command line.

/// `value` with exactly `decimals` decimals (`%.Nf`).
public func fixed(_ value: Double, decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

/// Three decimals, as the study reports RMSE; NaN as "–".
public func format3(_ value: Double) -> String { value.isNaN ? "–" : fixed(value, decimals: 3) }

/// A signed number with 3 decimals and a typographic minus (`+1.234`, `−0.500`).
public func signed(_ value: Double) -> String {
    value >= 0 ? "+" + format3(value) : "−" + format3(-value)
}

/// A number with fixed decimals and a typographic minus sign (U+2212), no sign when it rounds to zero; ∞ for
/// infinities.
public func formatSigned(_ value: Double, decimals: Int) -> String {
    if value.isInfinite { return value < 0 ? "−∞" : "∞" }
    let text = fixed(abs(value), decimals: decimals)
    let isZero = text.allSatisfy { $0 == "0" || $0 == "." }
    return value < 0 && !isZero ? "−" + text : text
}

/// 17 significant digits: enough to tell any two doubles apart.
public func exactDecimal(_ value: Double) -> String { String(format: "%.17g", value) }

/// Scientific notation with three decimals (`1.234e-09`), for deviations.
public func scientific(_ value: Double) -> String { String(format: "%.3e", value) }

/// A p-value in a compact, fixed form for tables: `< 1e-10`, `3.2e-05`, `0.0123`, `0.412`.
public func formatPValue(_ p: Double) -> String {
    if p.isNaN { return "–" }
    if p < 1e-10 { return "< 1e-10" }
    if p < 0.001 { return String(format: "%.1e", p) }
    if p < 0.1 { return fixed(p, decimals: 4) }
    return fixed(p, decimals: 3)
}

/// `p = 0.0123`, or `p < 1e-10` for the smallest values.
public func pStatement(_ p: Double) -> String {
    let text = formatPValue(p)
    return text.hasPrefix("<") ? "p \(text)" : "p = \(text)"
}

/// A p-value for a verdict: `0` when it underflowed, `2.1e-08` below 0.001, else two significant digits (`0.41`,
/// `0.012`), with more digits when two would round across `alpha` (0.0496 is not written 0.05).
public func formatVerdictPValue(_ p: Double, alpha: Double) -> String {
    if p.isNaN { return "NaN" }
    if p == 0 { return "0" }
    if p < 0.001 { return String(format: "%.1e", p) }
    for digits in 2...6 {
        let text = String(format: "%.\(digits)g", p)
        if let shown = Double(text), (shown < alpha) == (p < alpha) { return text }
    }
    return String(format: "%.6g", p)
}

/// Decimals giving three significant digits to the largest magnitude among the values (at least 0, at most 6).
public func decimalsForThreeSignificantDigits(_ values: Double...) -> Int {
    let largest = values.filter(\.isFinite).map(abs).max() ?? 0
    guard largest > 0 else { return 2 }
    return Swift.min(6, Swift.max(0, 2 - Int(log10(largest).rounded(.down))))
}

/// A number for SVG coordinates: at most two decimals and no trailing zeros (`12`, `12.5`, `12.25`); −0 prints as 0.
func formatSVGNumber(_ value: Double) -> String {
    var text = fixed(value, decimals: 2)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
}

/// `text` padded with spaces on the left to `width` characters.
public func rightAligned(_ text: String, width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

/// A CSV field, quoted when it holds a comma, quote or newline.
public func csvField(_ text: String) -> String {
    text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
        ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
}

/// A duration as `42s` or `3m05s`.
public func formatDuration(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    return whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole)s"
}
