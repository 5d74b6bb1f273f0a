/// Where a published study's code and console output are read: a file of a public repository at a commit, and the
/// original post it copies.
public struct PublishedSource: Sendable, Equatable {
    public var repository: String
    public var commit: String
    public var path: String
    public var originalURL: String

    public init(repository: String, commit: String, path: String, originalURL: String) {
        self.repository = repository
        self.commit = commit
        self.path = path
        self.originalURL = originalURL
    }

    /// The file at its commit on GitHub.
    public var fileURL: String { "https://github.com/\(repository)/blob/\(commit)/\(path)" }
}

/// One column of a published `describe()` table: its name and its eight statistics as printed (six decimals), so
/// the table can be printed again digit for digit; the numbers are read from that text.
public struct PublishedColumn: Sendable, Equatable {
    public var name: String
    /// count, mean, std, min, 25%, 50%, 75%, max, as printed.
    public var cells: [String]

    public init(_ name: String, _ cells: [String]) {
        precondition(cells.count == 8 && cells.allSatisfy { Double($0) != nil },
                     "a describe() column has eight numbers: \(name) \(cells)")
        self.name = name
        self.cells = cells
    }

    /// The statistics as numbers, in `describeStatisticNames` order.
    public var values: [Double] { cells.map { Double($0)! } }
    public var count: Int { Int(values[0]) }
    public var mean: Double { values[1] }
    public var std: Double { values[2] }
    public var min: Double { values[3] }
    public var q25: Double { values[4] }
    public var median: Double { values[5] }
    public var q75: Double { values[6] }
    public var max: Double { values[7] }
}

/// A `describe()` table as a study printed it.
public struct PublishedTable: Sendable, Equatable {
    /// What the table shows within its study ("input dropout", "batch size 12").
    public var title: String
    public var columns: [PublishedColumn]

    public init(title: String, columns: [PublishedColumn]) {
        self.title = title
        self.columns = columns
    }

    /// The column of this name, if the table has one.
    public func column(_ name: String) -> PublishedColumn? { columns.first { $0.name == name } }

    /// The table as pandas prints it, which is as it was published.
    public var text: String { describeTable(cells: columns.map { ($0.name, $0.cells) }) }
}

/// A study of the family: the post, where its listing is read, and every `describe()` table it printed
/// (`PublishedStudy.all`).
public struct PublishedStudy: Sendable, Equatable {
    /// The post's slug (its address on machinelearningmastery.com and its file name in the translation).
    public var slug: String
    public var title: String
    public var source: PublishedSource
    public var tables: [PublishedTable]

    public init(slug: String, title: String, source: PublishedSource, tables: [PublishedTable]) {
        self.slug = slug
        self.title = title
        self.source = source
        self.tables = tables
    }

    /// The study of this slug, if the family has one.
    public static func named(_ slug: String) -> PublishedStudy? { all.first { $0.slug == slug } }

    /// The table of this title.
    public func table(_ title: String) -> PublishedTable? { tables.first { $0.title == title } }
}
