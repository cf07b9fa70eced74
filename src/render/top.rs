//! `top -b -n N [-d D] [-w [COLS]]` as procps-ng 4.0.4 prints it: the five summary lines with
//! their exact widths and trailing spaces, the ≤ 4.0.4 Tasks line, `%#5.1f` CPU fields that glue
//! to the label at 100.0, MiB memory, then every task sorted by %CPU.
//!
//! Lines are as wide as top makes them for its screen ([`Layout`]): 80 columns without a
//! terminal, or what `-w` says. The COMMAND column takes what the fixed columns leave, a longer
//! name cut with a `+`; on a screen too narrow for every column top drops the columns that do
//! not fit and cuts the summary lines at the edge.
//!
//! Each frame covers `D` seconds of samples (sysdrill's refresh defaults to 1 s). Task %CPU is of
//! one CPU over the frame; TIME+ is `TaskInfo::cpu_time_before_cs` plus the CPU time of every
//! sample up to the frame's end. Must not print a figure that is not derived from the trace.

use std::cmp::Ordering;
use std::iter::Peekable;

use super::argv::{ToolError, printable};
use super::span::{self, Span};
use super::text::apportion;
use super::uptime::uptime_text;
use crate::model::{TaskInfo, Trace};

/// The screen width top lays a batch frame out for when its output is not a terminal (every
/// command on this box is captured): the 80 columns of the `dumb` terminal it then assumes, as
/// no `COLUMNS` or `-w` says otherwise.
pub(crate) const BATCH_SCREEN_COLUMNS: u16 = 80;
/// The widest screen top draws for (its `SCREENMAX`): `-w` without a number when `COLUMNS` is
/// not set, as on this box, whose shell exports no environment.
pub(crate) const WIDEST_SCREEN_COLUMNS: u16 = 512;
/// The narrowest screen `-w` accepts (top's `W_MIN_COL`).
pub(crate) const NARROWEST_SCREEN_COLUMNS: u16 = 3;

/// One of the fixed-width columns of top's default task table.
struct Field {
    name: &'static str,
    width: usize,
    right_aligned: bool,
}

const fn field(name: &'static str, width: usize, right_aligned: bool) -> Field {
    Field {
        name,
        width,
        right_aligned,
    }
}

/// The default fields before COMMAND, in order, with top's widths (PID's for a 7-digit
/// `pid_max`).
const FIXED_FIELDS: [Field; 11] = [
    field("PID", 7, true),
    field("USER", 8, false),
    field("PR", 3, true),
    field("NI", 3, true),
    field("VIRT", 7, true),
    field("RES", 6, true),
    field("SHR", 6, true),
    field("S", 1, false),
    field("%CPU", 5, true),
    field("%MEM", 5, true),
    field("TIME+", 9, true),
];

/// The one variable-width column, last.
const COMMAND: &str = "COMMAND";

/// USER's width; a longer name is cut like a command.
const USER_WIDTH: usize = 8;

/// How top lays out a frame on a screen of a given width.
///
/// top builds its column header from the fields in order, each taking its width plus one pad
/// column, and stops at the first that would pass the screen's edge; it counts COMMAND by its
/// header word. The variable column then gets its header word plus what the screen has left
/// over. Every field is printed followed by its pad and top trims the spaces a row ends in, so
/// a row stops at least one column short of the edge. The summary lines are cut at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    columns: usize,
    /// How many of [`FIXED_FIELDS`] fit, from the first.
    fixed: usize,
    /// COMMAND's width, when it fits.
    command: Option<usize>,
}

impl Layout {
    pub(crate) fn for_screen(columns: u16) -> Self {
        let columns = usize::from(columns);
        let mut used = 0;
        let mut fixed = 0;
        for f in &FIXED_FIELDS {
            if used + f.width + 1 > columns {
                return Self {
                    columns,
                    fixed,
                    command: None,
                };
            }
            used += f.width + 1;
            fixed += 1;
        }
        // COMMAND fits when its header word and pad do, and then takes the rest but its pad.
        let left = columns - used;
        let command = (left > COMMAND.len()).then(|| left - 1);
        Self {
            columns,
            fixed,
            command,
        }
    }

    /// The column header line, with its newline.
    pub(crate) fn header(&self) -> String {
        let names = FIXED_FIELDS.iter().map(|f| f.name);
        self.line(names.collect(), COMMAND)
    }

    /// `cells` (one per fixed field) and the command, laid out as top prints a row.
    fn line(&self, cells: Vec<&str>, command: &str) -> String {
        let mut out = String::new();
        for (f, cell) in FIXED_FIELDS.iter().zip(cells).take(self.fixed) {
            let width = f.width;
            if f.right_aligned {
                out.push_str(&format!("{cell:>width$} "));
            } else {
                out.push_str(&format!("{cell:<width$} "));
            }
        }
        if let Some(width) = self.command {
            out.push_str(&cut_with_plus(command, width));
        }
        let mut line = out.trim_end_matches(' ').to_owned();
        line.push('\n');
        line
    }

    /// A summary line cut at the screen's edge, with its newline.
    fn summary(&self, text: &str) -> String {
        let mut line: String = text.chars().take(self.columns).collect();
        line.push('\n');
        line
    }
}

/// Takes top's `-w [COLS]` (and `--width[=COLS]`) out of its arguments as procps-ng 4.0.4 reads
/// it: the number glued to the option or, when none is, the next word unless that is an option;
/// a leading `=` dropped; the number as `strtol` base 0 reads it (`0x200`, `0777`), from
/// [`NARROWEST_SCREEN_COLUMNS`] to [`WIDEST_SCREEN_COLUMNS`]. Returns the other arguments (a
/// cluster keeps its other letters) and the screen width, [`BATCH_SCREEN_COLUMNS`] without
/// `-w`. The arguments of `-n` and `-d` are never read as `-w`.
pub(crate) fn take_width(args: &[&str]) -> Result<(Vec<String>, u16), ToolError> {
    let mut rest = Vec::with_capacity(args.len());
    let mut columns = BATCH_SCREEN_COLUMNS;
    let mut words = args.iter().copied().peekable();
    while let Some(arg) = words.next() {
        if arg == "--" {
            rest.push(arg.to_owned());
            rest.extend(words.by_ref().map(str::to_owned));
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, glued) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            // getopt_long takes any unambiguous prefix; no other long option of top starts
            // with a `w`.
            if !name.is_empty() && "width".starts_with(name) {
                columns = width_from(glued, &mut words)?;
            } else {
                rest.push(arg.to_owned());
            }
            continue;
        }
        let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) else {
            rest.push(arg.to_owned());
            continue;
        };
        let mut kept = String::from("-");
        for (pos, c) in cluster.char_indices() {
            let after = &cluster[pos + c.len_utf8()..];
            match c {
                'n' | 'd' => {
                    kept.push_str(&cluster[pos..]);
                    if after.is_empty() {
                        // Its value is the next word, whatever it looks like.
                        if let Some(value) = words.next() {
                            rest.push(std::mem::take(&mut kept));
                            rest.push(value.to_owned());
                        }
                    }
                    break;
                }
                'w' => {
                    columns = width_from((!after.is_empty()).then_some(after), &mut words)?;
                    break;
                }
                other => kept.push(other),
            }
        }
        if kept.len() > 1 {
            rest.push(kept);
        }
    }
    Ok((rest, columns))
}

/// The screen width `-w` asks for: `glued` is what followed the option in its word.
fn width_from<'a>(
    glued: Option<&'a str>,
    words: &mut Peekable<impl Iterator<Item = &'a str>>,
) -> Result<u16, ToolError> {
    let value = match glued {
        Some(value) => Some(value),
        // A following word that is not an option is the number.
        None => words.next_if(|w| !w.starts_with('-')),
    };
    let Some(value) = value else {
        return Ok(WIDEST_SCREEN_COLUMNS);
    };
    let value = value.strip_prefix('=').unwrap_or(value);
    // An empty value takes the next word, whatever it is.
    let value = if value.is_empty() {
        words
            .next()
            .ok_or_else(|| ToolError::new("top: -w argument missing"))?
    } else {
        value
    };
    strtol_base0(value)
        .and_then(|n| u16::try_from(n).ok())
        .filter(|n| (NARROWEST_SCREEN_COLUMNS..=WIDEST_SCREEN_COLUMNS).contains(n))
        .ok_or_else(|| ToolError::new(format!("top: bad width arg '{}'", printable(value))))
}

/// `text` as C's `strtol(text, &end, 0)` reads it when `end` must reach the string's end:
/// leading white space, a sign, then `0x` hex, `0` octal or decimal digits. `None` when
/// something else is left or nothing was read; values past `i64` saturate.
fn strtol_base0(text: &str) -> Option<i64> {
    let text = text.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (negative, text) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = match text.as_bytes() {
        [b'0', b'x' | b'X', next, ..] if next.is_ascii_hexdigit() => (16, &text[2..]),
        [b'0', _, ..] => (8, &text[1..]),
        _ => (10, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for c in digits.chars() {
        let digit = c.to_digit(radix)?;
        value = value
            .saturating_mul(i64::from(radix))
            .saturating_add(i64::from(digit));
    }
    Some(if negative { -value } else { value })
}

/// `%Cpu(s)` values in tenths of a percent, in print order (us sy ni id wa hi si st), summing
/// to exactly 1000.
pub(crate) fn cpu_tenths(span: &Span) -> [u64; 8] {
    let t = span.cpu_total();
    let w = [
        t[span::USER],
        t[span::SYSTEM],
        t[span::NICE],
        t[span::IDLE],
        t[span::IOWAIT],
        t[span::IRQ],
        t[span::SOFTIRQ],
        t[span::STEAL],
    ]
    .map(|v| v as f64);
    let parts = apportion(&w, 1000);
    let mut out = [0; 8];
    out.copy_from_slice(&parts);
    out
}

pub(crate) fn tenths(v: u64) -> String {
    format!("{}.{}", v / 10, v % 10)
}

/// A percentage column five characters wide: one decimal while it fits, whole numbers from
/// 1000 on (`2285`, not `2285.0`), as top scales a value that would overflow its field.
fn percent_cell(v: u64) -> String {
    if v >= 10_000 {
        format!("{}", (v + 5) / 10)
    } else {
        tenths(v)
    }
}

/// A MiB figure in `%9.9s`: one decimal, cut to nine characters. The format string has no
/// space before it, so a nine-character value glues to the label, as in top.
fn mib(kib: u64) -> String {
    let text = format!("{:.1}", kib as f64 / 1024.0);
    format!("{text:>9.9}")
}

/// A KiB memory column: plain when it fits, else `%.1f` in the first unit that fits, like
/// `22.4g` (top's `scale_mem`).
pub(crate) fn mem_cell(kib: u64, width: usize) -> String {
    let plain = kib.to_string();
    if plain.len() <= width {
        return format!("{plain:>width$}");
    }
    for (i, unit) in ['m', 'g', 't', 'p'].iter().enumerate() {
        let v = kib as f64 / 1024f64.powi(i as i32 + 1);
        let text = format!("{v:.1}{unit}");
        if text.len() <= width {
            return format!("{text:>width$}");
        }
    }
    format!("{:>width$}", "?")
}

/// TIME+ from centiseconds in top's 9-character column (`scale_tics`): `m:ss.hh`, then
/// `m:ss`, `h,mm`, `Nd+Nh`, `Nd`, `Nw` — the first that fits.
pub(crate) fn time_plus(cs: u64) -> String {
    let minutes = cs / 6000;
    let candidates = [
        format!("{minutes}:{:02}.{:02}", cs / 100 % 60, cs % 100),
        format!("{minutes}:{:02}", cs / 100 % 60),
        format!("{},{:02}", minutes / 60, minutes % 60),
        format!("{}d+{}h", minutes / 1440, minutes / 60 % 24),
        format!("{}d", minutes / 1440),
        format!("{}w", minutes / 10_080),
    ];
    candidates
        .into_iter()
        .find(|c| c.len() <= 9)
        .unwrap_or_else(|| "?".to_owned())
}

struct Row {
    pid: u32,
    cpu_tenths: u64,
    line: String,
}

/// One frame of `top -b`: `seconds` from `from`, laid out for `layout`'s screen.
pub(crate) fn frame(trace: &Trace, from: usize, seconds: usize, layout: Layout) -> String {
    let info = &trace.info;
    let span = Span::over(trace, from, seconds);
    let end = from.saturating_add(seconds);
    let last = span.last;
    let mut out = layout.summary(&format!("top - {}", uptime_text(trace, end)));

    let mut running = 0u32;
    for (i, _) in info.tasks.iter().enumerate() {
        if last.tasks.get(i).is_some_and(|t| t.running > 0) {
            running += 1;
        }
    }
    let total = info.tasks.len() as u32;
    out.push_str(&layout.summary(&format!(
        "Tasks: {total:3} total, {running:3} running, {:3} sleeping, {:3} stopped, {:3} zombie",
        total - running,
        0,
        0
    )));

    let c = cpu_tenths(&span);
    let labels = ["us", "sy", "ni", "id", "wa", "hi", "si", "st"];
    let mut cpu_line = String::from("%Cpu(s):");
    for (i, (v, label)) in c.iter().zip(labels).enumerate() {
        let sep = if i + 1 == labels.len() { " " } else { "," };
        cpu_line.push_str(&format!("{:>5} {label}{sep}", tenths(*v)));
    }
    out.push_str(&layout.summary(&cpu_line));

    let m = &last.mem;
    let mem_total = info.mem_total_kib;
    let used = mem_total.saturating_sub(m.available_kib);
    out.push_str(&layout.summary(&format!(
        "MiB Mem :{} total,{} free,{} used,{} buff/cache     ",
        mib(mem_total),
        mib(m.free_kib),
        mib(used),
        mib(m.buffers_kib + m.cache_kib)
    )));
    let swap_used = m.swap_used_kib.min(info.swap_total_kib);
    out.push_str(&layout.summary(&format!(
        "MiB Swap:{} total,{} free,{} used.{} avail Mem ",
        mib(info.swap_total_kib),
        mib(info.swap_total_kib - swap_used),
        mib(swap_used),
        mib(m.available_kib)
    )));
    out.push('\n');
    out.push_str(&layout.header());

    let window_ns = seconds.max(1) as f64 * 1e9;
    let before = Span::over(trace, 0, end);
    let mut rows: Vec<Row> = info
        .tasks
        .iter()
        .enumerate()
        .map(|(i, task)| {
            let sum = span.tasks.get(i).cloned().unwrap_or_default();
            let busy = (sum.user_ns + sum.system_ns) as f64;
            let cpu_tenths = (busy / window_ns * 1000.0).round() as u64;
            let mem_tenths = if mem_total == 0 {
                0
            } else {
                (task.res_kib as f64 / mem_total as f64 * 1000.0).round() as u64
            };
            let total_cs = before
                .tasks
                .get(i)
                .map_or(0, |t| ((t.user_ns + t.system_ns) / 10_000_000) as u64);
            let sample = last.tasks.get(i).copied().unwrap_or_default();
            let state = if sample.running > 0 {
                'R'
            } else if sample.uninterruptible > 0 {
                'D'
            } else {
                task.sleep_state.letter()
            };
            let line = task_line(
                layout,
                task.pid,
                task,
                state,
                cpu_tenths,
                mem_tenths,
                task.cpu_time_before_cs + total_cs,
            );
            Row {
                pid: task.pid,
                cpu_tenths,
                line,
            }
        })
        .collect();
    rows.sort_by(|a, b| match b.cpu_tenths.cmp(&a.cpu_tenths) {
        Ordering::Equal => a.pid.cmp(&b.pid),
        other => other,
    });
    for row in rows {
        out.push_str(&row.line);
    }
    out
}

/// One row of top's task table (a process, or with `-H` a thread: `id` is then its tid).
pub(crate) fn task_line(
    layout: Layout,
    id: u32,
    task: &TaskInfo,
    state: char,
    cpu_tenths: u64,
    mem_tenths: u64,
    time_cs: u64,
) -> String {
    let cells = [
        id.to_string(),
        cut_with_plus(&task.user, USER_WIDTH),
        "20".to_owned(),
        "0".to_owned(),
        mem_cell(task.virt_kib, 7),
        mem_cell(task.res_kib, 6),
        mem_cell(task.shr_kib, 6),
        state.to_string(),
        percent_cell(cpu_tenths),
        tenths(mem_tenths),
        time_plus(time_cs),
    ];
    layout.line(cells.iter().map(String::as_str).collect(), &task.comm)
}

/// `text` as top prints it in a column `width` wide: whole when it fits, else its first
/// `width - 1` characters and a `+` to say it was cut.
pub(crate) fn cut_with_plus(text: &str, width: usize) -> String {
    if text.chars().count() > width {
        let mut short: String = text.chars().take(width.saturating_sub(1)).collect();
        short.push('+');
        short
    } else {
        text.to_owned()
    }
}

pub(crate) fn render(
    trace: &Trace,
    frames: u32,
    delay_s: u32,
    columns: u16,
    start: usize,
) -> String {
    render_frames(trace, frames, delay_s, columns, start, frame)
}

/// `frames` refreshes `delay_s` apart on a screen `columns` wide, each drawn by `frame` (tasks,
/// or with `-H` threads).
pub(crate) fn render_frames(
    trace: &Trace,
    frames: u32,
    delay_s: u32,
    columns: u16,
    start: usize,
    frame: fn(&Trace, usize, usize, Layout) -> String,
) -> String {
    let layout = Layout::for_screen(columns);
    let mut out = String::new();
    for j in 0..frames as usize {
        if j > 0 {
            out.push('\n');
        }
        let seconds = delay_s as usize;
        out.push_str(&frame(
            trace,
            start.saturating_add(j * seconds),
            seconds,
            layout,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    #[test]
    fn summary_lines() {
        let trace = fixture_trace(3);
        let out = render(&trace, 1, 1, BATCH_SCREEN_COLUMNS, 0);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "top - 10:02:12 up 12 days,  3:04,  0 user,  load average: 6.12, 4.87, 3.10"
        );
        assert_eq!(
            lines[1],
            "Tasks:   3 total,   2 running,   1 sleeping,   0 stopped,   0 zombie"
        );
        assert!(lines[2].starts_with("%Cpu(s):"));
        assert!(lines[2].ends_with(" st "));
        assert_eq!(lines[2].len(), 8 + 8 * 9);
        assert_eq!(
            lines[3],
            "MiB Mem :  15896.4 total,   5000.3 free,   9059.3 used,   2254.6 buff/cache     "
        );
        assert_eq!(
            lines[4],
            "MiB Swap:   2048.0 total,   2048.0 free,      0.0 used.   6837.1 avail Mem "
        );
        assert_eq!(lines[5], "");
        assert_eq!(
            lines[6],
            "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND"
        );
        assert!(
            lines[7].starts_with("   4242 app       20   0 2365432 812344  23456 R "),
            "{}",
            lines[7]
        );
        assert!(lines[7].ends_with(" worker-+"), "{}", lines[7]);
        assert!(
            lines[8].starts_with("     15 root      20   0       0      0      0 R   6.2   0.0 ")
        );
        assert!(lines[9].starts_with("      1 root "));
    }

    #[test]
    fn command_takes_what_eighty_columns_leave_and_a_cut_name_ends_in_plus() {
        let command = Layout::for_screen(BATCH_SCREEN_COLUMNS).command;
        assert_eq!(command, Some(8));
        let width = command.unwrap_or_default();
        assert_eq!(cut_with_plus("postgres", width), "postgres");
        assert_eq!(cut_with_plus("ksoftirqd/0", width), "ksoftir+");
        assert_eq!(cut_with_plus("kworker/0:1H", width), "kworker+");
        assert_eq!(cut_with_plus("reporting", USER_WIDTH), "reporti+");
        let trace = fixture_trace(3);
        let out = render(&trace, 1, 1, BATCH_SCREEN_COLUMNS, 0);
        let table = out.lines().skip_while(|l| !l.contains("PID USER"));
        for row in table {
            assert!(
                row.chars().count() < usize::from(BATCH_SCREEN_COLUMNS),
                "{row}"
            );
        }
    }

    #[test]
    fn command_takes_what_a_wider_screen_leaves() {
        // The fixed columns and their pads take 72 columns; COMMAND's pad one more.
        for (columns, command) in [
            (79, Some(7)),
            (80, Some(8)),
            (200, Some(128)),
            (512, Some(440)),
        ] {
            let layout = Layout::for_screen(columns);
            assert_eq!((layout.fixed, layout.command), (11, command), "{columns}");
        }
        let trace = fixture_trace(3);
        let wide = render(&trace, 1, 1, 200, 0);
        assert!(
            wide.lines()
                .any(|l| l.ends_with(" worker-with-a-long-name")),
            "{wide}"
        );
        assert!(wide.lines().all(|l| l.chars().count() < 200));
        // Only COMMAND's width changes: the same rows cut where 80 columns cut them.
        let narrow = render(&trace, 1, 1, BATCH_SCREEN_COLUMNS, 0);
        for (a, b) in narrow.lines().zip(wide.lines()).skip(7) {
            let cut = a.trim_end_matches('+');
            assert!(b.starts_with(cut), "{a}\n{b}");
        }
    }

    #[test]
    fn a_narrow_screen_drops_the_columns_that_do_not_fit_and_cuts_the_summary() {
        // PID with its pad needs 8 columns, USER 9 more, then PR and NI 4 each.
        assert_eq!(Layout::for_screen(7).fixed, 0);
        assert_eq!(Layout::for_screen(24).fixed, 3);
        assert_eq!(Layout::for_screen(78).command, None);
        let trace = fixture_trace(3);
        let out = render(&trace, 1, 1, 24, 0);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "top - 10:02:12 up 12 day");
        assert_eq!(lines[6], "    PID USER      PR");
        assert_eq!(lines[7], "   4242 app       20");
        assert!(lines.iter().all(|l| l.chars().count() <= 24));
        // Nothing fits: the rows are empty lines.
        let out = render(&trace, 1, 1, 3, 0);
        assert_eq!(out.lines().nth(6), Some(""));
        assert_eq!(out.lines().count(), 7 + trace.info.tasks.len());
    }

    #[test]
    fn width_is_read_as_top_reads_it() {
        let width = |line: &str| {
            let words: Vec<&str> = line.split_whitespace().collect();
            take_width(&words).map_err(|e| e.message)
        };
        let kept = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        assert_eq!(width("-b -n 1"), Ok((kept(&["-b", "-n", "1"]), 80)));
        assert_eq!(width("-b -n 1 -w 200"), Ok((kept(&["-b", "-n", "1"]), 200)));
        assert_eq!(width("-bw200 -n1"), Ok((kept(&["-b", "-n1"]), 200)));
        assert_eq!(width("-w=132 -b"), Ok((kept(&["-b"]), 132)));
        assert_eq!(width("--width=0x100 -b"), Ok((kept(&["-b"]), 256)));
        assert_eq!(width("--wid 0100 -b"), Ok((kept(&["-b"]), 64)));
        // Without a number: COLUMNS, which this box does not set, else the widest screen.
        assert_eq!(width("-b -w -n 1"), Ok((kept(&["-b", "-n", "1"]), 512)));
        assert_eq!(width("-bw"), Ok((kept(&["-b"]), 512)));
        // -n's and -d's values are theirs, even when they look like -w.
        assert_eq!(width("-b -n -w"), Ok((kept(&["-b", "-n", "-w"]), 80)));
        assert_eq!(width("-bdw"), Ok((kept(&["-bdw"]), 80)));
        for (line, arg) in [
            ("-b -w 2", "2"),
            ("-b -w 513", "513"),
            ("-b -w abc", "abc"),
            ("-b -w200x", "200x"),
            ("-b -w 0x", "0x"),
            ("-b -w=-5", "-5"),
            ("-b -w 99999999999999999999999", "99999999999999999999999"),
        ] {
            assert_eq!(
                width(line),
                Err(format!("top: bad width arg '{arg}'")),
                "{line}"
            );
        }
        assert_eq!(width("-b -w="), Err("top: -w argument missing".to_owned()));
        assert_eq!(
            width("-b -w= -n"),
            Err("top: bad width arg '-n'".to_owned())
        );
    }

    #[test]
    fn wide_percentages_drop_the_decimal() {
        assert_eq!(percent_cell(9_999), "999.9");
        assert_eq!(percent_cell(22_850), "2285");
        assert_eq!(percent_cell(22_846), "2285");
    }

    #[test]
    fn cpu_line_glues_at_100() {
        let mut trace = fixture_trace(1);
        for c in &mut trace.samples[0].cpus {
            *c = crate::model::CpuTime {
                idle: 1_000_000_000,
                ..Default::default()
            };
        }
        let out = render(&trace, 1, 1, BATCH_SCREEN_COLUMNS, 0);
        assert_eq!(
            out.lines().nth(2).unwrap(),
            "%Cpu(s):  0.0 us,  0.0 sy,  0.0 ni,100.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st "
        );
    }

    #[test]
    fn scaled_memory_and_time() {
        assert_eq!(mem_cell(23_456_789, 7), "  22.4g");
        assert_eq!(mem_cell(812_344, 6), "812344");
        assert_eq!(mem_cell(12_345_678, 6), " 11.8g");
        assert_eq!(time_plus(75_456), "12:34.56");
        assert_eq!(time_plus(329_671_195), "54945:11");
        assert_eq!(time_plus(600_000_000), "100000:00");
        assert_eq!(time_plus(6_000_000_000), "16666,40");
        assert_eq!(time_plus(600_000_000_000), "69444d");
    }
}
