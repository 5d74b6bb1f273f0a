// The study family's presets: each published table's columns mapped to our configuration labels, and each published
// conclusion (paraphrased from the posts) as a check over our results. The verdict rules are `ClaimContext`'s.

extension FamilyStudy {
    /// Every preset of the family, in the order the index lists them.
    public static let all: [FamilyStudy] = [
        dropout, recurrentDropout, epochs, batch, neurons, stateless, features, timesteps, instability, seedState,
        original,
    ]

    private static func published(_ slug: String) -> PublishedStudy {
        guard let study = PublishedStudy.named(slug) else { preconditionFailure("no published study '\(slug)'") }
        return study
    }

    /// `1 neuron`, `3 neurons`.
    private static func neurons(_ count: Int) -> String { count == 1 ? "1 neuron" : "\(count) neurons" }

    static let dropout: FamilyStudy = {
        let study = published("use-dropout-lstm-networks-time-series-forecasting")
        let input = ["0.0", "0.2", "0.4", "0.6"].map { "input dropout \($0)" }
        return FamilyStudy(
            preset: "dropout", summary: "input dropout 0.0, 0.2, 0.4 and 0.6 (3 neurons, 1000 epochs, batch 4)",
            published: study,
            tables: [study.mapped("baseline", [input[0]]), study.mapped("input dropout", input)],
            drawsCurves: true,
            curveObservations: [
                "Without dropout, train and test RMSE fall steadily until about epochs 400–500; then test rises while train keeps falling (over-fitting).",
                "With input dropout 0.4 both traces are bumpier, and test RMSE keeps falling through 1000 epochs.",
            ],
            claims: [
                FamilyClaim("40% input dropout has the best mean") { try $0.lowestMean(input[2], among: input) },
                FamilyClaim("20%, 40% and 60% input dropout barely differ") { try $0.barelyDiffer(Array(input[1...])) },
                FamilyClaim("Every input dropout rate beats no dropout") { try $0.beats(Array(input[1...]), input[0]) },
                FamilyClaim("The spread shrinks as input dropout rises") { try $0.spreadShrinks(input) },
                FamilyClaim("Without dropout, test RMSE turns up around epochs 400–500 while train RMSE keeps falling") {
                    try $0.overfits(input[0], within: 300...600)
                },
                FamilyClaim("With 40% input dropout, test RMSE keeps falling through the last epoch") {
                    try $0.keepsFalling(input[2])
                },
            ])
    }()

    static let recurrentDropout: FamilyStudy = {
        let study = published("use-dropout-lstm-networks-time-series-forecasting")
        let recurrent = ["0.0", "0.2", "0.4", "0.6"].map { "recurrent dropout \($0)" }
        return FamilyStudy(
            preset: "recurrent-dropout",
            summary: "recurrent dropout 0.0, 0.2, 0.4 and 0.6 (3 neurons, 1000 epochs, batch 4)",
            published: study, tables: [study.mapped("recurrent dropout", recurrent)], drawsCurves: true,
            curveObservations: [
                "With recurrent dropout 0.4 the test trace is bumpier, train is barely affected, and test RMSE plateaus or rises after about 500 epochs.",
            ],
            claims: [
                FamilyClaim("20% and 40% recurrent dropout are slightly better than none on the mean") {
                    try $0.beats([recurrent[1], recurrent[2]], recurrent[0])
                },
                FamilyClaim("40% recurrent dropout has the tightest spread") {
                    try $0.extremeSpread(recurrent[2], among: recurrent, largest: false)
                },
                FamilyClaim("Recurrent dropout worsens the best (minimum) RMSE") { context in
                    let minima = try recurrent.map { Description(try context.scores($0)).min }
                    let worse = minima.dropFirst().filter { $0 > minima[0] }.count
                    return (worse == 3 ? .holds : (worse > 0 ? .holdsInPart : .doesNotHold),
                            "Minima: \(zip(recurrent, minima).map { "`\($0)` \(format3($1))" }.joined(separator: ", ")); "
                            + "\(worse) of 3 rates have a higher minimum than no dropout.")
                },
                FamilyClaim("Recurrent dropout may not add much value: no rate is significantly better than none") {
                    try $0.noneBeatsFirst(inEach: [recurrent])
                },
                FamilyClaim("With 40% recurrent dropout, test RMSE plateaus or rises after about 500 epochs") {
                    try $0.plateausOrRises(recurrent[2], after: 500)
                },
            ])
    }()

    static let epochs: FamilyStudy = {
        let study = published("tune-lstm-hyperparameters-keras-time-series-forecasting")
        let epochs = [500, 1000, 2000, 4000, 6000].map { "epochs \($0)" }
        return FamilyStudy(
            preset: "epochs", summary: "500, 1000, 2000, 4000 and 6000 epochs (1 neuron, batch 4)", published: study,
            tables: [study.mapped("epochs", epochs)], drawsCurves: true,
            curveObservations: [
                "With 1 neuron the error falls through 500 epochs and flattens by 1000; at 2000 epochs about half of the runs start rising; at 4000 one run over-fits severely.",
            ],
            claims: [
                FamilyClaim("1000 epochs is a good choice: it has the lowest mean") { try $0.lowestMean(epochs[1], among: epochs) },
                FamilyClaim("Beyond 1000 epochs test RMSE rises with the epochs") { try $0.rises(Array(epochs[1...])) },
                FamilyClaim("At 2000 epochs about half of the runs over-fit") { context in
                    let onsets = try context.runOnsets(epochs[2])
                    let share = Double(onsets.compactMap { $0 }.count) / Double(onsets.count)
                    return ((0.3...0.7).contains(share) ? .holds : (share > 0 ? .holdsInPart : .doesNotHold),
                            "`\(epochs[2])`: \(onsets.compactMap { $0 }.count) of \(onsets.count) runs show an over-fitting onset "
                            + "on their own curves (we count 30–70% as about half).")
                },
            ])
    }()

    static let batch: FamilyStudy = {
        let study = published("tune-lstm-hyperparameters-keras-time-series-forecasting")
        let batch = [1, 2, 4].map { "batch \($0)" }
        return FamilyStudy(
            preset: "batch", summary: "batch size 1, 2 and 4 (1 neuron, 1000 epochs)", published: study,
            tables: [study.mapped("batch size", batch)], drawsCurves: true,
            curveObservations: ["With batch size 1 the test RMSE is more variable."],
            claims: [
                FamilyClaim("Batch size 4 has the largest spread") { try $0.extremeSpread(batch[2], among: batch, largest: true) },
                FamilyClaim("Batch size 4 has the lowest median") { try $0.lowestMedian(batch[2], among: batch) },
                FamilyClaim("With batch size 1 the test RMSE is more variable from epoch to epoch") { context in
                    let one = try context.roughness(batch[0]), four = try context.roughness(batch[2])
                    let p = welchTTest(one, four).pValue
                    let more = sampleMean(one) > sampleMean(four)
                    return (more && p < Comparison.alpha ? .holds : (more ? .holdsInPart : .doesNotHold),
                            "Mean absolute change of a run's test RMSE from one epoch to the next: `\(batch[0])` "
                            + "\(format3(sampleMean(one))), `\(batch[2])` \(format3(sampleMean(four))) (Welch \(pStatement(p))).")
                },
                .untestable("Batch size 1 with more epochs is worth exploring",
                            because: "The preset trains every batch size for 1000 epochs only."),
            ])
    }()

    static let neurons: FamilyStudy = {
        let study = published("tune-lstm-hyperparameters-keras-time-series-forecasting")
        let neurons = (1...5).map { "neurons \($0)" }
        return FamilyStudy(
            preset: "neurons", summary: "1 to 5 neurons (1000 epochs, batch 4)", published: study,
            tables: [study.mapped("neurons", neurons)], drawsCurves: true,
            curveObservations: ["With 2 neurons test RMSE turns up after about 500–750 epochs, with 3 neurons after about 300–400."],
            claims: [
                FamilyClaim("Test RMSE rises with the number of neurons") { try $0.rises(neurons) },
                FamilyClaim("1 neuron (with batch 4 and 1000 epochs) is a good configuration: it has the lowest mean") {
                    try $0.lowestMean(neurons[0], among: neurons)
                },
                FamilyClaim("With more neurons the test RMSE turns up earlier (3 neurons before 2)") { context in
                    let two = try context.curve(neurons[1]).diagnostics.overfittingOnset
                    let three = try context.curve(neurons[2]).diagnostics.overfittingOnset
                    let verdict: Verdict = if let two, let three { three < two ? .holds : .holdsInPart }
                        else { two != nil || three != nil ? .holdsInPart : .doesNotHold }
                    return (verdict, "Over-fitting onset of the mean curves: `\(neurons[1])` \(two.map(String.init) ?? "none"), "
                            + "`\(neurons[2])` \(three.map(String.init) ?? "none").")
                },
            ])
    }()

    static let stateless: FamilyStudy = {
        let study = published("stateful-stateless-lstm-time-series-forecasting-python")
        return FamilyStudy(
            preset: "stateless",
            summary: "stateful (twice), stateless with and without shuffling, and both at batch size 12 (1 neuron, 1000 epochs, walk-forward)",
            published: study,
            tables: [
                study.mapped("A vs A", ["stateful", "stateful2"]),
                study.mapped("stateful vs stateless", ["stateful", "stateless", "stateless_shuffle"]),
                study.mapped("batch size 12", ["stateful_batch12", "stateless_batch12"]),
                study.mapped("reset and seed regimes", [nil, nil, nil, nil, nil, nil]),
            ],
            drawsCurves: false,
            claims: [
                FamilyClaim("The same stateful configuration trained twice differs by chance only") {
                    try $0.equal("stateful2", "stateful")
                },
                FamilyClaim("Stateless beats stateful here") { try $0.beats(["stateless", "stateless_shuffle"], "stateful") },
                FamilyClaim("Stateful and stateless are equal at batch size 12") {
                    try $0.equal("stateless_batch12", "stateful_batch12")
                },
                .untestable("Resetting the state after each epoch helps; seeding from the training data gives no clear gain",
                            because: "The preset runs no reset or seed regime (that table is shown for reference)."),
            ])
    }()

    static let features: FamilyStudy = {
        let study = published("use-features-lstm-networks-time-series-forecasting")
        let oneNeuron = (1...5).map { "features \($0) · 1 neuron · 500 epochs" }
        let matched500 = (1...5).map { "features \($0) · \(neurons($0)) · 500 epochs" }
        let matched1000 = (1...5).map { "features \($0) · \(neurons($0)) · 1000 epochs" }
        return FamilyStudy(
            preset: "features", summary: "1 to 5 lag features, with 1 neuron or as many neurons as features (batch 1, walk-forward)",
            published: study,
            tables: [
                study.mapped("1 neuron, 500 epochs", oneNeuron),
                study.mapped("neurons = features, 500 epochs", matched500),
                study.mapped("neurons = features, 1000 epochs", matched1000),
            ],
            drawsCurves: false,
            claims: [
                FamilyClaim("1 feature is best (the lowest mean in each of the three runs)") {
                    try $0.firstIsBest(inEach: [oneNeuron, matched500, matched1000])
                },
                FamilyClaim("Adding features gives no benefit: no feature count is significantly better than 1") {
                    try $0.noneBeatsFirst(inEach: [oneNeuron, matched500, matched1000])
                },
            ])
    }()

    static let timesteps: FamilyStudy = {
        let study = published("use-timesteps-lstm-networks-time-series-forecasting")
        let oneNeuron = (1...5).map { "timesteps \($0) · 1 neuron" }
        let matched = (1...5).map { "timesteps \($0) · \(neurons($0))" }
        return FamilyStudy(
            preset: "timesteps", summary: "1 to 5 timesteps, with 1 neuron or as many neurons as timesteps (500 epochs, batch 1, walk-forward)",
            published: study,
            tables: [study.mapped("1 neuron", oneNeuron), study.mapped("neurons = timesteps", matched)],
            drawsCurves: false,
            claims: [
                FamilyClaim("1 timestep is best (the lowest mean in both runs)") {
                    try $0.firstIsBest(inEach: [oneNeuron, matched])
                },
                FamilyClaim("More timesteps give no benefit: no timestep count is significantly better than 1") {
                    try $0.noneBeatsFirst(inEach: [oneNeuron, matched])
                },
            ])
    }()

    static let instability: FamilyStudy = {
        let study = published("instability-online-learning-stateful-lstm-time-series-forecasting")
        let label = "results"
        return FamilyStudy(
            preset: "instability", summary: "one configuration repeated 100 times (1 neuron, 1000 epochs, batch 1, walk-forward)",
            published: study, tables: [study.mapped("100 repeats", [label])], drawsCurves: false,
            claims: [
                FamilyClaim("The results are not Gaussian: they are skewed, with a long right tail") { context in
                    let scores = try context.scores(label)
                    let skew = skewness(scores)
                    guard let test = skewTest(scores) else {
                        throw NotTestable(reason: "D'Agostino's skewness test needs at least 8 runs; `\(label)` has \(scores.count).")
                    }
                    let verdict: Verdict = skew > 0 && test.pValue < Comparison.alpha ? .holds : (skew > 0 ? .holdsInPart : .doesNotHold)
                    return (verdict, "Skewness \(fixed(skew, decimals: 3)) over \(scores.count) runs; D'Agostino's test of normal "
                            + "skewness z = \(fixed(test.z, decimals: 3)), \(pStatement(test.pValue)).")
                },
                FamilyClaim("The median is the better summary: the tail pulls the mean above the median") { context in
                    let d = Description(try context.scores(label))
                    let p = skewTest(try context.scores(label))?.pValue ?? .nan
                    let above = d.mean > d.median
                    return (above && p < Comparison.alpha ? .holds : (above ? .holdsInPart : .doesNotHold),
                            "Mean \(format3(d.mean)), median \(format3(d.median)) (\(signed(d.mean - d.median))); skewness test \(pStatement(p)).")
                },
                FamilyClaim("The cumulative median is still not stable at 100 repeats") { context in
                    let scores = try context.scores(label)
                    guard scores.count >= 40 else {
                        throw NotTestable(reason: "`\(label)` has \(scores.count) runs; the check reads the last 20 of at least 40.")
                    }
                    let medians = (1...scores.count).map { Description(Array(scores.prefix($0))).median }
                    let tail = medians.suffix(20)
                    let range = tail.max()! - tail.min()!
                    let marks = stride(from: 20, through: scores.count, by: 20).map { "\($0): \(format3(medians[$0 - 1]))" }
                    return (range >= 1 ? .holds : .doesNotHold,
                            "Cumulative median in repeat order at \(marks.joined(separator: ", ")); over the last 20 repeats it "
                            + "moves within \(format3(range)) (we call a range of 1.0 or more not stable).")
                },
            ])
    }()

    static let seedState: FamilyStudy = {
        let study = published("seed-state-lstms-time-series-forecasting-python")
        return FamilyStudy(
            preset: "seed-state", summary: "test forecasts with and without seeding the state (4 neurons, 3000 epochs, batch 4)",
            published: study, tables: [study.mapped("with and without seeding", ["with-seed", "without-seed"])],
            drawsCurves: false,
            claims: [
                FamilyClaim("Not seeding the state gives lower test RMSE") { try $0.beats(["without-seed"], "with-seed") },
            ])
    }()

    static let original: FamilyStudy = {
        let study = published("time-series-forecasting-long-short-term-memory-network-python")
        return FamilyStudy(
            preset: "original", summary: "the original tutorial's model repeated 30 times (4 neurons, 3000 epochs, batch 1, walk-forward)",
            published: study, tables: [study.mapped("30 repeats", ["rmse"])], drawsCurves: false,
            claims: [
                FamilyClaim("The model may be no better than persistence (test RMSE 136.761)") { context in
                    let scores = try context.scores("rmse")
                    let persistence = try context.persistenceRMSE("rmse")
                    let test = oneSampleTTest(scores, mean: persistence)
                    let mean = sampleMean(scores)
                    let verdict: Verdict = mean >= persistence ? .holds : (test.pValue < Comparison.alpha ? .doesNotHold : .holdsInPart)
                    return (verdict, "Mean \(format3(mean)) ± \(format3(Description(scores).std)) over \(scores.count) runs against "
                            + "persistence \(format3(persistence)) (\(signed(mean - persistence)); one-sample t test \(pStatement(test.pValue))); "
                            + "\(scores.filter { $0 < persistence }.count) of \(scores.count) runs beat persistence.")
                },
            ])
    }()
}
