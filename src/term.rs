//! Text that reaches a terminal. Every string that comes from content files, transcripts,
//! answers or file names passes through [`visible`] before it is printed, so an escape sequence
//! in a hostile file is shown, never interpreted (no colour changes, cursor moves, OSC 8 links or
//! OSC 52 clipboard writes). sysdrill's own colouring is applied after this, by `colored`.
//!
//! The rule: newline and tab stay; every other C0 control, DEL and every C1 control (U+0080 to
//! U+009F, which some terminals read as 8-bit CSI/OSC introducers) is replaced by a visible
//! form: `^[` style caret notation for C0 and DEL, `<U+009B>` for C1. Bidirectional overrides
//! and isolates (U+202A–U+202E, U+2066–U+2069) are shown as `<U+202E>` too, since they reorder
//! what a grader reads.

use std::borrow::Cow;

/// Whether `c` would be interpreted by a terminal (or reorder text) rather than shown.
pub fn is_hazard(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        c if (c as u32) < 0x20 || c == '\u{7f}' => true,
        '\u{80}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// `text` with every terminal hazard made visible; borrowed when there is none (the common case).
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hazard) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// Like [`visible`], and newlines and tabs become spaces too: for one table cell or one line of
/// a report, where a newline from a file would break the layout.
pub fn visible_line(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| is_hazard(c) || c == '\n' || c == '\t' || c == '\r')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' | '\r' => out.push(' '),
            c => push_visible(&mut out, c),
        }
    }
    Cow::Owned(out)
}

/// Like [`visible`] for text that already carries sysdrill's own colours (`colored` output
/// built from untrusted parts): Select Graphic Rendition sequences (`ESC [ … m`) with the
/// parameters `colored` writes (reset, bold, dim, italic, underline, colours) are kept, everything
/// else is made visible. A hostile string can at worst recolour its own text; it cannot hide
/// text (no conceal), move the cursor, set a title, make links or write the clipboard.
pub fn visible_keeping_colour(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hazard) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\x1b'
            && let Some(len) = own_colour_len(rest)
        {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        push_visible(&mut out, c);
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The length of the SGR sequence at the start of `text` when it only sets what `colored` sets.
fn own_colour_len(text: &str) -> Option<usize> {
    let body = text.strip_prefix("\x1b[")?;
    let end = body.find('m')?;
    let params = &body[..end];
    let allowed = |p: &str| {
        matches!(
            p.parse::<u8>(),
            Ok(0..=5 | 7 | 22..=25 | 27 | 30..=39 | 40..=49 | 90..=97 | 100..=107)
        )
    };
    let ok = params.len() <= 32
        && (params.is_empty() || params.split(';').all(|p| !p.is_empty() && allowed(p)));
    // 38;5;n / 38;2;r;g;b colours are not written by sysdrill; they fail `allowed` on 5 or 2
    // only by luck, so refuse any 38/48 explicitly.
    let extended = params.split(';').any(|p| p == "38" || p == "48");
    (ok && !extended).then_some("\x1b[".len() + end + 1)
}

fn push_visible(out: &mut String, c: char) {
    use std::fmt::Write;
    match c {
        c if !is_hazard(c) => out.push(c),
        '\u{7f}' => out.push_str("^?"),
        c if (c as u32) < 0x20 => {
            out.push('^');
            out.push(char::from(b'@' + c as u8));
        }
        c => {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(visible("r is 14\n\tcs 500k"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_are_shown_not_interpreted() {
        assert_eq!(visible("a\x1b[31mred\x1b[0m"), "a^[[31mred^[[0m");
        assert_eq!(visible("\x1b]52;c;aGk=\x07"), "^[]52;c;aGk=^G");
        assert_eq!(visible("x\u{9b}31m"), "x<U+009B>31m");
        assert_eq!(visible("\u{202e}txt"), "<U+202E>txt");
        assert_eq!(visible("del\u{7f}"), "del^?");
        assert_eq!(visible("cr\r"), "cr^M");
    }

    #[test]
    fn own_colours_are_kept_and_nothing_else() {
        assert_eq!(
            visible_keeping_colour("\x1b[1;32mok\x1b[0m \x1b]52;c;x\x07 \x1b[8m \x1b[2J"),
            "\x1b[1;32mok\x1b[0m ^[]52;c;x^G ^[[8m ^[[2J"
        );
        assert_eq!(visible_keeping_colour("\x1b[38;5;1m"), "^[[38;5;1m");
    }

    #[test]
    fn one_line_folds_newlines() {
        assert_eq!(visible_line("a\nb\tc\r"), "a b c ");
    }

    #[test]
    fn output_never_contains_a_hazard() {
        let all: String = (0u32..0x300).filter_map(char::from_u32).collect();
        assert!(!visible(&all).chars().any(is_hazard));
        assert!(!visible_line(&all).chars().any(|c| c.is_control()));
    }
}
