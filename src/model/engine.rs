//! The discrete-event engine: threads of every workload running requests on N CPUs, a global
//! run queue with timeslice preemption, locks with their real waiting semantics, disks as M/M/c
//! stations, NIC softirq work on the interrupt CPUs, kswapd, steal, deadlock and livelock.
//!
//! Time is an integer number of nanoseconds; events sit in a binary heap ordered by
//! (time, insertion sequence), so ties break by insertion order and a run is reproducible. The
//! hot loop allocates nothing once queues have reached their working size.
//!
//! The engine runs *windows*: [`Engine::run_window`] advances the simulated clock by the window
//! length and returns raw accumulators for that stretch; `model::sample` scales them to one
//! second. Windows follow each other on the same engine clock (the state at the end of one is the
//! start of the next), so later seconds follow earlier ones.
//!
//! Owns: the state machines and raw counters. Must not: format anything for a tool, know about
//! seconds since boot, or read a clock.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use super::rng::SimRng;
use super::symbols::{self, Activity, Category, SymbolTable, splits};
use crate::domain::{Arrivals, Distribution, Fault, Incident, LockKind, LockScope};

pub(crate) const NONE: u32 = u32::MAX;
const NS_PER_US: f64 = 1000.0;

/// Ordered by (time, seq), smallest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Event {
    time: u64,
    seq: u64,
    kind: EvKind,
    a: u32,
    b: u32,
}

impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EvKind {
    /// The segment running on CPU `a` ends (stale unless `b` equals the CPU's generation).
    Segment,
    /// Thread `a` finished sleeping (think time or timed delay).
    Timer,
    /// Thread `a` was woken; after the wake-up latency it becomes runnable.
    Wake,
    /// Open arrival for workload `a`.
    Arrival,
    /// Disk `a` finished IO slot `b`.
    Disk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Begin,
    /// User compute plus the request's syscalls, page allocations and wake-ups.
    Pre,
    Reclaim,
    MajorFault,
    Retry,
    Acquire(u16),
    Hold(u16),
    /// User compute between critical sections.
    Mid,
    DiskRead,
    End,
    /// kswapd: reclaim burst, then sleep.
    Kswapd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Running,
    Runnable,
    Spinning,
    /// Asleep: on a lock, an IO, think time or an empty request queue.
    Sleeping,
    /// Woken, waiting out the wake-up latency.
    Waking,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Idle,
    /// Context-switch cost before the thread runs.
    Switch,
    Run,
    Hold,
    Spin,
    /// Futex/mutex wait path before the thread sleeps.
    BlockPrep,
    Softirq,
}

#[derive(Debug, Clone)]
struct Thread {
    prog: u32,
    task: u32,
    pc: u32,
    remaining: u64,
    /// When the current timeslice began.
    slice: u64,
    cpu: u32,
    state: St,
    req_start: u64,
    wait_start: u64,
    runnable_since: u64,
    inst: u32,
    write: bool,
    granted: bool,
    seq_seen: u32,
    compute_part: u64,
    pre_ns: u64,
    reclaim_ns: u64,
    retry_ns: u64,
    major: bool,
    reads_left: u32,
    hold_ns: u64,
    dstate: bool,
    iowait_cpu: u32,
    in_request: bool,
}

#[derive(Debug, Clone)]
struct Cpu {
    mode: Mode,
    thread: u32,
    act: u32,
    since: u64,
    seg_len: u64,
    epoch: u32,
    was_idle: bool,
    in_idle_stack: bool,
    softirq_pending: u64,
    nr_iowait: u32,
    /// user, system, irq, softirq (work, steal excluded).
    acc: [f64; 4],
    idle: u64,
    iowait: u64,
    steal: f64,
    packets: u64,
}

#[derive(Debug, Clone)]
struct LockInst {
    class: u32,
    used: u32,
    readers: u32,
    writer: bool,
    waiters: VecDeque<u32>,
    frozen: bool,
    last_cpu: u32,
    seq: u32,
}

/// Per lock class, kinds and costs resolved.
#[derive(Debug, Clone)]
struct LockClass {
    kind: LockKind,
    spins: bool,
    dstate: bool,
    permits: u32,
    bounce_ns: f64,
    base: u32,
    shards: u32,
    spin_act: u32,
    spin_read_act: u32,
    hold_act: u32,
    wait_act: u32,
    wake_act: u32,
}

/// Raw lock counters of one side (write or exclusive; or read).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct LockAcc {
    pub acquired: u64,
    pub contended: u64,
    pub acq_bounces: u64,
    pub con_bounces: u64,
    pub wait_total: u64,
    pub wait_min: u64,
    pub wait_max: u64,
    pub hold_total: u64,
    pub hold_min: u64,
    pub hold_max: u64,
}

impl LockAcc {
    fn wait(&mut self, w: u64) {
        if self.contended == 0 || w < self.wait_min {
            self.wait_min = w;
        }
        self.wait_max = self.wait_max.max(w);
        self.contended += 1;
        self.wait_total += w;
    }
    fn hold(&mut self, h: u64) {
        if self.acquired == 0 || h < self.hold_min {
            self.hold_min = h;
        }
        self.hold_max = self.hold_max.max(h);
        self.hold_total += h;
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Area {
    value: u64,
    last: u64,
    area: f64,
}

impl Area {
    #[inline]
    fn add(&mut self, now: u64, delta: i64) {
        self.area += self.value as f64 * (now - self.last) as f64;
        self.last = now;
        // A count going below zero is a bookkeeping bug: loud in tests, held at zero (not
        // wrapped to 2^64, which would poison every average after it) in a release build.
        debug_assert!(
            self.value.checked_add_signed(delta).is_some(),
            "area count {} {delta:+}",
            self.value
        );
        self.value = self.value.saturating_add_signed(delta);
    }
    fn close(&mut self, now: u64) -> f64 {
        self.area += self.value as f64 * (now - self.last) as f64;
        self.last = now;
        std::mem::take(&mut self.area)
    }
}

#[derive(Debug, Clone, Copy)]
struct IoReq {
    thread: u32,
    write: bool,
    issued: u64,
    kib: u32,
}

#[derive(Debug, Clone)]
struct DiskSt {
    servers: u32,
    busy: u32,
    svc_ns: f64,
    queue: VecDeque<u32>,
    slots: Vec<IoReq>,
    free: Vec<u32>,
    inflight: Area,
    busy_area: Area,
}

/// Raw per-disk counters of one window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct DiskAcc {
    pub reads: u64,
    pub writes: u64,
    pub read_kib: u64,
    pub write_kib: u64,
    pub read_wait: u64,
    pub write_wait: u64,
    pub inflight_area: f64,
    pub busy_area: f64,
}

/// Raw per-task counters of one window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct TaskAcc {
    pub user: f64,
    pub system: f64,
    pub wait: u64,
    pub voluntary: u64,
    pub involuntary: u64,
    pub minor_faults: u64,
    pub major_faults: u64,
}

#[derive(Debug, Clone)]
struct Workload {
    prog: Vec<Step>,
    threads: u32,
    first_thread: u32,
    arrivals: Arrivals,
    compute_ns: f64,
    deterministic: bool,
    pre_fixed_ns: u64,
    holds_ns: Vec<f64>,
    cs_lock: Vec<u32>,
    cs_write: Vec<f64>,
    page_allocs: u32,
    packets: u32,
    reads: u32,
    writes: u32,
    io_kib: u32,
    disk: u32,
    pre_act: u32,
    mid_act: u32,
    retry_act: u32,
    queue: VecDeque<u64>,
    idle_workers: Vec<u32>,
    in_system: Area,
}

/// Everything one window accumulated, before scaling to a second.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowStats {
    pub start_ns: u64,
    pub len_ns: u64,
    pub events: u64,
    pub(crate) cpu_acc: Vec<[f64; 4]>,
    pub(crate) cpu_idle: Vec<u64>,
    pub(crate) cpu_iowait: Vec<u64>,
    pub(crate) cpu_steal: Vec<f64>,
    pub(crate) cpu_packets: Vec<u64>,
    pub(crate) act_ns: Vec<f64>,
    pub runnable_area: f64,
    pub blocked_area: f64,
    pub context_switches: u64,
    pub(crate) locks: Vec<(LockAcc, LockAcc)>,
    pub(crate) disks: Vec<DiskAcc>,
    pub(crate) tasks: Vec<TaskAcc>,
    /// Workload 0: completions, latency sum (ns), time-averaged requests in the system (area).
    pub completed: u64,
    pub latency_sum_ns: f64,
    pub in_system_area: f64,
    /// Open arrivals of workload 0 that had to queue, and their summed queueing delay (ns).
    pub queued: u64,
    pub queue_wait_sum_ns: f64,
    pub(crate) latencies_ns: Vec<u64>,
    pub swap_ins: u64,
    pub page_allocs: u64,
    pub dropped: u64,
}

/// Tunables the model picks per incident; tests set them to run long windows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineParams {
    pub window_ns: u64,
    pub warmup_ns: u64,
    /// Hard cap of events in one window: a window that hits it ends early (and is scaled by the
    /// time it covered), so no incident in the documented ranges can hang the model.
    pub max_events: u64,
}

/// Per-window inputs that vary second by second (bursts).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WindowInputs {
    pub steal: f64,
    pub pressure: bool,
    pub freeze_deadlock: bool,
    /// kswapd duty cycle (fraction of one CPU).
    pub kswapd_duty: f64,
}

/// Task kinds the engine knows; `model` builds `TaskInfo` from these.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TaskDesc {
    pub workload: Option<usize>,
    pub kswapd: bool,
    pub ksoftirqd: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Engine {
    now: u64,
    seq: u64,
    heap: BinaryHeap<Event>,
    rng: SimRng,
    threads: Vec<Thread>,
    cpus: Vec<Cpu>,
    idle_stack: Vec<u32>,
    runq: VecDeque<u32>,
    locks: Vec<LockInst>,
    classes: Vec<LockClass>,
    disks: Vec<DiskSt>,
    workloads: Vec<Workload>,
    acts: Vec<Activity>,
    pub(crate) symbols: SymbolTable,
    pub(crate) tasks: Vec<TaskDesc>,
    irq_cpus: Vec<u32>,
    rx_queues: u32,
    pub(crate) coalesce: u32,
    cost_cs: u64,
    cost_wake: u64,
    cost_futex: u64,
    cost_uncontended: u64,
    cost_softirq: u64,
    timeslice: u64,
    livelock: Option<(f64, f64)>,
    pressure: Option<(f64, f64, f64)>,
    deadlock: Option<(usize, usize)>,
    kswapd_thread: u32,
    inputs: WindowInputs,
    runnable: Area,
    blocked: Area,
    // window accumulators
    cs: u64,
    act_ns: Vec<f64>,
    lock_acc: Vec<(LockAcc, LockAcc)>,
    disk_acc: Vec<DiskAcc>,
    task_acc: Vec<TaskAcc>,
    completed: u64,
    latency_sum: f64,
    latencies: Vec<u64>,
    queued: u64,
    queue_wait_sum: f64,
    swap_ins: u64,
    page_allocs: u64,
    dropped: u64,
    pub(crate) act_idle: u32,
    pub(crate) act_tick: u32,
    act_sched: u32,
    act_net: u32,
    act_kswapd: u32,
    act_reclaim: u32,
    woke_flag: bool,
    kswapd_armed: bool,
}

/// Whether waiters on a kernel lock of this kind spin on CPU (`spinlock_t`, `rwlock_t`, the
/// write side of seqlocks and RCU updaters' spinlocks) rather than sleep (mutex, rw_semaphore,
/// semaphore, futex). Hung-task reports and soft lockups follow from this one rule.
pub fn kernel_waiters_spin(kind: LockKind) -> bool {
    matches!(
        kind,
        LockKind::Spinlock | LockKind::RwLock | LockKind::Seqlock | LockKind::Rcu
    )
}

/// Attempts a livelocked request makes at most before one wins (bounds a request's length).
pub const MAX_ATTEMPTS: f64 = 1e6;

/// The most latencies one window keeps for percentiles (a uniform subsample beyond that).
const MAX_LATENCIES: usize = 1 << 16;
/// Requests an open workload queues before dropping arrivals (a full accept backlog).
const MAX_QUEUE: usize = 1 << 20;

fn ns(us: f64) -> u64 {
    if us.is_finite() && us > 0.0 {
        (us * NS_PER_US).round().min(1e15) as u64
    } else {
        0
    }
}

fn caller_symbol(caller: &str) -> &str {
    caller.split('+').next().unwrap_or(caller)
}

impl Engine {
    pub fn new(incident: &Incident, rng: SimRng) -> Self {
        let m = &incident.machine;
        let c = &incident.costs;
        let ncpu = m.cpus.max(1);
        let mut symbols = SymbolTable::default();
        let mut acts: Vec<Activity> = Vec::new();
        let push = |acts: &mut Vec<Activity>, a: Activity| {
            acts.push(a);
            (acts.len() - 1) as u32
        };
        let idle = if m.virtualized {
            splits::IDLE_GUEST
        } else {
            splits::IDLE_BARE
        };
        let idle_syms = symbols.kernel(idle);
        let act_idle = push(
            &mut acts,
            Activity {
                category: Category::SYSTEM,
                symbols: idle_syms,
            },
        );
        let sys = |t: &mut SymbolTable, s: &[(&str, f64)]| Activity {
            category: Category::SYSTEM,
            symbols: t.kernel(s),
        };
        let tick = sys(&mut symbols, splits::TICK);
        let act_tick = push(
            &mut acts,
            Activity {
                category: Category {
                    irq: 1.0,
                    ..Category::default()
                },
                ..tick
            },
        );
        let sched = sys(&mut symbols, splits::SCHED);
        let act_sched = push(&mut acts, sched.clone());
        let mut net = sys(&mut symbols, splits::NET_RX);
        let driver = if m.virtualized {
            "virtnet_poll"
        } else {
            "mlx5e_napi_poll"
        };
        net.symbols.push((
            symbols.id(driver, symbols::KERNEL),
            splits::NET_DRIVER_SHARE,
        ));
        net.category = Category {
            irq: 0.08,
            softirq: 0.92,
            ..Category::default()
        };
        let act_net = push(&mut acts, net);
        let kswapd = sys(&mut symbols, splits::KSWAPD);
        let act_kswapd = push(&mut acts, kswapd);
        let reclaim = sys(&mut symbols, splits::DIRECT_RECLAIM);
        let act_reclaim = push(&mut acts, reclaim);
        let fault = sys(&mut symbols, splits::FAULT);

        let syscall = sys(&mut symbols, splits::SYSCALL);
        let alloc = sys(&mut symbols, splits::PAGE_ALLOC);
        let wakeup = sys(&mut symbols, splits::WAKEUP);

        // Lock classes and their activities.
        let first_app = incident
            .workloads
            .first()
            .map(|w| (w.app_symbol.clone(), w.name.clone()))
            .unwrap_or_else(|| ("main".into(), "app".into()));
        let mut classes = Vec::new();
        let mut locks = Vec::new();
        for (ci, spec) in incident.locks.iter().enumerate() {
            let kernel = spec.scope == LockScope::Kernel;
            let spins = kernel && kernel_waiters_spin(spec.kind) || spec.kind == LockKind::Spinlock;
            let spin_act = if kernel {
                let split = if spec.kind == LockKind::RwLock {
                    splits::RWLOCK_WRITE_SPIN
                } else {
                    splits::SPIN
                };
                push(&mut acts, sys(&mut symbols, split))
            } else {
                let a = symbols.activity(
                    Category::USER,
                    &[("pthread_spin_lock@@GLIBC_2.34", symbols::LIBC, 1.0)],
                );
                push(&mut acts, a)
            };
            let spin_read_act = if kernel && spec.kind == LockKind::RwLock {
                push(&mut acts, sys(&mut symbols, splits::RWLOCK_READ_SPIN))
            } else {
                spin_act
            };
            let hold_act = if kernel {
                let a = symbols.activity(
                    Category::SYSTEM,
                    &[(caller_symbol(&spec.caller), symbols::KERNEL, 1.0)],
                );
                push(&mut acts, a)
            } else {
                let a = symbols.activity(Category::USER, &[(&first_app.0, &first_app.1, 1.0)]);
                push(&mut acts, a)
            };
            let (wait_act, wake_act) = if kernel {
                let w = if spec.kind == LockKind::RwLock {
                    splits::RWSEM_WAIT
                } else {
                    splits::KMUTEX_WAIT
                };
                (
                    push(&mut acts, sys(&mut symbols, w)),
                    push(&mut acts, sys(&mut symbols, splits::KMUTEX_WAKE)),
                )
            } else {
                let mut w = sys(&mut symbols, splits::FUTEX_WAIT_K);
                w.symbols.push((
                    symbols.id("__lll_lock_wait", symbols::LIBC),
                    splits::FUTEX_WAIT_USER_SHARE,
                ));
                w.category = Category {
                    user: splits::FUTEX_WAIT_USER_SHARE,
                    system: 1.0 - splits::FUTEX_WAIT_USER_SHARE,
                    ..Category::default()
                };
                let mut k = sys(&mut symbols, splits::FUTEX_WAKE_K);
                k.symbols.push((
                    symbols.id("__lll_lock_wake", symbols::LIBC),
                    splits::FUTEX_WAKE_USER_SHARE,
                ));
                k.category = Category {
                    user: splits::FUTEX_WAKE_USER_SHARE,
                    system: 1.0 - splits::FUTEX_WAKE_USER_SHARE,
                    ..Category::default()
                };
                (push(&mut acts, w), push(&mut acts, k))
            };
            let shards = spec.shards.max(1);
            let permits = if spec.kind == LockKind::Semaphore {
                spec.permits.max(1)
            } else {
                1
            };
            classes.push(LockClass {
                kind: spec.kind,
                spins,
                dstate: kernel && !spins,
                permits,
                bounce_ns: spec.bounce_ns.max(0.0),
                base: locks.len() as u32,
                shards,
                spin_act,
                spin_read_act,
                hold_act,
                wait_act,
                wake_act,
            });
            for _ in 0..shards {
                locks.push(LockInst {
                    class: ci as u32,
                    used: 0,
                    readers: 0,
                    writer: false,
                    waiters: VecDeque::new(),
                    frozen: false,
                    last_cpu: NONE,
                    seq: 0,
                });
            }
        }

        let mut livelock = None;
        let mut pressure = None;
        let mut deadlock = None;
        for f in &incident.faults {
            match *f {
                Fault::Livelock {
                    attempt_us,
                    success_probability,
                } => livelock = Some((attempt_us.max(0.0), success_probability.clamp(1e-6, 1.0))),
                Fault::MemoryPressure {
                    direct_reclaim_fraction,
                    reclaim_us,
                    major_fault_fraction,
                    ..
                } => {
                    pressure = Some((
                        direct_reclaim_fraction.clamp(0.0, 1.0),
                        reclaim_us.max(0.0),
                        major_fault_fraction.clamp(0.0, 1.0),
                    ))
                }
                Fault::Deadlock { first, second, .. } => {
                    if first < classes.len() && second < classes.len() {
                        deadlock = Some((first, second));
                    }
                }
                Fault::NoisyNeighbor { .. } => {}
            }
        }

        // Tasks: workloads, kswapd0, ksoftirqd/N (sorted by pid in `model`).
        let mut tasks = Vec::new();
        let mut threads = Vec::new();
        let mut workloads = Vec::new();
        let blank = Thread {
            prog: 0,
            task: 0,
            pc: 0,
            remaining: 0,
            slice: 0,
            cpu: 0,
            state: St::Sleeping,
            req_start: 0,
            wait_start: 0,
            runnable_since: 0,
            inst: NONE,
            write: true,
            granted: false,
            seq_seen: 0,
            compute_part: 0,
            pre_ns: 0,
            reclaim_ns: 0,
            retry_ns: 0,
            major: false,
            reads_left: 0,
            hold_ns: 0,
            dstate: false,
            iowait_cpu: NONE,
            in_request: false,
        };
        let disk_index = |d: usize| if d < m.disks.len() { d as u32 } else { NONE };
        for (wi, w) in incident.workloads.iter().enumerate() {
            let r = &w.request;
            let k = r.critical_sections.len();
            let compute_ns = r.compute_us.max(0.0) * NS_PER_US;
            let part = compute_ns / (k as f64 + 1.0);
            let sys_ns = f64::from(r.syscalls) * c.syscall_us * NS_PER_US;
            let alloc_ns = f64::from(r.page_allocs) * c.page_alloc_us * NS_PER_US;
            let fault_ns = f64::from(r.page_allocs) * c.page_fault_us * NS_PER_US;
            let wake_ns = f64::from(r.wakeups) * c.context_switch_us * 0.5 * NS_PER_US;
            let mut libc = vec![(
                w.app_symbol.as_str(),
                w.name.as_str(),
                splits::USER_APP_SHARE,
            )];
            libc.extend(
                splits::USER_LIBC
                    .iter()
                    .map(|&(n, f)| (n, symbols::LIBC, f)),
            );
            let user = symbols.activity(Category::USER, &libc);
            let pre = symbols::mix(&[
                (part, &user),
                (sys_ns, &syscall),
                (alloc_ns, &alloc),
                (fault_ns, &fault),
                (wake_ns, &wakeup),
            ]);
            let pre_act = push(&mut acts, pre);
            let mid_act = push(&mut acts, user.clone());
            let mut retry = sys(&mut symbols, splits::RETRY_KERNEL);
            retry
                .symbols
                .push((symbols.id(&w.app_symbol, &w.name), splits::RETRY_USER_SHARE));
            retry.category = Category {
                user: splits::RETRY_USER_SHARE,
                system: 1.0 - splits::RETRY_USER_SHARE,
                ..Category::default()
            };
            let retry_act = push(&mut acts, retry);
            let mut prog = vec![Step::Begin, Step::Pre];
            if pressure.is_some() {
                prog.push(Step::Reclaim);
                prog.push(Step::MajorFault);
            }
            if livelock.is_some() && wi == 0 {
                prog.push(Step::Retry);
            }
            let mut cs_lock = Vec::new();
            let mut cs_write = Vec::new();
            let mut holds_ns = Vec::new();
            for (j, cs) in r.critical_sections.iter().enumerate() {
                if cs.lock >= classes.len() {
                    continue;
                }
                prog.push(Step::Acquire(j as u16));
                prog.push(Step::Hold(j as u16));
                prog.push(Step::Mid);
                cs_lock.push(cs.lock as u32);
                cs_write.push(cs.write_fraction.clamp(0.0, 1.0));
                holds_ns.push(cs.hold_us.max(0.0) * NS_PER_US);
            }
            while cs_lock.len() < k {
                // Critical sections on an unknown lock are skipped; keep indices aligned.
                cs_lock.push(NONE);
                cs_write.push(1.0);
                holds_ns.push(0.0);
            }
            prog.push(Step::DiskRead);
            prog.push(Step::End);
            let task = tasks.len() as u32;
            tasks.push(TaskDesc {
                workload: Some(wi),
                kswapd: false,
                ksoftirqd: None,
            });
            let first_thread = threads.len() as u32;
            let n = w.threads.max(1);
            for _ in 0..n {
                threads.push(Thread {
                    prog: wi as u32,
                    task,
                    ..blank.clone()
                });
            }
            let (reads, writes, io_kib, disk) = match &r.disk_io {
                Some(io) => (io.reads, io.writes, io.kib.max(1), disk_index(io.disk)),
                None => (0, 0, 0, NONE),
            };
            workloads.push(Workload {
                prog,
                threads: n,
                first_thread,
                arrivals: w.arrivals,
                compute_ns,
                deterministic: r.distribution == Distribution::Deterministic,
                pre_fixed_ns: (sys_ns + alloc_ns + fault_ns + wake_ns).round() as u64,
                holds_ns,
                cs_lock,
                cs_write,
                page_allocs: r.page_allocs,
                packets: r.packets,
                reads: if disk == NONE { 0 } else { reads },
                writes: if disk == NONE { 0 } else { writes },
                io_kib,
                disk,
                pre_act,
                mid_act,
                retry_act,
                queue: VecDeque::new(),
                idle_workers: Vec::new(),
                in_system: Area::default(),
            });
        }
        let kswapd_task = tasks.len() as u32;
        tasks.push(TaskDesc {
            workload: None,
            kswapd: true,
            ksoftirqd: None,
        });
        let kswapd_thread = threads.len() as u32;
        threads.push(Thread {
            prog: workloads.len() as u32,
            task: kswapd_task,
            ..blank.clone()
        });
        for cpu in 0..ncpu {
            tasks.push(TaskDesc {
                workload: None,
                kswapd: false,
                ksoftirqd: Some(cpu),
            });
        }

        let (irq_cpus, rx_queues, coalesce) = match m.nics.first() {
            Some(nic) => {
                let cpus: Vec<u32> = nic.irq_cpus.iter().copied().filter(|&c| c < ncpu).collect();
                (
                    if cpus.is_empty() { vec![0] } else { cpus },
                    nic.rx_queues.max(1),
                    nic.coalesce.max(1),
                )
            }
            None => ((0..ncpu).collect(), ncpu, 1),
        };
        let disks = m
            .disks
            .iter()
            .map(|d| DiskSt {
                servers: d.parallelism.max(1),
                busy: 0,
                svc_ns: (d.service_us.max(0.001)) * NS_PER_US,
                queue: VecDeque::new(),
                slots: Vec::new(),
                free: Vec::new(),
                inflight: Area::default(),
                busy_area: Area::default(),
            })
            .collect::<Vec<_>>();
        let cpus = (0..ncpu)
            .map(|_| Cpu {
                mode: Mode::Idle,
                thread: NONE,
                act: act_idle,
                since: 0,
                seg_len: 0,
                epoch: 0,
                was_idle: true,
                in_idle_stack: true,
                softirq_pending: 0,
                nr_iowait: 0,
                acc: [0.0; 4],
                idle: 0,
                iowait: 0,
                steal: 0.0,
                packets: 0,
            })
            .collect::<Vec<_>>();
        let nacts = acts.len();
        let nlocks = classes.len();
        let ndisks = disks.len();
        let ntasks = tasks.len();
        let mut engine = Self {
            now: 0,
            seq: 0,
            heap: BinaryHeap::with_capacity(threads.len() + 64),
            rng,
            threads,
            cpus,
            idle_stack: (0..ncpu).rev().collect(),
            runq: VecDeque::new(),
            locks,
            classes,
            disks,
            workloads,
            acts,
            symbols,
            tasks,
            irq_cpus,
            rx_queues,
            coalesce,
            cost_cs: ns(c.context_switch_us),
            cost_wake: ns(c.wakeup_latency_us),
            cost_futex: ns(2.0 * c.syscall_us),
            cost_uncontended: ns(c.lock_uncontended_us),
            cost_softirq: ns(c.softirq_per_packet_us),
            timeslice: if c.timeslice_us.is_finite() && c.timeslice_us > 0.0 {
                ns(c.timeslice_us).max(1)
            } else {
                u64::MAX
            },
            livelock,
            pressure,
            deadlock,
            kswapd_thread,
            inputs: WindowInputs::default(),
            runnable: Area::default(),
            blocked: Area::default(),
            cs: 0,
            act_ns: vec![0.0; nacts],
            lock_acc: vec![(LockAcc::default(), LockAcc::default()); nlocks],
            disk_acc: vec![DiskAcc::default(); ndisks],
            task_acc: vec![TaskAcc::default(); ntasks],
            completed: 0,
            latency_sum: 0.0,
            latencies: Vec::with_capacity(MAX_LATENCIES),
            queued: 0,
            queue_wait_sum: 0.0,
            swap_ins: 0,
            page_allocs: 0,
            dropped: 0,
            act_idle,
            act_tick,
            act_sched,
            act_net,
            act_kswapd,
            act_reclaim,
            woke_flag: false,
            kswapd_armed: false,
        };
        engine.start();
        engine
    }

    pub(crate) fn activities(&self) -> &[Activity] {
        &self.acts
    }

    pub(crate) fn workload_threads(&self, w: usize) -> u32 {
        self.workloads.get(w).map_or(0, |w| w.threads)
    }

    /// Threads of workload `w` that are running/runnable and in D state right now.
    pub(crate) fn workload_states(&self, w: usize) -> (u32, u32, u32) {
        let Some(wl) = self.workloads.get(w) else {
            return (0, 0, 0);
        };
        let mut run = 0;
        let mut d = 0;
        let range = wl.first_thread as usize..(wl.first_thread + wl.threads) as usize;
        for t in &self.threads[range.clone()] {
            match t.state {
                St::Running | St::Runnable | St::Spinning => run += 1,
                St::Sleeping if t.dstate => d += 1,
                _ => {}
            }
        }
        (run, d, self.threads[range.start].cpu)
    }

    pub(crate) fn kswapd_running(&self) -> bool {
        self.threads[self.kswapd_thread as usize].state != St::Sleeping
    }

    /// Threads of every workload using lock class `l`, with their global thread index.
    pub(crate) fn threads_using(&self, l: usize) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        for (wi, w) in self.workloads.iter().enumerate() {
            if w.cs_lock.contains(&(l as u32)) {
                for i in 0..w.threads {
                    out.push((wi, i));
                }
            }
        }
        out
    }

    fn start(&mut self) {
        for wi in 0..self.workloads.len() {
            let (first, n) = (self.workloads[wi].first_thread, self.workloads[wi].threads);
            match self.workloads[wi].arrivals {
                Arrivals::Closed { think_us } => {
                    for t in first..first + n {
                        // Stagger the first requests over one think time.
                        let d = self.rng.exp(think_us.max(0.0) * NS_PER_US).round() as u64;
                        self.threads[t as usize].pc = 0;
                        self.push(d, EvKind::Timer, t, 0);
                    }
                }
                Arrivals::Open { rate_per_s } => {
                    for t in first..first + n {
                        self.workloads[wi].idle_workers.push(t);
                    }
                    if rate_per_s > 0.0 && rate_per_s.is_finite() {
                        let d = self.rng.exp(1e9 / rate_per_s).round() as u64;
                        self.push(d, EvKind::Arrival, wi as u32, 0);
                    }
                }
            }
        }
        // kswapd sleeps until a window with memory pressure wakes it.
    }

    #[inline]
    fn push(&mut self, delay: u64, kind: EvKind, a: u32, b: u32) {
        self.seq += 1;
        self.heap.push(Event {
            time: self.now.saturating_add(delay),
            seq: self.seq,
            kind,
            a,
            b,
        });
    }

    // ---------------------------------------------------------------- accounting

    #[inline]
    fn charge(&mut self, c: u32) {
        let now = self.now;
        let cpu = &mut self.cpus[c as usize];
        let e = now - cpu.since;
        cpu.since = now;
        if e == 0 {
            return;
        }
        if cpu.mode == Mode::Idle {
            if cpu.nr_iowait > 0 {
                cpu.iowait += e;
            } else {
                cpu.idle += e;
            }
            return;
        }
        let e = e as f64;
        let st = e * self.inputs.steal;
        let w = e - st;
        cpu.steal += st;
        let cat = self.acts[cpu.act as usize].category;
        cpu.acc[0] += w * cat.user;
        cpu.acc[1] += w * cat.system;
        cpu.acc[2] += w * cat.irq;
        cpu.acc[3] += w * cat.softirq;
        self.act_ns[cpu.act as usize] += w;
        if cpu.thread != NONE {
            let task = self.threads[cpu.thread as usize].task as usize;
            let acc = &mut self.task_acc[task];
            acc.user += w * cat.user;
            acc.system += w * (1.0 - cat.user);
        }
    }

    /// Wall time a CPU needs for `work` ns under the current steal.
    #[inline]
    fn stretch(&self, work: u64) -> u64 {
        if self.inputs.steal > 0.0 {
            (work as f64 / (1.0 - self.inputs.steal)).ceil() as u64
        } else {
            work
        }
    }

    fn set_cpu(&mut self, c: u32, mode: Mode, thread: u32, act: u32) {
        self.charge(c);
        let cpu = &mut self.cpus[c as usize];
        cpu.mode = mode;
        cpu.thread = thread;
        cpu.act = act;
    }

    /// Starts a timed segment on CPU `c` of `work` ns.
    fn segment(&mut self, c: u32, mode: Mode, thread: u32, act: u32, work: u64) {
        self.set_cpu(c, mode, thread, act);
        let wall = self.stretch(work);
        let cpu = &mut self.cpus[c as usize];
        cpu.seg_len = work;
        cpu.epoch = cpu.epoch.wrapping_add(1);
        let g = cpu.epoch;
        self.push(wall, EvKind::Segment, c, g);
    }

    fn set_runnable(&mut self, delta: i64) {
        let now = self.now;
        self.runnable.add(now, delta);
    }

    fn set_blocked(&mut self, delta: i64) {
        let now = self.now;
        self.blocked.add(now, delta);
    }

    // ---------------------------------------------------------------- scheduling

    fn pop_idle_cpu(&mut self) -> Option<u32> {
        while let Some(c) = self.idle_stack.pop() {
            let cpu = &mut self.cpus[c as usize];
            cpu.in_idle_stack = false;
            if cpu.mode == Mode::Idle {
                return Some(c);
            }
        }
        None
    }

    /// Thread `t` becomes runnable: onto an idle CPU, else to the tail of the run queue.
    fn make_runnable(&mut self, t: u32) {
        self.set_runnable(1);
        let th = &mut self.threads[t as usize];
        th.state = St::Runnable;
        th.runnable_since = self.now;
        match self.pop_idle_cpu() {
            Some(c) => self.dispatch(c, t),
            None => self.runq.push_back(t),
        }
    }

    fn dispatch(&mut self, c: u32, t: u32) {
        let now = self.now;
        let th = &mut self.threads[t as usize];
        let waited = now - th.runnable_since;
        th.state = St::Running;
        th.cpu = c;
        th.slice = now;
        let task = th.task as usize;
        self.task_acc[task].wait += waited;
        if self.cpus[c as usize].was_idle {
            self.cs += 1;
            self.cpus[c as usize].was_idle = false;
        }
        if self.cost_cs > 0 {
            self.segment(c, Mode::Switch, t, self.act_sched, self.cost_cs);
        } else {
            self.run(c, t);
        }
    }

    /// CPU `c` is free: softirq work first, then the run queue, else idle.
    fn pick_next(&mut self, c: u32) {
        if self.cpus[c as usize].softirq_pending > 0 {
            let work = std::mem::take(&mut self.cpus[c as usize].softirq_pending);
            self.segment(c, Mode::Softirq, NONE, self.act_net, work);
            return;
        }
        if let Some(t) = self.runq.pop_front() {
            self.dispatch(c, t);
            return;
        }
        self.set_cpu(c, Mode::Idle, NONE, self.act_idle);
        let cpu = &mut self.cpus[c as usize];
        cpu.was_idle = true;
        if !cpu.in_idle_stack {
            cpu.in_idle_stack = true;
            self.idle_stack.push(c);
        }
    }

    /// Thread `t` on CPU `c` leaves the CPU to sleep (voluntary switch).
    fn block(&mut self, c: u32, t: u32, dstate: bool) {
        self.cs += 1;
        let th = &mut self.threads[t as usize];
        th.state = St::Sleeping;
        th.dstate = dstate;
        let task = th.task as usize;
        self.task_acc[task].voluntary += 1;
        self.set_runnable(-1);
        if dstate {
            self.set_blocked(1);
        }
        self.pick_next(c);
    }

    /// Wakes a sleeping thread after the wake-up latency.
    fn wake(&mut self, t: u32) {
        let th = &mut self.threads[t as usize];
        if th.dstate {
            th.dstate = false;
            self.set_blocked(-1);
        }
        let th = &mut self.threads[t as usize];
        th.state = St::Waking;
        if self.cost_wake > 0 {
            self.push(self.cost_wake, EvKind::Wake, t, 0);
        } else {
            self.make_runnable(t);
        }
    }

    // ---------------------------------------------------------------- requests

    fn draw(&mut self, mean_ns: f64, deterministic: bool) -> u64 {
        if mean_ns <= 0.0 {
            0
        } else if deterministic {
            mean_ns.round() as u64
        } else {
            self.rng.exp(mean_ns).round() as u64
        }
    }

    /// Enters step `pc` of thread `t`: sets the burst length for burst steps.
    fn enter(&mut self, t: u32, pc: u32) {
        let th = &self.threads[t as usize];
        let prog = th.prog as usize;
        let step = if prog < self.workloads.len() {
            self.workloads[prog]
                .prog
                .get(pc as usize)
                .copied()
                .unwrap_or(Step::End)
        } else {
            Step::Kswapd
        };
        let th = &mut self.threads[t as usize];
        th.pc = pc;
        th.remaining = match step {
            Step::Pre => th.pre_ns,
            Step::Mid => th.compute_part,
            Step::Reclaim => th.reclaim_ns,
            Step::Retry => th.retry_ns,
            _ => 0,
        };
    }

    fn step_of(&self, t: u32) -> Step {
        let th = &self.threads[t as usize];
        let prog = th.prog as usize;
        if prog < self.workloads.len() {
            self.workloads[prog]
                .prog
                .get(th.pc as usize)
                .copied()
                .unwrap_or(Step::End)
        } else {
            Step::Kswapd
        }
    }

    /// Runs thread `t` on CPU `c` from its current step until it starts a timed segment,
    /// spins, or sleeps.
    fn run(&mut self, c: u32, t: u32) {
        loop {
            let step = self.step_of(t);
            match step {
                Step::Begin => {
                    self.begin_request(t);
                    let pc = self.threads[t as usize].pc + 1;
                    self.enter(t, pc);
                }
                Step::Pre | Step::Mid | Step::Reclaim | Step::Retry => {
                    let rem = self.threads[t as usize].remaining;
                    if rem == 0 {
                        let pc = self.threads[t as usize].pc + 1;
                        self.enter(t, pc);
                        continue;
                    }
                    let w = self.threads[t as usize].prog as usize;
                    let act = match step {
                        Step::Pre => self.workloads[w].pre_act,
                        Step::Mid => self.workloads[w].mid_act,
                        Step::Reclaim => self.act_reclaim,
                        _ => self.workloads[w].retry_act,
                    };
                    let used = self.now - self.threads[t as usize].slice;
                    let left = self.timeslice.saturating_sub(used).max(1);
                    let len = rem.min(left);
                    self.segment(c, Mode::Run, t, act, len);
                    return;
                }
                Step::Kswapd => {
                    let th = &self.threads[t as usize];
                    if th.remaining == 0 {
                        // Burst over: sleep one period.
                        let period = 1_000_000;
                        self.block(c, t, false);
                        self.push(period, EvKind::Timer, t, 0);
                        return;
                    }
                    let rem = th.remaining;
                    self.segment(c, Mode::Run, t, self.act_kswapd, rem);
                    return;
                }
                Step::MajorFault => {
                    let th = &mut self.threads[t as usize];
                    if !th.major {
                        let pc = th.pc + 1;
                        self.enter(t, pc);
                        continue;
                    }
                    th.major = false;
                    th.iowait_cpu = c;
                    let task = th.task as usize;
                    self.task_acc[task].major_faults += 1;
                    self.swap_ins += 1;
                    self.charge(c);
                    self.cpus[c as usize].nr_iowait += 1;
                    if self.disks.is_empty() {
                        self.push(150_000, EvKind::Timer, t, 1);
                    } else {
                        self.submit_io(0, t, false, 4);
                    }
                    self.block(c, t, true);
                    return;
                }
                Step::Acquire(j) => {
                    if self.acquire(c, t, j) {
                        continue;
                    }
                    return;
                }
                Step::Hold(_) => {
                    let hold = self.threads[t as usize].hold_ns.max(1);
                    let inst = self.threads[t as usize].inst;
                    let class = self.locks[inst as usize].class as usize;
                    let act = self.classes[class].hold_act;
                    self.segment(c, Mode::Hold, t, act, hold);
                    return;
                }
                Step::DiskRead => {
                    let w = self.threads[t as usize].prog as usize;
                    let th = &mut self.threads[t as usize];
                    if th.reads_left == 0 {
                        let pc = th.pc + 1;
                        self.enter(t, pc);
                        continue;
                    }
                    th.reads_left -= 1;
                    th.iowait_cpu = c;
                    let (disk, kib) = (self.workloads[w].disk, self.workloads[w].io_kib);
                    self.charge(c);
                    self.cpus[c as usize].nr_iowait += 1;
                    self.submit_io(disk, t, false, kib);
                    self.block(c, t, true);
                    return;
                }
                Step::End => {
                    if self.end_request(c, t) {
                        continue;
                    }
                    return;
                }
            }
        }
    }

    fn begin_request(&mut self, t: u32) {
        let w = self.threads[t as usize].prog as usize;
        let wl = &self.workloads[w];
        let (compute, det, k) = (wl.compute_ns, wl.deterministic, wl.cs_lock.len());
        let (fixed, allocs, packets, reads) =
            (wl.pre_fixed_ns, wl.page_allocs, wl.packets, wl.reads);
        let total = self.draw(compute, det);
        let part = total / (k as u64 + 1);
        let mut reclaim = 0;
        let mut major = false;
        if let Some((direct, reclaim_us, major_frac)) = self.pressure
            && self.inputs.pressure
        {
            let p = (f64::from(allocs) * direct).min(1.0);
            if self.rng.chance(p) {
                reclaim = ns(reclaim_us);
            }
            major = self.rng.chance(major_frac);
        }
        let retry = match self.livelock {
            Some((attempt, p)) if w == 0 => {
                let u = self.rng.f64_open0();
                let attempts = if p >= 1.0 {
                    1.0
                } else {
                    (u.ln() / (1.0 - p).ln()).floor().min(MAX_ATTEMPTS) + 1.0
                };
                ns(attempt * attempts)
            }
            _ => 0,
        };
        self.page_allocs += u64::from(allocs);
        let task = self.threads[t as usize].task as usize;
        self.task_acc[task].minor_faults += u64::from(allocs);
        let th = &mut self.threads[t as usize];
        th.compute_part = part;
        th.pre_ns = part + fixed;
        th.reclaim_ns = reclaim;
        th.retry_ns = retry;
        th.major = major;
        th.reads_left = reads;
        th.in_request = true;
        if packets > 0 {
            self.packets(packets);
        }
    }

    /// Network receive work for one request's packets on the RSS-selected interrupt CPU.
    fn packets(&mut self, n: u32) {
        let q = self.rng.below(u64::from(self.rx_queues)) as usize;
        let c = self.irq_cpus[q % self.irq_cpus.len()];
        let work = self.cost_softirq * u64::from(n);
        let cpu = &mut self.cpus[c as usize];
        cpu.packets += u64::from(n);
        if work == 0 {
            return;
        }
        cpu.softirq_pending += work;
        if cpu.mode == Mode::Idle {
            // An interrupt on an idle CPU runs its softirq at once.
            let work = std::mem::take(&mut cpu.softirq_pending);
            self.segment(c, Mode::Softirq, NONE, self.act_net, work);
        }
    }

    /// Returns true when the thread continues on the CPU at once (next request ready).
    fn end_request(&mut self, c: u32, t: u32) -> bool {
        let w = self.threads[t as usize].prog as usize;
        let now = self.now;
        let (writes, disk, kib) = (
            self.workloads[w].writes,
            self.workloads[w].disk,
            self.workloads[w].io_kib,
        );
        for _ in 0..writes {
            self.submit_io(disk, NONE, true, kib);
        }
        let th = &mut self.threads[t as usize];
        if th.in_request {
            th.in_request = false;
            let lat = now.saturating_sub(th.req_start);
            self.workloads[w].in_system.add(now, -1);
            if w == 0 {
                self.completed += 1;
                self.latency_sum += lat as f64;
                if self.latencies.len() < MAX_LATENCIES {
                    self.latencies.push(lat);
                } else {
                    let i = self.rng.below(self.completed) as usize;
                    if i < MAX_LATENCIES {
                        self.latencies[i] = lat;
                    }
                }
            }
        }
        match self.workloads[w].arrivals {
            Arrivals::Closed { think_us } => {
                let det = self.workloads[w].deterministic;
                let think = self.draw(think_us * NS_PER_US, det);
                if think == 0 {
                    self.next_request(t, now);
                    return true;
                }
                self.enter(t, 0);
                self.block(c, t, false);
                self.push(think, EvKind::Timer, t, 0);
                false
            }
            Arrivals::Open { .. } => {
                if let Some(arrived) = self.workloads[w].queue.pop_front() {
                    if w == 0 {
                        self.queued += 1;
                        self.queue_wait_sum += (now - arrived) as f64;
                    }
                    self.next_request_at(t, arrived);
                    true
                } else {
                    self.enter(t, 0);
                    self.workloads[w].idle_workers.push(t);
                    self.block(c, t, false);
                    false
                }
            }
        }
    }

    fn next_request(&mut self, t: u32, now: u64) {
        let w = self.threads[t as usize].prog as usize;
        self.workloads[w].in_system.add(now, 1);
        self.next_request_at(t, now);
    }

    /// Starts a request that entered the system at `start` (already counted in `in_system`).
    fn next_request_at(&mut self, t: u32, start: u64) {
        let th = &mut self.threads[t as usize];
        th.req_start = start;
        self.enter(t, 0);
    }

    // ---------------------------------------------------------------- locks

    /// Tries to take the lock of critical section `j`. True: taken, continue at Hold.
    fn acquire(&mut self, c: u32, t: u32, j: u16) -> bool {
        let w = self.threads[t as usize].prog as usize;
        let class = self.workloads[w].cs_lock[j as usize];
        if class == NONE {
            let pc = self.threads[t as usize].pc + 2;
            self.enter(t, pc);
            return true;
        }
        let wf = self.workloads[w].cs_write[j as usize];
        let cl = &self.classes[class as usize];
        let (kind, base, shards) = (cl.kind, cl.base, cl.shards);
        let shard = if shards > 1 {
            self.rng.below(u64::from(shards)) as u32
        } else {
            0
        };
        let inst = base + shard;
        let write = match kind {
            LockKind::RwLock | LockKind::Seqlock | LockKind::Rcu => {
                wf >= 1.0 || self.rng.chance(wf)
            }
            _ => true,
        };
        let th = &mut self.threads[t as usize];
        th.inst = inst;
        th.write = write;
        th.granted = false;
        th.wait_start = self.now;
        if kind == LockKind::Rcu && !write {
            // RCU readers take no lock.
            self.grant_stats(t, inst, false, 0);
            self.draw_hold(t, j);
            let pc = self.threads[t as usize].pc + 1;
            self.enter(t, pc);
            return true;
        }
        if self.can_take(inst, write) {
            self.take(inst, write);
            self.grant_stats(t, inst, false, 0);
            self.draw_hold(t, j);
            let pc = self.threads[t as usize].pc + 1;
            self.enter(t, pc);
            return true;
        }
        // Contended.
        self.locks[inst as usize].waiters.push_back(t);
        let cl = &self.classes[class as usize];
        if cl.spins {
            let act = if write { cl.spin_act } else { cl.spin_read_act };
            self.threads[t as usize].state = St::Spinning;
            self.set_cpu(c, Mode::Spin, t, act);
            self.cpus[c as usize].epoch = self.cpus[c as usize].epoch.wrapping_add(1);
        } else if self.cost_futex > 0 {
            let act = cl.wait_act;
            self.segment(c, Mode::BlockPrep, t, act, self.cost_futex);
        } else {
            let d = cl.dstate;
            self.block(c, t, d);
        }
        false
    }

    fn can_take(&self, inst: u32, write: bool) -> bool {
        let l = &self.locks[inst as usize];
        if l.frozen {
            return false;
        }
        let cl = &self.classes[l.class as usize];
        match cl.kind {
            LockKind::RwLock => {
                if write {
                    !l.writer && l.readers == 0 && l.waiters.is_empty()
                } else {
                    !l.writer && l.waiters.is_empty()
                }
            }
            LockKind::Seqlock | LockKind::Rcu => {
                if write {
                    !l.writer && l.waiters.is_empty()
                } else {
                    !l.writer
                }
            }
            _ => l.used < cl.permits && l.waiters.is_empty(),
        }
    }

    fn take(&mut self, inst: u32, write: bool) {
        let l = &mut self.locks[inst as usize];
        let kind = self.classes[l.class as usize].kind;
        match kind {
            LockKind::RwLock | LockKind::Seqlock | LockKind::Rcu => {
                if write {
                    l.writer = true;
                    l.seq = l.seq.wrapping_add(1);
                } else if kind == LockKind::RwLock {
                    l.readers += 1;
                }
            }
            _ => l.used += 1,
        }
    }

    fn draw_hold(&mut self, t: u32, j: u16) {
        let w = self.threads[t as usize].prog as usize;
        let (mean, det) = (
            self.workloads[w].holds_ns[j as usize],
            self.workloads[w].deterministic,
        );
        let inst = self.threads[t as usize].inst as usize;
        let l = &self.locks[inst];
        let bounce = self.classes[l.class as usize].bounce_ns;
        let extra = if bounce > 0.0 {
            let sharers = l.waiters.len() as f64 + f64::from(l.readers.saturating_sub(1));
            (bounce * sharers).round() as u64
        } else {
            0
        };
        let seq = l.seq;
        let hold = self.draw(mean, det) + extra + self.cost_uncontended;
        let th = &mut self.threads[t as usize];
        th.hold_ns = hold;
        th.seq_seen = seq;
    }

    fn grant_stats(&mut self, t: u32, inst: u32, contended: bool, wait: u64) {
        let th = &self.threads[t as usize];
        let (write, cpu) = (th.write, th.cpu);
        let l = &mut self.locks[inst as usize];
        let bounce = l.last_cpu != NONE && l.last_cpu != cpu;
        l.last_cpu = cpu;
        let class = l.class as usize;
        let pair = &mut self.lock_acc[class];
        let acc = if write { &mut pair.0 } else { &mut pair.1 };
        if contended {
            acc.wait(wait);
            if bounce {
                acc.con_bounces += 1;
            }
        }
        if bounce {
            acc.acq_bounces += 1;
        }
        acc.acquired += 1;
    }

    /// Releases the lock held by `t` (hold of length `held` ended) and grants waiters.
    fn release(&mut self, c: u32, t: u32, held: u64) -> bool {
        let th = &self.threads[t as usize];
        let (inst, write) = (th.inst, th.write);
        let class = self.locks[inst as usize].class as usize;
        let kind = self.classes[class].kind;
        {
            let pair = &mut self.lock_acc[class];
            let acc = if write { &mut pair.0 } else { &mut pair.1 };
            acc.hold(held);
        }
        if kind == LockKind::Rcu && !write {
            return false;
        }
        if kind == LockKind::Seqlock && !write {
            // A reader whose section overlapped a writer retries it.
            let l = &self.locks[inst as usize];
            if l.seq != self.threads[t as usize].seq_seen || l.writer {
                let seq = l.seq;
                self.threads[t as usize].seq_seen = seq;
                return true;
            }
            return false;
        }
        let l = &mut self.locks[inst as usize];
        if l.frozen {
            return false;
        }
        match kind {
            LockKind::RwLock | LockKind::Seqlock | LockKind::Rcu => {
                if write {
                    l.writer = false;
                } else {
                    l.readers = l.readers.saturating_sub(1);
                }
            }
            _ => l.used = l.used.saturating_sub(1),
        }
        let _ = c;
        self.grant_waiters(inst);
        false
    }

    fn grant_waiters(&mut self, inst: u32) {
        loop {
            let Some(&t) = self.locks[inst as usize].waiters.front() else {
                return;
            };
            let write = self.threads[t as usize].write;
            // The head may take it if the lock is free enough for its mode.
            let l = &self.locks[inst as usize];
            let cl = &self.classes[l.class as usize];
            let ok = !l.frozen
                && match cl.kind {
                    LockKind::RwLock => {
                        if write {
                            !l.writer && l.readers == 0
                        } else {
                            !l.writer
                        }
                    }
                    LockKind::Seqlock | LockKind::Rcu => !l.writer,
                    _ => l.used < cl.permits,
                };
            if !ok {
                return;
            }
            self.locks[inst as usize].waiters.pop_front();
            self.take(inst, write);
            let wait = self.now - self.threads[t as usize].wait_start;
            self.grant_stats(t, inst, true, wait);
            let w = self.threads[t as usize].prog as usize;
            let j = match self.workloads[w].prog[self.threads[t as usize].pc as usize] {
                Step::Acquire(j) => j,
                _ => 0,
            };
            self.draw_hold(t, j);
            let pc = self.threads[t as usize].pc + 1;
            self.enter(t, pc);
            self.threads[t as usize].granted = true;
            match self.threads[t as usize].state {
                St::Spinning => {
                    let c = self.threads[t as usize].cpu;
                    self.threads[t as usize].state = St::Running;
                    self.run(c, t);
                }
                St::Sleeping => {
                    self.woke_flag = true;
                    self.wake(t);
                }
                // Still in the futex wait path: it will see the grant and not sleep.
                _ => {}
            }
            if write && cl_exclusive(self.classes[self.locks[inst as usize].class as usize].kind) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- disks

    fn submit_io(&mut self, disk: u32, thread: u32, write: bool, kib: u32) {
        if disk == NONE || disk as usize >= self.disks.len() {
            if thread != NONE {
                self.push(100_000, EvKind::Timer, thread, 1);
            }
            return;
        }
        let now = self.now;
        let d = &mut self.disks[disk as usize];
        let req = IoReq {
            thread,
            write,
            issued: now,
            kib,
        };
        let slot = match d.free.pop() {
            Some(s) => {
                d.slots[s as usize] = req;
                s
            }
            None => {
                d.slots.push(req);
                (d.slots.len() - 1) as u32
            }
        };
        d.inflight.add(now, 1);
        if d.busy < d.servers {
            self.start_io(disk, slot);
        } else {
            d.queue.push_back(slot);
        }
    }

    fn start_io(&mut self, disk: u32, slot: u32) {
        let now = self.now;
        let svc = self.disks[disk as usize].svc_ns;
        let d = &mut self.disks[disk as usize];
        if d.busy == 0 {
            d.busy_area.add(now, 1);
        }
        d.busy += 1;
        let s = self.rng.exp(svc).round() as u64;
        self.push(s.max(1), EvKind::Disk, disk, slot);
    }

    fn io_done(&mut self, disk: u32, slot: u32) {
        let now = self.now;
        let d = &mut self.disks[disk as usize];
        let req = d.slots[slot as usize];
        d.free.push(slot);
        d.busy -= 1;
        if d.busy == 0 {
            d.busy_area.add(now, -1);
        }
        d.inflight.add(now, -1);
        let next = d.queue.pop_front();
        let acc = &mut self.disk_acc[disk as usize];
        let lat = now - req.issued;
        if req.write {
            acc.writes += 1;
            acc.write_kib += u64::from(req.kib);
            acc.write_wait += lat;
        } else {
            acc.reads += 1;
            acc.read_kib += u64::from(req.kib);
            acc.read_wait += lat;
        }
        if let Some(s) = next {
            self.start_io(disk, s);
        }
        if req.thread != NONE {
            self.io_wake(req.thread);
        }
    }

    fn io_wake(&mut self, t: u32) {
        let c = self.threads[t as usize].iowait_cpu;
        if c != NONE {
            self.charge(c);
            let cpu = &mut self.cpus[c as usize];
            cpu.nr_iowait = cpu.nr_iowait.saturating_sub(1);
            self.threads[t as usize].iowait_cpu = NONE;
        }
        self.wake(t);
    }

    // ---------------------------------------------------------------- events

    fn on_segment(&mut self, c: u32) {
        let mode = self.cpus[c as usize].mode;
        let t = self.cpus[c as usize].thread;
        let len = self.cpus[c as usize].seg_len;
        match mode {
            Mode::Switch => self.run(c, t),
            Mode::Softirq => self.pick_next(c),
            Mode::BlockPrep => {
                if self.threads[t as usize].granted {
                    self.run(c, t);
                } else {
                    let inst = self.threads[t as usize].inst as usize;
                    let d = self.classes[self.locks[inst].class as usize].dstate;
                    self.block(c, t, d);
                }
            }
            Mode::Hold => {
                let retry = self.release(c, t, len);
                if retry {
                    // Seqlock reader retry: run the read side again.
                    let hold = self.threads[t as usize].hold_ns.max(1);
                    let act = self.cpus[c as usize].act;
                    self.segment(c, Mode::Hold, t, act, hold);
                    return;
                }
                let inst = self.threads[t as usize].inst as usize;
                let class = self.locks[inst].class as usize;
                let sleeper_woken = !self.classes[class].spins && self.threads_woken_recently();
                let pc = self.threads[t as usize].pc + 1;
                self.enter(t, pc);
                if sleeper_woken && self.cost_futex > 0 {
                    let act = self.classes[class].wake_act;
                    // The wake path runs before the next step; a Switch segment resumes after it.
                    self.segment(c, Mode::Switch, t, act, self.cost_futex);
                    return;
                }
                self.run(c, t);
            }
            Mode::Run => {
                let now = self.now;
                let timeslice = self.timeslice;
                let th = &mut self.threads[t as usize];
                th.remaining = th.remaining.saturating_sub(len);
                if th.prog as usize >= self.workloads.len() {
                    // kswapd burst over.
                    th.remaining = 0;
                    self.run(c, t);
                    return;
                }
                if th.remaining == 0 {
                    let pc = th.pc + 1;
                    self.enter(t, pc);
                }
                let th = &mut self.threads[t as usize];
                // The slice counts all time on the CPU (spinning and holding included); the
                // switch happens at the next preemptible point, here.
                if now - th.slice < timeslice {
                    self.run(c, t);
                } else if self.runq.is_empty() {
                    th.slice = now;
                    self.run(c, t);
                } else {
                    // Timeslice over with others waiting: involuntary switch.
                    self.cs += 1;
                    let task = th.task as usize;
                    th.state = St::Runnable;
                    th.runnable_since = now;
                    self.task_acc[task].involuntary += 1;
                    self.runq.push_back(t);
                    self.pick_next(c);
                }
            }
            Mode::Idle | Mode::Spin => {}
        }
    }

    /// Whether the last release handed the lock to a sleeping waiter (the releaser then pays
    /// the futex/mutex wake path). Tracked through `last_wake`.
    fn threads_woken_recently(&mut self) -> bool {
        std::mem::take(&mut self.woke_flag)
    }

    fn on_timer(&mut self, t: u32, b: u32) {
        if b == 1 {
            // Timed IO stand-in (no disk): wake from D state.
            self.io_wake(t);
            return;
        }
        let th = &self.threads[t as usize];
        if th.prog as usize >= self.workloads.len() {
            // kswapd period.
            if self.inputs.pressure && self.inputs.kswapd_duty > 0.0 {
                let burst = (1_000_000.0 * self.inputs.kswapd_duty.min(0.95)) as u64;
                let th = &mut self.threads[t as usize];
                th.remaining = burst.max(1);
                self.make_runnable(t);
            } else {
                self.threads[t as usize].state = St::Sleeping;
                self.kswapd_armed = false;
            }
            return;
        }
        let now = self.now;
        self.next_request(t, now);
        self.make_runnable(t);
    }

    fn on_arrival(&mut self, w: u32) {
        let now = self.now;
        let wl = &mut self.workloads[w as usize];
        if let Arrivals::Open { rate_per_s } = wl.arrivals {
            let d = self.rng.exp(1e9 / rate_per_s).round() as u64;
            self.push(d.max(1), EvKind::Arrival, w, 0);
        }
        let wl = &mut self.workloads[w as usize];
        if let Some(t) = wl.idle_workers.pop() {
            wl.in_system.add(now, 1);
            self.next_request_at(t, now);
            self.wake(t);
        } else if wl.queue.len() < MAX_QUEUE {
            wl.in_system.add(now, 1);
            wl.queue.push_back(now);
        } else {
            self.dropped += 1;
        }
    }

    // ---------------------------------------------------------------- windows

    /// Simulates `[now, now + len)` with the given inputs and returns what it accumulated.
    pub fn run_window(&mut self, len: u64, inputs: WindowInputs, max_events: u64) -> WindowStats {
        self.inputs = inputs;
        if inputs.freeze_deadlock
            && let Some((a, b)) = self.deadlock
        {
            for class in [a, b] {
                let base = self.classes[class].base as usize;
                self.locks[base].frozen = true;
            }
        }
        if inputs.pressure && inputs.kswapd_duty > 0.0 && !self.kswapd_armed {
            self.kswapd_armed = true;
            let t = self.kswapd_thread;
            self.push(0, EvKind::Timer, t, 0);
        }
        let start = self.now;
        let end = start.saturating_add(len);
        let mut events = 0u64;
        while let Some(ev) = self.heap.peek().copied() {
            if ev.time >= end || events >= max_events {
                break;
            }
            self.heap.pop();
            self.now = ev.time;
            events += 1;
            match ev.kind {
                EvKind::Segment => {
                    let cpu = &self.cpus[ev.a as usize];
                    if cpu.epoch == ev.b && cpu.mode != Mode::Idle && cpu.mode != Mode::Spin {
                        self.on_segment(ev.a);
                    }
                }
                EvKind::Timer => self.on_timer(ev.a, ev.b),
                EvKind::Wake => self.make_runnable(ev.a),
                EvKind::Arrival => self.on_arrival(ev.a),
                EvKind::Disk => self.io_done(ev.a, ev.b),
            }
        }
        let end = if events >= max_events {
            self.now.max(start + 1)
        } else {
            end
        };
        self.now = end;
        self.collect(start, end, events)
    }

    fn collect(&mut self, start: u64, end: u64, events: u64) -> WindowStats {
        for c in 0..self.cpus.len() as u32 {
            self.charge(c);
        }
        let now = self.now;
        let cpus = &mut self.cpus;
        let stats = WindowStats {
            start_ns: start,
            len_ns: end - start,
            events,
            cpu_acc: cpus
                .iter_mut()
                .map(|c| std::mem::take(&mut c.acc))
                .collect(),
            cpu_idle: cpus
                .iter_mut()
                .map(|c| std::mem::take(&mut c.idle))
                .collect(),
            cpu_iowait: cpus
                .iter_mut()
                .map(|c| std::mem::take(&mut c.iowait))
                .collect(),
            cpu_steal: cpus
                .iter_mut()
                .map(|c| std::mem::take(&mut c.steal))
                .collect(),
            cpu_packets: cpus
                .iter_mut()
                .map(|c| std::mem::take(&mut c.packets))
                .collect(),
            act_ns: std::mem::replace(&mut self.act_ns, vec![0.0; self.acts.len()]),
            runnable_area: self.runnable.close(now),
            blocked_area: self.blocked.close(now),
            context_switches: std::mem::take(&mut self.cs),
            locks: std::mem::replace(
                &mut self.lock_acc,
                vec![(LockAcc::default(), LockAcc::default()); self.classes.len()],
            ),
            disks: {
                let mut out = std::mem::replace(
                    &mut self.disk_acc,
                    vec![DiskAcc::default(); self.disks.len()],
                );
                for (acc, d) in out.iter_mut().zip(self.disks.iter_mut()) {
                    acc.inflight_area = d.inflight.close(now);
                    acc.busy_area = d.busy_area.close(now);
                }
                out
            },
            tasks: std::mem::replace(
                &mut self.task_acc,
                vec![TaskAcc::default(); self.tasks.len()],
            ),
            completed: std::mem::take(&mut self.completed),
            latency_sum_ns: std::mem::take(&mut self.latency_sum),
            in_system_area: self
                .workloads
                .first_mut()
                .map_or(0.0, |w| w.in_system.close(now)),
            queued: std::mem::take(&mut self.queued),
            queue_wait_sum_ns: std::mem::take(&mut self.queue_wait_sum),
            latencies_ns: {
                let mut v = Vec::with_capacity(self.latencies.len());
                v.extend_from_slice(&self.latencies);
                self.latencies.clear();
                v
            },
            swap_ins: std::mem::take(&mut self.swap_ins),
            page_allocs: std::mem::take(&mut self.page_allocs),
            dropped: std::mem::take(&mut self.dropped),
        };
        for w in self.workloads.iter_mut().skip(1) {
            w.in_system.close(now);
        }
        stats
    }
}

fn cl_exclusive(kind: LockKind) -> bool {
    !matches!(kind, LockKind::RwLock)
}
