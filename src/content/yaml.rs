//! The only module that calls the YAML crate: parsing with error locations. A swap of the YAML
//! library stays local to this file.
//!
//! serde_yaml reports one error per document with a 1-based line and column and a path prefix
//! (`workloads[0].request: …`). Here that becomes an author-facing [`Diagnostic`]: Rust type
//! names become words, and unknown keys or enum values get a "did you mean" from `strsim`.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::Diagnostic;

/// Parses `source` (read from `path`) into `T`; a syntax or type error becomes a located
/// diagnostic (with a "did you mean" for unknown keys).
pub fn from_str<T: DeserializeOwned>(path: &Path, source: &str) -> Result<T, Diagnostic> {
    if source.trim().is_empty() || source.lines().all(is_blank_or_comment) {
        return Err(Diagnostic::file(path, "the file is empty")
            .with_help("start with `format_version: 1` and the keys in docs/FORMATS.md"));
    }
    // Only a document with an anchor can have aliases: others skip the measuring pass.
    if source.contains('&') {
        measure(source, EXPANSION_BUDGET).map_err(|error| diagnose(path, source, &error))?;
    }
    // Enums are written as single-key maps (`closed: {think_us: 400}`) or bare words, not as
    // YAML tags (`!closed`), at every depth.
    serde_yaml::with::singleton_map_recursive::deserialize(serde_yaml::Deserializer::from_str(
        source,
    ))
    .map_err(|error| diagnose(path, source, &error))
}

/// The most text a document may stand for once its aliases are expanded: each scalar's bytes
/// plus one per node. serde_yaml bounds how often aliases are followed, not what they copy, so a
/// few hundred KiB of aliases to a large string would otherwise ask for gigabytes. Twice the
/// largest transcript and several times the largest drill: no honest file comes near it.
pub const EXPANSION_BUDGET: u64 = 16 * 1024 * 1024;

/// Walks the document as serde sees it (aliases replayed, nothing kept) and fails, at the node
/// where the total passes `budget`, with an error serde_yaml locates.
fn measure(source: &str, budget: u64) -> Result<(), serde_yaml::Error> {
    use serde::de::DeserializeSeed;
    let mut left = budget;
    Measure { left: &mut left }.deserialize(serde_yaml::Deserializer::from_str(source))
}

/// Counts a node and everything below it against the budget left.
struct Measure<'a> {
    left: &'a mut u64,
}

impl Measure<'_> {
    fn spend<E: serde::de::Error>(&mut self, bytes: usize) -> Result<(), E> {
        let cost = bytes as u64 + 1;
        match self.left.checked_sub(cost) {
            Some(left) => {
                *self.left = left;
                Ok(())
            }
            None => Err(E::custom(format!(
                "aliases expand the document past {}",
                crate::walk::limit(EXPANSION_BUDGET)
            ))),
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Measure<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Measure<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: serde::de::Error>(mut self, _: bool) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_i64<E: serde::de::Error>(mut self, _: i64) -> Result<(), E> {
        self.spend(8)
    }
    fn visit_u64<E: serde::de::Error>(mut self, _: u64) -> Result<(), E> {
        self.spend(8)
    }
    fn visit_f64<E: serde::de::Error>(mut self, _: f64) -> Result<(), E> {
        self.spend(8)
    }
    fn visit_str<E: serde::de::Error>(mut self, text: &str) -> Result<(), E> {
        self.spend(text.len())
    }
    fn visit_unit<E: serde::de::Error>(mut self) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_none<E: serde::de::Error>(mut self) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_some<D: serde::Deserializer<'de>>(mut self, inner: D) -> Result<(), D::Error> {
        self.spend(0)?;
        inner.deserialize_any(self)
    }
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, inner: D) -> Result<(), D::Error> {
        inner.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.spend(0)?;
        while seq
            .next_element_seed(Measure {
                left: &mut *self.left,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.spend(0)?;
        while map
            .next_key_seed(Measure {
                left: &mut *self.left,
            })?
            .is_some()
        {
            map.next_value_seed(Measure {
                left: &mut *self.left,
            })?;
        }
        Ok(())
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(mut self, data: A) -> Result<(), A::Error> {
        use serde::de::VariantAccess;
        // A tagged value (`!tag value`): the tag is a name, the value is measured.
        self.spend(0)?;
        let ((), variant) = data.variant_seed(Measure {
            left: &mut *self.left,
        })?;
        variant.newtype_variant_seed(self)
    }
}

fn is_blank_or_comment(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "---"
}

fn diagnose(path: &Path, source: &str, error: &serde_yaml::Error) -> Diagnostic {
    let full = error.to_string();
    let (line, col) = match error.location() {
        Some(location) => (location.line(), location.column()),
        None => (0, 0),
    };
    // serde_yaml appends " at line L column C" (twice for syntax errors: the problem, then the
    // context); the location is shown separately, so drop them, keeping the context's position.
    let (text, marks) = strip_marks(&full);
    // A syntax error found at the end of the file ("unexpected end of stream") is best shown
    // where the unfinished construct started.
    let lines = source.lines().count();
    let (line, col) = match marks.last() {
        Some(&(context_line, context_col)) if line > lines && marks.len() > 1 => {
            (context_line, context_col)
        }
        _ => (line, col),
    };
    let text = text.replace("end of stream", "end of file");
    let (key_path, text) = split_key_path(&text);
    let mut explained = explain(&text, key_path.as_deref());
    // serde places a duplicate key at the start of its mapping; show the duplicate itself.
    let (line, col) = match text.strip_prefix("duplicate field ") {
        Some(name) => super::locate::duplicate_key(source, line, col, name.trim_matches('`'))
            .unwrap_or((line, col)),
        None => (line, col),
    };
    if text.starts_with("mapping values are not allowed") {
        let quoted = source
            .lines()
            .nth(line.saturating_sub(1))
            .and_then(super::locate::quoted_value);
        explained = Explained {
            message: "a `: ` inside a value starts a new key".to_owned(),
            help: Some(match quoted {
                Some(quoted) => format!("quote it: `{quoted}`"),
                None => "quote the value, or write it as a block scalar (`|`)".to_owned(),
            }),
        };
    }
    let diagnostic = if line == 0 {
        Diagnostic::file(path, explained.message)
    } else {
        Diagnostic::at(path, source, line, col, explained.message)
    };
    diagnostic.with_optional_help(explained.help)
}

/// Removes every ` at line L column C` from `text`, returning the positions in order.
fn strip_marks(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::new();
    let mut marks = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let line_len = digits(after);
        let parsed = after[line_len..].strip_prefix(" column ").and_then(|tail| {
            let col_len = digits(tail);
            let line = after[..line_len].parse().ok()?;
            let col = tail[..col_len].parse().ok()?;
            Some((line, col, tail[col_len..].to_owned()))
        });
        match parsed {
            Some((line, col, tail)) => {
                marks.push((line, col));
                let consumed = rest.len() - tail.len();
                rest = &rest[consumed..];
            }
            None => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, marks)
}

/// serde_yaml prefixes errors inside the document with the key path: `machine.cpus: invalid …`.
fn split_key_path(text: &str) -> (Option<String>, String) {
    const KNOWN: [&str; 9] = [
        "unknown field",
        "unknown variant",
        "missing field",
        "invalid type",
        "invalid value",
        "invalid length",
        "duplicate field",
        "recursion limit",
        "aliases expand",
    ];
    if let Some((head, tail)) = text.split_once(": ")
        && !head.contains(' ')
        && KNOWN.iter().any(|known| tail.starts_with(known))
    {
        return (Some(head.to_owned()), tail.to_owned());
    }
    (None, text.to_owned())
}

struct Explained {
    message: String,
    help: Option<String>,
}

fn explain(text: &str, key_path: Option<&str>) -> Explained {
    let within = key_path
        .map(|key_path| format!(" in `{key_path}`"))
        .unwrap_or_default();
    if let Some(rest) = text.strip_prefix("unknown field ") {
        let (name, expected) = name_and_expected(rest);
        return Explained {
            message: format!("unknown key `{name}`{within}"),
            help: suggest(&name, &expected, "keys"),
        };
    }
    if let Some(rest) = text.strip_prefix("unknown variant ") {
        let (name, expected) = name_and_expected(rest);
        return Explained {
            message: format!("unknown value `{name}`{within}"),
            help: suggest(&name, &expected, "values"),
        };
    }
    if let Some(rest) = text.strip_prefix("missing field ") {
        let name = rest.trim_matches('`');
        return Explained {
            message: format!("missing key `{name}`{within}"),
            help: Some(format!("add `{name}:` here (see docs/FORMATS.md)")),
        };
    }
    if let Some(rest) = text.strip_prefix("duplicate field ") {
        let name = rest.trim_matches('`');
        return Explained {
            message: format!("key `{name}` appears twice{within}"),
            help: Some("keep one of them".to_owned()),
        };
    }
    if text.starts_with("invalid type") || text.starts_with("invalid value") {
        return Explained {
            message: format!("{}{within}", humanize_types(text)),
            help: None,
        };
    }
    if text.starts_with("invalid length") {
        return Explained {
            message: format!("{}{within}", humanize_types(text)),
            help: Some("a range is written `[low, high]`".to_owned()),
        };
    }
    if text.starts_with("recursion limit exceeded") {
        return Explained {
            message: "the document nests too deeply".to_owned(),
            help: Some("incidents and drills are only a few levels deep".to_owned()),
        };
    }
    if text.starts_with("aliases expand the document past") {
        return Explained {
            message: format!("{text}{within}"),
            help: Some("write the values out instead of repeating anchors".to_owned()),
        };
    }
    if text.starts_with("repetition limit exceeded") {
        return Explained {
            message: "aliases expand to too much data".to_owned(),
            help: Some("write the values out instead of repeating anchors".to_owned()),
        };
    }
    if text.contains("more than one document") {
        return Explained {
            message: "the file holds more than one YAML document".to_owned(),
            help: Some("keep one document per file (remove the `---` separators)".to_owned()),
        };
    }
    if text.contains("end of file") && text.contains("quoted scalar") {
        return Explained {
            message: "a quoted string is never closed".to_owned(),
            help: Some("add the closing quote".to_owned()),
        };
    }
    if text.contains("found character that cannot start any token") && text.contains('\t') {
        return Explained {
            message: "a tab in the indentation".to_owned(),
            help: Some("YAML indents with spaces only".to_owned()),
        };
    }
    Explained {
        message: lowercase_first(&format!("{}{within}", humanize_types(text))),
        help: None,
    }
}

/// `` `thread`, expected one of `name`, `pid` `` -> (`thread`, [`name`, `pid`]).
fn name_and_expected(rest: &str) -> (String, Vec<String>) {
    let mut parts = rest.split('`');
    let _ = parts.next();
    let name = parts.next().unwrap_or_default().to_owned();
    let expected = match rest.find("expected") {
        Some(at) => rest[at..]
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect(),
        None => Vec::new(),
    };
    (name, expected)
}

/// "did you mean `threads`?" when one candidate is close; else the list of allowed names.
pub(crate) fn suggest(name: &str, candidates: &[String], what: &str) -> Option<String> {
    if let Some(best) = crate::suggest::closest(name, candidates.iter().map(String::as_str)) {
        return Some(format!("did you mean `{best}`?"));
    }
    if candidates.is_empty() {
        return None;
    }
    let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    Some(format!("allowed {what}: {}", list.join(", ")))
}

/// Rust type names in serde messages mean nothing to a coach.
fn humanize_types(text: &str) -> String {
    const NAMES: [(&str, &str); 10] = [
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
        (
            "expected u64",
            "expected a whole number from 0 to 18446744073709551615",
        ),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected `true` or `false`"),
        (
            "expected a tuple of size 2",
            "expected a range `[low, high]`",
        ),
        ("expected a sequence", "expected a list"),
        ("expected a borrowed string", "expected a string"),
        ("expected struct ", "expected "),
        ("expected unit", "expected nothing"),
    ];
    let mut out = text.to_owned();
    for (from, to) in NAMES {
        out = out.replace(from, to);
    }
    out.replace("invalid type: ", "wrong type: found ")
        .replace("invalid value: ", "invalid value: found ")
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !text.starts_with("YAML") => first.to_lowercase().chain(chars).collect(),
        Some(_) => text.to_owned(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Box1 {
        threads: u32,
        #[serde(default)]
        kind: Option<Kind>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Mutex,
        Spinlock,
    }

    #[test]
    fn unknown_key_is_located_with_a_suggestion() {
        let source = "threads: 4\nthraeds: 5\n";
        let diagnostic = from_str::<Box1>(Path::new("x.yaml"), source).unwrap_err();
        assert_eq!((diagnostic.line, diagnostic.col), (2, 1));
        assert_eq!(diagnostic.message, "unknown key `thraeds`");
        assert_eq!(diagnostic.help.as_deref(), Some("did you mean `threads`?"));
    }

    #[test]
    fn unknown_enum_value_suggests_the_closest() {
        let source = "threads: 4\nkind: mutx\n";
        let diagnostic = from_str::<Box1>(Path::new("x.yaml"), source).unwrap_err();
        assert_eq!(diagnostic.line, 2);
        assert!(
            diagnostic.message.starts_with("unknown value `mutx`"),
            "{diagnostic:?}"
        );
        assert_eq!(diagnostic.help.as_deref(), Some("did you mean `mutex`?"));
    }

    #[test]
    fn type_errors_speak_plainly() {
        let diagnostic = from_str::<Box1>(Path::new("x.yaml"), "threads: -3\n").unwrap_err();
        assert_eq!(diagnostic.line, 1);
        assert!(
            diagnostic
                .message
                .contains("whole number from 0 to 4294967295"),
            "{diagnostic:?}"
        );
    }

    #[test]
    fn syntax_errors_and_empty_files_are_reported() {
        let diagnostic = from_str::<Box1>(Path::new("x.yaml"), "threads: [1\n").unwrap_err();
        assert!(diagnostic.line >= 1);
        let empty = from_str::<Box1>(Path::new("x.yaml"), "# nothing\n").unwrap_err();
        assert_eq!(empty.message, "the file is empty");
    }

    #[test]
    fn unterminated_strings_point_at_their_start() {
        let source = "threads: 4\nkind: \"mutex\nother: 1\n";
        let diagnostic = from_str::<Box1>(Path::new("x.yaml"), source).unwrap_err();
        assert_eq!((diagnostic.line, diagnostic.col), (2, 7), "{diagnostic:?}");
        assert!(!diagnostic.message.contains(" at line "), "{diagnostic:?}");
        assert_eq!(diagnostic.message, "a quoted string is never closed");
    }

    #[test]
    fn alias_amplification_is_refused_where_it_starts() {
        // 64 aliases to a 1 MiB string: 64 MiB once expanded, from 1 MiB of text.
        let big = "x".repeat(1024 * 1024);
        let aliases = "  - *big\n".repeat(64);
        let source = format!("threads: 1\nbig: &big {big}\nmore:\n{aliases}");
        let error = measure(&source, EXPANSION_BUDGET).unwrap_err();
        let diagnostic = diagnose(Path::new("x.yaml"), &source, &error);
        // Located at the anchor the aliases copy (where serde_yaml replays them from).
        assert_eq!(
            (diagnostic.line, diagnostic.message.as_str()),
            (2, "aliases expand the document past 16 MiB in `more[14]`")
        );
        // A few honest aliases are fine.
        assert!(measure("a: &x [1, 2]\nb: *x\nc: !tag {k: *x}\n", 100).is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let source = format!("threads: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert!(from_str::<Box1>(Path::new("x.yaml"), &source).is_err());
    }
}
