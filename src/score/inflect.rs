//! Inflections of plain words, so a plain form or an idea's role written "hold" also matches
//! "holds", "holding" and "held", and "queue" matches "queued", "queuing" and "queueing".
//!
//! Rule: a word of the rubric's plain forms stands for every regular form of its base (`-s`,
//! `-es`, `-ed`, `-ing`, `-ies`/`-ied` for a final `y`, a doubled final consonant, a dropped
//! final `e`) and every form of an irregular verb it belongs to. An inflected word written by
//! the author ("waiting") is first taken back to its possible bases ("wait"). A word also stands
//! for the same idea in another part of speech: regular derivations ("saturate", "saturation";
//! "allocate", "allocation", "allocator") and listed word families ("contend", "contention").
//! Technical words
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
/// workers", "shorten the critical section" matches "shrink" it). Each group is one meaning a
/// speaker words freely; a word with another technical sense ("block", "socket", "drop" for a
/// packet, "free" for free memory, "race" for a data race) or a weaker or different meaning
/// ("stall" is not "hang", "wait" is not "stall") is left out, and technical words keep their
/// exact spelling (`inflects`). Claims read these words too, so a group must hold for a wrong
/// belief as much as for a right idea: "each" is not "every" ("bumping into each other" is not
/// "every lock"), "freezing the filesystem" is not a hang, and "resolve" is not "fix" (a restart
/// that resolves the symptom fixes nothing).
const SYNONYMS: &[&[&str]] = &[
    &["cpu", "processor", "core"],
    &["cpus", "processors", "cores"],
    &["thread", "worker"],
    &["kernel", "os"],
    &["application", "app", "program"],
    // Making a quantity or a stretch of time smaller.
    &[
        "reduce", "lower", "decrease", "cut", "shrink", "shorten", "trim",
    ],
    &["increase", "raise", "bump", "boost"],
    &["limit", "cap"],
    &["fewer", "less"],
    &["more", "extra", "additional"],
    &["spread", "distribute", "balance"],
    &["memory", "ram"],
    &["big", "large"],
    &["small", "tiny"],
    &["short", "brief"],
    &["fast", "quick"],
    &["expensive", "costly"],
    &["high", "elevated"],
    // Progress held up for a while, as against a hang that never ends.
    &["stall", "stuck"],
    // Two parties after one thing.
    &["contend", "compete", "fight"],
    // Taking memory back from its users.
    &["reclaim", "evict"],
    // Waiting work accumulating.
    &["queue", "backlog", "pile"],
    &["owner", "holder"],
    &["spike", "burst", "surge", "jump"],
    &["rise", "climb"],
    &["waste", "burn"],
    &["bounce", "pingpong", "ping-pong"],
    &["check", "verify", "confirm"],
    &["avoid", "prevent"],
    &["remove", "eliminate"],
    &["revert", "undo", "rollback"],
    &["copy", "duplicate"],
    &["whole", "entire"],
];

/// Word families whose members are the same idea in another part of speech, beyond what the
/// regular derivations of [`derived_forms`] produce: every member stands for every other and
/// for their inflections ("contention" matches "contended", "reduce" matches "reduction").
const FAMILIES: &[&[&str]] = &[
    &["contend", "contention", "contentious"],
    &["compete", "competition"],
    &["reduce", "reduction"],
    &["consume", "consumption"],
    &["reclaim", "reclamation"],
    &["fail", "failure"],
    &["evict", "eviction"],
    &["serialize", "serialise", "serialization", "serialisation"],
    &["starve", "starvation"],
    &["scale", "scalable", "scalability"],
    &["fragment", "fragmentation"],
    &["protect", "protection"],
    &["detect", "detection"],
    &["collect", "collection"],
    &["correct", "correction"],
    &["execute", "execution"],
    &["complete", "completion"],
    &["distribute", "distribution"],
    &["wake", "wakeup", "wake-up"],
    &["quick", "quickly"],
    &["local", "locally"],
    &["global", "globally"],
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
    // "stuck" is its own word here (held up), not the past of "stick" (put).
    &["stick", "sticks", "sticking"],
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

/// The nouns a verb base regularly derives, with their plurals: `-ate` gives `-ation` and
/// `-ator` (saturate: saturation; allocate: allocation, allocator), `-ute` and `-ete` give
/// `-ion` (execute: execution; complete: completion), `-ize` and `-ise` give `-ation`
/// (serialize: serialization). Only bases of seven letters or more (four or more for `-ize`
/// stems), so short words ("state", "update", "create") derive nothing.
fn derived_forms(base: &str, out: &mut Vec<String>) {
    let n = base.len();
    let mut noun = |noun: String| {
        out.push(format!("{noun}s"));
        out.push(noun);
    };
    if n >= 7 && base.ends_with("ate") {
        let stem = &base[..n - 1];
        noun(format!("{stem}ion"));
        noun(format!("{stem}or"));
    } else if n >= 7 && (base.ends_with("ute") || base.ends_with("ete")) {
        noun(format!("{}ion", &base[..n - 1]));
    } else if n >= 7 && (base.ends_with("ize") || base.ends_with("ise")) {
        noun(format!("{}ation", &base[..n - 1]));
    }
}

/// The verb bases a derived noun the author wrote may come from, the reverse of
/// [`derived_forms`]: "saturation" gives "saturate", "starvation" "starve", "allocator"
/// "allocate", "execution" "execute", "serialization" "serialize". A plural is taken back
/// first.
fn derivation_bases(word: &str, out: &mut Vec<String>) {
    let word = word.strip_suffix('s').unwrap_or(word);
    if let Some(stem) = word.strip_suffix("ation")
        && stem.len() >= 4
    {
        out.push(format!("{stem}ate"));
        out.push(format!("{stem}e"));
    } else if let Some(stem) = word.strip_suffix("ator")
        && stem.len() >= 4
    {
        out.push(format!("{stem}ate"));
    } else if let Some(stem) = word.strip_suffix("ution")
        && stem.len() >= 3
    {
        out.push(format!("{stem}ute"));
    } else if let Some(stem) = word.strip_suffix("etion")
        && stem.len() >= 3
    {
        out.push(format!("{stem}ete"));
    }
}

/// Every form `word` stands for, itself first, each once: its inflections, the nouns and verbs
/// it regularly derives from or into, and the members of its word family ([`FAMILIES`]) in
/// every inflection. A word that does not inflect stands for itself only.
pub fn forms(word: &str) -> Vec<String> {
    if !inflects(word) {
        return vec![word.to_owned()];
    }
    let mut out = vec![word.to_owned()];
    // The words `word` may be a form of: its irregular group, or its possible bases.
    let mut roots = Vec::new();
    if let Some(group) = IRREGULAR.iter().find(|group| group.contains(&word)) {
        out.extend(group.iter().map(|w| (*w).to_owned()));
        roots.extend(group.iter().map(|w| (*w).to_owned()));
    } else {
        bases(word, &mut roots);
        let mut derived = Vec::new();
        for root in &roots {
            derivation_bases(root, &mut derived);
        }
        roots.extend(derived);
        for base in &roots {
            regular_forms(base, &mut out);
            derived_forms(base, &mut out);
        }
    }
    for family in FAMILIES {
        if family
            .iter()
            .any(|member| roots.iter().any(|root| root == member))
        {
            for member in *family {
                regular_forms(member, &mut out);
            }
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
    // The first letters of the forms: a member starting with another letter is none of them,
    // so most of the table is passed over without comparing a string.
    let mut initials = [false; 256];
    for form in &out {
        if let Some(&b) = form.as_bytes().first() {
            initials[usize::from(b)] = true;
        }
    }
    let groups: Vec<&[&str]> = SYNONYMS
        .iter()
        .copied()
        .filter(|group| {
            group.iter().any(|member| {
                member
                    .as_bytes()
                    .first()
                    .is_some_and(|&b| initials[usize::from(b)])
                    && out.iter().any(|form| form == member)
            })
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
    fn plain_synonyms_of_the_field_match_and_near_misses_do_not() {
        for (word, synonym) in [
            ("shrink", "shortening"),
            ("reduce", "trimmed"),
            ("shorten", "cut"),
            ("stall", "stuck"),
            ("stalls", "stuck"),
            ("contend", "competing"),
            ("contention", "fighting"),
            ("reclaim", "evicting"),
            ("queue", "piling"),
            ("queued", "backlog"),
            ("spread", "balancing"),
            ("owner", "holder"),
            ("more", "extra"),
            ("fewer", "less"),
            ("spike", "jumped"),
            ("check", "confirmed"),
            ("kernel", "os"),
            ("increase", "bumping"),
            ("waste", "burning"),
        ] {
            assert!(stands_for(word, synonym), "{word} -> {synonym}");
            assert!(stands_for(synonym, word), "{synonym} -> {word}");
        }
        // Words with another sense in this field stay apart.
        for (word, other) in [
            ("reclaim", "free"),
            ("reduce", "drop"),
            ("stall", "hang"),
            ("stall", "wait"),
            ("stall", "stick"),
            ("stuck", "sticking"),
            ("contend", "race"),
            ("queue", "line"),
            ("hold", "owner"),
            ("wait", "waiter"),
            ("spread", "split"),
            ("check", "look"),
            ("fix", "solve"),
            // "slow down" is throttling, not slowness: a phrase's run-together pair is its own word.
            ("slow", "slowdown"),
            ("every", "each"),
            ("hang", "freeze"),
        ] {
            assert!(
                !stands_for(word, other),
                "{word} must not stand for {other}"
            );
        }
    }

    #[test]
    fn derived_nouns_and_verbs_stand_for_each_other() {
        for (word, form) in [
            ("saturation", "saturated"),
            ("saturated", "saturation"),
            ("allocate", "allocation"),
            ("allocation", "allocating"),
            ("allocations", "allocator"),
            ("allocator", "allocate"),
            ("starvation", "starving"),
            ("starve", "starvation"),
            ("serialize", "serialization"),
            ("serialized", "serialization"),
            ("execution", "executed"),
            ("completion", "completes"),
            ("contention", "contended"),
            ("contended", "contention"),
            ("contending", "contentions"),
            ("eviction", "evicted"),
            ("reduction", "reducing"),
            ("scalability", "scales"),
            ("quickly", "quick"),
        ] {
            assert!(has(word, form), "{word} -> {form}: {:?}", forms(word));
        }
        // Short words derive nothing, and a derivation keeps to its own word.
        for (word, form) in [
            ("state", "station"),
            ("station", "state"),
            ("update", "updation"),
            ("port", "portion"),
            ("direct", "direction"),
            ("notion", "note"),
            ("question", "quest"),
            ("content", "contend"),
            ("operate", "opera"),
        ] {
            assert!(!has(word, form), "{word} must not stand for {form}");
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
