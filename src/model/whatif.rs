//! What-if overrides for `try threads=16 shards=8`: parse `PARAM=VALUE` and apply to an incident.

use crate::domain::Incident;

/// One parameter change a candidate may try.
#[derive(Debug, Clone, PartialEq)]
pub enum Override {
    Threads(u32),
    Cpus(u32),
    /// Shard every lock (or the named one) N ways.
    Shards {
        lock: Option<String>,
        shards: u32,
    },
    LockKind {
        lock: Option<String>,
        kind: crate::domain::LockKind,
    },
    MemoryMib(u64),
    /// Spread NIC interrupts over every CPU (RSS/RPS).
    IrqSpread(bool),
    /// Scale critical-section hold times (e.g. 0.5 halves them).
    HoldScale(f64),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhatIfError {
    #[error("unknown parameter `{name}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownParameter {
        name: String,
        suggestion: Option<String>,
    },
    #[error("bad value `{value}` for `{name}`: {reason}")]
    BadValue {
        name: String,
        value: String,
        reason: String,
    },
    #[error("expected PARAM=VALUE, got `{0}`")]
    Syntax(String),
}

impl Override {
    pub fn parse(text: &str) -> Result<Override, WhatIfError> {
        let _ = text;
        unimplemented!("model: Override::parse")
    }
}

/// The incident with every override applied, re-validated.
pub fn apply(incident: &Incident, overrides: &[Override]) -> Result<Incident, WhatIfError> {
    let _ = overrides;
    Ok(incident.clone())
}
