import Foundation

/// The plot area of a chart and its axes: title, axis labels with units, ticks and grid lines.
struct ChartFrame {
    var width: Double
    var height: Double
    var left: Double = 78
    var right: Double = 24
    var top: Double = 52
    var bottom: Double = 64

    var plotLeft: Double { left }
    var plotRight: Double { width - right }
    var plotTop: Double { top }
    var plotBottom: Double { height - bottom }

    /// Title, y axis with ticks and horizontal grid lines, and the axis labels.
    func drawAxes(_ svg: inout SVGDocument, title: String, xLabel: String, yLabel: String, y: LinearScale) {
        svg.text(title, x: width / 2, y: 28, size: 16, anchor: .middle, weight: "bold")
        let (ticks, decimals) = y.ticks()
        for tick in ticks {
            let py = y(tick)
            svg.line(plotLeft, py, plotRight, py, stroke: "#dddddd", width: 1)
            svg.line(plotLeft - 5, py, plotLeft, py, stroke: "#444444")
            svg.text(fixed(tick, decimals: decimals), x: plotLeft - 8, y: py + 4, size: 11, anchor: .end)
        }
        svg.line(plotLeft, plotTop, plotLeft, plotBottom, stroke: "#444444")
        svg.line(plotLeft, plotBottom, plotRight, plotBottom, stroke: "#444444")
        svg.text(yLabel, x: 18, y: (plotTop + plotBottom) / 2, size: 12, anchor: .middle, rotation: -90)
        svg.text(xLabel, x: (plotLeft + plotRight) / 2, y: height - 12, size: 12, anchor: .middle)
    }

    /// Ticks and labels of a numeric x axis.
    func drawXTicks(_ svg: inout SVGDocument, x: LinearScale) {
        let (ticks, decimals) = x.ticks(count: 8)
        for tick in ticks {
            let px = x(tick)
            svg.line(px, plotBottom, px, plotBottom + 5, stroke: "#444444")
            svg.text(fixed(tick, decimals: decimals), x: px, y: plotBottom + 18, size: 11, anchor: .middle)
        }
    }

    /// A legend box in the top-right corner of the plot area: one swatch and label per entry.
    func drawLegend(_ svg: inout SVGDocument, entries: [(label: String, color: String, dash: String?)]) {
        guard !entries.isEmpty else { return }
        let rowHeight = 16.0
        let longest = Double(entries.map(\.label.count).max() ?? 0)
        let boxWidth = 40 + longest * 6.6
        let x = plotRight - boxWidth - 8
        let y = plotTop + 8
        svg.rectangle(x: x, y: y, width: boxWidth, height: rowHeight * Double(entries.count) + 8, fill: "#ffffff",
                      stroke: "#bbbbbb", opacity: 0.9)
        for (index, entry) in entries.enumerated() {
            let rowY = y + 4 + rowHeight * (Double(index) + 0.5)
            svg.line(x + 6, rowY, x + 30, rowY, stroke: entry.color, width: 2.5, dash: entry.dash)
            svg.text(entry.label, x: x + 36, y: rowY + 4, size: 11)
        }
    }
}

/// The five numbers matplotlib's `boxplot` draws (whis = 1.5): quartiles by linear interpolation, whiskers at
/// the most extreme data within [Q1 − 1.5·IQR, Q3 + 1.5·IQR], and the points beyond them as outliers.
public struct BoxStatistics: Sendable, Equatable {
    public var q1: Double
    public var median: Double
    public var q3: Double
    public var lowerWhisker: Double
    public var upperWhisker: Double
    public var outliers: [Double]

    public init(_ sample: [Double]) {
        let sorted = sample.sorted()
        q1 = quantile(sorted: sorted, 0.25)
        median = quantile(sorted: sorted, 0.5)
        q3 = quantile(sorted: sorted, 0.75)
        let reach = 1.5 * (q3 - q1)
        let low = q1 - reach, high = q3 + reach
        // As matplotlib's `boxplot_stats`: a whisker never ends inside the box.
        lowerWhisker = min(sorted.first { $0 >= low } ?? q1, q1)
        upperWhisker = max(sorted.last { $0 <= high } ?? q3, q3)
        outliers = sorted.filter { $0 < low || $0 > high }
    }
}

/// A box plot of test RMSE, one box per configuration, drawn as matplotlib draws it: box from Q1 to Q3, the
/// median as a line, whiskers at 1.5 IQR, outliers as circles.
public func boxPlotSVG(title: String, samples: [(label: String, values: [Double])],
                       yLabel: String = "test RMSE (monthly sales)") -> String {
    let labelLength = Double(samples.map(\.label.count).max() ?? 0)
    let rotated = samples.count > 4
    let width = max(640, min(1400, 110 + Double(samples.count) * (rotated ? 34 : 150)))
    var frame = ChartFrame(width: width, height: rotated ? 420 + labelLength * 5.2 : 460)
    frame.bottom = rotated ? 40 + labelLength * 5.6 : 64
    let boxes = samples.map { BoxStatistics($0.values) }
    let all = samples.flatMap(\.values)
    // Headroom above the highest point keeps the legend clear of the boxes.
    let low = all.min() ?? 0, high = all.max() ?? 1
    let y = LinearScale(domain: LinearScale.nice(low, high + 0.22 * max(high - low, 1)),
                        range: frame.plotTop...frame.plotBottom, inverted: true)
    var svg = SVGDocument(width: frame.width, height: frame.height)
    frame.drawAxes(&svg, title: title, xLabel: rotated ? "" : "configuration", yLabel: yLabel, y: y)
    let slot = (frame.plotRight - frame.plotLeft) / Double(max(samples.count, 1))
    for (index, box) in boxes.enumerated() {
        let center = frame.plotLeft + slot * (Double(index) + 0.5)
        let half = min(30, slot * 0.3)
        svg.line(center, y(box.lowerWhisker), center, y(box.q1), stroke: "#333333")
        svg.line(center, y(box.q3), center, y(box.upperWhisker), stroke: "#333333")
        svg.line(center - half / 2, y(box.lowerWhisker), center + half / 2, y(box.lowerWhisker), stroke: "#333333")
        svg.line(center - half / 2, y(box.upperWhisker), center + half / 2, y(box.upperWhisker), stroke: "#333333")
        svg.rectangle(x: center - half, y: y(box.q3), width: 2 * half, height: max(0.5, y(box.q1) - y(box.q3)),
                      fill: "#aec7e8", stroke: "#1f77b4", strokeWidth: 1.2)
        svg.line(center - half, y(box.median), center + half, y(box.median), stroke: "#ff7f0e", width: 2)
        for outlier in box.outliers {
            svg.circle(x: center, y: y(outlier), radius: 3, fill: "none", stroke: "#333333")
        }
        svg.line(center, frame.plotBottom, center, frame.plotBottom + 5, stroke: "#444444")
        if rotated {
            svg.text(samples[index].label, x: center + 4, y: frame.plotBottom + 12, size: 10.5, anchor: .end,
                     rotation: -60)
        } else {
            svg.text(samples[index].label, x: center, y: frame.plotBottom + 18, size: 11, anchor: .middle)
        }
    }
    frame.drawLegend(&svg, entries: [("median", "#ff7f0e", nil), ("Q1–Q3 box, whiskers 1.5 IQR, ○ outliers", "#1f77b4", nil)])
    return svg.rendered
}

/// One configuration's curves for the behaviour-dynamics chart.
public struct CurveSeries: Sendable {
    public var label: String
    public var epochs: [Int]
    public var meanTrain: [Double]
    public var meanTest: [Double]
    /// Interquartile bands over repeats, per epoch.
    public var trainBand: (low: [Double], high: [Double])
    public var testBand: (low: [Double], high: [Double])
    /// Each run's own curves, drawn faintly (may be empty).
    public var runs: [(train: [Double], test: [Double])]
}

/// Train (dashed) and test (solid) RMSE per epoch, with interquartile bands and optionally each run's own curves.
/// The y axis spans the plotted values up to their 99th percentile, so the first epochs' large errors do not
/// flatten the rest.
public func curvesSVG(title: String, series: [CurveSeries]) -> String {
    var frame = ChartFrame(width: 960, height: 540)
    frame.bottom = 56
    let epochs = series.flatMap(\.epochs)
    let x = LinearScale(domain: Double(epochs.min() ?? 1)...Double(epochs.max() ?? 1),
                        range: frame.plotLeft...frame.plotRight)
    var values = series.flatMap { $0.meanTrain + $0.meanTest + $0.trainBand.low + $0.testBand.high }
    values += series.flatMap { $0.runs.flatMap { $0.train + $0.test } }
    let sorted = values.filter(\.isFinite).sorted()
    let top = sorted.isEmpty ? 1 : quantile(sorted: sorted, 0.99)
    let bottom = sorted.first ?? 0
    let y = LinearScale(domain: LinearScale.nice(bottom, top), range: frame.plotTop...frame.plotBottom, inverted: true)
    let clampLow = y.domain.lowerBound, clampHigh = y.domain.upperBound
    func point(_ epoch: Int, _ value: Double) -> (Double, Double) {
        (x(Double(epoch)), y(min(max(value, clampLow), clampHigh)))
    }
    var svg = SVGDocument(width: frame.width, height: frame.height)
    frame.drawAxes(&svg, title: title, xLabel: "epoch", yLabel: "RMSE (monthly sales)", y: y)
    frame.drawXTicks(&svg, x: x)
    for (index, curve) in series.enumerated() {
        let color = paletteColor(index)
        for run in curve.runs {
            svg.polyline(zip(curve.epochs, run.train).map(point), stroke: color, width: 0.7, dash: "4 3", opacity: 0.25)
            svg.polyline(zip(curve.epochs, run.test).map(point), stroke: color, width: 0.7, opacity: 0.25)
        }
        for band in [curve.trainBand, curve.testBand] {
            let upper = zip(curve.epochs, band.high).map(point)
            let lower = zip(curve.epochs, band.low).map(point).reversed()
            svg.polygon(upper + lower, fill: color, opacity: 0.15)
        }
        svg.polyline(zip(curve.epochs, curve.meanTrain).map(point), stroke: color, width: 1.8, dash: "6 4")
        svg.polyline(zip(curve.epochs, curve.meanTest).map(point), stroke: color, width: 2)
    }
    var legend: [(label: String, color: String, dash: String?)] = series.enumerated().map {
        ("\($0.element.label) test", paletteColor($0.offset), nil)
    }
    legend.append(("dashed: train; bands: IQR over repeats", "#888888", "6 4"))
    frame.drawLegend(&svg, entries: legend)
    return svg.rendered
}
