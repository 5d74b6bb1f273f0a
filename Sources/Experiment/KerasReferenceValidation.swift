import NeuralNetwork
import TimeSeries

extension KerasReference {
    /// Checks every field against what Keras can have written, with the ranges of `SettingLimits`: positive sizes,
    /// finite numbers, rows of lag + 1 values, weights of Keras's shapes, epochs numbered 1, 2, …, one prediction per
    /// test row. Throws `ExperimentError.badReference` naming the field.
    public func validate() throws {
        func bad(_ field: String, _ problem: String) -> ExperimentError { .badReference(field: field, problem: problem) }
        func inRange(_ field: String, _ value: Int, _ range: ClosedRange<Int>, _ why: String = "") throws {
            guard range.contains(value) else {
                throw bad(field, "must be from \(range.lowerBound) to \(range.upperBound)\(why), got \(value)")
            }
        }
        func finite(_ field: String, _ values: [Double]) throws {
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw bad(field, "holds \(values[index]) at value \(index + 1); every number must be finite")
            }
        }
        if let dtype, dtype != "float64" {
            throw bad("dtype", "is '\(oneLine(dtype, limit: 20))': lstmlab computes in float64 and judges a dump at float64 "
                      + "tolerances, which a \(oneLine(dtype, limit: 20)) dump cannot meet; write it with keras.config.set_floatx(\"float64\")")
        }
        try inRange("units", units, SettingLimits.units)
        guard learning_rate > 0, learning_rate <= SettingLimits.largestLearningRate else {
            throw bad("learning_rate", "must be a finite number greater than 0, got \(learning_rate)")
        }
        for (field, value) in [("adam.beta_1", adam.beta_1), ("adam.beta_2", adam.beta_2)] where !(value >= 0 && value < 1) {
            throw bad(field, "must be from 0 to less than 1, got \(value)")
        }
        guard adam.epsilon > 0, adam.epsilon <= 1 else {
            throw bad("adam.epsilon", "must be greater than 0 and at most 1, got \(adam.epsilon)")
        }
        guard RecurrentActivation(rawValue: recurrent_activation) != nil else {
            throw bad("recurrent_activation", "'\(oneLine(recurrent_activation, limit: 40))' is not sigmoid or hard_sigmoid_0.2")
        }
        for (field, pair) in [("kernel_l1l2", kernel_l1l2), ("recurrent_l1l2", recurrent_l1l2), ("bias_l1l2", bias_l1l2),
                              ("activity_l1l2", activity_l1l2 ?? [0, 0])] {
            guard pair.count == 2 else { throw bad(field, "must be a pair [l1, l2], got \(pair.count) value(s)") }
            for value in pair where !(value >= 0 && value <= SettingLimits.largestCoefficient) {
                throw bad(field, "coefficients must be from 0 to \(SettingLimits.largestCoefficient), got \(value)")
            }
        }
        // Data rows: input(s) then target, all of one width.
        guard let width = train_scaled.first?.count else { throw bad("train_scaled", "holds no rows") }
        try inRange("lag (the width of a train_scaled row less its target)", width - 1, SettingLimits.lag)
        for (field, rows) in [("train_scaled", train_scaled), ("test_scaled", test_scaled)] {
            guard !rows.isEmpty else { throw bad(field, "holds no rows") }
            if let index = rows.firstIndex(where: { $0.count != width }) {
                throw bad(field, "row \(index + 1) has \(rows[index].count) values where \(width) (lag + 1) were expected")
            }
            for (index, row) in rows.enumerated() { try finite("\(field) row \(index + 1)", row) }
        }
        try inRange("batch_size", batch_size, 1...min(SettingLimits.batchSize.upperBound, train_scaled.count),
                    " (the rows of train_scaled)")
        guard train_scaled.count % batch_size == 0 else {
            throw bad("train_scaled", "holds \(train_scaled.count) rows, not a multiple of batch_size \(batch_size)")
        }
        // Weights: Keras's five tensors, each of its shape.
        if let lag_as, !["features", "timesteps"].contains(lag_as) { throw bad("lag_as", "must be features or timesteps, got \(lag_as)") }
        if let forecast, !["one-shot", "walk-forward"].contains(forecast) {
            throw bad("forecast", "must be one-shot or walk-forward, got \(forecast)")
        }
        for (field, rate) in [("dropout", dropout), ("recurrent_dropout", recurrent_dropout)] {
            if let rate, !(rate >= 0 && rate < 1) { throw bad(field, "must be from 0 to below 1, got \(rate)") }
        }
        let shape = self.shape
        try checkWeights(initial_weights, field: "initial_weights", shape: shape)
        guard !epochs.isEmpty else { throw bad("epochs", "holds no epochs") }
        try inRange("the number of epochs", epochs.count, SettingLimits.epochs)
        for (index, epoch) in epochs.enumerated() {
            guard epoch.epoch == index + 1 else {
                throw bad("epochs[\(index)].epoch", "must be \(index + 1) (epochs numbered from 1 in order), got \(epoch.epoch)")
            }
            try finite("epochs[\(index)].loss", [epoch.loss])
            try checkWeights(epoch.weights, field: "epochs[\(index)].weights", shape: shape)
        }
        guard test_predictions_scaled.count == test_scaled.count else {
            throw bad("test_predictions_scaled", "holds \(test_predictions_scaled.count) values, not one per test row (\(test_scaled.count))")
        }
        try finite("test_predictions_scaled", test_predictions_scaled)
        if let test_forecasts {
            guard test_forecasts.count == test_scaled.count else {
                throw bad("test_forecasts", "holds \(test_forecasts.count) values, not one per test row (\(test_scaled.count))")
            }
            try finite("test_forecasts", test_forecasts)
        }
        if let test_rmse, !(test_rmse.isFinite && test_rmse >= 0) {
            throw bad("test_rmse", "must be a finite number ≥ 0, got \(test_rmse)")
        }
    }

    /// Checks that `weights` are Keras's five tensors for `shape`: kernel (lag, 4u), recurrent kernel (u, 4u),
    /// bias (4u), Dense kernel (u, 1), Dense bias (1), with finite values.
    private func checkWeights(_ weights: [NestedNumbers], field: String, shape: NetworkShape) throws {
        let expected = [[shape.lag, 4 * shape.units], [shape.units, 4 * shape.units], [4 * shape.units], [shape.units, 1], [1]]
        let names = ["kernel", "recurrent_kernel", "bias", "dense kernel", "dense bias"]
        guard weights.count == expected.count else {
            throw ExperimentError.badReference(field: field, problem: "holds \(weights.count) tensors where 5 were expected "
                                               + "(kernel, recurrent_kernel, bias, dense kernel, dense bias)")
        }
        for index in expected.indices {
            let tensorShape = weights[index].shape
            guard tensorShape == expected[index] else {
                let found = tensorShape.map { "(\($0.map(String.init).joined(separator: ", ")))" } ?? "a ragged array"
                throw ExperimentError.badReference(
                    field: "\(field)[\(index)]",
                    problem: "(\(names[index])) has shape \(found) where (\(expected[index].map(String.init).joined(separator: ", "))) "
                        + "was expected for lag \(shape.lag) and \(shape.units) units")
            }
            if let bad = weights[index].flattened.first(where: { !$0.isFinite }) {
                throw ExperimentError.badReference(field: "\(field)[\(index)]", problem: "holds \(bad); every number must be finite")
            }
        }
    }
}
