//! What surrounds each token of an answer, beyond negation and hedges (`scope`): the clause it
//! sits in (ideas need their roles in one clause; evidence quotes the clause), whether it is
//! inside quotation marks, whether it is part of a command line typed as an answer, and whether
//! its sentence reports a claim in order to reject it ("the idea that more threads help is a
//! myth").
//!
//! Rules, as implemented:
//! - A clause ends at a clause mark (`;`, `:`, brackets), a sentence end, or a comma that opens
//!   a new clause: one followed, before the next comma, by a verb, pronoun or relative word (as
//!   `scope` decides), or one closing a clause that began with a subordinator ("if", "when",
//!   "because" … [`SUBORDINATORS`]).
//! - Quotation marks pair within a sentence: a stretch between two `"` (or two `'` standing
//!   outside words, or two backticks around inline code such as `if (empty) wait()`) is
//!   quoted. A sentence with an unpaired mark has nothing quoted, so one stray mark cannot hide
//!   the rest of an answer.
//! - A command: a tool name ([`super::tags::TOOL`]) followed by its arguments, that is words
//!   written right after a `-`, numbers, single letters and the subcommands of [`SUBCOMMANDS`]
//!   ("perf lock contention", "mpstat -P ALL 1"). The tool name is part of it.
//! - Frames that keep a claim from being asserted (a claim is a red flag or misconception;
//!   concepts heed only the narrower [`Context::disowned_concept`]). A frame counts only when it reaches the claim's own
//!   clause: it lies in the claim's sentence, outside the claim's words, and no contrast word
//!   ([`CONTRAST`]: "but", "however", "yet" …) stands between the two, so "people think X, but
//!   Y" rejects X and leaves Y asserted. The kinds:
//!   - a rejecting word or phrase of [`REJECTING`] before or after the claim ("X is a myth",
//!     "the idea that X"), unless the word describes something ("at the wrong time", "false
//!     sharing", "something goes wrong": [`DESCRIPTIVE_REJECTING`]);
//!   - a report of someone else's belief: a [`BELIEVERS`] word followed, within two words, by a
//!     [`BELIEF_VERBS`] word ("people sometimes say X", "a colleague once told me X", "you'd
//!     think X", "I've heard X"), before the claim, or starting before it when the claim's
//!     words begin with the verb ("someone always suggests ditching the mutexes");
//!   - a concession ([`CONCEDING`]: "at first glance X", "X looks like …") before the claim,
//!     when a contrast word follows the claim in the sentence ("at first glance memory looks
//!     fine, but free is 39 MB");
//!   - a modal negation ([`MODAL_NEGATIONS`]: "can't", "cannot", "mustn't", "not just" …) at
//!     most [`MODAL_REACH`] words before the claim with no comma between ("the softirq side
//!     can't use a mutex", "not just reading");
//!   - a dismissing predicate of a claim that is its clause's subject (it starts within
//!     [`SUBJECT_REACH`] words of the clause start): within [`PREDICATE_REACH`] words after it,
//!     before any word of [`PREDICATE_STOPS`], a word that [`denies`] or one of [`DISMISSING`]
//!     ("raising the timeout would only hide the stall", "adding threads won't help",
//!     "removing the lock would be a disaster"); "won't hurt" and the like excepted;
//!   - a contrast that denies the claim right after it: a contrast word then, within three
//!     words, a negated verb ("bigger buffers absorb bursts, but they don't raise …", "a
//!     percent of steal is normal, but 19% isn't"), with no clause mark between.
//! - A claim matched as an idea is denied when one of its roles is said right after a negation
//!   of its own ([`Context::negated_role`]): "waiting on each other, not on the device",
//!   "there's no lock contention", "we should not add threads".
//! - A concept is not the candidate's when a report of someone else's belief stands before it
//!   in its clause ("people say a deadlock shows zero CPU", "the notion that …") or a word
//!   calling it untrue stands in its clause ("… is a myth"), with no contrast between
//!   ([`Context::disowned_concept`]); a report that opens its sentence ("the usual story is
//!   that …") reaches every clause of the sentence up to a contrast. Words that judge a design
//!   ("wrong", "a mistake", "the obvious fix") and modal negations leave concepts alone.
//! - Proposals (red flags) are also disowned ([`Context::disowned_proposal`]) by
//!   - a bad outcome their own sentence gives them: after a consequence marker
//!     ([`CONSEQUENCE_MARKERS`]: "and", "which", "you'll", "just" …), within
//!     [`CONSEQUENCE_REACH`] words and before any word of reason, purpose or condition
//!     ([`NOT_CONSEQUENCE`]), a bad outcome ([`BAD_OUTCOMES`]: "worse", "longer", "hides",
//!     "more contention" …) not negated, or a good one ([`GOOD_OUTCOMES`]) negated: "add more
//!     threads and the queue just gets longer", "bump the pool and you'll just make it worse",
//!     "…, which won't help"; right after a contrast, no marker is needed ("…, but hides the
//!     problem"). "Add more threads and it will be fine" and "add more threads because the
//!     queue keeps getting longer" stay proposals;
//!   - a report of what someone did: the proposal's verb in the past after who did it
//!     ([`ACTORS`]: "the on-call added threads", "we already bumped the pool") or after a
//!     passive auxiliary ("the pool was doubled"), unless the sentence endorses it ("…, which
//!     was right", [`ENDORSING`]).
//!
//! Linear in the answer: one pass each. Owns only these facts; must not decide credit.

use super::normalize::{Gap, Normalized};
use super::scope;
use super::tags;

/// Subcommands and argument words that continue a command line after the tool's name.
const SUBCOMMANDS: &[&str] = &[
    "lock",
    "contention",
    "record",
    "report",
    "top",
    "stat",
    "sched",
    "latency",
    "timehist",
    "trace",
    "script",
    "c2c",
    "mem",
    "all",
    "x",
    "xz",
    "p",
    "u",
    "w",
    "a",
    "g",
    "d",
    "t",
    "s",
    "c",
    "h",
    "e",
    "m",
    "k",
    "r",
    "i",
    "n",
    "dev",
    "softirqs",
    "interrupts",
    "wchan",
    "stack",
    "status",
];

/// Words that open a subordinate clause: the comma that closes it opens the main clause ("If
/// that is not enough, add more threads").
/// Labels that announce what to expect or which possibilities to weigh, said before a colon:
/// "Verify: si/so at 0, p99 back to normal", "Success: tasks/s linear in cores", "Candidates:
/// spinning, a livelock, an infinite loop". What follows is a prediction or a list of
/// possibilities, not the candidate's belief about the case. Each is the label's last words.
const EXPECTATION_LABELS: &[&[&str]] = &[
    &["verify"],
    &["verification"],
    &["to", "confirm"],
    &["success"],
    &["success", "criteria"],
    &["success", "looks", "like"],
    &["exit", "criteria"],
    &["done", "when"],
    &["expect"],
    &["expected"],
    &["expectation"],
    &["expectations"],
    &["expected", "result"],
    &["goal"],
    &["target"],
    &["candidates"],
    &["possibilities"],
    &["possible", "causes"],
    &["hypotheses"],
    &["suspects"],
];

/// How many words may come before an expectation label in its sentence ("How to verify:",
/// "Busy-with-no-progress candidates:").
const LABEL_LEAD_INS: usize = 3;

const SUBORDINATORS: &[&str] = &[
    "if", "when", "whenever", "once", "unless", "because", "since", "although", "though", "while",
    "whether", "assuming", "after", "before", "until",
];

/// Words and phrases with which a candidate reports a claim to reject it, besides those of
/// [`DISBELIEVING`] and [`UNTRUE`] (which reject a concept too).
pub const REJECTING: &[&[&str]] = &[
    &["wrong"],
    &["false"],
    &["incorrect"],
    &["mistake"],
    &["mistaken"],
    &["misleading"],
    &["naive"],
    &["risky"],
    &["it's", "tempting"],
    &["tempting"],
    &["it", "is", "tempting"],
    &["the", "idea", "that"],
    &["the", "idea", "is", "that"],
    &["the", "instinct"],
    &["temptation"],
    &["the", "obvious", "reaction"],
    &["the", "obvious", "fix"],
    &["the", "knee-jerk"],
    &["knee-jerk"],
    &["bad", "idea"],
    &["out", "of", "the", "question"],
    &["counterproductive"],
    &["backwards"],
    // A belief or suggestion named as a common one, a suspect or a first thought, then set
    // aside: "the intuition that more threads help", "a common assumption is that …", "X is
    // often suggested", "X is the usual suspect", "my first thought was X".
    &["the", "intuition", "that"],
    &["common", "assumption"],
    &["usual", "assumption"],
    &["common", "suspect"],
    &["usual", "suspect"],
    &["usual", "suspects"],
    &["one", "trap"],
    &["common", "trap"],
    &["the", "trap", "is"],
    &["often", "suggested"],
    &["commonly", "suggested"],
    &["often", "recommended"],
    &["common", "suggestion"],
    &["my", "first", "thought", "was"],
    &["i", "considered"],
    &["team", "thinks"],
    &["team", "think"],
    &["you", "might", "call"],
    &["you", "could", "call"],
];

/// Rejecting words that also describe ("the wrong lock", "something went wrong", "false
/// sharing"): after one of these words, or before one of [`DESCRIBED`], they reject nothing.
const DESCRIPTIVE_REJECTING: &[&str] = &["wrong", "false", "mistake", "incorrect"];
/// Words before a rejecting word that make it describe ("adding threads is the wrong fix"
/// still rejects: a determiner decides nothing).
const DESCRIBING: &[&str] = &[
    "go",
    "goes",
    "went",
    "going",
    "gone",
    "something",
    "anything",
];
/// Words after a rejecting word that make it describe.
const DESCRIBED: &[&str] = &[
    "sharing",
    "positive",
    "positives",
    "negative",
    "negatives",
    "wakeup",
    "wakeups",
    "alarm",
    "alarms",
    "time",
    "order",
    "lock",
    "thread",
    "cpu",
    "place",
];

/// Negations that, opening a clause, deny the role of a claim right after them ("…, not on
/// the device"); "no" does wherever it stands ("there's no lock contention").
const CONTRASTIVE_NEGATIONS: &[&str] = &["not", "never"];
/// Words that may stand between such a negation and the role it denies.
const ROLE_LEAD_INS: &[&str] = &[
    "the", "a", "an", "any", "on", "in", "to", "of", "for", "by", "from", "at", "under", "with",
    "about", "just", "really", "actually",
];
/// How many [`ROLE_LEAD_INS`] words may stand between them.
const MAX_LEAD_INS: usize = 2;
/// Auxiliaries and modals whose "not" or "never" negates the verb after it wherever the pair
/// stands ("we should not add threads", "I would never raise the timeout", "try not to"):
/// unlike a bare "not", which after a copula may be the claim's own dismissal, the pair can
/// only deny what follows.
const NEGATED_AUXILIARIES: &[&str] = &[
    "would", "should", "will", "shall", "could", "might", "may", "must", "do", "does", "did", "to",
    "try", "better", "rather", "let's", "lets", "i'd", "we'd", "you'd", "i'll", "we'll",
];
/// Verbs that may stand between such a negation and the role it denies: proposing ("I would
/// not recommend adding threads") and the progressive "be" ("we should not be adding").
const NEGATED_VERB_LEAD_INS: &[&str] = &[
    "be",
    "recommend",
    "suggest",
    "advise",
    "propose",
    "try",
    "bother",
    "consider",
    "want",
];

/// Rejecting frames that say what follows them is only believed, not so: a concept named after
/// one in its clause is not the candidate's ("people say a deadlock shows zero CPU").
const DISBELIEVING: &[&[&str]] = &[
    &["people", "think"],
    &["people", "assume"],
    &["people", "say"],
    &["some", "say"],
    &["some", "people"],
    &["you", "might", "think"],
    &["one", "might", "think"],
    &["common", "belief"],
    &["used", "to", "think"],
    &["used", "to", "believe"],
    &["the", "claim", "that"],
    &["the", "notion", "that"],
    &["the", "assumption", "that"],
    &["the", "belief", "that"],
    &["folk", "wisdom"],
    &["conventional", "wisdom"],
    &["the", "usual", "line"],
    &["the", "textbook", "answer"],
    &["the", "textbook", "version"],
    &["the", "standard", "answer"],
    &["the", "usual", "answer"],
    // Received wisdom told as a story the candidate is about to set aside: "the usual story
    // is that rwlocks help when reads dominate".
    &["the", "usual", "story"],
    &["the", "usual", "explanation"],
    &["the", "usual", "advice"],
    &["the", "standard", "line"],
    &["the", "standard", "story"],
    &["the", "standard", "explanation"],
    &["the", "standard", "advice"],
    &["the", "textbook", "story"],
    &["the", "textbook", "explanation"],
    &["the", "classic", "answer"],
    &["the", "classic", "explanation"],
    &["the", "common", "explanation"],
    &["the", "received", "wisdom"],
];

/// Rejecting frames that call a statement untrue wherever they stand in its clause ("X is a
/// myth").
const UNTRUE: &[&[&str]] = &[
    &["myth"],
    &["misconception"],
    &["misconceptions"],
    &["fallacy"],
    &["untrue"],
    &["not", "true"],
    &["isn't", "true"],
];

/// Words that stand between a frame and a claim in another clause: a frame on one side of them
/// does not reach a claim on the other.
pub const CONTRAST: &[&str] = &[
    "but", "however", "yet", "whereas", "although", "though", "instead", "actually", "rather",
];

/// Who holds a belief the candidate reports: followed within two words by a [`BELIEF_VERBS`]
/// word ("people often say", "a colleague once told me", "you'd think", "i've heard").
pub const BELIEVERS: &[&str] = &[
    "people",
    // As candidates type it in a hurry: "ppl think readers dont contend".
    "ppl",
    "someone",
    "somebody",
    "colleague",
    "colleagues",
    "folks",
    "others",
    "everyone",
    "everybody",
    "teammate",
    "teammates",
    "developers",
    "devs",
    "engineers",
    "you'd",
    // "One answer you'll hear is per-CPU lists".
    "you'll",
    "you",
    "i've",
    // Third parties the candidate tells of: "they often think the box is overloaded".
    "they",
    // Received wisdom: "textbooks talk about hard interrupts and softirqs".
    "textbooks",
    "books",
    "tutorials",
    "blogs",
];

/// Verbs that report a belief or a suggestion.
const BELIEF_VERBS: &[&str] = &[
    "talk",
    "say",
    "says",
    "said",
    "think",
    "thinks",
    "thought",
    "assume",
    "assumes",
    "assumed",
    "believe",
    "believes",
    "believed",
    "suggest",
    "suggests",
    "suggested",
    "describe",
    "describes",
    "described",
    "picture",
    "pictures",
    "claim",
    "claims",
    "claimed",
    "argue",
    "argues",
    "told",
    "hear",
    "heard",
    "insist",
    "insists",
    "recommend",
    "recommends",
    "recommended",
    "expect",
    "expects",
    "propose",
    "proposes",
    "proposed",
    "want",
    "wants",
    "wanted",
    "tried",
    "quote",
    "quotes",
    "cite",
    "cites",
];

/// The believers that are the speaker or the listener report a belief only with these verbs:
/// "you'd think X", "I've heard X", but not "you can say X" or "I've said X".
const OWN_BELIEF_VERBS: &[&str] = &[
    "think", "thought", "assume", "expect", "hear", "heard", "believe",
];

/// Concessions: what follows seems so, and a contrast later in the sentence says it is not.
pub const CONCEDING: &[&[&str]] = &[
    &["at", "first", "glance"],
    &["at", "a", "glance"],
    &["at", "first", "sight"],
    &["on", "the", "surface"],
    &["on", "paper"],
    &["superficially"],
    &["looks", "like"],
    &["look", "like"],
    &["seems", "like"],
    &["seem", "like"],
    &["it", "seems"],
    &["it", "appears"],
];

/// Negations that modal verbs carry ("can't use a mutex"); the scopes of `scope` leave them to
/// the words they are said of, which for a claim is the claim itself.
pub const MODAL_NEGATIONS: &[&[&str]] = &[
    &["can't"],
    &["cant"],
    &["cannot"],
    &["can", "not"],
    &["couldn't"],
    &["could", "not"],
    &["mustn't"],
    &["must", "not"],
    &["must", "never"],
    &["should", "never"],
    &["never", "ever"],
    // "Not just X" grants X a part and denies that it is the whole story: for a claim of X
    // alone ("the export is just reading"), a denial.
    &["not", "just"],
    &["not", "simply"],
    &["not", "merely"],
];

/// How many words a modal negation may stand before the claim it negates.
const MODAL_REACH: usize = 4;
/// A claim is its clause's subject when it starts within this many words of the clause start
/// ("raising the timeout …", "for write-heavy data an rwlock …").
const SUBJECT_REACH: usize = 4;
/// How many words after a subject claim its predicate is looked for.
const PREDICATE_REACH: usize = 5;

/// Words that dismiss a subject claim in its predicate besides the negating words of
/// `scope` and the modal ones: "nothing", "only" and "just" (of a claim that only hides or
/// shifts the problem), and judgements of harm.
const DISMISSING: &[&str] = &[
    "nothing",
    "hide",
    "hides",
    "mask",
    "masks",
    "worse",
    "mistake",
    "disaster",
    "pointless",
    "useless",
    "harmful",
    "dangerous",
    "backfire",
    "backfires",
    "bug",
    "loss",
    // What a design costs everyone: "taking it on every allocation would be a bottleneck".
    "bottleneck",
    "stopgap",
    "band-aid",
    "bandaid",
];

/// Articles that may stand between a listing "or" and what it lists.
const ARTICLES: &[&str] = &["a", "an", "the", "some"];

/// Whether `word` denies what follows it in a predicate or an outcome: a negating word of
/// `scope` or a modal negation.
fn denies(word: &str) -> bool {
    scope::is_negating_word(word) || scope::MODAL_NEGATING_WORDS.contains(&word)
}

/// Words that restrict what a subject claim does ("would only hide", "just adds contenders"):
/// dismissive after a modal or before a verb of [`SHIFTING`], an intensifier otherwise
/// ("adding threads just works").
const RESTRICTING: &[&str] = &["only", "just", "merely"];
/// Modals after which a restriction dismisses.
const MODALS: &[&str] = &["would", "will", "could", "might", "it'd", "it'll", "they'd"];
/// What a claim that does not address the cause does instead.
const SHIFTING: &[&str] = &[
    "hide",
    "hides",
    "mask",
    "masks",
    "shift",
    "shifts",
    "move",
    "moves",
    "delay",
    "delays",
    "postpone",
    "postpones",
    "add",
    "adds",
    "lengthen",
    "lengthens",
    "make",
    "makes",
    // "Putting swap on a faster disk only buys time".
    "buy",
    "buys",
    // "A faster disk only softens it".
    "soften",
    "softens",
];

/// Words after which a negation no longer belongs to the subject claim's predicate ("add
/// threads so requests don't queue").
const PREDICATE_STOPS: &[&str] = &[
    "so", "because", "since", "and", "or", "to", "if", "when", "which", "that", "until", "unless",
    "as", "where", "while", "than",
];

/// What a dismissing negation may be said of without dismissing: "adding threads won't hurt".
const HARMLESS: &[&str] = &["hurt", "harm", "matter", "matters", "hurts"];

/// Relative pronouns: a modal negation right after one belongs to the relative clause.
const RELATIVES: &[&str] = &["that", "who", "which"];

/// Pronouns that stand for what was just said.
const ANAPHORS: &[&str] = &["that", "that's", "thats", "this", "which", "it's", "it"];

/// How many words after a claim a contrast that denies it may start.
const CONTRAST_REACH: usize = 6;

/// Negated verbs that, right after a contrast, deny what came before it.
const CONTRAST_DENIALS: &[&str] = &[
    "isn't", "isnt", "aren't", "arent", "don't", "dont", "doesn't", "doesnt", "won't", "wont",
    "wouldn't", "wouldnt", "can't", "cant", "cannot", "didn't", "didnt", "never",
];

/// What a proposal leads to, said to be bad: "add more threads and the queue just gets longer",
/// "bump the pool and you'll just make it worse".
const BAD_OUTCOMES: &[&[&str]] = &[
    &["worse"],
    &["longer"],
    &["slower"],
    &["hide"],
    &["hides"],
    &["hiding"],
    &["mask"],
    &["masks"],
    &["masking"],
    &["backfire"],
    &["backfires"],
    &["backfired"],
    &["pointless"],
    &["useless"],
    &["counterproductive"],
    &["more", "contention"],
    &["more", "contenders"],
    &["more", "waiters"],
    &["more", "waiting"],
    &["paper", "over"],
    &["papers", "over"],
    &["same", "way"],
    &["bug"],
    &["disaster"],
    &["mistake"],
    &["loss"],
    &["bottleneck"],
    &["terrible"],
    &["awful"],
    &["horrible"],
    &["fell", "over"],
    &["falls", "over"],
    &["stopgap"],
    &["band-aid"],
    &["bandaid"],
    &["buys", "time"],
    &["buy", "time"],
    // The problem, not the service, comes back: "restart it and it'd just come back".
    &["it", "comes", "back"],
    &["it'll", "come", "back"],
    &["it'd", "come", "back"],
    &["just", "come", "back"],
    &["just", "comes", "back"],
    // Shifting the problem rather than removing it: "a sleep only shifts the timing".
    &["only", "shift"],
    &["only", "shifts"],
    &["just", "shift"],
    &["just", "shifts"],
    &["only", "move"],
    &["only", "moves"],
    &["just", "moves"],
    &["only", "delay"],
    &["only", "delays"],
    &["just", "delays"],
    &["only", "postpone"],
    &["only", "postpones"],
    &["just", "postpones"],
];

/// What a proposal should achieve: negated, a bad outcome ("won't help", "doesn't fix
/// anything", "no better").
const GOOD_OUTCOMES: &[&str] = &[
    "help", "helps", "fix", "fixes", "solve", "solves", "work", "works", "improve", "improves",
    "better", "faster", "scale", "scales",
];

/// Words that turn an outcome around besides negations: words of averting ("doesn't make it
/// worse", "so the queue won't get longer", "to avoid making it worse").
const OUTCOME_NEGATORS: &[&str] = &[
    "no", "avoid", "avoids", "avoiding", "prevent", "prevents", "stop", "stops", "less", "fewer",
    "reduce", "reduces", "without",
];

/// Whether `word` turns an outcome around: one of [`OUTCOME_NEGATORS`] or a word that
/// [`denies`].
fn negates_outcome(word: &str) -> bool {
    denies(word) || OUTCOME_NEGATORS.contains(&word)
}

/// How many words before an outcome a word that [`negates_outcome`] may stand.
const NEGATOR_REACH: usize = 3;

/// Words that make what follows a proposal its consequence rather than its reason: "add more
/// threads and the queue gets longer", "…, which only makes it worse", "you'll just make it
/// worse". Without one, "we need more threads, the queue keeps getting longer" gives a reason.
const CONSEQUENCE_MARKERS: &[&str] = &[
    "and",
    "then",
    "so",
    "which",
    "will",
    "would",
    "just",
    "only",
    "it'll",
    "you'll",
    "that'll",
    "they'll",
    "we'll",
    "it'd",
    "you'd",
    "that'd",
    "they'd",
    "we'd",
    "end",
    "ends",
    "eventually",
];

/// Words after which what follows is a proposal's reason, condition or purpose, not its
/// consequence: "add threads because the queue is longer", "raise the timeout to hide the
/// spikes" (a purpose the interviewer would challenge).
const NOT_CONSEQUENCE: &[&str] = &[
    "because",
    "since",
    "given",
    "as",
    "if",
    "unless",
    "until",
    "otherwise",
    "when",
    "whenever",
    "before",
    "while",
    "whereas",
    "to",
    "than",
];

/// How many words after a proposal its consequence is looked for.
const CONSEQUENCE_REACH: usize = 12;

/// Who may have done what a proposal says, in a report of the past: "the on-call added threads
/// last night", "we bumped the pool".
const ACTORS: &[&str] = &[
    "i",
    "we",
    "they",
    "he",
    "she",
    "someone",
    "somebody",
    "team",
    // "the on-call", "the on call": words split at a hyphen.
    "call",
    "oncall",
    "ops",
    "sre",
    "sres",
    "colleague",
    "colleagues",
    "admin",
    "admins",
    "devs",
    "developers",
    "engineers",
    "who",
    "people",
    "everyone",
];

/// Auxiliaries of a passive report: "the pool was bumped", "threads got added".
const PASSIVE: &[&str] = &["was", "were", "been", "got", "had"];

/// Adverbs that may stand between an actor and the verb of a report ("we already added").
const REPORT_ADVERBS: &[&str] = &[
    "already",
    "just",
    "then",
    "also",
    "recently",
    "originally",
    "first",
    "even",
    "apparently",
    "previously",
    "once",
    "initially",
];

/// Past forms of verbs that propose, other than the regular `-ed` ones.
const IRREGULAR_PAST: &[&str] = &[
    "put", "set", "gave", "threw", "bought", "took", "made", "spun", "grew", "rebuilt",
];

/// Words ending in "ed" that are not past forms.
const NOT_PAST: &[&str] = &[
    "speed", "breed", "proceed", "exceed", "succeed", "embed", "shred",
];

/// Words with which a candidate endorses a reported action: "the on-call added threads, which
/// was right".
const ENDORSING: &[&str] = &[
    "right", "correct", "helped", "worked", "sensible", "good", "smart",
];

/// Every word that starts a frame, for the tagger: the scan looks only at tokens marked with it.
pub fn frame_starts() -> impl Iterator<Item = &'static str> {
    REJECTING
        .iter()
        .chain(DISBELIEVING)
        .chain(UNTRUE)
        .chain(CONCEDING)
        .chain(MODAL_NEGATIONS)
        .map(|words| words[0])
        .chain(BELIEVERS.iter().copied())
}

/// What a frame does to a claim near it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// Rejects a claim before or after it.
    Rejecting,
    /// Reports someone else's belief: rejects a claim after it.
    Reporting,
    /// Concedes: rejects a claim after it when a contrast follows the claim.
    Conceding,
    /// A modal negation: rejects a claim right after it in its clause.
    Negating,
}

/// A frame found in an answer, as a token range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    pub from: usize,
    pub to: usize,
    pub kind: FrameKind,
}

/// The per-token facts of one answer.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Per token: the index of its clause.
    pub clause: Vec<u32>,
    /// The first token of each clause.
    pub clause_starts: Vec<usize>,
    /// Per token: inside quotation marks.
    pub quoted: Vec<bool>,
    /// Per token: part of a command line.
    pub command: Vec<bool>,
    /// Frames (rejecting, reporting, conceding, negating), in order.
    pub frames: Vec<Frame>,
    /// Per token: a contrast word ([`CONTRAST`]).
    contrast: Vec<bool>,
}

impl Context {
    pub fn new(n: &Normalized<'_>, classes: &[u8]) -> Self {
        let count = n.tokens.len();
        let mut context = Context {
            clause: Vec::with_capacity(count),
            clause_starts: Vec::new(),
            quoted: vec![false; count],
            command: vec![false; count],
            frames: Vec::new(),
            contrast: vec![false; count],
        };
        for &(start, end) in &n.sentences {
            let mut subordinate = false;
            for t in start..end {
                let gap = n.tokens[t].gap;
                let opens = t == start
                    || gap >= Gap::Clause
                    || (gap == Gap::Comma
                        && (subordinate || scope::opens_clause(n, classes, t, end)));
                if opens {
                    context.clause_starts.push(t);
                    subordinate = SUBORDINATORS.contains(&n.token_text(t));
                }
                context
                    .clause
                    .push(context.clause_starts.len().saturating_sub(1) as u32);
            }
            context.mark_quotes(n, start, end);
            context.find_frames(n, classes, start, end);
        }
        context.mark_commands(n, classes);
        context
    }

    /// Tokens `from..to` of the clause(s) spanning tokens `first..last` (inclusive of both).
    pub fn clause_span(&self, first: usize, last: usize) -> (usize, usize) {
        let Some(&c) = self.clause.get(first) else {
            return (first, last + 1);
        };
        let from = self.clause_starts[c as usize];
        let last_clause = self.clause.get(last).copied().unwrap_or(c) as usize;
        let to = self
            .clause_starts
            .get(last_clause + 1)
            .copied()
            .unwrap_or(self.clause.len());
        (from, to.max(last + 1))
    }

    /// The part of `unit` (a token range holding `t`) between the turns around `t`, a comma and
    /// a contrast ("…, but", "…, though"): a claim is said on one side of a turn, not across it
    /// ("that much system time made me think of a kernel lock at first, but perf lock shows no
    /// contention"). A contrast with no comma before it often joins one statement ("wait()
    /// blocks but the mutex stays locked"), and "actually", "instead" or "rather" do not turn.
    pub fn contrast_segment(
        &self,
        n: &Normalized<'_>,
        unit: (usize, usize),
        t: usize,
    ) -> (usize, usize) {
        let (from, to) = unit;
        let turns = |u: usize| {
            self.contrast[u]
                && n.tokens[u].gap >= Gap::Comma
                && scope::TURNS.contains(&n.token_text(u))
        };
        let start = (from..t).rev().find(|&u| turns(u)).map_or(from, |u| u + 1);
        let end = (t + 1..to).find(|&u| turns(u)).unwrap_or(to);
        (start, end)
    }

    /// Pairs quotation marks inside sentence `start..end` (see the module rule).
    fn mark_quotes(&mut self, n: &Normalized<'_>, start: usize, end: usize) {
        let bytes = n.text.as_bytes();
        // The text before each token back to the previous token, and after the last one to
        // the next sentence.
        let gap_before = |t: usize| {
            let from = if t == 0 { 0 } else { n.tokens[t - 1].end };
            let gap = &bytes[from..n.tokens[t].start];
            // Before a sentence's first token, only what follows the previous sentence's end.
            match gap
                .iter()
                .rposition(|b| matches!(b, b'.' | b'!' | b'?' | b'\n'))
            {
                Some(at) if t == start => &gap[at + 1..],
                _ => gap,
            }
        };
        let (mut double, mut single, mut code) = (false, false, false);
        let mut marks = 0usize;
        for t in start..end {
            for &b in gap_before(t) {
                match b {
                    b'"' => {
                        double = !double;
                        marks += 1;
                    }
                    b'\'' => {
                        single = !single;
                        marks += 1;
                    }
                    b'`' => {
                        code = !code;
                        marks += 1;
                    }
                    _ => {}
                }
            }
            self.quoted[t] = double || single || code;
        }
        let tail_to = n.tokens.get(end).map_or(bytes.len(), |t| t.start);
        let tail = &bytes[n.tokens[end - 1].end..tail_to];
        // The marks right after the last word (`threads".`), up to the first space.
        for &b in tail.iter().take_while(|b| !b.is_ascii_whitespace()) {
            match b {
                b'"' => double = !double,
                b'\'' => single = !single,
                b'`' => code = !code,
                _ => {}
            }
        }
        // The opening mark of this sentence may have been counted in the gap before its first
        // token; an unpaired mark leaves the whole sentence unquoted.
        if double || single || code || marks == 0 {
            self.quoted[start..end].fill(false);
        }
    }

    /// Finds the frames and contrast words of sentence `start..end` (see the module rules).
    fn find_frames(&mut self, n: &Normalized<'_>, classes: &[u8], start: usize, end: usize) {
        let words_at = |t: usize, words: &[&str]| {
            t + words.len() <= end
                && words
                    .iter()
                    .enumerate()
                    .all(|(k, w)| n.token_text(t + k) == *w)
        };
        let mut t = start;
        while t < end {
            let word = n.token_text(t);
            if CONTRAST.contains(&word) {
                self.contrast[t] = true;
            }
            if classes.get(t).is_none_or(|c| c & tags::REJECT_START == 0) {
                t += 1;
                continue;
            }
            let lists = [
                (REJECTING, FrameKind::Rejecting),
                (DISBELIEVING, FrameKind::Rejecting),
                (UNTRUE, FrameKind::Rejecting),
                (CONCEDING, FrameKind::Conceding),
                (MODAL_NEGATIONS, FrameKind::Negating),
            ];
            let describes = DESCRIPTIVE_REJECTING.contains(&word)
                && ((t > start && DESCRIBING.contains(&n.token_text(t - 1)))
                    || (t + 1 < end && DESCRIBED.contains(&n.token_text(t + 1))));
            let found = lists
                .iter()
                .filter(|_| !describes)
                .find_map(|(list, kind)| {
                    list.iter()
                        .find(|words| words_at(t, words))
                        .map(|words| (t + words.len(), *kind))
                });
            let found = found.or_else(|| {
                if !BELIEVERS.contains(&word) {
                    return None;
                }
                let verbs = if matches!(word, "you" | "you'd" | "you'll" | "i've") {
                    OWN_BELIEF_VERBS
                } else {
                    BELIEF_VERBS
                };
                (t + 1..end.min(t + 4))
                    .take_while(|&u| n.tokens[u].gap < Gap::Comma)
                    .find(|&u| verbs.contains(&n.token_text(u)))
                    .map(|u| (u + 1, FrameKind::Reporting))
            });
            match found {
                Some((to, kind)) => {
                    self.frames.push(Frame { from: t, to, kind });
                    t = to;
                }
                None => t += 1,
            }
        }
    }

    fn mark_commands(&mut self, n: &Normalized<'_>, classes: &[u8]) {
        let bytes = n.text.as_bytes();
        let mut t = 0;
        while t < n.tokens.len() {
            if classes.get(t).is_none_or(|c| c & tags::TOOL == 0) {
                t += 1;
                continue;
            }
            let mut u = t + 1;
            while u < n.tokens.len() && n.tokens[u].gap < Gap::Comma {
                let word = n.token_text(u);
                let flag = bytes[n.tokens[u - 1].end..n.tokens[u].start].contains(&b'-');
                if !(flag || n.tokens[u].numeric || SUBCOMMANDS.contains(&word)) {
                    break;
                }
                u += 1;
            }
            if u > t + 1 {
                self.command[t..u].fill(true);
            }
            t = u;
        }
    }

    /// What keeps the claim matched at tokens `from..to` from being asserted, as the token range
    /// to name in its evidence: a frame reaching its clause, a dismissing predicate of a subject
    /// claim, or a contrast that denies it (see the module rules).
    ///
    /// `parts` are the token ranges an idea's roles matched (empty for a phrase): a frame
    /// between them ("threads, and someone will say give it more", "the softirq side can't use
    /// a mutex") is not the claim's own words, and counts as a frame before the next part.
    pub fn rejection(
        &self,
        n: &Normalized<'_>,
        from: usize,
        to: usize,
        parts: &[(u32, u32)],
    ) -> Option<(usize, usize)> {
        let token = n.tokens.get(from)?;
        let (s_from, s_to) = n.sentences[token.sentence as usize];
        let to = to.min(s_to).max(from + 1);
        let contrast_in = |a: usize, b: usize| self.contrast[a.min(b)..b.max(a)].contains(&true);
        let first = self.frames.partition_point(|f| f.from < s_from);
        let framed = self.frames[first..]
            .iter()
            .take_while(|f| f.from < s_to)
            .find(|f| {
                // The part a frame inside the match stands before, if it overlaps none.
                let inside = (f.from > from && f.to < to)
                    .then(|| {
                        let overlaps = parts
                            .iter()
                            .any(|&(a, b)| (a as usize) < f.to && f.from < b as usize);
                        let next = parts
                            .iter()
                            .map(|&(a, _)| a as usize)
                            .filter(|&a| a >= f.to)
                            .min();
                        next.filter(|_| !overlaps)
                    })
                    .flatten();
                // Only a report or rejection said of the part right after it, with no comma
                // between (the claim's own clause): a
                // negation between the roles ("two updaters can't conflict") is often the
                // claim's own meaning.
                if let Some(next) = inside {
                    return matches!(f.kind, FrameKind::Rejecting | FrameKind::Reporting)
                        && !contrast_in(f.to, next)
                        && (f.to..=next).all(|t| n.tokens[t].gap < Gap::Comma);
                }
                let before = f.to <= from && !contrast_in(f.to, from);
                // "Someone always suggests ditching the mutexes": the claim's words may begin
                // with the verb of the report; who holds the belief stands outside them.
                let reported_from_outside =
                    f.kind == FrameKind::Reporting && f.from < from && f.to > from && f.to < to;
                // "X, but that's exactly what isn't true": across a contrast, a frame said of
                // "that" still reaches back.
                let after =
                    f.from >= to && (!contrast_in(to, f.from) || self.anaphoric(n, to, f.from));
                match f.kind {
                    FrameKind::Rejecting => before || after,
                    FrameKind::Reporting => before || reported_from_outside,
                    FrameKind::Conceding => (before || after) && contrast_in(f.to.max(to), s_to),
                    // "Workers that can't get the lock get put to sleep": a relative clause's
                    // negation is said of its subject, not of the claim after it.
                    FrameKind::Negating => {
                        before
                            && from - f.to <= MODAL_REACH
                            && (f.to..=from).all(|t| n.tokens[t].gap < Gap::Comma)
                            && !(f.from > 0 && RELATIVES.contains(&n.token_text(f.from - 1)))
                    }
                }
            })
            .map(|f| (f.from, f.to));
        framed
            .or_else(|| self.dismissing_predicate(n, from, to))
            .or_else(|| self.contrast_denial(n, to, s_to))
    }

    /// A role of a claim matched as an idea that is said right after a negation of its own, so
    /// the claim is denied whatever its other roles say: "the threads are waiting on each
    /// other, not on the device", "there's no lock contention", "we should not add threads"
    /// (a "not" after a word of [`NEGATED_AUXILIARIES`]). Between the negation and the role
    /// only [`ROLE_LEAD_INS`] words (and, after an auxiliary's "not", [`NEGATED_VERB_LEAD_INS`])
    /// may stand, and no comma; a negation inside another role's words is that role's own meaning
    /// ("waiters never sleep"), not a denial of the next one.
    pub fn negated_role(&self, n: &Normalized<'_>, parts: &[(u32, u32)]) -> Option<(usize, usize)> {
        if parts.len() < 2 {
            return None;
        }
        let in_a_part = |t: usize| {
            parts
                .iter()
                .any(|&(a, b)| (a as usize) <= t && t < b as usize)
        };
        parts.iter().find_map(|&(a, _)| {
            let mut t = a as usize;
            for _ in 0..=MAX_LEAD_INS {
                if t == 0 || n.tokens[t].gap >= Gap::Comma {
                    return None;
                }
                t -= 1;
                let word = n.token_text(t);
                if in_a_part(t) {
                    return None;
                }
                // A contrastive "not" opens its clause ("…, not on the device"), or follows an
                // auxiliary that makes it the verb's ("we should not add"); after a copula ("X
                // is not the problem") it may be the claim's own dismissal.
                let opens_clause = t == 0 || n.tokens[t].gap >= Gap::Comma;
                let after_auxiliary =
                    !opens_clause && NEGATED_AUXILIARIES.contains(&n.token_text(t - 1));
                // A modal negation right before a claim's role denies it ("the old copy can't
                // be freed yet"): a claim that means the negation spells it in its role.
                if word == "no"
                    || scope::MODAL_NEGATING_WORDS.contains(&word)
                    || (CONTRASTIVE_NEGATIONS.contains(&word) && (opens_clause || after_auxiliary))
                {
                    return Some((t, t + 1));
                }
                if !ROLE_LEAD_INS.contains(&word) && !NEGATED_VERB_LEAD_INS.contains(&word) {
                    return None;
                }
            }
            None
        })
    }

    /// What keeps the concept matched at tokens `from..to` from being said by the candidate: a
    /// report of someone else's belief before it in its clause ("people say a deadlock shows
    /// zero CPU"), or a judgement that it is false said in its clause ("the notion that X",
    /// "X is a myth"), with no contrast word between. Narrower than [`Context::rejection`]:
    /// words that judge a design rather than a belief ("wrong", "risky", "a mistake", "the
    /// obvious fix") are how strong answers criticise what they diagnose, and modal negations
    /// ("can't sleep") are often what the concept itself says.
    pub fn disowned_concept(
        &self,
        n: &Normalized<'_>,
        from: usize,
        to: usize,
    ) -> Option<(usize, usize)> {
        let token = n.tokens.get(from)?;
        let (s_from, s_to) = n.sentences[token.sentence as usize];
        let to = to.min(s_to).max(from + 1);
        let (c_from, c_to) = self.clause_span(from, to - 1);
        let contrast_in = |a: usize, b: usize| self.contrast[a.min(b)..b.max(a)].contains(&true);
        let words = |f: &Frame, list: &[&[&str]]| {
            list.iter().any(|w| {
                w.len() == f.to - f.from
                    && w.iter()
                        .enumerate()
                        .all(|(k, w)| n.token_text(f.from + k) == *w)
            })
        };
        let first = self.frames.partition_point(|f| f.from < c_from);
        let in_clause = self.frames[first..]
            .iter()
            .take_while(|f| f.from < c_to)
            .find(|f| {
                let before = f.to <= from && !contrast_in(f.to, from);
                let after = f.from >= to && !contrast_in(to, f.from);
                match f.kind {
                    FrameKind::Reporting => before,
                    FrameKind::Rejecting => {
                        (before && words(f, DISBELIEVING))
                            || ((before || after) && words(f, UNTRUE))
                    }
                    FrameKind::Conceding | FrameKind::Negating => false,
                }
            });
        // A belief that opens its sentence ("The usual story is that rwlocks help when reads
        // dominate, and that the cost is the reader counter bouncing.") tells the whole
        // sentence as that belief, up to a contrast: every clause of it is the story.
        let opening = || {
            let first = self.frames.partition_point(|f| f.from < s_from);
            self.frames[first..]
                .first()
                .filter(|f| f.from == s_from && f.to <= from && !contrast_in(f.to, from))
                .filter(|f| f.kind == FrameKind::Reporting || words(f, DISBELIEVING))
        };
        in_clause.or_else(opening).map(|f| (f.from, f.to))
    }

    /// Whether the only contrast between tokens `from` and `to` is followed by a pronoun that
    /// stands for what came before it ("…, but that's …").
    fn anaphoric(&self, n: &Normalized<'_>, from: usize, to: usize) -> bool {
        let contrasts: Vec<usize> = (from..to).filter(|&t| self.contrast[t]).collect();
        contrasts.len() == 1
            && contrasts[0] + 1 < to
            && ANAPHORS.contains(&n.token_text(contrasts[0] + 1))
    }

    /// A negation or dismissal in the predicate of a claim that is its clause's subject:
    /// "raising the timeout would only hide the stall".
    fn dismissing_predicate(
        &self,
        n: &Normalized<'_>,
        from: usize,
        to: usize,
    ) -> Option<(usize, usize)> {
        let (clause_from, clause_to) = self.clause_span(from, from);
        if from - clause_from > SUBJECT_REACH || to > clause_to {
            return None;
        }
        let end = clause_to.min(to + PREDICATE_REACH);
        for t in to..end {
            let word = n.token_text(t);
            if PREDICATE_STOPS.contains(&word) || self.contrast[t] || n.tokens[t].gap >= Gap::Comma
            {
                return None;
            }
            let next = (t + 1 < clause_to).then(|| n.token_text(t + 1));
            if denies(word) || DISMISSING.contains(&word) {
                let harmless = next.is_some_and(|w| HARMLESS.contains(&w));
                return (!harmless).then_some((t, t + 1));
            }
            if RESTRICTING.contains(&word)
                && (MODALS.contains(&n.token_text(t - 1))
                    || next.is_some_and(|w| SHIFTING.contains(&w)))
            {
                return Some((t, t + 1));
            }
        }
        None
    }

    /// A contrast right after the claim whose next words deny it: "…, but they don't raise
    /// …", "…, but 19% isn't".
    fn contrast_denial(
        &self,
        n: &Normalized<'_>,
        to: usize,
        s_to: usize,
    ) -> Option<(usize, usize)> {
        // Neither the contrast nor its denial lies past a clause mark: "throttling is the same
        // as steal: CPU the service wanted but didn't get" explains, it does not deny.
        let in_clause = |t: &usize| n.tokens[*t].gap < Gap::Clause;
        let contrast = (to..s_to.min(to + CONTRAST_REACH))
            .take_while(in_clause)
            .find(|&t| self.contrast[t])?;
        (contrast + 1..s_to.min(contrast + 4))
            .take_while(in_clause)
            .find(|&t| CONTRAST_DENIALS.contains(&n.token_text(t)))
            .map(|t| (contrast, t + 1))
    }

    /// What keeps a proposal (a red flag) matched at tokens `from..to` from being the
    /// candidate's recommendation, beyond [`Context::rejection`]: a bad outcome its own sentence
    /// gives it, or a report of what someone did (see the module rules).
    pub fn disowned_proposal(
        &self,
        n: &Normalized<'_>,
        from: usize,
        to: usize,
        parts: &[(u32, u32)],
    ) -> Option<(usize, usize)> {
        let token = n.tokens.get(from)?;
        let (_, s_to) = n.sentences[token.sentence as usize];
        let to = to.min(s_to).max(from + 1);
        self.bad_outcome(n, to, s_to)
            .or_else(|| self.reported_action(n, from, to, parts, s_to))
    }

    /// A bad outcome of the proposal ending at token `to`, said after it in its sentence: after
    /// a consequence marker ("and the queue just gets longer", "you'll just make it worse",
    /// "which only hides it"), or right after a contrast ("…, but hides the problem").
    fn bad_outcome(&self, n: &Normalized<'_>, to: usize, s_to: usize) -> Option<(usize, usize)> {
        let end = s_to.min(to + CONSEQUENCE_REACH);
        let mut marked = false;
        let mut t = to;
        while t < end {
            let word = n.token_text(t);
            // A clause mark ends the consequence, unless a pronoun carries it on ("; that only
            // makes it worse").
            if n.tokens[t].gap >= Gap::Clause && !ANAPHORS.contains(&word) {
                return None;
            }
            if self.contrast[t] {
                // Only what the contrast says at once: "…, but hides the problem".
                let stop = end.min(t + 4);
                return (t + 1..stop).find_map(|u| self.outcome_at(n, u, t + 1));
            }
            if NOT_CONSEQUENCE.contains(&word) {
                return None;
            }
            if CONSEQUENCE_MARKERS.contains(&word) {
                marked = true;
            }
            if marked && let Some(found) = self.outcome_at(n, t, to) {
                return Some(found);
            }
            t += 1;
        }
        None
    }

    /// A bad outcome starting at token `t`, with no negator of it between `floor` and it: a
    /// word of [`BAD_OUTCOMES`] not negated, or one of [`GOOD_OUTCOMES`] negated.
    fn outcome_at(&self, n: &Normalized<'_>, t: usize, floor: usize) -> Option<(usize, usize)> {
        let words_at = |words: &[&str]| {
            t + words.len() <= n.tokens.len()
                && words
                    .iter()
                    .enumerate()
                    .all(|(k, w)| n.token_text(t + k) == *w)
        };
        let negated = (floor.max(t.saturating_sub(NEGATOR_REACH))..t)
            .any(|u| negates_outcome(n.token_text(u)));
        if let Some(words) = BAD_OUTCOMES.iter().find(|words| words_at(words)) {
            return (!negated).then_some((t, t + words.len()));
        }
        (negated && GOOD_OUTCOMES.contains(&n.token_text(t))).then_some((t, t + 1))
    }

    /// A report of what someone did rather than a recommendation: the proposal's verb in the
    /// past after who did it ("the on-call added threads last night", "we already bumped the
    /// pool") or after a passive auxiliary ("the pool was bumped"), unless the sentence goes on
    /// to endorse it ("…, which was right").
    fn reported_action(
        &self,
        n: &Normalized<'_>,
        from: usize,
        to: usize,
        parts: &[(u32, u32)],
        s_to: usize,
    ) -> Option<(usize, usize)> {
        let starts = parts.iter().map(|&(a, _)| a as usize);
        let verb = if parts.is_empty() {
            Some(from).filter(|&t| is_past(n.token_text(t)))
        } else {
            starts.clone().find(|&t| is_past(n.token_text(t)))
        }?;
        let (s_from, _) = n.sentences[n.tokens[verb].sentence as usize];
        let mut u = verb;
        while u > s_from && n.tokens[u].gap < Gap::Comma {
            let word = n.token_text(u - 1);
            if ACTORS.contains(&word) || PASSIVE.contains(&word) {
                let endorsed = (to..s_to).any(|e| {
                    ENDORSING.contains(&n.token_text(e))
                        && !(e.saturating_sub(NEGATOR_REACH).max(to)..e)
                            .any(|v| negates_outcome(n.token_text(v)))
                });
                return (!endorsed).then_some((u - 1, verb + 1));
            }
            if !REPORT_ADVERBS.contains(&word) {
                return None;
            }
            u -= 1;
        }
        None
    }

    /// Whether every token of `from..to` is quoted.
    pub fn is_quoted(&self, from: usize, to: usize) -> bool {
        from < to
            && self
                .quoted
                .get(from..to)
                .is_some_and(|q| q.iter().all(|&b| b))
    }

    /// The "or" that makes `from..to` one of several possibilities listed side by side ("a
    /// deadlock or a hung device or a remote filesystem"), as a token range: a diagnosis named
    /// among alternatives is weighed, not believed. The "or" stands right before the match (an
    /// article between is allowed), with no mark stronger than a comma between. An "or" after
    /// the match may list the claim's own objects ("would show up as steal or iowait").
    pub fn listed_alternative(&self, n: &Normalized<'_>, from: usize) -> Option<(usize, usize)> {
        let same_stretch = |t: usize| n.tokens.get(t).is_some_and(|tok| tok.gap <= Gap::Comma);
        let mut before = from.checked_sub(1)?;
        if ARTICLES.contains(&n.token_text(before)) && same_stretch(before + 1) {
            before = before.checked_sub(1)?;
        }
        (n.token_text(before) == "or" && same_stretch(before + 1)).then_some((before, before + 1))
    }

    /// The expectation label that opens the sentence of token `t` ([`EXPECTATION_LABELS`],
    /// followed by a colon), as a token range: what the sentence says after it is expected or
    /// possible, not asserted.
    pub fn expectation_label(&self, n: &Normalized<'_>, t: usize) -> Option<(usize, usize)> {
        let sentence = n.tokens.get(t)?.sentence as usize;
        let (start, end) = *n.sentences.get(sentence)?;
        let bytes = n.text.as_bytes();
        // The first colon of the sentence, after at most the lead-ins and the longest label.
        let colon_after = (start..end.min(start + LABEL_LEAD_INS + 3)).find(|&u| {
            u + 1 < end && {
                let gap = &bytes[n.tokens[u].end..n.tokens[u + 1].start];
                gap.contains(&b':')
            }
        })?;
        if t <= colon_after {
            return None;
        }
        EXPECTATION_LABELS.iter().find_map(|label| {
            let from = (colon_after + 1).checked_sub(label.len())?;
            (from >= start
                && label
                    .iter()
                    .enumerate()
                    .all(|(i, word)| n.token_text(from + i) == *word))
            .then_some((from, colon_after + 1))
        })
    }

    /// Whether every token of `from..to` belongs to a command line.
    pub fn is_command(&self, from: usize, to: usize) -> bool {
        from < to
            && self
                .command
                .get(from..to)
                .is_some_and(|q| q.iter().all(|&b| b))
    }
}

/// Whether `word` is a past form: a regular `-ed` form or one of [`IRREGULAR_PAST`].
fn is_past(word: &str) -> bool {
    IRREGULAR_PAST.contains(&word)
        || (word.len() >= 5 && word.ends_with("ed") && !NOT_PAST.contains(&word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::tags::Tagger;

    fn context(text: &str) -> (Normalized<'_>, Context) {
        let n = Normalized::new(text);
        let classes = Tagger::new(&["perf", "mpstat"], &[]).tag(&n).classes;
        let context = Context::new(&n, &classes);
        (n, context)
    }

    fn token(n: &Normalized<'_>, word: &str) -> usize {
        (0..n.tokens.len())
            .find(|&i| n.token_text(i) == word)
            .unwrap_or_else(|| panic!("{word}"))
    }

    /// The tokens of `words` in `n`, as a range (the first occurrence).
    fn span(n: &Normalized<'_>, words: &str) -> (usize, usize) {
        let words: Vec<&str> = words.split(' ').collect();
        let from = (0..n.tokens.len())
            .find(|&i| {
                i + words.len() <= n.tokens.len()
                    && words
                        .iter()
                        .enumerate()
                        .all(|(k, w)| n.token_text(i + k) == *w)
            })
            .unwrap_or_else(|| panic!("{words:?}"));
        (from, from + words.len())
    }

    fn concept_disowned(text: &str, concept: &str) -> bool {
        let (n, c) = context(text);
        let (from, to) = span(&n, concept);
        c.disowned_concept(&n, from, to).is_some()
    }

    #[test]
    fn a_concept_said_as_someone_elses_belief_is_not_the_candidates() {
        assert!(concept_disowned(
            "People say a deadlock shows zero cpu and livelock is busy.",
            "zero cpu"
        ));
        assert!(concept_disowned(
            "The notion that readers never contend is wrong here.",
            "readers never contend"
        ));
        assert!(concept_disowned(
            "Lock ordering is a myth in practice.",
            "lock ordering"
        ));
        assert!(concept_disowned(
            "People like to quote Amdahl here.",
            "amdahl"
        ));
        assert!(concept_disowned(
            "ppl think readers dont contend on a rwlock.",
            "readers dont contend"
        ));
        assert!(concept_disowned(
            "One answer you'll hear is per-CPU page lists.",
            "page lists"
        ));
        assert!(!concept_disowned(
            "You'll see per-CPU page lists in the profile.",
            "page lists"
        ));
        // Said in the candidate's own voice, or past a contrast, it stands.
        assert!(!concept_disowned("A deadlock shows zero cpu.", "zero cpu"));
        // Received wisdom is reported too.
        assert!(concept_disowned(
            "Textbooks talk about hard interrupts and softirqs.",
            "softirqs"
        ));
        assert!(concept_disowned(
            "The textbook answer is lock ordering.",
            "lock ordering"
        ));
        assert!(!concept_disowned(
            "People say it's the disk, but the deadlock shows zero cpu.",
            "zero cpu"
        ));
        // A belief that opens its sentence reaches every clause of it, up to a contrast.
        assert!(concept_disowned(
            "The usual story is that rwlocks help when reads dominate, and that the cost is \
             the reader counter bouncing between cores.",
            "counter bouncing"
        ));
        assert!(concept_disowned(
            "People say the pool is too small, and that the queue is what grows.",
            "queue"
        ));
        assert!(!concept_disowned(
            "The usual story is that rwlocks help, but the cost is the reader counter bouncing.",
            "counter bouncing"
        ));
        // Said inside a sentence of the candidate's own, a belief frame keeps to its clause.
        assert!(!concept_disowned(
            "Here, unlike what people say about pools, the queue is what grows.",
            "queue"
        ));
        // In another clause the frame says nothing of it.
        assert!(!concept_disowned(
            "That is a myth; readers bounce the counter's cache line.",
            "cache line"
        ));
        // Words that judge a design are how strong answers criticise what they diagnose.
        assert!(!concept_disowned(
            "Holding the mutex across fsync is a mistake.",
            "across fsync"
        ));
        assert!(!concept_disowned(
            "The obvious fix is to shard the lock.",
            "shard the lock"
        ));
    }

    fn role_negated(text: &str, roles: &[&str]) -> bool {
        let (n, c) = context(text);
        let parts: Vec<(u32, u32)> = roles
            .iter()
            .map(|r| {
                let (a, b) = span(&n, r);
                (a as u32, b as u32)
            })
            .collect();
        c.negated_role(&n, &parts).is_some()
    }

    #[test]
    fn a_claim_with_a_role_said_after_its_own_negation_is_denied() {
        assert!(role_negated(
            "The threads are waiting on each other, not on the device.",
            &["waiting", "device"]
        ));
        assert!(role_negated(
            "There's no lock contention in this profile.",
            &["there's", "lock contention"]
        ));
        assert!(role_negated("Not the disk, the lock.", &["disk", "lock"]));
        // A modal negation right before a role denies it.
        assert!(role_negated(
            "The old version cannot be freed yet.",
            &["old version", "be freed"]
        ));
        assert!(role_negated(
            "A softirq can't sleep there.",
            &["softirq", "sleep"]
        ));
        // Unless the role spells it: then it is the claim's own meaning.
        assert!(!role_negated(
            "A softirq can't sleep there.",
            &["softirq", "can't sleep"]
        ));
        // Asserted: no negation, a dismissal after a copula (the claim's own words), or a
        // negation inside a role.
        assert!(!role_negated(
            "The threads are waiting on the device.",
            &["waiting", "device"]
        ));
        assert!(!role_negated(
            "The retry loop is not the problem.",
            &["retry loop", "the problem"]
        ));
        assert!(!role_negated(
            "Swapping is no problem here.",
            &["swapping", "no problem"]
        ));
        // A single role is a phrase: its negation is the scopes' business.
        assert!(!role_negated("Not the disk.", &["disk"]));
    }

    #[test]
    fn an_auxiliary_and_its_not_deny_the_role_after_them() {
        for (text, roles) in [
            ("We should not add threads.", ["should", "add threads"]),
            (
                "I would never raise the timeout.",
                ["would", "raise the timeout"],
            ),
            (
                "We should not be adding threads.",
                ["should", "adding threads"],
            ),
            (
                "I would not recommend adding threads.",
                ["would", "adding threads"],
            ),
            ("Try not to add threads.", ["try", "add threads"]),
        ] {
            assert!(role_negated(text, &roles), "{text}");
        }
        // Asserted: the pair denies what follows it only, and a "not" after a copula is left
        // to the claim's own words.
        for (text, roles) in [
            (
                "We should add threads, not remove the lock.",
                ["should", "add threads"],
            ),
            (
                "It would be not bad to add threads.",
                ["would", "add threads"],
            ),
            (
                "The lock is not contended, so we should add threads.",
                ["should", "add threads"],
            ),
        ] {
            assert!(!role_negated(text, &roles), "{text}");
        }
    }

    #[test]
    fn quotes_pair_within_a_sentence() {
        let (n, c) = context("Someone said \"add more threads\" and that fails. Add more.");
        assert!(c.quoted[token(&n, "threads")]);
        assert!(!c.quoted[token(&n, "fails")]);
        let (n, c) = context("A stray \" mark here. add threads now");
        assert!(!c.quoted[token(&n, "mark")]);
        assert!(!c.quoted[token(&n, "threads")]);
        let (n, c) = context("They call it 'lock convoy' in the docs.");
        assert!(c.quoted[token(&n, "convoy")]);
        assert!(!c.quoted[token(&n, "docs")]);
    }

    #[test]
    fn command_lines_are_the_tool_and_its_arguments() {
        let (n, c) = context("perf lock contention. perf lock shows one lock dominates");
        assert!(c.is_command(0, 3));
        let shows = token(&n, "shows");
        assert!(!c.command[shows] && !c.command[shows + 2]);
        let (n, c) = context("I ran mpstat -P ALL 1 and saw it");
        assert!(c.command[token(&n, "all")]);
        assert!(!c.command[token(&n, "saw")]);
    }

    #[test]
    fn clauses_end_at_clause_commas_and_marks() {
        let (n, c) = context("If that is not enough, add more threads; then measure.");
        assert_ne!(c.clause[token(&n, "enough")], c.clause[token(&n, "add")]);
        assert_ne!(c.clause[token(&n, "threads")], c.clause[token(&n, "then")]);
        let (n, c) = context("The lock is held too long, so threads queue behind it");
        assert_eq!(c.clause[token(&n, "lock")], c.clause[token(&n, "long")]);
        assert_ne!(c.clause[token(&n, "lock")], c.clause[token(&n, "queue")]);
        // A finite verb beyond the auxiliaries opens a clause after a comma; a list does not.
        let (n, c) = context(
            "Wakers pile onto the same CPUs, those locks become hot, and every core adds wakers",
        );
        assert_ne!(c.clause[token(&n, "same")], c.clause[token(&n, "locks")]);
        assert_ne!(c.clause[token(&n, "locks")], c.clause[token(&n, "every")]);
        let (n, c) = context("I see no iowait, swapping or steal");
        assert_eq!(c.clause[token(&n, "iowait")], c.clause[token(&n, "steal")]);
    }

    #[test]
    fn rejections_lie_outside_the_claim() {
        let (n, c) = context("The idea that readers never contend is a myth.");
        let readers = token(&n, "readers");
        assert!(c.rejection(&n, readers, readers + 3, &[]).is_some());
        let (n, c) = context("Readers never contend.");
        assert!(c.rejection(&n, 0, 3, &[]).is_none());
    }

    /// Whether the claim `claim` (a phrase, found in `text`) is kept from being asserted.
    fn rejected(text: &str, claim: &str) -> bool {
        let (n, c) = context(text);
        let words: Vec<&str> = claim.split(' ').collect();
        let from = (0..n.tokens.len())
            .find(|&i| {
                (0..words.len()).all(|k| i + k < n.tokens.len() && n.token_text(i + k) == words[k])
            })
            .unwrap_or_else(|| panic!("{claim}"));
        c.rejection(&n, from, from + words.len(), &[]).is_some()
    }

    #[test]
    fn a_frame_reaches_only_the_claims_own_clause() {
        // A report of someone else's belief, with words between its subject and verb.
        assert!(rejected(
            "People sometimes say add more threads.",
            "add more threads"
        ));
        assert!(rejected(
            "A colleague once told me each lock is a syscall.",
            "each lock is a syscall"
        ));
        assert!(rejected(
            "They often think the box is overloaded.",
            "the box is overloaded"
        ));
        assert!(rejected(
            "You'd think idle means no cpu problem, but look at throttling.",
            "idle means no cpu problem"
        ));
        assert!(rejected(
            "The idea that more threads give more throughput only holds briefly.",
            "more threads give more throughput"
        ));
        // The contrast ends the frame: what follows is the candidate's own claim.
        assert!(!rejected(
            "People think it is the disk, but add more threads.",
            "add more threads"
        ));
        assert!(!rejected(
            "It's a myth that readers are free; however add more threads.",
            "add more threads"
        ));
        // The speaker's own saying is not a report of a belief.
        assert!(!rejected(
            "You can say add more threads now.",
            "add more threads"
        ));
        // After a contrast, a rejection said of "that" still reaches back.
        assert!(rejected(
            "They only switch at syscalls, but that's exactly what isn't true.",
            "only switch at syscalls"
        ));
        assert!(!rejected(
            "They only switch at syscalls, but the disk theory isn't true.",
            "only switch at syscalls"
        ));
    }

    #[test]
    fn a_belief_named_as_common_or_first_is_set_aside() {
        for (text, claim) in [
            (
                "The intuition that more threads buy throughput breaks down here.",
                "more threads buy throughput",
            ),
            (
                "A common assumption is that every lock enters the kernel.",
                "every lock enters the kernel",
            ),
            (
                "Cache pollution is a common suspect, but it doesn't match here.",
                "cache pollution",
            ),
            ("Lockdep is often suggested for this.", "lockdep"),
            ("My first thought was the network link.", "the network link"),
            (
                "One trap is expecting contention to show as CPU.",
                "contention to show as cpu",
            ),
            (
                "The export team thinks reading is harmless.",
                "reading is harmless",
            ),
            (
                "You might call it a deadlock since progress stopped.",
                "a deadlock",
            ),
            (
                "I considered interrupts because of the high sy.",
                "interrupts",
            ),
        ] {
            assert!(rejected(text, claim), "{text}");
        }
        // The candidate's own view, or one said after the contrast, stays asserted.
        for (text, claim) in [
            (
                "My intuition is that more threads buy throughput.",
                "more threads buy throughput",
            ),
            (
                "My assumption is that every lock enters the kernel.",
                "every lock enters the kernel",
            ),
            (
                "The disk is a common suspect, but cache pollution is the cause.",
                "cache pollution",
            ),
            (
                "A syscall is a trap into the kernel and every lock enters the kernel.",
                "every lock enters the kernel",
            ),
        ] {
            assert!(!rejected(text, claim), "{text}");
        }
    }

    #[test]
    fn a_concession_rejects_only_before_a_contrast() {
        assert!(rejected(
            "At first glance memory is fine, but free is 39 MB.",
            "memory is fine"
        ));
        assert!(rejected(
            "Memory is fine at a glance, but free is 39 MB.",
            "memory is fine"
        ));
        assert!(!rejected(
            "At first glance memory is fine.",
            "memory is fine"
        ));
    }

    #[test]
    fn a_modal_negation_rejects_the_claim_after_it() {
        assert!(rejected(
            "The softirq side can't use a mutex.",
            "use a mutex"
        ));
        assert!(rejected(
            "You cannot just add more threads.",
            "add more threads"
        ));
        // In a relative clause, or another clause, it is said of something else.
        assert!(!rejected(
            "Workers that can't get in add more threads.",
            "add more threads"
        ));
        assert!(!rejected(
            "If it can't keep up, we add more threads.",
            "add more threads"
        ));
        assert!(rejected(
            "The export is not just reading, it writes too.",
            "reading"
        ));
        assert!(!rejected(
            "It is not just the disk, add more threads.",
            "add more threads"
        ));
        // A claim that carries its own negation is denied from outside it.
        assert!(rejected(
            "It's not true that a mutex has no owner.",
            "a mutex has no owner"
        ));
    }

    #[test]
    fn a_dismissing_predicate_rejects_a_subject_claim() {
        assert!(rejected(
            "Raising the timeout would only hide the stall.",
            "raising the timeout"
        ));
        assert!(rejected(
            "Raising the timeout just hides the stall.",
            "raising the timeout"
        ));
        assert!(rejected(
            "Adding threads won't help here.",
            "adding threads"
        ));
        assert!(rejected(
            "Removing the lock would be a disaster.",
            "removing the lock"
        ));
        // A cost to everyone, or a delay of the problem, dismisses too.
        assert!(rejected(
            "Taking the zone lock would be a bottleneck.",
            "taking the zone lock"
        ));
        assert!(rejected(
            "Putting swap on a faster disk only buys time.",
            "putting swap on a faster disk"
        ));
        assert!(rejected("A faster disk only softens it.", "a faster disk"));
        // The negating words of `scope`, as typed in a hurry, and the modal ones.
        for text in [
            "Adding threads dosen't help here.",
            "Adding threads didnt help last time.",
            "Adding threads shouldnt be the fix.",
            "Adding threads cannot help here.",
        ] {
            assert!(rejected(text, "adding threads"), "{text}");
        }
        // Asserted: an intensifier, a harmless negation, a negation of something else.
        assert!(!rejected("Adding threads just works.", "adding threads"));
        assert!(!rejected("Adding threads won't hurt.", "adding threads"));
        assert!(!rejected(
            "Adding threads so requests don't queue is the fix.",
            "adding threads"
        ));
        assert!(!rejected(
            "Classic deadlock, no progress, not crashed.",
            "classic deadlock"
        ));
        // Not the subject: the negation belongs to the clause's own subject.
        assert!(!rejected(
            "The box has no spare cores so the team said add threads.",
            "add threads"
        ));
    }

    #[test]
    fn a_contrast_then_a_negated_verb_denies_the_claim() {
        assert!(rejected(
            "Bigger buffers absorb bursts, but they don't raise the rate.",
            "bigger buffers"
        ));
        assert!(rejected(
            "A little steal is normal, but 19% isn't.",
            "steal is normal"
        ));
        assert!(!rejected(
            "Bigger buffers absorb bursts, but the rate is the limit.",
            "bigger buffers"
        ));
        // Past a clause mark, the contrast explains rather than denies.
        assert!(!rejected(
            "Throttling is the same as steal: CPU we wanted but didn't get.",
            "the same as steal"
        ));
    }

    #[test]
    fn a_rejecting_word_that_describes_rejects_nothing() {
        assert!(!rejected(
            "A monitor is a supervisor that steps in at the wrong time.",
            "a monitor is a supervisor"
        ));
        assert!(!rejected(
            "Readers never contend, it is false sharing that hurts.",
            "readers never contend"
        ));
        assert!(!rejected(
            "Readers never contend unless something goes wrong.",
            "readers never contend"
        ));
        assert!(rejected(
            "Adding threads is the wrong fix.",
            "adding threads"
        ));
        assert!(rejected(
            "That readers never contend is false.",
            "readers never contend"
        ));
    }

    /// Whether the proposal `claim` (a phrase, found in `text`) is disowned: given a bad
    /// outcome, or reported as someone's past action.
    fn disowned(text: &str, claim: &str) -> bool {
        let (n, c) = context(text);
        let words: Vec<&str> = claim.split(' ').collect();
        let from = (0..n.tokens.len())
            .find(|&i| {
                (0..words.len()).all(|k| i + k < n.tokens.len() && n.token_text(i + k) == words[k])
            })
            .unwrap_or_else(|| panic!("{claim}"));
        c.disowned_proposal(&n, from, from + words.len(), &[])
            .is_some()
    }

    #[test]
    fn a_proposal_whose_outcome_is_bad_is_rejected() {
        for (text, claim) in [
            (
                "Add more threads and the queue just gets longer.",
                "add more threads",
            ),
            (
                "Bump the pool and you'll just make it worse.",
                "bump the pool",
            ),
            (
                "Raise the timeout, which only hides it.",
                "raise the timeout",
            ),
            (
                "Add more threads and you get more contention.",
                "add more threads",
            ),
            (
                "Raising the timeout would make the graph look better but hides the problem.",
                "raising the timeout",
            ),
            ("Add more threads and it won't help.", "add more threads"),
            ("Add more threads and it dosen't help.", "add more threads"),
            ("Add more threads and it wasn't better.", "add more threads"),
            ("Restart it and it will fail the same way.", "restart it"),
            ("Restart it and it'd just come back.", "restart it"),
            ("Add a sleep and it only shifts the timing.", "add a sleep"),
            (
                "Take the mutex there and it would be a bug.",
                "take the mutex",
            ),
            (
                "One global run queue with one lock, and it fell over on big boxes.",
                "one global run queue",
            ),
            (
                "One lock for the whole kernel, which was terrible for scaling.",
                "one lock for the whole kernel",
            ),
            (
                "Put everything under one lock and it doesn't scale.",
                "put everything under one lock",
            ),
        ] {
            assert!(disowned(text, claim), "{text}");
        }
        for (text, claim) in [
            ("Add more threads and it will be fine.", "add more threads"),
            ("Add more threads, that fixes it.", "add more threads"),
            // What comes back is the service, not the problem.
            (
                "Get faster cores and the commit rate comes back.",
                "get faster cores",
            ),
            // A reason, a purpose or a condition is not an outcome.
            (
                "Add more threads because the queue keeps getting longer.",
                "add more threads",
            ),
            (
                "We need more threads, the queue keeps getting longer.",
                "more threads",
            ),
            (
                "Raise the timeout to hide the spikes from users.",
                "raise the timeout",
            ),
            // A bad outcome negated or averted is a good one.
            (
                "Add more threads so the queue doesn't get longer.",
                "add more threads",
            ),
            (
                "Add more threads; the lock is held longer on the old path.",
                "add more threads",
            ),
        ] {
            assert!(!disowned(text, claim), "{text}");
        }
    }

    #[test]
    fn a_report_of_what_someone_did_is_not_a_proposal() {
        for (text, claim) in [
            ("The on-call added threads last night.", "added threads"),
            ("We already bumped the pool to 64.", "bumped the pool"),
            ("The pool was doubled on Monday.", "doubled"),
        ] {
            assert!(disowned(text, claim), "{text}");
        }
        for (text, claim) in [
            // Endorsed, it is the candidate's own.
            (
                "The on-call added threads last night, which was right.",
                "added threads",
            ),
            ("I'd have added threads.", "added threads"),
            ("Add threads now.", "add threads"),
            ("An increased timeout would fix it.", "increased timeout"),
        ] {
            assert!(!disowned(text, claim), "{text}");
        }
    }

    #[test]
    fn a_report_may_begin_inside_the_claims_words() {
        // The claim's words begin with the verb of the report.
        assert!(rejected(
            "Someone always suggests ditching the mutexes for spinlocks.",
            "suggests ditching the mutexes"
        ));
        assert!(!rejected(
            "I suggest ditching the mutexes for spinlocks.",
            "suggest ditching the mutexes"
        ));
    }

    #[test]
    fn inline_code_is_quoted() {
        let (n, c) = context("So `if (empty) wait()` can pop from an empty queue.");
        assert!(c.quoted[token(&n, "wait")]);
        assert!(!c.quoted[token(&n, "pop")]);
        // An unpaired backtick quotes nothing.
        let (n, c) = context("The ` key is next to wait here.");
        assert!(!c.quoted[token(&n, "wait")]);
    }

    #[test]
    fn a_frame_between_the_roles_of_an_idea_rejects_it() {
        let text = "The pool has 32 threads and someone will say give it more threads.";
        let (n, c) = context(text);
        let first = token(&n, "pool");
        let last = n.tokens.len() - 1;
        let parts = [
            (first as u32, first as u32 + 1),
            (last as u32, last as u32 + 1),
        ];
        assert!(c.rejection(&n, first, last + 1, &parts).is_some());
        // The same words with a comma between the frame and the part: another clause.
        let text = "Condition variables are easy to get wrong, and polling works.";
        let (n, c) = context(text);
        let first = token(&n, "condition");
        let last = token(&n, "polling");
        let parts = [
            (first as u32, first as u32 + 2),
            (last as u32, last as u32 + 1),
        ];
        assert!(c.rejection(&n, first, last + 1, &parts).is_none());
    }
}
