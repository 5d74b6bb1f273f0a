import Foundation

/// Text a user gave (a field, a name, a path), made fit for a one-line message: line breaks, tabs and other control
/// characters are escaped (`\n`, `\u{0}`) and text longer than `limit` characters is cut with `…`.
public func oneLine(_ text: some StringProtocol, limit: Int = 80) -> String {
    var result = ""
    var count = 0
    for scalar in text.unicodeScalars {
        if count >= limit {
            result += "…"
            break
        }
        switch scalar {
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default:
            if isControlCharacter(scalar) || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator {
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        count += 1
    }
    return result
}

/// C0 controls (U+0000–U+001F), DEL and C1 controls (U+0080–U+009F).
func isControlCharacter(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
}

/// Text of several lines on one: each line trimmed of surrounding spaces, empty lines dropped, the rest joined with
/// single spaces.
public func foldedLines(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        .joined(separator: " ")
}

/// The system's message for an `errno` value, e.g. "Permission denied".
public func systemErrorMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// A one-line reason for an error thrown by Foundation's file APIs (e.g. writing a figure): the POSIX reason when
/// there is one ("No such file or directory", "Permission denied"), else the error's own description, on one line.
public func fileErrorReason(_ error: any Error) -> String {
    let nsError = error as NSError
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return systemErrorMessage(Int32(underlying.code))
    }
    if nsError.domain == NSPOSIXErrorDomain { return systemErrorMessage(Int32(nsError.code)) }
    if let posix = error as? POSIXError { return systemErrorMessage(posix.code.rawValue) }
    if nsError.domain == NSCocoaErrorDomain {
        switch nsError.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return systemErrorMessage(ENOENT)
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return systemErrorMessage(EACCES)
        case NSFileWriteInvalidFileNameError, NSFileReadInvalidFileNameError: return "invalid file name"
        case NSFileWriteVolumeReadOnlyError: return systemErrorMessage(EROFS)
        case NSFileWriteOutOfSpaceError: return systemErrorMessage(ENOSPC)
        default: break
        }
    }
    return oneLine(nsError.localizedDescription, limit: 120)
}
