//! Finds where a key path (`workloads[0].request.critical_sections[1].lock`) sits in YAML source
//! text, for diagnostics about values the parser accepted but validation rejects (serde_yaml
//! keeps no spans for values).
//!
//! It walks block-style YAML by indentation: a mapping's keys share one column, a block
//! sequence's items are `- ` at one column, and one-line flow collections (`[0, 1]`,
//! `{disk: sda}`) are split on their top-level commas. It does not parse YAML in general: anything
//! it cannot follow (anchors, multi-line flow collections, complex keys) makes it fall back to
//! the nearest parent it did find, so a location is always plausible and never a panic.

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Parses `a.b[2].c` into segments; a malformed index becomes a key (and so fails to locate).
pub fn parse_path(path: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    for part in path.split('.').filter(|part| !part.is_empty()) {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                segments.push(Segment::Key(rest[..open].to_owned()));
            }
            rest = &rest[open..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(close) = stripped.find(']') else {
                    segments.push(Segment::Key(rest.to_owned()));
                    break;
                };
                match stripped[..close].parse() {
                    Ok(index) => segments.push(Segment::Index(index)),
                    Err(_) => segments.push(Segment::Key(stripped[..close].to_owned())),
                }
                rest = &stripped[close + 1..];
            }
        } else {
            segments.push(Segment::Key(rest.to_owned()));
        }
    }
    segments
}

/// Where a node starts: 0-based line, 0-based char column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    line: usize,
    col: usize,
}

/// A located key path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// 1-based line and column of the value (or of the key when the value is a block below it).
    pub line: usize,
    pub col: usize,
    /// How many segments of the path were found (less than the path length on fallback).
    pub matched: usize,
}

/// Locates `path` (as [`parse_path`] reads it) in `source`; falls back to the deepest segment
/// found, and to the first content line when not even the first one is found.
pub fn locate(source: &str, path: &str) -> Location {
    Locator::new(source).locate(path)
}

/// The source split into lines once, for locating many paths in one file: a file is searched
/// once per path, so what every search asks of a line (is it content, how far is it indented)
/// is worked out here, not on every visit.
pub struct Locator {
    lines: Vec<Line>,
}

/// One source line, its characters and what the walk asks of it.
struct Line {
    chars: Vec<char>,
    /// Not blank, a comment or a document marker.
    content: bool,
    /// Leading spaces.
    indent: usize,
}

impl std::ops::Deref for Line {
    type Target = [char];
    fn deref(&self) -> &[char] {
        &self.chars
    }
}

impl Line {
    fn new(text: &str) -> Self {
        let trimmed = text.trim();
        Self {
            chars: text.chars().collect(),
            content: !(trimmed.is_empty()
                || trimmed.starts_with('#')
                || trimmed == "---"
                || trimmed == "..."),
            indent: text.bytes().take_while(|b| *b == b' ').count(),
        }
    }
}

impl Locator {
    pub fn new(source: &str) -> Self {
        Self {
            lines: source
                .lines()
                .map(|line| Line::new(line.trim_end_matches('\r')))
                .collect(),
        }
    }

    pub fn locate(&self, path: &str) -> Location {
        let lines = &self.lines;
        let segments = parse_path(path);
        let Some(mut node) = first_content(lines, 0) else {
            return Location {
                line: 1,
                col: 1,
                matched: 0,
            };
        };
        let mut found = Location {
            line: node.line + 1,
            col: node.col + 1,
            matched: 0,
        };
        for (depth, segment) in segments.iter().enumerate() {
            let next = match segment {
                Segment::Key(key) => find_key(lines, node, key),
                Segment::Index(index) => find_item(lines, node, *index),
            };
            match next {
                Some(next) => {
                    node = next;
                    found = Location {
                        line: next.line + 1,
                        col: next.col + 1,
                        matched: depth + 1,
                    };
                }
                None => break,
            }
        }
        found
    }
}

fn is_content(line: &Line) -> bool {
    line.content
}

fn indent(line: &Line) -> usize {
    line.indent
}

fn first_content(lines: &[Line], from: usize) -> Option<Cursor> {
    (from..lines.len())
        .find(|&i| is_content(&lines[i]))
        .map(|line| Cursor {
            line,
            col: indent(&lines[line]),
        })
}

fn starts_item(line: &[char], col: usize) -> bool {
    line.get(col) == Some(&'-') && line.get(col + 1).is_none_or(|c| *c == ' ')
}

/// The key of a `key: value` line starting at `col`, and the column after its colon.
fn key_at(line: &[char], col: usize) -> Option<(String, usize)> {
    let rest: String = line.get(col..)?.iter().collect();
    let (key, after) = if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'')
    {
        let close = rest[1..].find(quote)? + 1;
        (rest[1..close].to_owned(), &rest[close + 1..])
    } else {
        let colon = find_mapping_colon(&rest)?;
        (rest[..colon].trim_end().to_owned(), &rest[colon..])
    };
    let after = after.strip_prefix(':')?;
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    let consumed = rest.chars().count() - after.chars().count();
    Some((key, col + consumed))
}

/// Byte offset of the first `:` followed by a space or the end of the line.
fn find_mapping_colon(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b':' && bytes.get(i + 1).is_none_or(|b| *b == b' '))
}

/// The value after a key: on the same line (skipping spaces, not a comment), else the next
/// content line if it is nested deeper (or is a sequence at the key's own column).
fn value_after(lines: &[Line], line: usize, after_colon: usize, key_col: usize) -> Cursor {
    let text = &lines[line];
    let mut col = after_colon;
    while text.get(col) == Some(&' ') {
        col += 1;
    }
    let inline = text.get(col).is_some_and(|c| *c != '#');
    let block_scalar = text.get(col).is_some_and(|c| *c == '|' || *c == '>');
    if inline && !block_scalar {
        return Cursor { line, col };
    }
    if let Some(next) = first_content(lines, line + 1) {
        let nested =
            next.col > key_col || (next.col == key_col && starts_item(&lines[next.line], next.col));
        if nested && !block_scalar {
            return next;
        }
    }
    Cursor { line, col: key_col }
}

fn find_key(lines: &[Line], node: Cursor, key: &str) -> Option<Cursor> {
    let first = &lines[node.line];
    if matches!(first.get(node.col), Some('{')) {
        return find_in_flow(first, node, |index, text| {
            let _ = index;
            let text = text.trim_start();
            text.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|cursor| flow_value(first, cursor));
    }
    let mut line = node.line;
    while line < lines.len() {
        let text = &lines[line];
        if line != node.line && is_content(text) {
            let indentation = indent(text);
            if indentation < node.col {
                break;
            }
            if indentation > node.col || starts_item(text, node.col) {
                line += 1;
                continue;
            }
        }
        if (line == node.line || is_content(text))
            && let Some((name, after)) = key_at(text, node.col)
            && name == key
        {
            return Some(value_after(lines, line, after, node.col));
        }
        if line == node.line && starts_item(text, node.col) {
            return None;
        }
        line += 1;
    }
    None
}

fn find_item(lines: &[Line], node: Cursor, index: usize) -> Option<Cursor> {
    let first = &lines[node.line];
    if matches!(first.get(node.col), Some('[')) {
        return find_in_flow(first, node, |i, _| i == index);
    }
    let mut seen = 0usize;
    let mut line = node.line;
    while line < lines.len() {
        let text = &lines[line];
        if is_content(text) {
            let indentation = indent(text);
            if line != node.line && indentation < node.col {
                break;
            }
            if starts_item(text, node.col) && (line == node.line || indentation == node.col) {
                if seen == index {
                    let mut col = node.col + 1;
                    while text.get(col) == Some(&' ') {
                        col += 1;
                    }
                    if text.get(col).is_some_and(|c| *c != '#') {
                        return Some(Cursor { line, col });
                    }
                    return first_content(lines, line + 1)
                        .filter(|next| next.col > node.col)
                        .or(Some(Cursor {
                            line,
                            col: node.col,
                        }));
                }
                seen += 1;
            } else if line != node.line && indentation == node.col {
                break;
            }
        }
        line += 1;
    }
    None
}

/// Splits a one-line flow collection starting at `node` on its top-level commas and returns the
/// start of the first element `pick` accepts.
fn find_in_flow(text: &[char], node: Cursor, pick: impl Fn(usize, &str) -> bool) -> Option<Cursor> {
    let mut depth = 0usize;
    let mut start = node.col + 1;
    let mut index = 0usize;
    let mut quote: Option<char> = None;
    let mut col = node.col;
    while col < text.len() {
        let c = text[col];
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') | (None, ',') => {
                let closing = c != ',';
                if depth == 1 {
                    let element: String = text[start..col].iter().collect();
                    if !element.trim().is_empty() && pick(index, &element) {
                        let skip = element.chars().take_while(|c| *c == ' ').count();
                        return Some(Cursor {
                            line: node.line,
                            col: start + skip,
                        });
                    }
                    index += 1;
                    start = col + 1;
                }
                if closing {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return None;
                    }
                }
            }
            _ => {}
        }
        col += 1;
    }
    None
}

/// In `{disk: sda}`, from the key's start to its value's start.
fn flow_value(text: &[char], key: Cursor) -> Cursor {
    let mut col = key.col;
    while col < text.len() && text[col] != ':' {
        col += 1;
    }
    col += 1;
    while text.get(col) == Some(&' ') {
        col += 1;
    }
    Cursor {
        line: key.line,
        col: col.min(text.len()),
    }
}

/// Where `key` appears a second time in the block mapping whose first key starts at 1-based
/// `line:col` (serde reports a duplicate key at the start of its mapping): 1-based line and
/// column of the duplicate. `None` when the mapping is not block style or holds no duplicate.
pub fn duplicate_key(source: &str, line: usize, col: usize, key: &str) -> Option<(usize, usize)> {
    let lines = Locator::new(source).lines;
    let first = line.checked_sub(1)?;
    let key_col = col.checked_sub(1)?;
    let mut seen = 0;
    for (index, text) in lines.iter().enumerate().skip(first) {
        if index != first && is_content(text) {
            let indentation = indent(text);
            if indentation < key_col || (indentation == key_col && starts_item(text, key_col)) {
                break;
            }
            if indentation > key_col {
                continue;
            }
        }
        if let Some((name, _)) = key_at(text, key_col)
            && name == key
        {
            seen += 1;
            if seen == 2 {
                return Some((index + 1, key_col + 1));
            }
        }
    }
    None
}

/// For a `key: value` line whose unquoted value holds a `: ` (which YAML reads as a second
/// key), the line with the value quoted: `prompt: "One question: why?"`.
pub fn quoted_value(line: &str) -> Option<String> {
    let indentation = line.len() - line.trim_start().len();
    let body = &line[indentation..];
    let item = if body.starts_with("- ") { 2 } else { 0 };
    let colon = find_mapping_colon(&body[item..])? + item;
    let (key, value) = (&body[..colon], body[colon + 1..].trim());
    if value.is_empty() || value.starts_with(['"', '\'', '|', '>', '[', '{']) {
        return None;
    }
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!("{key}: \"{escaped}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INCIDENT: &str = "\
# yaml-language-server: $schema=incident.schema.json
format_version: 1
machine:
  cpus: 8
  nics:
    - name: eth0
      irq_cpus: [0, 1, 9]
workloads:
  - name: worker
    request:
      compute_us: 120
      critical_sections:
        - lock: queue
          hold_us: 18
        -
          lock: missing   # comment
      disk_io: {disk: nvme9, kib: 16}
    narrative: |
      lock: not a key
locks:
- id: queue
  kind: mutex
";

    fn at(path: &str) -> (usize, usize) {
        let location = locate(INCIDENT, path);
        (location.line, location.col)
    }

    #[test]
    fn parses_paths() {
        assert_eq!(
            parse_path("a.b[2][0].c"),
            vec![
                Segment::Key("a".into()),
                Segment::Key("b".into()),
                Segment::Index(2),
                Segment::Index(0),
                Segment::Key("c".into())
            ]
        );
    }

    #[test]
    fn finds_block_keys_and_values() {
        assert_eq!(at("format_version"), (2, 17));
        assert_eq!(at("machine.cpus"), (4, 9));
        assert_eq!(at("machine.nics[0].name"), (6, 13));
        assert_eq!(at("workloads[0].request.compute_us"), (11, 19));
    }

    #[test]
    fn finds_nested_sequence_items() {
        assert_eq!(
            at("workloads[0].request.critical_sections[0].lock"),
            (13, 17)
        );
        assert_eq!(
            at("workloads[0].request.critical_sections[1].lock"),
            (16, 17)
        );
        assert_eq!(at("workloads[0].request.critical_sections[1]"), (16, 11));
    }

    #[test]
    fn finds_flow_elements() {
        assert_eq!(at("machine.nics[0].irq_cpus[2]"), (7, 24));
        assert_eq!(at("workloads[0].request.disk_io.disk"), (17, 23));
        assert_eq!(at("workloads[0].request.disk_io.kib"), (17, 35));
    }

    #[test]
    fn sequences_at_the_parent_column_and_block_scalars() {
        assert_eq!(at("locks[0].kind"), (22, 9));
        assert_eq!(at("workloads[0].narrative"), (18, 5));
    }

    #[test]
    fn finds_the_second_occurrence_of_a_duplicate_key() {
        let source = "a:\n  - id: x\n    weight: 2\n    nested:\n      weight: 9\n    weight: 3\n  - id: y\n    weight: 4\n";
        assert_eq!(duplicate_key(source, 2, 5, "weight"), Some((6, 5)));
        assert_eq!(duplicate_key(source, 7, 5, "weight"), None);
        assert_eq!(duplicate_key(source, 99, 5, "weight"), None);
    }

    #[test]
    fn quotes_a_value_that_holds_a_colon() {
        assert_eq!(
            quoted_value("    prompt: One question: why?").as_deref(),
            Some("prompt: \"One question: why?\"")
        );
        assert_eq!(
            quoted_value("  - say: a \"b\": c").as_deref(),
            Some("- say: \"a \\\"b\\\": c\"")
        );
        assert_eq!(quoted_value("  prompt: \"quoted: fine\""), None);
        assert_eq!(quoted_value("no colon here"), None);
    }

    #[test]
    fn falls_back_to_the_nearest_parent() {
        let location = locate(INCIDENT, "workloads[0].request.critical_sections[5].lock");
        assert_eq!((location.line, location.col, location.matched), (13, 9, 4));
        let location = locate(INCIDENT, "nowhere.at.all");
        assert_eq!((location.line, location.matched), (2, 0));
        assert_eq!(locate("", "a.b").matched, 0);
    }
}
