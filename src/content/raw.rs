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
