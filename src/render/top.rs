//! `top -b -n N [-d D]` as procps-ng 4.0.4 prints it: the five summary lines with their exact
//! widths and trailing spaces, the ≤ 4.0.4 Tasks line, `%#5.1f` CPU fields that glue to the
//! label at 100.0, MiB memory, then every task sorted by %CPU.
//!
//! Rows are as wide as top makes them without a terminal: 80 columns, the COMMAND column taking
//! what the fixed columns leave (see [`COMMAND_WIDTH`]), a longer name cut with a `+`.
//!
//! Each frame covers `D` seconds of samples (sysdrill's refresh defaults to 1 s). Task %CPU is of
//! one CPU over the frame; TIME+ is `TaskInfo::cpu_time_before_cs` plus the CPU time of every
//! sample up to the frame's end. Must not print a figure that is not derived from the trace.

use std::cmp::Ordering;

use super::span::{self, Span};
use super::text::apportion;
use super::uptime::uptime_text;
use crate::model::{TaskInfo, Trace};

pub(crate) const TABLE_HEADER: &str =
    "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n";

/// The screen width top lays a batch frame out for when its output is not a terminal (every
/// command on this box is captured): 80 columns, as no `COLUMNS` or `-w` says otherwise.
const BATCH_SCREEN_COLUMNS: usize = 80;

/// The COMMAND column's width. top sizes its variable-width column as the header word plus the
/// screen columns its header leaves over, and counts in that header the pad before the first
/// column that it never prints (so a row stops one column short of the screen's edge): the
/// header's 78 printed characters and that pad leave 8 columns for the name.
pub(crate) const COMMAND_WIDTH: usize =
    BATCH_SCREEN_COLUMNS - (TABLE_HEADER.len() - "\n".len() + 1) + "COMMAND".len();

/// USER's width; a longer name is cut like a command.
const USER_WIDTH: usize = 8;

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

fn frame(trace: &Trace, from: usize, seconds: usize) -> String {
    let info = &trace.info;
    let span = Span::over(trace, from, seconds);
    let end = from.saturating_add(seconds);
    let last = span.last;
    let mut out = format!("top - {}\n", uptime_text(trace, end));

    let mut running = 0u32;
    for (i, _) in info.tasks.iter().enumerate() {
        if last.tasks.get(i).is_some_and(|t| t.running > 0) {
            running += 1;
        }
    }
    let total = info.tasks.len() as u32;
    out.push_str(&format!(
        "Tasks: {total:3} total, {running:3} running, {:3} sleeping, {:3} stopped, {:3} zombie\n",
        total - running,
        0,
        0
    ));

    let c = cpu_tenths(&span);
    let labels = ["us", "sy", "ni", "id", "wa", "hi", "si", "st"];
    out.push_str("%Cpu(s):");
    for (i, (v, label)) in c.iter().zip(labels).enumerate() {
        let sep = if i + 1 == labels.len() { " " } else { "," };
        out.push_str(&format!("{:>5} {label}{sep}", tenths(*v)));
    }
    out.push('\n');

    let m = &last.mem;
    let mem_total = info.mem_total_kib;
    let used = mem_total.saturating_sub(m.available_kib);
    out.push_str(&format!(
        "MiB Mem :{} total,{} free,{} used,{} buff/cache     \n",
        mib(mem_total),
        mib(m.free_kib),
        mib(used),
        mib(m.buffers_kib + m.cache_kib)
    ));
    let swap_used = m.swap_used_kib.min(info.swap_total_kib);
    out.push_str(&format!(
        "MiB Swap:{} total,{} free,{} used.{} avail Mem \n",
        mib(info.swap_total_kib),
        mib(info.swap_total_kib - swap_used),
        mib(swap_used),
        mib(m.available_kib)
    ));
    out.push('\n');
    out.push_str(TABLE_HEADER);

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
    id: u32,
    task: &TaskInfo,
    state: char,
    cpu_tenths: u64,
    mem_tenths: u64,
    time_cs: u64,
) -> String {
    format!(
        "{:7} {:<8} {:>3} {:3} {} {} {} {state} {:>5} {:>5} {:>9} {}\n",
        id,
        cut_with_plus(&task.user, USER_WIDTH),
        20,
        0,
        mem_cell(task.virt_kib, 7),
        mem_cell(task.res_kib, 6),
        mem_cell(task.shr_kib, 6),
        percent_cell(cpu_tenths),
        tenths(mem_tenths),
        time_plus(time_cs),
        cut_with_plus(&task.comm, COMMAND_WIDTH)
    )
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

pub(crate) fn render(trace: &Trace, frames: u32, delay_s: u32, start: usize) -> String {
    render_frames(trace, frames, delay_s, start, frame)
}

/// `frames` refreshes `delay_s` apart, each drawn by `frame` (tasks, or with `-H` threads).
pub(crate) fn render_frames(
    trace: &Trace,
    frames: u32,
    delay_s: u32,
    start: usize,
    frame: fn(&Trace, usize, usize) -> String,
) -> String {
    let mut out = String::new();
    for j in 0..frames as usize {
        if j > 0 {
            out.push('\n');
        }
        let seconds = delay_s as usize;
        out.push_str(&frame(trace, start.saturating_add(j * seconds), seconds));
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
        let out = render(&trace, 1, 1, 0);
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
        assert_eq!(lines[6], TABLE_HEADER.trim_end());
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
        assert_eq!(COMMAND_WIDTH, 8);
        assert_eq!(cut_with_plus("postgres", COMMAND_WIDTH), "postgres");
        assert_eq!(cut_with_plus("ksoftirqd/0", COMMAND_WIDTH), "ksoftir+");
        assert_eq!(cut_with_plus("kworker/0:1H", COMMAND_WIDTH), "kworker+");
        assert_eq!(cut_with_plus("reporting", USER_WIDTH), "reporti+");
        let trace = fixture_trace(3);
        let out = render(&trace, 1, 1, 0);
        let table = out.lines().skip_while(|l| !l.contains("PID USER"));
        for row in table {
            assert!(row.chars().count() < BATCH_SCREEN_COLUMNS, "{row}");
        }
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
        let out = render(&trace, 1, 1, 0);
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
