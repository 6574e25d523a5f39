import Foundation
import GRDB
import KelasCore

/// How `kelas report` groups participants.
public enum ReportGrouping: String, Sendable, CaseIterable, Codable {
    case batch, district, programme, trainer
}

/// One line of a completion report. Every figure counts registered participants of the group, the denominator.
public struct ReportRow: Sendable, Equatable, Codable {
    public var group: String
    public var batches = 0
    /// Participants listed in the batch files: the denominator of every percentage.
    public var registered = 0
    /// Answered at least one prompt (in writing, by voice note, or marked discussed).
    public var active = 0
    /// Met the batch's completion rule.
    public var completed = 0
    /// `completed` as a percentage of `registered`, one decimal.
    public var completedPercent = 0.0
    /// Answers in writing or with a photo, video or document (messages, not prompts).
    public var replies = 0
    public var voiceNotes = 0
    /// Discussion answers no trainer has taken up yet (`replied` or `voice-note`).
    public var awaitingTrainer = 0
    /// Answered before, then missed at least the last two prompts that have closed.
    public var dropOuts = 0
    /// Opted out of the batch's messages (STOP): still registered, still in the denominator.
    public var optedOut = 0

    public init(group: String) {
        self.group = group
    }
}

public struct Report: Sendable, Equatable, Codable {
    public var by: ReportGrouping
    /// Said in every report: the percentages are of registered participants.
    public var denominator = "registered participants"
    public var rows: [ReportRow]
    /// Each participant once, whatever the grouping (with `--by trainer` a participant is in every trainer's row).
    public var total: ReportRow
}

extension KelasDatabase {
    /// Completion per batch, district, programme or trainer, as of `now`, from the read model.
    public func report(by grouping: ReportGrouping, batchIDs: [String]? = nil, now: Date) throws -> Report {
        try writer.read { db in
            // A report changes only when the store does or a prompt closes: kept whole until then.
            let stamp = try Row.fetchOne(db, sql: """
                SELECT (SELECT version FROM storeVersion), (SELECT COUNT(*) FROM batch), (SELECT COUNT(*) FROM prompt WHERE closesAt <= ?)
                """, arguments: [now.timeIntervalSince1970])
            let version: Int64 = stamp?[0] ?? 0
            let key = ReadModel.ReportKey(batches: stamp?[1] ?? 0, closed: stamp?[2] ?? 0, grouping: grouping, batchIDs: batchIDs)
            if let kept = model.reports.value(key, version: version) { return kept }
            let report = try Self.report(db, by: grouping, batchIDs: batchIDs, now: now, model: model)
            model.reports.keep(report, key, version: version)
            return report
        }
    }

    /// A report computed from the read model's batches.
    static func report(_ db: Database, by grouping: ReportGrouping, batchIDs: [String]?, now: Date, model: ReadModel) throws -> Report {
        let batches = try Self.batchRows(db, batchIDs)
        if batchIDs == nil { model.keepOnly(Set(batches.map { $0["id"] as String })) }
        var rows: [String: ReportRow] = [:]
        var order: [String] = []
        var total = ReportRow(group: "TOTAL")
        for batch in batches {
            let snapshot = try Self.snapshot(db, batch, model: model)
            total.batches += 1
            // The batch's participants summed per district (kept by the read model), then added to each of the
            // batch's groups once.
            var sums = model.sums(snapshot, at: now)
            if grouping != .district, sums.count > 1 {
                var all = ReportRow(group: "")
                for sum in sums { all.add(sum.row) }
                sums = [DistrictSum(district: "", row: all)]
            }
            for sum in sums {
                total.add(sum.row)
                let groups: [String]
                switch grouping {
                case .batch: groups = [snapshot.id]
                case .district: groups = [sum.district]
                case .programme: groups = [snapshot.programme]
                case .trainer: groups = snapshot.trainers.isEmpty ? ["(no trainer)"] : snapshot.trainers
                }
                for group in groups {
                    if rows[group] == nil { rows[group] = ReportRow(group: group); order.append(group) }
                    rows[group]?.add(sum.row)
                    rows[group]?.batches += 1
                }
            }
        }
        var result = order.compactMap { rows[$0] }
        for index in result.indices { result[index].finish() }
        total.finish()
        if grouping != .batch { result.sort { $0.group < $1.group } }
        return Report(by: grouping, rows: result, total: total)
    }

    /// One participant's contribution to a report row.
    static func figures(states: [String: PromptState], prompts: [Prompt], rule: CompletionRule, now: Date,
                        counts: (replies: Int, voice: Int)) -> ReportRow {
        var row = ReportRow(group: "")
        row.registered = 1
        let answered = prompts.map { (states[$0.key] ?? .pending).isAnswered }
        if answered.contains(true) { row.active = 1 }
        if rule.isComplete(states, prompts: prompts) { row.completed = 1 }
        row.replies = counts.replies
        row.voiceNotes = counts.voice
        row.awaitingTrainer = prompts.count { $0.kind == .discussion && [.replied, .voiceNote].contains(states[$0.key] ?? .pending) }
        if let last = answered.lastIndex(of: true) {
            let closedAfter = prompts[(last + 1)...].filter { $0.closesAt <= now }
            if closedAfter.count >= 2, closedAfter.allSatisfy({ states[$0.key] == .missed }) { row.dropOuts = 1 }
        }
        return row
    }
}

extension ReportRow {
    mutating func add(_ other: ReportRow) {
        registered += other.registered; active += other.active; completed += other.completed
        replies += other.replies; voiceNotes += other.voiceNotes
        awaitingTrainer += other.awaitingTrainer; dropOuts += other.dropOuts; optedOut += other.optedOut
    }

    mutating func finish() {
        completedPercent = registered == 0 ? 0 : (Double(completed) * 1000 / Double(registered)).rounded() / 10
    }
}
