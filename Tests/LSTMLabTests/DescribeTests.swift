import Analysis
import Foundation
import Testing

// Expected values: pandas is not installed here, so they were computed once with numpy 2.4 using the definitions
// pandas's Series.describe() uses (std with ddof=1, quartiles by linear interpolation):
//   x = np.array(sample)
//   [len(x), x.mean(), x.std(ddof=1), x.min(), *np.percentile(x, [25, 50, 75], method="linear"), x.max()]
// and checked by hand for the quartiles (positions (n − 1)·q in the sorted sample).

private func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}

@Suite("describe(): pandas Series.describe() statistics and table")
struct DescribeTests {
    @Test("Odd n = 7")
    func oddSample() {
        // Sorted: 87.1, 88.8, 90.2, 92.5, 95.0, 99.9, 101.3. 25%: position 1.5 → 88.8 + 0.5·1.4 = 89.5;
        // 75%: position 4.5 → 95.0 + 0.5·4.9 = 97.45.
        let d = Description([92.5, 87.1, 101.3, 95.0, 88.8, 90.2, 99.9])
        #expect(d.count == 7)
        #expect(close(d.mean, 93.54285714285713))   // x.mean()
        #expect(close(d.std, 5.461641127859265))    // x.std(ddof=1)
        #expect(d.min == 87.1)
        #expect(close(d.q25, 89.5))
        #expect(d.median == 92.5)
        #expect(close(d.q75, 97.45))
        #expect(d.max == 101.3)
    }

    @Test("Even n = 6")
    func evenSample() {
        // Sorted: 1.0, 1.5, 2.6, 3.0, 4.0, 9.0. 25%: position 1.25 → 1.5 + 0.25·1.1 = 1.775; 50%: position 2.5 → 2.8;
        // 75%: position 3.75 → 3.0 + 0.75·1.0 = 3.75.
        let d = Description([3.0, 1.0, 4.0, 1.5, 9.0, 2.6])
        #expect(d.count == 6)
        #expect(close(d.mean, 3.516666666666667))   // x.mean()
        #expect(close(d.std, 2.891654658956817))    // x.std(ddof=1)
        #expect(d.min == 1.0)
        #expect(close(d.q25, 1.775))
        #expect(close(d.median, 2.8))
        #expect(close(d.q75, 3.75))
        #expect(d.max == 9.0)
    }

    @Test("n = 2 and n = 1 (std NaN, as pandas)")
    func smallSamples() {
        let two = Description([20.0, 10.0])
        #expect(two.count == 2)
        #expect(two.mean == 15)
        #expect(close(two.std, 7.0710678118654755))  // np.array([10., 20.]).std(ddof=1) = √50
        #expect(two.q25 == 12.5 && two.median == 15 && two.q75 == 17.5)
        #expect(two.min == 10 && two.max == 20)

        let one = Description([42.0])
        #expect(one.count == 1)
        #expect(one.mean == 42)
        #expect(one.std.isNaN)
        #expect(one.min == 42 && one.q25 == 42 && one.median == 42 && one.q75 == 42 && one.max == 42)
    }

    @Test("The statistics come in pandas's row order")
    func rowOrder() {
        let d = Description([3.0, 1.0, 4.0, 1.5, 9.0, 2.6])
        #expect(d.rows.map(\.name) == ["count", "mean", "std", "min", "25%", "50%", "75%", "max"])
        #expect(d.rows.map(\.value) == [6, d.mean, d.std, 1.0, d.q25, d.median, d.q75, 9.0])
    }

    @Test("quantile interpolates linearly between sorted values")
    func quantiles() {
        let sorted = [1.0, 2.0, 4.0, 8.0]
        // Positions 3q: q = 0 → 1; 1/3 → 2; 0.5 → 1.5 → 3; 0.9 → 2.7 → 4 + 0.7·4 = 6.8; 1 → 8.
        #expect(quantile(sorted: sorted, 0) == 1)
        #expect(quantile(sorted: sorted, 0.5) == 3)
        #expect(close(quantile(sorted: sorted, 0.9), 6.8))
        #expect(quantile(sorted: sorted, 1) == 8)
        #expect(quantile(sorted: [5], 0.75) == 5)
    }

    @Test("describeTable prints like pandas DataFrame.describe(): six decimals, NaN, right-aligned columns")
    func table() {
        let table = describeTable([
            ("A", Description([92.5, 87.1, 101.3, 95.0, 88.8, 90.2, 99.9])),
            ("one", Description([42.0])),
        ])
        // The layout pandas gives (index column as wide as "count", two spaces, right-aligned columns), with the
        // numpy values above formatted "%.6f".
        let expected = [
            "                A        one",
            "count    7.000000   1.000000",
            "mean    93.542857  42.000000",
            "std      5.461641        NaN",
            "min     87.100000  42.000000",
            "25%     89.500000  42.000000",
            "50%     92.500000  42.000000",
            "75%     97.450000  42.000000",
            "max    101.300000  42.000000",
        ].joined(separator: "\n")
        #expect(table == expected)
    }

    // BUG (reported): `Description.std` is NaN for one value, as pandas, but `lstmlab summary --format json`
    // encodes it with a default JSONEncoder, which rejects NaN: an experiment with one scored run per
    // configuration (e.g. `--repeats 1`) cannot be summarised as JSON ("EncodingError.invalidValue: nan").
    @Test("summary --format json works when a configuration has a single run (std NaN)")
    func summaryJSONWithOneRun() throws {
        let archive = TestSupport.temporaryArchive()
        let run = try TestSupport.runLSTMLab(["run", "baseline", "--epochs", "1", "--repeats", "1", "--jobs", "1",
                                              "--quiet", "--archive", archive])
        try #require(run.status == 0, "run failed: \(run.stderr)")
        let summary = try TestSupport.runLSTMLab(["summary", "baseline-keras2", "--format", "json", "--archive", archive])
        #expect(summary.status == 0, "summary --format json failed: \(summary.stderr)")
        #expect((try? JSONSerialization.jsonObject(with: Data(summary.stdout.utf8))) != nil, "not JSON: \(summary.stdout)")
    }

    @Test("A column name wider than its numbers widens the column")
    func wideColumnName() {
        let table = describeTable([("kernel L1L2(0.01,0.01)", Description([1.0, 2.0]))])
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 9)
        #expect(lines[0] == "       kernel L1L2(0.01,0.01)")
        // Every line has the same width, the numbers right-aligned under the name.
        #expect(Set(lines.map(\.count)).count == 1)
        #expect(lines[2].hasPrefix("mean ") && lines[2].hasSuffix(" 1.500000"))
    }
}
