import Foundation

/// This process, as recorded in the `owner` of the runs it trains: `host:pid:start`, where `start` is the process's
/// start time in clock ticks since boot (`/proc/<pid>/stat`, field 22), so that a later process given the same pid
/// is not taken for this one.
let processOwner: String = {
    let pid = ProcessInfo.processInfo.processIdentifier
    return "\(ProcessInfo.processInfo.hostName):\(pid)" + (processStartTime(pid).map { ":\($0)" } ?? "")
}()

/// A process's state letter (`R`, `S`, `Z` for a zombie, …) from `/proc/<pid>/stat`; nil where there is no /proc.
func processState(_ pid: Int32) -> Character? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let afterName = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: afterName)...].split(separator: " ").first?.first
}

/// A process's start time in clock ticks since boot, from `/proc/<pid>/stat`; nil where there is no /proc.
func processStartTime(_ pid: Int32) -> UInt64? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let afterName = stat.lastIndex(of: ")") else { return nil }
    // Fields after the command name (which may hold spaces): state is field 3, start time field 22.
    let fields = stat[stat.index(after: afterName)...].split(separator: " ")
    return fields.count > 19 ? UInt64(fields[19]) : nil
}

/// Whether `owner` (`host:pid[:start]`) names another process that is still alive: on this host, a live pid whose
/// start time (when recorded) is the recorded one. A process on another host cannot be checked and counts as alive
/// unless `otherHostsCountAlive` is false; this process's own earlier runs (and unowned rows) count as abandoned.
public func isLiveOtherProcess(_ owner: String, otherHostsCountAlive: Bool = true) -> Bool {
    let parts = owner.split(separator: ":", omittingEmptySubsequences: false)
    // The host name may itself hold ':' in theory; the pid and start are the last fields.
    let hasStart = parts.count >= 3 && UInt64(parts[parts.count - 1]) != nil && Int32(parts[parts.count - 2]) != nil
    let pidIndex = hasStart ? parts.count - 2 : parts.count - 1
    guard parts.count >= 2, let pid = Int32(parts[pidIndex]) else { return false }
    let host = parts[..<pidIndex].joined(separator: ":")
    guard host == ProcessInfo.processInfo.hostName else { return otherHostsCountAlive }
    if pid == ProcessInfo.processInfo.processIdentifier { return false }
    guard kill(pid, 0) == 0 || errno == EPERM else { return false }
    if processState(pid) == "Z" { return false }  // killed, not yet reaped by its parent: dead all the same
    guard hasStart, let recorded = UInt64(parts[parts.count - 1]), let current = processStartTime(pid) else { return true }
    return recorded == current
}

extension RunRecord {
    /// Whether the run is `running` in another process that is still alive (`isLiveOtherProcess`).
    var isTrainedByLiveOtherProcess: Bool { status == .running && (owner.map { isLiveOtherProcess($0) } ?? false) }
}
