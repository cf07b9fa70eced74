//! Validated domain types shared by every layer: ids, seeds, incidents and drills.
//!
//! These are plain data built by `content::validate` from the raw serde mirrors. The model,
//! renderers, scorer and interviewer only ever see these types, never serde ones, so a change
//! to the YAML format stays inside `content`. Nothing here does IO.

pub mod drill;
pub mod incident;
pub mod lexicon;
pub mod numa;

pub use drill::*;
pub use incident::*;
pub use lexicon::{Form, Idea, Lexicon, LexiconEntry, Within, role_reference};
pub use numa::{MemoryPolicy, NumaNode, NumaTopology, Placement};

use std::fmt;

/// Seed of every random stream in a run. Recorded in transcripts so a session replays exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Seed(pub u64);

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

string_id!(
    /// A drill id: the file stem under `drills/`, fixed forever once shipped.
    DrillId
);
string_id!(
    /// An incident id: the file stem under `incidents/`.
    IncidentId
);

/// A stable 64-bit FNV-1a hash. Used for content hashes recorded in transcripts and for
/// deriving RNG sub-stream seeds from labels; `std`'s hasher is not stable across releases.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_hash_matches_published_fnv1a_vectors() {
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
