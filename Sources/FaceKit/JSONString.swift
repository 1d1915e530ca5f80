/// A string as a JSON string literal, for the places that write JSON by hand (the OpenAPI document,
/// whose member order matters, and `facestream embed`'s exact number formatting): quotes, backslashes
/// and control characters escaped, everything else as it is (UTF-8 is valid JSON).
public enum JSONString {
    public static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
