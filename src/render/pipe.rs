//! The little shell around the tools: quoting (`grep -i "soft lockup"`) and the filters a
//! candidate pipes tool output through (`dmesg | tail -20`, `grep : /proc/lock_stat | head`):
//! `head`, `tail`, `grep` and `wc -l`. Redirections and command lists stay unavailable.
//!
//! Pure text processing on a rendered output; must not know about any tool.

use regex::{Regex, RegexBuilder};

use super::argv::ToolError;

/// One word of a command line, or the `|` between two commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    Word(String),
    Pipe,
}

/// Splits a line like a POSIX shell would for simple commands: whitespace separates words,
/// single quotes are literal, double quotes allow `\"` and `\\`, a backslash escapes the next
/// character, an unquoted `|` separates commands.
pub(crate) fn tokens(line: &str) -> Result<Vec<Token>, ToolError> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(unexpected_eof('\'')),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(unexpected_eof('"')),
                        },
                        Some(c) => word.push(c),
                        None => return Err(unexpected_eof('"')),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            '|' => {
                if in_word {
                    out.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
                out.push(Token::Pipe);
            }
            '>' | '<' | ';' | '&' | '`' | '$' | '(' | ')' => {
                return Err(ToolError::new(format!(
                    "sysdrill: '{c}' is not available on this box: run one tool, optionally piped into head, tail, grep or wc -l"
                )));
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        out.push(Token::Word(word));
    }
    Ok(out)
}

fn unexpected_eof(quote: char) -> ToolError {
    ToolError::new(format!(
        "bash: unexpected EOF while looking for matching `{quote}'"
    ))
}

/// A text filter after a `|`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `head -n N`: the first N lines.
    Head(usize),
    /// `tail -n N`: the last N lines.
    Tail(usize),
    Grep(Grep),
    /// `wc -l`.
    CountLines,
}

/// `grep [-i] [-v] [-c] [-E|-F] PATTERN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grep {
    /// The pattern as an extended regular expression (basic ones are translated).
    pub pattern: String,
    pub ignore_case: bool,
    pub invert: bool,
    pub count: bool,
}

impl Grep {
    fn regex(&self) -> Result<Regex, ToolError> {
        RegexBuilder::new(&self.pattern)
            .case_insensitive(self.ignore_case)
            .size_limit(1 << 20)
            .dfa_size_limit(1 << 20)
            .build()
            .map_err(|_| ToolError::new("grep: invalid regular expression"))
    }
}

const GREP_USAGE: &str =
    "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.";

/// `head -n 5`, `head -5`, `head -n5`, `head` (10).
fn line_count(tool: &str, args: &[&str]) -> Result<usize, ToolError> {
    let bad = |v: &str| {
        ToolError::new(format!(
            "{tool}: invalid number of lines: '{}'",
            v.chars().take(40).collect::<String>()
        ))
    };
    let number = |v: &str| v.parse::<usize>().map_err(|_| bad(v));
    match args {
        [] => Ok(10),
        ["-n", n] => number(n),
        [flag] if flag.starts_with("-n") => number(&flag[2..]),
        [flag] if flag.starts_with('-') => number(&flag[1..]),
        [other, ..] => Err(ToolError::new(format!(
            "{tool}: this box only filters the piped output; '{}' is not available",
            other.chars().take(40).collect::<String>()
        ))),
    }
}

/// Basic regular expressions (grep's default) to the extended syntax: `\|`, `\+`, `\?`,
/// `\(`, `\)`, `\{`, `\}` are operators, their bare forms literal.
fn basic_to_extended(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(op @ ('|' | '+' | '?' | '(' | ')' | '{' | '}')) => out.push(op),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push_str("\\\\"),
            },
            '|' | '+' | '?' | '(' | ')' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Parses `grep` arguments; returns the filter and an optional file operand.
pub(crate) fn parse_grep(args: &[&str]) -> Result<(Grep, Option<String>), ToolError> {
    let (mut ignore_case, mut invert, mut count) = (false, false, false);
    let mut syntax = 'G';
    let mut operands = Vec::new();
    for arg in args {
        match arg.strip_prefix('-') {
            Some(flags) if !flags.is_empty() && operands.is_empty() => {
                for f in flags.chars() {
                    match f {
                        'i' => ignore_case = true,
                        'v' => invert = true,
                        'c' => count = true,
                        'E' | 'F' | 'G' => syntax = f,
                        _ => {
                            return Err(ToolError::new(format!(
                                "grep: invalid option -- '{}'\n{GREP_USAGE}",
                                if f.is_control() { '?' } else { f }
                            )));
                        }
                    }
                }
            }
            _ => operands.push(*arg),
        }
    }
    let (pattern, file) = match operands.as_slice() {
        [pattern] => (*pattern, None),
        [pattern, file] => (*pattern, Some((*file).to_owned())),
        [] => return Err(ToolError::new(GREP_USAGE)),
        _ => return Err(ToolError::new("grep: this box greps one file at a time")),
    };
    let pattern = match syntax {
        'F' => regex::escape(pattern),
        'E' => pattern.to_owned(),
        _ => basic_to_extended(pattern),
    };
    let grep = Grep {
        pattern,
        ignore_case,
        invert,
        count,
    };
    grep.regex()?;
    Ok((grep, file))
}

/// Parses the command after a `|`.
pub(crate) fn parse_filter(words: &[&str]) -> Result<Filter, ToolError> {
    match words {
        ["head", args @ ..] => Ok(Filter::Head(line_count("head", args)?)),
        ["tail", args @ ..] => Ok(Filter::Tail(line_count("tail", args)?)),
        ["grep" | "egrep", args @ ..] => {
            let mut owned: Vec<&str> = Vec::new();
            if words[0] == "egrep" {
                owned.push("-E");
            }
            owned.extend_from_slice(args);
            match parse_grep(&owned)? {
                (grep, None) => Ok(Filter::Grep(grep)),
                (_, Some(file)) => Err(ToolError::new(format!(
                    "grep: {}: reading a file after a pipe is not available on this box",
                    file.chars().take(60).collect::<String>()
                ))),
            }
        }
        ["wc", "-l"] => Ok(Filter::CountLines),
        ["wc", ..] => Err(ToolError::new("wc: this box counts lines only: use wc -l")),
        [] => Err(ToolError::new(
            "bash: syntax error near unexpected token `|'",
        )),
        [other, ..] => Err(ToolError::new(format!(
            "sysdrill: only head, tail, grep and wc -l can follow a pipe on this box (not '{}')",
            other.chars().take(40).collect::<String>()
        ))),
    }
}

/// Runs `text` through `filter`.
pub(crate) fn apply(text: &str, filter: &Filter) -> String {
    let lines = text.lines();
    let keep: Vec<&str> = match filter {
        Filter::Head(n) => lines.take(*n).collect(),
        Filter::Tail(n) => {
            let all: Vec<&str> = lines.collect();
            all[all.len().saturating_sub(*n)..].to_vec()
        }
        Filter::CountLines => return format!("{}\n", text.lines().count()),
        Filter::Grep(grep) => {
            let Ok(re) = grep.regex() else {
                return String::new();
            };
            let matched: Vec<&str> = lines.filter(|l| re.is_match(l) != grep.invert).collect();
            if grep.count {
                return format!("{}\n", matched.len());
            }
            matched
        }
    };
    let mut out = keep.join("\n");
    if !keep.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<Token> {
        tokens(line).unwrap()
    }

    #[test]
    fn quoting() {
        assert_eq!(
            words(r#"grep -i "soft lockup" 'a b'|tail"#),
            vec![
                Token::Word("grep".into()),
                Token::Word("-i".into()),
                Token::Word("soft lockup".into()),
                Token::Word("a b".into()),
                Token::Pipe,
                Token::Word("tail".into()),
            ]
        );
        assert!(tokens("dmesg > out").is_err());
        assert!(
            tokens("grep 'x")
                .unwrap_err()
                .message
                .contains("matching `''")
        );
    }

    #[test]
    fn filters() {
        let text = "a\nb lock\nc\nd LOCK\n";
        assert_eq!(
            apply(text, &parse_filter(&["head", "-2"]).unwrap()),
            "a\nb lock\n"
        );
        assert_eq!(
            apply(text, &parse_filter(&["tail", "-n", "1"]).unwrap()),
            "d LOCK\n"
        );
        assert_eq!(
            apply(text, &parse_filter(&["grep", "-i", "lock"]).unwrap()),
            "b lock\nd LOCK\n"
        );
        assert_eq!(
            apply(text, &parse_filter(&["grep", "-vc", "lock"]).unwrap()),
            "3\n"
        );
        assert_eq!(apply(text, &parse_filter(&["wc", "-l"]).unwrap()), "4\n");
        assert_eq!(apply(text, &parse_filter(&["grep", "zzz"]).unwrap()), "");
        assert_eq!(
            apply("a|b\nab\n", &parse_filter(&["grep", "a|b"]).unwrap()),
            "a|b\n"
        );
        assert_eq!(
            apply(
                "a|b\nab\nb\n",
                &parse_filter(&["grep", "-E", "^(a|b)$"]).unwrap()
            ),
            "b\n"
        );
        assert!(parse_filter(&["sort"]).is_err());
        assert!(parse_filter(&["grep"]).is_err());
        assert!(parse_filter(&["grep", "-E", "("]).is_err());
    }
}
