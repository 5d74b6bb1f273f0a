/// Root mean squared error `√(Σ(forecast − observed)² / n)`, summed in order (as scikit-learn's
/// `mean_squared_error` followed by `sqrt`).
public func rootMeanSquaredError(_ forecasts: [Double], _ observed: [Double]) -> Double {
    precondition(forecasts.count == observed.count && !forecasts.isEmpty, "RMSE needs two equal, non-empty samples")
    var sum = 0.0
    for index in forecasts.indices {
        let error = forecasts[index] - observed[index]
        sum += error * error
    }
    return (sum / Double(forecasts.count)).squareRoot()
}

/// The persistence baseline: each of the last `testSize` observations is forecast by the one before it.
/// For the shampoo series and 12 test months the RMSE is 136.761.
public func persistenceForecast(_ series: Series, testSize: Int) throws -> (forecasts: [Double], observed: [Double]) {
    let values = series.values
    guard testSize >= 1 else {
        throw TimeSeriesError.invalidParameter(name: "test size", value: testSize, allowed: "must be at least 1")
    }
    guard values.count > testSize else {
        throw TimeSeriesError.tooFewObservations(
            count: values.count, needed: testSize == Int.max ? Int.max : testSize + 1, reason: "a persistence forecast of \(testSize) months")
    }
    let start = values.count - testSize
    return (Array(values[(start - 1)..<(values.count - 1)]), Array(values[start...]))
}
