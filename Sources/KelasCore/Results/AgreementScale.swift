import Foundation

/// The three-point agreement answers of the built-in instrument — setuju / ragu-ragu / tidak setuju — with the
/// words people write for them on WhatsApp, in Indonesian and English.
public enum AgreementScale {
    public static let options: [AnswerOption] = [
        AnswerOption(score: 1, label: LocalizedText([.id: "setuju", .en: "agree"]), words: [
            "setuju", "s", "stj", "sj", "setuju sekali", "sangat setuju", "sgt setuju", "ya", "iya", "y", "yes", "agree", "i agree",
            "strongly agree", "ok setuju", "benar", "betul",
        ]),
        AnswerOption(score: 2, label: LocalizedText([.id: "ragu-ragu", .en: "unsure"]), words: [
            "ragu-ragu", "ragu ragu", "ragu2", "ragu", "r", "rr", "n", "netral", "kurang tahu", "tidak tahu", "tdk tahu", "tdk tau",
            "ga tau", "gak tau", "gatau", "nggak tau", "entah", "mungkin", "bingung", "unsure", "not sure", "neutral", "maybe",
            "dont know", "don't know", "u", "ns",
        ]),
        AnswerOption(score: 3, label: LocalizedText([.id: "tidak setuju", .en: "disagree"]), words: [
            "tidak setuju", "ts", "tdk setuju", "tdk stj", "tak setuju", "gak setuju", "ga setuju", "nggak setuju", "enggak setuju",
            "ngga setuju", "sangat tidak setuju", "tidak", "tdk", "gak", "ga", "nggak", "enggak", "no", "disagree", "d",
            "strongly disagree", "dont agree", "don't agree", "do not agree", "not agree", "salah",
        ]),
    ]
}
