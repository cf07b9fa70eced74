//! What-if overrides for `try threads=16 shards=8`: parse `PARAM=VALUE` and apply to an incident.
//!
//! Owns: the parameter names, their value syntax, range checks and "did you mean" suggestions.
//! Must not: simulate; the caller re-runs the model on the returned incident.

mod placement;

pub use placement::{Ids, Placed, PlacementOverride};

use crate::domain::{Incident, LockKind};

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
    /// Where a workload's threads run or its memory lives (NUMA).
    Placement(Placed),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhatIfError {
    /// A close name is suggested; otherwise every parameter is listed.
    #[error("unknown parameter `{name}` ({})", match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "`try` changes {}",
            PARAMETERS
                .iter()
                .chain(placement::PARAMETERS)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })]
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

/// The parameters `try` accepts, as a candidate writes them (`shards.LOCK` and `lock.LOCK`
/// name one lock); the name is what comes before `[` or `=`.
pub const PARAMETERS: &[&str] = &[
    "threads=N",
    "cpus=N",
    "shards[.LOCK]=N",
    "lock[.LOCK]=KIND",
    "memory=SIZE",
    "irq_spread=on|off",
    "hold_scale=F",
];

/// `shards[.LOCK]=N` -> `shards`. The placement parameters are listed in `placement`.
fn parameter_name(syntax: &str) -> &str {
    syntax.split(['[', '=']).next().unwrap_or(syntax)
}

/// Inclusive ranges of the numeric parameters (`parameter_help` prints them).
const THREADS: (u64, u64) = (1, 100_000);
const CPUS: (u64, u64) = (1, 1024);
const SHARDS: (u64, u64) = (1, 4096);
/// Most a critical section may be scaled by (the least is anything above 0).
const HOLD_SCALE_MAX: f64 = 100.0;

/// Every parameter with its value syntax and range, for `help`.
pub fn parameter_help() -> Vec<(&'static str, String)> {
    let kinds: Vec<&str> = KINDS.iter().map(|(name, _)| *name).collect();
    vec![
        (
            "threads=N",
            format!("worker threads, {} to {}", THREADS.0, THREADS.1),
        ),
        ("cpus=N", format!("online CPUs, {} to {}", CPUS.0, CPUS.1)),
        (
            "shards[.LOCK]=N",
            format!(
                "split every lock (or LOCK) N ways, {} to {}",
                SHARDS.0, SHARDS.1
            ),
        ),
        (
            "lock[.LOCK]=KIND",
            format!("change the lock kind: {}", kinds.join(", ")),
        ),
        ("memory=SIZE", "RAM, 64 MiB to 64 TiB (e.g. 32g)".to_owned()),
        (
            "irq_spread=on|off",
            "spread NIC interrupts over every CPU".to_owned(),
        ),
        (
            "hold_scale=F",
            format!("scale critical-section hold times, above 0 to {HOLD_SCALE_MAX}"),
        ),
    ]
    .into_iter()
    .chain(placement::help())
    .collect()
}

const KINDS: &[(&str, LockKind)] = &[
    ("spinlock", LockKind::Spinlock),
    ("mutex", LockKind::Mutex),
    ("rwlock", LockKind::RwLock),
    ("rwsem", LockKind::RwSem),
    ("rcu", LockKind::Rcu),
    ("seqlock", LockKind::Seqlock),
    ("semaphore", LockKind::Semaphore),
];

fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    crate::suggest::closest(word, candidates).map(str::to_owned)
}

fn bad(name: &str, value: &str, reason: &str) -> WhatIfError {
    WhatIfError::BadValue {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

fn int(name: &str, value: &str, lo: u64, hi: u64) -> Result<u64, WhatIfError> {
    let n: u64 = value
        .trim()
        .replace('_', "")
        .parse()
        .map_err(|_| bad(name, value, "expected a whole number"))?;
    if n < lo || n > hi {
        return Err(bad(name, value, &format!("must be between {lo} and {hi}")));
    }
    Ok(n)
}

fn memory_mib(value: &str) -> Result<u64, WhatIfError> {
    let v = value.trim().to_ascii_lowercase();
    let v = v
        .strip_suffix("ib")
        .or_else(|| v.strip_suffix('b'))
        .unwrap_or(&v);
    let (num, mult) = match v.chars().last() {
        Some('g') => (&v[..v.len() - 1], 1024.0),
        Some('t') => (&v[..v.len() - 1], 1024.0 * 1024.0),
        Some('m') => (&v[..v.len() - 1], 1.0),
        _ => (v, 1.0),
    };
    let n: f64 = num.trim().parse().map_err(|_| {
        bad(
            "memory",
            value,
            "expected a size such as 32g or 32768 (MiB)",
        )
    })?;
    let mib = n * mult;
    if !mib.is_finite() || !(64.0..=64.0 * 1024.0 * 1024.0).contains(&mib) {
        return Err(bad("memory", value, "must be between 64 MiB and 64 TiB"));
    }
    Ok(mib.round() as u64)
}

impl Override {
    pub fn parse(text: &str) -> Result<Override, WhatIfError> {
        let Some((name, value)) = text.split_once('=') else {
            return Err(WhatIfError::Syntax(text.to_owned()));
        };
        let name = name.trim();
        let value = value.trim();
        if name.is_empty() || value.is_empty() {
            return Err(WhatIfError::Syntax(text.to_owned()));
        }
        let (base, lock) = match name.split_once('.') {
            Some((b, l)) if !l.is_empty() => (b, Some(l.to_owned())),
            _ => (name, None),
        };
        let lower = base.to_ascii_lowercase();
        match lower.as_str() {
            "threads" if lock.is_none() => Ok(Override::Threads(int(
                name, value, THREADS.0, THREADS.1,
            )? as u32)),
            "cpus" if lock.is_none() => {
                Ok(Override::Cpus(int(name, value, CPUS.0, CPUS.1)? as u32))
            }
            "shards" => Ok(Override::Shards {
                lock,
                shards: int(name, value, SHARDS.0, SHARDS.1)? as u32,
            }),
            "lock" => {
                let v = value.to_ascii_lowercase();
                match KINDS.iter().find(|(k, _)| *k == v) {
                    Some(&(_, kind)) => Ok(Override::LockKind { lock, kind }),
                    None => {
                        let hint = suggest(&v, KINDS.iter().map(|k| k.0))
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        Err(bad(
                            name,
                            value,
                            &format!(
                                "expected spinlock, mutex, rwlock, rcu, seqlock or semaphore{hint}"
                            ),
                        ))
                    }
                }
            }
            "memory" if lock.is_none() => Ok(Override::MemoryMib(memory_mib(value)?)),
            "irq_spread" if lock.is_none() => match value.to_ascii_lowercase().as_str() {
                "on" | "true" | "yes" | "1" => Ok(Override::IrqSpread(true)),
                "off" | "false" | "no" | "0" => Ok(Override::IrqSpread(false)),
                _ => Err(bad(name, value, "expected on or off")),
            },
            "hold_scale" if lock.is_none() => {
                let f: f64 = value
                    .parse()
                    .map_err(|_| bad(name, value, "expected a number such as 0.5"))?;
                if !f.is_finite() || f <= 0.0 || f > HOLD_SCALE_MAX {
                    return Err(bad(name, value, "must be above 0 and at most 100"));
                }
                Ok(Override::HoldScale(f))
            }
            _ => match placement::parse(&lower, name, value, lock) {
                Some(placed) => placed.map(Override::Placement),
                None => Err(WhatIfError::UnknownParameter {
                    name: name.to_owned(),
                    suggestion: suggest(
                        &lower,
                        PARAMETERS
                            .iter()
                            .chain(placement::PARAMETERS)
                            .map(|p| parameter_name(p)),
                    ),
                }),
            },
        }
    }
}

/// The lock indices an override names (every lock when `None`).
fn locks_named(
    incident: &Incident,
    lock: &Option<String>,
    param: &str,
) -> Result<Vec<usize>, WhatIfError> {
    match lock {
        None => Ok((0..incident.locks.len()).collect()),
        Some(id) => match incident.lock_index(id) {
            Some(i) => Ok(vec![i]),
            None => Err(WhatIfError::UnknownParameter {
                name: format!("{param}.{id}"),
                suggestion: suggest(id, incident.locks.iter().map(|l| l.id.as_str()))
                    .map(|s| format!("{param}.{s}")),
            }),
        },
    }
}

/// The incident with every override applied, re-validated.
pub fn apply(incident: &Incident, overrides: &[Override]) -> Result<Incident, WhatIfError> {
    let mut out = incident.clone();
    for o in overrides {
        match o {
            Override::Threads(n) => {
                if !(1..=100_000).contains(n) {
                    return Err(bad(
                        "threads",
                        &n.to_string(),
                        "must be between 1 and 100000",
                    ));
                }
                if let Some(w) = out.workloads.first_mut() {
                    w.threads = *n;
                }
            }
            Override::Cpus(n) => {
                if !(1..=1024).contains(n) {
                    return Err(bad("cpus", &n.to_string(), "must be between 1 and 1024"));
                }
                if out.machine.numa.is_some() {
                    return Err(bad(
                        "cpus",
                        &n.to_string(),
                        "this box's CPUs are fixed by its NUMA nodes; place the threads with cpunodebind=NODES instead",
                    ));
                }
                out.machine.cpus = *n;
                for nic in &mut out.machine.nics {
                    nic.irq_cpus.retain(|c| c < n);
                    if nic.irq_cpus.is_empty() {
                        nic.irq_cpus.push(0);
                    }
                }
            }
            Override::Shards { lock, shards } => {
                if !(1..=4096).contains(shards) {
                    return Err(bad(
                        "shards",
                        &shards.to_string(),
                        "must be between 1 and 4096",
                    ));
                }
                for i in locks_named(&out, lock, "shards")? {
                    out.locks[i].shards = *shards;
                }
            }
            Override::LockKind { lock, kind } => {
                for i in locks_named(&out, lock, "lock")? {
                    out.locks[i].kind = *kind;
                }
            }
            Override::MemoryMib(m) => {
                if *m < 64 {
                    return Err(bad("memory", &m.to_string(), "must be at least 64 MiB"));
                }
                out.machine.memory_mib = *m;
                // More memory than the workloads need ends the pressure.
                let need: u64 = out
                    .workloads
                    .iter()
                    .map(|w| w.rss_mib + w.file_cache_mib)
                    .sum::<u64>()
                    + *m / 10;
                if *m > need {
                    out.faults
                        .retain(|f| !matches!(f, crate::domain::Fault::MemoryPressure { .. }));
                }
            }
            Override::IrqSpread(on) => {
                let cpus = out.machine.cpus;
                for nic in &mut out.machine.nics {
                    if *on {
                        nic.irq_cpus = (0..cpus).collect();
                        nic.rx_queues = nic.rx_queues.max(cpus);
                    } else {
                        nic.irq_cpus = vec![0];
                        nic.rx_queues = 1;
                    }
                }
            }
            Override::HoldScale(f) => {
                if !f.is_finite() || *f <= 0.0 || *f > 100.0 {
                    return Err(bad(
                        "hold_scale",
                        &f.to_string(),
                        "must be above 0 and at most 100",
                    ));
                }
                for w in &mut out.workloads {
                    for cs in &mut w.request.critical_sections {
                        cs.hold_us *= f;
                    }
                }
            }
            Override::Placement(placed) => placement::apply(&mut out, placed)?,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_parameter() {
        assert_eq!(Override::parse("threads=16"), Ok(Override::Threads(16)));
        assert_eq!(Override::parse("cpus=8"), Ok(Override::Cpus(8)));
        assert_eq!(
            Override::parse("shards=8"),
            Ok(Override::Shards {
                lock: None,
                shards: 8
            })
        );
        assert_eq!(
            Override::parse("shards.queue=8"),
            Ok(Override::Shards {
                lock: Some("queue".into()),
                shards: 8
            })
        );
        assert_eq!(
            Override::parse("lock.queue=mutex"),
            Ok(Override::LockKind {
                lock: Some("queue".into()),
                kind: LockKind::Mutex
            })
        );
        assert_eq!(
            Override::parse("memory=32g"),
            Ok(Override::MemoryMib(32768))
        );
        assert_eq!(
            Override::parse("memory=32768"),
            Ok(Override::MemoryMib(32768))
        );
        assert_eq!(
            Override::parse("irq_spread=on"),
            Ok(Override::IrqSpread(true))
        );
        assert_eq!(
            Override::parse("hold_scale=0.5"),
            Ok(Override::HoldScale(0.5))
        );
    }

    /// Every parameter listed is one `parse` accepts.
    #[test]
    fn the_listed_parameters_are_the_accepted_ones() {
        for syntax in PARAMETERS {
            let name = parameter_name(syntax);
            let value = if name == "lock" { "mutex" } else { "1" };
            let value = if name == "irq_spread" { "on" } else { value };
            let value = if name == "memory" { "1g" } else { value };
            assert!(
                Override::parse(&format!("{name}={value}")).is_ok(),
                "{syntax}"
            );
        }
    }

    #[test]
    fn errors_are_clear() {
        let e = Override::parse("thread=4").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown parameter `thread` (did you mean `threads`?)"
        );
        let e = Override::parse("rate_per_s=9000").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown parameter `rate_per_s` (`try` changes threads=N, cpus=N, shards[.LOCK]=N, \
             lock[.LOCK]=KIND, memory=SIZE, irq_spread=on|off, hold_scale=F, \
             cpunodebind[.NAME]=NODES, physcpubind[.NAME]=CPUS, membind[.NAME]=NODES, \
             interleave[.NAME]=NODES, first_touch[.NAME]=local|NODES)"
        );
        let e = Override::parse("threads=lots").unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad value `lots` for `threads`: expected a whole number"
        );
        assert!(matches!(
            Override::parse("threads"),
            Err(WhatIfError::Syntax(_))
        ));
        let e = Override::parse("lock=mutx").unwrap_err().to_string();
        assert!(e.contains("did you mean `mutex`"), "{e}");
        assert!(Override::parse("cpus=0").is_err());
        assert!(Override::parse("hold_scale=-1").is_err());
        assert!(Override::parse("irq_spread=maybe").is_err());
    }
}
