//! `dmesg [-T]`: the kernel log up to the cursor, Linux 6.8 style, each line prefixed
//! `[%5lu.%06lu] ` (seconds since boot), or with `-T` the wall-clock time util-linux derives
//! from the boot time (`[Fri Mar 14 10:02:11 2025] `), computed from `BoxInfo::date`,
//! `clock_s` and `uptime_s`. Structured events expand into the lines the kernel
//! prints for them (`kernel/watchdog.c`, `kernel/hung_task.c`, `mm/oom_kill.c`,
//! `kernel/rcu/tree_stall.h`), with stable, plausible surroundings (module list, hardware
//! name, registers) derived from the box and the event.
//!
//! Must not invent events: every block comes from one `Trace::log` entry at or before now.

use crate::model::symbols::kernel_frame;
use crate::model::{BoxInfo, LockHolder, LockLine, LogKind, Trace};

const MODULES: &str = "Modules linked in: tls xt_conntrack nf_conntrack nf_defrag_ipv6 nf_defrag_ipv4 xt_addrtype nft_compat nf_tables nfnetlink br_netfilter bridge stp llc overlay intel_rapl_msr intel_rapl_common kvm_intel kvm irqbypass rapl binfmt_misc nls_iso8859_1 input_leds serio_raw sch_fq_codel dm_multipath msr efi_pstore ip_tables x_tables autofs4 btrfs raid10 raid456 xor raid6_pq libcrc32c raid1 raid0 crct10dif_pclmul crc32_pclmul polyval_clmulni ghash_clmulni_intel sha256_ssse3 nvme nvme_core";

fn stamp(at_us: u64) -> String {
    format!("[{:5}.{:06}] ", at_us / 1_000_000, at_us % 1_000_000)
}

/// `6.8.0-45-generic` → `#45-Ubuntu`, the build tag Ubuntu kernels print.
fn build_tag(kernel: &str) -> String {
    let abi = kernel
        .split('-')
        .nth(1)
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    match abi {
        Some(n) => format!("#{n}-Ubuntu"),
        None => "#1".to_owned(),
    }
}

fn hardware(info: &BoxInfo) -> &'static str {
    if info.virtualized {
        "Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-debian-1.16.3-2 04/01/2014"
    } else {
        "Hardware name: Dell Inc. PowerEdge R650/0PYXKY, BIOS 1.13.2 12/13/2023"
    }
}

/// Register values are noise in a lockup report; derive them from the pid so they are stable.
/// EFLAGS shows whether interrupts were on (IF, 0x200) where the CPU was stopped.
fn registers(pid: u32, interrupts_on: bool) -> Vec<String> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ pid as u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let stack = 0xffff_b3c1_0000_0000 | (next() & 0xffff_fff8);
    let kernel_ptr = |v: u64| 0xffff_8881_0000_0000 | (v & 0xffff_fff0);
    vec![
        format!(
            "RSP: 0018:{stack:016x} EFLAGS: {}",
            if interrupts_on {
                "00000202"
            } else {
                "00000046"
            }
        ),
        format!(
            "RAX: 0000000000000001 RBX: {:016x} RCX: 0000000000000008",
            kernel_ptr(next())
        ),
        format!(
            "RDX: 0000000000000000 RSI: 0000000000000001 RDI: {:016x}",
            kernel_ptr(next())
        ),
        format!(
            "RBP: {:016x} R08: 0000000000000000 R09: 0000000000000000",
            stack + 0x40
        ),
        "R10: 0000000000000000 R11: 0000000000000000 R12: 0000000000000001".to_owned(),
        format!(
            "R13: {:016x} R14: 0000000000000000 R15: 0000000000000000",
            kernel_ptr(next())
        ),
        format!(
            "FS:  00007f{:010x}(0000) GS:ffff889f7f{:06x}(0000) knlGS:0000000000000000",
            next() & 0xff_ffff_f000,
            next() & 0xff_f000
        ),
        "CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033".to_owned(),
        format!(
            "CR2: 00007f{:010x} CR3: 0000000{:09x} CR4: 0000000000770ef0",
            next() & 0xff_ffff_f000,
            next() & 0x1_ffff_f000
        ),
        "PKRU: 55555554".to_owned(),
    ]
}

/// The module list, with the driver modules the stack's frames name (`[mlx5_core]`) loaded too.
fn modules_with(stack: &[String]) -> String {
    let mut line = MODULES.to_owned();
    let mut seen: Vec<&str> = Vec::new();
    for frame in stack {
        if let Some(module) = frame
            .rsplit_once(" [")
            .and_then(|(_, m)| m.strip_suffix(']'))
            && !seen.contains(&module)
        {
            seen.push(module);
            line.push(' ');
            line.push_str(module);
        }
    }
    line
}

fn call_trace(lines: &mut Vec<String>, stack: &[String]) {
    lines.push("Call Trace:".to_owned());
    lines.push(" <TASK>".to_owned());
    for frame in stack {
        lines.push(format!(" {frame}"));
    }
    lines.push(" </TASK>".to_owned());
}

/// A lock as lockdep prints it: address, class, usage bits and where it was taken.
fn lock_line(lock: &LockLine) -> String {
    format!(
        "{:016x} ({}){}, at: {}",
        lock.address, lock.class_name, lock.usage, lock.at
    )
}

/// `1 lock held by ingestd/2219:` and one ` #N:` line per lock.
fn held_locks(lines: &mut Vec<String>, holder: &LockHolder) {
    let n = holder.locks.len();
    let noun = if n == 1 { "lock" } else { "locks" };
    lines.push(format!(
        "{n} {noun} held by {}/{}:",
        holder.comm, holder.pid
    ));
    for (i, lock) in holder.locks.iter().enumerate() {
        lines.push(format!(" #{i}: {}", lock_line(lock)));
    }
}

fn event_lines(info: &BoxInfo, kind: &LogKind) -> Vec<String> {
    let tag = build_tag(&info.kernel);
    let mut lines = Vec::new();
    match kind {
        LogKind::Text(text) => lines.push(text.clone()),
        LogKind::SoftLockup {
            cpu,
            stuck_s,
            comm,
            pid,
            rip,
            stack,
        } => {
            lines.push(format!(
                "watchdog: BUG: soft lockup - CPU#{cpu} stuck for {stuck_s}s! [{comm}:{pid}]"
            ));
            lines.push(MODULES.to_owned());
            lines.push(format!(
                "CPU: {cpu} PID: {pid} Comm: {comm} Tainted: G             L     {} {tag}",
                info.kernel
            ));
            lines.push(hardware(info).to_owned());
            lines.push(format!("RIP: 0010:{rip}"));
            lines.extend(registers(*pid, true));
            call_trace(&mut lines, stack);
        }
        LogKind::IrqLockup {
            cpu,
            soft_stuck_s,
            comm,
            pid,
            rip,
            irq_stack,
            task_stack,
        } => {
            let taint = match soft_stuck_s {
                Some(stuck_s) => {
                    lines.push(format!(
                        "watchdog: BUG: soft lockup - CPU#{cpu} stuck for {stuck_s}s! [{comm}:{pid}]"
                    ));
                    "Tainted: G             L    "
                }
                None => {
                    lines.push(format!(
                        "NMI watchdog: Watchdog detected hard LOCKUP on cpu {cpu}"
                    ));
                    "Not tainted"
                }
            };
            lines.push(modules_with(irq_stack));
            lines.push(format!(
                "CPU: {cpu} PID: {pid} Comm: {comm} {taint} {} {tag}",
                info.kernel
            ));
            lines.push(hardware(info).to_owned());
            lines.push(format!("RIP: 0010:{rip}"));
            // A softirq runs with interrupts on; a hard interrupt handler with them off.
            lines.extend(registers(*pid, soft_stuck_s.is_some()));
            lines.push("Call Trace:".to_owned());
            lines.push(" <IRQ>".to_owned());
            lines.extend(irq_stack.iter().map(|frame| format!(" {frame}")));
            lines.push(" </IRQ>".to_owned());
            lines.push(" <TASK>".to_owned());
            lines.extend(task_stack.iter().map(|frame| format!(" {frame}")));
            lines.push(" </TASK>".to_owned());
        }
        LogKind::HungTask {
            comm,
            pid,
            tgid,
            blocked_s,
            stack,
        } => {
            lines.push(format!(
                "INFO: task {comm}:{pid} blocked for more than {blocked_s} seconds."
            ));
            lines.push(format!("      Not tainted {} {tag}", info.kernel));
            lines.push(
                "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message."
                    .to_owned(),
            );
            let short: String = comm.chars().take(15).collect();
            lines.push(format!(
                "task:{short:<15} state:D stack:0     pid:{pid:<5} tgid:{tgid:<5} ppid:1      flags:0x00004000"
            ));
            call_trace(&mut lines, stack);
        }
        LogKind::OomKill {
            comm,
            pid,
            uid,
            total_vm_kib,
            anon_rss_kib,
            file_rss_kib,
        } => {
            let cpu = pid % info.cpus.max(1);
            let pgtables_kib = total_vm_kib / 512;
            lines.push(format!(
                "{comm} invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0"
            ));
            lines.push(format!(
                "CPU: {cpu} PID: {pid} Comm: {comm} Not tainted {} {tag}",
                info.kernel
            ));
            lines.push(hardware(info).to_owned());
            call_trace(
                &mut lines,
                &[
                    "dump_stack_lvl+0x48",
                    "dump_header",
                    "oom_kill_process",
                    "out_of_memory",
                    "__alloc_pages_slowpath.constprop.0",
                    "__alloc_pages",
                    "alloc_pages_mpol",
                    "do_anonymous_page",
                    "__handle_mm_fault",
                    "handle_mm_fault",
                    "do_user_addr_fault",
                    "exc_page_fault",
                    "asm_exc_page_fault",
                ]
                .map(kernel_frame),
            );
            lines.push("Mem-Info:".to_owned());
            lines.push("Tasks state (memory values in pages):".to_owned());
            lines.push("[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name".to_owned());
            lines.push(format!(
                "[{pid:7}] {uid:5} {pid:5} {:8} {:8} {:8} {:8} {:9} {:14} {:8} {:13} {comm}",
                total_vm_kib / 4,
                (anon_rss_kib + file_rss_kib) / 4,
                anon_rss_kib / 4,
                file_rss_kib / 4,
                0,
                pgtables_kib * 1024,
                0,
                0
            ));
            lines.push(format!(
                "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/{comm}.service,task={comm},pid={pid},uid={uid}"
            ));
            lines.push(format!(
                "Out of memory: Killed process {pid} ({comm}) total-vm:{total_vm_kib}kB, anon-rss:{anon_rss_kib}kB, file-rss:{file_rss_kib}kB, shmem-rss:0kB, UID:{uid} pgtables:{pgtables_kib}kB oom_score_adj:0"
            ));
            lines.push(format!(
                "oom_reaper: reaped process {pid} ({comm}), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"
            ));
        }
        LogKind::HeldLocks { holders } => {
            lines.push(String::new());
            lines.push("Showing all locks held in the system:".to_owned());
            for holder in holders {
                held_locks(&mut lines, holder);
            }
            lines.push(String::new());
            lines.push("=============================================".to_owned());
            lines.push(String::new());
        }
        LogKind::CircularLocking {
            comm,
            pid,
            cpu,
            acquiring,
            holding,
            existing_chain,
            stack,
        } => {
            let rule = "======================================================";
            lines.push(String::new());
            lines.push(rule.to_owned());
            lines.push("WARNING: possible circular locking dependency detected".to_owned());
            lines.push(format!("{} {tag} Not tainted", info.kernel));
            lines.push("------------------------------------------------------".to_owned());
            lines.push(format!("{comm}/{pid} is trying to acquire lock:"));
            lines.push(lock_line(acquiring));
            lines.push(String::new());
            lines.push("but task is already holding lock:".to_owned());
            lines.push(lock_line(holding));
            lines.push(String::new());
            lines.push("which lock already depends on the new lock.".to_owned());
            lines.push(String::new());
            lines.push(String::new());
            lines.push("the existing dependency chain (in reverse order) is:".to_owned());
            lines.push(String::new());
            lines.push(format!("-> #1 ({}){}:", holding.class_name, holding.usage));
            lines.extend(existing_chain.iter().map(|f| format!("       {f}")));
            lines.push(String::new());
            lines.push(format!(
                "-> #0 ({}){}:",
                acquiring.class_name, acquiring.usage
            ));
            // The new dependency's own stack, from the acquisition down.
            lines.extend(stack.iter().skip(2).map(|f| format!("       {f}")));
            lines.push(String::new());
            lines.push("other info that might help us debug this:".to_owned());
            lines.push(String::new());
            lines.push(" Possible unsafe locking scenario:".to_owned());
            lines.push(String::new());
            lines.push("       CPU0                    CPU1".to_owned());
            lines.push("       ----                    ----".to_owned());
            lines.push(format!("  lock({});", holding.class_name));
            lines.push(format!(
                "                               lock({});",
                acquiring.class_name
            ));
            lines.push(format!(
                "                               lock({});",
                holding.class_name
            ));
            lines.push(format!("  lock({});", acquiring.class_name));
            lines.push(String::new());
            lines.push(" *** DEADLOCK ***".to_owned());
            lines.push(String::new());
            held_locks(
                &mut lines,
                &crate::model::LockHolder {
                    comm: comm.clone(),
                    pid: *pid,
                    locks: vec![holding.clone()],
                },
            );
            lines.push(String::new());
            lines.push("stack backtrace:".to_owned());
            lines.push(format!(
                "CPU: {cpu} PID: {pid} Comm: {comm} Not tainted {} {tag}",
                info.kernel
            ));
            lines.push(hardware(info).to_owned());
            call_trace(&mut lines, stack);
        }
        LogKind::RcuStall { cpu, ticks } => {
            let gp = 0x51e4 ^ (*ticks & 0xffff);
            lines.push("rcu: INFO: rcu_preempt self-detected stall on CPU".to_owned());
            lines.push(format!(
                "rcu: \t{cpu}-....: ({} ticks this GP) idle={gp:x}/1/0x4000000000000000 softirq={}/{} fqs={}",
                ticks.saturating_sub(1),
                300 + ticks % 97,
                300 + ticks % 97,
                ticks / 2
            ));
            lines.push(format!(
                "rcu: \t(t={ticks} jiffies g={} q={} ncpus={})",
                1_000_000 + ticks * 4,
                ticks % 1000 + 100,
                info.cpus
            ));
        }
    }
    lines
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day count since 1970-01-01 (`civil_from_days`).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The drill's start date from `mm/dd/yy` (sysstat's `%x`) or `yyyy-mm-dd`, as days since 1970.
fn start_day(date: &str) -> Option<i64> {
    let numbers: Vec<i64> = date
        .split(['/', '-'])
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (y, m, d) = match (date.contains('/'), numbers.as_slice()) {
        (true, [m, d, y]) => (if *y < 100 { 2000 + y } else { *y }, *m, *d),
        (false, [y, m, d]) => (*y, *m, *d),
        _ => return None,
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| days_from_civil(y, m, d))
}

/// `[Fri Mar 14 10:02:11 2025] ` for an event `at_us` after boot.
fn wall_stamp(trace: &Trace, day: i64, at_us: u64) -> String {
    const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let boot = day * 86_400 + trace.info.clock_s as i64 - trace.info.uptime_s as i64;
    let t = boot + (at_us / 1_000_000) as i64;
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "[{} {} {d:2} {:02}:{:02}:{:02} {y}] ",
        WEEKDAYS[(days + 4).rem_euclid(7) as usize],
        MONTHS[(m - 1).clamp(0, 11) as usize],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

pub(crate) fn render(trace: &Trace, human_time: bool, start: usize) -> String {
    let now_us = trace
        .info
        .uptime_s
        .saturating_add(start as u64)
        .saturating_mul(1_000_000);
    let day = match (human_time, start_day(&trace.info.date)) {
        (false, _) => None,
        (true, Some(day)) => Some(day),
        (true, None) => {
            return format!(
                "dmesg: cannot compute wall-clock times: this box's date '{}' is not mm/dd/yy\n",
                trace.info.date
            );
        }
    };
    let mut out = String::new();
    for event in trace.log.iter().filter(|e| e.at_us <= now_us) {
        let prefix = match day {
            Some(day) => wall_stamp(trace, day, event.at_us),
            None => stamp(event.at_us),
        };
        for line in event_lines(&trace.info, &event.kind) {
            out.push_str(&prefix);
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    #[test]
    fn prefix_and_events_up_to_now() {
        let trace = fixture_trace(3);
        let out = render(&trace, false, 0);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "[    2.113402] EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode."
        );
        assert_eq!(
            lines[1],
            "[1047846.123456] watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [worker:4242]"
        );
        assert!(lines.contains(&"[1047846.123456] CPU: 3 PID: 4242 Comm: worker Tainted: G             L     6.8.0-45-generic #45-Ubuntu"));
        assert!(
            lines.contains(
                &"[1047846.123456] RIP: 0010:native_queued_spin_lock_slowpath+0x6e/0x2c0"
            )
        );
        assert!(lines.contains(&"[1047846.123456]  <TASK>"));
        // The hung task report lies in the future at second 0.
        assert!(!out.contains("INFO: task"));
        let later = render(&trace, false, 60);
        assert!(later.contains("] INFO: task worker:4243 blocked for more than 122 seconds.\n"));
        assert!(later.contains("] task:worker          state:D stack:0     pid:4243  tgid:4242  ppid:1      flags:0x00004000\n"));
    }

    #[test]
    fn wall_clock_times() {
        let trace = fixture_trace(0);
        let out = render(&trace, true, 0);
        // Booted 12 days, 3:04:07 before Fri 03/14/25 10:02:11, i.e. Sun Mar 2 06:58:04.
        assert!(
            out.starts_with("[Sun Mar  2 06:58:06 2025] EXT4-fs"),
            "{out}"
        );
        assert!(
            out.contains("\n[Fri Mar 14 10:02:10 2025] watchdog: BUG: soft lockup"),
            "{out}"
        );
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(start_day("2025-03-14"), start_day("03/14/25"));
        let mut bad = fixture_trace(0);
        bad.info.date = "someday".into();
        assert!(render(&bad, true, 0).starts_with("dmesg: cannot compute"));
    }

    #[test]
    fn lockups_in_interrupt_context_print_the_irq_section_above_the_task() {
        let mut trace = fixture_trace(0);
        let lockup = |soft_stuck_s| LogKind::IrqLockup {
            cpu: 3,
            soft_stuck_s,
            comm: "flowmon".into(),
            pid: 3121,
            rip: "native_queued_spin_lock_slowpath+0x6e/0x2c0".into(),
            irq_stack: vec![
                "_raw_spin_lock+0x3f/0x60".into(),
                "mlx5e_poll_rx_cq+0x2f1/0x4f0 [mlx5_core]".into(),
            ],
            task_stack: vec![
                "asm_common_interrupt+0x27/0x40".into(),
                "mlx5_fc_query+0x4e/0x240 [mlx5_core]".into(),
            ],
        };
        trace.log = vec![
            crate::model::LogEvent {
                at_us: 5_000_000,
                kind: lockup(Some(22)),
            },
            crate::model::LogEvent {
                at_us: 6_000_000,
                kind: lockup(None),
            },
        ];
        let out = render(&trace, false, 0);
        let soft: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("[    5.000000]"))
            .collect();
        assert_eq!(
            soft[0],
            "[    5.000000] watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [flowmon:3121]"
        );
        assert!(
            soft[1].ends_with(" nvme nvme_core mlx5_core"),
            "{}",
            soft[1]
        );
        assert!(soft.iter().any(|l| l.ends_with("EFLAGS: 00000202")));
        let tail: Vec<&str> = soft
            .iter()
            .skip_while(|l| !l.ends_with("Call Trace:"))
            .map(|l| &l[14..])
            .collect();
        assert_eq!(
            tail,
            [
                " Call Trace:",
                "  <IRQ>",
                "  _raw_spin_lock+0x3f/0x60",
                "  mlx5e_poll_rx_cq+0x2f1/0x4f0 [mlx5_core]",
                "  </IRQ>",
                "  <TASK>",
                "  asm_common_interrupt+0x27/0x40",
                "  mlx5_fc_query+0x4e/0x240 [mlx5_core]",
                "  </TASK>",
            ]
        );
        assert!(
            out.contains("[    6.000000] NMI watchdog: Watchdog detected hard LOCKUP on cpu 3\n")
        );
        assert!(out.contains("[    6.000000] CPU: 3 PID: 3121 Comm: flowmon Not tainted"));
        // Interrupts were off where a hard interrupt handler was stopped.
        assert!(out.contains("EFLAGS: 00000046\n"));
    }

    #[test]
    fn oom_and_rcu() {
        let mut trace = fixture_trace(0);
        trace.log = vec![
            crate::model::LogEvent {
                at_us: 5_000_000,
                kind: LogKind::OomKill {
                    comm: "worker".into(),
                    pid: 4242,
                    uid: 1000,
                    total_vm_kib: 8_123_456,
                    anon_rss_kib: 7_654_321,
                    file_rss_kib: 1_234,
                },
            },
            crate::model::LogEvent {
                at_us: 6_000_000,
                kind: LogKind::RcuStall {
                    cpu: 4,
                    ticks: 5250,
                },
            },
        ];
        let out = render(&trace, false, 0);
        assert!(out.contains("[    5.000000] Out of memory: Killed process 4242 (worker) total-vm:8123456kB, anon-rss:7654321kB, file-rss:1234kB, shmem-rss:0kB, UID:1000 pgtables:15866kB oom_score_adj:0\n"));
        assert!(out.contains("[    6.000000] rcu: INFO: rcu_preempt self-detected stall on CPU\n"));
        assert!(out.contains("[    6.000000] rcu: \t4-....: (5249 ticks this GP) idle="));
        assert!(out.contains("[    6.000000] rcu: \t(t=5250 jiffies g="));
    }
}
