//! Normalising and tokenising an answer once: Unicode NFKC, lower case, ASCII quotes and
//! dashes, collapsed whitespace (CRLF included), with a map from every normalised byte back to
//! the original text so evidence quotes exactly what the candidate wrote.
//!
//! Owns sentence, clause and line boundaries between tokens. Must not know about rubrics,
//! triggers or scoring: everything downstream works on these tokens.

use unicode_normalization::UnicodeNormalization;

/// The punctuation between a token and the one before it, strongest wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Gap {
    None,
    /// A single line break (hard-wrapped prose keeps its sentence going).
    Line,
    Comma,
    /// `;`, `:`, brackets: end of a clause.
    Clause,
    /// `.`, `!`, `?`, a blank line, or a new bullet item.
    Sentence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte range in the normalised text.
    pub start: usize,
    pub end: usize,
    /// Contains a digit: never fuzzy, may be a cited value.
    pub numeric: bool,
    /// What separates it from the previous token.
    pub gap: Gap,
    pub sentence: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Normalized<'a> {
    pub original: &'a str,
    pub text: String,
    /// For each byte of `text`, the byte offset in `original` of the character it came from;
    /// empty when `text` is `original` lower-cased byte for byte (the ASCII fast path), and the
    /// offset is the index itself.
    map: Vec<u32>,
    pub tokens: Vec<Token>,
    /// Token index ranges, one per sentence.
    pub sentences: Vec<(usize, usize)>,
}

/// Curly quotes, primes and dashes to their ASCII forms; zero-width characters dropped.
fn ascii_fold(c: char) -> Option<char> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => '-',
        '\u{2026}' => '.',
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => return None,
        other => other,
    })
}

/// Whether normalising leaves every byte where it is: printable ASCII words separated by single
/// spaces or single line breaks, nothing before the first or after the last visible character.
/// Such text (most answers) only needs lower-casing, and its byte offsets map to themselves.
fn in_place(bytes: &[u8]) -> bool {
    let space = |b: u8| b <= b' ' || b == 0x7f;
    if bytes.first().is_some_and(|&b| space(b)) || bytes.last().is_some_and(|&b| space(b)) {
        return false;
    }
    let mut previous_space = false;
    for &b in bytes {
        if b >= 0x7f {
            return false;
        }
        if b <= b' ' {
            if previous_space || (b != b' ' && b != b'\n') {
                return false;
            }
            previous_space = true;
        } else {
            previous_space = false;
        }
    }
    true
}

impl<'a> Normalized<'a> {
    pub fn new(original: &'a str) -> Self {
        let bytes = original.as_bytes();
        if in_place(bytes) {
            let mut lower = bytes.to_ascii_lowercase();
            for b in &mut lower {
                if *b == b'`' {
                    *b = b'\'';
                }
            }
            // ASCII in, ASCII out: this never replaces anything.
            let text = String::from_utf8(lower)
                .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
            let mut normalized = Normalized {
                original,
                text,
                map: Vec::new(),
                tokens: Vec::new(),
                sentences: Vec::new(),
            };
            normalized.tokenize();
            return normalized;
        }
        let mut text: Vec<u8> = Vec::with_capacity(original.len() + 8);
        let mut map: Vec<u32> = Vec::with_capacity(original.len() + 8);
        // Pending whitespace: (offset of its first char, newlines seen).
        let mut pending: Option<(usize, u32)> = None;
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            // ASCII fast path: most answers are plain ASCII.
            if b < 0x80 {
                if b <= b' ' || b == 0x7f {
                    let newline = b == b'\n' || (b == b'\r' && bytes.get(at + 1) != Some(&b'\n'));
                    pending.get_or_insert((at, 0)).1 += u32::from(newline);
                    at += 1;
                } else {
                    // A run of visible ASCII: copied lower-cased in one go.
                    flush(&mut text, &mut map, &mut pending);
                    let end = bytes[at..]
                        .iter()
                        .position(|&c| c <= b' ' || c >= 0x7f)
                        .map_or(bytes.len(), |k| at + k);
                    text.extend(bytes[at..end].iter().map(|&c| match c {
                        b'`' => b'\'',
                        _ => c.to_ascii_lowercase(),
                    }));
                    map.extend(offset(at)..offset(end));
                    at = end;
                }
                continue;
            }
            let Some(c) = original[at..].chars().next() else {
                break;
            };
            let len = c.len_utf8();
            if c.is_whitespace() || c.is_control() {
                pending.get_or_insert((at, 0));
                at += len;
                continue;
            }
            if let Some(folded) = ascii_fold(c) {
                for n in std::iter::once(folded).nfkc() {
                    let Some(n) = ascii_fold(n) else { continue };
                    if n.is_whitespace() || n.is_control() {
                        pending.get_or_insert((at, 0));
                        continue;
                    }
                    for lower in n.to_lowercase() {
                        flush(&mut text, &mut map, &mut pending);
                        let mut buffer = [0u8; 4];
                        let encoded = lower.encode_utf8(&mut buffer).as_bytes();
                        text.extend_from_slice(encoded);
                        map.extend(std::iter::repeat_n(offset(at), encoded.len()));
                    }
                }
            }
            at += len;
        }
        // Only whole UTF-8 sequences were pushed, so this never replaces anything.
        let text = String::from_utf8(text)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
        let mut normalized = Normalized {
            original,
            text,
            map,
            tokens: Vec::new(),
            sentences: Vec::new(),
        };
        normalized.tokenize();
        normalized
    }

    /// The original byte range behind a normalised byte range.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        let len = self.text.len();
        if len == 0 || start >= end {
            let at = if start < len {
                self.origin(start)
            } else {
                self.original.len()
            };
            return (at, at);
        }
        let from = self.origin(start.min(len - 1));
        let last = self.origin((end - 1).min(len - 1));
        let to = last
            + self.original[last..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        (from, to.max(from))
    }

    /// The original byte offset of normalised byte `at` (`at < text.len()`).
    fn origin(&self, at: usize) -> usize {
        if self.map.is_empty() {
            at
        } else {
            self.map[at] as usize
        }
    }

    pub fn token_text(&self, index: usize) -> &str {
        let token = &self.tokens[index];
        &self.text[token.start..token.end]
    }

    /// The original text of tokens `from..to` (exclusive), with its byte range.
    pub fn original_tokens(&self, from: usize, to: usize) -> (usize, usize, &'a str) {
        if from >= to || to > self.tokens.len() {
            return (0, 0, "");
        }
        let (s, e) = self.original_span(self.tokens[from].start, self.tokens[to - 1].end);
        (s, e, &self.original[s..e])
    }

    fn tokenize(&mut self) {
        let tokens = if self.text.is_ascii() {
            self.ascii_tokens()
        } else {
            self.general_tokens()
        };
        // Sentences as token ranges.
        let mut sentences = Vec::new();
        let mut from = 0;
        for (i, token) in tokens.iter().enumerate() {
            if i > 0 && token.sentence != tokens[i - 1].sentence {
                sentences.push((from, i));
                from = i;
            }
        }
        if !tokens.is_empty() {
            sentences.push((from, tokens.len()));
        }
        self.tokens = tokens;
        self.sentences = sentences;
    }

    /// [`Self::general_tokens`] for ASCII text (most answers), byte by byte with no character
    /// decoding; the two agree on every ASCII input (see the tests).
    fn ascii_tokens(&self) -> Vec<Token> {
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        let mut tokens = Vec::with_capacity(len / 5 + 1);
        let mut gap = Gap::None;
        let mut sentence: u32 = 0;
        let mut line_start = true;
        let mut at = 0;
        while at < len {
            let b = bytes[at];
            if is_ascii_word(b) {
                let start = at;
                let mut end = at + 1;
                loop {
                    while end < len && is_ascii_word(bytes[end]) {
                        end += 1;
                    }
                    // `'` inside words, `.` / `,` between digits (2.5, 120,000).
                    if end + 1 < len {
                        let (next, after) = (bytes[end], bytes[end + 1]);
                        let inner = match next {
                            b'\'' => after.is_ascii_alphabetic(),
                            b'.' | b',' => {
                                bytes[end - 1].is_ascii_digit() && after.is_ascii_digit()
                            }
                            _ => false,
                        };
                        if inner {
                            end += 1;
                            continue;
                        }
                    }
                    break;
                }
                if gap == Gap::Sentence && !tokens.is_empty() {
                    sentence += 1;
                }
                tokens.push(Token {
                    start,
                    end,
                    numeric: bytes[start..end].iter().any(u8::is_ascii_digit),
                    gap: if tokens.is_empty() { Gap::None } else { gap },
                    sentence,
                });
                gap = Gap::None;
                line_start = false;
                at = end;
                continue;
            }
            at += 1;
            let next = bytes.get(at).map(|&n| char::from(n));
            let here = match b {
                b' ' => Gap::None,
                b'.' | b'!' | b'?' => {
                    let ends =
                        next.is_none_or(|n| n.is_whitespace() || n == '"' || n == ')' || n == '\'');
                    if b != b'.' || (ends && !self.is_abbreviation(at - 1)) {
                        Gap::Sentence
                    } else {
                        Gap::None
                    }
                }
                b';' | b':' | b'(' | b')' | b'[' | b']' => Gap::Clause,
                b',' => Gap::Comma,
                b'\n' => {
                    if next == Some('\n') {
                        Gap::Sentence
                    } else {
                        line_start = true;
                        Gap::Line
                    }
                }
                b'-' | b'*' | b'>' if line_start => Gap::Sentence,
                _ => Gap::None,
            };
            if b != b' ' && b != b'\n' {
                line_start = false;
            }
            gap = gap.max(here);
        }
        tokens
    }

    /// Tokens of any text: runs of word characters with their gaps and sentence numbers.
    fn general_tokens(&self) -> Vec<Token> {
        let bytes = self.text.as_bytes();
        let text = self.text.as_str();
        let mut tokens = Vec::with_capacity(text.len() / 5 + 1);
        let mut gap = Gap::None;
        let mut sentence: u32 = 0;
        let mut line_start = true;
        let char_at = |i: usize| -> Option<char> {
            match bytes.get(i) {
                Some(&b) if b < 0x80 => Some(char::from(b)),
                Some(_) => text[i..].chars().next(),
                None => None,
            }
        };
        let is_word = |c: char| {
            c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && c.is_alphanumeric())
        };
        let mut at = 0;
        while let Some(c) = char_at(at) {
            if is_word(c) {
                // A new token: a run of word characters, with `'` inside words and `.` / `,`
                // between digits (2.5, 120,000).
                let start = at;
                let mut end = at + c.len_utf8();
                let mut numeric = c.is_ascii_digit();
                loop {
                    // The common case first: a run of ASCII word bytes.
                    let run = bytes[end..]
                        .iter()
                        .position(|&b| !is_ascii_word(b))
                        .unwrap_or(bytes.len() - end);
                    numeric |= bytes[end..end + run].iter().any(u8::is_ascii_digit);
                    end += run;
                    let Some(next) = char_at(end) else { break };
                    if is_word(next) {
                        end += next.len_utf8();
                        continue;
                    }
                    let after = bytes.get(end + 1).copied();
                    let inner = match next {
                        '\'' => after.is_some_and(|b| b.is_ascii_alphabetic()),
                        '.' | ',' => {
                            bytes[end - 1].is_ascii_digit()
                                && after.is_some_and(|b| b.is_ascii_digit())
                        }
                        _ => false,
                    };
                    if !inner {
                        break;
                    }
                    end += 1;
                }
                if gap == Gap::Sentence && !tokens.is_empty() {
                    sentence += 1;
                }
                tokens.push(Token {
                    start,
                    end,
                    numeric,
                    gap: if tokens.is_empty() { Gap::None } else { gap },
                    sentence,
                });
                gap = Gap::None;
                line_start = false;
                at = end;
                continue;
            }
            at += c.len_utf8();
            let next = char_at(at);
            let here = match c {
                ' ' => Gap::None,
                '.' | '!' | '?' | '\u{3002}' => {
                    let ends =
                        next.is_none_or(|n| n.is_whitespace() || n == '"' || n == ')' || n == '\'');
                    if (ends && !(c == '.' && self.is_abbreviation(at - 1))) || c == '?' || c == '!'
                    {
                        Gap::Sentence
                    } else {
                        Gap::None
                    }
                }
                ';' | ':' | '(' | ')' | '[' | ']' => Gap::Clause,
                ',' => Gap::Comma,
                '\n' => {
                    if next == Some('\n') {
                        Gap::Sentence
                    } else {
                        line_start = true;
                        Gap::Line
                    }
                }
                '-' | '*' | '\u{2022}' | '>' if line_start => Gap::Sentence,
                _ => Gap::None,
            };
            if c != ' ' && c != '\n' {
                line_start = false;
            }
            gap = gap.max(here);
        }
        tokens
    }

    /// `e.g.`, `i.e.`, `vs.`, `cf.`, `approx.` do not end a sentence.
    fn is_abbreviation(&self, dot: usize) -> bool {
        let before = &self.text[..dot];
        ["e.g", "i.e", " vs", " cf", "approx", "etc.,"]
            .iter()
            .any(|abbr| before.ends_with(abbr))
            || before == "vs"
    }
}

/// ASCII letters, digits and `_`, by table: the tokeniser asks this of nearly every byte.
const ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    table
};

fn is_ascii_word(b: u8) -> bool {
    ASCII_WORD[usize::from(b)]
}

/// Writes the whitespace pending before the next visible character: a space, or the line
/// breaks that matter for sentences (one, or a blank line).
fn flush(text: &mut Vec<u8>, map: &mut Vec<u32>, pending: &mut Option<(usize, u32)>) {
    if let Some((ws_at, newlines)) = pending.take()
        && !text.is_empty()
    {
        let sep: &[u8] = match newlines {
            0 => b" ",
            1 => b"\n",
            _ => b"\n\n",
        };
        text.extend_from_slice(sep);
        map.extend(std::iter::repeat_n(offset(ws_at), sep.len()));
    }
}

fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: &Normalized<'_>) -> Vec<String> {
        (0..n.tokens.len())
            .map(|i| n.token_text(i).to_owned())
            .collect()
    }

    #[test]
    fn folds_case_quotes_dashes_and_whitespace() {
        let n = Normalized::new("It\u{2019}s  NOT\r\n\u{201C}Lock\u{201D} \u{2014} contention");
        assert_eq!(n.text, "it's not\n\"lock\" - contention");
        assert_eq!(words(&n), ["it's", "not", "lock", "contention"]);
    }

    #[test]
    fn nfkc_folds_compatibility_forms() {
        let n = Normalized::new("ＦＵＴＥＸ ﬁx");
        assert_eq!(words(&n), ["futex", "fix"]);
    }

    #[test]
    fn maps_back_to_original_bytes() {
        let original = "Ｒ is “about” 40";
        let n = Normalized::new(original);
        let i = words(&n).iter().position(|w| w == "about").unwrap_or(0);
        let (s, e, quoted) = n.original_tokens(i, i + 1);
        assert_eq!(quoted, "about");
        assert_eq!(&original[s..e], "about");
        let (_, _, r) = n.original_tokens(0, 1);
        assert_eq!(r, "Ｒ");
    }

    #[test]
    fn numbers_keep_decimals_and_thousands() {
        let n = Normalized::new("cs 120,000 and 2.5 ms, then 40.");
        assert_eq!(
            words(&n),
            ["cs", "120,000", "and", "2.5", "ms", "then", "40"]
        );
        assert!(n.tokens[1].numeric);
        assert_eq!(n.tokens[4].gap, Gap::None);
        assert_eq!(n.tokens[5].gap, Gap::Comma);
    }

    #[test]
    fn sentences_split_on_terminators_blank_lines_and_bullets() {
        let n = Normalized::new(
            "First one. Second, e.g. this\nwrapped line\n\nThird\n- fourth\n- fifth?",
        );
        assert_eq!(n.sentences.len(), 5);
        // A single newline inside prose does not end the sentence.
        assert_eq!(
            n.tokens[words(&n).iter().position(|w| w == "wrapped").unwrap_or(0)].gap,
            Gap::Line
        );
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_general_path() {
        // A trailing space forces the general path; everything else must come out the same.
        let fast_input = "It's NOT `disk` IO, e.g. wa is 0.\nThe run-queue: r = 38 (8 CPUs)!";
        assert!(in_place(fast_input.as_bytes()));
        let slow_input = format!("{fast_input} ");
        assert!(!in_place(slow_input.as_bytes()));
        let (fast, slow) = (Normalized::new(fast_input), Normalized::new(&slow_input));
        assert_eq!(fast.text, slow.text);
        assert_eq!(fast.tokens, slow.tokens);
        assert_eq!(fast.sentences, slow.sentences);
        for i in 0..fast.tokens.len() {
            assert_eq!(
                fast.original_tokens(i, i + 1),
                slow.original_tokens(i, i + 1)
            );
            assert_eq!(
                fast.original_tokens(i, i + 1),
                slow.original_tokens(i, i + 1)
            );
        }
        assert_eq!(fast.original_span(3, 3), slow.original_span(3, 3));
        for odd in [
            "  lead",
            "two  spaces",
            "tab\there",
            "crlf\r\nline",
            "caf\u{e9}",
        ] {
            assert!(!in_place(odd.as_bytes()), "{odd:?}");
        }
    }

    #[test]
    fn ascii_tokeniser_agrees_with_the_general_one() {
        let inputs = [
            "",
            "a",
            "It's NOT `disk` IO, e.g. wa is 0.\nThe run-queue: r = 38 (8 CPUs)!",
            "cs 120,000 and 2.5 ms, then 40. vs. 3 i.e. x etc., y approx. 7",
            "First one. Second, e.g. this\nwrapped line\n\nThird\n- fourth\n- fifth?",
            "'quoted' \"double\" (paren.) [x]; y: z... ?! end.\"next\" ok.) ok.' 1.2.3 ,5 5, 'tis o'clock",
            "- bullet\n* star\n> quote\n  - indented\nplain - dash * star > gt",
            "a_b __init__ x1y2 9.9.9 1,,2 1.,2 it''s don't' ' lone",
            "p99?p50!r.b,c;d:e(f)g[h]i",
        ];
        let mut inputs: Vec<String> = inputs.iter().map(|s| (*s).to_owned()).collect();
        // Every byte pattern of three characters from a small alphabet of the tricky ones.
        let alphabet = ['a', '1', '.', ',', '\'', ' ', '\n', '-', '?', ')', '"'];
        for x in alphabet {
            for y in alphabet {
                for z in alphabet {
                    inputs.push(format!("{x}{y}{z}a{x}{z}"));
                }
            }
        }
        for input in &inputs {
            let n = Normalized::new(input);
            assert_eq!(n.ascii_tokens(), n.general_tokens(), "{input:?}");
        }
    }

    #[test]
    fn empty_and_control_input() {
        assert!(Normalized::new("").tokens.is_empty());
        let n = Normalized::new("\u{0}\u{7}\u{FFFD}abc\u{1b}[0m");
        assert_eq!(words(&n), ["abc", "0m"]);
    }
}
