//! What the model hands to the renderers: static facts about the box, a since-boot summary, and
//! one sample per simulated second, plus kernel log events.
//!
//! Architecture invariant: renderers read only this type. Every number a tool prints is either a
//! field here or a pure function of fields here (sums, means, rounding), so "the tools agree with
//! each other" holds by construction. Counts are per sample (one second), times in nanoseconds.

/// Nanoseconds.
pub type Nanos = u64;

#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub info: BoxInfo,
    /// Averages since boot (vmstat's first line, iostat's first report, top's load averages).
    pub since_boot: Sample,
    /// Sample `i` covers simulated seconds `[i, i + 1)` after the drill starts.
    pub samples: Vec<Sample>,
    /// Kernel log, in time order; `at_s` is seconds since boot.
    pub log: Vec<LogEvent>,
    /// What is left of the per-thread rows of seconds too old to keep (`ThreadHistory`).
    pub thread_history: ThreadHistory,
}

/// The per-thread rows (`Detail::threads`) of the seconds before `from`, folded into each
/// thread's CPU time: a trace keeps the rows of its last `THREAD_DETAIL_SECONDS` seconds only,
/// so its memory does not grow with the seconds simulated, while a thread's total CPU time
/// (`ps -L`'s TIME, `top -H`'s TIME+) still counts every second.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThreadHistory {
    /// The first second whose rows the trace still holds.
    pub from: usize,
    /// User plus system time of each thread over the seconds before `from`, by (task index,
    /// tid).
    pub cpu_ns: std::collections::BTreeMap<(usize, u32), u128>,
}

impl Trace {
    /// CPU time (user + system) of every thread from the drill's start to second `end`, by
    /// (task index, tid): the folded seconds and the rows kept.
    pub fn thread_cpu_ns_until(
        &self,
        end: usize,
    ) -> std::collections::BTreeMap<(usize, u32), u128> {
        let mut out = self.thread_history.cpu_ns.clone();
        let end = end.min(self.samples.len());
        let from = self.thread_history.from.min(end);
        add_thread_cpu_ns(&mut out, &self.samples[from..end]);
        out
    }
}

/// Adds the CPU time (user + system) of every thread row of `samples` to `out`, by (task
/// index, tid).
pub fn add_thread_cpu_ns(
    out: &mut std::collections::BTreeMap<(usize, u32), u128>,
    samples: &[Sample],
) {
    for sample in samples {
        for t in &sample.detail.threads {
            *out.entry((t.task, t.tid)).or_insert(0) += u128::from(t.user_ns + t.system_ns);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoxInfo {
    pub hostname: String,
    pub kernel: String,
    pub cpus: u32,
    pub hz: u32,
    pub virtualized: bool,
    pub mem_total_kib: u64,
    pub swap_total_kib: u64,
    /// Seconds since boot at the start of sample 0.
    pub uptime_s: u64,
    /// Time of day at the start of sample 0, seconds after midnight.
    pub clock_s: u32,
    pub date: String,
    pub disks: Vec<String>,
    /// Every task a tool may list (the workloads' processes, kernel threads such as `kswapd0`,
    /// `ksoftirqd/0`), sorted by pid. Per-sample activity is in `Sample::tasks`, same order.
    pub tasks: Vec<TaskInfo>,
    /// Symbol table for `Sample::symbols` (index = symbol id).
    pub symbols: Vec<Symbol>,
    /// Lock classes for `Sample::locks` (index = lock id), as perf lock / lock_stat name them.
    pub locks: Vec<LockInfo>,
    /// The workloads that run in a cgroup of their own, in the incident's order.
    pub cgroups: Vec<CgroupInfo>,
    /// NUMA nodes and where each workload's memory is; one node on most boxes.
    pub numa: NumaInfo,
    /// Interrupts each CPU took from boot to the drill's start (`/proc/interrupts` before the
    /// first second): counts of random events over the uptime, so each CPU's differs. Empty
    /// on a hand-built trace, which then counts the since-boot average over the uptime.
    pub irq_history: Vec<CpuIrqs>,
    /// The pressure averages when the drill starts, as the incident's history left them.
    /// `None` on a hand-built trace, whose averages start at the since-boot shares.
    pub pressure_avgs: Option<PressureAvgs>,
}

/// The kernel's 10, 60 and 300 s pressure averages (shares, 0..=1) of each pressure line when
/// the drill starts, as `[some, full]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PressureAvgs {
    pub cpu: [[f64; 3]; 2],
    pub memory: [[f64; 3]; 2],
    pub io: [[f64; 3]; 2],
    /// Each workload's cgroup `cpu.pressure`, in the incident's order (zero in the root).
    pub cgroups: Vec<[[f64; 3]; 2]>,
}

/// A workload's cgroup as the box shows it under `/sys/fs/cgroup`.
#[derive(Debug, Clone, PartialEq)]
pub struct CgroupInfo {
    /// Index of the workload (into `Detail::cgroups`).
    pub workload: usize,
    /// The workload's process id.
    pub pid: u32,
    pub cgroup: crate::domain::Cgroup,
}

/// The box's NUMA nodes and each workload process's placement, fixed for the run.
#[derive(Debug, Clone, PartialEq)]
pub struct NumaInfo {
    /// At least one; node `i` is `nodes[i]`.
    pub nodes: Vec<NodeInfo>,
    /// `distances[from][to]` as `numactl -H` prints them (10 local).
    pub distances: Vec<Vec<u32>>,
    /// One per workload process, in workload order.
    pub processes: Vec<ProcessNuma>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeInfo {
    /// The node's CPUs, ascending.
    pub cpus: Vec<u32>,
    pub mem_total_kib: u64,
}

/// Where one process runs and where its memory is.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessNuma {
    pub pid: u32,
    /// The memory policy as `/proc/PID/numa_maps` writes it: `default`, `bind:0`,
    /// `interleave:0-1`.
    pub policy: String,
    /// CPUs its threads may run on, ascending.
    pub cpus_allowed: Vec<u32>,
    /// Its resident anonymous memory on each node, KiB.
    pub node_kib: Vec<u64>,
    /// Share of its CPUs on each node (sums to 1): where its threads allocate from.
    pub cpu_share: Vec<f64>,
    /// Share of its memory accesses that go to another node.
    pub remote_fraction: f64,
    /// How much remote accesses stretch its compute (1 when all are local).
    pub compute_factor: f64,
    /// Share of its compute waiting for memory when all of it is local.
    pub memory_stall_fraction: f64,
}

impl NumaInfo {
    /// A box of one node holding every CPU and all memory.
    pub fn single_node(cpus: u32, mem_total_kib: u64) -> Self {
        Self {
            nodes: vec![NodeInfo {
                cpus: (0..cpus).collect(),
                mem_total_kib,
            }],
            distances: vec![vec![crate::domain::numa::LOCAL_DISTANCE]],
            processes: Vec::new(),
        }
    }

    /// The node CPU `cpu` belongs to (0 when no node lists it).
    pub fn node_of_cpu(&self, cpu: u32) -> usize {
        self.nodes
            .iter()
            .position(|n| n.cpus.contains(&cpu))
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskInfo {
    pub pid: u32,
    pub comm: String,
    pub user: String,
    pub uid: u32,
    /// Threads in the process (1 for kernel threads).
    pub threads: u32,
    pub virt_kib: u64,
    pub res_kib: u64,
    pub shr_kib: u64,
    pub kernel_thread: bool,
    /// The state `ps` and `top` print while the task sleeps.
    pub sleep_state: SleepState,
    /// CPU time before the drill started, centiseconds (top's TIME+).
    pub cpu_time_before_cs: u64,
}

/// How a sleeping task shows in `ps` and `top`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SleepState {
    /// `S`: waiting for an event (a socket, a timer, work for a kernel thread).
    #[default]
    Interruptible,
    /// `I`: an idle kernel worker (a `kworker` with nothing queued).
    Idle,
}

impl SleepState {
    pub fn letter(self) -> char {
        match self {
            Self::Interruptible => 'S',
            Self::Idle => 'I',
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    pub name: String,
    /// `[kernel]` for kernel symbols, else the library or binary (`libc.so.6`, `worker`).
    pub dso: String,
    pub kernel: bool,
    /// The CPU sits halted here (`mwait`, `hlt`) almost all of the time it spends in the
    /// symbol: time passes but the cycle counter stops, so `cycles` sampling barely sees it
    /// while a clock-based event (`cpu-clock`) sees all of it.
    pub halted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LockInfo {
    pub class_name: String,
    /// perf lock type string: `spinlock`, `mutex`, `rwlock:R`, `rwlock:W`, `rwsem:R`, `semaphore` …
    pub perf_type: String,
    /// Type as `perf lock contention -l` prints it in parentheses: `spinlock`, `rwsem`, `mutex`.
    pub lock_type: String,
    /// Stable fake address for `-l` and lock_stat contention points.
    pub address: u64,
    /// For rwlocks with both sides in lock_stat (`-R` / `-W` rows).
    pub read_write: bool,
    /// The code that takes the lock, `sym+0xoff` (a kernel stack's frame under the lock's slow
    /// path; the caller perf lock prints).
    pub caller: String,
    /// A kernel lock: lockdep (`/proc/lock_stat`) and `perf lock` see it. A user-space lock is
    /// invisible to them; its waiting shows as futex calls, and its futex traffic as the futex
    /// hash bucket lock (`&hb->lock`, a kernel lock of its own at the end of the list).
    pub kernel: bool,
}

/// One second of the box.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sample {
    /// One entry per CPU.
    pub cpus: Vec<CpuTime>,
    /// Time-averaged running + runnable tasks (vmstat r is this, rounded).
    pub runnable: f64,
    /// Time-averaged tasks in uninterruptible sleep (vmstat b).
    pub blocked: f64,
    /// Interrupts in the second, timer included.
    pub interrupts: u64,
    pub context_switches: u64,
    pub mem: Memory,
    pub swap_in_kib: u64,
    pub swap_out_kib: u64,
    /// KiB read from / written to block devices in the second (vmstat bi/bo).
    pub blocks_in_kib: u64,
    pub blocks_out_kib: u64,
    /// Same order as `BoxInfo::disks`.
    pub disks: Vec<DiskSample>,
    /// Same order as `BoxInfo::tasks`.
    pub tasks: Vec<TaskSample>,
    /// CPU time by symbol id (only non-zero entries), summed over CPUs.
    pub symbols: Vec<(usize, Nanos)>,
    /// Same order as `BoxInfo::locks`.
    pub locks: Vec<LockSample>,
    pub app: AppSample,
    /// Load averages (1, 5, 15 min) at the end of the second.
    pub load_avg: [f64; 3],
    /// Thread, interrupt and pressure detail for the tools that look below processes.
    pub detail: Detail,
}

/// Where one CPU's second went, in nanoseconds; the fields sum to 1e9.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CpuTime {
    pub user: Nanos,
    pub nice: Nanos,
    pub system: Nanos,
    pub irq: Nanos,
    pub softirq: Nanos,
    pub iowait: Nanos,
    pub steal: Nanos,
    pub idle: Nanos,
}

impl CpuTime {
    pub fn total(&self) -> Nanos {
        self.user
            + self.nice
            + self.system
            + self.irq
            + self.softirq
            + self.iowait
            + self.steal
            + self.idle
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Memory {
    pub free_kib: u64,
    pub buffers_kib: u64,
    /// Cached + SReclaimable.
    pub cache_kib: u64,
    pub shared_kib: u64,
    pub available_kib: u64,
    pub swap_used_kib: u64,
    /// Watermarks of the normal zone, KiB (si/so > 0 only below `low`).
    pub watermark_min_kib: u64,
    pub watermark_low_kib: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DiskSample {
    pub reads: u64,
    pub writes: u64,
    pub read_kib: u64,
    pub write_kib: u64,
    pub read_merges: u64,
    pub write_merges: u64,
    /// Mean time from issue to completion, milliseconds.
    pub r_await_ms: f64,
    pub w_await_ms: f64,
    /// Time-averaged IOs in flight or queued (iostat aqu-sz).
    pub queue_size: f64,
    /// Fraction of the second with at least one IO in flight, 0..=1.
    pub util: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TaskSample {
    pub user_ns: Nanos,
    pub system_ns: Nanos,
    /// Time runnable but waiting for a CPU, summed over the process's threads.
    pub wait_ns: Nanos,
    /// Switches of all the process's threads.
    pub voluntary_cs: u64,
    pub involuntary_cs: u64,
    /// Threads running or runnable at the end of the second.
    pub running: u32,
    /// Threads in D state at the end of the second.
    pub uninterruptible: u32,
    /// CPU the task (its main thread) last ran on.
    pub last_cpu: u32,
    pub minor_faults: u64,
    pub major_faults: u64,
    /// The main thread alone. `/proc/PID/schedstat` and `/proc/PID/status` describe the
    /// process's main thread, so pidstat's process line reads its `%wait` and switches from
    /// here (its `%usr` and `%system` from `/proc/PID/stat`, the whole process).
    pub leader: ThreadSched,
}

/// One thread's scheduler counters in the second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ThreadSched {
    /// Time runnable but waiting for a CPU.
    pub wait_ns: Nanos,
    pub voluntary_cs: u64,
    pub involuntary_cs: u64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LockSample {
    pub acquired: u64,
    pub contended: u64,
    /// Acquisitions whose cache line came from another CPU.
    pub acq_bounces: u64,
    pub con_bounces: u64,
    pub wait_total_ns: Nanos,
    /// Over contended acquisitions only; 0 when none contended.
    pub wait_min_ns: Nanos,
    pub wait_max_ns: Nanos,
    pub hold_total_ns: Nanos,
    pub hold_min_ns: Nanos,
    pub hold_max_ns: Nanos,
    /// For read-write locks, the read side (the fields above are then the write side).
    pub read_side: Option<Box<LockSample>>,
    /// Contention by call site (perf lock contention's caller column), largest first.
    pub callers: Vec<CallerWait>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallerWait {
    /// `sym+0xoff`.
    pub caller: String,
    pub contended: u64,
    pub wait_total_ns: Nanos,
    pub wait_max_ns: Nanos,
}

/// The application's own view of the second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AppSample {
    pub completed: u64,
    /// Requests in the system (queued or in service), time-averaged.
    pub in_system: f64,
    pub latency_mean_us: f64,
    pub latency_p50_us: f64,
    pub latency_p99_us: f64,
}

/// A lock as lockdep prints it: `ffff8881183f5e08 (&ei->i_data_sem){++++}-{3:3}, at:
/// ext4_map_blocks+0x1b4/0x5d0`.
#[derive(Debug, Clone, PartialEq)]
pub struct LockLine {
    pub address: u64,
    pub class_name: String,
    /// The usage bits and wait type, e.g. `{+.+.}-{3:3}`.
    pub usage: String,
    /// Where it was taken, `symbol+0xoff/0xsize`.
    pub at: String,
}

/// A task and the locks it holds, for lockdep's lists.
#[derive(Debug, Clone, PartialEq)]
pub struct LockHolder {
    pub comm: String,
    pub pid: u32,
    pub locks: Vec<LockLine>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogEvent {
    /// Seconds since boot, microsecond resolution.
    pub at_us: u64,
    pub kind: LogKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LogKind {
    HungTask {
        comm: String,
        /// The thread's own id, and its process's (the thread group leader's).
        pid: u32,
        tgid: u32,
        blocked_s: u32,
        /// Innermost frame first, e.g. `__mutex_lock.constprop.0`.
        stack: Vec<String>,
    },
    SoftLockup {
        cpu: u32,
        stuck_s: u32,
        comm: String,
        pid: u32,
        rip: String,
        stack: Vec<String>,
    },
    /// A CPU stuck in an interrupt handler that spins on a lock the task it interrupted holds.
    /// A softirq leaves the timer ticking, so the soft-lockup watchdog reports it (and again
    /// while it lasts); a hard interrupt handler runs with interrupts off, so only the NMI
    /// watchdog's hard-lockup check sees it.
    IrqLockup {
        cpu: u32,
        /// Seconds stuck, for a soft lockup; `None` for the NMI watchdog's hard lockup.
        soft_stuck_s: Option<u32>,
        /// The interrupted task: its thread id and name.
        comm: String,
        pid: u32,
        rip: String,
        /// The frames inside `<IRQ>`, innermost first.
        irq_stack: Vec<String>,
        /// The interrupted task's frames, innermost first.
        task_stack: Vec<String>,
    },
    OomKill {
        comm: String,
        pid: u32,
        uid: u32,
        total_vm_kib: u64,
        anon_rss_kib: u64,
        file_rss_kib: u64,
    },
    RcuStall {
        cpu: u32,
        ticks: u64,
    },
    /// lockdep's list after hung-task reports ("Showing all locks held in the system:"): each
    /// task holding locks, with them.
    HeldLocks {
        holders: Vec<LockHolder>,
    },
    /// lockdep's report of the first acquisition that inverts an order seen before ("possible
    /// circular locking dependency detected"): `comm`/`pid` tries to take `acquiring` while it
    /// holds `holding`, which an earlier path took inside `acquiring`.
    CircularLocking {
        comm: String,
        pid: u32,
        cpu: u32,
        acquiring: LockLine,
        holding: LockLine,
        /// Where the existing dependency was recorded (`holding` taken inside `acquiring`),
        /// innermost first; then the stack of this acquisition, innermost first.
        existing_chain: Vec<String>,
        stack: Vec<String>,
    },
    /// Any other line, printed verbatim after the timestamp (boot noise, link up …).
    Text(String),
}

// ------------------------------------------------------------------------------------------
// Detail below the process level: threads, interrupts per CPU, pressure stall shares. Read by
// `ps -L`, `top -H`, `pidstat -t`, `/proc/PID/task/*/stack`, `/proc/interrupts`,
// `/proc/softirqs`, `/proc/pressure/*`, `strace -c`, `perf trace -s` and `perf sched latency`.

/// One second of detail. Per-thread counts are per second like the rest of the sample.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detail {
    /// Every thread of the model's processes, ordered by (`task`, `tid`).
    pub threads: Vec<ThreadSample>,
    /// One entry per CPU; all fields over all CPUs sum to `Sample::interrupts`.
    pub irqs: Vec<CpuIrqs>,
    pub pressure: Pressure,
    /// One entry per workload, in the incident's order (all zero in the root cgroup).
    pub cgroups: Vec<CgroupSample>,
}

/// One workload's cgroup in one second: what `cpu.stat` and `cpu.pressure` add up.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CgroupSample {
    pub user_ns: f64,
    pub system_ns: f64,
    /// Bandwidth periods that elapsed with the group active, and those it was throttled in.
    pub periods: f64,
    pub throttled_periods: f64,
    /// Throttled time summed over the CPUs whose run queues were throttled, ns.
    pub throttled_ns: f64,
    /// Shares of the second (0..=1) in which some / all of the group's threads waited for a
    /// CPU (throttled or queued).
    pub pressure_some: f64,
    pub pressure_full: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThreadSample {
    /// Index into `BoxInfo::tasks` (and `Sample::tasks`) of the thread's process.
    pub task: usize,
    /// Thread id; the main thread's equals the process's pid.
    pub tid: u32,
    pub user_ns: Nanos,
    pub system_ns: Nanos,
    /// Runnable but waiting for a CPU: each wait counted when it ends, as schedstat counts
    /// it, and scaled from the window with the rest, so one thread's can pass the second
    /// (a wait that began before a short window and ended in it). Sums over threads (pressure,
    /// `perf sched`) take it as it is; a thread's own line reads [`Self::schedstat_wait_ns`].
    pub wait_ns: Nanos,
    /// Longest single run-queue wait that ended in the second, and where in the second it
    /// ended (ns after the second's start).
    pub wait_max_ns: Nanos,
    pub wait_max_end_ns: Nanos,
    /// Times the thread was put on a CPU.
    pub dispatches: u64,
    /// Times it was put on a different CPU than it last ran on.
    pub migrations: u64,
    pub voluntary_cs: u64,
    pub involuntary_cs: u64,
    /// State at the end of the second.
    pub state: ThreadState,
    /// For a thread asleep on a lock: how it waits and what it holds meanwhile.
    pub lock_wait: LockWait,
    /// CPU the thread last ran on.
    pub cpu: u32,
    /// System calls in the second, by call (a boxed slice: one exact allocation per thread and
    /// second, as a trace holds every thread's every second).
    pub syscalls: Box<[SyscallSample]>,
}

impl ThreadSample {
    /// The wait the thread's `/proc/PID/task/TID/schedstat` adds in the second: no more than
    /// the second itself, however much of a longer wait ended in it.
    pub fn schedstat_wait_ns(&self) -> Nanos {
        self.wait_ns.min(NANOS_PER_SECOND)
    }
}

/// One second, the span every sample covers.
pub const NANOS_PER_SECOND: Nanos = 1_000_000_000;

/// A thread's scheduler state as `ps` shows it, with what a sleeper waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    Running,
    Runnable,
    /// Spinning on a kernel lock with preemption off: `R`, with no sleeping stack.
    Spinning,
    /// `S`: an interruptible sleep.
    Sleeping(WaitFor),
    /// `D`: an uninterruptible sleep.
    DiskSleep(WaitFor),
}

/// How a thread asleep on a lock waits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LockWait {
    /// For the read side (an rw_semaphore's `down_read`), not to write.
    pub read: bool,
    /// The lock (index into `BoxInfo::locks`) it holds while it waits: the outer lock of a
    /// nested section. Its stack shows the code that took it below the waiting one.
    pub holding: Option<usize>,
}

/// What a sleeping thread waits for; decides its wait channel and kernel stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitFor {
    /// A lock (index into `BoxInfo::locks`): a futex for user-space locks, the kernel lock's
    /// slow path for kernel ones.
    Lock(usize),
    /// A synchronous disk read.
    DiskRead,
    /// The flush of a synchronous write, until the device completes it.
    SyncWrite(crate::domain::SyncKind),
    /// A page coming back from swap (major fault).
    SwapIn,
    /// A pool worker with no request to serve (condition variable).
    NoRequest,
    /// A worker waiting for its client's next request on a socket.
    Client,
    /// A kernel thread with nothing to do (`kswapd0`, `ksoftirqd/N`).
    KernelIdle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Syscall {
    Futex,
    EpollWait,
    Pread64,
    Read,
    Write,
    Fdatasync,
    Fsync,
}

impl Syscall {
    pub fn name(self) -> &'static str {
        match self {
            Syscall::Futex => "futex",
            Syscall::EpollWait => "epoll_wait",
            Syscall::Pread64 => "pread64",
            Syscall::Read => "read",
            Syscall::Write => "write",
            Syscall::Fdatasync => "fdatasync",
            Syscall::Fsync => "fsync",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyscallSample {
    pub call: Syscall,
    pub calls: u64,
    /// Calls that failed (`futex` waits that found the lock already handed over: `EAGAIN`).
    pub errors: u64,
    /// Time from entry to exit, asleep included (`perf trace`, `strace -w`).
    pub wall_ns: Nanos,
    /// System CPU time inside the call (`strace -c`).
    pub system_ns: Nanos,
    /// Mean, shortest and longest single call, and the standard deviation of one call's wall
    /// time, over the calls that ended in the second, each counted whole (`perf trace -s`).
    pub wall_mean_ns: f64,
    pub wall_min_ns: Nanos,
    pub wall_max_ns: Nanos,
    pub wall_sd_ns: f64,
}

/// Interrupts taken by one CPU in the second, by source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CpuIrqs {
    /// Local timer (`LOC`).
    pub timer: u64,
    /// NIC receive queues whose interrupts this CPU takes.
    pub nic: u64,
    /// Rescheduling and function-call IPIs and other housekeeping (`RES`, `CAL`).
    pub ipi: u64,
    /// Disk IOs completed on this CPU, the one that issued them (`BLOCK` softirqs; not
    /// interrupts of their own, so not in `total`).
    pub block: u64,
}

impl CpuIrqs {
    pub fn total(&self) -> u64 {
        self.timer + self.nic + self.ipi
    }
}

/// Shares of the second (0..=1) in which some / all non-idle tasks were stalled on a resource,
/// as Linux pressure stall information counts them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Pressure {
    pub cpu_some: f64,
    pub memory_some: f64,
    pub memory_full: f64,
    pub io_some: f64,
    pub io_full: f64,
}
