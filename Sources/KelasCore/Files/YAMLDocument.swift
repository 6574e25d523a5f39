import Foundation
import Yams

/// A YAML node with the place it was written, detached from libyaml so it can cross threads.
public struct YAMLNode: Sendable {
    public indirect enum Value: Sendable {
        case null
        case scalar(String)
        case sequence([YAMLNode])
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    public var value: Value
    public var location: SourceLocation

    /// The scalar text, or nil for a mapping, a sequence or a null.
    public var scalar: String? {
        if case .scalar(let text) = value { return text }
        return nil
    }

    /// What kind of value this is, for "found …" in a problem: nothing, a single value, a list, a mapping of keys.
    var kind: Phrase {
        switch value {
        case .null: Phrase("yaml.kind.null")
        case .scalar: Phrase("yaml.kind.scalar")
        case .sequence: Phrase("yaml.kind.list")
        case .mapping: Phrase("yaml.kind.mapping")
        }
    }

    /// The value as written, or its kind when it is not a single value.
    var shown: Phrase { scalar.map(Phrase.verbatim) ?? kind }
}

enum YAMLDocument {
    /// Parses `text`; a syntax error becomes a diagnostic at the position libyaml reports.
    static func parse(_ text: String, file: String, log: DiagnosticLog) -> YAMLNode? {
        do {
            guard let root = try Yams.compose(yaml: text) else {
                log.error(SourceLocation(file: file, line: 1, column: 1), "yaml.empty")
                return nil
            }
            var budget = Self.nodeBudget(for: text)
            do {
                return try convert(root, file: file, log: log, budget: &budget)
            } catch let bomb as AliasExpansion {
                log.error(bomb.location, "yaml.aliasBomb", ["limit": String(Self.nodeBudget(for: text))])
                return nil
            }
        } catch let error as YamlError {
            let (mark, problem) = describe(error)
            log.error(SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1), "yaml.syntax", ["problem": problem])
            return nil
        } catch {
            log.error(SourceLocation(file: file, line: 1, column: 1), "yaml.unreadable", ["problem": "\(error)"])
            return nil
        }
    }

    private static func describe(_ error: YamlError) -> (Mark?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if let context { return (mark, "\(problem) (\(context.text) at line \(context.mark.line))") }
            return (mark, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark, "duplicated keys \(duplicates.joined(separator: ", "))")
        case .reader(let problem, _, _, _):
            return (nil, problem)
        default:
            return (nil, "\(error)")
        }
    }

    /// How many values (scalars, lists, mappings) a document may expand to. Without aliases each value takes at least
    /// two bytes, so only aliases can go past this; nested aliases grow exponentially (a 600-byte file can name
    /// billions of values) and would take all the memory there is.
    static func nodeBudget(for text: String) -> Int { 100_000 + text.utf8.count / 2 }

    /// Thrown when the budget runs out, at the value where it did.
    struct AliasExpansion: Error { var location: SourceLocation }

    private static func convert(_ node: Node, file: String, log: DiagnosticLog, budget: inout Int) throws -> YAMLNode {
        let location = SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        budget -= 1
        if budget < 0 { throw AliasExpansion(location: location) }
        switch node {
        case .scalar(let scalar):
            // Only an unquoted `null`, `~` or nothing means null; a quoted "null" is the text.
            if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                return YAMLNode(value: .null, location: location)
            }
            return YAMLNode(value: .scalar(scalar.string), location: location)
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            for item in sequence { items.append(try convert(item, file: file, log: log, budget: &budget)) }
            return YAMLNode(value: .sequence(items), location: location)
        case .mapping(let mapping):
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            for pair in mapping {
                pairs.append((key: try convert(pair.key, file: file, log: log, budget: &budget),
                              value: try convert(pair.value, file: file, log: log, budget: &budget)))
            }
            return YAMLNode(value: .mapping(pairs), location: location)
        case .alias:
            log.error(location, "yaml.alias")
            return YAMLNode(value: .null, location: location)
        }
    }
}

/// Reads a YAML mapping against a fixed set of allowed keys, reporting typos, wrong types and missing keys.
struct MappingReader {
    let node: YAMLNode
    let what: Phrase
    private let entries: [String: (key: YAMLNode, value: YAMLNode)]
    /// Allowed keys that an unknown key probably meant: already reported, so not reported again as missing.
    private let guessed: Set<String>
    private let log: DiagnosticLog

    /// Returns nil (after logging) when `node` is not a mapping.
    init?(_ node: YAMLNode, what: Phrase, allowed: [String], log: DiagnosticLog) {
        let keys = allowed.joined(separator: ", ")
        guard case .mapping(let pairs) = node.value else {
            log.error(node.location, "yaml.notMapping", ["keys": keys], parts: ["what": what, "found": node.kind])
            return nil
        }
        self.node = node
        self.what = what
        self.log = log
        var entries: [String: (key: YAMLNode, value: YAMLNode)] = [:]
        var guessed: Set<String> = []
        for pair in pairs {
            guard let key = pair.key.scalar else {
                log.error(pair.key.location, "yaml.keyNotWord", parts: ["what": what])
                continue
            }
            if entries[key] != nil {
                log.error(pair.key.location, "yaml.keyTwice", ["key": key], parts: ["what": what])
                continue
            }
            if !allowed.contains(key) {
                if let guess = closestMatch(to: key, in: allowed) { guessed.insert(guess) }
                log.error(pair.key.location, "yaml.unknownKey", ["key": key, "keys": keys], parts: ["what": what, "guess": .guess(key, in: allowed)])
                continue
            }
            entries[key] = pair
        }
        self.entries = entries
        self.guessed = guessed
    }

    func has(_ key: String) -> Bool { entries[key].map { if case .null = $0.value.value { false } else { true } } ?? false }

    /// The value node for `key`; logs a "missing" error when `required` and absent.
    func node(_ key: String, required: Bool = false, example: String = "") -> YAMLNode? {
        if let entry = entries[key], !isNull(entry.value) { return entry.value }
        if required && !guessed.contains(key) {
            log.error(node.location, "yaml.missing", ["key": key, "example": example], parts: ["what": what],
                      fix: example.isEmpty ? "yaml.missing.fix" : "yaml.missing.example")
        }
        return nil
    }

    func keyLocation(_ key: String) -> SourceLocation { entries[key]?.key.location ?? node.location }

    func string(_ key: String, required: Bool = false, example: String = "") -> (String, SourceLocation)? {
        guard let value = node(key, required: required, example: example) else { return nil }
        guard let text = value.scalar else {
            log.error(value.location, "yaml.notScalar", ["key": key, "example": example], parts: ["found": value.kind],
                      fix: example.isEmpty ? "" : "yaml.writeLike")
            return nil
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty, required {
            log.error(value.location, "yaml.emptyValue", ["key": key, "example": example], fix: example.isEmpty ? "" : "yaml.writeLike")
            return nil
        }
        return (trimmed, value.location)
    }

    func int(_ key: String, required: Bool = false, example: String = "") -> (Int, SourceLocation)? {
        guard let (text, location) = string(key, required: required, example: example) else { return nil }
        guard let value = Int(text) else {
            log.error(location, "yaml.notInteger", ["key": key, "found": text, "example": example], fix: example.isEmpty ? "" : "yaml.writeLike")
            return nil
        }
        return (value, location)
    }

    func list(_ key: String, required: Bool = false, example: String = "") -> [YAMLNode]? {
        guard let value = node(key, required: required, example: example) else { return nil }
        guard case .sequence(let items) = value.value else {
            log.error(value.location, "yaml.notList", ["key": key], parts: ["found": value.kind])
            return nil
        }
        return items
    }

    private func isNull(_ node: YAMLNode) -> Bool {
        if case .null = node.value { return true }
        return false
    }
}

