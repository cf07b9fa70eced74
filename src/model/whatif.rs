//! What-if overrides for `try threads=16 shards=8`: parse `PARAM=VALUE` and apply to an incident.
//!
//! Owns: the parameter names, their value syntax, range checks and "did you mean" suggestions.
//! Must not: simulate; the caller re-runs the model on the returned incident.

mod mix;
mod placement;

pub use mix::{PathChange, PathOverride};
pub use placement::{Ids, Placed, PlacementOverride};

use crate::domain::{Arrivals, Incident, LockKind, MAX_QUOTA_US, MIN_QUOTA_US, SpinAcquire};

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
    /// How process context takes every lock shared with an interrupt handler (or the named one).
    Acquire {
        lock: Option<String>,
        acquire: SpinAcquire,
    },
    /// Keep the synchronous writes of every lock's (or the named lock's) critical sections
    /// under the lock (`on`, as written) or flush after releasing it (`off`).
    IoUnderLock {
        lock: Option<String>,
        under: bool,
    },
    /// IOs every disk serves at once (a bigger device, more queues).
    DiskParallelism(u32),
    /// Where a workload's threads run or its memory lives (NUMA).
    Placement(Placed),
    /// Every code path takes nested locks in the one order the sections declare: no request
    /// takes a pair the other way round (`lock_order=consistent`).
    ConsistentLockOrder,
    /// The share or the compute of one request path (the request mix).
    Path(PathOverride),
    // Load and CPU limits of the service (the first workload).
    /// Open arrivals of the service at this rate, requests per second.
    RatePerS(f64),
    /// The service cgroup's `cpu.max` quota: microseconds per period, or `None` for `max`.
    CpuQuota(CpuQuota),
}

/// A `try quota=` value: as `cpu.max` writes it, or in CPUs (`2cpu`: two periods' worth).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CpuQuota {
    Max,
    Micros(u64),
    Cpus(f64),
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
                .chain(mix::PARAMETERS)
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
    "rate_per_s=R",
    "quota=max|US|Ncpu",
    "cpu_max=max|US|Ncpu",
    "acquire[.LOCK]=VARIANT",
    "io_under_lock[.LOCK]=on|off",
    "disk_parallelism=N",
    "lock_order=consistent",
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
/// Open arrival rates, requests per second (the incident format's bounds).
const RATE_PER_S: (f64, f64) = (0.001, crate::content::validate::MAX_RATE_PER_S);
/// A quota in CPUs: from a hundredth of a CPU to the most CPUs a box has.
const QUOTA_CPUS: (f64, f64) = (0.01, 1024.0);
/// Disk parallelism, as the incident format bounds it.
const DISK_PARALLELISM: (u64, u64) = (1, 4096);

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
        (
            "rate_per_s=R",
            format!(
                "requests per second arriving at the service, {} to {}",
                RATE_PER_S.0, RATE_PER_S.1
            ),
        ),
        (
            "quota=max|US|Ncpu",
            format!(
                "the service cgroup's CPU quota per period: max (none), {MIN_QUOTA_US} to \
                 {MAX_QUOTA_US} us, or {} to {} CPUs (e.g. 2cpu)",
                QUOTA_CPUS.0, QUOTA_CPUS.1
            ),
        ),
        (
            "cpu_max=max|US|Ncpu",
            "the same as quota= (the cgroup file's name)".to_owned(),
        ),
        (
            "acquire[.LOCK]=VARIANT",
            format!(
                "how process context takes a lock its interrupt handler shares: {}",
                ACQUIRES
                    .iter()
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        (
            "io_under_lock[.LOCK]=on|off",
            "flush a critical section's synchronous write inside the lock, or after it".to_owned(),
        ),
        (
            "disk_parallelism=N",
            format!(
                "IOs each disk serves at once, {} to {}",
                DISK_PARALLELISM.0, DISK_PARALLELISM.1
            ),
        ),
    ]
    .into_iter()
    .chain([(
        "lock_order=consistent",
        "take nested locks in one order on every code path (no reversed pair)".to_owned(),
    )])
    .chain(placement::help())
    .chain(mix::help())
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

const ACQUIRES: &[(&str, SpinAcquire)] = &[
    ("spin_lock", SpinAcquire::Plain),
    ("spin_lock_bh", SpinAcquire::Bh),
    ("spin_lock_irqsave", SpinAcquire::IrqSave),
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

impl std::fmt::Display for CpuQuota {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CpuQuota::Max => f.write_str("max"),
            CpuQuota::Micros(us) => write!(f, "{us}"),
            CpuQuota::Cpus(n) => write!(f, "{n}cpu"),
        }
    }
}

/// `max`, microseconds (`200000`, `200000us`), or CPUs (`2cpu`, `1.5cpus`).
fn quota(name: &str, value: &str) -> Result<CpuQuota, WhatIfError> {
    let v = value.trim().to_ascii_lowercase().replace('_', "");
    if v == "max" {
        return Ok(CpuQuota::Max);
    }
    if let Some(cpus) = v.strip_suffix("cpus").or_else(|| v.strip_suffix("cpu")) {
        let n: f64 = cpus.trim().parse().map_err(|_| {
            bad(
                name,
                value,
                "expected max, microseconds or CPUs (e.g. 2cpu)",
            )
        })?;
        if !n.is_finite() || n < QUOTA_CPUS.0 || n > QUOTA_CPUS.1 {
            return Err(bad(
                name,
                value,
                &format!("must be between {} and {} CPUs", QUOTA_CPUS.0, QUOTA_CPUS.1),
            ));
        }
        return Ok(CpuQuota::Cpus(n));
    }
    let us = v.strip_suffix("us").unwrap_or(&v);
    let n = int(name, us, MIN_QUOTA_US, MAX_QUOTA_US).map_err(|e| match e {
        WhatIfError::BadValue { reason, .. } => bad(
            name,
            value,
            &format!("{reason} microseconds, or write max or CPUs (e.g. 2cpu)"),
        ),
        other => other,
    })?;
    Ok(CpuQuota::Micros(n))
}

fn on_off(name: &str, value: &str) -> Result<bool, WhatIfError> {
    match value.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        _ => Err(bad(name, value, "expected on or off")),
    }
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
            "acquire" => {
                let v = value.to_ascii_lowercase();
                match ACQUIRES.iter().find(|(name, _)| *name == v) {
                    Some(&(_, acquire)) => Ok(Override::Acquire { lock, acquire }),
                    None => {
                        let hint = suggest(&v, ACQUIRES.iter().map(|a| a.0))
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        Err(bad(
                            name,
                            value,
                            &format!("expected spin_lock, spin_lock_bh or spin_lock_irqsave{hint}"),
                        ))
                    }
                }
            }
            "memory" if lock.is_none() => Ok(Override::MemoryMib(memory_mib(value)?)),
            "irq_spread" if lock.is_none() => Ok(Override::IrqSpread(on_off(name, value)?)),
            "io_under_lock" => Ok(Override::IoUnderLock {
                lock,
                under: on_off(name, value)?,
            }),
            "disk_parallelism" if lock.is_none() => Ok(Override::DiskParallelism(int(
                name,
                value,
                DISK_PARALLELISM.0,
                DISK_PARALLELISM.1,
            )?
                as u32)),
            "hold_scale" if lock.is_none() => {
                let f: f64 = value
                    .parse()
                    .map_err(|_| bad(name, value, "expected a number such as 0.5"))?;
                if !f.is_finite() || f <= 0.0 || f > HOLD_SCALE_MAX {
                    return Err(bad(name, value, "must be above 0 and at most 100"));
                }
                Ok(Override::HoldScale(f))
            }
            "rate_per_s" if lock.is_none() => {
                let r: f64 = value
                    .replace('_', "")
                    .parse()
                    .map_err(|_| bad(name, value, "expected requests per second, e.g. 5000"))?;
                if !r.is_finite() || r < RATE_PER_S.0 || r > RATE_PER_S.1 {
                    return Err(bad(
                        name,
                        value,
                        &format!("must be between {} and {}", RATE_PER_S.0, RATE_PER_S.1),
                    ));
                }
                Ok(Override::RatePerS(r))
            }
            "quota" | "cpu_max" if lock.is_none() => Ok(Override::CpuQuota(quota(name, value)?)),
            "lock_order" if lock.is_none() => match value.to_ascii_lowercase().as_str() {
                "consistent" => Ok(Override::ConsistentLockOrder),
                _ => Err(bad(
                    name,
                    value,
                    "expected consistent (one order for nested locks on every path)",
                )),
            },
            _ => match placement::parse(&lower, name, value, lock.clone()) {
                Some(placed) => placed.map(Override::Placement),
                None => match mix::parse(&lower, name, value, lock) {
                    Some(path) => path.map(Override::Path),
                    None => Err(WhatIfError::UnknownParameter {
                        name: name.to_owned(),
                        suggestion: suggest(
                            &lower,
                            PARAMETERS
                                .iter()
                                .chain(placement::PARAMETERS)
                                .chain(mix::PARAMETERS)
                                .map(|p| parameter_name(p)),
                        ),
                    }),
                },
            },
        }
    }
}

fn acquire_name(acquire: SpinAcquire) -> &'static str {
    ACQUIRES
        .iter()
        .find(|(_, a)| *a == acquire)
        .map_or("spin_lock", |(name, _)| name)
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
                    // A closed workload's threads are its users too: resizing the pool keeps
                    // the users, who now queue for the workers.
                    if let Arrivals::Closed { think_us } = w.arrivals {
                        w.arrivals = Arrivals::Pool {
                            clients: w.threads,
                            think_us,
                        };
                    }
                    w.threads = *n;
                    // The candidate's pool holds throughout: it replaces the deploys' pools.
                    for deploy in &mut w.deploys {
                        deploy.threads = None;
                    }
                    w.deploys.retain(|d| d.compute_us.is_some());
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
            Override::Acquire { lock, acquire } => {
                let shared: Vec<usize> = locks_named(&out, lock, "acquire")?
                    .into_iter()
                    .filter(|&i| out.locks[i].interrupt.is_some())
                    .collect();
                if shared.is_empty() {
                    let what = match lock {
                        Some(id) => format!("lock `{id}` is"),
                        None => "no lock here is".to_owned(),
                    };
                    return Err(bad(
                        "acquire",
                        acquire_name(*acquire),
                        &format!("{what} shared with an interrupt handler"),
                    ));
                }
                for i in shared {
                    if let Some(usage) = out.locks[i].interrupt.as_mut() {
                        usage.process_acquire = *acquire;
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
                    for cs in w
                        .requests_mut()
                        .flat_map(|r| r.critical_sections.iter_mut())
                    {
                        cs.hold_us *= f;
                        for n in &mut cs.nested {
                            n.hold_us *= f;
                        }
                    }
                }
            }
            Override::RatePerS(r) => {
                let Some(w) = out.workloads.first_mut() else {
                    continue;
                };
                if !matches!(w.arrivals, Arrivals::Open { .. }) {
                    return Err(bad(
                        "rate_per_s",
                        &r.to_string(),
                        "the service's clients wait for each answer (a closed loop); \
                         change threads= instead",
                    ));
                }
                // The candidate's rate holds throughout: it replaces the incident's steps too.
                w.arrivals = Arrivals::Open { rate_per_s: *r };
                w.load_steps.clear();
            }
            Override::CpuQuota(q) => {
                let Some(cgroup) = out.workloads.first_mut().and_then(|w| w.cgroup.as_mut()) else {
                    return Err(bad(
                        "quota",
                        &q.to_string(),
                        "the service runs in the root cgroup, which has no CPU quota",
                    ));
                };
                cgroup.quota_us = match *q {
                    CpuQuota::Max => None,
                    CpuQuota::Micros(us) => Some(us),
                    CpuQuota::Cpus(n) => Some(
                        ((n * cgroup.period_us as f64).round() as u64)
                            .clamp(MIN_QUOTA_US, MAX_QUOTA_US),
                    ),
                };
            }
            Override::IoUnderLock { lock, under } => {
                let named = locks_named(&out, lock, "io_under_lock")?;
                let mut changed = false;
                for w in &mut out.workloads {
                    for cs in w
                        .requests_mut()
                        .flat_map(|r| r.critical_sections.iter_mut())
                    {
                        if let Some(io) = cs.io.as_mut().filter(|_| named.contains(&cs.lock)) {
                            io.under_lock = *under;
                            changed = true;
                        }
                    }
                }
                if !changed {
                    return Err(bad(
                        "io_under_lock",
                        if *under { "on" } else { "off" },
                        "no critical section here makes a synchronous write",
                    ));
                }
            }
            Override::DiskParallelism(n) => {
                if !(DISK_PARALLELISM.0..=DISK_PARALLELISM.1).contains(&u64::from(*n)) {
                    return Err(bad(
                        "disk_parallelism",
                        &n.to_string(),
                        "must be between 1 and 4096",
                    ));
                }
                for disk in &mut out.machine.disks {
                    disk.parallelism = *n;
                }
            }
            Override::Placement(placed) => placement::apply(&mut out, placed)?,
            Override::ConsistentLockOrder => {
                let mut changed = false;
                let nested = out
                    .workloads
                    .iter_mut()
                    .flat_map(|w| w.requests_mut())
                    .flat_map(|r| r.critical_sections.iter_mut())
                    .flat_map(|cs| cs.nested.iter_mut());
                for n in nested.filter(|n| n.reverse_fraction > 0.0) {
                    n.reverse_fraction = 0.0;
                    changed = true;
                }
                if !changed {
                    return Err(bad(
                        "lock_order",
                        "consistent",
                        "every code path here already takes its locks in one order",
                    ));
                }
            }
            Override::Path(path) => mix::apply(&mut out, path)?,
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
        assert_eq!(
            Override::parse("io_under_lock.wal=off"),
            Ok(Override::IoUnderLock {
                lock: Some("wal".into()),
                under: false
            })
        );
        assert_eq!(
            Override::parse("disk_parallelism=64"),
            Ok(Override::DiskParallelism(64))
        );
    }

    #[test]
    fn acquire_changes_only_locks_shared_with_a_handler() {
        let catalog = crate::content::load_catalog(&[]).expect("shipped content loads");
        let shared = &catalog.incidents[&crate::domain::IncidentId::from("irq-spinlock-lockup")];
        let fixed = apply(
            shared,
            &[Override::parse("acquire.counters=spin_lock_irqsave").unwrap()],
        )
        .unwrap();
        let usage = fixed.locks[0].interrupt.as_ref().unwrap();
        assert_eq!(usage.process_acquire, SpinAcquire::IrqSave);
        let plain = &catalog.incidents[&crate::domain::IncidentId::from("hung-deadlock")];
        let e = apply(plain, &[Override::parse("acquire=spin_lock_bh").unwrap()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad value `spin_lock_bh` for `acquire`: no lock here is shared with an interrupt handler"
        );
    }

    #[test]
    fn a_consistent_lock_order_drops_the_reversed_paths_only_where_there_are_some() {
        let catalog = crate::content::load_catalog(&[]).expect("shipped content loads");
        let hung = &catalog.incidents[&crate::domain::IncidentId::from("hung-deadlock")];
        let o = Override::parse("lock_order=consistent").unwrap();
        let fixed = apply(hung, std::slice::from_ref(&o)).unwrap();
        let nested = &fixed.workloads[0].request.critical_sections[0].nested;
        assert!(!nested.is_empty() && nested.iter().all(|n| n.reverse_fraction == 0.0));
        let plain = &catalog.incidents[&crate::domain::IncidentId::from("slow-under-load")];
        assert_eq!(
            apply(plain, &[o]).unwrap_err().to_string(),
            "bad value `consistent` for `lock_order`: every code path here already takes its \
             locks in one order"
        );
        assert!(Override::parse("lock_order=random").is_err());
    }

    /// Every parameter listed is one `parse` accepts.
    #[test]
    fn the_listed_parameters_are_the_accepted_ones() {
        for syntax in PARAMETERS {
            let name = parameter_name(syntax);
            let value = if name == "lock" { "mutex" } else { "1" };
            let value = if name == "irq_spread" { "on" } else { value };
            let value = if name == "memory" { "1g" } else { value };
            let value = if matches!(name, "quota" | "cpu_max") {
                "max"
            } else if name == "acquire" {
                "spin_lock_irqsave"
            } else if name == "io_under_lock" {
                "off"
            } else if name == "lock_order" {
                "consistent"
            } else {
                value
            };
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
        let e = Override::parse("qps=9000").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown parameter `qps` (`try` changes threads=N, cpus=N, shards[.LOCK]=N, \
             lock[.LOCK]=KIND, memory=SIZE, irq_spread=on|off, hold_scale=F, rate_per_s=R, \
             quota=max|US|Ncpu, cpu_max=max|US|Ncpu, acquire[.LOCK]=VARIANT, \
             io_under_lock[.LOCK]=on|off, disk_parallelism=N, lock_order=consistent, cpunodebind[.NAME]=NODES, \
             physcpubind[.NAME]=CPUS, membind[.NAME]=NODES, interleave[.NAME]=NODES, \
             first_touch[.NAME]=local|NODES, slow_path[.NAME]=F, slow_path_us[.NAME]=US)"
        );
        let e = Override::parse("acquire=spin_lock_irqsafe")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `spin_lock_irqsave`"), "{e}");
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

    // The service's load and CPU limit.

    #[test]
    fn parses_rate_and_quota() {
        assert_eq!(
            Override::parse("rate_per_s=5_000"),
            Ok(Override::RatePerS(5000.0))
        );
        assert_eq!(
            Override::parse("quota=max"),
            Ok(Override::CpuQuota(CpuQuota::Max))
        );
        assert_eq!(
            Override::parse("cpu_max=400000"),
            Ok(Override::CpuQuota(CpuQuota::Micros(400_000)))
        );
        assert_eq!(
            Override::parse("quota=250000us"),
            Ok(Override::CpuQuota(CpuQuota::Micros(250_000)))
        );
        assert_eq!(
            Override::parse("quota=1.5cpus"),
            Ok(Override::CpuQuota(CpuQuota::Cpus(1.5)))
        );
        for bad in [
            "quota=10",
            "quota=0cpu",
            "quota=lots",
            "rate_per_s=0",
            "rate_per_s=1e9",
        ] {
            assert!(Override::parse(bad).is_err(), "{bad}");
        }
        let e = Override::parse("quota=500").unwrap_err().to_string();
        assert!(e.contains("microseconds, or write max or CPUs"), "{e}");
    }
}
