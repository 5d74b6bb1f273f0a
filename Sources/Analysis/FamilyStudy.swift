import NeuralNetwork

/// A published table as one of our presets reproduces it: each published column with the label of the configuration
/// that reproduces it.
public struct MappedTable: Sendable {
    public var table: PublishedTable
    /// Our configuration's label per published column, in column order; nil for a column the preset does not run
    /// (shown for reference only).
    public var labels: [String?]

    public init(_ table: PublishedTable, labels: [String?]) {
        precondition(labels.count == table.columns.count, "one label (or nil) per column of \(table.title)")
        self.table = table
        self.labels = labels
    }

    /// The columns the preset reproduces, each with our configuration's label, in column order.
    public var mapped: [(column: PublishedColumn, label: String)] {
        zip(table.columns, labels).compactMap { column, label in label.map { (column, $0) } }
    }
}

/// A study of the family as one preset reproduces it: the published study, its tables mapped to our configurations,
/// whether the post draws train/test curves, and its conclusions as checks over our results.
///
/// The preset's experiments are named `<preset>-<profile>` (`dropout-keras2`); configurations carry the labels of
/// `labels` (the experiment files' custom labels).
public struct FamilyStudy: Sendable {
    /// The preset's name (`dropout`, `seed-state`).
    public var preset: String
    /// A short description of what the preset varies.
    public var summary: String
    public var published: PublishedStudy
    /// The published tables the preset reproduces, in the post's order.
    public var tables: [MappedTable]
    /// Whether the post draws train and test RMSE per epoch for these configurations.
    public var drawsCurves: Bool
    /// What the post says of its curves, paraphrased (empty when it draws none).
    public var curveObservations: [String]
    /// The published conclusions, each checked on one profile's results.
    public var claims: [FamilyClaim]

    public init(preset: String, summary: String, published: PublishedStudy, tables: [MappedTable], drawsCurves: Bool,
                curveObservations: [String] = [], claims: [FamilyClaim]) {
        self.preset = preset
        self.summary = summary
        self.published = published
        self.tables = tables
        self.drawsCurves = drawsCurves
        self.curveObservations = curveObservations
        self.claims = claims
    }

    /// The experiment of this study in a profile: `<preset>-<profile>`.
    public func experimentName(_ profile: KerasProfile) -> String { "\(preset)-\(profile.name)" }

    /// Our configurations' labels, in the order of first appearance in the tables.
    public var labels: [String] {
        var seen: [String] = []
        for table in tables { for (_, label) in table.mapped where !seen.contains(label) { seen.append(label) } }
        return seen
    }

    /// The study of this preset, if the family has one.
    public static func preset(_ name: String) -> FamilyStudy? { all.first { $0.preset == name } }
}

extension PublishedStudy {
    /// The table of this title; a missing one is a programming error in the catalogue.
    func mapped(_ title: String, _ labels: [String?]) -> MappedTable {
        guard let table = table(title) else { preconditionFailure("\(slug) has no table '\(title)'") }
        return MappedTable(table, labels: labels)
    }
}
