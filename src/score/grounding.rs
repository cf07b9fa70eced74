//! Grounding: numbers the answer cites about the machine ("r is about 40", "sy at 35%",
//! "cs 120k", "2% idle", "%util 98", "await 40 ms") checked against the tool outputs the
//! candidate was shown.
//!
//! Shown outputs are parsed by header position (vmstat, mpstat, pidstat, iostat, the `%Cpu(s)`
//! line of top, load averages); every value of a field across all rows and intervals is kept, so
//! a citation agrees when it falls within the range shown, widened by a tolerance (1 unit or 10 %,
//! 2 points for percentages, 25 % when hedged with "about", "~", "roughly"); "over 30" needs some
//! shown value at or above 30, "under 5" one at or below 5. Fields never shown are not judged.
//! Short column names that are also English words ("in", "so", "us", "id", "b") count only
//! when written like a reading ("in=6000", "us: 40", "id is 2", "40% us").
//! A field may also be named a few words before its reading ("r is above the CPU count at 40"):
//! up to five other words may sit between, when a reading word ("at", "is", "around" …) comes
//! right before the number. Lock names are grounded too: "the zone lock dominates" or "it's the
//! zone lock" is a misread when the lock tables shown (`perf lock report`, `perf lock
//! contention -l`, and `perf lock contention -b`, whose callers are read as the locks they take
//! through the model's symbol table: `rmqueue_bulk` takes the zone lock) put another lock on
//! top.
//! Owns parsing and comparison; must not decide penalties or wording beyond the misread itself.

use std::collections::BTreeMap;

use super::normalize::{Gap, Normalized};
use super::tags;
use super::{Misread, Shown};

/// Field values shown, by canonical field name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShownValues {
    fields: BTreeMap<&'static str, Vec<f64>>,
    /// The lock at the top of each lock table shown (`perf lock report`, `perf lock
    /// contention -l`, or the lock the top caller of `perf lock contention -b` takes),
    /// lower-cased as printed (`&hb->lock`).
    top_locks: Vec<String>,
}

/// Column headers of the supported tools mapped to canonical field names.
fn canonical(column: &str, tool: Tool) -> Option<&'static str> {
    Some(match (tool, column) {
        (Tool::Vmstat, "r") => "r",
        (Tool::Vmstat, "b") => "b",
        (Tool::Vmstat, "si") => "si",
        (Tool::Vmstat, "so") => "so",
        (Tool::Vmstat, "bi") => "bi",
        (Tool::Vmstat, "bo") => "bo",
        (Tool::Vmstat, "in") => "in",
        (Tool::Vmstat, "cs") => "cs",
        (Tool::Vmstat, "us") => "us",
        (Tool::Vmstat, "sy") => "sy",
        (Tool::Vmstat, "id") => "id",
        (Tool::Vmstat, "wa") => "wa",
        (Tool::Vmstat, "st") => "st",
        (_, "%usr" | "%user") => "us",
        (_, "%sys" | "%system") => "sy",
        (_, "%idle") => "id",
        (_, "%iowait") => "wa",
        (_, "%steal") => "st",
        (_, "%soft") => "soft",
        (_, "%irq") => "irq",
        (_, "%util") => "util",
        (_, "r_await" | "w_await" | "d_await" | "f_await" | "await") => "await",
        (_, "aqu-sz" | "avgqu-sz") => "aqu",
        (_, "cswch/s") => "cswch",
        (_, "nvcswch/s") => "nvcswch",
        (_, "%wait") => "wait",
        _ => return None,
    })
}

/// Where a lock table prints the lock's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LockColumn {
    /// `perf lock report`: the `Name` column.
    First,
    /// `perf lock contention -l`: the symbol after the address.
    AfterAddress,
    /// `perf lock contention` (by caller, `-b`): the call site in the last column, read as
    /// the lock that function takes (`rmqueue_bulk+0x51` is the zone lock).
    Caller,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Vmstat,
    Table,
}

impl ShownValues {
    pub fn parse(shown: &Shown) -> Self {
        let mut values = ShownValues::default();
        for output in &shown.outputs {
            values.parse_text(&output.text);
        }
        for list in values.fields.values_mut() {
            list.sort_by(f64::total_cmp);
        }
        values
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.top_locks.is_empty()
    }

    fn push(&mut self, field: &'static str, value: f64) {
        if value.is_finite() {
            self.fields.entry(field).or_default().push(value);
        }
    }

    fn parse_text(&mut self, text: &str) {
        let mut header: Option<(Tool, Vec<&str>)> = None;
        // vmstat's first data line is the average since boot; with later lines, only they show
        // the machine now.
        let mut vmstat_rows: Vec<Vec<&str>> = Vec::new();
        let mut avg_cpu: Option<Vec<&str>> = None;
        // After a lock table's header, the column its lock names are in (from the left, or
        // the symbol after the address), until the first row is read.
        let mut lock_table: Option<LockColumn> = None;
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(column) = lock_table
                && !words.is_empty()
            {
                lock_table = None;
                let name = match column {
                    LockColumn::First => words.first().copied(),
                    LockColumn::AfterAddress => words
                        .iter()
                        .position(|w| w.len() >= 8 && w.bytes().all(|b| b.is_ascii_hexdigit()))
                        .and_then(|at| words.get(at + 1).copied()),
                    // A caller the symbol table does not know stands as itself: whatever lock
                    // it takes, it is not one a name in the answer can be checked against.
                    LockColumn::Caller => words
                        .last()
                        .map(|&site| crate::model::symbols::lock_taken_by(site).unwrap_or(site)),
                };
                if let Some(name) = name {
                    self.top_locks.push(name.to_lowercase());
                }
                continue;
            }
            if words.contains(&"contended") {
                if words.first() == Some(&"Name") {
                    lock_table = Some(LockColumn::First);
                    continue;
                }
                if words.contains(&"symbol") && words.contains(&"address") {
                    lock_table = Some(LockColumn::AfterAddress);
                    continue;
                }
                if words.last() == Some(&"caller") {
                    lock_table = Some(LockColumn::Caller);
                    continue;
                }
            }
            if let Some(columns) = avg_cpu.take() {
                self.row(Tool::Table, &columns, &words);
                continue;
            }
            if let Some(at) = line.find("load average:") {
                for v in line[at + 13..].split(',') {
                    if let Ok(value) = v.trim().parse::<f64>() {
                        self.push("load", value);
                    }
                }
            }
            if let Some(rest) = line.strip_prefix("%Cpu(s):") {
                for part in rest.split(',') {
                    let mut it = part.split_whitespace();
                    if let (Some(v), Some(name)) = (it.next(), it.next())
                        && let Ok(value) = v.parse::<f64>()
                    {
                        let field = match name {
                            "us" => "us",
                            "sy" => "sy",
                            "id" => "id",
                            "wa" => "wa",
                            "si" => "soft",
                            "hi" => "irq",
                            "st" => "st",
                            _ => continue,
                        };
                        self.push(field, value);
                    }
                }
                continue;
            }
            if words.first() == Some(&"avg-cpu:") {
                avg_cpu = Some(words[1..].to_vec());
                continue;
            }
            if words.is_empty() {
                header = header.filter(|(tool, _)| *tool == Tool::Vmstat);
                continue;
            }
            if words.len() >= 12 && words[0] == "r" && words[1] == "b" && words.contains(&"cs") {
                header = Some((Tool::Vmstat, words));
                continue;
            }
            let known = words
                .iter()
                .filter(|w| canonical(w, Tool::Table).is_some())
                .count();
            if known >= 2
                && !words
                    .iter()
                    .any(|w| w.parse::<f64>().is_ok() && !w.contains(':'))
            {
                header = Some((Tool::Table, words));
                continue;
            }
            if let Some((tool, columns)) = &header {
                if *tool == Tool::Vmstat {
                    if words.len() + 2 >= columns.len()
                        && words.iter().all(|w| w.parse::<f64>().is_ok())
                    {
                        vmstat_rows.push(words);
                    }
                    continue;
                }
                let columns = columns.clone();
                self.row(*tool, &columns, &words);
            }
        }
        let skip = usize::from(vmstat_rows.len() > 1);
        let columns: Vec<&str> = "r b swpd free buff cache si so bi bo in cs us sy id wa st gu"
            .split(' ')
            .collect();
        for row in &vmstat_rows[skip..] {
            // Left-aligned: 4.0.2 prints 17 columns, 4.0.4 18.
            for (column, word) in columns.iter().zip(row) {
                if let Some(field) = canonical(column, Tool::Vmstat)
                    && let Ok(value) = word.parse::<f64>()
                {
                    self.push(field, value);
                }
            }
        }
    }

    /// Maps a data row onto its header, aligned on the right (rows may carry an AM/PM or lack
    /// the `#` of a pidstat -h header).
    fn row(&mut self, tool: Tool, columns: &[&str], words: &[&str]) {
        let n = columns.len().min(words.len());
        for k in 1..=n {
            let column = columns[columns.len() - k];
            let word = words[words.len() - k];
            if let Some(field) = canonical(column, tool)
                && let Ok(value) = word.parse::<f64>()
            {
                self.push(field, value);
            }
        }
    }

    fn range(&self, field: &str) -> Option<(f64, f64)> {
        let list = self.fields.get(field)?;
        Some((*list.first()?, *list.last()?))
    }
}

/// How an answer may name a field: tokens, canonical field, whether it is also a common English
/// word (then it needs a reading-like form), whether it is a percentage.
pub const ALIASES: &[(&[&str], &str, bool, bool)] = &[
    (&["run", "queue"], "r", false, false),
    (&["runqueue"], "r", false, false),
    (&["runnable"], "r", false, false),
    (&["r"], "r", false, false),
    (&["procs", "r"], "r", false, false),
    (&["b"], "b", true, false),
    (&["blocked"], "b", false, false),
    (&["context", "switches"], "cs", false, false),
    (&["context", "switch", "rate"], "cs", false, false),
    (&["cs"], "cs", false, false),
    (&["interrupts"], "in", false, false),
    (&["in"], "in", true, false),
    (&["us"], "us", true, true),
    (&["usr"], "us", false, true),
    (&["user"], "us", false, true),
    (&["sy"], "sy", false, true),
    (&["sys"], "sy", false, true),
    (&["system"], "sy", false, true),
    (&["id"], "id", true, true),
    (&["idle"], "id", false, true),
    (&["wa"], "wa", false, true),
    (&["iowait"], "wa", false, true),
    (&["io", "wait"], "wa", false, true),
    (&["st"], "st", false, true),
    (&["steal"], "st", false, true),
    (&["soft"], "soft", false, true),
    (&["softirq"], "soft", false, true),
    (&["si"], "si", false, false),
    (&["so"], "so", true, false),
    (&["util"], "util", false, true),
    (&["await"], "await", false, false),
    (&["r_await"], "await", false, false),
    (&["w_await"], "await", false, false),
    (&["aqu", "sz"], "aqu", false, false),
    (&["cswch"], "cswch", false, false),
    (&["load", "average"], "load", false, false),
    (&["load"], "load", false, false),
];

const FILLERS: &[&str] = &[
    "is",
    "was",
    "are",
    "were",
    "at",
    "around",
    "about",
    "of",
    "roughly",
    "approximately",
    "approx",
    "nearly",
    "almost",
    "close",
    "to",
    "near",
    "sits",
    "sitting",
    "stays",
    "hovering",
    "hovers",
    "shows",
    "showing",
    "reads",
    "reading",
    "column",
    "value",
    "averaging",
    "averages",
    "over",
    "above",
    "under",
    "below",
    "more",
    "less",
    "than",
    "greater",
    "least",
    "most",
    "peaks",
    "peaking",
    "reached",
    "reaches",
    "hits",
    "climbs",
    "to",
    "the",
];
const HEDGES: &[&str] = &[
    "around",
    "about",
    "roughly",
    "approximately",
    "approx",
    "nearly",
    "almost",
    "close",
    "near",
    "hovering",
    "hovers",
    "averaging",
];
const ABOVE: &[&str] = &[
    "over",
    "above",
    "more",
    "greater",
    "least",
    "exceeds",
    "exceeding",
];
const BELOW: &[&str] = &["under", "below", "less", "most"];
const STRICT_FILLERS: &[&str] = &["is", "was", "at", "column", "reads", "shows"];
/// Fillers that place a number as the field's reading after other words ("… at 40").
const READING: &[&str] = &[
    "at", "is", "was", "around", "about", "roughly", "reads", "hits",
];
/// At most this many other words between a field and its reading.
const MAX_SKIPPED: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Bound {
    Near,
    AtLeast,
    AtMost,
}

/// A number as written: `40`, `2.5`, `120,000`, `120k`, `1.2m`, `40ms`.
fn parse_number(token: &str) -> Option<f64> {
    let split = token
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ','))
        .map_or(token.len(), |(i, _)| i);
    let (digits, suffix) = token.split_at(split);
    if digits.is_empty() || !digits.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let value: f64 = digits.replace(',', "").parse().ok()?;
    let scale = match suffix {
        "" | "ms" | "s" | "us" | "x" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        _ => return None,
    };
    Some(value * scale)
}

/// Whether the answer names a field (alias tokens starting at `i`); returns its end and entry.
fn alias_at(n: &Normalized<'_>, i: usize) -> Option<(usize, &'static str, bool, bool)> {
    let mut best: Option<(usize, &'static str, bool, bool)> = None;
    let first = n.token_text(i);
    for &(words, field, common, percent) in ALIASES {
        if words[0] != first {
            continue;
        }
        let fits = words.iter().enumerate().skip(1).all(|(k, w)| {
            n.tokens
                .get(i + k)
                .is_some_and(|t| (k == 0 || t.gap == Gap::None) && n.token_text(i + k) == *w)
        });
        // '%util' and '%usr' arrive as 'util' / 'usr': the '%' is punctuation.
        if fits && best.is_none_or(|b| b.0 < i + words.len()) {
            best = Some((i + words.len(), field, common, percent));
        }
    }
    best
}

fn followed_by_percent(n: &Normalized<'_>, token: usize) -> bool {
    let end = n.tokens[token].end;
    n.text[end..].trim_start().starts_with('%')
        || n.tokens
            .get(token + 1)
            .is_some_and(|_| n.token_text(token + 1) == "percent")
}

/// Answer words that name a kernel lock, and a piece of the name the lock tables print for it.
const LOCK_NAMES: &[(&[&str], &str)] = &[
    (&["zone"], "zone"),
    (&["mmap", "mm"], "mmap"),
    (&["rq", "runqueue"], "rq->"),
    (&["hb", "bucket", "hash"], "hb->"),
    (&["lru"], "lru"),
    (&["dentry"], "dentry"),
    (&["inode"], "inode"),
    (&["socket", "sk", "slock"], "slock"),
    (&["page"], "page"),
];

/// Words that say a lock tops the table.
const DOMINATES: &[&str] = &[
    "dominates",
    "dominate",
    "dominant",
    "dominating",
    "top",
    "tops",
    "hottest",
    "hot",
    "most",
    "majority",
    "biggest",
    "main",
    "heaviest",
    "worst",
    "culprit",
    "bottleneck",
];

/// How many words before a lock's name "it's" may stand to name it the culprit ("it's the
/// futex hash bucket lock").
const IDENTIFYING_REACH: usize = 4;

/// "perf lock shows the zone lock dominates" when the tables shown put another lock on top:
/// a word of [`LOCK_NAMES`] right before "lock" (or "mutex", "spinlock"), with a word of
/// [`DOMINATES`] in the same clause (or "it's" a few words before the name) and no word that denies it, and no table top that has that
/// name.
fn lock_misreads(n: &Normalized<'_>, shown: &ShownValues, out: &mut Vec<Misread>) {
    let Some(top) = shown.top_locks.first() else {
        return;
    };
    let count = n.tokens.len();
    for i in 1..count {
        if !matches!(n.token_text(i), "lock" | "mutex" | "spinlock")
            || n.tokens[i].gap >= Gap::Comma
        {
            continue;
        }
        let word = n.token_text(i - 1);
        let Some(&(_, key)) = LOCK_NAMES.iter().find(|(words, _)| words.contains(&word)) else {
            continue;
        };
        if shown.top_locks.iter().any(|name| name.contains(key)) {
            continue;
        }
        // The clause around the name, at most eight tokens each way.
        let mut from = i - 1;
        while from > 0 && i - 1 - from < 8 && n.tokens[from].gap < Gap::Comma {
            from -= 1;
        }
        let mut to = i + 1;
        while to < count && to - i < 8 && n.tokens[to].gap < Gap::Comma {
            to += 1;
        }
        // "It's the futex hash bucket lock" names the culprit as surely as "dominates" does.
        let identified = || {
            ((i - 1).saturating_sub(IDENTIFYING_REACH).max(from)..i - 1).find(|&t| {
                matches!(n.token_text(t), "it's" | "its")
                    || (n.token_text(t) == "it" && t + 1 < i && n.token_text(t + 1) == "is")
            })
        };
        let Some(claim) = (from..to)
            .find(|&t| DOMINATES.contains(&n.token_text(t)))
            .or_else(identified)
        else {
            continue;
        };
        // "The zone lock is not the hottest" reads the table right.
        if (from..to).any(|t| super::scope::DENYING.contains(&n.token_text(t))) {
            continue;
        }
        let (start, end, _) = n.original_tokens((i - 1).min(claim), (i + 1).max(claim + 1));
        out.push(Misread {
            cited: n.original[start..end].to_owned(),
            field: "top lock".to_owned(),
            value: 0.0,
            shown_min: 0.0,
            shown_max: 0.0,
            shown_name: Some(top.clone()),
        });
    }
}

/// Citations found in the answer that disagree with what was shown.
pub fn misreads(n: &Normalized<'_>, classes: &[u8], shown: &ShownValues) -> Vec<Misread> {
    let mut out = Vec::new();
    if shown.is_empty() {
        return out;
    }
    lock_misreads(n, shown, &mut out);
    let count = n.tokens.len();
    let mut i = 0;
    while i < count {
        // "<field> [fillers] <number>"
        let names_field = |t: usize| classes.get(t).is_some_and(|c| c & tags::FIELD_START != 0);
        if names_field(i)
            && let Some((end, field, common, _)) = alias_at(n, i)
        {
            let mut j = end;
            let mut bound = Bound::Near;
            let mut hedged = false;
            let mut strict_ok = false;
            // Words that are no fillers ("r is above the CPU count at 40"): the number then
            // needs a reading word right before it ("at 40"), and only the fillers after the
            // last such word say how it reads.
            let mut skipped = 0;
            let mut reads = false;
            while j < count
                && j < end + 4 + skipped
                && !n.tokens[j].numeric
                && n.tokens[j].gap < Gap::Sentence
            {
                let word = n.token_text(j);
                if !FILLERS.contains(&word) {
                    let another_field = names_field(j) && alias_at(n, j).is_some();
                    if another_field || skipped == MAX_SKIPPED || n.tokens[j].gap >= Gap::Comma {
                        break;
                    }
                    skipped += 1;
                    (bound, hedged, strict_ok, reads) = (Bound::Near, false, false, false);
                    j += 1;
                    continue;
                }
                hedged |= HEDGES.contains(&word);
                strict_ok |= STRICT_FILLERS.contains(&word);
                reads |= READING.contains(&word);
                if ABOVE.contains(&word) {
                    bound = Bound::AtLeast;
                } else if BELOW.contains(&word) {
                    bound = Bound::AtMost;
                }
                j += 1;
            }
            let placed =
                skipped == 0 || (reads && n.tokens.get(j).is_some_and(|t| t.gap < Gap::Comma));
            if placed && j < count && n.tokens[j].numeric && n.tokens[j].gap < Gap::Sentence {
                let between = &n.text[n.tokens[end - 1].end..n.tokens[j].start];
                strict_ok |= between.contains('=') || between.contains(':');
                hedged |= between.contains('~');
                if between.contains('>') {
                    bound = Bound::AtLeast;
                } else if between.contains('<') {
                    bound = Bound::AtMost;
                }
                if (!common || strict_ok)
                    && let Some(value) = parse_number(n.token_text(j))
                {
                    judge(n, shown, (i, j + 1), field, value, bound, hedged, &mut out);
                    i = j + 1;
                    continue;
                }
            }
        }
        // "<number>% <field>" and "<number> <field>" for unambiguous counters.
        if n.tokens[i].numeric
            && i + 1 < count
            && n.tokens[i + 1].gap < Gap::Comma
            && names_field(i + 1)
            && let Some(value) = parse_number(n.token_text(i))
            && let Some((end, field, common, percent)) = alias_at(n, i + 1)
        {
            let has_percent = followed_by_percent(n, i);
            if (percent && has_percent) || (!percent && !common && !has_percent) {
                let hedged = i > 0 && HEDGES.contains(&n.token_text(i - 1));
                judge(
                    n,
                    shown,
                    (i, end),
                    field,
                    value,
                    Bound::Near,
                    hedged,
                    &mut out,
                );
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn judge(
    n: &Normalized<'_>,
    shown: &ShownValues,
    (from, to): (usize, usize),
    field: &'static str,
    value: f64,
    bound: Bound,
    hedged: bool,
    out: &mut Vec<Misread>,
) {
    let Some((min, max)) = shown.range(field) else {
        return;
    };
    let percent_like = matches!(
        field,
        "us" | "sy" | "id" | "wa" | "st" | "soft" | "irq" | "util" | "wait"
    );
    let absolute = if percent_like { 2.0 } else { 1.0 };
    let relative = if hedged { 0.25 } else { 0.10 };
    let tolerance = f64::max(absolute, relative * value.abs());
    let agrees = match bound {
        Bound::Near => value >= min - tolerance && value <= max + tolerance,
        Bound::AtLeast => max + tolerance >= value,
        Bound::AtMost => min - tolerance <= value,
    };
    if agrees {
        return;
    }
    let (start, end, _) = n.original_tokens(from, to);
    // Keep a trailing '%' in the quote.
    let mut end = end;
    if n.original[end..].starts_with('%') {
        end += 1;
    }
    out.push(Misread {
        cited: n.original[start..end].to_owned(),
        field: field.to_owned(),
        value,
        shown_min: min,
        shown_max: max,
        shown_name: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::ShownOutput;

    const VMSTAT: &str =
        "procs -----------memory---------- ---swap-- -----io---- -system-- -------cpu-------
 r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st gu
 1  0      0 5120344  98304 2210456    0    0     3    21  410  820  2  1 97  0  0  0
38  0      0 5119872  98304 2210512    0    0     0    64 6120 2950 17 71 12  0  0  0
41  1      0 5119100  98304 2210540    0    0     0    72 6388 3010 16 73 11  0  0  0
";

    fn shown(text: &str) -> ShownValues {
        ShownValues::parse(&Shown {
            outputs: vec![ShownOutput {
                command: "x".to_owned(),
                text: text.to_owned(),
            }],
        })
    }

    fn check(answer: &str, text: &str) -> Vec<String> {
        let n = Normalized::new(answer);
        let classes = tags::Tagger::new(&[], &[]).classify(&n);
        misreads(&n, &classes, &shown(text))
            .into_iter()
            .map(|m| m.cited)
            .collect()
    }

    #[test]
    fn parses_vmstat_by_header_position() {
        let values = shown(VMSTAT);
        // The since-boot line is left out.
        assert_eq!(values.range("r"), Some((38.0, 41.0)));
        assert_eq!(values.range("sy"), Some((71.0, 73.0)));
        assert_eq!(values.range("cs"), Some((2950.0, 3010.0)));
    }

    #[test]
    fn agreeing_citations_pass() {
        assert!(check("r is about 40 and sy at 72%, cs=3000", VMSTAT).is_empty());
        assert!(check("12% idle, in=6200", VMSTAT).is_empty());
    }

    #[test]
    fn misreadings_are_caught() {
        assert_eq!(
            check("The run queue is 4, and sy at 35% overall.", VMSTAT),
            ["run queue is 4", "sy at 35%"]
        );
        assert_eq!(check("cs 120k", VMSTAT), ["cs 120k"]);
        assert_eq!(check("about 90% idle", VMSTAT), ["90% idle"]);
        assert_eq!(check("sy over 90", VMSTAT), ["sy over 90"]);
        assert!(check("sy over 60, r below 50", VMSTAT).is_empty());
    }

    #[test]
    fn readings_in_other_phrasings() {
        assert_eq!(
            check("r is above the CPU count at 4", VMSTAT),
            ["r is above the CPU count at 4"]
        );
        assert!(check("r is above the CPU count at 40", VMSTAT).is_empty());
        assert_eq!(check("idle is 60 percent", VMSTAT).len(), 1);
        assert!(check("idle is 11 percent", VMSTAT).is_empty());
        assert_eq!(check("about 540k context switches", VMSTAT).len(), 1);
        assert!(check("about 3k context switches", VMSTAT).is_empty());
        // Other words with no reading word before the number judge nothing.
        assert!(check("r is high with 4 threads per core", VMSTAT).is_empty());
        assert!(check("r is well above the core count of 8", VMSTAT).is_empty());
    }

    #[test]
    fn a_lock_named_as_the_top_must_top_the_table() {
        let table = " contended   total wait     max wait     avg wait            address   symbol

    203400      3.81 s       2.32 ms     18.74 us   ffff88810a2bc040   &hb->lock (spinlock)
    102700      1.92 s       2.32 ms     18.74 us   ffff88823fa30d00   &rq->__lock (spinlock)
";
        assert_eq!(
            check("perf lock shows the zone lock dominates", table),
            ["zone lock dominates"]
        );
        assert_eq!(check("the runqueue lock is the hottest", table).len(), 1);
        assert!(check("perf lock shows the hash bucket lock dominates", table).is_empty());
        assert!(check("the zone lock is fine", table).is_empty());
        assert_eq!(check("the zone lock is the culprit", table).len(), 1);
        assert!(check("the runqueue lock is not the hottest", table).is_empty());
        assert!(check("the zone lock isn't the bottleneck", table).is_empty());
        assert!(check("the hash bucket lock is the bottleneck", table).is_empty());
        let report = "                Name   acquired  contended     avg wait   total wait     max wait     min wait

           &zone->lock     862000     326800     18.94 us      6.19 s       2.32 ms        95 ns
";
        assert!(check("perf lock shows the zone lock dominates", report).is_empty());
    }

    #[test]
    fn a_caller_table_tops_with_the_lock_its_caller_takes() {
        let futex_top = " contended   total wait     max wait     avg wait         type   caller

    483517      3.31 m       1.25 ms    411.12 us        mutex   futex_wake+0x15a
    137364    697.67 ms     21.06 us      5.08 us     spinlock   rmqueue_bulk+0x51
";
        assert_eq!(
            check("perf lock shows the zone lock dominates", futex_top),
            ["zone lock dominates"]
        );
        assert!(check("it's the futex hash bucket lock", futex_top).is_empty());
        assert!(check("the hash bucket lock is the hottest", futex_top).is_empty());
        let zone_top = " contended   total wait     max wait     avg wait         type   caller

    137364    697.67 ms     21.06 us      5.08 us     spinlock   rmqueue_bulk+0x51
     48351      3.31 s       1.25 ms     68.12 us        mutex   futex_wake+0x15a
";
        assert_eq!(
            check("it's the futex hash bucket lock", zone_top),
            ["it's the futex hash bucket lock"]
        );
        assert!(check("perf lock shows the zone lock dominates", zone_top).is_empty());
        assert!(check("it's not the hash bucket lock", zone_top).is_empty());
        // A caller the symbol table does not know tops: no lock name in the answer is it.
        let unknown_top = " contended   total wait     max wait     avg wait         type   caller

      9000    120.00 ms     21.06 us     13.33 us     spinlock   my_driver_poll+0x40
";
        assert_eq!(
            check("the zone lock is the bottleneck", unknown_top).len(),
            1
        );
        // An empty table judges nothing.
        let empty = " contended   total wait     max wait     avg wait         type   caller

";
        assert!(check("the zone lock is the bottleneck", empty).is_empty());
    }

    #[test]
    fn english_words_are_not_citations() {
        assert!(check("in 2 seconds so 5 of us saw it", VMSTAT).is_empty());
    }

    #[test]
    fn other_tools() {
        let mpstat = "10:02:11     CPU    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %guest  %gnice   %idle
10:02:12     all   10.25    0.00   14.50    0.25    0.00   25.00    0.00    0.00    0.00   50.00
10:02:12       0    4.00    0.00    6.00    0.00    0.00   90.00    0.00    0.00    0.00    0.00
";
        assert!(check("cpu 0 is at 90% soft", mpstat).is_empty());
        assert_eq!(check("softirq is 5%", mpstat).len(), 1);
        let top =
            "%Cpu(s): 31.0 us, 52.3 sy,  0.0 ni, 15.9 id,  0.0 wa,  0.0 hi,  0.8 si,  0.0 st \n";
        assert!(check("sy is 52", top).is_empty());
        let iostat = "Device            r/s     rkB/s   rrqm/s  %rrqm r_await rareq-sz     w/s     wkB/s   wrqm/s  %wrqm w_await wareq-sz     d/s     dkB/s   drqm/s  %drqm d_await dareq-sz     f/s f_await  aqu-sz  %util
nvme0n1        850.00  54400.00     0.00   0.00    2.10    64.00  120.00   7680.00    15.00  11.11    8.40    64.00    0.00      0.00     0.00   0.00    0.00     0.00    0.00    0.00    2.79  98.40
";
        assert!(check("%util 98 and await 8 ms", iostat).is_empty());
        assert_eq!(check("await 40 ms", iostat).len(), 1);
    }
}
