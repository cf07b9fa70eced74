//! The serde mirror of the YAML formats (docs/FORMATS.md): what a coach writes, before any
//! checking beyond shapes and types. Every struct denies unknown keys, no `flatten` and no
//! `untagged` (both ruin error locations); enums are externally tagged, so a variant is a
//! single-key map (`closed: {think_us: 400}`) or a bare word (`vague`).
//!
//! The `///` docs on these fields are the coach reference: they become the descriptions in
//! the generated JSON Schema (`sysdrill schema`). Only this module and `transcript` derive
//! `Deserialize`; nothing outside `content` sees these types.

pub mod drill;
pub mod incident;
pub mod lexicon;

pub use drill::*;
pub use incident::*;
pub use lexicon::*;

use serde::Deserialize;

/// The newest `format_version` this build reads, for drills and incidents alike.
pub const FORMAT_VERSION: u32 = 1;

/// Schema patterns for what `validate` checks in code (a test holds the two to agree): a
/// string with something besides white space in it, a time of day `HH:MM:SS`, a sysstat date
/// `MM/DD/YY`, and a drill or incident id (a file stem).
pub(crate) const NOT_BLANK: &str = r"\S";
pub(crate) const CLOCK_PATTERN: &str = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$";
pub(crate) const DATE_PATTERN: &str = r"^(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/[0-9]{2}$";
/// A Linux CPU or node list: numbers and ranges separated by commas (`0-7,16-23`).
pub(crate) const ID_LIST_PATTERN: &str = r"^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$";
pub(crate) const ID_PATTERN: &str = r"^[a-z0-9][a-z0-9_-]{0,63}$";

/// Reads only `format_version`, ignoring every other key, so that a file written for a newer
/// sysdrill gets an "upgrade" message rather than a list of unknown keys. The one deliberate
/// exception to `deny_unknown_fields`; never used to build content.
#[derive(Debug, Deserialize)]
pub struct VersionProbe {
    #[serde(default)]
    pub format_version: Option<i64>,
}

/// The `format_version` a parsed file declared.
pub trait Versioned {
    fn format_version(&self) -> u32;
}

impl Versioned for RawDrill {
    fn format_version(&self) -> u32 {
        self.format_version
    }
}

impl Versioned for RawLexicon {
    fn format_version(&self) -> u32 {
        self.format_version
    }
}

impl Versioned for RawIncident {
    fn format_version(&self) -> u32 {
        self.format_version
    }
}

pub(crate) fn default_one_u32() -> u32 {
    1
}

pub(crate) fn default_one_f64() -> f64 {
    1.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::validate;

    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(pattern).unwrap().is_match(text)
    }

    #[test]
    fn schema_patterns_agree_with_validation() {
        for clock in [
            "10:02:11", "00:00:00", "23:59:59", "24:00:00", "1:02:03", "10:60:00", "",
        ] {
            assert_eq!(
                matches(CLOCK_PATTERN, clock),
                validate::parse_clock(clock).is_some(),
                "{clock}"
            );
        }
        for date in [
            "03/14/25",
            "12/31/99",
            "13/01/25",
            "00/10/25",
            "2025-03-14",
            "3/14/25",
        ] {
            assert_eq!(
                matches(DATE_PATTERN, date),
                validate::valid_date(date),
                "{date}"
            );
        }
        for id in ["slow-under-load", "a1_b", "Slow", "-x", "", &"a".repeat(65)] {
            assert_eq!(matches(ID_PATTERN, id), validate::valid_id(id), "{id}");
        }
        for text in ["x", " x ", "", "  \n"] {
            assert_eq!(
                matches(NOT_BLANK, text),
                !text.trim().is_empty(),
                "{text:?}"
            );
        }
    }
}
