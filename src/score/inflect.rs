//! Inflections of plain words, so a plain form or an idea's role written "hold" also matches
//! "holds", "holding" and "held", and "queue" matches "queued", "queuing" and "queueing".
//!
//! Rule: a word of the rubric's plain forms stands for every regular form of its base (`-s`,
//! `-es`, `-ed`, `-ing`, `-ies`/`-ied` for a final `y`, a doubled final consonant, a dropped
//! final `e`) and every form of an irregular verb it belongs to. An inflected word written by
//! the author ("waiting") is first taken back to its possible bases ("wait"). Technical words
//! never inflect: the protected terms of the typo policy and a few more (`lock` is not `locks`:
//! authors list both when both count), words of two characters or fewer, and words with a digit,
//! `_` or any character other than a letter, `'` or `-`. Forms are generated once per scorer; an
//! answer token is then one hash lookup, as for any rubric word.

use super::fuzzy::PROTECTED;

/// Technical words that match exactly, beyond the typo policy's protected terms.
const TECHNICAL: &[&str] = &[
    "locks", "futexes", "mutexes", "shards", "rcu", "irqs", "iowait", "softirq", "hardirq",
    "spinlock", "rwlock", "seqlock",
];

/// Words plain speech uses for one another in this field: a plain form or role written with
/// one also matches the others, in every inflection ("cap the threads" matches "limit the
/// workers"). Only near-exact equivalents: a word with another technical sense ("block",
/// "socket") or a weaker meaning ("stall" for "stop") is left out, and technical words keep
/// their exact spelling (`inflects`).
const SYNONYMS: &[&[&str]] = &[
    &["cpu", "processor", "core"],
    &["cpus", "processors", "cores"],
    &["thread", "worker"],
    &["reduce", "lower", "decrease", "cut"],
    &["increase", "raise"],
    &["limit", "cap"],
    &["spread", "distribute"],
    &["memory", "ram"],
    &["big", "large"],
    &["small", "tiny"],
];

/// Irregular verbs and the odd noun: every form of a group stands for every other.
const IRREGULAR: &[&[&str]] = &[
    &["hold", "holds", "holding", "held"],
    &["run", "runs", "running", "ran"],
    &["take", "takes", "taking", "took", "taken"],
    &["give", "gives", "giving", "gave", "given"],
    &["make", "makes", "making", "made"],
    &["get", "gets", "getting", "got", "gotten"],
    &["go", "goes", "going", "went", "gone"],
    &["see", "sees", "seeing", "saw", "seen"],
    &["keep", "keeps", "keeping", "kept"],
    &["spend", "spends", "spending", "spent"],
    &["lose", "loses", "losing", "lost"],
    &["find", "finds", "finding", "found"],
    &["write", "writes", "writing", "wrote", "written"],
    &["read", "reads", "reading"],
    &["feed", "feeds", "feeding", "fed"],
    &["hide", "hides", "hiding", "hid", "hidden"],
    &["bring", "brings", "bringing", "brought"],
    &["grow", "grows", "growing", "grew", "grown"],
    &["fall", "falls", "falling", "fell", "fallen"],
    &["rise", "rises", "rising", "rose", "risen"],
    &["drive", "drives", "driving", "drove", "driven"],
    &["wake", "wakes", "waking", "woke", "woken", "waked"],
    &["sleep", "sleeps", "sleeping", "slept"],
    &["leave", "leaves", "leaving", "left"],
    &["pay", "pays", "paying", "paid"],
    &["send", "sends", "sending", "sent"],
    &["build", "builds", "building", "built"],
    &["think", "thinks", "thinking", "thought"],
    &["do", "does", "doing", "did", "done"],
    &["have", "has", "having", "had"],
    &["be", "is", "are", "was", "were", "been", "being"],
    &["throw", "throws", "throwing", "threw", "thrown"],
    &["spin", "spins", "spinning", "spun"],
    &["stick", "sticks", "sticking", "stuck"],
    &["shrink", "shrinks", "shrinking", "shrank", "shrunk"],
    &["split", "splits", "splitting"],
    &["set", "sets", "setting"],
    &["cut", "cuts", "cutting"],
    &["put", "puts", "putting"],
    &["let", "lets", "letting"],
    &["hit", "hits", "hitting"],
    &["mean", "means", "meaning", "meant"],
    &["buy", "buys", "buying", "bought"],
    &["choose", "chooses", "choosing", "chose", "chosen"],
    &["begin", "begins", "beginning", "began", "begun"],
    &["fight", "fights", "fighting", "fought"],
    &["forget", "forgets", "forgetting", "forgot", "forgotten"],
    &["understand", "understands", "understanding", "understood"],
];

/// Whether `word` inflects (see the module rule).
pub fn inflects(word: &str) -> bool {
    word.len() > 2
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'\'' || b == b'-')
        && !PROTECTED.contains(&word)
        && !TECHNICAL.contains(&word)
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The regular forms of a base word, the base included.
fn regular_forms(base: &str, out: &mut Vec<String>) {
    let bytes = base.as_bytes();
    let n = bytes.len();
    out.push(base.to_owned());
    let last = bytes[n - 1];
    if last == b'y' && n > 2 && !is_vowel(bytes[n - 2]) {
        let stem = &base[..n - 1];
        out.extend([
            format!("{stem}ies"),
            format!("{stem}ied"),
            format!("{base}ing"),
        ]);
        return;
    }
    if last == b'e' {
        let stem = &base[..n - 1];
        out.extend([
            format!("{base}s"),
            format!("{base}d"),
            format!("{stem}ing"),
            format!("{base}ing"),
        ]);
        return;
    }
    let sibilant = base.ends_with('s')
        || base.ends_with('x')
        || base.ends_with('z')
        || base.ends_with("ch")
        || base.ends_with("sh");
    out.push(if sibilant {
        format!("{base}es")
    } else {
        format!("{base}s")
    });
    out.extend([format!("{base}ed"), format!("{base}ing")]);
    // Consonant-vowel-consonant: stop -> stopped, stopping.
    if n >= 3
        && !is_vowel(last)
        && !matches!(last, b'w' | b'x' | b'y')
        && is_vowel(bytes[n - 2])
        && !is_vowel(bytes[n - 3])
    {
        let doubled = char::from(last);
        out.extend([format!("{base}{doubled}ed"), format!("{base}{doubled}ing")]);
    }
}

/// Possible bases of a word the author wrote inflected (`waiting` -> `wait`, `queued` ->
/// `queue`, `stopped` -> `stop`). Only words of six characters or more are taken back, so short
/// words ("thing", "used") keep their own reading.
fn bases(word: &str, out: &mut Vec<String>) {
    out.push(word.to_owned());
    if word.len() < 6 {
        return;
    }
    let mut stem_of = |suffix: &str| {
        if let Some(stem) = word.strip_suffix(suffix)
            && stem.len() >= 3
        {
            out.push(stem.to_owned());
            out.push(format!("{stem}e"));
            let b = stem.as_bytes();
            if b.len() >= 4 && b[b.len() - 1] == b[b.len() - 2] && !is_vowel(b[b.len() - 1]) {
                out.push(stem[..stem.len() - 1].to_owned());
            }
        }
    };
    if word.ends_with("ing") {
        stem_of("ing");
    } else if word.ends_with("ied") || word.ends_with("ies") {
        out.push(format!("{}y", &word[..word.len() - 3]));
    } else if word.ends_with("ed") {
        stem_of("ed");
        out.push(word[..word.len() - 1].to_owned());
    } else if let Some(stem) = word.strip_suffix("es") {
        out.push(stem.to_owned());
        out.push(format!("{stem}e"));
    } else if word.ends_with('s') && !word.ends_with("ss") {
        out.push(word[..word.len() - 1].to_owned());
    }
}

/// Every form `word` stands for, itself first, each once. A word that does not inflect stands
/// for itself only.
pub fn forms(word: &str) -> Vec<String> {
    if !inflects(word) {
        return vec![word.to_owned()];
    }
    let mut out = Vec::new();
    if let Some(group) = IRREGULAR.iter().find(|group| group.contains(&word)) {
        out.push(word.to_owned());
        out.extend(group.iter().map(|w| (*w).to_owned()));
    } else {
        let mut candidates = Vec::new();
        bases(word, &mut candidates);
        out.push(word.to_owned());
        for base in &candidates {
            regular_forms(base, &mut out);
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|form| seen.insert(form.clone()));
    out
}

/// The spellings a plain word stands for: its inflections and those of its synonyms
/// ([`SYNONYMS`]); the word itself first.
pub fn variants(word: &str) -> Vec<String> {
    let mut out = forms(word);
    let groups: Vec<&[&str]> = SYNONYMS
        .iter()
        .copied()
        .filter(|group| {
            group
                .iter()
                .any(|member| out.iter().any(|form| form == member))
        })
        .collect();
    for group in groups {
        for member in group {
            out.extend(forms(member));
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|form| seen.insert(form.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(word: &str, form: &str) -> bool {
        forms(word).iter().any(|f| f == form)
    }

    fn stands_for(word: &str, form: &str) -> bool {
        variants(word).iter().any(|f| f == form)
    }

    #[test]
    fn synonyms_match_in_every_inflection_both_ways() {
        assert!(stands_for("threads", "workers"));
        assert!(stands_for("worker", "thread"));
        assert!(stands_for("cap", "limiting"));
        assert!(stands_for("reduce", "lowered"));
        assert!(stands_for("cpus", "processors"));
        assert_eq!(variants("hold")[0], "hold");
        // No group, no synonyms; technical words stay exact.
        assert!(!stands_for("wait", "block"));
        assert!(!stands_for("lock", "mutex"));
        assert!(!stands_for("locks", "lock"));
    }

    #[test]
    fn regular_and_irregular_forms() {
        for (word, form) in [
            ("hold", "held"),
            ("held", "holding"),
            ("queue", "queued"),
            ("queue", "queuing"),
            ("queue", "queueing"),
            ("free", "freed"),
            ("free", "freeing"),
            ("wait", "waited"),
            ("waiting", "waits"),
            ("stop", "stopped"),
            ("drop", "dropping"),
            ("queued", "queue"),
            ("starve", "starving"),
            ("bounce", "bouncing"),
            ("copy", "copies"),
            ("reach", "reaches"),
            ("stopped", "stop"),
        ] {
            assert!(has(word, form), "{word} -> {form}: {:?}", forms(word));
        }
    }

    #[test]
    fn technical_words_stand_for_themselves() {
        for word in [
            "lock",
            "futex",
            "mutex",
            "shard",
            "cs",
            "r",
            "p99",
            "__alloc_pages",
            "rwlock",
        ] {
            assert_eq!(forms(word), [word.to_owned()]);
        }
        assert!(!has("thing", "the"));
        assert!(!has("used", "us"));
    }
}
