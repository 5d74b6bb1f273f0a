import CHDF5
import Foundation
import Synchronization

/// Errors from HDF5 files, one line each.
public enum HDF5Error: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String)
    case failed(operation: String, object: String, path: String)
    case unexpectedType(object: String, path: String, expected: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path): "cannot open \(path): not a readable HDF5 file (missing, truncated or damaged)"
        case .failed(let operation, let object, let path): "HDF5 \(operation) of '\(object)' failed in \(path)"
        case .unexpectedType(let object, let path, let expected): "'\(object)' in \(path) is not \(expected)"
        }
    }
}

/// The system libhdf5 (Debian's serial build) is not thread-safe: every use goes through this lock, and a file is
/// opened, used and closed within one locked scope, so no handle outlives it.
/// The automatic error printer is silenced on every entry: in thread-safe builds of the library it is per thread.
private let libraryLock = Mutex(())

private func withLibrary<T>(_ body: () throws -> T) rethrows -> T {
    try libraryLock.withLock { _ in
        _ = chdf5_silence_errors()
        return try body()
    }
}

/// Creates (truncating) an HDF5 file and runs `body` with a writer; every handle is closed before returning.
/// The file is built in memory (HDF5's core driver) and written out in one piece when it is closed: a small file
/// costs one write instead of dozens.
public func writeHDF5File(at path: String, _ body: (HDF5Writer) throws -> Void) throws {
    try withLibrary {
        let access = H5Pcreate(chdf5_file_access_class())
        defer { H5Pclose(access) }
        H5Pset_fapl_core(access, 64 * 1024, true)
        // The HDF5 1.8 object format: groups keep their links in their object header (no B-tree and local heap
        // each), which makes a checkpoint a few KB instead of ~24; every HDF5 since 1.8 (2008), h5py and Keras read it.
        H5Pset_libver_bounds(access, H5F_LIBVER_V18, H5F_LIBVER_V18)
        errno = 0
        let file = H5Fcreate(path, chdf5_access_truncate(), chdf5_default_properties(), access)
        guard file >= 0 else { throw ArchiveError.io(systemError("cannot create the HDF5 file \(path)")) }
        do {
            try body(HDF5Writer(file: file, path: path))
        } catch {
            H5Fclose(file)
            throw error
        }
        // Closing writes the in-memory image to the file: a failure here (e.g. a full disk) is a failed write.
        errno = 0
        guard H5Fclose(file) >= 0 else { throw ArchiveError.io(systemError("cannot write the HDF5 file \(path)")) }
    }
}

/// Opens an HDF5 file read-only and runs `body` with a reader; every handle is closed before returning.
public func readHDF5File<T>(at path: String, _ body: (HDF5Reader) throws -> T) throws -> T {
    try withLibrary {
        guard FileManager.default.fileExists(atPath: path) else { throw HDF5Error.cannotOpen(path: path) }
        let file = H5Fopen(path, chdf5_access_read_only(), chdf5_default_properties())
        guard file >= 0 else { throw HDF5Error.cannotOpen(path: path) }
        defer { H5Fclose(file) }
        return try body(HDF5Reader(file: file, path: path))
    }
}

/// Writes groups, float64 datasets and attributes into an open file. Object paths are relative to the root.
public struct HDF5Writer {
    fileprivate let file: hid_t
    public let path: String

    /// Creates a group (and any missing parents).
    public func createGroup(_ name: String) throws {
        let properties = H5Pcreate(chdf5_link_create_class())
        defer { H5Pclose(properties) }
        H5Pset_create_intermediate_group(properties, 1)
        let creation = H5Pcreate(chdf5_group_create_class())
        defer { H5Pclose(creation) }
        H5Pset_obj_track_times(creation, false)  // no timestamps: the same contents give the same bytes
        let group = H5Gcreate2(file, name, properties, creation, chdf5_default_properties())
        guard group >= 0 else { throw HDF5Error.failed(operation: "group creation", object: name, path: path) }
        H5Gclose(group)
    }

    /// Writes a float64 dataset of the given shape (row-major values), creating missing parent groups.
    public func writeDoubles(_ name: String, _ values: [Double], dimensions: [Int]) throws {
        precondition(dimensions.reduce(1, *) == values.count, "shape and value count disagree")
        try writeDataset(name, type: chdf5_native_double(), values, dimensions: dimensions)
    }

    private func writeDataset<T>(_ name: String, type: hid_t, _ values: [T], dimensions: [Int]) throws {
        let space = simpleSpace(dimensions)
        defer { H5Sclose(space) }
        let properties = H5Pcreate(chdf5_link_create_class())
        defer { H5Pclose(properties) }
        H5Pset_create_intermediate_group(properties, 1)
        let creation = H5Pcreate(chdf5_dataset_create_class())
        defer { H5Pclose(creation) }
        H5Pset_obj_track_times(creation, false)
        // Small datasets live inside their object header (no separate data block).
        if values.count * MemoryLayout<T>.size <= 16 * 1024 { H5Pset_layout(creation, H5D_COMPACT) }
        let dataset = H5Dcreate2(file, name, type, space, properties, creation, chdf5_default_properties())
        guard dataset >= 0 else { throw HDF5Error.failed(operation: "dataset creation", object: name, path: path) }
        defer { H5Dclose(dataset) }
        let status = values.withUnsafeBytes {
            H5Dwrite(dataset, type, chdf5_all_space(), chdf5_all_space(), chdf5_default_properties(), $0.baseAddress)
        }
        guard status >= 0 else { throw HDF5Error.failed(operation: "write", object: name, path: path) }
    }

    /// A scalar fixed-length byte-string attribute (h5py reads it as `bytes`).
    public func setAttribute(_ name: String, on object: String = "/", string: String) throws {
        try setStrings(name, on: object, [string], scalar: true)
    }

    /// A 1-D array attribute of fixed-length, null-padded byte strings (as h5py writes a list of `bytes`).
    public func setAttribute(_ name: String, on object: String = "/", strings: [String]) throws {
        try setStrings(name, on: object, strings, scalar: false)
    }

    /// A scalar int64 attribute.
    public func setAttribute(_ name: String, on object: String = "/", int64 value: Int64) throws {
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        try withAttribute(name, on: object, type: chdf5_native_int64(), space: space) { attribute in
            withUnsafeBytes(of: value) { H5Awrite(attribute, chdf5_native_int64(), $0.baseAddress) }
        }
    }

    private func setStrings(_ name: String, on object: String, _ strings: [String], scalar: Bool) throws {
        let width = max(1, strings.map(\.utf8.count).max() ?? 1)
        var buffer = [UInt8](repeating: 0, count: width * strings.count)
        for (index, string) in strings.enumerated() {
            for (offset, byte) in string.utf8.enumerated() { buffer[index * width + offset] = byte }
        }
        let type = H5Tcopy(chdf5_c_string())
        defer { H5Tclose(type) }
        H5Tset_size(type, width)
        H5Tset_strpad(type, H5T_STR_NULLPAD)
        let space = scalar ? H5Screate(H5S_SCALAR) : simpleSpace([strings.count])
        defer { H5Sclose(space) }
        try withAttribute(name, on: object, type: type, space: space) { attribute in
            buffer.withUnsafeBytes { H5Awrite(attribute, type, $0.baseAddress) }
        }
    }

    private func withAttribute(_ name: String, on object: String, type: hid_t, space: hid_t,
                               _ write: (hid_t) -> herr_t) throws {
        let attribute = H5Acreate_by_name(file, object, name, type, space, chdf5_default_properties(),
                                          chdf5_default_properties(), chdf5_default_properties())
        guard attribute >= 0 else {
            throw HDF5Error.failed(operation: "attribute creation", object: "\(object)@\(name)", path: path)
        }
        defer { H5Aclose(attribute) }
        guard write(attribute) >= 0 else {
            throw HDF5Error.failed(operation: "attribute write", object: "\(object)@\(name)", path: path)
        }
    }
}

/// Reads datasets and attributes of an open file.
public struct HDF5Reader {
    fileprivate let file: hid_t
    public let path: String

    /// Whether a link (group or dataset) exists at this path; each parent must exist for a deeper path.
    public func exists(_ name: String) -> Bool {
        var prefix = ""
        for component in name.split(separator: "/") {
            prefix += (prefix.isEmpty ? "" : "/") + component
            guard H5Lexists(file, prefix, chdf5_default_properties()) > 0 else { return false }
        }
        return true
    }

    /// A float64 dataset's values (row-major) and shape.
    public func readDoubles(_ name: String) throws -> (values: [Double], dimensions: [Int]) {
        try readDataset(name, type: chdf5_native_double(), zero: 0.0)
    }

    /// An int64 dataset's values and shape.
    public func readInt64s(_ name: String) throws -> (values: [Int64], dimensions: [Int]) {
        try readDataset(name, type: chdf5_native_int64(), zero: Int64(0))
    }

    private func readDataset<T>(_ name: String, type: hid_t, zero: T) throws -> (values: [T], dimensions: [Int]) {
        guard exists(name) else { throw HDF5Error.failed(operation: "lookup", object: name, path: path) }
        let dataset = H5Dopen2(file, name, chdf5_default_properties())
        guard dataset >= 0 else { throw HDF5Error.failed(operation: "open", object: name, path: path) }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let dimensions = try extent(of: space, object: name)
        var values = [T](repeating: zero, count: dimensions.reduce(1, *))
        let status = values.withUnsafeMutableBytes {
            H5Dread(dataset, type, chdf5_all_space(), chdf5_all_space(), chdf5_default_properties(), $0.baseAddress)
        }
        guard status >= 0 else { throw HDF5Error.failed(operation: "read", object: name, path: path) }
        return (values, dimensions)
    }

    /// A fixed-length string attribute, scalar or 1-D, as strings (trailing NULs removed).
    public func stringsAttribute(_ name: String, on object: String = "/") throws -> [String] {
        try withAttribute(name, on: object) { attribute in
            let type = H5Aget_type(attribute)
            defer { H5Tclose(type) }
            guard H5Tget_class(type) == H5T_STRING, H5Tis_variable_str(type) == 0 else {
                throw HDF5Error.unexpectedType(object: "\(object)@\(name)", path: path, expected: "a fixed-length string")
            }
            let width = H5Tget_size(type)
            let space = H5Aget_space(attribute)
            defer { H5Sclose(space) }
            let count = try extent(of: space, object: name).reduce(1, *)
            var buffer = [UInt8](repeating: 0, count: width * count)
            let status = buffer.withUnsafeMutableBytes { H5Aread(attribute, type, $0.baseAddress) }
            guard status >= 0 else { throw HDF5Error.failed(operation: "attribute read", object: name, path: path) }
            return (0..<count).map { index in
                let bytes = buffer[(index * width)..<((index + 1) * width)].prefix { $0 != 0 }
                return String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    /// A scalar string attribute.
    public func stringAttribute(_ name: String, on object: String = "/") throws -> String {
        let strings = try stringsAttribute(name, on: object)
        guard strings.count == 1 else {
            throw HDF5Error.unexpectedType(object: "\(object)@\(name)", path: path, expected: "a scalar string")
        }
        return strings[0]
    }

    /// A scalar int64 attribute.
    public func int64Attribute(_ name: String, on object: String = "/") throws -> Int64 {
        try withAttribute(name, on: object) { attribute in
            var value: Int64 = 0
            let status = withUnsafeMutableBytes(of: &value) { H5Aread(attribute, chdf5_native_int64(), $0.baseAddress) }
            guard status >= 0 else { throw HDF5Error.failed(operation: "attribute read", object: name, path: path) }
            return value
        }
    }

    private func withAttribute<T>(_ name: String, on object: String, _ body: (hid_t) throws -> T) throws -> T {
        guard object == "/" || exists(object), H5Aexists_by_name(file, object, name, chdf5_default_properties()) > 0
        else { throw HDF5Error.failed(operation: "lookup", object: "\(object)@\(name)", path: path) }
        let attribute = H5Aopen_by_name(file, object, name, chdf5_default_properties(), chdf5_default_properties())
        guard attribute >= 0 else { throw HDF5Error.failed(operation: "open", object: "\(object)@\(name)", path: path) }
        defer { H5Aclose(attribute) }
        return try body(attribute)
    }

    private func extent(of space: hid_t, object: String) throws -> [Int] {
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0 else { throw HDF5Error.failed(operation: "shape query", object: object, path: path) }
        var dimensions = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dimensions, nil)
        return rank == 0 ? [] : dimensions.map { Int($0) }
    }
}

private func simpleSpace(_ dimensions: [Int]) -> hid_t {
    var extents = dimensions.map { hsize_t($0) }
    return H5Screate_simple(Int32(extents.count), &extents, nil)
}
