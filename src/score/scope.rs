//! Negation and hypothetical scopes (NegEx, Chapman et al. 2001; ConText, Harkema et al. 2009),
//! with the trigger classes of docs/SCORING.md section 1 adapted to interview answers.
//!
//! Per sentence, triggers are found leftmost-longest on normalised tokens (so "not only" wins
//! over "not", "is ruled out" over "ruled out"). Then:
//! - a pre-negation covers the tokens after it up to a termination term, another trigger, a
//!   clause mark (`;`, `:`, brackets), the sentence end, or a comma that opens a new clause: one
//!   followed, before the next comma, by a verb, a subject pronoun or a relative word
//!   ([`CLAUSE_WORDS`]). So "not disk IO, the run queue is high" leaves the run queue affirmed,
//!   while the list in "I don't see IO wait, swapping or steal" stays denied. "Rather than" and
//!   "instead of" also stop at any comma or a new subject ("I", "we" …), so "Rather than adding
//!   threads, cap the pool" and "Instead of adding threads I would cap the pool" keep "cap the
//!   pool";
//! - a post-negation ("… is fine", "… is ruled out") covers at most five tokens before it, and
//!   only the phrase it is said of: the look back stops at a comma, a clause mark, a
//!   termination term, a verb, pronoun or relative word, or a conjunction ("cs is high while us
//!   is normal" and "it's lock contention and the disk is fine" clear only us and the disk). A
//!   plural trigger ("are fine") reaches across a conjunction: "memory and disk are fine";
//! - a hedge ("maybe", "might", "could" …) covers the tokens after it up to a termination term,
//!   the next hedge, a clause mark, a clause-opening comma or the sentence end (negations do not
//!   end it: "maybe it is not X" stays hypothetical);
//! - a condition ("if", "whether", "assuming" …) covers only its clause, up to a comma, so "If r
//!   is above the CPU count, cap the pool" proposes capping the pool. Written without the
//!   comma, it ends where the main clause's subject starts ("if the handler needs the data I'd
//!   take the mutex", [`MAIN_SUBJECTS`]). A condition the same
//!   sentence goes on to affirm ("here", "in this case", "which is what …", "and it is"; see
//!   [`AFFIRMING`]) explains rather than supposes: "If the run queue is above the CPU count,
//!   threads wait, and here r is 38" asserts the run queue claim. That holds for claims only: a
//!   red flag in such a condition ("if we add threads it gets worse here") stays hypothetical.
//!   A general rule with nothing affirming it ("if r is above the CPU count, threads wait")
//!   keeps its condition hypothetical; a concept stated firmly elsewhere is credited from there
//!   anyway, since any affirmed mention credits;
//! - a sentence ending in `?` that does not start with a question word ("Lock contention?",
//!   "Is it the disk?", "Add more threads?") is hypothetical as a whole; a wh-question ("Why is
//!   sy at 70%?") presupposes its content and changes nothing;
//! - pseudo-negations and termination terms cover nothing. Conclusion words ("so", "therefore",
//!   "hence", "which means", "thus") are termination terms: they end every scope and never
//!   hedge what follows ("r is 2, so not CPU" denies only CPU);
//! - a note's arrow or spaced equals sign ends a pre-negation: "journal never frees = deadlock"
//!   denies only the freeing;
//! - a negation inside a condition stays inside it: "If that is not enough, add more threads"
//!   proposes adding threads;
//! - a question opened by a negated auxiliary ("Isn't it the disk?") leans toward its content:
//!   its opening negation denies nothing, and with a word that insists ("obviously", "just",
//!   "surely" …) it asserts its content ("Isn't it obviously the disk?"); without one it is a
//!   question like any other. A question that asks for data ("Did anyone check whether the disk
//!   is saturated?", "Do we know if swap is in use?") is an [`Class::Inquiry`]: hypothetical,
//!   and never a proposal, even of a red flag that fires when hedged;
//! - a question mark inside a parenthesis hedges only the parenthesis ("clean up (temp
//!   files?)"); a question that restates the interviewer's point ("So throughput fell when we
//!   added threads?", "You're asking whether …?") hedges nothing;
//! - misspelled triggers count as what they are: listed forms ("dosen't", "isnt", "becuase")
//!   and, for the long connectives and negations of [`TYPO_TRIGGERS`], any token the typo
//!   policy of `fuzzy` accepts;
//! - forward scopes reach at most [`MAX_SCOPE`] tokens, so judging a match costs the same in a
//!   run-on answer as in a short one.
//!
//! A match is not negated or made hypothetical by a trigger it contains itself: a rubric phrase
//! such as "never sleeps", "may not spin" or "wouldn't help" carries its own negation, and
//! asserting it asserts the concept. For a regex match, a trigger counts as its own only when
//! the regex spells the trigger's words out (so `sy[^.]{0,20}high` matching "sy is not high" is
//! still negated). A negation outside the phrase that reaches up to its trigger denies it: "it
//! is not true that spinners never sleep", "it's not about having no task context"; a sibling
//! negation in a list does not ("no swap, no lock contention" affirms "no lock contention").
//!
//! Scopes never cross a sentence. Every decision keeps its trigger, so evidence can name it.
//! Owns only this; must not know about rubric items.

use super::matcher::FastMap;
use super::normalize::{Gap, Normalized};
use super::stuffing::relates_by_arrow;
use super::tags::{CLAUSE_WORD, TRIGGER_START};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    PreNegation,
    /// A pre-negation whose scope also ends at a comma.
    ClauseNegation,
    PostNegation,
    Pseudo,
    Hypothetical,
    /// A hypothetical trigger whose scope also ends at a comma.
    Condition,
    Termination,
    /// A hedging question: the whole sentence is hypothetical.
    Question,
    /// A question that asks for data ("Did anyone check whether the disk is saturated?",
    /// "Do we know if swap is in use?"): hypothetical like any question, and never a proposal,
    /// not even of a red flag that fires when hedged.
    Inquiry,
    /// A dismissal by a pronoun ("but that's not the problem"): it denies its sentence up to it,
    /// or the sentence before when it opens its own.
    Anaphoric,
    /// A question the candidate answers "no" to in the next sentence ("Lock contention? No.
    /// Idle is 60%."): the whole sentence is denied.
    AnsweredNo,
    /// A first impression ("my first thought was", "at first", "made me think") that a contrast
    /// later in its sentence sets aside: what lies between them is denied ("That much system
    /// time made me think of a kernel lock at first, but perf lock is empty"). With no contrast
    /// it denies nothing ("my first thought was the lock, and perf lock confirms it").
    SetAside,
}

/// Words that negate on their own, as candidates type them: "not", "never" and the negated
/// auxiliaries, with and without their apostrophe, misspellings included. One list for every
/// rule that asks whether a word negates: a negation scope opens on each of them, and
/// `context`'s dismissing predicates ("adding threads won't help") and negated outcomes read
/// them. Modal negations ("can't", "cannot") are not here: `context` leaves them to the words
/// they are said of.
pub const NEGATING_WORDS: &[&str] = &[
    "not",
    "never",
    "isn't",
    "isnt",
    "is'nt",
    "wasn't",
    "wasnt",
    "aren't",
    "arent",
    "don't",
    "dont",
    "do'nt",
    "doesn't",
    "doesnt",
    "dosen't",
    "dosent",
    "dosnt",
    "dosn't",
    "doesent",
    "does'nt",
    "doens't",
    "didn't",
    "didnt",
    "did'nt",
    "won't",
    "wont",
    "wouldn't",
    "wouldnt",
    "shouldn't",
    "shouldnt",
    "hasn't",
    "hasnt",
    "haven't",
    "havent",
    "weren't",
    "werent",
    "hadn't",
    "hadnt",
];

/// Negations carried by a modal, as single words ("can't use a mutex"): `context` leaves them
/// to the words they are said of, and a question may open with them.
pub const MODAL_NEGATING_WORDS: &[&str] = &["can't", "cant", "cannot", "couldn't", "couldnt"];

/// Whether `word` negates on its own (one of [`NEGATING_WORDS`]).
pub fn is_negating_word(word: &str) -> bool {
    NEGATING_WORDS.contains(&word)
}

/// First impressions: see [`Class::SetAside`]. What others would think ("you might think",
/// "you'd think") is `context`'s report of a belief. Appearances ("at first glance", "looks like",
/// "on the surface") are `context`'s concessions, for claims only: a concept said as it looks
/// ("it looks like the lock, but I'd confirm with perf") is still said.
const FIRST_IMPRESSIONS: &[&str] = &[
    "my first thought was",
    "my first thought",
    "first thought was",
    "my first instinct was",
    "my first instinct",
    "my first guess was",
    "my first guess",
    "at first",
    "initially",
    "i initially thought",
    "i first thought",
    "i first suspected",
    "made me think",
    "makes you think",
    "the obvious suspect",
    "the obvious culprit",
    "the obvious answer",
    "tempting to",
    "you might conclude",
];
/// The contrasts that turn a sentence: they set a first impression aside, and a claim is said on
/// one side of them (`context::Context::contrast_segment`).
pub(super) const TURNS: &[&str] = &["but", "however", "yet", "whereas", "although", "though"];

/// Phrases and words that open a negation scope besides [`NEGATING_WORDS`].
const PRE: &[&str] = &[
    // "Not because X" denies X as the reason; "because" would otherwise end the scope at once.
    "not because",
    "is not",
    "was not",
    "it's not",
    "its not",
    "no",
    "without",
    "rule out",
    "ruled out",
    "rules out",
    "rule it out",
    "exclude",
    "excluded",
    "excludes",
    "would not",
    "do not",
    "does not",
    "did not",
    "are not",
    "will not",
    "should not",
    "avoid",
    "avoiding",
    "unlikely to be",
    "doubt it's",
    "doubt it is",
    "cannot be",
    "can't be",
    "nor",
    "neither",
    "none of",
    // "RCU does nothing to serialise writers" denies the serialising.
    "does nothing to",
    "do nothing to",
    "did nothing to",
    // "Nothing is being evicted" denies the eviction. Only as the subject of a verb: "nothing
    // else comes close to the lock" and "nothing but lock waits" affirm what follows.
    "nothing is",
    "nothing was",
    "nothing gets",
    "nothing got",
    "nothing has been",
    "nothing in",
    "nothing about",
    "doesn't look like",
    "don't think",
    "do not think",
    "no sign of",
    "no evidence of",
    "there is no",
    "there's no",
    // Modal negations typed without their apostrophe.
    "cant",
    "couldnt",
];
const CLAUSE_NEG: &[&str] = &["rather than", "instead of"];
const POST: &[&str] = &[
    "is unlikely",
    "are unlikely",
    "is ruled out",
    "was ruled out",
    "are ruled out",
    "can be ruled out",
    "isn't the issue",
    "isn't the cause",
    "isn't the problem",
    "is not the issue",
    "is not the cause",
    "is not the problem",
    "is not the bottleneck",
    "isn't the bottleneck",
    "isn't involved",
    "is not involved",
    "aren't involved",
    "are not involved",
    "isn't relevant",
    "is not relevant",
    "aren't relevant",
    "are not relevant",
    "isn't a factor",
    "is not a factor",
    "isn't an issue",
    "is not an issue",
    "is fine",
    "are fine",
    "looks fine",
    "look fine",
    "looks normal",
    "look normal",
    "is normal",
    "are normal",
    "is healthy",
    "looks healthy",
    "is irrelevant",
    "is a red herring",
    "are a red herring",
    "is just noise",
    "is noise",
    "are just noise",
    "that's normal",
    "that's fine",
    "is harmless",
    "are harmless",
    "wouldn't help",
    "won't help",
    "would not help",
    "will not help",
    "doesn't help",
    // "would make it worse" dismisses what it is said of; "the 1% writes make it worse" says
    // they aggravate it, so the plain "makes it worse" is not here (a proposal followed by it is
    // disowned by `context`'s dismissing predicates).
    "would make it worse",
    // Saying a finding cannot account for the symptom dismisses it as the cause.
    "can't explain",
    "cannot explain",
    "can not explain",
    "doesn't explain",
    "does not explain",
    "don't explain",
    "do not explain",
    "is unrelated",
    "are unrelated",
    "is a distraction",
    "is benign",
    "are benign",
    "isn't to blame",
    "is not to blame",
    // A finding said not to matter: "those worries don't really matter on modern hardware".
    // ("isn't what" and "isn't how" are not here: after a pronoun they would take the place
    // of the "isn't" that denies what follows, as in "it isn't what pthread mutexes use".)
    "doesn't matter",
    "does not matter",
    "don't matter",
    "do not matter",
    "matters little",
    "matter little",
    // Explaining a finding away as a by-product of something harmless dismisses it too: "steal
    // is just what the hypervisor reports when we are busy", "the lock contention is a side
    // effect".
    "is just what",
    "is only what",
    "are just what",
    "is just how",
    "is only how",
    "is simply how",
    "are just how",
    // Present in every profile, so it tells nothing: "lock_sock_nested is in every profile".
    // Only profiles: "the zone lock is in every allocation path" and "the spinlock always shows
    // up when sy spikes" say why a finding matters.
    "is in every profile",
    "are in every profile",
    "shows up in every profile",
    "show up in every profile",
    "is a side effect",
    "are a side effect",
    "is just a side effect",
    "are just a side effect",
    "is a side-effect",
    "is a byproduct",
    "is a by-product",
    "is just a byproduct",
    "is just a symptom",
    "are just a symptom",
    "is to be expected",
    "are to be expected",
    "is expected here",
    "are expected here",
    "is normal here",
    "is background noise",
    "is just background",
    "is just downstream",
    "is downstream of",
    "is secondary",
    "are secondary",
    "just reflects",
    "only reflects",
];
/// Dismissals of what was just said, by a pronoun standing for it: "perf shows the spinlock
/// slowpath, but that's not the problem" denies the clause before them, back to the start of
/// the sentence and across its "but"; one that opens its sentence ("Steal is at 19%. That's not
/// our problem.") denies the sentence before. They are built from parts, every pronoun with
/// every predicate: a pronoun and copula ([`POINTING`]) with a negation and what a cause is
/// called ([`CAUSE_NAMES`]: "that isn't our problem", "it's not the real issue"), or with a
/// dismissal ([`DISMISSALS`]: "that's a red herring", "it's just noise"), or a doubt about it
/// ([`DOUBTING`]: "I don't think that's our problem", "I doubt it's the cause").
const POINTING: &[&[&str]] = &[
    &["that's"],
    &["thats"],
    &["that", "is"],
    &["that", "was"],
    &["this", "is"],
    &["it's"],
    &["it", "is"],
    &["it", "was"],
];
/// The same pronouns with the copula already negated ("that isn't", "it wasn't").
const POINTING_NEGATED: &[&[&str]] = &[
    &["that", "isn't"],
    &["that", "isnt"],
    &["that", "wasn't"],
    &["this", "isn't"],
    &["it", "isn't"],
    &["it", "isnt"],
    &["it", "wasn't"],
];
/// What a cause is called, after a negated pronoun and copula ("that's not *the problem*").
const CAUSE_NAMES: &[&[&str]] = &[
    &["the", "problem"],
    &["our", "problem"],
    &["the", "issue"],
    &["our", "issue"],
    &["the", "cause"],
    &["the", "bottleneck"],
    &["our", "bottleneck"],
    &["the", "culprit"],
    &["the", "real", "problem"],
    &["the", "real", "issue"],
    &["the", "real", "cause"],
    &["the", "main", "problem"],
    &["the", "main", "issue"],
    &["the", "root", "cause"],
    &["the", "reason"],
    &["the", "explanation"],
    &["the", "story"],
    &["relevant"],
    &["it"],
];
/// Words that, after a negated "that" or "this" only, deny what was said ("that's not *how* it
/// works", "that isn't *true*"). After "it" they look forward: "it isn't what pthread mutexes
/// use", "it is not true that spinners never sleep".
const VERDICTS: &[&[&str]] = &[
    &["what"],
    &["why"],
    &["how"],
    &["right"],
    &["true"],
    &["correct"],
    &["accurate"],
];
/// Dismissals said of what a pronoun stands for ("that's *a red herring*").
const DISMISSALS: &[&[&str]] = &[
    &["a", "red", "herring"],
    &["a", "distraction"],
    &["irrelevant"],
    &["unrelated"],
    &["expected"],
    &["normal"],
    &["noise"],
    &["just", "noise"],
    &["harmless"],
    &["benign"],
    &["just", "a", "symptom"],
    &["a", "side", "effect"],
    &["just", "a", "side", "effect"],
];
/// Doubts that, before a pronoun, copula and cause name, deny it ("*I don't think* that's our
/// problem").
const DOUBTING: &[&[&str]] = &[
    &["i", "don't", "think"],
    &["i", "dont", "think"],
    &["i", "do", "not", "think"],
    &["i", "doubt"],
];

/// Verbs by which what a pronoun stands for fails to hold, after a negated auxiliary ("that
/// doesn't *hold up*") or a doubt ("I don't think that *holds up*").
const FAILS_TO_HOLD: &[(&[&str], &[&str])] = &[
    (&["hold", "up"], &["holds", "up"]),
    (&["hold", "water"], &["holds", "water"]),
    (&["apply"], &["applies"]),
];
/// The pronouns of [`FAILS_TO_HOLD`] and the negated auxiliaries before its verbs.
const HOLDERS: &[&str] = &["that", "it", "this"];
const DOES_NOT: &[&[&str]] = &[&["doesn't"], &["doesnt"], &["does", "not"]];
/// Rejections of what was just said by who says it ("…, but I'd rule it out").
const RULING_OUT: &[&[&str]] = &[
    &["i'd", "rule", "it", "out"],
    &["i'd", "rule", "that", "out"],
    &["i", "would", "rule", "it", "out"],
    &["i", "would", "rule", "that", "out"],
    &["i'd", "push", "back", "on", "that"],
    &["i", "don't", "buy", "it"],
    &["i", "don't", "buy", "that"],
    &["i", "dont", "buy", "it"],
    &["i", "dont", "buy", "that"],
];

/// Every dismissal by pronoun, as its words (see [`POINTING`]).
fn anaphoric_dismissals() -> Vec<Vec<&'static str>> {
    let mut all = Vec::new();
    let join = |parts: &[&[&'static str]]| parts.concat();
    let demonstrative =
        |pointing: &&[&str]| matches!(pointing[0], "that" | "that's" | "thats" | "this");
    for pointing in POINTING {
        let verdicts = if demonstrative(pointing) {
            VERDICTS
        } else {
            &[]
        };
        for name in CAUSE_NAMES.iter().chain(verdicts) {
            all.push(join(&[pointing, &["not"], name]));
            for doubt in DOUBTING {
                all.push(join(&[doubt, pointing, name]));
            }
        }
        for dismissal in DISMISSALS {
            all.push(join(&[pointing, dismissal]));
        }
    }
    for pointing in POINTING_NEGATED {
        let verdicts = if demonstrative(pointing) {
            VERDICTS
        } else {
            &[]
        };
        for name in CAUSE_NAMES.iter().chain(verdicts) {
            all.push(join(&[pointing, name]));
        }
    }
    for holder in HOLDERS {
        for (base, third_person) in FAILS_TO_HOLD {
            for does_not in DOES_NOT {
                all.push(join(&[&[*holder], does_not, base]));
            }
            for doubt in DOUBTING {
                all.push(join(&[doubt, &[*holder], third_person]));
            }
        }
    }
    all.extend(RULING_OUT.iter().map(|words| words.to_vec()));
    all
}
const PSEUDO: &[&str] = &[
    "not only",
    "not just",
    "not necessarily",
    "no doubt",
    "nothing but",
    "no change in",
    "no change",
    "can't rule out",
    "cannot rule out",
    "can not rule out",
    "not rule out",
    "couldn't rule out",
    "could not rule out",
    "not sure",
    "no longer",
    "not until",
    "whether or not",
    "if not",
    "no matter",
];
/// Conditions: their scope is the condition clause, up to a comma ("If r is high, cap the pool"
/// proposes capping the pool).
const CONDITION: &[&str] = &[
    "if",
    "whether",
    "suppose",
    "supposing",
    "in case",
    "assuming",
    "what if",
    "would check if",
];
const HYPO: &[&str] = &[
    "could",
    "might",
    "maybe",
    "perhaps",
    "hypothetically",
    // What holds only on paper: "in theory they're great, readers don't conflict".
    "in theory",
    "theoretically",
    "on paper",
    "possibly",
    "may be",
    "might be",
    "could be",
];
const TERM: &[&str] = &[
    "but",
    "however",
    "though",
    "although",
    "yet",
    "except",
    "instead",
    "so",
    "because",
    "which means",
    "then",
    "therefore",
    "thus",
    "hence",
    "whereas",
    "since",
    "meaning",
    // Misspelled as candidates type them under time pressure.
    "becuase",
    "becasue",
    "beacuse",
    "becaus",
    "bcause",
    "bc",
    "cuz",
    "coz",
    "therefor",
    "therfore",
    "threfore",
    "hense",
    "howver",
    "althoguh",
    "altough",
    "wich means",
    "whcih means",
];

/// Adverbs that only strengthen what they stand in, so a trigger is the same trigger with one
/// inside it: "isn't really the problem" is "isn't the problem".
const INTENSIFIERS: &[&str] = &["really", "actually", "truly"];

/// A new subject ends the scope of "rather than" / "instead of".
const SUBJECTS: &[&str] = &[
    "i", "we", "you", "they", "i'd", "we'd", "i'll", "we'll", "let's", "let", "i'm", "we're",
];

/// Triggers indexed by their first token, longest first.
#[derive(Debug, Clone)]
pub struct Triggers {
    by_first: FastMap<&'static str, Vec<(Vec<&'static str>, Class)>>,
}

impl Default for Triggers {
    fn default() -> Self {
        Self::new()
    }
}

impl Triggers {
    pub fn new() -> Self {
        let mut by_first: FastMap<&'static str, Vec<(Vec<&'static str>, Class)>> =
            FastMap::default();
        let lists: [(&[&'static str], Class); 9] = [
            (FIRST_IMPRESSIONS, Class::SetAside),
            (PSEUDO, Class::Pseudo),
            (POST, Class::PostNegation),
            (CLAUSE_NEG, Class::ClauseNegation),
            (NEGATING_WORDS, Class::PreNegation),
            (PRE, Class::PreNegation),
            (CONDITION, Class::Condition),
            (HYPO, Class::Hypothetical),
            (TERM, Class::Termination),
        ];
        for (list, class) in lists {
            for phrase in list {
                let words: Vec<&'static str> = phrase.split(' ').collect();
                by_first.entry(words[0]).or_default().push((words, class));
            }
        }
        for words in anaphoric_dismissals() {
            by_first
                .entry(words[0])
                .or_default()
                .push((words, Class::Anaphoric));
        }
        for entries in by_first.values_mut() {
            // Longest first; at equal length the earlier list wins (stable sort).
            entries.sort_by_key(|entry| std::cmp::Reverse(entry.0.len()));
        }
        Triggers { by_first }
    }

    /// Every word that starts a trigger.
    pub fn first_words(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_first.keys().copied()
    }

    /// The longest trigger starting at token `i` that stays inside the sentence and clause, and
    /// how many tokens it spans: after its first word an [`INTENSIFIERS`] word the trigger does
    /// not spell may stand between its words ("isn't really the problem", "doesn't really
    /// matter").
    fn at(&self, n: &Normalized<'_>, i: usize, end: usize) -> Option<(usize, Class)> {
        let entries = self.by_first.get(n.token_text(i))?;
        'entry: for (words, class) in entries {
            let mut t = i;
            for word in &words[1..] {
                t += 1;
                while t < end
                    && n.tokens[t].gap < Gap::Comma
                    && n.token_text(t) != *word
                    && INTENSIFIERS.contains(&n.token_text(t))
                {
                    t += 1;
                }
                if t >= end || n.tokens[t].gap >= Gap::Comma || n.token_text(t) != *word {
                    continue 'entry;
                }
            }
            return Some((t + 1 - i, *class));
        }
        None
    }
}

/// A trigger found in the answer (token range; a question mark has an empty range at the end
/// of its sentence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub class: Class,
    pub from: usize,
    pub to: usize,
}

/// Per-trigger scope decisions for one answer.
#[derive(Debug, Clone, Default)]
pub struct Scopes {
    pub occurrences: Vec<Occurrence>,
    /// Parallel to `occurrences`: the tokens each one covers (empty for pseudo-negations and
    /// termination terms).
    covers: Vec<(usize, usize)>,
    /// Parallel to `occurrences`: a condition the same sentence goes on to affirm ("…, and here
    /// r is 38"). Its clause states a fact, except for proposals (see [`Scopes::standing`]).
    explains: Vec<bool>,
    /// Parallel to `occurrences`: the scope ends right where another trigger starts with
    /// nothing between them ("not true that spinners never sleep"), so it may run on over a
    /// phrase that carries that trigger. A sibling in a list ("no swap, no lock contention",
    /// "not X and not Y") ends it instead: each negation there stands alone.
    runs_on: Vec<bool>,
    /// Per sentence: its first token and its first occurrence, so a span consults only the
    /// triggers of its own sentences (scopes never cross one).
    sentences: Vec<(usize, usize)>,
}

/// How a span of tokens stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Affirmed,
    Negated(usize),
    Hypothetical(usize),
}

impl Scopes {
    #[cfg(test)]
    pub fn find(n: &Normalized<'_>, triggers: &Triggers) -> Self {
        let classes: Vec<u8> = (0..n.tokens.len())
            .map(|i| {
                let word = n.token_text(i);
                let trigger = if triggers.by_first.contains_key(word) {
                    TRIGGER_START
                } else {
                    0
                };
                let clause = if CLAUSE_WORDS.contains(&word) {
                    CLAUSE_WORD
                } else {
                    0
                };
                trigger | clause
            })
            .collect();
        Self::find_tagged(n, triggers, &classes)
    }

    /// The scopes of an answer, given each token's word classes: only tokens marked
    /// [`TRIGGER_START`] are looked up as triggers.
    pub fn find_tagged(n: &Normalized<'_>, triggers: &Triggers, classes: &[u8]) -> Self {
        // About one trigger in eight tokens in real answers: size once rather than regrow.
        let guess = n.tokens.len() / 8 + 4;
        let mut scopes = Scopes {
            occurrences: Vec::with_capacity(guess),
            covers: Vec::with_capacity(guess),
            explains: Vec::with_capacity(guess),
            runs_on: Vec::with_capacity(guess),
            sentences: Vec::with_capacity(n.sentences.len()),
        };
        let mut next: Vec<(usize, usize, usize)> = Vec::with_capacity(guess);
        for (s, &(start, end)) in n.sentences.iter().enumerate() {
            let first = scopes.occurrences.len();
            scopes.sentences.push((start, first));
            let mut i = start;
            while i < end {
                if classes.get(i).is_none_or(|c| c & TRIGGER_START == 0) {
                    // A misspelled connective or negation ("becuase", "dosen't") is still one.
                    // (Being a clause word is no word class of its own here.)
                    if classes.get(i).is_some_and(|c| c & !CLAUSE_WORD == 0)
                        && let Some(class) = misspelled_trigger(n.token_text(i))
                    {
                        scopes.occurrences.push(Occurrence {
                            class,
                            from: i,
                            to: i + 1,
                        });
                    }
                    i += 1;
                    continue;
                }
                match triggers.at(n, i, end) {
                    Some((len, class)) => {
                        scopes.occurrences.push(Occurrence {
                            class,
                            from: i,
                            to: i + len,
                        });
                        i += len;
                    }
                    None => i += 1,
                }
            }
            let question_from = question_start(n, start, end);
            if is_hedging_question(n, question_from, end) {
                let leading = leads_to_yes(n, question_from, end);
                if leading {
                    // "Isn't it obviously the disk?" expects "yes": its opening negation
                    // denies nothing.
                    if let Some(at) = scopes.occurrences[first..]
                        .iter()
                        .position(|o| o.from == question_from && o.class.negates())
                    {
                        scopes.occurrences.remove(first + at);
                    }
                }
                let answered_no = n
                    .sentences
                    .get(s + 1)
                    .is_some_and(|&(next, _)| ANSWERS_NO.contains(&n.token_text(next)));
                let class = if answered_no {
                    Some(Class::AnsweredNo)
                } else if leading && insists(n, question_from, end) {
                    None
                } else if asks_for_data(n, question_from, end) {
                    Some(Class::Inquiry)
                } else {
                    Some(Class::Question)
                };
                if let Some(class) = class {
                    scopes.occurrences.push(Occurrence {
                        class,
                        from: end,
                        to: end,
                    });
                }
            }
            let found = scopes.occurrences.len();
            // Where the next trigger of each kind starts, for every occurrence: one backward
            // pass, so a sentence full of triggers costs linear time.
            next.clear();
            let (mut any, mut term, mut hedge) = (end, end, end);
            for occ in scopes.occurrences[first..found].iter().rev() {
                next.push((any, term, hedge));
                match occ.class {
                    Class::Question | Class::Inquiry | Class::AnsweredNo => {}
                    Class::Pseudo => {}
                    Class::Termination => (any, term) = (occ.from, occ.from),
                    Class::Hypothetical => (any, hedge) = (occ.from, occ.from),
                    _ => any = occ.from,
                }
            }
            next.reverse();
            // The last place in the sentence an affirming phrase starts.
            let mut affirmed_from: Option<Option<usize>> = None;
            // Where the scope of the last condition ends: a negation inside a condition stays
            // inside it ("If that is not enough, add more threads" proposes adding threads).
            let mut condition_end = start;
            // Where the last termination term ends: a post-negation looks back no further.
            let mut termination_end = start;
            for k in first..found {
                let occ = scopes.occurrences[k];
                let (next_any, next_term, next_hedge) = next[k - first];
                let cover = match occ.class {
                    Class::PreNegation | Class::ClauseNegation => {
                        let mut stop = next_any.min(occ.to + MAX_SCOPE);
                        if occ.from < condition_end {
                            stop = stop.min(condition_end);
                        }
                        // A note's arrow ends what it negates: "journal never frees = deadlock
                        // in ext4" denies the freeing, not the deadlock it leads to.
                        let bytes = n.text.as_bytes();
                        if let Some(arrow) = (occ.to + 1..stop.min(end))
                            .find(|&t| concludes(&bytes[n.tokens[t - 1].end..n.tokens[t].start]))
                        {
                            stop = arrow;
                        }
                        if occ.class == Class::ClauseNegation {
                            let subject =
                                (occ.to..stop).find(|&t| SUBJECTS.contains(&n.token_text(t)));
                            forward(n, classes, occ.to, subject.unwrap_or(stop), Gap::Comma, end)
                        } else if n.token_text(occ.from) == "without"
                            && (occ.from == start || n.tokens[occ.from].gap >= Gap::Clause)
                        {
                            // "Without locks, races corrupt the data": a "without" that opens
                            // its sentence or clause governs its own phrase, up to the comma;
                            // what follows is the main clause, said of that situation.
                            forward(n, classes, occ.to, stop, Gap::Comma, end)
                        } else {
                            forward(n, classes, occ.to, stop, Gap::Clause, end)
                        }
                    }
                    // A hedge runs to the next termination term; the next hedge takes over
                    // from there ("maybe X or it might be Y": both hedged).
                    Class::Hypothetical => {
                        let stop = next_term.min(next_hedge).min(occ.to + MAX_SCOPE);
                        forward(n, classes, occ.to, stop, Gap::Clause, end)
                    }
                    Class::Condition => {
                        let (from, to) = forward(
                            n,
                            classes,
                            occ.to,
                            next_term.min(occ.to + MAX_SCOPE),
                            Gap::Comma,
                            end,
                        );
                        let cover = (from, main_subject(n, from, to).unwrap_or(to));
                        condition_end = cover.1;
                        cover
                    }
                    Class::PostNegation => {
                        let floor = termination_end.max(occ.from.saturating_sub(POST_WINDOW));
                        backward(n, floor, occ.from)
                    }
                    // A dismissal that opens its sentence points at the sentence before.
                    Class::Anaphoric => {
                        let from = match s.checked_sub(1) {
                            Some(before) if occ.from == start => n.sentences[before].0,
                            _ => start,
                        };
                        (from.max(occ.from.saturating_sub(MAX_SCOPE)), occ.from)
                    }
                    Class::Question | Class::Inquiry | Class::AnsweredNo => (question_from, end),
                    Class::Termination => {
                        termination_end = occ.to;
                        (occ.to, occ.to)
                    }
                    Class::Pseudo => (occ.to, occ.to),
                    Class::SetAside => {
                        let limit = end.min(occ.to + MAX_SCOPE);
                        match (occ.to..limit).find(|&t| TURNS.contains(&n.token_text(t))) {
                            Some(contrast) => (occ.to, contrast),
                            None => (occ.to, occ.to),
                        }
                    }
                };
                let explains = occ.class == Class::Condition
                    && affirmed_from
                        .get_or_insert_with(|| last_affirming(n, start, end))
                        .is_some_and(|at| at >= cover.1);
                scopes.explains.push(explains);
                scopes.runs_on.push(runs_on_into(n, cover.1, end));
                scopes.covers.push(cover);
            }
        }
        scopes
    }

    /// How tokens `from..to` (one match) stand. Negated wins over hypothetical; any token of the
    /// span in some trigger's scope puts the span in scope, except that
    /// - a trigger sharing a token with the span is part of what was matched ("never sleeps",
    ///   "may not spin", "wouldn't help" written in the rubric) and decides nothing about it;
    /// - an explanatory condition ("if r is above the CPU count, threads wait, and here r is
    ///   38") states a fact, so it leaves claims affirmed; a `proposal` (a red flag: "if we add
    ///   threads, it gets worse here") stays hypothetical, since explaining what an action would
    ///   do is not proposing it.
    ///
    /// `spelled(k)` says whether trigger `k`, where it overlaps the span, was written in the
    /// pattern (always, for a phrase; for a regex, when the regex spells its words out). A scope
    /// that ends where such a trigger starts runs on over the span: in "it's not about having no
    /// task context" the outer "not" denies "no task context".
    pub fn standing(
        &self,
        from: usize,
        to: usize,
        proposal: bool,
        spelled: &dyn Fn(usize) -> bool,
    ) -> Standing {
        // The occurrences of the sentences the span touches.
        let sentence_of = |t: usize| self.sentences.partition_point(|&(s, _)| s <= t).max(1) - 1;
        let first = self.sentences.get(sentence_of(from)).map_or(0, |&(_, k)| k);
        // And of the sentence after them: a dismissal that opens it reaches back.
        let last = self
            .sentences
            .get(sentence_of(to.max(from + 1) - 1) + 2)
            .map_or(self.occurrences.len(), |&(_, k)| k);
        let range = first..last.max(first);
        if range.is_empty() {
            return Standing::Affirmed;
        }
        // Only triggers near the span can reach it (forward scopes end within `MAX_SCOPE`
        // tokens, backward ones within `POST_WINDOW`), plus the question mark of each sentence
        // it touches: occurrences are in token order, so both ends are binary searches and a
        // long run-on sentence costs no more per match than a short one.
        let lo = self.occurrences[range.clone()]
            .partition_point(|o| o.from + MAX_SCOPE + LONGEST_TRIGGER < from)
            + range.start;
        let hi = self.occurrences[range.clone()]
            .partition_point(|o| o.from < to + MAX_SCOPE + LONGEST_TRIGGER)
            + range.start;
        let questions = (sentence_of(from)..=sentence_of(to.max(from + 1) - 1)).filter_map(|s| {
            let next = self
                .sentences
                .get(s + 1)
                .map_or(self.occurrences.len(), |&(_, k)| k);
            let k = next.checked_sub(1)?;
            (k >= self.sentences[s].1
                && k >= hi
                && matches!(
                    self.occurrences[k].class,
                    Class::Question | Class::Inquiry | Class::AnsweredNo
                ))
            .then_some(k)
        });
        let range = (lo..hi.max(lo)).chain(questions);
        // A question mark has no tokens, so it is never a span's own.
        let overlaps = |k: usize| {
            let occ = &self.occurrences[k];
            occ.from < occ.to && occ.from < to && occ.to > from
        };
        let own = |k: usize| overlaps(k) && spelled(k);
        // Where the span's own triggers start (rarely more than one).
        let own_start = range
            .clone()
            .filter(|&k| overlaps(k))
            .filter(|&k| own(k))
            .map(|k| self.occurrences[k].from)
            .min();
        let applies = |k: usize, t: usize, negation: bool| {
            let occ = &self.occurrences[k];
            let (c_from, mut c_to) = self.covers[k];
            if own_start == Some(c_to) && occ.to <= c_from && self.runs_on[k] {
                c_to = c_to.max(to);
            }
            let explained = self.explains[k] && !proposal;
            occ.class.negates() == negation && !explained && c_from <= t && t < c_to && !own(k)
        };
        for negation in [true, false] {
            for t in from..to {
                if let Some(k) = range.clone().find(|&k| applies(k, t, negation)) {
                    return if negation {
                        Standing::Negated(k)
                    } else {
                        Standing::Hypothetical(k)
                    };
                }
            }
        }
        Standing::Affirmed
    }
}

/// Whether a scope ending before token `at` (of a sentence ending at `end`) runs straight into
/// it: no comma or stronger mark between, and no conjunction just before it.
fn runs_on_into(n: &Normalized<'_>, at: usize, end: usize) -> bool {
    at < end
        && n.tokens.get(at).is_some_and(|t| t.gap < Gap::Comma)
        && at
            .checked_sub(1)
            .is_none_or(|before| !CONJUNCTIONS.contains(&n.token_text(before)))
}

impl Scopes {
    /// Whether token `t` lies in a question that asks for data ([`Class::Inquiry`]), whatever
    /// else hedges it ("Did anyone check whether we need more threads?" is hedged by its
    /// "whether" too).
    pub fn in_inquiry(&self, t: usize) -> bool {
        let s = self
            .sentences
            .partition_point(|&(start, _)| start <= t)
            .max(1)
            - 1;
        let Some(&(_, first)) = self.sentences.get(s) else {
            return false;
        };
        let last = self
            .sentences
            .get(s + 1)
            .map_or(self.occurrences.len(), |&(_, k)| k);
        // The question mark is its sentence's last occurrence.
        last.checked_sub(1).is_some_and(|k| {
            k >= first
                && self.occurrences[k].class == Class::Inquiry
                && self.covers[k].0 <= t
                && t < self.covers[k].1
        })
    }
}

impl Class {
    /// Whether a scope of this class negates (otherwise it makes hypothetical).
    fn negates(self) -> bool {
        matches!(
            self,
            Class::PreNegation
                | Class::ClauseNegation
                | Class::PostNegation
                | Class::AnsweredNo
                | Class::Anaphoric
                | Class::SetAside
        )
    }
}

/// How far back a post-negation may reach (NegEx's window is five words).
const POST_WINDOW: usize = 5;
/// How far forward a negation, hedge or condition may reach, in tokens: far beyond any real
/// clause, and what keeps judging a match linear in a run-on answer with no punctuation.
const MAX_SCOPE: usize = 40;
/// The most tokens a trigger has ("i do not think that is the real problem").
const LONGEST_TRIGGER: usize = 9;

/// Words that open a new clause after a comma ("not disk IO, the run queue is high"), and that
/// stop a post-negation's look back ("cs is high while us is normal" leaves cs alone): verbs and
/// auxiliaries, subject pronouns, conjunctions and relative words.
pub(super) const CLAUSE_WORDS: &[&str] = &[
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "am",
    "has",
    "have",
    "had",
    "does",
    "do",
    "did",
    "can",
    "could",
    "would",
    "will",
    "should",
    "must",
    "may",
    "might",
    "shows",
    "showed",
    "show",
    "means",
    "meant",
    "see",
    "saw",
    "seen",
    "seems",
    "looks",
    "stays",
    "sits",
    "spins",
    "sleeps",
    "waits",
    "runs",
    "rises",
    "rose",
    "drops",
    "dropped",
    "falls",
    "fell",
    "goes",
    "went",
    "grows",
    "climbs",
    "jumps",
    "points",
    "suggests",
    "indicates",
    "confirms",
    "tells",
    "says",
    "become",
    "becomes",
    "became",
    "adds",
    "gets",
    "got",
    "makes",
    "made",
    "takes",
    "took",
    "causes",
    "keeps",
    "kept",
    "needs",
    "holds",
    "spends",
    "spent",
    "hurts",
    "explains",
    "happens",
    "happened",
    "remains",
    "gives",
    "gave",
    "comes",
    "came",
    "puts",
    "turns",
    "seem",
    "appears",
    "wakes",
    "woke",
    "contends",
    "competes",
    "doubles",
    "grew",
    "increases",
    "decreases",
    "improves",
    "helps",
    "fixes",
    "fails",
    "slows",
    "scales",
    "saturates",
    "starves",
    "returns",
    "it's",
    "that's",
    "there's",
    "here's",
    "we're",
    "they're",
    "i'm",
    "we've",
    "i've",
    "i'd",
    "we'd",
    "i'll",
    "we'll",
    "i",
    "we",
    "you",
    "they",
    "he",
    "she",
    "it",
    "there",
    "here",
    "while",
    "whereas",
    "when",
    "where",
    "which",
    "who",
    "that",
    "as",
    "if",
    "than",
];

/// Conjunctions stop a post-negation's look back ("it's lock contention and the disk is fine"
/// clears only the disk), unless the trigger is plural ("memory and disk are fine" clears both).
/// They do not open a clause after a comma: "not IO, swap or steal" is one list.
const CONJUNCTIONS: &[&str] = &["and", "or", "nor", "plus"];

/// First words of plural post-negations.
const PLURAL: &[&str] = &["are", "look", "aren't", "were"];

/// The tokens a forward scope covers: from `from` up to `stop`, the sentence end, a separator at
/// or above `limit`, or a comma that opens a new clause.
fn forward(
    n: &Normalized<'_>,
    classes: &[u8],
    from: usize,
    stop: usize,
    limit: Gap,
    end: usize,
) -> (usize, usize) {
    let mut t = from;
    while t < stop.min(end) {
        let gap = n.tokens[t].gap;
        if gap >= limit || (gap == Gap::Comma && opens_clause(n, classes, t, end)) {
            break;
        }
        t += 1;
    }
    (from, t.max(from))
}

/// Whether the stretch starting at token `t` (after a comma), up to the next comma or clause
/// mark, is a clause of its own: it has a verb, a subject pronoun or a conjunction. A bare list
/// item ("not IO, swap or steal") is not.
///
/// `classes` are the tokens' word classes, with [`CLAUSE_WORD`] on every word of
/// [`CLAUSE_WORDS`] (one bit test per token instead of a search of the list).
pub(super) fn opens_clause(n: &Normalized<'_>, classes: &[u8], t: usize, end: usize) -> bool {
    (t..end)
        .take_while(|&u| u == t || n.tokens[u].gap < Gap::Comma)
        .any(|u| classes.get(u).is_some_and(|c| c & CLAUSE_WORD != 0))
}

/// Whether the text between two tokens is a note's arrow or a spaced equals sign ("journal never
/// frees = deadlock"): what follows is what the note concludes. A reading's `=` (`b=32`) is
/// not one. (In a list an equals sign may pair a term with its gloss, "mutex = owner", so
/// `stuffing` reads arrows only.)
fn concludes(gap: &[u8]) -> bool {
    relates_by_arrow(gap) || gap.windows(3).any(|w| w == b" = ")
}

/// The tokens a post-negation starting at token `to` covers: back to `floor`, stopping at a
/// comma or clause mark and before a word of [`CLAUSE_WORDS`] or [`CONJUNCTIONS`], so it reaches
/// only the phrase it is said of.
fn backward(n: &Normalized<'_>, floor: usize, to: usize) -> (usize, usize) {
    let plural = PLURAL.contains(&n.token_text(to));
    let mut t = to;
    // The separator between t-1 and t is recorded on token t.
    while t > floor && n.tokens[t].gap < Gap::Comma {
        let word = n.token_text(t - 1);
        // "being" makes its phrase a noun, the subject the trigger is said of: "the retry loop
        // being at the top isn't the problem".
        let stops = CLAUSE_WORDS.contains(&word) && word != "being";
        if stops || (!plural && CONJUNCTIONS.contains(&word)) {
            break;
        }
        t -= 1;
    }
    (t, to)
}

/// Subjects that open the main clause after a condition written without a comma: "if the
/// handler needs the data I'd take the mutex there", "if you raise the timeout you only hide
/// it".
const MAIN_SUBJECTS: &[&str] = &[
    "i", "we", "you", "i'd", "we'd", "you'd", "i'll", "we'll", "you'll", "let's", "it's", "that's",
];

/// Words after which a subject still belongs to the condition ("if the pool is small and we
/// …", "if it is slower than we expected").
const CONDITION_LINKS: &[&str] = &[
    "and", "or", "but", "that", "than", "what", "which", "who", "whether", "if", "so", "because",
    "when", "as",
];

/// Where the main clause starts inside the condition scope `from..to`: at a subject of
/// [`MAIN_SUBJECTS`] that is not the condition's own first word and does not follow a word of
/// [`CONDITION_LINKS`]. A main clause that supposes too ("if it were contention we would see
/// waits") stays with its condition.
fn main_subject(n: &Normalized<'_>, from: usize, to: usize) -> Option<usize> {
    (from + 1..to).find(|&t| {
        MAIN_SUBJECTS.contains(&n.token_text(t))
            && !CONDITION_LINKS.contains(&n.token_text(t - 1))
            && !(t + 1 < to && SUPPOSING.contains(&n.token_text(t + 1)))
    })
}

/// Modals with which a main clause supposes rather than states or proposes.
const SUPPOSING: &[&str] = &["would", "could", "might", "may", "should"];

/// Words after a condition, in the same sentence, that say it holds in the case at hand: "if r
/// is above the CPU count, threads wait, and here r is 38" explains a rule and applies it.
const AFFIRMING: &[&[&str]] = &[
    &["here"],
    &["in", "this", "case"],
    &["in", "our", "case"],
    &["is", "the", "case"],
    &["which", "is", "what"],
    &["that's", "what"],
    &["this", "is", "what"],
    &["that", "is", "what"],
    &["and", "it", "is"],
    &["which", "it", "is"],
    &["and", "it", "does"],
    &["which", "it", "does"],
    &["right", "now"],
    &["currently"],
];

/// Words that turn an affirming phrase around: "that is not the case here" (grounding reads a
/// lock named in a clause with one of them as not said to top the table).
pub(crate) const DENYING: &[&str] = &[
    "not", "no", "never", "isn't", "isnt", "wasn't", "aren't", "doesn't", "don't", "didn't", "nor",
    "neither",
];

/// Where the last [`AFFIRMING`] phrase of tokens `from..end` starts, if any; one with a
/// [`DENYING`] word in it or among the three tokens before it does not count.
fn last_affirming(n: &Normalized<'_>, from: usize, end: usize) -> Option<usize> {
    (from..end).rev().find(|&t| {
        AFFIRMING.iter().any(|words| {
            t + words.len() <= end
                && words
                    .iter()
                    .enumerate()
                    .all(|(k, w)| n.token_text(t + k) == *w)
                && !(t.saturating_sub(3).max(from)..t + words.len())
                    .any(|u| DENYING.contains(&n.token_text(u)))
        })
    })
}

/// Connectives and negations long enough for the typo policy: a token within its edit distance
/// of one of them (and no word of its own) counts as that trigger.
const TYPO_TRIGGERS: &[(&str, Class)] = &[
    ("because", Class::Termination),
    ("however", Class::Termination),
    ("therefore", Class::Termination),
    ("although", Class::Termination),
    ("whereas", Class::Termination),
    ("doesn't", Class::PreNegation),
    ("without", Class::PreNegation),
];

/// The trigger class a misspelled token stands for ("becuase" -> termination), by the typo
/// policy of `fuzzy`.
fn misspelled_trigger(token: &str) -> Option<Class> {
    if !(6..=11).contains(&token.len()) {
        return None;
    }
    TYPO_TRIGGERS
        .iter()
        .find(|(word, _)| super::fuzzy::is_typo_of(token, word))
        .map(|&(_, class)| class)
}

/// Where the question of a sentence ending in `?` starts: at the `(` when the question mark
/// sits inside a parenthesis ("cap the pool (temp files?)" asks only about the temp files),
/// else at the sentence start.
fn question_start(n: &Normalized<'_>, start: usize, end: usize) -> usize {
    let bytes = n.text.as_bytes();
    for t in (start + 1..end).rev() {
        let gap = &bytes[n.tokens[t - 1].end..n.tokens[t].start];
        if gap.contains(&b')') {
            break;
        }
        if gap.contains(&b'(') {
            return t;
        }
    }
    start
}

/// Openings with which a candidate restates the interviewer's point as a question before
/// answering it ("So throughput fell when we added threads? …"): not a hedge of the answer.
const RESTATING: &[&[&str]] = &[
    &["you're", "asking"],
    &["you", "are", "asking"],
    &["you", "asked"],
    &["you", "mean"],
    &["the", "question", "is"],
    &["to", "restate"],
    &["restating"],
];

/// Auxiliaries that make "so …?" a real question ("So is it the disk?") rather than a
/// restatement ("So throughput fell when we added threads?").
const AUXILIARIES: &[&str] = &[
    "is", "are", "was", "were", "do", "does", "did", "could", "can", "would", "should", "might",
    "may", "will", "have", "has", "it", "it's", "maybe",
];

/// Question words that make a question rhetorical rather than hedged: "Why is sy at 70%?" takes
/// sy at 70% as given.
const WH_WORDS: &[&str] = &[
    "what", "why", "how", "which", "where", "when", "who", "whose",
];

/// A sentence ending in `?` that does not start with a question word is a hedge ("Lock
/// contention?", "Is it the disk?", "Add more threads?"): everything in it is hypothetical;
/// unless it restates the interviewer's point ([`RESTATING`], or "so" and no auxiliary).
/// First words of a sentence that answer the question before it in the negative.
const ANSWERS_NO: &[&str] = &["no", "nope", "nah", "unlikely"];

/// Negated auxiliaries that open a question expecting "yes" ("Isn't it the disk?", "Doesn't
/// that mean the lock is hot?"): the question leans toward its content, and its negation
/// denies nothing. They are the negating words but "not" and "never", and the modal ones.
fn is_negative_auxiliary(word: &str) -> bool {
    (is_negating_word(word) && !matches!(word, "not" | "never"))
        || MODAL_NEGATING_WORDS.contains(&word)
}

/// Words with which a question opened by a negated auxiliary insists on its answer: "Isn't it
/// obviously the disk?" asserts the disk.
const INSISTING: &[&str] = &[
    "obviously",
    "clearly",
    "surely",
    "just",
    "simply",
    "plainly",
    "definitely",
    "certainly",
];

/// Verbs with which a question asks for data rather than proposing or asserting ("did anyone
/// check whether …", "do we know if …", "has anyone looked at …").
const ASKING_FOR_DATA: &[&str] = &[
    "check",
    "checked",
    "checking",
    "know",
    "knows",
    "look",
    "looked",
    "looking",
    "measure",
    "measured",
    "verify",
    "verified",
    "confirm",
    "confirmed",
    "see",
    "seen",
    "tell",
    "profile",
    "profiled",
    "capture",
    "captured",
];

/// How many words into a question a verb of [`ASKING_FOR_DATA`] may stand: the question's own
/// verb, not one of its content ("did anyone check …", not "should we add threads and check
/// …").
const ASKING_REACH: usize = 4;

/// Whether the question `start..end` opens with a negated auxiliary (see
/// [`is_negative_auxiliary`]).
fn leads_to_yes(n: &Normalized<'_>, start: usize, end: usize) -> bool {
    start < end && is_negative_auxiliary(n.token_text(start))
}

/// Whether the question `start..end` has a word of [`INSISTING`].
fn insists(n: &Normalized<'_>, start: usize, end: usize) -> bool {
    (start..end).any(|t| INSISTING.contains(&n.token_text(t)))
}

/// Whether the question `start..end` asks for data (see [`ASKING_FOR_DATA`]).
fn asks_for_data(n: &Normalized<'_>, start: usize, end: usize) -> bool {
    (start..end.min(start + ASKING_REACH)).any(|t| ASKING_FOR_DATA.contains(&n.token_text(t)))
}

fn is_hedging_question(n: &Normalized<'_>, start: usize, end: usize) -> bool {
    if start >= end || WH_WORDS.contains(&n.token_text(start)) {
        return false;
    }
    let restates = RESTATING.iter().any(|words| {
        start + words.len() <= end
            && words
                .iter()
                .enumerate()
                .all(|(k, w)| n.token_text(start + k) == *w)
    }) || (n.token_text(start) == "so"
        && start + 1 < end
        && !AUXILIARIES.contains(&n.token_text(start + 1)));
    if restates {
        return false;
    }
    n.text[n.tokens[end - 1].end..]
        .trim_start_matches([' ', '"', '\'', ')', ']'])
        .starts_with('?')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How `word` stands in `answer`, as a claim or (`proposal`) as a proposed action.
    fn word_standing(answer: &str, word: &str, proposal: bool) -> Standing {
        let n = Normalized::new(answer);
        let scopes = Scopes::find(&n, &Triggers::new());
        let i = (0..n.tokens.len())
            .find(|&i| n.token_text(i) == word)
            .unwrap_or(usize::MAX);
        assert!(i != usize::MAX, "{word} not in {answer}");
        without_trigger(scopes.standing(i, i + 1, proposal, &|_| true))
    }

    /// The standing with its trigger index dropped, to compare against the constants below.
    fn without_trigger(standing: Standing) -> Standing {
        match standing {
            Standing::Affirmed => Standing::Affirmed,
            Standing::Negated(_) => Standing::Negated(0),
            Standing::Hypothetical(_) => Standing::Hypothetical(0),
        }
    }

    fn standing_of(answer: &str, word: &str) -> Standing {
        word_standing(answer, word, false)
    }

    /// How the tokens of `phrase` (found as consecutive words) stand, as a phrase match, or as
    /// a regex match whose source spells `spelled` out.
    fn standing_span(answer: &str, phrase: &str, spelled: &[&str]) -> Standing {
        let n = Normalized::new(answer);
        let scopes = Scopes::find(&n, &Triggers::new());
        let words: Vec<&str> = phrase.split(' ').collect();
        let from = (0..n.tokens.len())
            .find(|&i| {
                i + words.len() <= n.tokens.len()
                    && words
                        .iter()
                        .enumerate()
                        .all(|(k, w)| n.token_text(i + k) == *w)
            })
            .unwrap_or(usize::MAX);
        assert!(from != usize::MAX, "{phrase} not in {answer}");
        let spelled_by = |k: usize| {
            let occ = scopes.occurrences[k];
            spelled.is_empty() || (occ.from..occ.to).all(|t| spelled.contains(&n.token_text(t)))
        };
        without_trigger(scopes.standing(from, from + words.len(), false, &spelled_by))
    }

    fn proposal_standing(answer: &str, word: &str) -> Standing {
        word_standing(answer, word, true)
    }

    const NEG: Standing = Standing::Negated(0);
    const HYP: Standing = Standing::Hypothetical(0);
    const AFF: Standing = Standing::Affirmed;

    #[test]
    fn pre_negation_runs_to_termination() {
        assert_eq!(
            standing_of("it's not disk io, but the run queue is high", "disk"),
            NEG
        );
        assert_eq!(
            standing_of("it's not disk io, but the run queue is high", "queue"),
            AFF
        );
        assert_eq!(
            standing_of("It's lock contention, not IO.", "contention"),
            AFF
        );
        assert_eq!(standing_of("It's lock contention, not IO.", "io"), NEG);
    }

    #[test]
    fn a_notes_arrow_ends_a_negation() {
        let note = "disk idle so journal never frees = deadlock in ext4";
        assert_eq!(standing_of(note, "frees"), NEG);
        assert_eq!(standing_of(note, "deadlock"), AFF);
        assert_eq!(
            standing_of("no free pages -> direct reclaim", "reclaim"),
            AFF
        );
        // Without the arrow the negation runs on; a field access is no arrow.
        assert_eq!(
            standing_of("the journal never frees the deadlocked inode", "deadlocked"),
            NEG
        );
        assert_eq!(standing_of("not rq->lock contention", "contention"), NEG);
    }

    #[test]
    fn aggravating_is_not_dismissing() {
        // "makes it worse" says what aggravates the problem; "would make it worse" dismisses.
        assert_eq!(
            standing_of("and the 1% writes make it worse", "writes"),
            AFF
        );
        assert_eq!(standing_of("sharding would make it worse", "sharding"), NEG);
    }

    #[test]
    fn because_terminates() {
        assert_eq!(standing_of("it's not io because wa is 0", "io"), NEG);
        assert_eq!(standing_of("it's not io because wa is 0", "wa"), AFF);
    }

    #[test]
    fn post_negation_looks_back_five_tokens() {
        assert_eq!(standing_of("Memory pressure is ruled out.", "memory"), NEG);
        assert_eq!(
            standing_of("swap one two three four five six is fine", "swap"),
            AFF
        );
    }

    #[test]
    fn dismissing_as_noise_or_normal_denies() {
        assert_eq!(standing_of("The steal is just noise.", "steal"), NEG);
        assert_eq!(standing_of("Steal at 5% that's normal.", "steal"), NEG);
        assert_eq!(standing_of("The swap usage is harmless.", "swap"), NEG);
        // Only the phrase it is said of: what the sentence goes on to affirm stands.
        assert_eq!(
            standing_of("The disk is harmless; the run queue is at 40.", "queue"),
            AFF
        );
        assert_eq!(standing_of("Steal is high, not noise.", "steal"), AFF);
    }

    #[test]
    fn nothing_as_a_subject_denies_its_verb_phrase() {
        assert_eq!(
            standing_of("Nothing is being evicted from the page cache.", "evicted"),
            NEG
        );
        assert_eq!(standing_of("Nothing was swapped out.", "swapped"), NEG);
        assert_eq!(
            standing_of("Nothing else comes close to the lock.", "lock"),
            AFF
        );
        assert_eq!(standing_of("Nothing but lock waits show up.", "lock"), AFF);
    }

    #[test]
    fn pseudo_negation_is_not_a_negation() {
        assert_eq!(
            standing_of("not only lock contention but also memory", "contention"),
            AFF
        );
        assert_eq!(standing_of("no doubt it is contention", "contention"), AFF);
    }

    #[test]
    fn rather_than_stops_at_the_comma() {
        let s = "Rather than adding more threads, cap the pool";
        assert_eq!(standing_of(s, "adding"), NEG);
        assert_eq!(standing_of(s, "cap"), AFF);
    }

    #[test]
    fn hypothetical_until_sentence_end() {
        assert_eq!(standing_of("Maybe add more threads?", "threads"), HYP);
        assert_eq!(
            standing_of("Maybe add more threads? Then cap it.", "cap"),
            AFF
        );
    }

    #[test]
    fn a_condition_covers_its_clause_only() {
        let s = "If r is above the CPU count, cap the pool.";
        assert_eq!(standing_of(s, "count"), HYP);
        assert_eq!(standing_of(s, "pool"), AFF);
        assert_eq!(
            standing_of("if it were lock contention we would see waits", "waits"),
            HYP
        );
    }

    #[test]
    fn scopes_never_cross_sentences() {
        assert_eq!(
            standing_of("It is not IO. Lock contention is the cause.", "contention"),
            AFF
        );
    }

    #[test]
    fn a_phrase_is_not_negated_by_its_own_trigger() {
        // The rubric phrase carries the negation: asserting it is asserting the concept.
        assert_eq!(
            standing_span("Spin waiters never sleep.", "never sleep", &[]),
            AFF
        );
        assert_eq!(
            standing_span("In that path the mutex may not spin.", "may not spin", &[]),
            AFF
        );
        assert_eq!(
            standing_span("A futex does not spin in the kernel.", "does not spin", &[]),
            AFF
        );
        assert_eq!(
            standing_span(
                "Adding threads wouldn't help here.",
                "adding threads wouldn't help",
                &[]
            ),
            AFF
        );
        // A trigger outside the phrase still negates it.
        assert_eq!(
            standing_span(
                "It is not true that spin waiters never sleep.",
                "never sleep",
                &[]
            ),
            NEG
        );
        assert_eq!(
            standing_span(
                "It's not about having no task context.",
                "no task context",
                &[]
            ),
            NEG
        );
        assert_eq!(standing_span("Waiters don't spin.", "spin", &[]), NEG);
        // A sibling negation in a list stands alone: it does not deny the next one.
        assert_eq!(
            standing_span(
                "Everything else is clean: no disk I/O, no swap, no lock contention.",
                "no lock contention",
                &[]
            ),
            AFF
        );
        assert_eq!(
            standing_span(
                "There is no swap and no lock contention.",
                "no lock contention",
                &[]
            ),
            AFF
        );
        // Without its own trigger, the list's negation still reaches it.
        assert_eq!(
            standing_span(
                "No disk I/O, swap or lock contention.",
                "lock contention",
                &[]
            ),
            NEG
        );
    }

    #[test]
    fn doing_nothing_to_denies_the_doing() {
        assert_eq!(
            standing_of("RCU does nothing to serialise writers.", "serialise"),
            NEG
        );
        assert_eq!(
            standing_of(
                "RCU does nothing for writers; a lock serialises them.",
                "serialises"
            ),
            AFF
        );
    }

    #[test]
    fn a_regex_owns_only_the_triggers_it_spells() {
        // `\bsy\b[^.]{0,20}\bhigh` swallowing "not" is still negated.
        assert_eq!(
            standing_span("sy is not high.", "sy is not high", &["sy", "high"]),
            NEG
        );
        // `\bnever\s(sleeps?|blocks?)` spells "never".
        assert_eq!(
            standing_span("Spinners never block.", "never block", &["never", "block"]),
            AFF
        );
    }

    #[test]
    fn post_negation_reaches_only_the_phrase_before_it() {
        assert_eq!(standing_of("cs is high while us is normal", "cs"), AFF);
        assert_eq!(standing_of("cs is high while us is normal", "us"), NEG);
        assert_eq!(
            standing_of("It's lock contention and the disk is fine.", "contention"),
            AFF
        );
        assert_eq!(
            standing_of("It's lock contention and the disk is fine.", "disk"),
            NEG
        );
        assert_eq!(standing_of("The slow path is fine, sy is 70%", "sy"), AFF);
        assert_eq!(standing_of("Steal on this host is normal.", "steal"), NEG);
        assert_eq!(standing_of("Memory and disk are fine.", "memory"), NEG);
        assert_eq!(
            standing_of(
                "steal is normal on a dedicated host, but here st is 23",
                "st"
            ),
            AFF
        );
        assert_eq!(standing_of("and the slow path isn't involved", "path"), NEG);
    }

    #[test]
    fn a_comma_that_opens_a_clause_ends_a_negation() {
        assert_eq!(
            standing_of("It's not disk IO, the run queue is high.", "queue"),
            AFF
        );
        assert_eq!(
            standing_of("It's not disk IO, the run queue is high.", "disk"),
            NEG
        );
        assert_eq!(
            standing_of("It is not spinning, and the box is idle.", "idle"),
            AFF
        );
        assert_eq!(
            standing_of("It is not spinning, which explains the idle CPU.", "idle"),
            AFF
        );
        // A list after the comma stays inside the scope.
        assert_eq!(
            standing_of("I don't see IO wait, swapping or steal in vmstat.", "steal"),
            NEG
        );
        assert_eq!(
            standing_of("No swapping, reclaim or steal.", "reclaim"),
            NEG
        );
    }

    #[test]
    fn what_holds_in_theory_is_hypothetical() {
        assert_eq!(
            standing_of(
                "In theory, readers don't conflict with each other.",
                "readers"
            ),
            HYP
        );
        assert_eq!(
            standing_of(
                "On paper the rwlock scales, but the counter bounces.",
                "scales"
            ),
            HYP
        );
        // The hedge ends at the contrast: what is said in practice stands.
        assert_eq!(
            standing_of(
                "On paper the rwlock scales, but the counter bounces.",
                "bounces"
            ),
            AFF
        );
    }

    #[test]
    fn hedges_stay_hypothetical_and_explained_conditions_do_not() {
        let explained =
            "If the run queue is above the CPU count, threads are waiting, and here r is 38.";
        assert_eq!(standing_of(explained, "queue"), AFF);
        assert_eq!(standing_of(explained, "waiting"), AFF);
        // Saying the condition does not hold keeps it a condition.
        let denied =
            "If the run queue is above the CPU count, threads wait, but that is not the case here.";
        assert_eq!(standing_of(denied, "queue"), HYP);
        // A general rule, with nothing saying it holds here, stays a condition.
        let rule = "If the run queue is above the CPU count, threads are waiting.";
        assert_eq!(standing_of(rule, "queue"), HYP);
        assert_eq!(standing_of(rule, "waiting"), AFF);
        // Explaining what an action would do is not proposing it.
        let action = "If we add more threads, it gets worse here.";
        assert_eq!(proposal_standing(action, "threads"), HYP);
        // Hedges are hedges, whatever follows.
        assert_eq!(
            standing_of(
                "Maybe it's lock contention, and here r is 38.",
                "contention"
            ),
            HYP
        );
        assert_eq!(
            standing_of("It might be reclaim or it could be steal.", "reclaim"),
            HYP
        );
        assert_eq!(
            standing_of("It might be reclaim or it could be steal.", "steal"),
            HYP
        );
    }

    #[test]
    fn conclusion_words_never_hedge() {
        for answer in [
            "Maybe it is the disk, so not CPU.",
            "If it were compute-bound us would be high, so not CPU.",
            "Idle is 60%, therefore not CPU.",
            "Idle is 60%, which means not CPU.",
        ] {
            assert_eq!(standing_of(answer, "cpu"), NEG, "{answer}");
        }
        // The other way: a hedge without a conclusion word reaches on.
        assert_eq!(
            standing_of("Maybe it is the disk and not CPU.", "disk"),
            HYP
        );
        assert_eq!(standing_of("Idle is 60%, so CPU is fine.", "idle"), AFF);
    }

    #[test]
    fn a_negation_inside_a_condition_stays_there() {
        let s = "If that is not enough, add more threads.";
        assert_eq!(proposal_standing(s, "threads"), AFF);
        assert_eq!(standing_of(s, "enough"), NEG);
        // Without the condition the negation still reaches the list after the comma.
        assert_eq!(
            proposal_standing("It is not enough, more threads or more memory.", "threads"),
            NEG
        );
        assert_eq!(
            proposal_standing("If we add threads, it is not enough.", "threads"),
            HYP
        );
    }

    #[test]
    fn a_question_in_parentheses_hedges_only_the_parenthesis() {
        let s = "Cap the pool and clean up the cache (temp files?) before the next run.";
        assert_eq!(standing_of(s, "pool"), AFF);
        assert_eq!(standing_of(s, "temp"), HYP);
        // The other way: a question outside parentheses still hedges its sentence.
        assert_eq!(
            standing_of("Cap the pool and clean up the temp files?", "pool"),
            HYP
        );
    }

    #[test]
    fn misspelled_negations_and_connectives_count() {
        assert_eq!(standing_of("It dosen't spin, it sleeps.", "spin"), NEG);
        assert_eq!(standing_of("It isnt the disk.", "disk"), NEG);
        assert_eq!(
            standing_of("Picking a task dosnt need any global lock.", "global"),
            NEG
        );
        assert_eq!(standing_of("The waiters werent spinning.", "spinning"), NEG);
        assert_eq!(
            standing_of(
                "It's not IO becuase wa is 0 and the run queue is long.",
                "queue"
            ),
            AFF
        );
        assert_eq!(
            standing_of(
                "It's not IO beacuse wa is 0 and the run queue is long.",
                "queue"
            ),
            AFF
        );
        // A typo inside the edit distance of "because", though no listed spelling.
        assert_eq!(
            standing_of(
                "It's not IO becauze wa is 0 and the run queue is long.",
                "queue"
            ),
            AFF
        );
        // The other way: without the connective the negation runs on.
        assert_eq!(
            standing_of(
                "It's not IO and wa is 0 and the run queue is long.",
                "queue"
            ),
            NEG
        );
        // A real word near a trigger is that word.
        assert_eq!(
            standing_of("It became clear the run queue is long.", "queue"),
            AFF
        );
    }

    #[test]
    fn a_question_restating_the_point_is_no_hedge() {
        let s = "So throughput fell when we added threads? That points to lock contention.";
        assert_eq!(standing_of(s, "throughput"), AFF);
        assert_eq!(
            standing_of(
                "You're asking whether the disk is slow? It is not.",
                "asking"
            ),
            AFF
        );
        // The other way: "so" with an auxiliary is a real question.
        assert_eq!(standing_of("So is it the disk? Probably.", "disk"), HYP);
    }

    #[test]
    fn a_yes_no_question_is_hypothetical_a_wh_question_is_not() {
        assert_eq!(
            standing_of("Lock contention? I'd check.", "contention"),
            HYP
        );
        assert_eq!(standing_of("Is it the disk?", "disk"), HYP);
        assert_eq!(standing_of("Could it be steal?", "steal"), HYP);
        assert_eq!(standing_of("Add more threads?", "threads"), HYP);
        assert_eq!(standing_of("Why is sy at 70%? Spinning.", "sy"), AFF);
        assert_eq!(standing_of("Lock contention? I'd check.", "check"), AFF);
        // A span reaching out of the question is still in its scope.
        let n = Normalized::new("Add more threads? Then cap the pool.");
        let scopes = Scopes::find(&n, &Triggers::new());
        assert!(matches!(
            scopes.standing(2, n.tokens.len(), false, &|_| true),
            Standing::Hypothetical(_)
        ));
    }

    #[test]
    fn a_condition_without_a_comma_ends_at_the_main_subject() {
        let answer = "If the handler needs the data I'd take the driver's mutex there.";
        assert_eq!(standing_of(answer, "data"), HYP);
        assert_eq!(standing_of(answer, "mutex"), AFF);
        let answer = "If you raise the timeout you only hide it.";
        assert_eq!(standing_of(answer, "timeout"), HYP);
        assert_eq!(standing_of(answer, "hide"), AFF);
        // The condition's own subject, or one after a link word, stays inside it.
        assert_eq!(
            standing_of("If we add threads the queue grows.", "threads"),
            HYP
        );
        assert_eq!(
            standing_of(
                "If the pool is small and we add threads it helps.",
                "threads"
            ),
            HYP
        );
        assert_eq!(
            standing_of("I'd check whether we need more threads.", "threads"),
            HYP
        );
    }

    #[test]
    fn a_question_that_leads_to_yes_denies_nothing() {
        // Insisting, it asserts its content.
        assert_eq!(standing_of("Isn't it obviously the disk?", "disk"), AFF);
        assert_eq!(
            standing_of("Doesn't that just mean the lock is hot?", "lock"),
            AFF
        );
        // Without insisting, it is a question, not a denial.
        assert_eq!(standing_of("Isn't the disk saturated?", "disk"), HYP);
        // A negation later in a question still denies.
        assert_eq!(standing_of("Is it obviously not the disk?", "disk"), NEG);
        // Not a question: the negation denies.
        assert_eq!(standing_of("It isn't obviously the disk.", "disk"), NEG);
    }

    /// The class of the question trigger of `answer`, if it has one.
    fn question_class(answer: &str) -> Option<Class> {
        let n = Normalized::new(answer);
        let scopes = Scopes::find(&n, &Triggers::new());
        scopes
            .occurrences
            .iter()
            .map(|o| o.class)
            .find(|c| matches!(c, Class::Question | Class::Inquiry | Class::AnsweredNo))
    }

    #[test]
    fn a_question_that_asks_for_data_is_an_inquiry() {
        for answer in [
            "Did anyone check whether the disk is saturated?",
            "Do we know if swap is in use?",
            "Has anyone looked at perf lock yet?",
        ] {
            assert_eq!(question_class(answer), Some(Class::Inquiry), "{answer}");
            let n = Normalized::new(answer);
            assert!(Scopes::find(&n, &Triggers::new()).in_inquiry(n.tokens.len() - 1));
            assert_eq!(
                standing_of(answer, answer.split(' ').nth(3).unwrap_or("")),
                HYP
            );
        }
        for answer in [
            "Should we add more threads?",
            "Add more threads and check the queue again?",
        ] {
            assert_eq!(question_class(answer), Some(Class::Question), "{answer}");
        }
    }

    #[test]
    fn a_question_answered_no_is_denied() {
        assert_eq!(
            standing_of("Lock contention? No. Idle is 60%.", "contention"),
            NEG
        );
        assert_eq!(
            standing_of("Add more threads? Nope, cap the pool.", "threads"),
            NEG
        );
        assert_eq!(
            standing_of("Is it the disk? Unlikely: util is 3%.", "disk"),
            NEG
        );
        // The answer itself is not denied by the question's "no", only what follows it in
        // its own clause.
        assert_eq!(
            standing_of("Is it the disk? No, the run queue is.", "queue"),
            AFF
        );
        // Answered otherwise, the question stays a question.
        assert_eq!(
            standing_of("Lock contention? Yes, perf lock shows it.", "contention"),
            HYP
        );
        assert_eq!(
            standing_of("Lock contention? Not sure yet.", "contention"),
            HYP
        );
    }

    #[test]
    fn a_dismissal_by_pronoun_denies_what_came_before_it() {
        let answer = "The spinlock slowpath entries in perf are what everyone points at, but \
                      that's not the problem; the real issue is the allocator.";
        assert_eq!(standing_of(answer, "slowpath"), NEG);
        assert_eq!(standing_of(answer, "allocator"), AFF);
        assert_eq!(
            standing_of(
                "People mention per-CPU lists, but that is not what makes it scale.",
                "lists"
            ),
            NEG
        );
        // One that opens its sentence points at the sentence before, and no further.
        assert_eq!(
            standing_of(
                "The lock is contended. That's not the problem.",
                "contended"
            ),
            NEG
        );
        assert_eq!(
            standing_of(
                "The disk is busy. Steal is at 19%. That isn't our problem.",
                "disk"
            ),
            AFF
        );
        // One inside its sentence still reaches only to that sentence's start.
        assert_eq!(
            standing_of(
                "The disk is busy. Steal is at 19%, but that isn't our problem.",
                "disk"
            ),
            AFF
        );
        // A plain "that's not" still negates forward only.
        assert_eq!(
            standing_of("The run queue is long, that's not the disk.", "queue"),
            AFF
        );
    }

    #[test]
    fn dismissals_by_pronoun_are_built_from_their_parts() {
        // A pronoun and negated copula with any name for a cause, any intensifier between.
        for answer in [
            "I saw the steal column at 19%, but that isn't our problem.",
            "I saw the steal column at 19%, but it's not really the root cause.",
            "I saw the steal column at 19%, but that wasn't the bottleneck.",
            "I saw the steal column at 19%, but this is just noise.",
            // Doubts: what a candidate thinks is not the cause.
            "I saw the steal column at 19%, but I don't think that's our problem.",
            "I saw the steal column at 19%, but I doubt it's the cause.",
            "I saw the steal column at 19%, but I don't think that holds up.",
            "I saw the steal column at 19%, but that doesn't apply here.",
            "I saw the steal column at 19%, but I'd rule it out.",
        ] {
            assert_eq!(standing_of(answer, "steal"), NEG, "{answer}");
        }
        // Said of the cause, the same words affirm it.
        for answer in [
            "I saw the steal column at 19%, and that's our problem.",
            "I saw the steal column at 19%; I think that's the cause.",
            "I saw the steal column at 19%, and that holds up under load.",
        ] {
            assert_eq!(standing_of(answer, "steal"), AFF, "{answer}");
        }
        // The received answer set aside in the sentence after it.
        assert_eq!(
            standing_of(
                "One answer you'll hear is per-CPU page lists. I don't think that's what makes it scale.",
                "lists"
            ),
            NEG
        );
    }

    #[test]
    fn a_finding_that_cannot_explain_the_symptom_is_dismissed() {
        assert_eq!(
            standing_of("The steal can't explain the p99 spikes.", "steal"),
            NEG
        );
        assert_eq!(standing_of("The swap usage is unrelated.", "swap"), NEG);
        assert_eq!(standing_of("The swap usage is benign here.", "swap"), NEG);
        // What does explain it stays affirmed.
        assert_eq!(
            standing_of(
                "Steal explains the p99 spikes, the disk is unrelated.",
                "steal"
            ),
            AFF
        );
        assert_eq!(
            standing_of("Direct reclaim explains the stalls.", "reclaim"),
            AFF
        );
    }
}

#[cfg(test)]
mod dismissal_tests {
    use super::*;

    #[test]
    fn an_intensifier_inside_a_trigger_keeps_it_one_trigger() {
        assert!(negated(
            "Lock ordering isn't really the problem here.",
            "ordering"
        ));
        // "isn't what" is no trigger of its own: the "isn't" still denies what follows.
        assert!(negated("It isn't what pthread mutexes use.", "pthread"));
        assert!(negated("The disk isn't really the problem.", "disk"));
        assert!(negated(
            "Writer starvation doesn't actually matter here.",
            "starvation"
        ));
        // The plain negation after it still denies what follows.
        assert!(negated(
            "It isn't really about CPUs at the same time.",
            "cpus"
        ));
        // An intensifier outside a trigger changes nothing.
        assert!(!negated("The disk is really busy.", "disk"));
    }

    #[test]
    fn an_opening_without_governs_its_phrase_only() {
        assert!(!negated("Without a guard, pieces get lost.", "lost"));
        assert!(!negated(
            "Without locks, races corrupt the list.",
            "corrupt"
        ));
        assert!(negated("Without locks, races corrupt the list.", "locks"));
        // Inside a clause it still runs on: "without" is said of what follows.
        assert!(negated(
            "Readers run without taking a lock, spinning or sleeping.",
            "spinning"
        ));
    }

    #[test]
    fn a_subject_made_with_being_is_what_the_trigger_is_said_of() {
        assert!(negated(
            "commit_cas_retry being at the top isn't the problem.",
            "commit_cas_retry"
        ));
        // Any other verb still stops the look back.
        assert!(!negated("cs is high while us is normal.", "cs"));
    }

    fn negated(answer: &str, word: &str) -> bool {
        let n = Normalized::new(answer);
        let scopes = Scopes::find(&n, &Triggers::new());
        let i = (0..n.tokens.len())
            .find(|&i| n.token_text(i) == word)
            .unwrap_or_else(|| panic!("{word} not in {answer}"));
        matches!(
            scopes.standing(i, i + 1, false, &|_| true),
            Standing::Negated(_)
        )
    }

    #[test]
    fn explaining_a_finding_away_dismisses_it() {
        assert!(negated(
            "Steal is just what the hypervisor reports when we are busy.",
            "steal"
        ));
        assert!(negated(
            "The lock contention is a side effect of the load.",
            "contention"
        ));
        assert!(negated(
            "Some steal is to be expected on a cloud box.",
            "steal"
        ));
        assert!(negated(
            "The softirq time just reflects the packet rate.",
            "softirq"
        ));
        assert!(negated(
            "Steal is just how the hypervisor accounts for halted vCPUs.",
            "steal"
        ));
        // Present in every profile, it tells nothing.
        assert!(negated(
            "lock_sock_nested is in every profile of a busy network box.",
            "lock_sock_nested"
        ));
        // Present in every path, or whenever the symptom shows, it matters.
        assert!(!negated(
            "The zone lock is in every allocation path, so it is hot.",
            "zone"
        ));
        assert!(!negated(
            "The spinlock always shows up when sy spikes.",
            "spinlock"
        ));
        // Said of a finding, not of what the finding is: the cause stays affirmed.
        assert!(!negated(
            "Steal is what the hypervisor takes from us: 19%.",
            "steal"
        ));
        assert!(!negated(
            "Steal is high, and latency is expected to drop once we move.",
            "steal"
        ));
    }

    #[test]
    fn not_because_denies_the_reason() {
        assert!(negated(
            "RCU fits here, but not because updates are cheap.",
            "cheap"
        ));
        assert!(!negated("RCU fits here because updates are rare.", "rare"));
    }
}
