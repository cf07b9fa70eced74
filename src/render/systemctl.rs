//! `systemctl show UNIT [-p PROP…] [--value]` for the services the incident runs in a cgroup of
//! their own, as systemd 255 prints them: `NAME=VALUE` lines in the order systemd lists its
//! properties (whatever order `-p` named them in), times as systemd writes a timespan
//! (`CPUQuotaPerSecUSec=2s` for a quota of two periods, `infinity` without a limit).
//!
//! The properties are the ones an investigation reads: the service's main pid, its cgroup and
//! task count, CPU accounting and the CPU quota (per second, and its period: `infinity` when the
//! unit leaves the kernel's default period of 100 ms), and its state. `systemctl show` of a
//! real unit lists some two hundred more; these are the ones the model knows. A property this
//! box does not know prints nothing, as systemctl prints nothing for a name it does not know.
//! A unit the box does not run is refused with the units it does.

use super::argv::{ToolError, printable};
use super::proc_stack::threads_of;
use super::span::latest;
use crate::domain::{Cgroup, DEFAULT_PERIOD_US};
use crate::model::{CgroupInfo, Trace};

const USAGE: &str = "usage: systemctl show UNIT [-p PROPERTY[,PROPERTY…]] [--value]\n\
     (this box's systemctl shows the properties of the services that run in a cgroup)";

/// The properties this box knows, in the order systemd lists them (the service's own, then
/// the cgroup's, then the unit's).
const PROPERTIES: &[&str] = &[
    "MainPID",
    "ControlGroup",
    "TasksCurrent",
    "CPUAccounting",
    "CPUQuotaPerSecUSec",
    "CPUQuotaPeriodUSec",
    "Id",
    "LoadState",
    "ActiveState",
    "SubState",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemctlShow {
    /// As typed; `ledger` means `ledger.service`, as systemctl reads it.
    pub unit: String,
    /// `-p`/`--property`, in no order that matters; empty: every property.
    pub properties: Vec<String>,
    /// `--value`: the values alone.
    pub value_only: bool,
}

/// Parses the words after `systemctl`.
pub(crate) fn parse(args: &[&str]) -> Result<SystemctlShow, ToolError> {
    let Some((&verb, rest)) = args.split_first() else {
        return Err(ToolError::new(USAGE));
    };
    if verb != "show" {
        return Err(ToolError::new(format!(
            "systemctl: this box runs only `systemctl show`, not `{}`\n{USAGE}",
            printable(verb)
        )));
    }
    let mut show = SystemctlShow {
        unit: String::new(),
        properties: Vec::new(),
        value_only: false,
    };
    let mut units = Vec::new();
    let mut words = rest.iter();
    while let Some(&word) = words.next() {
        let list = match word {
            "-p" | "--property" => match words.next() {
                Some(&list) => list,
                None => {
                    return Err(ToolError::new(format!(
                        "systemctl: option requires an argument -- '{}'\n{USAGE}",
                        word.trim_start_matches('-')
                    )));
                }
            },
            "--value" => {
                show.value_only = true;
                continue;
            }
            _ if let Some(list) = word.strip_prefix("--property=") => list,
            _ if word.starts_with("-p") && word.len() > 2 => &word[2..],
            _ if word.starts_with('-') => {
                return Err(ToolError::new(format!(
                    "systemctl: unrecognized option '{}'\n{USAGE}",
                    printable(word)
                )));
            }
            unit => {
                units.push(unit);
                continue;
            }
        };
        show.properties
            .extend(list.split(',').filter(|p| !p.is_empty()).map(str::to_owned));
    }
    match units.as_slice() {
        [unit] => show.unit = printable(unit),
        [] => {
            return Err(ToolError::new(format!(
                "systemctl: name the unit to show\n{USAGE}"
            )));
        }
        _ => {
            return Err(ToolError::new(format!(
                "systemctl: this box shows one unit at a time\n{USAGE}"
            )));
        }
    }
    Ok(show)
}

/// The unit name systemctl reads `typed` as: a name without a type suffix is a service.
fn unit_name(typed: &str) -> String {
    const TYPES: &[&str] = &[
        ".service", ".socket", ".slice", ".scope", ".target", ".timer", ".mount",
    ];
    if TYPES.iter().any(|t| typed.ends_with(t)) {
        typed.to_owned()
    } else {
        format!("{typed}.service")
    }
}

pub(crate) fn render(trace: &Trace, show: &SystemctlShow, start: usize) -> String {
    let unit = unit_name(&show.unit);
    let Some(info) = trace.info.cgroups.iter().find(|g| g.cgroup.unit() == unit) else {
        let known: Vec<&str> = trace.info.cgroups.iter().map(|g| g.cgroup.unit()).collect();
        let hint = match crate::suggest::closest(&unit, known.iter().copied()) {
            Some(best) => format!(" (did you mean `{best}`?)"),
            None if known.is_empty() => {
                " (no service on this box runs in a cgroup of its own)".to_owned()
            }
            None => format!(" (this box's services: {})", known.join(", ")),
        };
        return format!("Unit {unit} could not be found.{hint}\n");
    };
    let wanted =
        |name: &str| show.properties.is_empty() || show.properties.iter().any(|p| p == name);
    let mut out = String::new();
    for &name in PROPERTIES.iter().filter(|name| wanted(name)) {
        let value = property(trace, info, name, start);
        if show.value_only {
            out.push_str(&format!("{value}\n"));
        } else {
            out.push_str(&format!("{name}={value}\n"));
        }
    }
    out
}

fn property(trace: &Trace, info: &CgroupInfo, name: &str, start: usize) -> String {
    let g = &info.cgroup;
    match name {
        "MainPID" => info.pid.to_string(),
        "ControlGroup" => format!("/{}", g.path),
        "TasksCurrent" => tasks(trace, info, start).to_string(),
        "CPUAccounting" => "yes".to_owned(),
        "CPUQuotaPerSecUSec" => quota_per_second(g),
        "CPUQuotaPeriodUSec" if g.period_us == DEFAULT_PERIOD_US => "infinity".to_owned(),
        "CPUQuotaPeriodUSec" => timespan(g.period_us),
        "Id" => g.unit().to_owned(),
        "LoadState" => "loaded".to_owned(),
        "ActiveState" => "active".to_owned(),
        "SubState" => "running".to_owned(),
        _ => String::new(),
    }
}

/// The service's threads at the cursor (its cgroup holds its one process).
fn tasks(trace: &Trace, info: &CgroupInfo, start: usize) -> usize {
    let sample = latest(trace, start);
    let Some(task) = trace.info.tasks.iter().position(|t| t.pid == info.pid) else {
        return 0;
    };
    threads_of(sample, task).count().max(1)
}

/// `CPUQuota=` as systemd keeps it: CPU time per second of wall time.
fn quota_per_second(g: &Cgroup) -> String {
    match g.quota_us {
        Some(quota) => {
            timespan((u128::from(quota) * 1_000_000 / u128::from(g.period_us.max(1))) as u64)
        }
        None => "infinity".to_owned(),
    }
}

/// A time span in microseconds as systemd's `format_timespan` writes it at microsecond
/// accuracy: the largest units first, space-separated (`1min 30s`), and under a minute a
/// remainder in decimals of the largest unit (`1.500000s`, `1.050ms`).
pub(crate) fn timespan(us: u64) -> String {
    const UNITS: &[(&str, u64)] = &[
        ("y", 31_557_600_000_000),
        ("month", 2_629_800_000_000),
        ("w", 604_800_000_000),
        ("d", 86_400_000_000),
        ("h", 3_600_000_000),
        ("min", 60_000_000),
        ("s", 1_000_000),
        ("ms", 1_000),
        ("us", 1),
    ];
    if us == 0 {
        return "0".to_owned();
    }
    let mut left = us;
    let mut parts = Vec::new();
    for &(suffix, unit) in UNITS {
        if left == 0 {
            break;
        }
        if left < unit {
            continue;
        }
        let (whole, rest) = (left / unit, left % unit);
        if left < 60_000_000 && rest > 0 {
            // Dot notation: as many decimals as the unit has microsecond digits.
            let digits = unit.ilog10() as usize;
            parts.push(format!("{whole}.{rest:0digits$}{suffix}"));
            break;
        }
        parts.push(format!("{whole}{suffix}"));
        left = rest;
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_read_as_systemd_writes_them() {
        assert_eq!(timespan(2_000_000), "2s");
        assert_eq!(timespan(1_500_000), "1.500000s");
        assert_eq!(timespan(500_000), "500ms");
        assert_eq!(timespan(1_050), "1.050ms");
        assert_eq!(timespan(250), "250us");
        assert_eq!(timespan(90_000_000), "1min 30s");
        assert_eq!(timespan(1_024_000_000), "17min 4s");
        assert_eq!(timespan(100_000), "100ms");
    }

    #[test]
    fn options_and_the_unit_parse_in_any_order() {
        let show = parse(&["show", "-p", "CPUQuotaPerSecUSec", "ledger.service"]).unwrap();
        assert_eq!(show.unit, "ledger.service");
        assert_eq!(show.properties, ["CPUQuotaPerSecUSec"]);
        let show = parse(&[
            "show",
            "ledger",
            "--property=MainPID,ActiveState",
            "--value",
        ])
        .unwrap();
        assert_eq!(show.properties, ["MainPID", "ActiveState"]);
        assert!(show.value_only);
        assert_eq!(unit_name(&show.unit), "ledger.service");
        assert!(parse(&["status", "ledger"]).is_err());
        assert!(parse(&["show"]).is_err());
        assert!(parse(&["show", "a", "b"]).is_err());
        assert!(parse(&["show", "a", "-p"]).is_err());
        assert!(parse(&["show", "a", "-x"]).is_err());
    }
}
