//! Parsing the tool command lines a candidate types (`vmstat -w 1 5`, `perf lock contention -a -b`)
//! into a [`ToolCommand`], with short, plausible errors for unknown tools and flags.
//!
//! Owns the grammar of every supported tool and the simulated time each command consumes
//! ([`ToolCommand::seconds`]). It must not look at a trace: anything that depends on the box
//! (CPU numbers, a recording on disk) is checked by the renderer or the console.
//!
//! Time rules (one sample = one simulated second):
//! - `vmstat` and `iostat -x` with `interval count`: the first report is the since-boot
//!   average, later ones cover `interval` seconds each, so they consume `interval × (count − 1)`
//!   seconds (`vmstat 1 5` = 4 s). `mpstat` and `pidstat` print only interval reports (then an
//!   `Average:` block): `interval × count` seconds, and so does `iostat -y`. Without an
//!   interval all four print one since-boot report and consume nothing. With an interval but no count the real tools run until interrupted;
//!   sysdrill stops after [`DEFAULT_COUNT`] reports, as if the command ran under `timeout`.
//! - `top -b -n N [-d D]`: every frame covers `D` seconds (default 1), so `N × D` seconds.
//! - `free`, `uptime`, `dmesg`, `cat /proc/lock_stat`: snapshots of the latest completed second,
//!   0 seconds.
//! - `perf top`: one refresh of `-d` seconds (default 2).
//! - `perf lock record|contention ... -- sleep N`: N seconds; live `perf lock contention` without
//!   a command samples [`DEFAULT_PERF_LOCK_S`] seconds. `perf lock report` (and `contention`
//!   without `-b`/`-a`/a command) reads the last recording and consumes nothing.
//! - No command consumes more than [`MAX_SECONDS`] seconds or prints more than [`MAX_COUNT`]
//!   reports; larger requests are refused with a message, never allocated.

use super::pipe::{self, Filter};

/// Reports printed when an interval is given without a count.
pub const DEFAULT_COUNT: u32 = 5;
/// Seconds a live `perf lock contention` samples when no `-- sleep N` is given.
pub const DEFAULT_PERF_LOCK_S: u32 = 5;
/// Most reports one command may print.
pub const MAX_COUNT: u32 = 1000;
/// Most simulated seconds one command may consume.
pub const MAX_SECONDS: u64 = 3600;

/// `interval count` of the sysstat/procps tools; `None` interval = one since-boot report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reports {
    pub interval: Option<u32>,
    /// Number of reports including the since-boot one (1 when `interval` is `None`).
    pub count: u32,
}

impl Reports {
    /// vmstat and iostat: the first report is since boot, the others cover an interval each.
    fn seconds_after_boot_report(&self) -> usize {
        match self.interval {
            None => 0,
            Some(every) => every as usize * (self.count.saturating_sub(1)) as usize,
        }
    }

    /// mpstat and pidstat: every report covers an interval.
    fn seconds_all_intervals(&self) -> usize {
        match self.interval {
            None => 0,
            Some(every) => every as usize * self.count as usize,
        }
    }
}

/// Which CPUs `mpstat` lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpuSelection {
    /// No `-P`: the `all` row only.
    AllOnly,
    /// `-P ALL`: `all` plus every CPU.
    Every,
    /// `-P 0,3`: those CPUs only.
    List(Vec<u32>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PidstatReport {
    /// `-u` (default): CPU.
    Cpu,
    /// `-w`: context switches.
    Switches,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreeUnit {
    Kibi,
    Mebi,
    Gibi,
    Bytes,
    Human,
}

/// `perf lock report -k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReportKey {
    Acquired,
    Contended,
    AvgWait,
    WaitTotal,
    WaitMax,
    WaitMin,
}

/// How `perf lock contention` aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentionBy {
    /// Default: by caller.
    Caller,
    /// `-l`: by lock address / symbol.
    Lock,
}

/// A stretch of simulated seconds `[start, start + seconds)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: usize,
    pub seconds: usize,
}

/// Where perf lock data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockSource {
    /// Live (`-b`, `-a` or `-- sleep N`): samples the next `seconds`.
    Live { seconds: u32 },
    /// Reads `perf.data`; the console fills in the last `perf lock record` window.
    Recorded(Option<Window>),
}

/// A parsed tool invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolCommand {
    Vmstat {
        wide: bool,
        reports: Reports,
    },
    Mpstat {
        cpus: CpuSelection,
        reports: Reports,
    },
    Pidstat {
        report: PidstatReport,
        /// `-h`: one line per task, no `Average:` block.
        one_line: bool,
        reports: Reports,
    },
    /// `iostat [-x] [-y] [-z]`.
    Iostat {
        /// `-x`: the extended device report.
        extended: bool,
        /// `-y`: omit the since-boot report.
        skip_boot: bool,
        /// `-z`: omit devices with no activity in the report.
        hide_idle: bool,
        reports: Reports,
    },
    /// `top -b -n frames -d delay [-w columns]`.
    Top {
        frames: u32,
        delay_s: u32,
        /// The screen width the frames are laid out for: 80 without `-w`.
        columns: u16,
    },
    Free {
        unit: FreeUnit,
        wide: bool,
    },
    Uptime,
    PerfTop {
        delay_s: u32,
        entries: usize,
    },
    PerfLockRecord {
        seconds: u32,
    },
    PerfLockReport {
        key: LockReportKey,
        source: LockSource,
    },
    PerfLockContention {
        by: ContentionBy,
        entries: Option<usize>,
        source: LockSource,
    },
    /// `cat /proc/lock_stat`.
    LockStat,
    Dmesg {
        /// `-T`: wall-clock time instead of seconds since boot.
        human_time: bool,
    },
    /// Thread-level tools and kernel files (`ps`, `strace -c`, `cat /proc/meminfo` …).
    Inspect(super::inspect::Inspect),
    /// `numactl -H`, `numastat [-p]`, `cat /proc/PID/numa_maps`: snapshots.
    Numa(super::numa::NumaCommand),
    /// `systemctl show UNIT -p …`: a snapshot of a service's properties.
    Systemctl(super::systemctl::SystemctlShow),
    /// A tool's output run through filters (`dmesg | tail -20`).
    Piped {
        command: Box<ToolCommand>,
        filters: Vec<Filter>,
    },
}

impl ToolCommand {
    /// Simulated seconds the command consumes (the time cursor moves on by this much).
    pub fn seconds(&self) -> usize {
        match self {
            ToolCommand::Piped { command, .. } => command.seconds(),
            ToolCommand::Vmstat { reports, .. }
            | ToolCommand::Iostat {
                skip_boot: false,
                reports,
                ..
            } => reports.seconds_after_boot_report(),
            ToolCommand::Iostat {
                skip_boot: true,
                reports,
                ..
            } => reports.seconds_all_intervals(),
            ToolCommand::Mpstat { reports, .. } | ToolCommand::Pidstat { reports, .. } => {
                reports.seconds_all_intervals()
            }
            ToolCommand::Top {
                frames, delay_s, ..
            } => *frames as usize * *delay_s as usize,
            ToolCommand::Free { .. }
            | ToolCommand::Uptime
            | ToolCommand::LockStat
            | ToolCommand::Dmesg { .. }
            | ToolCommand::Numa(_)
            | ToolCommand::Systemctl(_) => 0,
            ToolCommand::PerfTop { delay_s, .. } => *delay_s as usize,
            ToolCommand::Inspect(inspect) => inspect.seconds(),
            ToolCommand::PerfLockRecord { seconds } => *seconds as usize,
            ToolCommand::PerfLockReport { source, .. }
            | ToolCommand::PerfLockContention { source, .. } => match source {
                LockSource::Live { seconds } => *seconds as usize,
                LockSource::Recorded(_) => 0,
            },
        }
    }
}

impl ToolCommand {
    /// The tool itself, under any pipe (the console fills in perf lock recordings there).
    pub fn tool_mut(&mut self) -> &mut ToolCommand {
        match self {
            ToolCommand::Piped { command, .. } => command.tool_mut(),
            other => other,
        }
    }
}

/// What a shell would print for a bad invocation, e.g. `vmstat: invalid option -- 'q'`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ToolError {
    pub message: String,
}

impl ToolError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

const VMSTAT_USAGE: &str = "\nUsage:\n vmstat [options] [delay [count]]";
const MPSTAT_USAGE: &str = "Usage: mpstat [ options ] [ <interval> [ <count> ] ]";
const PIDSTAT_USAGE: &str = "Usage: pidstat [ options ] [ <interval> [ <count> ] ]";
const IOSTAT_USAGE: &str = "Usage: iostat [ options ] [ <interval> [ <count> ] ]";
const FREE_USAGE: &str = "\nUsage:\n free [options]";
const UPTIME_USAGE: &str = "\nUsage:\n uptime [options]";
const TOP_USAGE: &str =
    "Usage:\n  top -hv | -bcEeHiOSs1 -d secs -n max -u|U user -p pid(s) -o field -w [cols]";
const DMESG_USAGE: &str = "\nUsage:\n dmesg [options]";

/// Parses one command line: a tool, optionally piped into `head`, `tail`, `grep` or `wc -l`
/// (see [`Filter`]). `sudo` in front is accepted and ignored; quotes work as in a shell.
pub fn parse_command(line: &str) -> Result<ToolCommand, ToolError> {
    let tokens = pipe::tokens(line)?;
    let mut stages: Vec<Vec<&str>> = vec![Vec::new()];
    for token in &tokens {
        match token {
            pipe::Token::Word(word) => stages.last_mut().map_or((), |s| s.push(word)),
            pipe::Token::Pipe => stages.push(Vec::new()),
        }
    }
    let (first, rest) = stages.split_first().unwrap_or((&stages[0], &[]));
    let mut command = parse_tool(first)?;
    if rest.is_empty() {
        return Ok(command);
    }
    let mut filters = Vec::new();
    if let ToolCommand::Piped {
        command: inner,
        filters: from_tool,
    } = command
    {
        // `grep PATTERN /proc/lock_stat | head` is already a pipeline.
        command = *inner;
        filters = from_tool;
    }
    for stage in rest {
        filters.push(pipe::parse_filter(stage)?);
    }
    Ok(ToolCommand::Piped {
        command: Box::new(command),
        filters,
    })
}

fn parse_tool(words: &[&str]) -> Result<ToolCommand, ToolError> {
    let mut words = words;
    while words.first() == Some(&"sudo") {
        words = &words[1..];
    }
    let Some((&tool, args)) = words.split_first() else {
        return Err(ToolError::new(if words.is_empty() {
            "sysdrill: type a command, e.g. vmstat 1 5"
        } else {
            "bash: syntax error near unexpected token `|'"
        }));
    };
    if let Some(entry) = crate::commands::tool(tool) {
        return (entry.parse)(args);
    }
    if crate::commands::FILTERS.contains(&tool) {
        return Err(ToolError::new(format!(
            "{tool}: this box has no files to read; pipe a tool into it, e.g. dmesg | {tool}{}",
            if tool == "wc" { " -l" } else { "" }
        )));
    }
    Err(ToolError::new(crate::commands::not_found(&printable(tool))))
}

/// The value of a short option that takes one, as getopt reads it: the rest of its cluster
/// (`-p42`, `-opid,comm`) or else the next word (`-p 42`), moving `next` past that word.
pub(crate) fn short_option_value<'a>(
    rest_of_cluster: &'a str,
    args: &[&'a str],
    next: &mut usize,
) -> Option<&'a str> {
    if !rest_of_cluster.is_empty() {
        return Some(rest_of_cluster);
    }
    let word = args.get(*next)?;
    *next += 1;
    Some(word)
}

pub(crate) fn parse_ps(args: &[&str]) -> Result<ToolCommand, ToolError> {
    super::ps::parse(args).map(ToolCommand::Inspect)
}

pub(crate) fn parse_sar(args: &[&str]) -> Result<ToolCommand, ToolError> {
    super::sar::parse(args).map(ToolCommand::Inspect)
}

pub(crate) fn parse_strace(args: &[&str]) -> Result<ToolCommand, ToolError> {
    super::strace::parse(args, None).map(ToolCommand::Inspect)
}

pub(crate) fn parse_timeout(args: &[&str]) -> Result<ToolCommand, ToolError> {
    super::strace::parse_timeout(args).map(ToolCommand::Inspect)
}

pub(crate) fn parse_grep(args: &[&str]) -> Result<ToolCommand, ToolError> {
    parse_grep_file("grep", args)
}

pub(crate) fn parse_egrep(args: &[&str]) -> Result<ToolCommand, ToolError> {
    parse_grep_file("egrep", args)
}

/// `grep PATTERN /proc/lock_stat` = `cat /proc/lock_stat | grep PATTERN`.
fn parse_grep_file(tool: &str, args: &[&str]) -> Result<ToolCommand, ToolError> {
    let mut owned: Vec<&str> = Vec::new();
    if tool == "egrep" {
        owned.push("-E");
    }
    owned.extend_from_slice(args);
    match pipe::parse_grep(&owned)? {
        (grep, Some(file)) if file == "/proc/lock_stat" => Ok(ToolCommand::Piped {
            command: Box::new(ToolCommand::LockStat),
            filters: vec![Filter::Grep(grep)],
        }),
        (_, Some(file)) => Err(ToolError::new(format!(
            "grep: {}: Permission denied (this box only exposes /proc/lock_stat)",
            printable(&file)
        ))),
        (_, None) => Err(ToolError::new(
            "grep: reading standard input is not available on this box; pipe a tool into grep",
        )),
    }
}

/// Keeps error messages on one line and free of control characters.
pub(crate) fn printable(word: &str) -> String {
    word.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(200)
        .collect()
}

/// Splits `-abc` into flags the way getopt does; `value_flags` take an argument, either glued
/// (`-n1`) or as the next word. Returns (flag, value) pairs and the operands, in order.
struct Getopt<'a> {
    flags: Vec<(char, Option<&'a str>)>,
    long: Vec<(&'a str, Option<&'a str>)>,
    operands: Vec<&'a str>,
}

fn getopt<'a>(
    tool: &str,
    args: &[&'a str],
    value_flags: &str,
    usage: &str,
) -> Result<Getopt<'a>, ToolError> {
    let mut out = Getopt {
        flags: Vec::new(),
        long: Vec::new(),
        operands: Vec::new(),
    };
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        i += 1;
        if arg == "--" {
            out.operands.extend_from_slice(&args[i..]);
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            out.long.push((name, value));
            continue;
        }
        let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) else {
            out.operands.push(arg);
            continue;
        };
        for (pos, c) in cluster.char_indices() {
            if !c.is_ascii_alphanumeric() {
                return Err(invalid_option(tool, c, usage));
            }
            if value_flags.contains(c) {
                let rest = &cluster[pos + c.len_utf8()..];
                if !rest.is_empty() {
                    out.flags.push((c, Some(rest)));
                } else if i < args.len() {
                    out.flags.push((c, Some(args[i])));
                    i += 1;
                } else {
                    return Err(ToolError::new(format!(
                        "{tool}: option requires an argument -- '{c}'{}",
                        usage_suffix(usage)
                    )));
                }
                break;
            }
            out.flags.push((c, None));
        }
    }
    Ok(out)
}

fn usage_suffix(usage: &str) -> String {
    format!("\n{usage}")
}

/// A real option of the tool that this box does not imitate: say so instead of pretending the
/// option does not exist.
fn unavailable(tool: &str, c: char) -> ToolError {
    ToolError::new(format!("{tool}: option -{c} is not available on this box"))
}

fn invalid_option(tool: &str, c: char, usage: &str) -> ToolError {
    ToolError::new(format!(
        "{tool}: invalid option -- '{}'{}",
        printable(&c.to_string()),
        usage_suffix(usage)
    ))
}

fn unrecognized_long(tool: &str, name: &str, usage: &str) -> ToolError {
    ToolError::new(format!(
        "{tool}: unrecognized option '--{}'{}",
        printable(name),
        usage_suffix(usage)
    ))
}

/// `interval [count]` operands; `bad` builds the tool's message for a malformed number.
pub(super) fn reports(
    tool: &str,
    operands: &[&str],
    bad: &dyn Fn(&str) -> ToolError,
) -> Result<Reports, ToolError> {
    let number = |word: &str| -> Result<u32, ToolError> {
        if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(word));
        }
        word.parse::<u32>().map_err(|_| bad(word))
    };
    let reports = match operands {
        [] => Reports {
            interval: None,
            count: 1,
        },
        [interval] => Reports {
            interval: Some(number(interval)?),
            count: DEFAULT_COUNT,
        },
        [interval, count] => Reports {
            interval: Some(number(interval)?),
            count: number(count)?,
        },
        [_, _, extra, ..] => return Err(bad(extra)),
    };
    if let Some(interval) = reports.interval {
        if interval == 0 {
            return Err(bad("0"));
        }
        if reports.count == 0 {
            return Err(bad("0"));
        }
        check_limits(tool, reports.count, interval as u64 * reports.count as u64)?;
    }
    Ok(reports)
}

fn check_limits(tool: &str, count: u32, seconds: u64) -> Result<(), ToolError> {
    if count > MAX_COUNT || seconds > MAX_SECONDS {
        return Err(ToolError::new(format!(
            "{tool}: sysdrill runs one command for at most {MAX_SECONDS} simulated seconds and {MAX_COUNT} reports; ask for fewer"
        )));
    }
    Ok(())
}

pub(crate) fn parse_vmstat(args: &[&str]) -> Result<ToolCommand, ToolError> {
    let opts = getopt("vmstat", args, "", VMSTAT_USAGE)?;
    let mut wide = false;
    for (name, _) in &opts.long {
        match *name {
            "wide" => wide = true,
            _ => return Err(unrecognized_long("vmstat", name, VMSTAT_USAGE)),
        }
    }
    for (flag, _) in &opts.flags {
        match flag {
            'w' => wide = true,
            // -n: print the header once; sysdrill repeats it every 22 lines like a pipe would.
            'n' => {}
            'a' | 'd' | 'D' | 'f' | 'm' | 'p' | 's' | 'S' | 't' | 'y' => {
                return Err(unavailable("vmstat", *flag));
            }
            other => return Err(invalid_option("vmstat", *other, VMSTAT_USAGE)),
        }
    }
    let bad = |word: &str| {
        if word == "0" {
            ToolError::new("vmstat: delay must be positive integer")
        } else {
            ToolError::new(format!(
                "vmstat: failed to parse argument: '{}'",
                printable(word)
            ))
        }
    };
    let reports = reports("vmstat", &opts.operands, &bad)?;
    Ok(ToolCommand::Vmstat { wide, reports })
}

pub(super) fn sysstat_bad(usage: &'static str) -> impl Fn(&str) -> ToolError {
    move |_word: &str| ToolError::new(usage)
}

pub(crate) fn parse_mpstat(args: &[&str]) -> Result<ToolCommand, ToolError> {
    let opts = getopt("mpstat", args, "P", MPSTAT_USAGE)?;
    if let Some((name, _)) = opts.long.first() {
        return Err(unrecognized_long("mpstat", name, MPSTAT_USAGE));
    }
    let mut cpus = CpuSelection::AllOnly;
    for (flag, value) in &opts.flags {
        match (flag, value) {
            ('P', Some(list)) => cpus = cpu_list(list)?,
            ('u', _) => {}
            ('A' | 'I' | 'n' | 'N' | 'o' | 'T', _) => return Err(unavailable("mpstat", *flag)),
            _ => return Err(ToolError::new(MPSTAT_USAGE)),
        }
    }
    let reports = reports("mpstat", &opts.operands, &sysstat_bad(MPSTAT_USAGE))?;
    Ok(ToolCommand::Mpstat { cpus, reports })
}

fn cpu_list(list: &str) -> Result<CpuSelection, ToolError> {
    if list.eq_ignore_ascii_case("ALL") {
        return Ok(CpuSelection::Every);
    }
    let mut cpus = Vec::new();
    for part in list.split(',') {
        let cpu: u32 = part
            .parse()
            .map_err(|_| ToolError::new(MPSTAT_USAGE.to_owned()))?;
        if cpu > 4095 {
            return Err(ToolError::new("Not that many processors!"));
        }
        if !cpus.contains(&cpu) {
            cpus.push(cpu);
        }
    }
    cpus.sort_unstable();
    Ok(CpuSelection::List(cpus))
}

pub(crate) fn parse_pidstat(args: &[&str]) -> Result<ToolCommand, ToolError> {
    // -t, -r and -d are the per-thread, memory and disk views.
    if super::pidstat_threads::handles(args) {
        return super::pidstat_threads::parse(args).map(ToolCommand::Inspect);
    }
    let opts = getopt("pidstat", args, "", PIDSTAT_USAGE)?;
    if let Some((name, _)) = opts.long.first() {
        return Err(unrecognized_long("pidstat", name, PIDSTAT_USAGE));
    }
    let mut report = None;
    let mut one_line = false;
    for (flag, _) in &opts.flags {
        match flag {
            'u' => report = report.or(Some(PidstatReport::Cpu)),
            'w' => {
                if report == Some(PidstatReport::Cpu) {
                    return Err(ToolError::new(
                        "pidstat: sysdrill prints one report at a time; use -u or -w",
                    ));
                }
                report = Some(PidstatReport::Switches)
            }
            'h' => one_line = true,
            'd' | 'r' | 's' | 't' | 'U' | 'R' | 'v' | 'l' | 'H' | 'I' => {
                return Err(unavailable("pidstat", *flag));
            }
            _ => return Err(ToolError::new(PIDSTAT_USAGE)),
        }
    }
    let reports = reports("pidstat", &opts.operands, &sysstat_bad(PIDSTAT_USAGE))?;
    Ok(ToolCommand::Pidstat {
        report: report.unwrap_or(PidstatReport::Cpu),
        one_line,
        reports,
    })
}

pub(crate) fn parse_iostat(args: &[&str]) -> Result<ToolCommand, ToolError> {
    let opts = getopt("iostat", args, "", IOSTAT_USAGE)?;
    if let Some((name, _)) = opts.long.first() {
        return Err(unrecognized_long("iostat", name, IOSTAT_USAGE));
    }
    let (mut extended, mut skip_boot, mut hide_idle) = (false, false, false);
    for (flag, _) in &opts.flags {
        match flag {
            'x' => extended = true,
            'y' => skip_boot = true,
            'z' => hide_idle = true,
            // -k is iostat's default unit.
            'k' => {}
            'c' | 'd' | 'h' | 'm' | 'N' | 'p' | 't' | 's' | 'g' | 'H' | 'j' => {
                return Err(unavailable("iostat", *flag));
            }
            _ => return Err(ToolError::new(IOSTAT_USAGE)),
        }
    }
    let reports = reports("iostat", &opts.operands, &sysstat_bad(IOSTAT_USAGE))?;
    Ok(ToolCommand::Iostat {
        extended,
        skip_boot,
        hide_idle,
        reports,
    })
}

pub(crate) fn parse_top(args: &[&str]) -> Result<ToolCommand, ToolError> {
    // -H lists threads.
    if let Some(parsed) = super::top_threads::parse(args) {
        return parsed.map(ToolCommand::Inspect);
    }
    let (args, columns) = super::top::take_width(args)?;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let opts = getopt("top", &args, "nd", TOP_USAGE)?;
    if let Some((name, _)) = opts.long.first() {
        return Err(unrecognized_long("top", name, TOP_USAGE));
    }
    let mut batch = false;
    let mut frames = 1u32;
    let mut delay_s = 1u32;
    for (flag, value) in &opts.flags {
        match (flag, value) {
            ('b', _) => batch = true,
            ('n', Some(n)) => {
                frames = n.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    // procps-ng's top says only this (no usage), as for a bad delay.
                    ToolError::new(format!("top: bad iterations argument '{}'", printable(n)))
                })?;
            }
            ('d', Some(d)) => {
                delay_s = d.parse().ok().filter(|d| *d > 0).ok_or_else(|| {
                    ToolError::new(format!("top: bad delay interval '{}'", printable(d)))
                })?;
            }
            ('c' | 'E' | 'e' | 'H' | 'i' | 'O' | 'o' | 'p' | 'S' | 's' | 'u' | 'U' | '1', _) => {
                return Err(unavailable("top", *flag));
            }
            (other, _) => return Err(invalid_option("top", *other, TOP_USAGE)),
        }
    }
    if let Some(extra) = opts.operands.first() {
        return Err(ToolError::new(format!(
            "top: unknown option '{}'\n{TOP_USAGE}",
            printable(extra)
        )));
    }
    if !batch {
        // What procps top says when stdout is not a terminal it can drive.
        return Err(ToolError::new(
            "top: failed tty get\n(this box has no terminal for top: use top -b -n 1)",
        ));
    }
    check_limits("top", frames, frames as u64 * delay_s as u64)?;
    Ok(ToolCommand::Top {
        frames,
        delay_s,
        columns,
    })
}

pub(crate) fn parse_free(args: &[&str]) -> Result<ToolCommand, ToolError> {
    let opts = getopt("free", args, "", FREE_USAGE)?;
    let mut unit = FreeUnit::Kibi;
    let mut wide = false;
    for (name, _) in &opts.long {
        unit = match *name {
            "bytes" => FreeUnit::Bytes,
            "kibi" => FreeUnit::Kibi,
            "mebi" => FreeUnit::Mebi,
            "gibi" => FreeUnit::Gibi,
            "human" => FreeUnit::Human,
            "wide" => {
                wide = true;
                unit
            }
            _ => return Err(unrecognized_long("free", name, FREE_USAGE)),
        };
    }
    for (flag, _) in &opts.flags {
        unit = match flag {
            'b' => FreeUnit::Bytes,
            'k' => FreeUnit::Kibi,
            'm' => FreeUnit::Mebi,
            'g' => FreeUnit::Gibi,
            'h' => FreeUnit::Human,
            'w' => {
                wide = true;
                unit
            }
            'c' | 'l' | 's' | 't' | 'v' | 'L' => return Err(unavailable("free", *flag)),
            other => return Err(invalid_option("free", *other, FREE_USAGE)),
        };
    }
    if let Some(extra) = opts.operands.first() {
        return Err(ToolError::new(format!(
            "free: extra operand '{}'{FREE_USAGE}",
            printable(extra)
        )));
    }
    Ok(ToolCommand::Free { unit, wide })
}

pub(crate) fn parse_numactl(args: &[&str]) -> Result<ToolCommand, ToolError> {
    super::numa::parse_numactl(args).map(ToolCommand::Numa)
}

pub(crate) fn parse_numastat(args: &[&str]) -> Result<ToolCommand, ToolError> {
    super::numa::parse_numastat(args).map(ToolCommand::Numa)
}

pub(crate) fn parse_systemctl(args: &[&str]) -> Result<ToolCommand, ToolError> {
    super::systemctl::parse(args).map(ToolCommand::Systemctl)
}

pub(crate) fn parse_uptime(args: &[&str]) -> Result<ToolCommand, ToolError> {
    let opts = getopt("uptime", args, "", UPTIME_USAGE)?;
    if let Some((name, _)) = opts.long.first() {
        return Err(unrecognized_long("uptime", name, UPTIME_USAGE));
    }
    if let Some((flag, _)) = opts.flags.first() {
        return Err(invalid_option("uptime", *flag, UPTIME_USAGE));
    }
    if let Some(extra) = opts.operands.first() {
        return Err(ToolError::new(format!(
            "uptime: extra operand '{}'{UPTIME_USAGE}",
            printable(extra)
        )));
    }
    Ok(ToolCommand::Uptime)
}

/// The files `cat` reads on this box, as the command registry lists them.
fn readable_files() -> String {
    crate::commands::tool("cat")
        .map(|cat| {
            cat.examples
                .iter()
                .filter_map(|example| example.strip_prefix("cat "))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

pub(crate) fn parse_cat(args: &[&str]) -> Result<ToolCommand, ToolError> {
    match args {
        ["/proc/lock_stat"] => Ok(ToolCommand::LockStat),
        [path] if let Some(maps) = super::numa::parse_maps_path(path) => {
            Ok(ToolCommand::Numa(maps))
        }
        [path] if let Some(parsed) = super::inspect::parse_cat_path(path) => {
            parsed.map(ToolCommand::Inspect)
        }
        [] => Err(ToolError::new(
            "cat: reading standard input is not available on this box",
        )),
        [path] => Err(ToolError::new(format!(
            "cat: {}: Permission denied (this box lets cat read: {})",
            printable(path),
            readable_files()
        ))),
        _ => Err(ToolError::new("cat: this box reads one file at a time")),
    }
}

pub(crate) fn parse_dmesg(args: &[&str]) -> Result<ToolCommand, ToolError> {
    let opts = getopt("dmesg", args, "", DMESG_USAGE)?;
    let mut human_time = false;
    for (name, _) in &opts.long {
        match *name {
            "ctime" => human_time = true,
            _ => return Err(unrecognized_long("dmesg", name, DMESG_USAGE)),
        }
    }
    for (flag, _) in &opts.flags {
        match flag {
            'T' => human_time = true,
            'C' | 'c' | 'D' | 'E' | 'n' => {
                return Err(ToolError::new(
                    "dmesg: read kernel buffer failed: Operation not permitted",
                ));
            }
            'H' | 'k' | 'l' | 'L' | 'f' | 'r' | 'w' | 'W' | 'x' | 'e' | 'd' | 't' | 'P' => {
                return Err(unavailable("dmesg", *flag));
            }
            other => return Err(invalid_option("dmesg", *other, DMESG_USAGE)),
        }
    }
    if let Some(extra) = opts.operands.first() {
        return Err(ToolError::new(format!(
            "dmesg: bad usage\nTry 'dmesg --help' for more information.\n(unexpected argument '{}')",
            printable(extra)
        )));
    }
    Ok(ToolCommand::Dmesg { human_time })
}

const PERF_USAGE: &str = "\n usage: perf [--version] [--help] [OPTIONS] COMMAND [ARGS]\n\n sysdrill's perf knows: top, lock, trace, sched, stat";
const PERF_TOP_USAGE: &str = "\n Usage: perf top [<options>]";
const PERF_LOCK_USAGE: &str =
    "\n Usage: perf lock [<options>] {record|report|script|info|contention}";

pub(crate) fn parse_perf(args: &[&str]) -> Result<ToolCommand, ToolError> {
    match args.split_first() {
        Some((&"top", rest)) => parse_perf_top(rest),
        Some((&"lock", rest)) => parse_perf_lock(rest),
        Some((&"trace", rest)) => super::perf_trace::parse(rest).map(ToolCommand::Inspect),
        Some((&"sched", rest)) => super::perf_sched::parse(rest).map(ToolCommand::Inspect),
        Some((&"stat", rest)) => super::perf_stat::parse(rest).map(ToolCommand::Inspect),
        Some((other, _)) if !other.starts_with('-') => Err(ToolError::new(format!(
            "perf: '{}' is not a perf-command. See 'perf --help'.",
            printable(other)
        ))),
        _ => Err(ToolError::new(PERF_USAGE.trim_start())),
    }
}

/// Splits `... -- sleep N` off the end; returns the options before it and N.
fn sleep_command<'a>(
    tool: &str,
    args: &'a [&'a str],
) -> Result<(&'a [&'a str], Option<u32>), ToolError> {
    let Some(dash) = args.iter().position(|a| *a == "--") else {
        // `perf lock record sleep 5` works too: the command starts at the first operand.
        if let Some(pos) = args.iter().position(|a| *a == "sleep") {
            return Ok((&args[..pos], Some(sleep_seconds(tool, &args[pos..])?)));
        }
        return Ok((args, None));
    };
    Ok((&args[..dash], Some(sleep_seconds(tool, &args[dash + 1..])?)))
}

fn sleep_seconds(tool: &str, command: &[&str]) -> Result<u32, ToolError> {
    match command {
        ["sleep", n] => {
            let seconds: u32 = n.parse().map_err(|_| {
                ToolError::new(format!("sleep: invalid time interval '{}'", printable(n)))
            })?;
            if seconds == 0 {
                return Err(ToolError::new(format!(
                    "{tool}: sleep 0 records nothing; try -- sleep 5"
                )));
            }
            check_limits(tool, 1, seconds as u64)?;
            Ok(seconds)
        }
        [] => Err(ToolError::new(format!(
            "{tool}: missing command after '--'; try -- sleep 5"
        ))),
        [other, ..] => Err(ToolError::new(format!(
            "{tool}: this box can only wait while recording: use -- sleep N (not '{}')",
            printable(other)
        ))),
    }
}

/// `--delay 3` → `--delay=3` for perf's long options that take a value.
fn join_long_values<'a>(args: &[&'a str], names: &[&str]) -> Vec<std::borrow::Cow<'a, str>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        i += 1;
        let takes_value = arg
            .strip_prefix("--")
            .is_some_and(|name| names.contains(&name));
        if takes_value && i < args.len() {
            out.push(std::borrow::Cow::Owned(format!("{arg}={}", args[i])));
            i += 1;
        } else {
            out.push(std::borrow::Cow::Borrowed(arg));
        }
    }
    out
}

fn parse_perf_top(args: &[&str]) -> Result<ToolCommand, ToolError> {
    let joined = join_long_values(args, &["delay", "entries", "sort", "event", "freq"]);
    let args: Vec<&str> = joined.iter().map(|a| a.as_ref()).collect();
    let opts = getopt("perf top", &args, "dEs", PERF_TOP_USAGE)?;
    let mut delay_s = 2u32;
    let mut entries = 20usize;
    let bad = |what: &str, v: &str| {
        ToolError::new(format!(
            "  Error: invalid {what} '{}'{PERF_TOP_USAGE}",
            printable(v)
        ))
    };
    for (name, value) in &opts.long {
        match (*name, value) {
            ("stdio", _) | ("all-cpus", _) | ("sort", _) => {}
            ("delay", Some(v)) => delay_s = v.parse().map_err(|_| bad("delay", v))?,
            ("entries", Some(v)) => entries = v.parse().map_err(|_| bad("entries", v))?,
            _ => {
                return Err(ToolError::new(format!(
                    "  Error: unknown option `{}'{PERF_TOP_USAGE}",
                    printable(name)
                )));
            }
        }
    }
    for (flag, value) in &opts.flags {
        match (flag, value) {
            ('a', _) | ('g', _) | ('K', _) => {}
            ('s', _) => {}
            ('d', Some(v)) => delay_s = v.parse().map_err(|_| bad("delay", v))?,
            ('E', Some(v)) => entries = v.parse().map_err(|_| bad("entries", v))?,
            (other, _) => {
                return Err(ToolError::new(format!(
                    "  Error: unknown switch `{}'{PERF_TOP_USAGE}",
                    printable(&other.to_string())
                )));
            }
        }
    }
    if let Some(extra) = opts.operands.first() {
        return Err(ToolError::new(format!(
            "  Error: unexpected argument '{}'{PERF_TOP_USAGE}",
            printable(extra)
        )));
    }
    if delay_s == 0 {
        return Err(bad("delay", "0"));
    }
    entries = entries.min(MAX_COUNT as usize);
    check_limits("perf top", 1, delay_s as u64)?;
    Ok(ToolCommand::PerfTop { delay_s, entries })
}

fn parse_perf_lock(args: &[&str]) -> Result<ToolCommand, ToolError> {
    let Some((&sub, rest)) = args.split_first() else {
        return Err(ToolError::new(PERF_LOCK_USAGE.trim_start()));
    };
    let (options, sleep) = sleep_command("perf lock", rest)?;
    let opts = getopt("perf lock", options, "kEF", PERF_LOCK_USAGE)?;
    let unknown = |what: &str| {
        ToolError::new(format!(
            "  Error: unknown switch `{}'{PERF_LOCK_USAGE}",
            printable(what)
        ))
    };
    match sub {
        "record" => {
            for (flag, _) in &opts.flags {
                if !matches!(flag, 'a' | 'g' | 'b') {
                    return Err(unknown(&flag.to_string()));
                }
            }
            if let Some((name, _)) = opts.long.first() {
                return Err(unknown(name));
            }
            let Some(seconds) = sleep else {
                return Err(ToolError::new(
                    "perf lock record: this box cannot wait for Ctrl-C; record a stretch with -- sleep 5",
                ));
            };
            Ok(ToolCommand::PerfLockRecord { seconds })
        }
        "report" => {
            let mut key = LockReportKey::Acquired;
            for (flag, value) in &opts.flags {
                match (flag, value) {
                    ('k', Some(k)) => key = report_key(k)?,
                    _ => return Err(unknown(&flag.to_string())),
                }
            }
            for (name, value) in &opts.long {
                match (*name, value) {
                    ("key", Some(k)) => key = report_key(k)?,
                    _ => return Err(unknown(name)),
                }
            }
            if sleep.is_some() {
                return Err(ToolError::new(
                    "perf lock report: reads perf.data; record first with perf lock record -a -- sleep 5",
                ));
            }
            Ok(ToolCommand::PerfLockReport {
                key,
                source: LockSource::Recorded(None),
            })
        }
        "contention" | "con" => {
            let mut by = ContentionBy::Caller;
            let mut entries = None;
            let mut live = sleep.is_some();
            for (flag, value) in &opts.flags {
                match (flag, value) {
                    ('a', _) | ('b', _) => live = true,
                    ('t', _) => return Err(no_per_task()),
                    ('l', _) => by = ContentionBy::Lock,
                    ('E', Some(n)) => {
                        entries = Some(n.parse::<usize>().map_err(|_| {
                            ToolError::new(format!(
                                "  Error: invalid entries '{}'{PERF_LOCK_USAGE}",
                                printable(n)
                            ))
                        })?)
                    }
                    _ => return Err(unknown(&flag.to_string())),
                }
            }
            for (name, value) in &opts.long {
                match (*name, value) {
                    ("all-cpus", _) | ("use-bpf", _) => live = true,
                    ("threads", _) => return Err(no_per_task()),
                    ("lock-addr", _) => by = ContentionBy::Lock,
                    _ => return Err(unknown(name)),
                }
            }
            let source = if live {
                LockSource::Live {
                    seconds: sleep.unwrap_or(DEFAULT_PERF_LOCK_S),
                }
            } else {
                LockSource::Recorded(None)
            };
            Ok(ToolCommand::PerfLockContention {
                by,
                entries: entries.map(|e| e.min(MAX_COUNT as usize)),
                source,
            })
        }
        other => Err(ToolError::new(format!(
            "perf lock: unknown command '{}'{PERF_LOCK_USAGE}",
            printable(other)
        ))),
    }
}

fn no_per_task() -> ToolError {
    ToolError::new(
        "perf lock contention: per-task aggregation (-t) is not recorded on this box; use the default (by caller) or -l",
    )
}

fn report_key(key: &str) -> Result<LockReportKey, ToolError> {
    Ok(match key {
        "acquired" => LockReportKey::Acquired,
        "contended" => LockReportKey::Contended,
        "avg_wait" => LockReportKey::AvgWait,
        "wait_total" => LockReportKey::WaitTotal,
        "wait_max" => LockReportKey::WaitMax,
        "wait_min" => LockReportKey::WaitMin,
        other => {
            return Err(ToolError::new(format!(
                "  Error: Unknown compare key: {}",
                printable(other)
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: &str) -> String {
        parse_command(line).unwrap_err().message
    }

    #[test]
    fn vmstat_forms() {
        assert_eq!(
            parse_command("vmstat 1 5").unwrap(),
            ToolCommand::Vmstat {
                wide: false,
                reports: Reports {
                    interval: Some(1),
                    count: 5
                }
            }
        );
        assert_eq!(parse_command("vmstat 1 5").unwrap().seconds(), 4);
        assert_eq!(parse_command("vmstat").unwrap().seconds(), 0);
        assert_eq!(parse_command("vmstat -w 2").unwrap().seconds(), 8);
        assert_eq!(parse_command("sudo vmstat -w 2 3").unwrap().seconds(), 4);
    }

    #[test]
    fn errors_look_like_the_tools() {
        assert_eq!(
            err("vmstat -q"),
            "vmstat: invalid option -- 'q'\n\nUsage:\n vmstat [options] [delay [count]]"
        );
        assert_eq!(err("foo 1"), "bash: foo: command not found");
        assert_eq!(err("vmstat x"), "vmstat: failed to parse argument: 'x'");
        assert_eq!(err("vmstat 0"), "vmstat: delay must be positive integer");
        assert!(err("vmstat 1 100000").contains("at most"));
        assert!(err("top").starts_with("top: failed tty get"));
        assert_eq!(err("top -b -n x"), "top: bad iterations argument 'x'");
        assert_eq!(err("top -b -d -1"), "top: bad delay interval '-1'");
        assert_eq!(
            err("top -b -x"),
            format!("top: invalid option -- 'x'\n{TOP_USAGE}")
        );
        assert_eq!(
            err("mpstat -P"),
            format!("mpstat: option requires an argument -- 'P'\n{MPSTAT_USAGE}")
        );
        assert_eq!(err("mpstat x"), MPSTAT_USAGE);
    }

    #[test]
    fn top_and_perf() {
        assert_eq!(
            parse_command("top -bn1").unwrap(),
            ToolCommand::Top {
                frames: 1,
                delay_s: 1,
                columns: 80
            }
        );
        assert_eq!(parse_command("top -b -n 1 -d 3").unwrap().seconds(), 3);
        assert_eq!(
            parse_command("perf top --stdio -a -d 4").unwrap().seconds(),
            4
        );
        assert_eq!(
            parse_command("perf lock contention -a -b -l -E 5 -- sleep 3").unwrap(),
            ToolCommand::PerfLockContention {
                by: ContentionBy::Lock,
                entries: Some(5),
                source: LockSource::Live { seconds: 3 }
            }
        );
        assert_eq!(
            parse_command("perf lock record -a -- sleep 7")
                .unwrap()
                .seconds(),
            7
        );
        assert_eq!(
            parse_command("perf lock report -k wait_total").unwrap(),
            ToolCommand::PerfLockReport {
                key: LockReportKey::WaitTotal,
                source: LockSource::Recorded(None)
            }
        );
    }
}
