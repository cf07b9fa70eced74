//! `ps` as procps-ng 4.0 prints it: `ps -ef`, `ps -eLf`, `ps aux`, and `ps -e[L]o FIELDS`
//! (fields `pid tid lwp spid ppid stat state s wchan comm psr nlwp user uid pcpu %cpu`,
//! comma-separated). A snapshot of the latest completed second: each thread's state and wait
//! channel are the model's (the same as `/proc/PID/stack`), TIME adds the CPU time before the
//! drill to the seconds simulated since, and `%CPU`/`C` are lifetime averages as ps computes
//! them. Every process started at boot (the box's services and kernel threads), so STIME and
//! START are the boot time.
//!
//! Must not list a process that is not in `BoxInfo::tasks` or a thread not in the sample.

use std::collections::BTreeMap;

use super::argv::ToolError;
use super::dmesg::{civil_from_days, days_from_civil};
use super::inspect::Inspect;
use super::proc_stack::{threads_of, wchan};
use super::span::latest;
use crate::model::{Sample, TaskInfo, ThreadSample, ThreadState, Trace, add_thread_cpu_ns};

const USAGE: &str = "\nUsage:\n ps [options]\n\n Try 'ps --help <simple|list|output|threads|misc|all>'\n  or 'ps --help <s|l|o|t|m|a>'\n for additional help text.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PsCommand {
    /// `ps -ef` (`threads`: `-eLf`).
    Full { threads: bool },
    /// `ps aux`.
    Bsd,
    /// `ps -eo LIST` (`threads`: `-eLo`).
    Fields { threads: bool, fields: Vec<Column> },
}

/// One column of a `-o` list: a field, and the width `field:WIDTH` asked for, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub field: Field,
    pub width: Option<u16>,
}

impl Column {
    /// The field's width, or the one asked for, keeping the field's alignment.
    fn width(self) -> i32 {
        let natural = self.field.column().1;
        match self.width {
            Some(w) if natural < 0 => -i32::from(w),
            Some(w) => i32::from(w),
            None => natural,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Pid,
    Tid(&'static str),
    Ppid,
    Stat,
    State,
    Wchan,
    Comm,
    Psr,
    Nlwp,
    User,
    Uid,
    Pcpu,
}

impl Field {
    fn parse(name: &str) -> Option<Field> {
        Some(match name {
            "pid" => Field::Pid,
            "tid" => Field::Tid("TID"),
            "lwp" => Field::Tid("LWP"),
            "spid" => Field::Tid("SPID"),
            "ppid" => Field::Ppid,
            "stat" => Field::Stat,
            "state" | "s" => Field::State,
            "wchan" => Field::Wchan,
            "comm" | "ucmd" | "cmd" | "args" | "command" => Field::Comm,
            "psr" => Field::Psr,
            "nlwp" | "thcount" => Field::Nlwp,
            "user" | "euser" => Field::User,
            "uid" | "euid" => Field::Uid,
            "pcpu" | "%cpu" => Field::Pcpu,
            _ => return None,
        })
    }

    /// Header and width; a negative width is left-aligned.
    fn column(self) -> (&'static str, i32) {
        match self {
            Field::Pid => ("PID", 7),
            Field::Tid(name) => (name, 7),
            Field::Ppid => ("PPID", 7),
            Field::Stat => ("STAT", -4),
            Field::State => ("S", -1),
            Field::Wchan => ("WCHAN", -6),
            Field::Comm => ("COMMAND", -15),
            Field::Psr => ("PSR", 3),
            Field::Nlwp => ("NLWP", 4),
            Field::User => ("USER", -8),
            Field::Uid => ("UID", 5),
            Field::Pcpu => ("%CPU", 4),
        }
    }
}

/// Parses the words after `ps`.
pub(crate) fn parse(args: &[&str]) -> Result<Inspect, ToolError> {
    let (mut all, mut threads, mut full, mut bsd) = (false, false, false, false);
    let mut fields: Option<Vec<Column>> = None;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        i += 1;
        if let Some(flags) = arg.strip_prefix('-') {
            for (pos, c) in flags.char_indices() {
                match c {
                    'e' | 'A' => all = true,
                    'L' | 'T' => threads = true,
                    'f' => full = true,
                    'o' => {
                        let Some(list) =
                            super::argv::short_option_value(&flags[pos + 1..], args, &mut i)
                        else {
                            return Err(ToolError::new(format!(
                                "error: unknown user-defined format specifier \"\"{USAGE}"
                            )));
                        };
                        fields = Some(field_list(list)?);
                        break;
                    }
                    _ => {
                        return Err(ToolError::new(format!(
                            "error: unsupported SysV option -- '{}' on this box{USAGE}",
                            c.escape_default()
                        )));
                    }
                }
            }
        } else if arg == "aux" || arg == "axu" || arg == "uax" {
            bsd = true;
        } else {
            return Err(ToolError::new(format!(
                "error: garbage option '{}'{USAGE}",
                arg.chars()
                    .filter(|c| !c.is_control())
                    .take(40)
                    .collect::<String>()
            )));
        }
    }
    let command = match (bsd, fields, full) {
        (true, None, false) if !threads => PsCommand::Bsd,
        (false, Some(fields), false) => PsCommand::Fields { threads, fields },
        (false, None, true) => PsCommand::Full { threads },
        (false, None, false) => PsCommand::Fields {
            threads,
            fields: default_fields(threads),
        },
        _ => {
            return Err(ToolError::new(
                "ps: this box knows ps -ef, ps -eLf, ps aux and ps -e[L]o FIELDS",
            ));
        }
    };
    let _ = all;
    Ok(Inspect::Ps(command))
}

fn default_fields(threads: bool) -> Vec<Column> {
    let fields = if threads {
        vec![Field::Pid, Field::Tid("LWP"), Field::Comm]
    } else {
        vec![Field::Pid, Field::Comm]
    };
    fields
        .into_iter()
        .map(|field| Column { field, width: None })
        .collect()
}

/// `pid,tid,wchan:32,comm`: field names, each with an optional `:WIDTH`.
fn field_list(list: &str) -> Result<Vec<Column>, ToolError> {
    list.split([',', ' '])
        .filter(|f| !f.is_empty())
        .map(|spec| {
            let (name, width) = match spec.split_once(':') {
                Some((name, width)) => (name, Some(width)),
                None => (spec, None),
            };
            let unknown = || {
                ToolError::new(format!(
                    "error: unknown user-defined format specifier \"{}\"{USAGE}",
                    spec.chars()
                        .filter(|c| !c.is_control())
                        .take(40)
                        .collect::<String>()
                ))
            };
            let field = Field::parse(name).ok_or_else(unknown)?;
            let width = match width {
                None => None,
                // procps takes widths up to the line length; 1..=999 covers every real use.
                Some(w) => match w.parse::<u16>() {
                    Ok(w @ 1..=999) => Some(w),
                    _ => return Err(unknown()),
                },
            };
            Ok(Column { field, width })
        })
        .collect()
}

/// One row's facts, for a process or one of its threads.
struct Row<'a> {
    task: &'a TaskInfo,
    tid: u32,
    state: char,
    wchan: String,
    cpu: u32,
    nlwp: usize,
    /// CPU time so far, centiseconds.
    time_cs: u64,
    flags: &'static str,
}

pub(crate) fn render(trace: &Trace, command: &PsCommand, start: usize) -> String {
    let sample = latest(trace, start);
    let rows = rows(trace, sample, start, command_threads(command));
    let elapsed_cs = (trace.info.uptime_s + start as u64).max(1) * 100;
    let mut out = String::new();
    match command {
        PsCommand::Fields { fields, .. } => {
            let last = fields.len().saturating_sub(1);
            let cells: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(i, c)| header(*c, i == last))
                .collect();
            out.push_str(cells.join(" ").trim_end());
            out.push('\n');
            for row in &rows {
                let cells: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, c)| cell(*c, i == last, row, elapsed_cs))
                    .collect();
                out.push_str(cells.join(" ").trim_end());
                out.push('\n');
            }
        }
        PsCommand::Full { threads } => {
            let stime = boot_stamp(trace);
            if *threads {
                out.push_str(
                    "UID          PID    PPID     LWP  C NLWP STIME TTY          TIME CMD\n",
                );
            } else {
                out.push_str("UID          PID    PPID  C STIME TTY          TIME CMD\n");
            }
            for row in &rows {
                let c = (row.time_cs * 100 / elapsed_cs).min(99);
                let time = hms(row.time_cs / 100);
                let cmd = command_line(row.task);
                if *threads {
                    out.push_str(&format!(
                        "{:<8} {:>7} {:>7} {:>7} {:>2} {:>4} {stime:>5} {:<8} {time:>8} {cmd}\n",
                        row.task.user,
                        row.task.pid,
                        ppid(row.task),
                        row.tid,
                        c,
                        row.nlwp,
                        "?",
                    ));
                } else {
                    out.push_str(&format!(
                        "{:<8} {:>7} {:>7} {:>2} {stime:>5} {:<8} {time:>8} {cmd}\n",
                        row.task.user,
                        row.task.pid,
                        ppid(row.task),
                        c,
                        "?",
                    ));
                }
            }
        }
        PsCommand::Bsd => {
            let start_stamp = boot_stamp(trace);
            out.push_str(
                "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n",
            );
            for row in &rows {
                let pcpu = row.time_cs as f64 * 100.0 / elapsed_cs as f64;
                let pmem = row.task.res_kib as f64 * 100.0 / trace.info.mem_total_kib.max(1) as f64;
                let secs = row.time_cs / 100;
                out.push_str(&format!(
                    "{:<8} {:>7} {:>4.1} {:>4.1} {:>6} {:>5} {:<8} {:<4} {start_stamp:>5} {:>6} {}\n",
                    row.task.user,
                    row.task.pid,
                    pcpu,
                    pmem,
                    row.task.virt_kib,
                    row.task.res_kib,
                    "?",
                    format!("{}{}", row.state, row.flags),
                    format!("{}:{:02}", secs / 60, secs % 60),
                    command_line(row.task),
                ));
            }
        }
    }
    out
}

fn command_threads(command: &PsCommand) -> bool {
    match command {
        PsCommand::Full { threads } | PsCommand::Fields { threads, .. } => *threads,
        PsCommand::Bsd => false,
    }
}

fn rows<'a>(trace: &'a Trace, sample: &Sample, start: usize, threads: bool) -> Vec<Row<'a>> {
    let mut out = Vec::new();
    let end = start.min(trace.samples.len());
    let thread_ns = if threads {
        trace.thread_cpu_ns_until(end)
    } else {
        BTreeMap::new()
    };
    for (index, task) in trace.info.tasks.iter().enumerate() {
        let list: Vec<&ThreadSample> = threads_of(sample, index).collect();
        let nlwp = list.len().max(1);
        let flags = if task.kernel_thread {
            ""
        } else if nlwp > 1 {
            "sl"
        } else {
            "s"
        };
        let before = task.cpu_time_before_cs;
        let leader = list.iter().find(|t| t.tid == task.pid).or(list.first());
        if list.is_empty() {
            // A process of the box's own (init, a daemon, a kernel thread): its threads asleep
            // where such a task waits, using no CPU during the drill. Its thread ids follow its
            // pid (the process table leaves room for them).
            let nlwp = task.threads.max(1);
            let flags = if task.kernel_thread {
                ""
            } else if nlwp > 1 {
                "sl"
            } else {
                "s"
            };
            let shown = if threads { nlwp } else { 1 };
            for k in 0..shown {
                out.push(Row {
                    task,
                    tid: task.pid + k,
                    state: task.sleep_state.letter(),
                    wchan: idle_wchan(task).to_owned(),
                    cpu: 0,
                    nlwp: nlwp as usize,
                    time_cs: before / u64::from(shown),
                    flags,
                });
            }
            continue;
        }
        if threads {
            for thread in &list {
                out.push(Row {
                    task,
                    tid: thread.tid,
                    state: state_letter(thread),
                    wchan: wchan(trace, thread),
                    cpu: thread.cpu,
                    nlwp,
                    // The time before the drill is shared evenly among the threads.
                    time_cs: before / nlwp as u64
                        + centiseconds(thread_ns.get(&(index, thread.tid)).copied().unwrap_or(0)),
                    flags,
                });
            }
        } else {
            out.push(Row {
                task,
                tid: task.pid,
                state: leader.map_or('S', |t| state_letter(t)),
                wchan: leader.map_or_else(|| "-".to_owned(), |t| wchan(trace, t)),
                cpu: leader.map_or(0, |t| t.cpu),
                nlwp,
                time_cs: before
                    + centiseconds(
                        trace.samples[..end]
                            .iter()
                            .filter_map(|s| s.tasks.get(index))
                            .map(|t| u128::from(t.user_ns + t.system_ns))
                            .sum(),
                    ),
                flags,
            });
        }
    }
    out
}

/// Where a task with no simulated work sleeps, as `ps -o wchan` names it.
fn idle_wchan(task: &TaskInfo) -> &'static str {
    let comm = task.comm.as_str();
    if !task.kernel_thread {
        return if comm == "bash" {
            "do_wait"
        } else {
            "do_epoll_wait"
        };
    }
    if comm.starts_with("kworker/R-") {
        "rescuer_thread"
    } else if comm.starts_with("kworker") {
        "worker_thread"
    } else if ["ksoftirqd", "migration", "cpuhp", "idle_inject"]
        .iter()
        .any(|prefix| comm.starts_with(prefix))
    {
        "smpboot_thread_fn"
    } else if comm.starts_with("rcu_") {
        "rcu_gp_kthread"
    } else if comm == "kthreadd" {
        "kthreadd"
    } else {
        "kthread_worker_fn"
    }
}

fn centiseconds(ns: u128) -> u64 {
    u64::try_from(ns / 10_000_000).unwrap_or(u64::MAX)
}

/// CPU time (user + system) of every thread over `samples`, by (task index, tid), in one pass.
pub(crate) fn thread_cpu_ns(samples: &[Sample]) -> BTreeMap<(usize, u32), u128> {
    let mut out = BTreeMap::new();
    add_thread_cpu_ns(&mut out, samples);
    out
}

pub(crate) fn state_letter(thread: &ThreadSample) -> char {
    match thread.state {
        ThreadState::Running | ThreadState::Runnable | ThreadState::Spinning => 'R',
        ThreadState::Sleeping(_) => 'S',
        ThreadState::DiskSleep(_) => 'D',
    }
}

fn header(column: Column, last: bool) -> String {
    pad(column.field.column().0, column.width(), last)
}

fn cell(column: Column, last: bool, row: &Row, elapsed_cs: u64) -> String {
    let value = match column.field {
        Field::Pid => row.task.pid.to_string(),
        Field::Tid(_) => row.tid.to_string(),
        Field::Ppid => ppid(row.task).to_string(),
        Field::Stat => format!("{}{}", row.state, row.flags),
        Field::State => row.state.to_string(),
        Field::Wchan => row.wchan.clone(),
        Field::Comm => row.task.comm.clone(),
        Field::Psr => row.cpu.to_string(),
        Field::Nlwp => row.nlwp.to_string(),
        Field::User => row.task.user.clone(),
        Field::Uid => row.task.uid.to_string(),
        Field::Pcpu => format!("{:.1}", row.time_cs as f64 * 100.0 / elapsed_cs as f64),
    };
    pad(&value, column.width(), last)
}

/// Right-aligned for positive widths (a wider number pushes the line right, as procps does),
/// left-aligned for negative. A left-aligned text column is cut to its width unless it is the
/// last one: procps prints `hrtime` for `hrtimer_nanosleep` under WCHAN, and a command name of
/// 15 characters at most, unless the column ends the line.
fn pad(value: &str, width: i32, last: bool) -> String {
    let w = width.unsigned_abs() as usize;
    if width > 0 {
        format!("{value:>w$}")
    } else if last {
        value.to_owned()
    } else {
        let cut: String = value.chars().take(w).collect();
        format!("{cut:<w$}")
    }
}

/// Kernel threads are children of kthreadd (2); services of systemd (1).
fn ppid(task: &TaskInfo) -> u32 {
    if task.pid <= 2 {
        0
    } else if task.kernel_thread {
        2
    } else {
        1
    }
}

fn command_line(task: &TaskInfo) -> String {
    if task.kernel_thread {
        format!("[{}]", task.comm)
    } else {
        task.comm.clone()
    }
}

fn hms(seconds: u64) -> String {
    let days = seconds / 86_400;
    let rest = format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60
    );
    if days > 0 {
        format!("{days}-{rest}")
    } else {
        rest
    }
}

/// When the box booted, as ps prints a start time: `HH:MM` when it was today, else `MonDD`.
fn boot_stamp(trace: &Trace) -> String {
    let info = &trace.info;
    let now = u64::from(info.clock_s);
    if info.uptime_s <= now {
        let t = now - info.uptime_s;
        return format!("{:02}:{:02}", t / 3600, t / 60 % 60);
    }
    let days_back = (info.uptime_s - now).div_ceil(86_400);
    let Some((month, day, year)) = parse_date(&info.date) else {
        return "?".to_owned();
    };
    let (_, m, d) =
        civil_from_days(days_from_civil(year, i64::from(month), i64::from(day)) - days_back as i64);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{}{:02}", MONTHS[(m as usize).clamp(1, 12) - 1], d)
}

/// `MM/DD/YY` as sysstat prints it.
fn parse_date(date: &str) -> Option<(u32, u32, i64)> {
    let mut parts = date.split('/').map(|p| p.parse::<u32>().ok());
    let (m, d, y) = (parts.next()??, parts.next()??, parts.next()??);
    Some((m, d, 2000 + i64::from(y % 100)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_columns_are_cut_to_their_width_unless_last() {
        assert_eq!(pad("hrtimer_nanosleep", -6, false), "hrtime");
        assert_eq!(pad("hrtimer_nanosleep", -6, true), "hrtimer_nanosleep");
        assert_eq!(pad("-", -6, false), "-     ");
        assert_eq!(pad("pool_workqueue_release", -15, false), "pool_workqueue_");
        assert_eq!(pad("123456", 5, false), "123456");
    }

    #[test]
    fn a_width_after_a_colon_widens_the_column() {
        let columns = field_list("pid,wchan:32,comm").unwrap();
        assert_eq!(columns[1].width(), -32);
        assert_eq!(field_list("pid:9").unwrap()[0].width(), 9);
        assert!(field_list("wchan:").is_err());
        assert!(field_list("wchan:0").is_err());
        assert!(field_list("wchan:x").is_err());
        assert!(field_list("bogus:8").is_err());
    }

    #[test]
    fn parses_the_common_forms() {
        assert!(parse(&["-eLo", "pid,tid,stat,wchan,comm"]).is_ok());
        assert!(parse(&["-ef"]).is_ok());
        assert!(parse(&["-eLf"]).is_ok());
        assert!(parse(&["aux"]).is_ok());
        assert!(parse(&["-e", "-o", "pid,bogus"]).is_err());
        assert!(parse(&["xyz"]).is_err());
    }
}
