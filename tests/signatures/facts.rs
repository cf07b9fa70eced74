//! The numbers a candidate reads off the tools, derived from one [`Sample`] with the renderers'
//! arithmetic (vmstat's CPU columns, mpstat's `%soft`, perf top's ranking, perf lock
//! contention's ranking, iostat's `%util` and `await`). Reads the trace only; never simulates.

use sysdrill::model::{CpuTime, LockSample, Sample, Syscall, Trace};

/// Symbols perf top shows for an idle CPU; left out of rankings so they show what works.
const IDLE_SYMBOLS: [&str; 6] = [
    "intel_idle",
    "cpuidle_enter_state",
    "do_idle",
    "menu_select",
    "pv_native_safe_halt",
    "default_idle_call",
];

/// vmstat's CPU columns in percent of all CPUs: softirq and irq count as `sy`.
#[derive(Debug, Clone, Copy)]
pub struct Vmstat {
    pub us: f64,
    pub sy: f64,
    pub id: f64,
    pub wa: f64,
    pub st: f64,
}

pub fn vmstat(s: &Sample) -> Vmstat {
    let total: u64 = s.cpus.iter().map(CpuTime::total).sum();
    let total = total.max(1) as f64;
    let sum = |f: fn(&CpuTime) -> u64| s.cpus.iter().map(f).sum::<u64>() as f64 * 100.0 / total;
    Vmstat {
        us: sum(|c| c.user + c.nice),
        sy: sum(|c| c.system + c.irq + c.softirq),
        id: sum(|c| c.idle),
        wa: sum(|c| c.iowait),
        st: sum(|c| c.steal),
    }
}

/// mpstat's `%soft` per CPU.
pub fn soft_pct(s: &Sample) -> Vec<f64> {
    s.cpus
        .iter()
        .map(|c| c.softirq as f64 * 100.0 / c.total().max(1) as f64)
        .collect()
}

/// perf top's ranking without idle symbols: (name, share of all sampled CPU time), largest first.
pub fn perf_top(t: &Trace, s: &Sample) -> Vec<(String, f64)> {
    let total: u64 = s.symbols.iter().map(|x| x.1).sum();
    let total = total.max(1) as f64;
    let mut v: Vec<(String, f64)> = s
        .symbols
        .iter()
        .filter_map(|&(id, ns)| {
            let name = &t.info.symbols.get(id)?.name;
            (!IDLE_SYMBOLS.contains(&name.as_str())).then(|| (name.clone(), ns as f64 / total))
        })
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Whether `name` is among the first `n` symbols of perf top.
pub fn in_top(t: &Trace, s: &Sample, n: usize, name: &str) -> bool {
    perf_top(t, s).iter().take(n).any(|(x, _)| x == name)
}

/// Share of all sampled CPU time (idle included) spent in `names`.
pub fn share(t: &Trace, s: &Sample, names: &[&str]) -> f64 {
    let total: u64 = s.symbols.iter().map(|x| x.1).sum();
    let part: u64 = s
        .symbols
        .iter()
        .filter(|&&(id, _)| {
            t.info
                .symbols
                .get(id)
                .is_some_and(|sym| names.contains(&sym.name.as_str()))
        })
        .map(|x| x.1)
        .sum();
    part as f64 / total.max(1) as f64
}

/// Total wait of one lock class, both sides, nanoseconds in the second.
pub fn lock_wait(l: &LockSample) -> u64 {
    l.wait_total_ns + l.read_side.as_ref().map_or(0, |r| r.wait_total_ns)
}

/// Waiting on every lock, in threads waiting on average (ns per second / 1e9).
pub fn lock_waiters(s: &Sample) -> f64 {
    s.locks.iter().map(lock_wait).sum::<u64>() as f64 / 1e9
}

/// perf lock contention's first row: the class with the largest total wait, if any waited.
pub fn top_lock(s: &Sample) -> Option<usize> {
    s.locks
        .iter()
        .enumerate()
        .filter(|(_, l)| lock_wait(l) > 0)
        .max_by_key(|(i, l)| (lock_wait(l), std::cmp::Reverse(*i)))
        .map(|(i, _)| i)
}

/// perf lock contention's first row: the kernel lock with the largest total wait, if any
/// waited. User-space locks are not there: perf lock traces the kernel's lock functions.
pub fn perf_lock_top(t: &Trace, s: &Sample) -> Option<usize> {
    s.locks
        .iter()
        .zip(&t.info.locks)
        .enumerate()
        .filter(|(_, (l, info))| info.kernel && lock_wait(l) > 0)
        .max_by_key(|(i, (l, _))| (lock_wait(l), std::cmp::Reverse(*i)))
        .map(|(i, _)| i)
}

/// Threads asleep in `futex` on average: every thread's futex time in `perf trace -s`, summed
/// (ns per second / 1e9).
pub fn futex_sleepers(s: &Sample) -> f64 {
    syscall_wall(s, Some(Syscall::Futex)) as f64 / 1e9
}

/// `futex`'s share of all system call time in `perf trace -s` / `strace -c -f -w`.
pub fn futex_share(s: &Sample) -> f64 {
    syscall_wall(s, Some(Syscall::Futex)) as f64 / syscall_wall(s, None).max(1) as f64
}

/// Whether `futex` takes more system call time than any other call but `epoll_wait` (a
/// worker's wait for its next request) in `perf trace -s` / `strace -c -f -w`, every thread
/// summed.
pub fn futex_leads_the_work(s: &Sample) -> bool {
    let futex = syscall_wall(s, Some(Syscall::Futex));
    [
        Syscall::Pread64,
        Syscall::Read,
        Syscall::Write,
        Syscall::Fdatasync,
        Syscall::Fsync,
    ]
    .into_iter()
    .all(|other| syscall_wall(s, Some(other)) < futex)
}

/// The share of all system call time `futex` and `epoll_wait` take together.
pub fn futex_and_epoll_share(s: &Sample) -> f64 {
    (syscall_wall(s, Some(Syscall::Futex)) + syscall_wall(s, Some(Syscall::EpollWait))) as f64
        / syscall_wall(s, None).max(1) as f64
}

/// Wall time in system calls (one call, or all), every thread, ns in the second.
fn syscall_wall(s: &Sample, call: Option<Syscall>) -> u64 {
    s.detail
        .threads
        .iter()
        .flat_map(|t| t.syscalls.iter())
        .filter(|c| call.is_none_or(|want| c.call == want))
        .map(|c| c.wall_ns)
        .sum()
}

/// Share of all lock wait that the top class carries.
pub fn top_lock_share(s: &Sample) -> f64 {
    let total: u64 = s.locks.iter().map(lock_wait).sum();
    top_lock(s).map_or(0.0, |i| lock_wait(&s.locks[i]) as f64 / total.max(1) as f64)
}

/// iostat's worst device: (`%util`, `await` in ms over reads and writes).
pub fn busiest_disk(s: &Sample) -> (f64, f64) {
    s.disks
        .iter()
        .map(|d| {
            let n = d.reads + d.writes;
            let wait = if n > 0 {
                (d.r_await_ms * d.reads as f64 + d.w_await_ms * d.writes as f64) / n as f64
            } else {
                0.0
            };
            (d.util * 100.0, wait)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap_or((0.0, 0.0))
}

/// Free memory below the zone's low watermark: the box is reclaiming.
pub fn below_low(s: &Sample) -> bool {
    s.mem.free_kib < s.mem.watermark_low_kib
}

/// Bandwidth periods in the second in which any cgroup was throttled (cpu.stat's nr_throttled
/// over the second, summed over cgroups).
pub fn throttled_periods(s: &Sample) -> f64 {
    s.detail.cgroups.iter().map(|g| g.throttled_periods).sum()
}

/// A one-line digest for failure messages.
pub fn digest(t: &Trace, s: &Sample) -> String {
    let v = vmstat(s);
    let soft = soft_pct(s).into_iter().fold(0.0, f64::max);
    let (util, wait) = busiest_disk(s);
    let top: Vec<String> = perf_top(t, s)
        .into_iter()
        .take(4)
        .map(|(n, x)| format!("{n} {:.1}%", x * 100.0))
        .collect();
    let lock = top_lock(s).map_or("-", |i| t.info.locks[i].class_name.as_str());
    let perf_lock = perf_lock_top(t, s).map_or("-", |i| t.info.locks[i].class_name.as_str());
    format!(
        "r {:.1} b {:.1} cs {} us {:.0} sy {:.0} id {:.0} wa {:.0} st {:.0} soft-max {soft:.0} \
         util {util:.0} await {wait:.1} free {} low {} si {} so {} done {} p50 {:.0} p99 {:.0} \
         top [{}] lock {lock} ({:.2} waiting) perf lock {perf_lock} futex {:.1} ({:.2}) throttled {:.0}",
        s.runnable,
        s.blocked,
        s.context_switches,
        v.us,
        v.sy,
        v.id,
        v.wa,
        v.st,
        s.mem.free_kib,
        s.mem.watermark_low_kib,
        s.swap_in_kib,
        s.swap_out_kib,
        s.app.completed,
        s.app.latency_p50_us,
        s.app.latency_p99_us,
        top.join(", "),
        lock_waiters(s),
        futex_sleepers(s),
        futex_share(s),
        throttled_periods(s),
    )
}
