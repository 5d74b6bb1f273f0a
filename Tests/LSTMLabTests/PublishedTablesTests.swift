import Experiment
@testable import Analysis
import Foundation
import Testing

// MARK: - The reference, read independently of the shipped data

/// One `describe()` block of the reference: its header line, names and cells read from the text by position (each
/// column ends where its numbers end, the header's names are right-aligned to the same edges).
private struct ReferenceTable {
    var text: String
    var names: [String]
    var cells: [[String]]

    /// nil for a block that is not a `describe()` table (the per-run diagnostic outputs).
    init?(block: String) {
        let lines = block.components(separatedBy: "\n")
        guard lines.count == 9, lines[1].hasPrefix("count") else { return nil }
        let header = Array(lines[0])
        let countRow = lines[1]
        var ends: [Int] = []
        var inToken = false
        for (index, character) in countRow.enumerated() {
            if character != " " && !inToken { inToken = true }
            if character == " " && inToken { inToken = false; ends.append(index) }
        }
        ends.append(countRow.count)
        ends.removeFirst()   // the end of "count"
        var start = "count".count
        names = ends.map { end in
            defer { start = end }
            return String(header[min(start, header.count)..<min(end, header.count)]).trimmingCharacters(in: .whitespaces)
        }
        let rows = lines.dropFirst().map { $0.split(separator: " ").map(String.init) }
        cells = names.indices.map { column in rows.map { $0[column + 1] } }
        text = block
    }
}

/// A study of the reference: the slug, the source line's four parts and its tables.
private struct ReferenceStudy {
    var slug: String
    var repository: String, path: String, commit: String, url: String
    var tables: [ReferenceTable]
}

/// Reads the fixture: a copy of the "Every published table" section of the study family's reference.
private func referenceStudies() throws -> [ReferenceStudy] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/published-tables", withExtension: "md"))
    let text = try String(contentsOf: url, encoding: .utf8)
    var studies: [ReferenceStudy] = []
    for section in text.components(separatedBy: "\n## ").dropFirst() {
        let heading = section.prefix { $0 != "\n" }
        guard heading.hasSuffix(".md") else { continue }
        let lines = section.components(separatedBy: "\n")
        let source = try #require(lines.first { $0.hasPrefix("source: ") })
        let words = source.split(separator: " ").map(String.init)
        // source: <repository> <path> (commit <sha>); original <url>
        let commit = String(words[4].dropLast(2))
        let blocks = section.components(separatedBy: "```\n").enumerated().filter { $0.offset % 2 == 1 }
            .map { $0.element.hasSuffix("\n") ? String($0.element.dropLast()) : $0.element }
        studies.append(ReferenceStudy(slug: String(heading.dropLast(3)), repository: words[1], path: words[2],
                                      commit: commit, url: words[6], tables: blocks.compactMap(ReferenceTable.init)))
    }
    return studies
}

@Suite("Published tables: the shipped data equals the reference, column by column")
struct PublishedTablesTests {

    @Test("Every study of the reference is shipped, in order, with its source")
    func studiesAndSources() throws {
        let reference = try referenceStudies()
        #expect(reference.map(\.slug) == PublishedStudy.all.map(\.slug))
        for (expected, study) in zip(reference, PublishedStudy.all) {
            #expect(study.source.repository == expected.repository, "\(study.slug)")
            #expect(study.source.path == expected.path, "\(study.slug)")
            #expect(study.source.commit == expected.commit, "\(study.slug)")
            #expect(study.source.originalURL == expected.url, "\(study.slug)")
            #expect(study.source.fileURL == "https://github.com/\(expected.repository)/blob/\(expected.commit)/\(expected.path)")
        }
    }

    @Test("All 29 describe() tables are shipped with the published names and digits of every column")
    func tablesColumnByColumn() throws {
        let reference = try referenceStudies()
        #expect(reference.flatMap(\.tables).count == 29)
        #expect(PublishedStudy.all.flatMap(\.tables).count == 29)
        for (expected, study) in zip(reference, PublishedStudy.all) {
            try #require(expected.tables.count == study.tables.count, "\(study.slug)")
            for (expectedTable, table) in zip(expected.tables, study.tables) {
                #expect(table.columns.map(\.name) == expectedTable.names, "\(study.slug) \(table.title)")
                for (column, cells) in zip(table.columns, expectedTable.cells) {
                    #expect(column.cells == cells, "\(study.slug) \(table.title) \(column.name)")
                    #expect(column.values == cells.map { Double($0)! })
                }
            }
        }
    }

    @Test("Each table prints exactly as published (pandas's layout of the published digits)")
    func tablesPrintAsPublished() throws {
        let reference = try referenceStudies()
        for (expected, study) in zip(reference, PublishedStudy.all) {
            for (expectedTable, table) in zip(expected.tables, study.tables) {
                #expect(table.text == expectedTable.text, "\(study.slug) \(table.title)")
            }
        }
    }

    @Test("The statistics read from the text are the published numbers")
    func numbersFromText() throws {
        let input = try #require(PublishedStudy.named("use-dropout-lstm-networks-time-series-forecasting")?.table("input dropout"))
        let rate = try #require(input.column("0.4"))
        #expect(rate.count == 30)
        #expect(rate.mean == 88.957421)
        #expect(rate.std == 4.070037)
        #expect(rate.min == 80.662878)
        #expect(rate.q25 == 85.885858)
        #expect(rate.median == 88.790068)
        #expect(rate.q75 == 91.515127)
        #expect(rate.max == 96.687333)
        let instability = try #require(PublishedStudy.named("instability-online-learning-stateful-lstm-time-series-forecasting")?
            .tables.first?.columns.first)
        #expect(instability.count == 100)
        #expect(instability.cells[0] == "100.000000")
    }
}

@Suite("Family presets: published columns mapped to configuration labels")
struct FamilyMappingTests {

    /// The presets' configuration labels, as the presets' contract lists them.
    static let presetLabels: [String: [String]] = [
        "dropout": ["0.0", "0.2", "0.4", "0.6"].map { "input dropout \($0)" },
        "recurrent-dropout": ["0.0", "0.2", "0.4", "0.6"].map { "recurrent dropout \($0)" },
        "epochs": [500, 1000, 2000, 4000, 6000].map { "epochs \($0)" },
        "batch": ["batch 1", "batch 2", "batch 4"],
        "neurons": (1...5).map { "neurons \($0)" },
        "stateless": ["stateful", "stateful2", "stateless", "stateless_shuffle", "stateful_batch12", "stateless_batch12"],
        "features": (1...5).map { "features \($0) · 1 neuron · 500 epochs" }
            + (2...5).map { "features \($0) · \($0) neurons · 500 epochs" }
            + ["features 1 · 1 neuron · 1000 epochs"] + (2...5).map { "features \($0) · \($0) neurons · 1000 epochs" },
        "timesteps": (1...5).map { "timesteps \($0) · 1 neuron" } + (2...5).map { "timesteps \($0) · \($0) neurons" },
        "instability": ["results"],
        "seed-state": ["with-seed", "without-seed"],
        "original": ["rmse"],
    ]

    @Test("Every family preset maps its tables onto exactly its configurations")
    func labelsPerPreset() {
        #expect(Set(FamilyStudy.all.map(\.preset)) == Set(Self.presetLabels.keys))
        for study in FamilyStudy.all {
            #expect(study.labels == Self.presetLabels[study.preset], "\(study.preset)")
            // The shipped preset's configurations are the ones the notebook looks up.
            let preset = Preset(rawValue: study.preset)
            #expect(preset?.configurations.map(\.label) == Self.presetLabels[study.preset], "\(study.preset)")
            #expect(preset?.isFamily == true)
        }
        #expect(Set(Preset.family.map(\.rawValue)) == Set(FamilyStudy.all.map(\.preset)))
    }

    @Test("Published columns map in order: the column names say which configuration")
    func columnsInOrder() throws {
        let dropout = try #require(FamilyStudy.preset("dropout"))
        #expect(dropout.tables.map(\.table.title) == ["baseline", "input dropout"])
        #expect(dropout.tables[0].mapped.map(\.label) == ["input dropout 0.0"])
        #expect(dropout.tables[1].mapped.map { "\($0.column.name)→\($0.label)" }
                == ["0.0→input dropout 0.0", "0.2→input dropout 0.2", "0.4→input dropout 0.4", "0.6→input dropout 0.6"])
        let features = try #require(FamilyStudy.preset("features"))
        #expect(features.tables[1].mapped[0].label == "features 1 · 1 neuron · 500 epochs")
        #expect(features.tables[2].mapped.map(\.column.name) == (1...5).map { "features_\($0)" })
        let stateless = try #require(FamilyStudy.preset("stateless"))
        #expect(stateless.tables.map { $0.mapped.count } == [2, 3, 2, 0])
        #expect(stateless.tables[3].table.columns.count == 6)
        let epochs = try #require(FamilyStudy.preset("epochs"))
        #expect(epochs.tables[0].mapped.map(\.column.mean) == [109.439203, 104.566259, 107.882390, 116.339792, 127.618305])
    }

    @Test("Every table the presets reproduce is one of the shipped tables, and no column is mapped twice")
    func mappedTablesAreShipped() {
        for study in FamilyStudy.all {
            for table in study.tables {
                #expect(study.published.tables.contains(table.table), "\(study.preset) \(table.table.title)")
                let names = table.table.columns.map(\.name)
                #expect(Set(names).count == names.count)
            }
        }
    }
}
