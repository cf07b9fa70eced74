//! `uptime` as procps-ng 4.0.4 (`library/uptime.c`) prints it, and the uptime text `top`'s first
//! line shares. Reads the last completed second before the cursor; consumes no time.
//!
//! The user count is the number of interactive shells among the box's tasks (`bash`, `-bash`,
//! `zsh`, `sh`), the closest thing the trace has to utmp. Must not read anything else.

use super::span::latest;
use super::text::clock;
use crate::model::Trace;

/// Logged-in users as `uptime` and `top` count them.
pub(crate) fn users(trace: &Trace) -> usize {
    trace
        .info
        .tasks
        .iter()
        .filter(|t| !t.kernel_thread && matches!(t.comm.as_str(), "bash" | "-bash" | "zsh" | "sh"))
        .count()
}

/// `HH:MM:SS up 12 days,  3:04,  2 users,  load average: 6.12, 4.87, 3.10` (no leading space).
pub(crate) fn uptime_text(trace: &Trace, at: usize) -> String {
    let up = trace.info.uptime_s.saturating_add(at as u64);
    let days = up / 86_400;
    let hours = up / 3600 % 24;
    let minutes = up / 60 % 60;
    let mut out = format!("{} up ", clock(&trace.info, at));
    if days > 0 {
        out.push_str(&format!(
            "{days} {}, ",
            if days == 1 { "day" } else { "days" }
        ));
    }
    if hours > 0 {
        out.push_str(&format!("{hours:2}:{minutes:02}, "));
    } else {
        out.push_str(&format!("{minutes} min, "));
    }
    let n = users(trace);
    let load = latest(trace, at).load_avg;
    out.push_str(&format!(
        "{n:2} {},  load average: {:.2}, {:.2}, {:.2}",
        if n > 1 { "users" } else { "user" },
        load[0],
        load[1],
        load[2]
    ));
    out
}

pub(crate) fn render(trace: &Trace, start: usize) -> String {
    format!(" {}\n", uptime_text(trace, start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    #[test]
    fn forms() {
        let mut trace = fixture_trace(3);
        assert_eq!(
            render(&trace, 0),
            " 10:02:11 up 12 days,  3:04,  0 user,  load average: 6.12, 4.87, 3.10\n"
        );
        trace.info.uptime_s = 45 * 60;
        trace.info.tasks[0].comm = "bash".into();
        assert_eq!(
            render(&trace, 2),
            " 10:02:13 up 45 min,  1 user,  load average: 6.12, 4.87, 3.10\n"
        );
        trace.info.uptime_s = 86_400 + 3 * 3600 + 4 * 60;
        trace.info.tasks[2].comm = "zsh".into();
        assert_eq!(
            render(&trace, 0),
            " 10:02:11 up 1 day,  3:04,  2 users,  load average: 6.12, 4.87, 3.10\n"
        );
    }
}
