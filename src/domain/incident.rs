//! An incident: a machine, the workloads running on it, the locks they share, the faults
//! composed into it, and the ranges a seed may pick a variant from.
//!
//! Every time is in microseconds (`_us`) unless the name says otherwise, every size in MiB or
//! KiB as named. Validation (`content::validate`) guarantees the invariants documented on each
//! field, so the model may rely on them without re-checking.

use super::IncidentId;
use super::numa::{NumaTopology, Placement};

#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub id: IncidentId,
    pub title: String,
    /// What the operators see, in prose; shown by `sysdrill show --describe` and to coaches.
    pub narrative: String,
    /// Seed used when neither the drill, the command line nor a transcript gives one.
    pub default_seed: u64,
    pub machine: Machine,
    /// At least one; the first is the service whose latency and throughput the drill is about.
    pub workloads: Vec<Workload>,
    pub locks: Vec<LockSpec>,
    pub faults: Vec<Fault>,
    pub variants: Variants,
    pub costs: Costs,
    /// Stable hash of the source text; recorded in transcripts.
    pub content_hash: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    pub hostname: String,
    /// `uname -r`, e.g. `6.8.0-45-generic`.
    pub kernel: String,
    /// 1..=1024.
    pub cpus: u32,
    /// Timer ticks per second per busy CPU: 100, 250, 300 or 1000.
    pub hz: u32,
    pub memory_mib: u64,
    pub swap_mib: u64,
    /// A guest: perf samples `cpu-clock:pppH`, idle shows as `pv_native_safe_halt`.
    pub virtualized: bool,
    /// Seconds since boot when the drill starts.
    pub uptime_s: u64,
    /// Time of day when the drill starts, seconds after midnight (rendered HH:MM:SS).
    pub clock_s: u32,
    /// Date printed in sysstat banners, e.g. `03/14/25`.
    pub date: String,
    pub disks: Vec<Disk>,
    pub nics: Vec<Nic>,
    /// NUMA nodes; `None` is one node with every CPU and all memory.
    pub numa: Option<NumaTopology>,
    /// A kernel built with lock debugging (`CONFIG_PROVE_LOCKING`): lockdep reports the first
    /// acquisition that closes a cycle in the lock order, and the hung-task detector lists the
    /// locks each blocked task holds.
    pub lockdep: bool,
}

impl Machine {
    /// Its NUMA nodes: one for a machine without a topology.
    pub fn node_count(&self) -> usize {
        self.numa.as_ref().map_or(1, |t| t.nodes.len())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Disk {
    /// Device name as iostat prints it, e.g. `nvme0n1`, `sda`.
    pub name: String,
    /// Mean device service time of one IO, in microseconds (> 0).
    pub service_us: f64,
    /// How many IOs the device serves at once (M/M/c servers), >= 1.
    pub parallelism: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Nic {
    pub name: String,
    /// Receive queues; packets are spread over them by RSS hash.
    pub rx_queues: u32,
    /// CPUs that take the queues' interrupts (and so their softirq work). Non-empty; each < cpus.
    pub irq_cpus: Vec<u32>,
    /// Packets per interrupt that NAPI coalesces at high rates (>= 1).
    pub coalesce: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Process name (comm), at most 15 characters.
    pub name: String,
    pub pid: u32,
    pub user: String,
    pub uid: u32,
    /// Worker threads, 1..=100_000.
    pub threads: u32,
    pub arrivals: Arrivals,
    /// What a request costs; the requests no entry of `paths` takes take this one.
    pub request: RequestProfile,
    /// The request mix: variants of the request a share of requests take instead (a cache
    /// miss, a cold path), each drawn per request. Fractions in (0, 1], summing to at most 1.
    pub paths: Vec<RequestPath>,
    /// Resident anonymous memory of the process, MiB.
    pub rss_mib: u64,
    /// Page cache the workload's files would like to keep, MiB.
    pub file_cache_mib: u64,
    /// Symbol of the application's own hot function, e.g. `process_request`.
    pub app_symbol: String,
    /// The cgroup v2 the process runs in, with its CPU bandwidth limit; `None`: the root.
    pub cgroup: Option<Cgroup>,
    /// Open arrivals only: the rate from a drill second on, in increasing `at_s` (a load step
    /// or a deploy). Before the first step, and since boot, `arrivals` holds.
    pub load_steps: Vec<LoadStep>,
    /// CPUs and memory nodes it may use (default: every CPU, memory local to its threads).
    pub placement: Placement,
    /// New builds shipped at drill seconds, in increasing `at_s`: another pool size or another
    /// compute per request from then on. Before the first, and since boot, the workload runs
    /// as written.
    pub deploys: Vec<Deploy>,
}

/// From drill second `at_s` on, the workload runs a new build. At least one change is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deploy {
    pub at_s: u32,
    /// Worker threads from then on, 1..=100_000.
    pub threads: Option<u32>,
    /// User-mode CPU per request of the request as written (not its paths), microseconds.
    pub compute_us: Option<f64>,
}

/// A variant of a workload's request that a share of its requests take.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPath {
    /// Unique among the workload's paths, e.g. `cache_miss`.
    pub name: String,
    /// Share of requests that take this path: in (0, 1] as written; `try` may set 0 (never).
    pub fraction: f64,
    /// The path's own hot function, where its compute shows in perf.
    pub app_symbol: String,
    /// The whole request as this path runs it (the keys the path leaves out are the base
    /// request's).
    pub request: RequestProfile,
}

impl Workload {
    /// Every way a request may go, with its share: the base request first (whatever share the
    /// paths leave), then each path.
    pub fn request_mix(&self) -> impl Iterator<Item = (f64, &str, &RequestProfile)> {
        let taken: f64 = self.paths.iter().map(|p| p.fraction).sum();
        std::iter::once((
            (1.0 - taken).max(0.0),
            self.app_symbol.as_str(),
            &self.request,
        ))
        .chain(
            self.paths
                .iter()
                .map(|p| (p.fraction, p.app_symbol.as_str(), &p.request)),
        )
    }

    /// Every request profile the workload runs, mutably (the base request, then each path's).
    pub fn requests_mut(&mut self) -> impl Iterator<Item = &mut RequestProfile> {
        std::iter::once(&mut self.request).chain(self.paths.iter_mut().map(|p| &mut p.request))
    }
}

/// From drill second `at_s` on, requests arrive at `rate_per_s`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadStep {
    pub at_s: u32,
    pub rate_per_s: f64,
}

/// The kernel's bounds on `cpu.max`: a period of 1 ms to 1 s, a quota of at least 1 ms (the
/// upper quota bound is far above any box's CPUs × period and keeps quota arithmetic in
/// nanoseconds far from overflow).
pub const MIN_PERIOD_US: u64 = 1_000;
pub const MAX_PERIOD_US: u64 = 1_000_000;
pub const DEFAULT_PERIOD_US: u64 = 100_000;
pub const MIN_QUOTA_US: u64 = 1_000;
pub const MAX_QUOTA_US: u64 = 1_000_000_000;

/// A cgroup v2 under `/sys/fs/cgroup` and its `cpu.max`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cgroup {
    /// Relative path, e.g. `system.slice/ledger.service`.
    pub path: String,
    /// CPU time the cgroup's threads may use per period across all CPUs, microseconds;
    /// `None` is `max` (no limit).
    pub quota_us: Option<u64>,
    /// Length of one bandwidth period, microseconds.
    pub period_us: u64,
}

impl Cgroup {
    /// The systemd unit the path names (its last component), e.g. `ledger.service`.
    pub fn unit(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arrivals {
    /// Each thread loops: think, then issue a request (a closed system of `threads` users).
    Closed { think_us: f64 },
    /// Poisson arrivals at `rate_per_s` into a queue served by the worker threads.
    Open { rate_per_s: f64 },
    /// `clients` users each loop (think, then issue a request) into a queue served by the
    /// worker threads: a closed system whose offered load does not depend on the pool's size.
    /// Not written in incident files: `try threads=N` turns a `Closed` workload into this, so
    /// changing the pool keeps the users it serves.
    Pool { clients: u32, think_us: f64 },
}

/// How a time parameter is drawn for each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Distribution {
    #[default]
    Exponential,
    Deterministic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestProfile {
    /// User-mode CPU per request, microseconds (>= 0).
    pub compute_us: f64,
    pub distribution: Distribution,
    /// Plain system calls per request (each costs `costs.syscall_us` of system CPU).
    pub syscalls: u32,
    /// Critical sections taken, in this order, once per request each.
    pub critical_sections: Vec<CriticalSection>,
    /// Pages allocated (and later freed) per request.
    pub page_allocs: u32,
    pub disk_io: Option<DiskIo>,
    /// Network packets received per request.
    pub packets: u32,
    /// Other threads woken per request (hand-offs, condition variables): each takes a run-queue lock.
    pub wakeups: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CriticalSection {
    /// Index into `Incident::locks`.
    pub lock: usize,
    /// Mean hold time, microseconds (> 0).
    pub hold_us: f64,
    /// For rwlocks and seqlocks: the fraction of acquisitions that write (0..=1).
    pub write_fraction: f64,
    /// A synchronous write the section ends with (`write` + `fdatasync`): the thread sleeps in
    /// D state until the device completes it, holding the lock unless `under_lock` is false.
    /// Only on locks whose holders may sleep (validation refuses spinning kinds).
    pub io: Option<SyncWrite>,
    /// Sections taken, in this order, while this section's lock is held (after its own
    /// `hold_us` of work): the lock is released only once they are done, so its hold time
    /// includes their waits and holds. Each pair (this lock, an inner lock) is an edge of the
    /// incident's lock order.
    pub nested: Vec<NestedSection>,
}

/// A critical section taken inside another, one level deep.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedSection {
    /// Index into `Incident::locks`; differs from the outer section's lock.
    pub lock: usize,
    /// Mean hold time, microseconds (> 0).
    pub hold_us: f64,
    /// For rwlocks and rw_semaphores: the fraction of acquisitions that write (0..=1).
    pub write_fraction: f64,
    /// The fraction of requests (0..=1) whose code path takes the pair the other way round:
    /// this lock first, then the outer one inside it. Above 0 the two paths form an ABBA
    /// cycle, which validation accepts only with a `deadlock` fault naming both locks.
    pub reverse_fraction: f64,
}

/// A `write` into the page cache followed by a flush that waits for the device.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyncWrite {
    pub kind: SyncKind,
    /// Bytes written per request, KiB (1..=65536); one device write carries them.
    pub kib: u32,
    /// Index into `Machine::disks`.
    pub disk: usize,
    /// Whether the lock stays held while the thread waits for the device (the bug), or is
    /// released before the flush (the fix).
    pub under_lock: bool,
}

/// Which flush call, and so where the waiting thread sleeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    /// `fdatasync(2)`: waits for the data's writeback (`file_write_and_wait_range`).
    Fdatasync,
    /// `fsync(2)`: waits for the journal commit that carries the data (`jbd2_log_wait_commit`).
    Fsync,
}

impl SyncKind {
    /// The system call's name, as strace and the YAML write it.
    pub fn syscall(self) -> &'static str {
        match self {
            SyncKind::Fdatasync => "fdatasync",
            SyncKind::Fsync => "fsync",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiskIo {
    /// Index into `Machine::disks`.
    pub disk: usize,
    pub reads: u32,
    pub writes: u32,
    /// Size of each IO, KiB.
    pub kib: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockKind {
    /// Waiters spin on the CPU (kernel spinlock: system time, `native_queued_spin_lock_slowpath`).
    Spinlock,
    /// Waiters sleep in the kernel (pthread mutex over futex): context switches, idle CPU.
    Mutex,
    /// Readers share, writers exclude; readers bounce the lock word's cache line. In the
    /// kernel its waiters spin (`rwlock_t`); in user space they sleep (`pthread_rwlock_t`).
    RwLock,
    /// Readers share, writers exclude, and every waiter sleeps in D state: the kernel's
    /// `rw_semaphore` (`i_data_sem`, `mmap_lock`).
    RwSem,
    /// Readers never wait; writers wait for a grace period before freeing.
    Rcu,
    /// Readers retry when a writer intervened; writers never wait for readers.
    Seqlock,
    /// Counting semaphore with `permits` holders at once; waiters sleep.
    Semaphore,
}

/// Whose lock it is: decides where its waiting shows (kernel spin symbols vs user futex path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockScope {
    Kernel,
    User,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LockSpec {
    /// Id used by critical sections and drills.
    pub id: String,
    /// A kernel lock's class name as lock_stat and perf lock print it, e.g. `&zone->lock`; a
    /// user-space lock's name in the program (the kernel's lock tools never see it; they see
    /// its futex calls as the futex hash bucket lock, `model::futex_bucket`).
    pub class_name: String,
    pub kind: LockKind,
    pub scope: LockScope,
    /// A kernel lock's `perf lock contention` caller, e.g. `rmqueue_bulk+0x51`; for a user-space
    /// lock the application function that takes it.
    pub caller: String,
    /// Semaphore permits (1 for every other kind).
    pub permits: u32,
    /// Independent shards the data is split over (1 = one lock); requests pick one uniformly.
    pub shards: u32,
    /// Extra hold time per waiter from cache-line transfers, nanoseconds (0 = none). Gives the
    /// retrograde, USL-shaped throughput curve.
    pub bounce_ns: f64,
    /// Also taken by an interrupt handler; such a lock is per CPU (each CPU's handler and the
    /// process context running on that CPU share that CPU's instance, as a driver's per-queue
    /// lock does), so `shards` is 1.
    pub interrupt: Option<InterruptUse>,
}

/// A kernel spinlock shared between process context and an interrupt handler.
#[derive(Debug, Clone, PartialEq)]
pub struct InterruptUse {
    pub context: IrqContext,
    /// The handler frame that takes the lock, `sym+0xoff` (e.g. `mlx5e_poll_tx_cq+0x1c2`).
    pub handler: String,
    /// How the process-context side takes the lock.
    pub process_acquire: SpinAcquire,
}

/// Which interrupt context the handler runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IrqContext {
    /// The device's interrupt handler itself, with interrupts off on its CPU.
    HardIrq,
    /// A softirq (NAPI poll): it runs on the way out of a hard interrupt, over whatever the
    /// CPU was doing, with interrupts on.
    SoftIrq,
}

/// The spin_lock variant process context uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpinAcquire {
    /// `spin_lock`: interrupts and softirqs stay enabled while the lock is held.
    Plain,
    /// `spin_lock_bh`: softirqs are held off until the unlock; hard interrupts are not.
    Bh,
    /// `spin_lock_irqsave`: interrupts are off on the CPU until the unlock.
    IrqSave,
}

impl SpinAcquire {
    /// The kernel entry point process context calls, as stacks print it.
    pub fn entry_symbol(self) -> &'static str {
        match self {
            Self::Plain => "_raw_spin_lock",
            Self::Bh => "_raw_spin_lock_bh",
            Self::IrqSave => "_raw_spin_lock_irqsave",
        }
    }
}

impl InterruptUse {
    /// Whether the handler can interrupt process context while it holds the lock on the same
    /// CPU, and so spin forever on a lock its own CPU will never release: only an acquisition
    /// that masks the handler's context (irqsave for both, `_bh` for a softirq) rules it out.
    pub fn same_cpu_deadlock_possible(&self) -> bool {
        match (self.context, self.process_acquire) {
            (_, SpinAcquire::IrqSave) => false,
            (IrqContext::SoftIrq, SpinAcquire::Bh) => false,
            (IrqContext::HardIrq, SpinAcquire::Bh) | (_, SpinAcquire::Plain) => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// The ABBA cycle between `first` and `second` that the workloads' nesting forms (one path
    /// takes `first` then `second` inside it, the other the reverse) is allowed to deadlock.
    /// With `after_s` (seconds since boot, possibly before the drill starts) the reversed path
    /// first runs then and the two paths collide at once; without it the reversed path runs
    /// from the start and the deadlock forms whenever their timing collides. Either way every
    /// thread needing either lock then blocks behind the two (hung tasks).
    /// `first == second` is the same-CPU deadlock of a lock shared with an interrupt handler
    /// and taken without masking it: from `after_s` (else from the start) on, the first
    /// interrupt that finds its CPU holding the lock spins on it forever.
    Deadlock {
        first: usize,
        second: usize,
        after_s: Option<u32>,
    },
    /// Requests retry an optimistic step that conflicts: each attempt costs `attempt_us` and
    /// succeeds with `success_probability`; no lock is held while retrying.
    Livelock {
        /// Index into `Incident::workloads` of the workload whose requests retry.
        workload: usize,
        attempt_us: f64,
        success_probability: f64,
    },
    /// Anonymous memory beyond what fits: the box reclaims, and swaps when `swap` is set.
    MemoryPressure {
        /// Free memory the box settles at, MiB (below the low watermark triggers reclaim).
        free_mib: u64,
        /// Fraction of page allocations that fall into direct reclaim (0..=1).
        direct_reclaim_fraction: f64,
        /// Cost of one direct reclaim, microseconds.
        reclaim_us: f64,
        /// Fraction of requests that fault a swapped-out page back in (0..=1).
        major_fault_fraction: f64,
        /// Reclaim comes in bursts every this many seconds (0 = steady).
        burst_every_s: u32,
    },
    /// A noisy neighbour on the same host: `steal_pct` of each CPU's time goes to the hypervisor.
    NoisyNeighbor { steal_pct: f64, burst_every_s: u32 },
    /// A device whose service time jumps by `factor` (> 1) for a quarter of every `every_s`
    /// seconds (at least one second), at a phase each seed picks: firmware housekeeping, a
    /// garbage-collecting SSD, a throttled cloud volume.
    DiskLatencySpikes {
        /// Index into `Machine::disks`.
        disk: usize,
        factor: f64,
        every_s: u32,
    },
}

/// Ranges a seed picks from; `None` keeps the base value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Variants {
    /// Index into `Incident::workloads` of the workload `threads` and `rate_per_s` change.
    pub workload: usize,
    pub cpus: Option<(u32, u32)>,
    pub threads: Option<(u32, u32)>,
    /// Open-arrival rate range, requests/s.
    pub rate_per_s: Option<(f64, f64)>,
    /// Scales every critical-section hold time by a factor in this range.
    pub hold_scale: Option<(f64, f64)>,
}

/// Kernel cost constants (MODEL.md section 2). Tests zero them to compare with pure queueing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Costs {
    pub syscall_us: f64,
    pub context_switch_us: f64,
    /// Wall-clock delay between a futex wake and the woken thread running.
    pub wakeup_latency_us: f64,
    pub lock_uncontended_us: f64,
    pub timer_tick_us: f64,
    pub softirq_per_packet_us: f64,
    pub page_alloc_us: f64,
    pub page_fault_us: f64,
    /// Scheduler time slice before an involuntary preemption.
    pub timeslice_us: f64,
}

impl Default for Costs {
    fn default() -> Self {
        Self {
            syscall_us: 0.1,
            context_switch_us: 1.5,
            wakeup_latency_us: 3.0,
            lock_uncontended_us: 0.025,
            timer_tick_us: 1.0,
            softirq_per_packet_us: 1.2,
            page_alloc_us: 0.25,
            page_fault_us: 0.8,
            timeslice_us: 3000.0,
        }
    }
}

impl Costs {
    /// Every kernel cost zero: the model reduces to pure queueing (for the MVA and M/M/c oracles).
    pub fn zero() -> Self {
        Self {
            syscall_us: 0.0,
            context_switch_us: 0.0,
            wakeup_latency_us: 0.0,
            lock_uncontended_us: 0.0,
            timer_tick_us: 0.0,
            softirq_per_packet_us: 0.0,
            page_alloc_us: 0.0,
            page_fault_us: 0.0,
            timeslice_us: f64::INFINITY,
        }
    }
}

impl Incident {
    pub fn lock_index(&self, id: &str) -> Option<usize> {
        self.locks.iter().position(|lock| lock.id == id)
    }
}
