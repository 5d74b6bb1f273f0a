import ArgumentParser
import Experiment
import Foundation
@testable import LSTMLabCLI
import Testing
import TimeSeries

/// Every `run` below also passes a tiny workload, so that a missing check costs a second, not a study, and a
/// temporary archive, so that it never writes the package's default `runs/` archive.
private var small: [String] {
    ["--epochs", "1", "--repeats", "1", "--jobs", "1", "--quiet", "--archive", TestSupport.temporaryArchive()]
}

/// Expects `arguments` to fail with a one-line message containing each of `fragments`.
private func expectOneLineError(_ arguments: [String], naming fragments: [String],
                                sourceLocation: SourceLocation = #_sourceLocation) {
    guard let message = TestSupport.inProcessError(arguments) else {
        Issue.record("lstmlab \(arguments.joined(separator: " ")) did not fail", sourceLocation: sourceLocation)
        return
    }
    #expect(!message.isEmpty, sourceLocation: sourceLocation)
    #expect(!message.contains("\n"), "not one line: \(message)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(message.contains(fragment), "'\(message)' does not name '\(fragment)'", sourceLocation: sourceLocation)
    }
}

@Suite("Bad input through the CLI, in-process")
struct BadInputTests {
    @Test("Unknown preset and unknown profile")
    func unknownNames() {
        expectOneLineError(["run", "no-such-preset"] + small, naming: ["no-such-preset", "baseline", "input-grid"])
        expectOneLineError(["run", "baseline", "--profile", "keras9"] + small, naming: ["keras9"])
    }

    @Test("Counts that must be positive", arguments: [
        ("--epochs", "0", "epochs"), ("--epochs", "-3", "epochs"), ("--batch", "0", "batch"),
        ("--units", "0", "units"), ("--units", "-1", "units"), ("--repeats", "0", "repeats"),
        ("--lag", "0", "lag"), ("--test-size", "0", "test size"), ("--jobs", "0", "jobs"),
    ])
    func notPositive(option: String, value: String, name: String) {
        // `--option=value` so that a negative value is not read as a flag.
        let arguments = ["run", "baseline", "--epochs", "1", "--repeats", "1", "--quiet",
                         "--archive", TestSupport.temporaryArchive(), "\(option)=\(value)"]
        expectOneLineError(arguments, naming: [name, value])
    }

    @Test("Negative or non-finite penalty coefficients")
    func negativeCoefficients() {
        expectOneLineError(["run", "--place", "kernel", "--l1=-0.01"] + small, naming: ["kernel", "L1", "-0.01"])
        expectOneLineError(["run", "--place", "bias", "--l1", "0", "--l2=-0.5"] + small, naming: ["bias", "L2", "-0.5"])
        expectOneLineError(["run", "--place", "recurrent", "--l2", "inf"] + small, naming: ["recurrent", "L2", "inf"])
    }

    @Test("Inconsistent penalty flags")
    func penaltyFlags() {
        expectOneLineError(["run", "--l1", "0.01"] + small, naming: ["--place"])
        expectOneLineError(["run", "baseline", "--place", "kernel"] + small, naming: ["baseline"])
        expectOneLineError(["run", "--place", "kernel", "--place", "bias", "--l1", "0.01"] + small, naming: ["--l1"])
        expectOneLineError(["run", "--place", "kernel", "--place", "kernel"] + small, naming: ["kernel"])
    }

    @Test("Lag, test size or batch too large for the 36 observations")
    func tooLarge() {
        expectOneLineError(["run", "baseline", "--lag", "30"] + small, naming: ["lag 30", "36"])
        // 36 observations hold lag 1 + test size 30 + one batch of 4 + 1 exactly; test size 31 leaves 3 training rows.
        expectOneLineError(["run", "baseline", "--test-size", "31"] + small, naming: ["test size 31", "36"])
        // 22 training rows cannot hold one batch of 25.
        expectOneLineError(["run", "baseline", "--batch", "25"] + small, naming: ["25"])
        expectOneLineError(["persistence", "--test-size", "36"], naming: ["36"])
        expectOneLineError(["persistence", "--test-size", "0"], naming: ["test size", "0"])
    }

    @Test("Missing, empty, header-only, non-numeric and ragged CSV files")
    func badCSVFiles() throws {
        let missing = TestSupport.missingPath()
        expectOneLineError(["persistence", "--data", missing], naming: [missing])
        expectOneLineError(["run", "baseline", "--data", missing] + small, naming: [missing])

        let empty = try TestSupport.temporaryFile("", name: "empty")
        expectOneLineError(["persistence", "--data", empty], naming: [empty])
        let blank = try TestSupport.temporaryFile("\n\n", name: "blank")
        expectOneLineError(["persistence", "--data", blank], naming: [blank])
        let headerOnly = try TestSupport.temporaryFile("Month,Sales\n", name: "header-only")
        expectOneLineError(["persistence", "--data", headerOnly], naming: [headerOnly])

        let nonNumeric = try TestSupport.temporaryFile("Month,Sales\n1-01,266.0\n1-02,abc\n1-03,183.1\n",
                                                       name: "non-numeric")
        expectOneLineError(["persistence", "--data", nonNumeric], naming: ["abc", "line 3"])
        expectOneLineError(["run", "baseline", "--data", nonNumeric] + small, naming: ["abc", "line 3"])
        let notFinite = try TestSupport.temporaryFile("Month,Sales\n1-01,266.0\n1-02,nan\n", name: "nan")
        expectOneLineError(["persistence", "--data", notFinite], naming: ["nan", "line 3"])

        let ragged = try TestSupport.temporaryFile("Month,Sales\n1-01,266.0\n1-02\n1-03,183.1\n", name: "ragged")
        expectOneLineError(["persistence", "--data", ragged], naming: ["line 3", "1", "2"])
        let wide = try TestSupport.temporaryFile("Month,Sales\n1-01,266.0\n1-02,145.9,7\n", name: "wide")
        expectOneLineError(["persistence", "--data", wide], naming: ["line 3", "3"])
    }

    @Test("Unknown column name or index")
    func badColumns() throws {
        let csv = try TestSupport.temporaryFile("Month,Sales\n1-01,266.0\n1-02,145.9\n1-03,183.1\n")
        expectOneLineError(["persistence", "--data", csv, "--column", "Revenue"], naming: ["Revenue", "Sales"])
        expectOneLineError(["persistence", "--data", csv, "--column", "5"], naming: ["5", "2"])
        expectOneLineError(["persistence", "--data", csv, "--column=-1"], naming: ["-1"])
    }

    // BUG (reported): `run` opens (creates) the archive before the framing and the job count are checked, so a run
    // rejected for its lag, test size, batch or --jobs leaves a new, empty archive behind (by default
    // runs/archive.sqlite in the working directory).
    @Test("A rejected run creates no archive", arguments: [
        ["--lag", "30"], ["--test-size", "31"], ["--batch", "25"], ["--jobs=0"],
    ])
    func rejectedRunWritesNothing(bad: [String]) throws {
        let directory = try TestSupport.temporaryDirectory()
        let archive = directory.appendingPathComponent("archive.sqlite").path
        let arguments = ["run", "baseline", "--epochs", "1", "--repeats", "1", "--quiet", "--archive", archive] + bad
        #expect(TestSupport.inProcessError(arguments) != nil, "lstmlab \(arguments.joined(separator: " ")) did not fail")
        #expect(!FileManager.default.fileExists(atPath: archive), "a rejected run created \(archive)")
    }

    @Test("A short series: too few observations for the framing is reported by the run")
    func shortSeries() throws {
        let csv = try TestSupport.temporaryFile((1...10).map { "\($0),\(Double($0 * $0))" }.joined(separator: "\n"))
        expectOneLineError(["run", "baseline", "--data", csv] + small, naming: ["10"])
    }
}

@Suite("CSV loading: headers and column selection")
struct CSVLoadingTests {
    /// The series the CLI's data options select, parsed but not run.
    private func cliSeries(_ arguments: [String]) throws -> Series {
        let command = try LSTMLab.parseAsRoot(["persistence"] + arguments)
        let persistence = try #require(command as? PersistenceCommand)
        return try persistence.dataOptions.loadSeries()
    }

    @Test("A CSV without header is detected and read from its last column")
    func headerless() throws {
        let path = try TestSupport.temporaryFile("1-01,266.0\n1-02,145.9\n1-03,183.1\n1-04,119.3\n", name: "headerless")
        let series = try Series.load(csvAt: path)
        #expect(series.values == [266.0, 145.9, 183.1, 119.3])
        #expect(series.labels == ["1-01", "1-02", "1-03", "1-04"])
        #expect(try cliSeries(["--data", path]).values == [266.0, 145.9, 183.1, 119.3])
        #expect(try cliSeries(["--data", path, "--column", "1"]).values == [266.0, 145.9, 183.1, 119.3])
        #expect(try cliSeries(["--data", path, "--header", "absent"]).values == [266.0, 145.9, 183.1, 119.3])
        // Forcing a header drops the first row.
        #expect(try cliSeries(["--data", path, "--header", "present"]).values == [145.9, 183.1, 119.3])
    }

    @Test("A single numeric column without header: labels are row numbers")
    func singleColumn() throws {
        let path = try TestSupport.temporaryFile("10\n12\n15\n", name: "single")
        let series = try Series.load(csvAt: path)
        #expect(series.values == [10, 12, 15])
        #expect(series.labels == ["1", "2", "3"])
    }

    @Test("Column selection by name and by index, with a header")
    func columnSelection() throws {
        let path = try TestSupport.temporaryFile(
            "Month,Units,Sales\n1-01,5,266.0\n1-02,7,145.9\n1-03,4,183.1\n", name: "three-columns")
        #expect(try Series.load(csvAt: path).values == [266.0, 145.9, 183.1])
        #expect(try Series.load(csvAt: path, column: .name("Units")).values == [5, 7, 4])
        #expect(try Series.load(csvAt: path, column: .index(1)).values == [5, 7, 4])
        #expect(try Series.load(csvAt: path, column: .index(2)).values == [266.0, 145.9, 183.1])
        #expect(try Series.load(csvAt: path, column: .name("Units")).labels == ["1-01", "1-02", "1-03"])
        #expect(try cliSeries(["--data", path, "--column", "Units"]).values == [5, 7, 4])
        #expect(try cliSeries(["--data", path, "--column", "1"]).values == [5, 7, 4])
        #expect(try cliSeries(["--data", path, "--column", "Sales"]).values == [266.0, 145.9, 183.1])
        // The name records the file and the column.
        #expect(try Series.load(csvAt: path, column: .name("Units")).name == "three-columns:Units")
    }

    @Test("Windows line endings and surrounding spaces are accepted")
    func crlfAndSpaces() throws {
        let crlf = try TestSupport.temporaryFile("Month,Sales\r\n1-01,266.0\r\n1-02,145.9\r\n1-03,183.1\r\n", name: "crlf")
        let series = try Series.load(csvAt: crlf)
        #expect(series.values == [266.0, 145.9, 183.1])
        #expect(series.labels == ["1-01", "1-02", "1-03"])
        let spaced = try TestSupport.temporaryFile("Month, Sales\n1-01, 266.0\n1-02 , 145.9 \n", name: "spaced")
        #expect(try Series.load(csvAt: spaced).values == [266.0, 145.9])
        #expect(try Series.load(csvAt: spaced, column: .name("Sales")).values == [266.0, 145.9])
    }

    @Test("Typed errors of the loader")
    func loaderErrors() throws {
        let ragged = try TestSupport.temporaryFile("a,b\n1,2\n3\n4,5\n", name: "ragged")
        #expect(throws: TimeSeriesError.raggedRow(line: 3, fieldCount: 1, expected: 2)) {
            _ = try Series.load(csvAt: ragged)
        }
        let nonNumeric = try TestSupport.temporaryFile("a,b\n1,2\n3,x\n", name: "non-numeric")
        #expect(throws: TimeSeriesError.nonNumericValue(line: 3, value: "x")) {
            _ = try Series.load(csvAt: nonNumeric)
        }
        let missing = TestSupport.missingPath()
        #expect(throws: TimeSeriesError.fileNotFound(path: missing)) { _ = try Series.load(csvAt: missing) }
        let headerOnly = try TestSupport.temporaryFile("a,b\n", name: "header-only")
        #expect(throws: TimeSeriesError.emptyFile(path: headerOnly)) { _ = try Series.load(csvAt: headerOnly) }
        let csv = try TestSupport.temporaryFile("a,b\n1,2\n")
        #expect(throws: TimeSeriesError.columnIndexOutOfRange(index: 2, columnCount: 2)) {
            _ = try Series.load(csvAt: csv, column: .index(2))
        }
        #expect(throws: TimeSeriesError.unknownColumn(name: "c", available: ["a", "b"])) {
            _ = try Series.load(csvAt: csv, column: .name("c"))
        }
    }

    @Test("SupervisedDataset rejects framings the series cannot hold")
    func framingErrors() {
        let series = Series.shampooSales()
        // 36 observations: lag + test size + batch + 1 must not exceed 36.
        #expect(throws: TimeSeriesError.tooFewObservations(
            count: 36, needed: 47, reason: "lag 30, test size 12 and at least one training batch of 4")) {
            _ = try SupervisedDataset(series: series, options: FramingOptions(lag: 30, testSize: 12, batchSize: 4))
        }
        #expect(throws: TimeSeriesError.self) {
            _ = try SupervisedDataset(series: series, options: FramingOptions(lag: 1, testSize: 12, batchSize: 23))
        }
        // The largest batch that fits: 22 training rows.
        #expect(throws: Never.self) {
            _ = try SupervisedDataset(series: series, options: FramingOptions(lag: 1, testSize: 12, batchSize: 22))
        }
        #expect(throws: TimeSeriesError.invalidParameter(name: "lag", value: 0, allowed: "must be at least 1")) {
            _ = try SupervisedDataset(series: series, options: FramingOptions(lag: 0))
        }
    }
}
