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
        if let lag, lag != width - 1 {
            throw bad("lag", "is \(lag) but the rows of train_scaled hold \(width - 1) input value(s) before their target")
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
        try checkMasks(width: shape.lag)
        try checkPermutations()
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

    /// Checks the dropout masks against the rates: present exactly when a rate is above 0, one set per trained batch of
    /// every epoch, four masks of (batch, width) per kind holding only 0 and 1/(1 − rate), the four input masks equal
    /// when `mask_draw` is "one".
    private func checkMasks(width inputWidth: Int) throws {
        func bad(_ field: String, _ problem: String) -> ExperimentError { .badReference(field: field, problem: problem) }
        if let mask_draw, !["one", "per-gate"].contains(mask_draw) {
            throw bad("mask_draw", "must be one or per-gate, got '\(oneLine(mask_draw, limit: 40))'")
        }
        let kinds: [(name: String, rateField: String, rate: Double, width: Int, masks: (BatchMasks) -> [NestedNumbers]?)] = [
            ("input", "dropout", dropout ?? 0, inputWidth, \.input),
            ("recurrent", "recurrent_dropout", recurrent_dropout ?? 0, units, \.recurrent),
        ]
        guard let masks else {
            if let kind = kinds.first(where: { $0.rate > 0 }) {
                throw bad("masks", "are missing: with \(kind.rateField) \(kind.rate) the dump must record the masks Keras drew")
            }
            if mask_draw != nil { throw bad("mask_draw", "is given without masks") }
            return
        }
        guard kinds.contains(where: { $0.rate > 0 }) else {
            throw bad("masks", "are given but dropout and recurrent_dropout are 0: Keras draws no masks without dropout")
        }
        guard let mask_draw else { throw bad("mask_draw", "is missing: a dump with masks says whether Keras drew one input mask or one per gate") }
        guard masks.count == epochs.count else {
            throw bad("masks", "hold \(masks.count) epoch(s) where the dump trained \(epochs.count)")
        }
        let batches = train_scaled.count / batch_size
        for (epoch, sets) in masks.enumerated() {
            guard sets.count == batches else {
                throw bad("masks[\(epoch)]", "hold \(sets.count) batch(es) where \(batches) were trained "
                          + "(\(train_scaled.count) rows in batches of \(batch_size))")
            }
            for (batch, set) in sets.enumerated() {
                for kind in kinds {
                    let field = "masks[\(epoch)][\(batch)].\(kind.name)"
                    guard let gates = kind.masks(set) else {
                        if kind.rate > 0 { throw bad(field, "is missing where \(kind.rateField) is \(kind.rate)") }
                        continue
                    }
                    guard kind.rate > 0 else { throw bad(field, "is given where \(kind.rateField) is 0") }
                    guard gates.count == 4, gates.allSatisfy({ $0.shape == [batch_size, kind.width] }) else {
                        throw bad(field, "must be 4 masks (gates i, f, c, o) of \(batch_size) × \(kind.width) values")
                    }
                    let kept = 1 / (1 - kind.rate)
                    for (gate, mask) in gates.enumerated() {
                        if let value = mask.flattened.first(where: { $0 != 0 && $0 != kept }) {
                            throw bad("\(field)[\(gate)]", "holds \(value) where a mask holds 0 or 1/(1 − \(kind.rateField)) = \(kept)")
                        }
                    }
                    if mask_draw == "one", kind.name == "input",
                       gates.dropFirst().contains(where: { $0.flattened != gates[0].flattened }) {
                        throw bad(field, "holds 4 different masks where mask_draw 'one' says Keras drew one for every gate")
                    }
                }
            }
        }
    }

    /// Checks the row orders: present exactly when shuffle is true, one per epoch, each an order of the training rows.
    private func checkPermutations() throws {
        guard let permutations else {
            if shuffle == true {
                throw ExperimentError.badReference(field: "permutations", problem: "are missing: with shuffle true the dump "
                                                   + "must record the order Keras fed the training rows in each epoch")
            }
            return
        }
        guard shuffle == true else {
            throw ExperimentError.badReference(field: "permutations", problem: "are given but shuffle is not true")
        }
        guard permutations.count == epochs.count else {
            throw ExperimentError.badReference(field: "permutations",
                                               problem: "hold \(permutations.count) epoch(s) where the dump trained \(epochs.count)")
        }
        for (epoch, order) in permutations.enumerated() where order.sorted() != Array(0..<train_scaled.count) {
            throw ExperimentError.badReference(field: "permutations[\(epoch)]",
                                               problem: "is not an order of the \(train_scaled.count) training rows")
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
