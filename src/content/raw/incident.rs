//! Raw incident: the YAML shape of `incidents/*.yaml`, field for field as docs/FORMATS.md gives
//! it. Lock and disk references are names here; `validate` resolves them to indices. No checks
//! beyond types live here.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{
    CLOCK_PATTERN, DATE_PATTERN, FORMAT_VERSION, ID_LIST_PATTERN, NOT_BLANK, default_one_f64,
    default_one_u32,
};
use crate::content::validate::cgroup::{CGROUP_PATH_PATTERN, MAX_CGROUP_PATH};
use crate::content::validate::load::MAX_STEP_S;
use crate::content::validate::mix::MAX_PATHS;
use crate::content::validate::{
    MAX_COMM, MAX_COUNT, MAX_CPUS, MAX_MIB, MAX_PID, MAX_RATE_PER_S, MAX_THREADS, MAX_TIME_US,
    MAX_UPTIME_S, TIMER_HZ,
};
use crate::domain::numa::MAX_NUMA_NODES;
use crate::domain::{DEFAULT_PERIOD_US, MAX_PERIOD_US, MAX_QUOTA_US, MIN_PERIOD_US, MIN_QUOTA_US};

/// An incident: a simulated machine, the workloads on it, the locks they share and the faults
/// composed into it. The file stem is the incident id.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an incident (a mapping of keys)")]
#[schemars(title = "sysdrill incident")]
#[schemars(rename = "Incident")]
pub struct RawIncident {
    /// Version of this file format; this sysdrill reads version 1.
    #[schemars(range(min = 1, max = FORMAT_VERSION))]
    pub format_version: u32,
    /// One line, shown in listings.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub title: String,
    /// What the operators see, in prose; shown to coaches and by `sysdrill show --describe`.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub narrative: String,
    /// Seed used when neither the drill, the command line nor a transcript gives one (default 1).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The simulated box.
    pub machine: RawMachine,
    /// The processes on the box; the first is the service the drill is about. At least one.
    #[schemars(length(min = 1))]
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
    /// Overrides of the kernel cost constants (docs/MODEL.md); unset ones keep their defaults.
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
    #[schemars(regex(pattern = r"^\S{1,64}$"))]
    pub hostname: String,
    /// `uname -r`, e.g. `6.8.0-45-generic`.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub kernel: String,
    /// Online CPUs, 1..=1024.
    #[schemars(range(min = 1, max = MAX_CPUS))]
    pub cpus: u32,
    /// Timer ticks per second per busy CPU: 100, 250, 300 or 1000.
    #[schemars(extend("enum" = TIMER_HZ))]
    pub hz: u32,
    /// Physical memory, MiB (1..=16777216, i.e. up to 16 TiB).
    #[schemars(range(min = 1, max = MAX_MIB))]
    pub memory_mib: u64,
    /// Swap space, MiB (default 0).
    #[schemars(range(max = MAX_MIB))]
    #[serde(default)]
    pub swap_mib: u64,
    /// A guest: perf samples `cpu-clock`, idle shows as `pv_native_safe_halt` (default false).
    #[serde(default)]
    pub virtualized: bool,
    /// Seconds since boot when the drill starts.
    #[schemars(range(max = MAX_UPTIME_S))]
    pub uptime_s: u64,
    /// Time of day when the drill starts, `HH:MM:SS` (24-hour clock).
    #[schemars(regex(pattern = CLOCK_PATTERN))]
    pub clock: String,
    /// Date printed in sysstat banners, e.g. `03/14/25`.
    #[schemars(regex(pattern = DATE_PATTERN))]
    pub date: String,
    /// Block devices (default: none).
    #[serde(default)]
    pub disks: Vec<RawDisk>,
    /// Network interfaces (default: none).
    #[serde(default)]
    pub nics: Vec<RawNic>,
    /// NUMA nodes, two or more (default: one node with every CPU and all memory).
    #[serde(default)]
    pub numa: Option<RawNuma>,
    /// A kernel built with lock debugging (`CONFIG_PROVE_LOCKING`): lockdep reports the first
    /// acquisition that closes a cycle in the lock order ("possible circular locking
    /// dependency detected"), and hung-task reports list the locks each blocked task holds
    /// (default false).
    #[serde(default)]
    pub lockdep: bool,
}

/// A block device.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a disk (a mapping of keys)")]
#[schemars(rename = "Disk")]
pub struct RawDisk {
    /// Device name as iostat prints it, e.g. `nvme0n1`, `sda`; unique on the machine.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub name: String,
    /// Mean service time of one IO, microseconds (> 0).
    #[schemars(extend("exclusiveMinimum" = 0), range(max = MAX_TIME_US))]
    pub service_us: f64,
    /// How many IOs the device serves at once, 1..=4096.
    #[schemars(range(min = 1, max = 4096))]
    pub parallelism: u32,
}

/// A network interface.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a nic (a mapping of keys)")]
#[schemars(rename = "Nic")]
pub struct RawNic {
    /// Interface name, e.g. `eth0`.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub name: String,
    /// Receive queues; packets are spread over them by RSS hash (1..=1024).
    #[schemars(range(min = 1, max = 1024))]
    pub rx_queues: u32,
    /// CPUs that take the queues' interrupts; non-empty, each below `machine.cpus`.
    #[schemars(length(min = 1))]
    pub irq_cpus: Vec<u32>,
    /// Packets per interrupt that NAPI coalesces under load (default 1, at most 1024).
    #[schemars(range(min = 1, max = 1024))]
    #[serde(default = "default_one_u32")]
    pub coalesce: u32,
}

/// A process on the box.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a workload (a mapping of keys)")]
#[schemars(rename = "Workload")]
pub struct RawWorkload {
    /// Process name (comm), at most 15 characters.
    #[schemars(regex(pattern = r"\S"), length(max = MAX_COMM))]
    pub name: String,
    /// Process id, 1..=4194304 (the kernel's pid_max limit); unique on the machine.
    #[schemars(range(min = 1, max = MAX_PID))]
    pub pid: u32,
    /// User name the process runs as.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub user: String,
    /// User id the process runs as.
    pub uid: u32,
    /// Worker threads, 1..=100000.
    #[schemars(range(min = 1, max = MAX_THREADS))]
    pub threads: u32,
    /// How requests arrive: `closed: {think_us: N}` or `open: {rate_per_s: N}`.
    pub arrivals: RawArrivals,
    /// Resident anonymous memory of the process, MiB.
    #[schemars(range(max = MAX_MIB))]
    pub rss_mib: u64,
    /// Page cache the workload's files would like to keep, MiB.
    #[schemars(range(max = MAX_MIB))]
    pub file_cache_mib: u64,
    /// Symbol of the application's own hot function, e.g. `process_request`.
    #[schemars(regex(pattern = r"^\S+$"))]
    pub app_symbol: String,
    /// What one request costs.
    pub request: RawRequest,
    /// The cgroup v2 the process runs in, with its CPU limit (default: the root cgroup, no
    /// limit).
    #[serde(default)]
    pub cgroup: Option<RawCgroup>,
    /// Open arrivals only: the arrival rate from a drill second on, a load step or a deploy
    /// (default: none). `at_s` strictly increasing.
    #[serde(default)]
    pub load_steps: Vec<RawLoadStep>,
    /// Where its threads run and its memory lives (default: every CPU, memory local to the
    /// threads that touch it).
    #[serde(default)]
    pub numa: Option<RawPlacement>,
    /// New builds shipped at drill seconds (default: none): another worker pool size or
    /// another compute per request from then on. `at_s` strictly increasing.
    #[serde(default)]
    pub deploys: Vec<RawDeploy>,
}

/// From drill second `at_s` on (0 is the first second the candidate sees), the workload runs a
/// new build: the keys given change, the others stay as they were. At least one of `threads`
/// and `compute_us`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a deploy (a mapping of keys)")]
#[schemars(rename = "Deploy")]
pub struct RawDeploy {
    /// Drill second the build ships at, 0..=86400.
    #[schemars(range(max = MAX_STEP_S))]
    pub at_s: u32,
    /// Worker threads from then on, 1..=100000 (idle workers past it leave at once, busy ones
    /// when their request is done).
    #[schemars(range(min = 1, max = MAX_THREADS))]
    #[serde(default)]
    pub threads: Option<u32>,
    /// User-mode CPU per request from then on, microseconds (>= 0); the request as written,
    /// not its `paths`.
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    #[serde(default)]
    pub compute_us: Option<f64>,
}

/// From drill second `at_s` on (0 is the first second the candidate sees), requests arrive
/// at `rate_per_s`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a load step (a mapping of keys)")]
#[schemars(rename = "LoadStep")]
pub struct RawLoadStep {
    /// Drill second the new rate starts at, 0..=86400.
    #[schemars(range(max = MAX_STEP_S))]
    pub at_s: u32,
    /// Mean arrival rate from then on, requests per second (> 0).
    #[schemars(extend("exclusiveMinimum" = 0), range(max = MAX_RATE_PER_S))]
    pub rate_per_s: f64,
}

/// A cgroup v2 below `/sys/fs/cgroup` and its CPU bandwidth limit, as `cpu.max` holds it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a cgroup (a mapping of keys)")]
#[schemars(rename = "Cgroup")]
pub struct RawCgroup {
    /// Path below `/sys/fs/cgroup`, e.g. `system.slice/ledger.service`: `/`-separated names
    /// of letters, digits and `_.@:-`, at most 255 bytes.
    #[schemars(regex(pattern = CGROUP_PATH_PATTERN), length(max = MAX_CGROUP_PATH))]
    pub path: String,
    /// CPU time the cgroup's threads may use per period, summed over all CPUs, microseconds
    /// (1000..=1000000000); a quota of two periods lets two CPUs run flat out. Absent: `max`,
    /// no limit.
    #[schemars(range(min = MIN_QUOTA_US, max = MAX_QUOTA_US))]
    #[serde(default)]
    pub quota_us: Option<u64>,
    /// Length of one bandwidth period, microseconds, 1000..=1000000 (default 100000).
    #[schemars(range(min = MIN_PERIOD_US, max = MAX_PERIOD_US))]
    #[serde(default = "default_period_us")]
    pub period_us: u64,
}

fn default_period_us() -> u64 {
    DEFAULT_PERIOD_US
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
        #[schemars(range(min = 0, max = MAX_TIME_US))]
        think_us: f64,
    },
    /// Poisson arrivals into a queue served by the worker threads.
    Open {
        /// Mean arrival rate, requests per second (> 0).
        #[schemars(extend("exclusiveMinimum" = 0), range(max = MAX_RATE_PER_S))]
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
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    pub compute_us: f64,
    /// How compute and hold times are drawn (default `exponential`).
    #[serde(default)]
    pub distribution: RawDistribution,
    /// Plain system calls per request (default 0).
    #[schemars(range(max = MAX_COUNT))]
    #[serde(default)]
    pub syscalls: u32,
    /// Critical sections taken, in this order, once per request each (default: none).
    #[serde(default)]
    pub critical_sections: Vec<RawCriticalSection>,
    /// Pages allocated (and later freed) per request (default 0).
    #[schemars(range(max = 1_000_000))]
    #[serde(default)]
    pub page_allocs: u32,
    /// Disk IO issued per request (default: none).
    #[serde(default)]
    pub disk_io: Option<RawDiskIo>,
    /// Network packets received per request (default 0).
    #[schemars(range(max = MAX_COUNT))]
    #[serde(default)]
    pub packets: u32,
    /// Other threads woken per request (hand-offs, condition variables) (default 0).
    #[schemars(range(max = MAX_COUNT))]
    #[serde(default)]
    pub wakeups: u32,
    /// The request mix: variants a share of requests take instead of this request (a cache
    /// miss, a cold path), drawn per request (default: none). Fractions sum to at most 1; the
    /// rest of the requests run the request as written. At most 16.
    #[schemars(length(max = MAX_PATHS))]
    #[serde(default)]
    pub paths: Vec<RawRequestPath>,
}

/// A variant of the request that a share of requests take: each key it names replaces the
/// request's, every key it leaves out is the request's (`distribution` is the request's).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a request path (a mapping of keys)")]
#[schemars(rename = "RequestPath")]
pub struct RawRequestPath {
    /// Name of the path, unique in the workload, e.g. `cache_miss`; `try slow_path.NAME=F`
    /// changes its fraction.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))]
    pub name: String,
    /// Share of requests that take this path, above 0 and at most 1.
    #[schemars(extend("exclusiveMinimum" = 0), range(max = 1))]
    pub fraction: f64,
    /// The path's own hot function, where perf shows its compute (default: the workload's
    /// `app_symbol`).
    #[schemars(regex(pattern = r"^\S+$"))]
    #[serde(default)]
    pub app_symbol: Option<String>,
    /// User-mode CPU per request on this path, microseconds (default: the request's).
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    #[serde(default)]
    pub compute_us: Option<f64>,
    /// Plain system calls per request on this path (default: the request's).
    #[schemars(range(max = MAX_COUNT))]
    #[serde(default)]
    pub syscalls: Option<u32>,
    /// Critical sections this path takes, in order (default: the request's; `[]` for none).
    #[serde(default)]
    pub critical_sections: Option<Vec<RawCriticalSection>>,
    /// Pages allocated per request on this path (default: the request's).
    #[schemars(range(max = 1_000_000))]
    #[serde(default)]
    pub page_allocs: Option<u32>,
    /// Disk IO this path issues per request (default: the request's).
    #[serde(default)]
    pub disk_io: Option<RawDiskIo>,
    /// Network packets received per request on this path (default: the request's).
    #[schemars(range(max = MAX_COUNT))]
    #[serde(default)]
    pub packets: Option<u32>,
    /// Other threads woken per request on this path (default: the request's).
    #[schemars(range(max = MAX_COUNT))]
    #[serde(default)]
    pub wakeups: Option<u32>,
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
    #[schemars(regex(pattern = NOT_BLANK))]
    pub lock: String,
    /// Mean hold time, microseconds (> 0).
    #[schemars(extend("exclusiveMinimum" = 0), range(max = MAX_TIME_US))]
    pub hold_us: f64,
    /// For rwlocks and seqlocks: the share of acquisitions that write, 0..=1 (default 1).
    #[schemars(range(min = 0, max = 1))]
    #[serde(default = "default_one_f64")]
    pub write_fraction: f64,
    /// A synchronous write that ends the section: `write()` of `kib` KiB, then the flush
    /// `kind`, which sleeps in D state until `device` completes it. The lock stays held for the
    /// whole wait unless `under_lock` is false. Only on locks whose holders may sleep (mutex,
    /// rwsem, semaphore, or a user-space rwlock).
    #[serde(default)]
    pub io: Option<RawSyncWrite>,
    /// Sections taken, in this order, while this section's lock is still held, after its own
    /// `hold_us` of work (default: none). The lock is released once they are done, so its hold
    /// and its waiters' waits include their waits and holds. One level deep; not with `io`.
    #[serde(default)]
    pub nested: Vec<RawNestedSection>,
}

/// A critical section taken while another section's lock is held.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a nested critical section (a mapping of keys)"
)]
#[schemars(rename = "NestedSection")]
pub struct RawNestedSection {
    /// Id of a lock under `locks`, other than the outer section's.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub lock: String,
    /// Mean hold time, microseconds (> 0).
    #[schemars(extend("exclusiveMinimum" = 0), range(max = MAX_TIME_US))]
    pub hold_us: f64,
    /// For rwlocks and rw_semaphores: the share of acquisitions that write, 0..=1 (default 1).
    #[schemars(range(min = 0, max = 1))]
    #[serde(default = "default_one_f64")]
    pub write_fraction: f64,
    /// The share of requests, 0..=1, whose code path takes the two locks the other way round:
    /// this one first, the outer one inside it (default 0). Above 0 the paths form an ABBA
    /// cycle, allowed only with a `deadlock` fault naming both locks.
    #[schemars(range(min = 0, max = 1))]
    #[serde(default)]
    pub reverse_fraction: f64,
}

/// A `write()` followed by a flush that waits for the device.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a synchronous write (a mapping of keys)"
)]
#[schemars(rename = "SyncWrite")]
pub struct RawSyncWrite {
    /// The flush call: `fdatasync` (waits for the data's writeback) or `fsync` (waits for the
    /// journal commit).
    pub kind: RawSyncKind,
    /// Bytes written per request, KiB (1..=65536); one device write carries them.
    #[schemars(range(min = 1, max = 65_536))]
    pub kib: u32,
    /// Name of a disk under `machine.disks`.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub device: String,
    /// Whether the lock stays held until the device completes the write (default true); false
    /// releases it before the flush, as a write-ahead log that appends under the lock and
    /// syncs outside it does.
    #[serde(default = "default_true")]
    pub under_lock: bool,
}

/// Which flush call a synchronous write makes.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "SyncKind")]
pub enum RawSyncKind {
    /// `fdatasync(2)`: the thread waits in `file_write_and_wait_range` for the data's writeback.
    Fdatasync,
    /// `fsync(2)`: the thread waits in `jbd2_log_wait_commit` for the journal commit.
    Fsync,
}

fn default_true() -> bool {
    true
}

/// Disk IO issued per request.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "disk io (a mapping of keys)")]
#[schemars(rename = "DiskIo")]
pub struct RawDiskIo {
    /// Name of a disk under `machine.disks`.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub disk: String,
    /// Reads per request (default 0).
    #[schemars(range(max = 10_000))]
    #[serde(default)]
    pub reads: u32,
    /// Writes per request (default 0).
    #[schemars(range(max = 10_000))]
    #[serde(default)]
    pub writes: u32,
    /// Size of each IO, KiB (1..=65536).
    #[schemars(range(min = 1, max = 65_536))]
    pub kib: u32,
}

/// A lock the workloads share.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a lock (a mapping of keys)")]
#[schemars(rename = "Lock")]
pub struct RawLock {
    /// Id used by critical sections, faults and drills; unique in the incident.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub id: String,
    /// A kernel lock's class name as lock_stat and perf lock print it, e.g. `&zone->lock`; a
    /// user-space lock's name in the program (kernel lock tools never print it).
    #[schemars(regex(pattern = NOT_BLANK))]
    pub class_name: String,
    /// What kind of lock it is.
    pub kind: RawLockKind,
    /// Whose lock it is: `kernel` (spin symbols) or `user` (futex path) (default `kernel`).
    #[serde(default)]
    pub scope: RawLockScope,
    /// A kernel lock's `perf lock contention` caller column, e.g. `rmqueue_bulk+0x51`; for a
    /// user-space lock the application function that takes it.
    pub caller: String,
    /// Semaphore permits (default 1; must be 1 for every other kind).
    #[schemars(range(min = 1, max = MAX_COUNT))]
    #[serde(default = "default_one_u32")]
    pub permits: u32,
    /// Independent shards the data is split over (default 1 = one lock).
    #[schemars(range(min = 1, max = 65_536))]
    #[serde(default = "default_one_u32")]
    pub shards: u32,
    /// Extra hold per waiter from cache-line transfers, nanoseconds (default 0).
    #[schemars(range(min = 0, max = 1e6))]
    #[serde(default)]
    pub bounce_ns: f64,
    /// Also taken by an interrupt handler (a kernel `spinlock` only). The lock is then per
    /// CPU: each CPU's handler and the process context on that CPU share that CPU's instance,
    /// as a driver's per-queue lock is shared (default: process context only).
    #[serde(default)]
    pub interrupt: Option<RawInterruptUse>,
}

/// How an interrupt handler shares a spinlock with process context.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an interrupt use (a mapping of keys)"
)]
#[schemars(rename = "InterruptUse")]
pub struct RawInterruptUse {
    /// Where the handler runs: `hardirq` (the NIC's interrupt handler) or `softirq` (its NAPI
    /// poll).
    pub context: RawIrqContext,
    /// The handler frame that takes the lock, `function+0xoffset` (e.g.
    /// `mlx5e_poll_tx_cq+0x1c2`).
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-fA-F]+$"))]
    pub handler: String,
    /// How process context takes the lock: `spin_lock`, `spin_lock_bh` or
    /// `spin_lock_irqsave`. Only a variant that masks the handler's context rules out the
    /// same-CPU deadlock.
    pub process_acquire: RawSpinAcquire,
}

/// Which interrupt context the handler runs in.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "IrqContext")]
pub enum RawIrqContext {
    /// The device's interrupt handler, interrupts off on its CPU (`hi` time).
    Hardirq,
    /// A softirq such as the NAPI poll, run on the way out of an interrupt (`si` time).
    Softirq,
}

/// The spin_lock variant process context uses.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "SpinAcquire")]
pub enum RawSpinAcquire {
    /// Interrupts and softirqs stay enabled while the lock is held.
    SpinLock,
    /// Softirqs are held off until the unlock; hard interrupts are not.
    SpinLockBh,
    /// Interrupts are off on the CPU until the unlock.
    SpinLockIrqsave,
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
    /// Two code paths take `first` and `second` in opposite orders (a nested section with a
    /// `reverse_fraction`) and may deadlock: at `after_s`, or whenever their timing collides.
    Deadlock {
        /// Id of the lock one thread takes first.
        first: String,
        /// Id of the lock the other thread takes first; differs from `first`, except for a lock
        /// with an `interrupt` use whose `process_acquire` leaves the handler enabled: naming it
        /// twice is the same-CPU deadlock of its handler interrupting its holder.
        second: String,
        /// Seconds since boot when the reversed path first runs and the two paths collide
        /// (default: the reversed path runs from the start and the deadlock forms whenever
        /// the timing makes it).
        #[schemars(range(max = MAX_UPTIME_S + 86_400))]
        #[serde(default)]
        after_s: Option<u32>,
    },
    /// Requests retry an optimistic step that conflicts.
    Livelock {
        /// Name of the workload whose requests retry (default: the first).
        #[schemars(regex(pattern = NOT_BLANK))]
        #[serde(default)]
        workload: Option<String>,
        /// Cost of one attempt, microseconds (> 0).
        #[schemars(extend("exclusiveMinimum" = 0), range(max = MAX_TIME_US))]
        attempt_us: f64,
        /// Chance that one attempt succeeds against one other thread retrying beside it, in
        /// (0, 1]; against several, this over their number.
        #[schemars(extend("exclusiveMinimum" = 0), range(max = 1))]
        success_probability: f64,
    },
    /// Anonymous memory beyond what fits: the box reclaims, and swaps when there is swap.
    MemoryPressure {
        /// Free memory the box settles at, MiB.
        free_mib: u64,
        /// Share of page allocations that fall into direct reclaim, 0..=1.
        #[schemars(range(min = 0, max = 1))]
        direct_reclaim_fraction: f64,
        /// Cost of one direct reclaim, microseconds (>= 0).
        #[schemars(range(min = 0, max = MAX_TIME_US))]
        reclaim_us: f64,
        /// Share of requests that fault a swapped-out page back in, 0..=1.
        #[schemars(range(min = 0, max = 1))]
        major_fault_fraction: f64,
        /// Reclaim comes in bursts every this many seconds (default 0 = steady).
        #[schemars(range(max = 86_400))]
        #[serde(default)]
        burst_every_s: u32,
    },
    /// A noisy neighbour on the same host steals CPU time.
    NoisyNeighbor {
        /// Percent of each CPU's time that goes to the hypervisor, 0..=100.
        #[schemars(range(min = 0, max = 100))]
        steal_pct: f64,
        /// Steal comes in bursts every this many seconds (default 0 = steady).
        #[schemars(range(max = 86_400))]
        #[serde(default)]
        burst_every_s: u32,
    },
    /// A device whose service time jumps for a quarter of every period.
    DiskLatencySpikes {
        /// Name of a disk under `machine.disks`.
        #[schemars(regex(pattern = NOT_BLANK))]
        device: String,
        /// How many times slower each IO is during a spike, above 1 and at most 1000.
        #[schemars(extend("exclusiveMinimum" = 1), range(max = 1000))]
        factor: f64,
        /// A spike every this many seconds (1..=86400), lasting a quarter of the period
        /// (at least a second), at a phase each seed picks.
        #[schemars(range(min = 1, max = 86_400))]
        every_s: u32,
    },
}

/// Ranges `[low, high]` a seed picks from; unset ones keep the base value.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "variants (a mapping of keys)")]
#[schemars(rename = "Variants")]
pub struct RawVariants {
    /// Name of the workload `threads` and `rate_per_s` vary (default: the first).
    #[schemars(regex(pattern = NOT_BLANK))]
    #[serde(default)]
    pub workload: Option<String>,
    /// Range of `machine.cpus`.
    #[schemars(extend("prefixItems" = [{"type": "integer", "minimum": 1, "maximum": MAX_CPUS}, {"type": "integer", "minimum": 1, "maximum": MAX_CPUS}]))]
    #[serde(default)]
    pub cpus: Option<(u32, u32)>,
    /// Range of the varied workload's `threads`.
    #[schemars(extend("prefixItems" = [{"type": "integer", "minimum": 1, "maximum": MAX_THREADS}, {"type": "integer", "minimum": 1, "maximum": MAX_THREADS}]))]
    #[serde(default)]
    pub threads: Option<(u32, u32)>,
    /// Range of the varied workload's open-arrival rate, requests per second.
    #[schemars(extend("prefixItems" = [{"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RATE_PER_S}, {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RATE_PER_S}]))]
    #[serde(default)]
    pub rate_per_s: Option<(f64, f64)>,
    /// Range of a factor every critical-section hold time is scaled by.
    #[schemars(extend("prefixItems" = [{"type": "number", "exclusiveMinimum": 0, "maximum": 100}, {"type": "number", "exclusiveMinimum": 0, "maximum": 100}]))]
    #[serde(default)]
    pub hold_scale: Option<(f64, f64)>,
}

/// A machine's NUMA nodes and the distances between them.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "numa (a mapping with `nodes`)")]
#[schemars(rename = "Numa")]
pub struct RawNuma {
    /// The nodes, numbered from 0 in this order; two or more, at most 64. Every CPU of the
    /// machine is in exactly one node.
    #[schemars(length(min = 2, max = MAX_NUMA_NODES))]
    pub nodes: Vec<RawNumaNode>,
    /// `distances[from][to]` as the firmware reports them (ACPI SLIT): 10 from a node to
    /// itself, 11..=254 to another; one row of one entry per node. Default: 21 between any
    /// two nodes, as two-socket servers commonly report.
    #[serde(default)]
    pub distances: Option<Vec<Vec<u32>>>,
}

/// One NUMA node.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a numa node (a mapping of keys)")]
#[schemars(rename = "NumaNode")]
pub struct RawNumaNode {
    /// The node's CPUs as a Linux CPU list, e.g. `"0-7"` or `"0-3,8-11"`.
    #[schemars(regex(pattern = ID_LIST_PATTERN))]
    pub cpus: String,
    /// Memory attached to the node, MiB; the nodes' memory adds up to `machine.memory_mib`.
    #[schemars(range(min = 1, max = MAX_MIB))]
    pub memory_mib: u64,
}

/// Where a workload's threads run and its memory lives, as `numactl` would set it. Give at
/// most one of `cpunodebind` and `physcpubind`, and at most one of `membind`, `interleave`
/// and `first_touch_nodes`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "workload numa placement (a mapping of keys)"
)]
#[schemars(rename = "Placement")]
pub struct RawPlacement {
    /// Nodes whose CPUs the threads run on, e.g. `[1]` (default: every CPU).
    #[serde(default)]
    pub cpunodebind: Option<Vec<u32>>,
    /// CPUs the threads run on, as a Linux CPU list, e.g. `"8-15"` (default: every CPU).
    #[schemars(regex(pattern = ID_LIST_PATTERN))]
    #[serde(default)]
    pub physcpubind: Option<String>,
    /// Nodes its pages must come from (`numactl --membind`).
    #[serde(default)]
    pub membind: Option<Vec<u32>>,
    /// Nodes its pages are spread over round-robin (`numactl --interleave`).
    #[serde(default)]
    pub interleave: Option<Vec<u32>>,
    /// The default first-touch policy, with the nodes its threads ran on when they touched
    /// their memory (e.g. where the process started before its threads were moved). Default:
    /// the nodes its threads run on now, so every access is local.
    #[serde(default)]
    pub first_touch_nodes: Option<Vec<u32>>,
    /// Share of its compute time spent waiting for memory when every access is local, 0..=1
    /// (default 0: remote memory costs it nothing). A memory-heavy service is 0.3 to 0.6.
    #[schemars(range(min = 0, max = 1))]
    #[serde(default)]
    pub memory_stall_fraction: f64,
}

/// Kernel cost constants, microseconds; unset ones keep their defaults (docs/MODEL.md, "Kernel costs").
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "costs (a mapping of keys)")]
#[schemars(rename = "Costs")]
pub struct RawCosts {
    /// One plain system call (default 0.1).
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    #[serde(default)]
    pub syscall_us: Option<f64>,
    /// One context switch (default 1.5).
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    #[serde(default)]
    pub context_switch_us: Option<f64>,
    /// Delay between a futex wake and the woken thread running (default 3).
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    #[serde(default)]
    pub wakeup_latency_us: Option<f64>,
    /// Taking an uncontended lock (default 0.025).
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    #[serde(default)]
    pub lock_uncontended_us: Option<f64>,
    /// One timer tick on a busy CPU (default 1).
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    #[serde(default)]
    pub timer_tick_us: Option<f64>,
    /// Softirq work per received packet (default 1.2).
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    #[serde(default)]
    pub softirq_per_packet_us: Option<f64>,
    /// Allocating one page (default 0.25).
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    #[serde(default)]
    pub page_alloc_us: Option<f64>,
    /// A minor page fault (default 0.8).
    #[schemars(range(min = 0, max = MAX_TIME_US))]
    #[serde(default)]
    pub page_fault_us: Option<f64>,
    /// Scheduler time slice before an involuntary preemption (default 3000).
    #[schemars(extend("exclusiveMinimum" = 0), range(max = MAX_TIME_US))]
    #[serde(default)]
    pub timeslice_us: Option<f64>,
}
