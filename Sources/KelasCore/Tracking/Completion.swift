import Foundation

/// When a participant counts as having completed a batch. Set in the batch file under `completion`.
public struct CompletionRule: Sendable, Hashable, Codable {
    /// Answered (text, voice note or discussed) in at least this many discussion sessions.
    public var sessions: Int
    /// Also answered the post-test, when the curriculum has one.
    public var postTest: Bool

    /// Default: answered in 2 of the 3 sessions and did the post-test.
    public static let `default` = CompletionRule(sessions: 2, postTest: true)

    public init(sessions: Int, postTest: Bool) {
        self.sessions = sessions
        self.postTest = postTest
    }

    /// Whether `states` (prompt key → state) meet the rule for `prompts`.
    public func isComplete(_ states: [String: PromptState], prompts: [Prompt]) -> Bool {
        let answeredSessions = Set(prompts.filter { $0.kind == .discussion && states[$0.key]?.isAnswered == true }.compactMap(\.session))
        guard answeredSessions.count >= sessions else { return false }
        let postTests = prompts.filter { $0.survey == .post }
        if postTest && !postTests.isEmpty {
            return postTests.contains { states[$0.key]?.isAnswered == true }
        }
        return true
    }
}
