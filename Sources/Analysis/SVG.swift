import Foundation

/// A minimal SVG writer: elements are appended as text with every number printed at fixed precision, so the same
/// figure always gives the same bytes.
public struct SVGDocument {
    public let width: Double
    public let height: Double
    private var elements: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                              width: Double = 1, dash: String? = nil, opacity: Double = 1) {
        elements.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\""
                        + " stroke-width=\"\(n(width))\"\(dashAttribute(dash))\(opacityAttribute("stroke-opacity", opacity))/>")
    }

    public mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String,
                                   stroke: String = "none", strokeWidth: Double = 1, opacity: Double = 1) {
        elements.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill)\""
                        + " stroke=\"\(stroke)\" stroke-width=\"\(n(strokeWidth))\"\(opacityAttribute("fill-opacity", opacity))/>")
    }

    public mutating func circle(x: Double, y: Double, radius: Double, fill: String, stroke: String) {
        elements.append("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(radius))\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>")
    }

    /// An open polyline through the points.
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5,
                                  dash: String? = nil, opacity: Double = 1) {
        guard !points.isEmpty else { return }
        let coordinates = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        elements.append("<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\""
                        + " stroke-linejoin=\"round\"\(dashAttribute(dash))\(opacityAttribute("stroke-opacity", opacity))/>")
    }

    /// A closed filled polygon (e.g. a band between two curves).
    public mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        guard !points.isEmpty else { return }
        let coordinates = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        elements.append("<polygon points=\"\(coordinates)\" fill=\"\(fill)\" stroke=\"none\"\(opacityAttribute("fill-opacity", opacity))/>")
    }

    public enum Anchor: String { case start, middle, end }

    public mutating func text(_ content: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
                              weight: String = "normal", rotation: Double? = nil, fill: String = "#222") {
        let rotate = rotation.map { " transform=\"rotate(\(n($0)) \(n(x)) \(n(y)))\"" } ?? ""
        elements.append("<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor.rawValue)\""
                        + " font-weight=\"\(weight)\" fill=\"\(fill)\"\(rotate)>\(escapeXML(content))</text>")
    }

    /// The whole document.
    public var rendered: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" viewBox="0 0 \(n(width)) \(n(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        <rect x="0" y="0" width="\(n(width))" height="\(n(height))" fill="#ffffff"/>
        \(elements.joined(separator: "\n"))
        </svg>

        """
    }

    private func n(_ value: Double) -> String { formatSVGNumber(value) }
    private func dashAttribute(_ dash: String?) -> String { dash.map { " stroke-dasharray=\"\($0)\"" } ?? "" }
    private func opacityAttribute(_ name: String, _ value: Double) -> String {
        value < 1 ? " \(name)=\"\(n(value))\"" : ""
    }
}

/// Escapes the five XML special characters.
func escapeXML(_ text: String) -> String {
    var escaped = ""
    for character in text {
        switch character {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&apos;"
        default: escaped.append(character)
        }
    }
    return escaped
}

/// A linear map from data values to pixels, with "nice" tick values (1, 2, 2.5 or 5 × 10ᵏ apart).
public struct LinearScale {
    public var domain: ClosedRange<Double>
    public var range: ClosedRange<Double>
    /// Whether larger values map to smaller pixel coordinates (a y axis).
    public var inverted: Bool

    public init(domain: ClosedRange<Double>, range: ClosedRange<Double>, inverted: Bool = false) {
        let width = domain.upperBound - domain.lowerBound
        self.domain = width > 0 ? domain : (domain.lowerBound - 1)...(domain.upperBound + 1)
        self.range = range
        self.inverted = inverted
    }

    public func callAsFunction(_ value: Double) -> Double {
        let fraction = (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
        let span = range.upperBound - range.lowerBound
        return inverted ? range.upperBound - fraction * span : range.lowerBound + fraction * span
    }

    /// About `count` round tick values inside the domain, and the decimals needed to print them.
    public func ticks(count: Int = 6) -> (values: [Double], decimals: Int) {
        let (step, magnitude) = Self.niceStep(domain.upperBound - domain.lowerBound, count: count)
        let first = (domain.lowerBound / step).rounded(.up) * step
        var values: [Double] = []
        var value = first
        while value <= domain.upperBound + step * 1e-9 {
            values.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        let decimals = max(0, Int(-floor(log10(step)).rounded()) + (step / magnitude == 2.5 ? 1 : 0))
        return (values, decimals)
    }

    /// The smallest of 1, 2, 2.5, 5 or 10 × 10ᵏ (`magnitude`) that divides `span` into at most about `count` steps.
    static func niceStep(_ span: Double, count: Int) -> (step: Double, magnitude: Double) {
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        return ([1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude, magnitude)
    }

    /// The domain widened to whole tick steps, so the axis starts and ends on a tick.
    public static func nice(_ low: Double, _ high: Double, count: Int = 6) -> ClosedRange<Double> {
        guard high > low else { return (low - 1)...(high + 1) }
        let step = niceStep(high - low, count: count).step
        return ((low / step).rounded(.down) * step)...((high / step).rounded(.up) * step)
    }
}

/// A qualitative palette (matplotlib's tab10), cycled.
public func paletteColor(_ index: Int) -> String {
    let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                  "#17becf"]
    return colors[index % colors.count]
}
