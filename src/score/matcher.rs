//! Phrase and regex matching of rubric items against a normalised answer.
//!
//! Phrases are tokenised like answers and matched token by token: each answer token is looked up
//! exactly (hash) and, only when that misses, through the typo policy of `fuzzy`. A phrase word
//! pair may match one answer token ("run queue" ~ "runqueue") and one phrase word may match two
//! answer tokens ("runqueue" ~ "run queue"); "run-queue" is two tokens already. Phrases never
//! span a comma, clause mark or sentence end. Author regexes compile once, with size limits, run
//! case-insensitively on the normalised text, each behind its own literal prefilter. (A
//! `RegexSet` in front of them was dropped: its lazy DFA over all patterns at once cost 0.8 ms to
//! warm on a session's first answer and 60 MiB across a grading run, for no gain once warm.)
//! Owns matching only; must not decide negation, credit or score.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use regex::Regex;

use super::compiled::CompiledForms;
use super::fuzzy::FuzzyIndex;
use super::normalize::{Gap, Normalized};
use super::tags::{NO_WORD, WordKey, short_key};

/// A word-at-a-time multiply-rotate hash (the scheme of rustc's FxHash): keys are short words
/// chosen by the rubric and the candidate, there is no need for DoS resistance, and eight bytes
/// per step is several times cheaper than SipHash or byte-wise FNV.
#[derive(Default)]
pub struct WordHasher(u64);

const HASH_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(HASH_SEED);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        // hashbrown takes the bucket from the low bits and a tag from the top seven: fold the
        // well-mixed high half into the low one.
        self.0 ^ (self.0 >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }
    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }
    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }
    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }
    fn write_u128(&mut self, value: u128) {
        self.add(value as u64);
        self.add((value >> 64) as u64);
    }
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// What a pattern belongs to: an index into the rubric's concepts, red flags or misconceptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    Concept(usize),
    RedFlag(usize),
    Misconception(usize),
    /// One role of an idea (an index into the scorer's role table): its matches are gathered
    /// into the idea's, never credited on their own.
    Role(usize),
}

/// One match in the answer: tokens `from..to`, bytes `start..end` of the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub item: Item,
    pub from: usize,
    pub to: usize,
    pub start: usize,
    pub end: usize,
    pub fuzzy: bool,
    /// The author regex that matched (index into the matcher's regexes), or [`PHRASE`].
    pub regex: u32,
}

/// [`Match::regex`] of a phrase match.
pub const PHRASE: u32 = u32::MAX;

/// A pattern that could not be compiled; it is skipped and reported, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub item: Item,
    pub pattern: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
struct Phrase {
    item: Item,
    words: Vec<u32>,
    /// `joins[p]`: the vocabulary id of `words[p] + words[p + 1]` written as one word.
    joins: Vec<Option<u32>>,
}

/// The phrases as a prefix tree of vocabulary ids: an answer token is compared with each
/// distinct phrase prefix once, however many phrases share it (a rubric's plain forms and role
/// alternatives run to thousands, many starting with the same few words). Node 0 is the root;
/// a node at depth `p` stands for the first `p` words of the phrases through it.
#[derive(Debug, Clone, Default)]
struct Trie {
    nodes: Vec<Node>,
    /// Per node, sorted by vocabulary id: the next word and the child it leads to.
    words: Vec<(u32, u32)>,
    /// Per node, sorted by vocabulary id: the next two words written as one, and the
    /// grandchild they lead to.
    joins: Vec<(u32, u32)>,
    /// Per node: the items of the phrases that end there, in the order they were added.
    ends: Vec<Item>,
    /// The root's edges again, indexed by vocabulary id ([`NO_NODE`] for none): every answer
    /// token with a vocabulary id asks the root, so that step is one index, not a search.
    root_words: Vec<u32>,
    root_joins: Vec<u32>,
}

/// No node: the entry of [`Trie::root_words`] and [`Trie::root_joins`] of an id that starts no
/// phrase.
const NO_NODE: u32 = u32::MAX;

/// Ranges (start, length) of one node's entries in the trie's flat tables.
#[derive(Debug, Clone, Copy, Default)]
struct Node {
    words: (u32, u32),
    joins: (u32, u32),
    ends: (u32, u32),
}

impl Trie {
    /// Builds the tree of `phrases`. Nodes are numbered in the order phrases first reach them;
    /// a join edge written twice keeps the last grandchild given. The edges are gathered in
    /// hash maps and sorted into the flat tables once, not kept sorted while building: a
    /// shipped rubric's plain matcher has thousands of phrases.
    fn new(phrases: &[Phrase]) -> Self {
        // Sized for every phrase word an edge of its own (phrases share prefixes, so fewer are
        // needed): growing step by step rehashed thousands of edges several times over.
        let edges: usize = phrases.iter().map(|phrase| phrase.words.len()).sum();
        let mut words: FastMap<(u32, u32), u32> =
            FastMap::with_capacity_and_hasher(edges, Default::default());
        let mut joins: FastMap<(u32, u32), u32> =
            FastMap::with_capacity_and_hasher(edges, Default::default());
        // (node, item) of each phrase ending, in phrase order.
        let mut ends: Vec<(u32, Item)> = Vec::with_capacity(phrases.len());
        let mut nodes = 1u32;
        // The node of every prefix of the phrase at hand: path[p] stands for words[..p].
        let mut path: Vec<u32> = Vec::new();
        for phrase in phrases {
            path.clear();
            path.push(0);
            for &word in &phrase.words {
                let node = *path.last().unwrap_or(&0);
                let child = *words.entry((node, word)).or_insert_with(|| {
                    nodes += 1;
                    nodes - 1
                });
                path.push(child);
            }
            for (p, join) in phrase.joins.iter().enumerate() {
                if let (Some(join), Some(&to)) = (join, path.get(p + 2)) {
                    joins.insert((path[p], *join), to);
                }
            }
            if let Some(&last) = path.last() {
                ends.push((last, phrase.item));
            }
        }
        let sorted = |edges: FastMap<(u32, u32), u32>| {
            let mut edges: Vec<(u32, u32, u32)> = edges
                .into_iter()
                .map(|((node, id), child)| (node, id, child))
                .collect();
            edges.sort_unstable();
            edges
        };
        let (words, joins) = (sorted(words), sorted(joins));
        // Each phrase's end in phrase order within its node (a stable sort by node).
        ends.sort_by_key(|&(node, _)| node);
        let dense = |edges: &[(u32, u32, u32)]| {
            let root = &edges[..edges.partition_point(|&(node, _, _)| node == 0)];
            let size = root.last().map_or(0, |&(_, id, _)| id as usize + 1);
            let mut table = vec![NO_NODE; size];
            for &(_, id, child) in root {
                table[id as usize] = child;
            }
            table
        };
        let mut trie = Trie {
            root_words: dense(&words),
            root_joins: dense(&joins),
            nodes: Vec::with_capacity(nodes as usize),
            words: words.iter().map(|&(_, id, child)| (id, child)).collect(),
            joins: joins.iter().map(|&(_, id, child)| (id, child)).collect(),
            ends: ends.iter().map(|&(_, item)| item).collect(),
        };
        // Each node's range in a table sorted by node.
        let ranges = |keys: &mut dyn Iterator<Item = u32>| {
            let mut counts = vec![0u32; nodes as usize];
            for node in keys {
                counts[node as usize] += 1;
            }
            let mut start = 0u32;
            counts
                .into_iter()
                .map(|count| {
                    let range = (start, count);
                    start += count;
                    range
                })
                .collect::<Vec<_>>()
        };
        let word_ranges = ranges(&mut words.iter().map(|&(node, _, _)| node));
        let join_ranges = ranges(&mut joins.iter().map(|&(node, _, _)| node));
        let end_ranges = ranges(&mut ends.iter().map(|&(node, _)| node));
        for node in 0..nodes as usize {
            trie.nodes.push(Node {
                words: word_ranges[node],
                joins: join_ranges[node],
                ends: end_ranges[node],
            });
        }
        trie
    }

    fn edge(table: &[(u32, u32)], (start, len): (u32, u32), id: u32) -> Option<u32> {
        let edges = &table[start as usize..(start + len) as usize];
        edges
            .binary_search_by_key(&id, |&(key, _)| key)
            .ok()
            .map(|at| edges[at].1)
    }

    fn child(&self, node: u32, word: u32) -> Option<u32> {
        if node == 0 {
            return Self::root_edge(&self.root_words, word);
        }
        Self::edge(&self.words, self.nodes[node as usize].words, word)
    }

    fn join_child(&self, node: u32, join: u32) -> Option<u32> {
        if node == 0 {
            return Self::root_edge(&self.root_joins, join);
        }
        Self::edge(&self.joins, self.nodes[node as usize].joins, join)
    }

    fn root_edge(table: &[u32], id: u32) -> Option<u32> {
        table
            .get(id as usize)
            .copied()
            .filter(|&node| node != NO_NODE)
    }

    fn ends(&self, node: u32) -> &[Item] {
        let (start, len) = self.nodes[node as usize].ends;
        &self.ends[start as usize..(start + len) as usize]
    }
}

/// The spellings of a matcher's words with their vocabulary ids. Words of up to 16 bytes (almost
/// all) are keyed by their packed bytes (`tags::short_key`): a shipped rubric's plain matcher
/// records thousands of spellings (every inflection and synonym of every phrase word), and a
/// heap string each made building and dropping a scorer mostly allocation.
#[derive(Debug, Clone, Default)]
struct Vocab {
    short: FastMap<u128, u32>,
    long: FastMap<String, u32>,
}

impl Vocab {
    fn get(&self, word: &str) -> Option<u32> {
        match short_key(word) {
            Some(key) => self.short.get(&key),
            None => self.long.get(word),
        }
        .copied()
    }

    fn insert(&mut self, word: &str, id: u32) {
        match short_key(word) {
            Some(key) => self.short.insert(key, id),
            None => self.long.insert(word.to_owned(), id),
        };
    }

    fn iter(&self) -> impl Iterator<Item = (WordKey<'_>, u32)> {
        self.short
            .iter()
            .map(|(&key, &id)| (WordKey::Short(key), id))
            .chain(
                self.long
                    .iter()
                    .map(|(word, &id)| (WordKey::Long(word), id)),
            )
    }
}

#[derive(Debug, Clone, Default)]
pub struct Matcher {
    vocab: Vocab,
    fuzzy: FuzzyIndex,
    /// By vocabulary id: whether the word is in the fuzzy index already.
    fuzzy_ids: Vec<bool>,
    phrases: Vec<Phrase>,
    /// `phrases` as a prefix tree, built once all are added.
    trie: Trie,
    longest_word: usize,
    /// Bit `k` set when some vocabulary word is `k` bytes long (63: longer), and which bytes
    /// start one: a cheap filter before joining two answer tokens to look them up.
    lengths: u64,
    first_bytes: Vec<bool>,
    /// Shared with every scorer of the catalog, search caches included.
    regexes: Vec<(Arc<Regex>, Item)>,
    /// A bucket per item of the phrases and regexes, for sorting matches.
    slots: ItemSlots,
    /// Per regex: the words written out literally in its source, sorted (see
    /// [`Matcher::regex_spells`]).
    regex_words: Vec<Vec<String>>,
    pub skipped: Vec<Skipped>,
    /// The next vocabulary id (ids are per word; its inflections share it).
    next_id: u32,
    /// Plain-language matching: every phrase word also matches its inflections (`inflect`).
    inflect: bool,
}

impl Matcher {
    /// A matcher of exact phrases and author regexes; `forms` supplies compiled regexes.
    pub fn new<'a, 'b: 'a>(
        patterns: impl IntoIterator<Item = (Item, &'a [&'b str], &'a [&'b str])>,
        forms: &CompiledForms,
    ) -> Self {
        let mut matcher = Matcher::default();
        for (item, phrases, regexes) in patterns {
            for phrase in phrases {
                matcher.add_phrase(item, phrase, forms);
            }
            matcher.add_regexes(item, regexes, forms);
        }
        matcher.index_starts();
        matcher
    }

    /// A matcher of plain-language phrases: each word also matches its inflections (hold /
    /// held / holding), technical words excepted (see `inflect`); `forms` supplies them.
    pub fn plain<'a>(
        phrases: impl IntoIterator<Item = (Item, &'a str)>,
        forms: &CompiledForms,
    ) -> Self {
        let mut matcher = Matcher {
            inflect: true,
            ..Matcher::default()
        };
        for (item, phrase) in phrases {
            matcher.add_phrase(item, phrase, forms);
        }
        matcher.index_starts();
        matcher
    }

    fn add_regexes(&mut self, item: Item, regexes: &[&str], forms: &CompiledForms) {
        for source in regexes {
            match forms.regex(source) {
                Ok(regex) => {
                    self.regexes.push((regex, item));
                    self.regex_words.push(literal_words(source));
                }
                Err(reason) => self.skipped.push(Skipped {
                    item,
                    pattern: (*source).to_owned(),
                    reason,
                }),
            }
        }
    }

    /// Builds the prefix tree once every phrase is added.
    fn index_starts(&mut self) {
        self.trie = Trie::new(&self.phrases);
        for item in self
            .phrases
            .iter()
            .map(|p| p.item)
            .chain(self.regexes.iter().map(|r| r.1))
        {
            self.slots.add(item);
        }
    }

    /// A phrase word or, with `joined`, two phrase words written as one (those match exactly
    /// only: a typo inside a run-together word is too weak a signal, and they would double the
    /// fuzzy candidates).
    fn intern(&mut self, word: &str, joined: bool, forms: &CompiledForms) -> u32 {
        if let Some(id) = self.vocab.get(word) {
            if !joined && !self.fuzzy_ids.get(id as usize).copied().unwrap_or(false) {
                self.mark_fuzzy(id);
                self.fuzzy.add(id, word);
            }
            return id;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.insert_spelling(word, id);
        if !joined {
            self.mark_fuzzy(id);
            self.fuzzy.add(id, word);
            if self.inflect {
                // Inflected forms and synonyms match exactly only, and never take over a word
                // that is a rubric word of its own.
                for form in forms.variants(word).iter().skip(1) {
                    if self.vocab.get(form).is_none() {
                        self.insert_spelling(form, id);
                    }
                }
            }
        }
        id
    }

    fn mark_fuzzy(&mut self, id: u32) {
        let at = id as usize;
        if self.fuzzy_ids.len() <= at {
            self.fuzzy_ids.resize(at + 1, false);
        }
        self.fuzzy_ids[at] = true;
    }

    /// Records one spelling of vocabulary word `id`.
    fn insert_spelling(&mut self, word: &str, id: u32) {
        self.vocab.insert(word, id);
        self.lengths |= 1 << word.len().min(63);
        if self.first_bytes.is_empty() {
            self.first_bytes = vec![false; 256];
        }
        if let Some(&b) = word.as_bytes().first() {
            self.first_bytes[usize::from(b)] = true;
        }
        self.longest_word = self.longest_word.max(word.len());
    }

    fn add_phrase(&mut self, item: Item, phrase: &str, forms: &CompiledForms) {
        let compiled = forms.phrase_words(phrase);
        let texts = &compiled.words;
        if texts.is_empty() {
            self.skipped.push(Skipped {
                item,
                pattern: phrase.to_owned(),
                reason: "the phrase has no words".to_owned(),
            });
            return;
        }
        let words: Vec<u32> = texts.iter().map(|w| self.intern(w, false, forms)).collect();
        let joins = (0..texts.len())
            .map(|p| (p + 1 < texts.len()).then(|| self.intern(&compiled.joined[p], true, forms)))
            .collect();
        self.phrases.push(Phrase { item, words, joins });
    }

    /// How many spellings [`Matcher::vocabulary`] yields.
    pub fn vocabulary_size(&self) -> usize {
        self.vocab.short.len() + self.vocab.long.len()
    }

    /// The phrase vocabulary: each word (and run-together word pair) with its id.
    pub fn vocabulary(&self) -> impl Iterator<Item = (WordKey<'_>, u32)> {
        self.vocab.iter()
    }

    /// Every phrase and regex match in the answer, in a deterministic order.
    #[cfg(test)]
    pub fn find(&self, n: &Normalized<'_>, out: &mut Vec<Match>) {
        let exact: Vec<u32> = (0..n.tokens.len())
            .map(|i| self.vocab.get(n.token_text(i)).unwrap_or(NO_WORD))
            .collect();
        self.find_tagged(n, &exact, out);
    }

    /// Every phrase and regex match in the answer, in a deterministic order, given each token's
    /// exact vocabulary id (`NO_WORD` when it has none).
    #[allow(clippy::needless_range_loop)]
    pub fn find_tagged(&self, n: &Normalized<'_>, exact: &[u32], out: &mut Vec<Match>) {
        if self.phrases.is_empty() && self.regexes.is_empty() {
            // A rubric with no plain forms leaves its plain matcher empty: no work at all.
            return;
        }
        let before = out.len();
        let count = n.tokens.len();
        // Per token: a range into `ids` of (vocabulary id, fuzzy).
        let mut ranges: Vec<(u32, u32)> = Vec::with_capacity(count);
        let mut ids: Vec<(u32, bool)> = Vec::with_capacity(count);
        // Fuzzy results of tokens seen before in this answer (those of up to 16 bytes).
        let mut cache: FastMap<u128, (u32, u32)> = FastMap::default();
        let mut scratch = Vec::new();
        for i in 0..count {
            let text = n.token_text(i);
            let id = exact.get(i).copied().unwrap_or(NO_WORD);
            if id != NO_WORD {
                ranges.push((ids.len() as u32, 1));
                ids.push((id, false));
                continue;
            }
            if n.tokens[i].numeric || text.len() < super::fuzzy::MIN_FUZZY_CHARS {
                ranges.push((0, 0));
                continue;
            }
            let mut lookup = || {
                scratch.clear();
                self.fuzzy.lookup(text, &mut scratch);
                let start = ids.len() as u32;
                ids.extend(scratch.iter().map(|&id| (id, true)));
                (start, scratch.len() as u32)
            };
            let range = match short_key(text) {
                Some(key) => *cache.entry(key).or_insert_with(lookup),
                None => lookup(),
            };
            ranges.push(range);
        }
        // Two adjacent tokens written as one rubric word.
        let mut split: Vec<Option<u32>> = vec![None; count];
        let mut joined = String::new();
        for i in 0..count.saturating_sub(1) {
            let (a, b) = (&n.tokens[i], &n.tokens[i + 1]);
            let joined_len = (a.end - a.start) + (b.end - b.start);
            if b.gap >= Gap::Comma
                || joined_len > self.longest_word
                || self.lengths & (1 << joined_len.min(63)) == 0
                || self
                    .first_bytes
                    .get(usize::from(n.text.as_bytes()[a.start]))
                    != Some(&true)
            {
                continue;
            }
            let (first, second) = (n.token_text(i).as_bytes(), n.token_text(i + 1).as_bytes());
            split[i] = if joined_len <= 16 {
                let mut packed = [0u8; 16];
                packed[..first.len()].copy_from_slice(first);
                packed[first.len()..joined_len].copy_from_slice(second);
                self.vocab.short.get(&u128::from_le_bytes(packed)).copied()
            } else {
                joined.clear();
                joined.push_str(n.token_text(i));
                joined.push_str(n.token_text(i + 1));
                self.vocab.long.get(joined.as_str()).copied()
            };
        }
        let view = View {
            n,
            ranges: &ranges,
            ids: &ids,
            split: &split,
        };
        // The phrases ending at a node are recorded once per start token: at the first path
        // that reaches it (see `View::walk`).
        let mut reached: Vec<u32> = Vec::new();
        for i in 0..count {
            // A token none of whose readings (its words, itself joined with the next, itself
            // split in two) is a phrase's first word starts nothing: most of a rubric's words
            // only ever follow others. The root records no match itself (every phrase has a
            // word), so skipping the walk loses nothing.
            let (s, l) = ranges[i];
            let starts = ids[s as usize..(s + l) as usize].iter().any(|&(id, _)| {
                self.trie.child(0, id).is_some() || self.trie.join_child(0, id).is_some()
            }) || split[i].is_some_and(|word| self.trie.child(0, word).is_some());
            if !starts {
                continue;
            }
            reached.clear();
            view.walk(&self.trie, 0, i, i, false, &mut reached, out);
        }
        self.find_regexes(n, out);
        sort_new_matches(out, before, &self.slots);
        // The same phrase can be reached from two start candidates (a word and a join).
        out.dedup_by(|a, b| (a.item, a.from, a.to) == (b.item, b.from, b.to));
    }

    fn find_regexes(&self, n: &Normalized<'_>, out: &mut Vec<Match>) {
        for (index, (regex, item)) in self.regexes.iter().enumerate() {
            let pattern = index as u32;
            for found in regex.find_iter(&n.text) {
                if found.start() == found.end() {
                    continue;
                }
                let from = n.tokens.partition_point(|t| t.end <= found.start());
                let to = n
                    .tokens
                    .partition_point(|t| t.start < found.end())
                    .max(from);
                out.push(Match {
                    item: *item,
                    from,
                    to,
                    start: found.start(),
                    end: found.end(),
                    fuzzy: false,
                    regex: pattern,
                });
            }
        }
    }
}

/// The order of matches: by item, then position (byte span, token span), exact before fuzzy.
fn match_order(m: &Match) -> (Item, usize, usize, usize, usize, bool) {
    (m.item, m.start, m.end, m.from, m.to, m.fuzzy)
}

/// Sorts the matches from `before` on (this call's, found by [`Matcher::find_tagged`]) into
/// [`match_order`] and merges them with the sorted ones before them, exactly as a stable sort
/// of the whole vector would order them: among equal keys, earlier matches first (those of an
/// earlier call, then phrase matches in the order found, then regex matches by regex).
///
/// An answer against a shipped rubric finds several hundred role matches, and comparison sorts
/// of them cost more than finding them. They are nearly in order already: phrase matches are
/// found by start token, then each regex's by position. So a stable counting sort by item
/// (`slots` gives each item its bucket), then a stable sort of each (small) bucket by position,
/// and one merge with the earlier part.
fn sort_new_matches(out: &mut Vec<Match>, before: usize, slots: &ItemSlots) {
    let new = &out[before..];
    let mut starts = vec![0u32; slots.total() + 1];
    for m in new {
        starts[slots.slot(m.item) + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut next = starts.clone();
    let mut sorted = vec![
        Match {
            item: Item::Concept(0),
            from: 0,
            to: 0,
            start: 0,
            end: 0,
            fuzzy: false,
            regex: PHRASE,
        };
        new.len()
    ];
    for m in new {
        let at = &mut next[slots.slot(m.item)];
        sorted[*at as usize] = *m;
        *at += 1;
    }
    for bucket in starts.windows(2) {
        let bucket = &mut sorted[bucket[0] as usize..bucket[1] as usize];
        if bucket.len() > 1 {
            bucket.sort_by_key(|m| (m.start, m.end, m.from, m.to, m.fuzzy));
        }
    }
    out.truncate(before);
    if before == 0
        || sorted
            .first()
            .is_none_or(|m| match_order(&out[before - 1]) <= match_order(m))
    {
        out.extend_from_slice(&sorted);
        return;
    }
    let old = std::mem::take(out);
    out.reserve(old.len() + sorted.len());
    let (mut a, mut b) = (old.into_iter().peekable(), sorted.into_iter().peekable());
    loop {
        let take_old = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => match_order(x) <= match_order(y),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_old { a.next() } else { b.next() };
        out.extend(next);
    }
}

/// A dense index for every item a matcher's patterns belong to, in [`Item`] order: the buckets
/// of [`sort_new_matches`].
#[derive(Debug, Clone, Copy, Default)]
struct ItemSlots {
    /// Per variant (concept, red flag, misconception, role): one more than its highest index.
    counts: [usize; 4],
}

impl ItemSlots {
    fn variant(item: Item) -> (usize, usize) {
        match item {
            Item::Concept(i) => (0, i),
            Item::RedFlag(i) => (1, i),
            Item::Misconception(i) => (2, i),
            Item::Role(i) => (3, i),
        }
    }

    fn add(&mut self, item: Item) {
        let (variant, index) = Self::variant(item);
        self.counts[variant] = self.counts[variant].max(index + 1);
    }

    fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The bucket of `item`, which must be one of the matcher's.
    fn slot(&self, item: Item) -> usize {
        let (variant, index) = Self::variant(item);
        self.counts[..variant].iter().sum::<usize>() + index
    }
}

/// The words a regex source spells out: lower-cased runs of letters and apostrophes, once
/// escapes such as `\b`, `\s` and `\w` are removed (`\bnever\s(sleeps?|blocks?)` spells
/// "never", "sleeps", "blocks"; a word split by regex syntax, like `doesn'?t`, is not spelled).
fn literal_words(source: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(source.len());
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
            cleaned.push(' ');
        } else {
            cleaned.extend(c.to_lowercase());
        }
    }
    let mut words: Vec<String> = cleaned
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '_'))
        .filter(|w| w.chars().any(char::is_alphabetic))
        .map(str::to_owned)
        .collect();
    words.sort();
    words.dedup();
    words
}

impl Matcher {
    /// Whether regex `index` spells out `word` literally, so a trigger word inside its match was
    /// written by the rubric's author rather than swallowed by a gap like `[^.]{0,20}`.
    pub fn regex_spells(&self, index: u32, word: &str) -> bool {
        self.regex_words
            .get(index as usize)
            .is_some_and(|words| words.binary_search_by(|w| w.as_str().cmp(word)).is_ok())
    }
}

struct View<'v, 'a> {
    n: &'v Normalized<'a>,
    ranges: &'v [(u32, u32)],
    ids: &'v [(u32, bool)],
    split: &'v [Option<u32>],
}

impl View<'_, '_> {
    /// Walks the phrase tree from `node` at answer token `i` (the phrases started at token
    /// `first`; `fuzzy` when a token on the way matched only with typo tolerance) and records
    /// a match for the phrases ending at each node reached. At each word the ways on are tried
    /// in a fixed order: the token is the word; the token is this word and the next written as
    /// one; the token and the next are the word split in two. A node is recorded at the first
    /// path that reaches it, so each phrase gets the match of the first way through it in
    /// that order, whatever other phrases share its words.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        trie: &Trie,
        node: u32,
        i: usize,
        first: usize,
        fuzzy: bool,
        reached: &mut Vec<u32>,
        out: &mut Vec<Match>,
    ) {
        let ends = trie.ends(node);
        if !ends.is_empty() && !reached.contains(&node) {
            reached.push(node);
            for &item in ends {
                out.push(Match {
                    item,
                    from: first,
                    to: i,
                    start: self.n.tokens[first].start,
                    end: self.n.tokens[i - 1].end,
                    fuzzy,
                    regex: PHRASE,
                });
            }
        }
        if i >= self.n.tokens.len() || (i > first && self.n.tokens[i].gap >= Gap::Comma) {
            return;
        }
        let (s, l) = self.ranges[i];
        let candidates = &self.ids[s as usize..(s + l) as usize];
        for &(id, token_fuzzy) in candidates {
            if let Some(child) = trie.child(node, id) {
                self.walk(
                    trie,
                    child,
                    i + 1,
                    first,
                    fuzzy || token_fuzzy,
                    reached,
                    out,
                );
            }
        }
        for &(id, token_fuzzy) in candidates {
            if let Some(grandchild) = trie.join_child(node, id) {
                self.walk(
                    trie,
                    grandchild,
                    i + 1,
                    first,
                    fuzzy || token_fuzzy,
                    reached,
                    out,
                );
            }
        }
        if let Some(word) = self.split[i]
            && self.n.tokens.get(i + 1).is_some_and(|t| t.gap < Gap::Comma)
            && let Some(child) = trie.child(node, word)
        {
            self.walk(trie, child, i + 2, first, fuzzy, reached, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(phrases: &[&str], answer: &str) -> Vec<(String, bool)> {
        let none: Vec<&str> = Vec::new();
        let matcher = Matcher::new(
            [(Item::Concept(0), phrases, &none[..])],
            &CompiledForms::default(),
        );
        let n = Normalized::new(answer);
        let mut out = Vec::new();
        matcher.find(&n, &mut out);
        out.iter()
            .map(|m| {
                (
                    n.original
                        [n.original_span(m.start, m.end).0..n.original_span(m.start, m.end).1]
                        .to_owned(),
                    m.fuzzy,
                )
            })
            .collect()
    }

    #[test]
    fn run_queue_spellings() {
        for answer in [
            "the runqueue is long",
            "the run-queue is long",
            "the Run Queue is long",
        ] {
            assert_eq!(matches(&["run queue"], answer).len(), 1, "{answer}");
        }
        assert_eq!(matches(&["runqueue"], "the run queue is long").len(), 1);
    }

    #[test]
    fn phrases_sharing_words_each_match_once() {
        let phrases = [
            "run queue",
            "run queue length",
            "run queue is long",
            "run",
            "queue length",
        ];
        let answer = "the runqueue length grew, the run queue is long, queue length 40";
        let found = matches(&phrases, answer);
        let texts: Vec<&str> = found.iter().map(|(text, _)| text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "runqueue",
                "runqueue length",
                "run",
                "run queue",
                "run queue is long",
                "queue length"
            ]
        );
    }

    #[test]
    fn fuzzy_only_on_long_words() {
        assert_eq!(
            matches(&["lock contention"], "lock contetion"),
            [("lock contetion".to_owned(), true)]
        );
        assert!(matches(&["futex wait"], "mutex wait").is_empty());
        assert!(matches(&["lock contention"], "lack contention").is_empty());
    }

    #[test]
    fn phrases_do_not_span_commas() {
        assert!(matches(&["more threads"], "add more, threads").is_empty());
    }

    #[test]
    fn regex_sources_spell_their_literal_words() {
        assert_eq!(
            literal_words(r"\bNever\s(sleeps?|blocks?)\b"),
            ["blocks", "never", "sleeps"]
        );
        assert_eq!(literal_words(r"\bsy\b[^.]{0,20}\bhigh"), ["high", "sy"]);
        assert_eq!(literal_words(r"doesn't\s+spin"), ["doesn't", "spin"]);
    }

    #[test]
    fn bucket_sort_orders_like_a_stable_sort() {
        let mut slots = ItemSlots::default();
        let items = [
            Item::Concept(2),
            Item::Concept(0),
            Item::RedFlag(1),
            Item::Misconception(0),
            Item::Role(5),
            Item::Role(0),
        ];
        for item in items {
            slots.add(item);
        }
        // Deterministic pseudo-random matches, some sharing every key field.
        let mut state = 7u64;
        let mut next = |bound: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            ((state >> 33) % bound) as usize
        };
        let mut all = Vec::new();
        for _ in 0..300 {
            let from = next(20);
            let to = from + 1 + next(3);
            all.push(Match {
                item: items[next(items.len() as u64)],
                from,
                to,
                start: from * 4,
                end: to * 4 - 1,
                fuzzy: next(4) == 0,
                regex: if next(3) == 0 { next(3) as u32 } else { PHRASE },
            });
        }
        for before in [0, 40, 150] {
            let mut old = all[..before].to_vec();
            old.sort_by_key(match_order);
            let mut expected = old.clone();
            expected.extend_from_slice(&all[before..]);
            expected.sort_by_key(match_order);
            let mut got = old;
            got.extend_from_slice(&all[before..]);
            sort_new_matches(&mut got, before, &slots);
            assert_eq!(got, expected, "before = {before}");
        }
    }

    #[test]
    fn bad_regex_is_skipped_not_fatal() {
        let none: Vec<&str> = Vec::new();
        let bad = ["(unclosed", "fine"];
        let matcher = Matcher::new(
            [(Item::RedFlag(1), &none[..], &bad[..])],
            &CompiledForms::default(),
        );
        assert_eq!(matcher.skipped.len(), 1);
        let n = Normalized::new("this is FINE");
        let mut out = Vec::new();
        matcher.find(&n, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].from, out[0].to), (2, 3));
    }
}
