//! Raw incident: the YAML shape of `incidents/*.yaml`, field for field as docs/FORMATS.md gives
//! it. Lock and disk references are names here; `validate` resolves them to indices. No checks
//! beyond types live here.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{default_one_f64, default_one_u32};

/// An incident: a simulated machine, the workloads on it, the locks they share and the faults
/// composed into it. The file stem is the incident id.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an incident (a mapping of keys)")]
#[schemars(title = "sysdrill incident")]
#[schemars(rename = "Incident")]
pub struct RawIncident {
    /// Version of this file format; this sysdrill reads version 1.
    pub format_version: u32,
    /// One line, shown in listings.
    pub title: String,
    /// What the operators see, in prose; shown to coaches and by `sysdrill show --describe`.
    pub narrative: String,
    /// Seed used when neither the drill, the command line nor a transcript gives one (default 1).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The simulated box.
    pub machine: RawMachine,
    /// The processes on the box; the first is the service the drill is about. At least one.
    pub workloads: Vec<RawWorkload>,
    /// Locks the workloads' critical sections take (default: none).
    #[serde(default)]
    pub locks: Vec<RawLock>,
    /// Faults composed into the machine, any number (default: none).
    #[serde(default)]
    pub faults: Vec<RawFault>,
    /// Ranges a seed picks variant values from; the cause stays the same (default: none).
    #[serde(default)]
    pub variants: RawVariants,
    /// Overrides of the kernel cost constants (MODEL.md); unset ones keep their defaults.
    #[serde(default)]
    pub costs: RawCosts,
}

fn default_seed() -> u64 {
    1
}

/// The simulated box.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a machine (a mapping of keys)")]
#[schemars(rename = "Machine")]
pub struct RawMachine {
    /// Host name shown in prompts and tool banners, e.g. `app01`.
    pub hostname: String,
    /// `uname -r`, e.g. `6.8.0-45-generic`.
    pub kernel: String,
    /// Online CPUs, 1..=1024.
    pub cpus: u32,
    /// Timer ticks per second per busy CPU: 100, 250, 300 or 1000.
    pub hz: u32,
    /// Physical memory, MiB (1..=16777216, i.e. up to 16 TiB).
    pub memory_mib: u64,
    /// Swap space, MiB (default 0).
    #[serde(default)]
    pub swap_mib: u64,
    /// A guest: perf samples `cpu-clock`, idle shows as `pv_native_safe_halt` (default false).
    #[serde(default)]
    pub virtualized: bool,
    /// Seconds since boot when the drill starts.
    pub uptime_s: u64,
    /// Time of day when the drill starts, `HH:MM:SS` (24-hour clock).
    pub clock: String,
    /// Date printed in sysstat banners, e.g. `03/14/25`.
    pub date: String,
    /// Block devices (default: none).
    #[serde(default)]
    pub disks: Vec<RawDisk>,
    /// Network interfaces (default: none).
    #[serde(default)]
    pub nics: Vec<RawNic>,
}

/// A block device.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a disk (a mapping of keys)")]
#[schemars(rename = "Disk")]
pub struct RawDisk {
    /// Device name as iostat prints it, e.g. `nvme0n1`, `sda`; unique on the machine.
    pub name: String,
    /// Mean service time of one IO, microseconds (> 0).
    pub service_us: f64,
    /// How many IOs the device serves at once, 1..=4096.
    pub parallelism: u32,
}

/// A network interface.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a nic (a mapping of keys)")]
#[schemars(rename = "Nic")]
pub struct RawNic {
    /// Interface name, e.g. `eth0`.
    pub name: String,
    /// Receive queues; packets are spread over them by RSS hash (1..=1024).
    pub rx_queues: u32,
    /// CPUs that take the queues' interrupts; non-empty, each below `machine.cpus`.
    pub irq_cpus: Vec<u32>,
    /// Packets per interrupt that NAPI coalesces under load (default 1, at most 1024).
    #[serde(default = "default_one_u32")]
    pub coalesce: u32,
}

/// A process on the box.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a workload (a mapping of keys)")]
#[schemars(rename = "Workload")]
pub struct RawWorkload {
    /// Process name (comm), at most 15 characters.
    pub name: String,
    /// Process id, 1..=4194304 (the kernel's pid_max limit); unique on the machine.
    pub pid: u32,
    /// User name the process runs as.
    pub user: String,
    /// User id the process runs as.
    pub uid: u32,
    /// Worker threads, 1..=100000.
    pub threads: u32,
    /// How requests arrive: `closed: {think_us: N}` or `open: {rate_per_s: N}`.
    pub arrivals: RawArrivals,
    /// Resident anonymous memory of the process, MiB.
    pub rss_mib: u64,
    /// Page cache the workload's files would like to keep, MiB.
    pub file_cache_mib: u64,
    /// Symbol of the application's own hot function, e.g. `process_request`.
    pub app_symbol: String,
    /// What one request costs.
    pub request: RawRequest,
}

/// How requests arrive.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    rename_all = "snake_case",
    expecting = "arrivals: `closed: {think_us: N}` or `open: {rate_per_s: N}`"
)]
#[schemars(rename = "Arrivals")]
pub enum RawArrivals {
    /// Each thread loops: think, then issue one request (a closed system of `threads` users).
    Closed {
        /// Think time between requests, microseconds (>= 0).
        think_us: f64,
    },
    /// Poisson arrivals into a queue served by the worker threads.
    Open {
        /// Mean arrival rate, requests per second (> 0).
        rate_per_s: f64,
    },
}

/// How a time parameter is drawn for each request.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Distribution")]
pub enum RawDistribution {
    /// Exponentially distributed around the mean.
    #[default]
    Exponential,
    /// Always exactly the mean.
    Deterministic,
}

/// What one request costs.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a request profile (a mapping of keys)"
)]
#[schemars(rename = "Request")]
pub struct RawRequest {
    /// User-mode CPU per request, microseconds (>= 0).
    pub compute_us: f64,
    /// How compute and hold times are drawn (default `exponential`).
    #[serde(default)]
    pub distribution: RawDistribution,
    /// Plain system calls per request (default 0).
    #[serde(default)]
    pub syscalls: u32,
    /// Critical sections taken, in this order, once per request each (default: none).
    #[serde(default)]
    pub critical_sections: Vec<RawCriticalSection>,
    /// Pages allocated (and later freed) per request (default 0).
    #[serde(default)]
    pub page_allocs: u32,
    /// Disk IO issued per request (default: none).
    #[serde(default)]
    pub disk_io: Option<RawDiskIo>,
    /// Network packets received per request (default 0).
    #[serde(default)]
    pub packets: u32,
    /// Other threads woken per request (hand-offs, condition variables) (default 0).
    #[serde(default)]
    pub wakeups: u32,
}

/// One critical section of a request.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a critical section (a mapping of keys)"
)]
#[schemars(rename = "CriticalSection")]
pub struct RawCriticalSection {
    /// Id of a lock under `locks`.
    pub lock: String,
    /// Mean hold time, microseconds (> 0).
    pub hold_us: f64,
    /// For rwlocks and seqlocks: the share of acquisitions that write, 0..=1 (default 1).
    #[serde(default = "default_one_f64")]
    pub write_fraction: f64,
}

/// Disk IO issued per request.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "disk io (a mapping of keys)")]
#[schemars(rename = "DiskIo")]
pub struct RawDiskIo {
    /// Name of a disk under `machine.disks`.
    pub disk: String,
    /// Reads per request (default 0).
    #[serde(default)]
    pub reads: u32,
    /// Writes per request (default 0).
    #[serde(default)]
    pub writes: u32,
    /// Size of each IO, KiB (1..=65536).
    pub kib: u32,
}

/// A lock the workloads share.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a lock (a mapping of keys)")]
#[schemars(rename = "Lock")]
pub struct RawLock {
    /// Id used by critical sections, faults and drills; unique in the incident.
    pub id: String,
    /// Class name as lock_stat and perf lock print it, e.g. `&hb->lock`.
    pub class_name: String,
    /// What kind of lock it is.
    pub kind: RawLockKind,
    /// Whose lock it is: `kernel` (spin symbols) or `user` (futex path) (default `kernel`).
    #[serde(default)]
    pub scope: RawLockScope,
    /// `perf lock contention` caller column, e.g. `futex_wake+0x15a`.
    pub caller: String,
    /// Semaphore permits (default 1; must be 1 for every other kind).
    #[serde(default = "default_one_u32")]
    pub permits: u32,
    /// Independent shards the data is split over (default 1 = one lock).
    #[serde(default = "default_one_u32")]
    pub shards: u32,
    /// Extra hold per waiter from cache-line transfers, nanoseconds (default 0).
    #[serde(default)]
    pub bounce_ns: f64,
}

/// What kind of lock it is.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "LockKind")]
pub enum RawLockKind {
    /// Waiters spin on the CPU.
    Spinlock,
    /// Waiters sleep in the kernel (pthread mutex over futex).
    Mutex,
    /// Readers share, writers exclude; waiters spin in the kernel (`rwlock_t`).
    Rwlock,
    /// Readers share, writers exclude; waiters sleep (the kernel's `rw_semaphore`).
    Rwsem,
    /// Readers never wait; writers wait for a grace period.
    Rcu,
    /// Readers retry when a writer intervened.
    Seqlock,
    /// Counting semaphore with `permits` holders at once.
    Semaphore,
}

/// Whose lock it is.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "LockScope")]
pub enum RawLockScope {
    /// A kernel lock: waiting shows as kernel spin or sleep symbols.
    #[default]
    Kernel,
    /// A user-space lock: waiting shows on the futex path.
    User,
}

/// A fault composed into the machine, written as a single-key map.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    rename_all = "snake_case",
    expecting = "a fault: `deadlock`, `livelock`, `memory_pressure` or `noisy_neighbor`"
)]
#[schemars(rename = "Fault")]
pub enum RawFault {
    /// Two threads take `first` and `second` in opposite orders and deadlock after `after_s`.
    Deadlock {
        /// Id of the lock one thread takes first.
        first: String,
        /// Id of the lock the other thread takes first; differs from `first`.
        second: String,
        /// Seconds into the run when the deadlock happens.
        after_s: u32,
    },
    /// Requests retry an optimistic step that conflicts.
    Livelock {
        /// Cost of one attempt, microseconds (> 0).
        attempt_us: f64,
        /// Chance that one attempt succeeds, in (0, 1].
        success_probability: f64,
    },
    /// Anonymous memory beyond what fits: the box reclaims, and swaps when there is swap.
    MemoryPressure {
        /// Free memory the box settles at, MiB.
        free_mib: u64,
        /// Share of page allocations that fall into direct reclaim, 0..=1.
        direct_reclaim_fraction: f64,
        /// Cost of one direct reclaim, microseconds (>= 0).
        reclaim_us: f64,
        /// Share of requests that fault a swapped-out page back in, 0..=1.
        major_fault_fraction: f64,
        /// Reclaim comes in bursts every this many seconds (default 0 = steady).
        #[serde(default)]
        burst_every_s: u32,
    },
    /// A noisy neighbour on the same host steals CPU time.
    NoisyNeighbor {
        /// Percent of each CPU's time that goes to the hypervisor, 0..=100.
        steal_pct: f64,
        /// Steal comes in bursts every this many seconds (default 0 = steady).
        #[serde(default)]
        burst_every_s: u32,
    },
}

/// Ranges `[low, high]` a seed picks from; unset ones keep the base value.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "variants (a mapping of keys)")]
#[schemars(rename = "Variants")]
pub struct RawVariants {
    /// Range of `machine.cpus`.
    #[serde(default)]
    pub cpus: Option<(u32, u32)>,
    /// Range of the first workload's `threads`.
    #[serde(default)]
    pub threads: Option<(u32, u32)>,
    /// Range of the open-arrival rate, requests per second.
    #[serde(default)]
    pub rate_per_s: Option<(f64, f64)>,
    /// Range of a factor every critical-section hold time is scaled by.
    #[serde(default)]
    pub hold_scale: Option<(f64, f64)>,
}

/// Kernel cost constants, microseconds; unset ones keep their defaults (MODEL.md section 2).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "costs (a mapping of keys)")]
#[schemars(rename = "Costs")]
pub struct RawCosts {
    /// One plain system call (default 0.1).
    #[serde(default)]
    pub syscall_us: Option<f64>,
    /// One context switch (default 1.5).
    #[serde(default)]
    pub context_switch_us: Option<f64>,
    /// Delay between a futex wake and the woken thread running (default 3).
    #[serde(default)]
    pub wakeup_latency_us: Option<f64>,
    /// Taking an uncontended lock (default 0.025).
    #[serde(default)]
    pub lock_uncontended_us: Option<f64>,
    /// One timer tick on a busy CPU (default 1).
    #[serde(default)]
    pub timer_tick_us: Option<f64>,
    /// Softirq work per received packet (default 1.2).
    #[serde(default)]
    pub softirq_per_packet_us: Option<f64>,
    /// Allocating one page (default 0.25).
    #[serde(default)]
    pub page_alloc_us: Option<f64>,
    /// A minor page fault (default 0.8).
    #[serde(default)]
    pub page_fault_us: Option<f64>,
    /// Scheduler time slice before an involuntary preemption (default 3000).
    #[serde(default)]
    pub timeslice_us: Option<f64>,
}
