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
//!
//! Layout: this file holds the threads, CPUs and workloads, the engine's construction and the
//! window loop; `ids` the typed indices of the engine's tables (a thread, a CPU, a lock, ...),
//! `scheduler` runs threads on CPUs (dispatch, preemption, the request program, arrivals and
//! load steps, events), `locks` the lock classes built from the incident, their state and
//! semantics, `irq_locks` locks an interrupt handler shares and the same-CPU deadlock,
//! `nesting` sections taken inside others and the ABBA deadlocks their order allows,
//! `blocking` sections that sleep on a synchronous write, `io` the disks, `accounting` where
//! each CPU's time goes and the closing of a window into raw counters, `threads` the
//! per-thread counters of thread-level tools, `bandwidth` cgroup CPU quotas, `mix` the
//! request's paths, `deploy` the pool and compute changes a deploy ships, and `fused` the
//! lock model's releases and wake-ups in one pass each.

use std::cmp::Ordering;
use std::collections::binary_heap::PeekMut;
use std::collections::{BinaryHeap, VecDeque};

mod accounting;
mod bandwidth;
mod blocking;
mod deploy;
mod fused;
mod ids;
pub(crate) use deploy::capacity as pool_capacity;
mod io;
mod irq_locks;
mod locks;
mod mix;
mod nesting;
mod scheduler;

use super::numa;
use super::rng::SimRng;
use super::symbols::{self, Activity, Category, SymbolTable, splits};
use crate::domain::{
    Arrivals, Cgroup, Distribution, Fault, Incident, LockKind, LockScope, Seed, SyncKind,
};
use accounting::Area;
use accounting::CpuNs;
pub(crate) use accounting::{CpuWindow, TaskAcc};
pub(crate) use bandwidth::CgroupAcc;
pub(crate) use io::DiskAcc;
use io::DiskSt;
pub(crate) use locks::LockAcc;
pub use locks::kernel_waiters_spin;
use locks::{LockClass, LockInst};
pub use scheduler::livelock_win_chance;

mod threads;
pub use irq_locks::IrqLockup;
pub use nesting::{AbbaDeadlock, AbbaWaiter, LockWaiter, LockdepReport};
pub(crate) use threads::{SleepReason, SleepSpread, ThreadAcc, ThreadRunState, ThreadView};

use ids::{CpuId, DiskId, GroupId, Id, IdVec, LockClassId, LockId, ThreadId, WorkloadId};
const NS_PER_US: f64 = 1000.0;

/// What happens at `time`; ordered by (time, seq), smallest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Event {
    time: u64,
    seq: u64,
    kind: EvKind,
}

impl Event {
    /// (time, seq) as one integer: a single branch-free comparison in the heap's sifts, which
    /// orders exactly as the pair does.
    #[inline]
    fn key(&self) -> u128 {
        (u128::from(self.time) << 64) | u128::from(self.seq)
    }
}

impl Ord for Event {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

impl PartialOrd for Event {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EvKind {
    /// The timed segment on `cpu` ends; stale (ignored) unless `epoch` is still the CPU's,
    /// since a preemption or a new segment replaces it.
    SegmentEnd { cpu: CpuId, epoch: u32 },
    /// `thread`'s sleep is over: think time, or kswapd's period.
    SleepOver { thread: ThreadId },
    /// The fixed-latency IO that stands in for a missing disk completed: `thread` leaves D.
    StandInIoDone { thread: ThreadId },
    /// `thread` was woken; after the wake-up latency it becomes runnable.
    WakeLatencyOver { thread: ThreadId },
    /// An open arrival for `workload`; stale unless `epoch` is still the workload's (a load
    /// step restarts the arrival stream at the new rate).
    Arrival { workload: WorkloadId, epoch: u32 },
    /// `disk` finished the IO in `slot`.
    DiskDone { disk: DiskId, slot: u32 },
    /// Cgroup `group`'s bandwidth period ends: its quota is refilled.
    BandwidthRefill { group: GroupId },
    /// Whether cgroup `group` has used its quota; stale unless `epoch` is still the group's.
    BandwidthCheck { group: GroupId, epoch: u32 },
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
    /// The own work of section j, whose lock stays held afterwards: sections nested inside it
    /// follow, and `Unlock(j)` releases it (see `nesting`).
    HoldOn(u16),
    /// The synchronous write that ends critical section j: the thread sleeps in D state
    /// until the device completes it (see `blocking`).
    SyncWrite(u16),
    /// Releases the lock of critical section j after its synchronous write, or after the
    /// sections nested inside it.
    Unlock(u16),
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
    /// Runnable, but its cgroup has used its CPU quota for the period: off every run queue.
    Throttled,
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
    /// An interrupt handler spinning forever on a lock the interrupted thread holds
    /// (`irq_locks`): no segment ends, the CPU never picks other work.
    Lockup,
}

#[derive(Debug, Clone)]
struct Thread {
    /// The workload whose program it runs; `None` for kswapd, which runs its own.
    workload: Option<WorkloadId>,
    task: u32,
    pc: u32,
    /// The step at `pc` of its program, set with `pc` by `enter` (a program never changes
    /// once built, so this is the program's step without looking the program up).
    step: Step,
    remaining: u64,
    /// When the current timeslice began.
    slice: u64,
    /// The CPU it runs on, or last ran on.
    cpu: CpuId,
    state: St,
    req_start: u64,
    wait_start: u64,
    runnable_since: u64,
    /// The lock of its current (or last) critical section; `None` before its first.
    inst: Option<LockId>,
    write: bool,
    granted: bool,
    seq_seen: u32,
    compute_part: u64,
    pre_ns: u64,
    reclaim_ns: u64,
    major: bool,
    reads_left: u32,
    hold_ns: u64,
    /// Hold time already run before a preemption cut the critical section.
    hold_done: u64,
    dstate: bool,
    /// The CPU its IO wait counts on while it sleeps on a disk.
    iowait_cpu: Option<CpuId>,
    /// The synchronous write of the current step was submitted and the thread slept on it;
    /// when it runs again the write is done.
    sync_pending: bool,
    /// When that write was submitted (the lock's hold time runs on through the wait).
    sync_since: u64,
    in_request: bool,
    /// This request runs the workload's reversed path (`nesting`).
    reversed: bool,
    /// When the thread was granted the lock it holds now (`inst`).
    granted_at: u64,
    /// The outer lock held while a nested section runs.
    outer: Option<nesting::HeldLock>,
    /// Times the reversed path, arranging a collision, waited for the other path.
    collision_polls: u32,
    /// The path of the request under way (an index into its workload's `paths`).
    path: u16,
    /// Outside its workload's pool (`deploy`): asleep with nothing to wake it.
    parked: bool,
    /// Run time after which the thread, picked at `slice`, loses eligibility to a waking
    /// thread (its lag when picked; see `preempt_for_wakeup`).
    eligible_ns: u64,
}

#[derive(Debug, Clone)]
struct Cpu {
    mode: Mode,
    /// The thread on the CPU (running, spinning or in its switch or wait path).
    thread: Option<ThreadId>,
    act: u32,
    since: u64,
    /// When the current timed segment began, and its length in CPU work.
    seg_start: u64,
    seg_len: u64,
    epoch: u32,
    was_idle: bool,
    in_idle_queue: bool,
    softirq_pending: u64,
    nr_iowait: u32,
    /// Where its time went in the window so far.
    time: CpuNs,
    packets: u64,
    /// Disk IOs submitted from this CPU that completed in the window (blk-mq completes an IO
    /// on the CPU that issued it).
    block_done: u64,
    /// Stuck in an interrupt handler for good (`irq_locks`).
    stuck: Option<crate::domain::IrqContext>,
    /// Its scheduler ticks fall at `tick_phase + k * tick_ns`: each CPU's local timer runs at
    /// its own phase.
    tick_phase: u64,
}

#[derive(Debug, Clone)]
struct Workload {
    prog: Vec<Step>,
    threads: u32,
    first_thread: ThreadId,
    arrivals: Arrivals,
    deterministic: bool,
    /// The request's paths, the base request first (`mix`).
    paths: Vec<mix::PathPlan>,
    /// Per critical section of every path, numbered in program order.
    holds_ns: Vec<f64>,
    /// `None` for a section whose lock the incident lacks (validation rejects it).
    cs_lock: Vec<Option<LockClassId>>,
    cs_write: Vec<f64>,
    /// Per critical section: the synchronous write it ends with, if any.
    cs_io: Vec<Option<blocking::SyncPlan>>,
    retry_act: u32,
    queue: VecDeque<u64>,
    idle_workers: Vec<ThreadId>,
    in_system: Area,
    /// The workload's cgroup, if it runs in one with bandwidth state.
    group: Option<GroupId>,
    /// The incident's arrivals, and the open rate from a drill second on.
    base_arrivals: Arrivals,
    load_steps: Vec<crate::domain::LoadStep>,
    arrival_epoch: u32,
    /// Threads serving now (`threads` is the largest pool any deploy runs), as written, and
    /// the deploys that change it or the base path's compute (`deploy`).
    live: u32,
    base_live: u32,
    base_compute_ns: f64,
    deploys: Vec<deploy::DeployPlan>,
    /// A closed loop none of whose paths writes at the end of a request: its requests end in
    /// the fused transition (`fused`).
    quiet_end: bool,
}

impl Workload {
    /// Thread `i` of its pool (0 = the main thread).
    fn nth_thread(&self, i: u32) -> ThreadId {
        ThreadId::new(self.first_thread.get() + i)
    }

    /// Where its thread `t` sits in its pool (0 = the main thread).
    fn position(&self, t: ThreadId) -> u32 {
        t.get() - self.first_thread.get()
    }

    /// Its threads at pool positions `from..to`.
    fn threads_between(&self, from: u32, to: u32) -> impl Iterator<Item = ThreadId> + use<> {
        let first = self.first_thread.get();
        (first + from..first + to).map(ThreadId::new)
    }

    /// Its whole pool (the largest any deploy runs) as positions in the engine's thread table.
    fn pool(&self) -> std::ops::Range<usize> {
        let first = self.first_thread.get() as usize;
        first..first + self.threads as usize
    }
}

/// Everything one window accumulated, before scaling to a second.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowStats {
    pub start_ns: u64,
    pub len_ns: u64,
    pub events: u64,
    pub(crate) cpus: Vec<CpuWindow>,
    pub(crate) act_ns: Vec<f64>,
    pub runnable_area: f64,
    pub blocked_area: f64,
    pub context_switches: u64,
    pub(crate) locks: Vec<(LockAcc, LockAcc)>,
    pub(crate) disks: Vec<DiskAcc>,
    pub(crate) tasks: Vec<TaskAcc>,
    /// Per engine thread (workload threads, then kswapd).
    pub(crate) threads: Vec<ThreadAcc>,
    /// Per workload: its cgroup's usage and throttling (zero in the root cgroup).
    pub(crate) cgroups: Vec<CgroupAcc>,
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
    /// A dated `deadlock` fault is due: the ABBA collision is arranged now, or the same-CPU
    /// interrupt deadlock armed.
    pub deadlock_due: bool,
    /// kswapd duty cycle (fraction of one CPU).
    pub kswapd_duty: f64,
    /// The drill second this window stands for; `None` for the warm-up and the since-boot
    /// probes, which run the incident's base load.
    pub second: Option<u32>,
    /// A disk in a latency spike and the factor on its service time.
    pub disk_spike: Option<(u32, f64)>,
    /// Reclaim swaps anonymous pages out (under pressure, with swap): kswapd writes them to
    /// the first disk (`io`).
    pub swap_out: bool,
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
    threads: IdVec<ThreadId, Thread>,
    cpus: IdVec<CpuId, Cpu>,
    /// Idle CPUs, longest idle first: a waking thread whose own CPU is busy takes the CPU idle
    /// longest, so work spreads over all CPUs as the kernel's idle search spreads it.
    idle_cpus: VecDeque<CpuId>,
    runq: VecDeque<ThreadId>,
    locks: IdVec<LockId, LockInst>,
    classes: IdVec<LockClassId, LockClass>,
    disks: IdVec<DiskId, DiskSt>,
    workloads: IdVec<WorkloadId, Workload>,
    /// Cgroups with their CPU bandwidth state, one per workload that names a cgroup.
    groups: IdVec<GroupId, bandwidth::Group>,
    acts: Vec<Activity>,
    pub(crate) symbols: SymbolTable,
    pub(crate) tasks: Vec<TaskDesc>,
    irq_cpus: Vec<CpuId>,
    rx_queues: u32,
    pub(crate) coalesce: u32,
    cost_cs: u64,
    cost_wake: u64,
    cost_futex: u64,
    cost_uncontended: u64,
    cost_softirq: u64,
    timeslice: u64,
    /// The scheduler tick's period (one over the machine's HZ); 0 for no tick.
    tick_ns: u64,
    /// The livelocked workload, the cost of one attempt and its chance of success.
    livelock: Option<(usize, f64, f64)>,
    /// Per workload, the CPUs its threads may run on (`None`: any); see `may_run`.
    affinity: Vec<Option<Vec<bool>>>,
    /// Whether any workload is pinned: the scheduler's plain paths stay as they were otherwise.
    pinned: bool,
    pressure: Option<(f64, f64, f64)>,
    /// Reversed lock orders and the deadlocks they form (`nesting`).
    abba: nesting::Abba,
    /// Whether an interrupt that finds its CPU holding the handler's lock gets stuck: from the
    /// start, or from the window a same-lock `deadlock` fault dates it at.
    irq_deadlock_armed: bool,
    /// A same-lock `deadlock` fault dates the same-CPU deadlock (arms it with the freeze).
    irq_deadlock_dated: bool,
    irq_lockups: Vec<IrqLockup>,
    kswapd_thread: ThreadId,
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
    /// Swap-out owed to the first disk and not yet written (`io`).
    swap_writer: io::SwapWriter,
    /// Per-thread counters for thread-level tools; read by nothing in the simulation.
    thread_book: threads::ThreadBook,
    /// Whether any critical section keeps its lock through a synchronous write (`blocking`):
    /// without one, the end of a hold never looks for it.
    writes_under_lock: bool,
    /// Whether any workload has deploys (`deploy`): without them no thread is ever retired.
    deploys: bool,
    /// Whether the fused transitions stand in for the general path (`fused`).
    fused: bool,
}

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
    /// The engine of `incident` under `seed`: its draws come from the seed's `engine` stream,
    /// the CPUs' tick phases from its `tick` stream.
    pub fn new(incident: &Incident, seed: Seed) -> Self {
        let rng = SimRng::stream(seed, "engine");
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
        let driver = super::kernel_log::nic_poll_symbol(m.virtualized);
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
        let (classes, locks) = locks::lock_classes(incident, ncpu, &mut symbols, &mut acts);

        let mut livelock = None;
        let mut pressure = None;
        let mut abba = nesting::Abba::default();
        let mut irq_deadlock_dated = false;
        for f in &incident.faults {
            match *f {
                Fault::Livelock {
                    workload,
                    attempt_us,
                    success_probability,
                } => {
                    livelock = Some((
                        workload,
                        attempt_us.max(0.0),
                        success_probability.clamp(1e-6, 1.0),
                    ))
                }
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
                Fault::Deadlock {
                    first,
                    second,
                    after_s,
                } if first == second => {
                    irq_deadlock_dated = after_s.is_some();
                }
                Fault::Deadlock { after_s, .. } => {
                    abba = nesting::Abba::new(after_s.is_some());
                }
                Fault::NoisyNeighbor { .. } | Fault::DiskLatencySpikes { .. } => {}
            }
        }

        // Tasks: workloads, kswapd0, ksoftirqd/N (sorted by pid in `model`).
        let mut tasks = Vec::new();
        let mut threads: IdVec<ThreadId, Thread> = IdVec::default();
        let mut workloads: IdVec<WorkloadId, Workload> = IdVec::default();
        let mut groups: IdVec<GroupId, bandwidth::Group> = IdVec::default();
        let blank = Thread {
            workload: None,
            task: 0,
            pc: 0,
            step: Step::Begin,
            remaining: 0,
            slice: 0,
            cpu: CpuId::new(0),
            state: St::Sleeping,
            req_start: 0,
            wait_start: 0,
            runnable_since: 0,
            inst: None,
            write: true,
            granted: false,
            seq_seen: 0,
            compute_part: 0,
            pre_ns: 0,
            reclaim_ns: 0,
            major: false,
            reads_left: 0,
            hold_ns: 0,
            hold_done: 0,
            dstate: false,
            iowait_cpu: None,
            sync_pending: false,
            sync_since: 0,
            in_request: false,
            reversed: false,
            granted_at: 0,
            outer: None,
            collision_polls: 0,
            path: 0,
            parked: false,
            eligible_ns: 0,
        };
        let mut affinity = Vec::new();
        let kernel = mix::KernelActs {
            syscall,
            alloc,
            fault,
            wakeup,
        };
        for (wi, w) in incident.workloads.iter().enumerate() {
            let compute_factor = numa::reach(incident, w).compute_factor;
            let mut plan = mix::PathContext {
                symbols: &mut symbols,
                acts: &mut acts,
                kernel: &kernel,
                costs: c,
                classes: classes.len(),
                disks: m.disks.len(),
                comm: &w.name,
                compute_factor,
                reclaim: pressure.is_some(),
                retry: livelock.is_some_and(|(lw, _, _)| lw == wi),
                compute_may_change: !w.deploys.is_empty(),
            };
            let mut prog = vec![Step::Begin];
            let mut sections = mix::Sections::default();
            let shares: Vec<f64> = w.request_mix().map(|(share, _, _)| share).collect();
            let bounds = mix::cumulative(&shares);
            let mut paths = Vec::with_capacity(bounds.len());
            // The base request first, so a workload without a mix builds what it always did.
            paths.push(plan.plan(
                &w.request,
                &w.app_symbol,
                &mut prog,
                &mut sections,
                bounds[0],
            ));
            let paths_compute = paths[0].compute_ns;
            let mut retry = sys(plan.symbols, splits::RETRY_KERNEL);
            retry.symbols.push((
                plan.symbols.id(&w.app_symbol, &w.name),
                splits::RETRY_USER_SHARE,
            ));
            retry.category = Category {
                user: splits::RETRY_USER_SHARE,
                system: 1.0 - splits::RETRY_USER_SHARE,
                ..Category::default()
            };
            plan.acts.push(retry);
            let retry_act = (plan.acts.len() - 1) as u32;
            for (path, bound) in w.paths.iter().zip(&bounds[1..]) {
                paths.push(plan.plan(
                    &path.request,
                    &path.app_symbol,
                    &mut prog,
                    &mut sections,
                    *bound,
                ));
            }
            let quiet_end = matches!(w.arrivals, Arrivals::Closed { .. })
                && paths.iter().all(|p| p.writes == 0);
            let task = tasks.len() as u32;
            tasks.push(TaskDesc {
                workload: Some(wi),
                kswapd: false,
                ksoftirqd: None,
            });
            let first_thread = ThreadId::new(threads.len() as u32);
            let n = deploy::capacity(w.threads, &w.deploys);
            let allowed = w.placement.cpus.as_ref().map(|cpus| {
                let mut mask = vec![false; ncpu as usize];
                for &c in cpus.iter().filter(|&&c| c < ncpu) {
                    mask[c as usize] = true;
                }
                if !mask.contains(&true) {
                    mask.fill(true);
                }
                mask
            });
            // A pinned thread starts on its first allowed CPU, so its "last CPU" is one it may use.
            let home = allowed
                .as_ref()
                .and_then(|mask| mask.iter().position(|&ok| ok))
                .map_or(CpuId::new(0), |c| CpuId::new(c as u32));
            affinity.push(allowed);
            for _ in 0..n {
                threads.push(Thread {
                    workload: Some(WorkloadId::new(wi as u32)),
                    task,
                    cpu: home,
                    ..blank.clone()
                });
            }
            workloads.push(Workload {
                prog,
                threads: n,
                first_thread,
                arrivals: w.arrivals,
                deterministic: w.request.distribution == Distribution::Deterministic,
                paths,
                holds_ns: sections.hold_ns,
                cs_lock: sections.lock,
                cs_write: sections.write,
                cs_io: sections.io,
                retry_act,
                queue: VecDeque::new(),
                idle_workers: Vec::new(),
                in_system: Area::default(),
                group: w.cgroup.as_ref().map(|cgroup| {
                    groups.push(bandwidth::Group::new(WorkloadId::new(wi as u32), cgroup))
                }),
                base_arrivals: w.arrivals,
                load_steps: w.load_steps.clone(),
                arrival_epoch: 0,
                live: w.threads.max(1),
                base_live: w.threads.max(1),
                base_compute_ns: paths_compute,
                deploys: w
                    .deploys
                    .iter()
                    .map(|d| deploy::DeployPlan::new(d, compute_factor))
                    .collect(),
                quiet_end,
            });
        }
        let kswapd_task = tasks.len() as u32;
        tasks.push(TaskDesc {
            workload: None,
            kswapd: true,
            ksoftirqd: None,
        });
        let kswapd_thread = threads.push(Thread {
            task: kswapd_task,
            step: Step::Kswapd,
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
                let cpus: Vec<CpuId> = nic
                    .irq_cpus
                    .iter()
                    .filter(|&&c| c < ncpu)
                    .map(|&c| CpuId::new(c))
                    .collect();
                (
                    if cpus.is_empty() {
                        vec![CpuId::new(0)]
                    } else {
                        cpus
                    },
                    nic.rx_queues.max(1),
                    nic.coalesce.max(1),
                )
            }
            None => ((0..ncpu).map(CpuId::new).collect(), ncpu, 1),
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
            .collect::<IdVec<DiskId, _>>();
        let tick_ns = 1_000_000_000 / u64::from(m.hz.max(1));
        let mut ticks = SimRng::stream(seed, "tick");
        let cpus = (0..ncpu)
            .map(|_| Cpu {
                mode: Mode::Idle,
                thread: None,
                act: act_idle,
                since: 0,
                seg_start: 0,
                seg_len: 0,
                epoch: 0,
                was_idle: true,
                in_idle_queue: true,
                softirq_pending: 0,
                nr_iowait: 0,
                time: CpuNs::default(),
                packets: 0,
                block_done: 0,
                stuck: None,
                tick_phase: ticks.below(tick_ns.max(1)),
            })
            .collect::<IdVec<CpuId, _>>();
        let writes_under_lock = workloads
            .as_slice()
            .iter()
            .any(|w| w.cs_io.iter().flatten().any(|io| io.under_lock));
        let deploys = workloads.as_slice().iter().any(|w| !w.deploys.is_empty());
        let nacts = acts.len();
        let nlocks = classes.len();
        let ndisks = disks.len();
        let ntasks = tasks.len();
        let nthreads = threads.len();
        let mut engine = Self {
            now: 0,
            seq: 0,
            heap: BinaryHeap::with_capacity(threads.len() + 64),
            rng,
            threads,
            cpus,
            idle_cpus: (0..ncpu).map(CpuId::new).collect(),
            runq: VecDeque::new(),
            locks,
            classes,
            disks,
            workloads,
            groups,
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
            tick_ns,
            livelock,
            pinned: affinity.iter().any(Option::is_some),
            affinity,
            pressure,
            abba,
            irq_deadlock_armed: !irq_deadlock_dated,
            irq_deadlock_dated,
            irq_lockups: Vec::new(),
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
            swap_writer: io::SwapWriter::default(),
            thread_book: threads::ThreadBook::new(nthreads),
            writes_under_lock,
            deploys,
            fused: false,
        };
        engine.fused = engine.fusable();
        engine.start();
        engine
    }

    pub(crate) fn activities(&self) -> &[Activity] {
        &self.acts
    }

    /// Whether thread `thread` of workload `w` is outside its pool now (deployed away, or
    /// waiting for a later deploy's pool): it runs nothing, so it takes no lock.
    pub(crate) fn is_parked(&self, w: usize, thread: u32) -> bool {
        self.workloads
            .get(WorkloadId::from_index(w))
            .is_some_and(|wl| {
                self.threads
                    .get(wl.nth_thread(thread))
                    .is_some_and(|th| th.parked)
            })
    }

    /// The threads of workload `w`'s pool now (a deploy may have changed it).
    pub(crate) fn workload_threads(&self, w: usize) -> u32 {
        self.workloads
            .get(WorkloadId::from_index(w))
            .map_or(0, |w| w.live)
    }

    /// Threads of workload `w` that are running/runnable and in D state right now.
    pub(crate) fn workload_states(&self, w: usize) -> (u32, u32, u32) {
        let Some(wl) = self.workloads.get(WorkloadId::from_index(w)) else {
            return (0, 0, 0);
        };
        let mut run = 0;
        let mut d = 0;
        for t in &self.threads.as_slice()[wl.pool()] {
            match t.state {
                St::Running | St::Runnable | St::Spinning => run += 1,
                St::Sleeping if t.dstate => d += 1,
                _ => {}
            }
        }
        (run, d, self.threads[wl.first_thread].cpu.get())
    }

    /// Threads running or runnable, and threads in D state, right now (`procs_running` and
    /// `procs_blocked` of `/proc/stat`).
    pub(crate) fn thread_states(&self) -> (u32, u32) {
        let mut run = 0;
        let mut d = 0;
        for t in &self.threads {
            match t.state {
                St::Running | St::Runnable | St::Spinning => run += 1,
                St::Sleeping if t.dstate => d += 1,
                _ => {}
            }
        }
        (run, d)
    }

    pub(crate) fn kswapd_running(&self) -> bool {
        self.threads[self.kswapd_thread].state != St::Sleeping
    }

    /// The workload of thread `t`, which is running a request step. Only workload threads
    /// have those: kswapd's program is its own (`Step::Kswapd`), so it never asks; were it to,
    /// it would get the first workload (a debug build stops there).
    #[inline]
    fn workload_id(&self, t: ThreadId) -> WorkloadId {
        let w = self.threads[t].workload;
        debug_assert!(w.is_some(), "{t:?} runs no workload's requests");
        w.unwrap_or(WorkloadId::new(0))
    }

    #[inline]
    fn workload_of(&self, t: ThreadId) -> &Workload {
        &self.workloads[self.workload_id(t)]
    }

    /// The class of the lock of thread `t`'s current (or last) critical section.
    #[inline]
    fn held_class(&self, t: ThreadId) -> Option<&LockClass> {
        let inst = self.threads[t].inst?;
        Some(&self.classes[self.locks[inst].class])
    }

    fn start(&mut self) {
        for wi in self.workloads.ids() {
            let wl = &self.workloads[wi];
            let live = wl.threads_between(0, wl.live);
            // Threads only a later deploy's pool has wait parked until it ships.
            for t in wl.threads_between(wl.live, wl.threads) {
                self.threads[t].parked = true;
            }
            match self.workloads[wi].arrivals {
                Arrivals::Closed { think_us } => {
                    for t in live {
                        // Stagger the first requests over one think time.
                        let d = self.rng.exp(think_us.max(0.0) * NS_PER_US).round() as u64;
                        self.threads[t].pc = 0;
                        self.push(d, EvKind::SleepOver { thread: t });
                    }
                }
                Arrivals::Pool { clients, think_us } => {
                    self.workloads[wi].idle_workers.extend(live);
                    // Each user's first request comes within one think time.
                    for _ in 0..clients {
                        let d = self.rng.exp(think_us.max(0.0) * NS_PER_US).round() as u64;
                        self.push(
                            d.max(1),
                            EvKind::Arrival {
                                workload: wi,
                                epoch: 0,
                            },
                        );
                    }
                }
                Arrivals::Open { rate_per_s } => {
                    self.workloads[wi].idle_workers.extend(live);
                    if rate_per_s > 0.0 && rate_per_s.is_finite() {
                        let d = self.rng.exp(1e9 / rate_per_s).round() as u64;
                        self.push(
                            d,
                            EvKind::Arrival {
                                workload: wi,
                                epoch: 0,
                            },
                        );
                    }
                }
            }
        }
        self.start_bandwidth();
        // kswapd sleeps until a window with memory pressure wakes it.
    }

    #[inline]
    fn push(&mut self, delay: u64, kind: EvKind) {
        self.seq += 1;
        self.heap.push(Event {
            time: self.now.saturating_add(delay),
            seq: self.seq,
            kind,
        });
    }

    /// Simulates `[now, now + len)` with the given inputs and returns what it accumulated.
    pub fn run_window(&mut self, len: u64, inputs: WindowInputs, max_events: u64) -> WindowStats {
        self.inputs = inputs;
        if inputs.deadlock_due {
            self.abba.due();
        }
        if inputs.deadlock_due && self.irq_deadlock_dated {
            self.irq_deadlock_armed = true;
        }
        if inputs.pressure && inputs.kswapd_duty > 0.0 && !self.kswapd_armed {
            self.kswapd_armed = true;
            let t = self.kswapd_thread;
            self.push(0, EvKind::SleepOver { thread: t });
        }
        self.apply_load_steps(inputs.second);
        self.apply_deploys(inputs.second);
        let start = self.now;
        self.swap_writer.window_ns = len;
        let end = start.saturating_add(len);
        let mut events = 0u64;
        loop {
            // The next event, taken off the heap in one step once it is known to be due.
            let ev = {
                let Some(top) = self.heap.peek_mut() else {
                    break;
                };
                if top.time >= end || events >= max_events {
                    break;
                }
                PeekMut::pop(top)
            };
            self.now = ev.time;
            events += 1;
            match ev.kind {
                EvKind::SegmentEnd { cpu, epoch } => {
                    let state = &self.cpus[cpu];
                    if state.epoch == epoch && state.mode != Mode::Idle && state.mode != Mode::Spin
                    {
                        self.on_segment(cpu);
                    }
                }
                EvKind::SleepOver { thread } => self.on_sleep_over(thread),
                EvKind::StandInIoDone { thread } => self.io_wake(thread),
                EvKind::WakeLatencyOver { thread } => self.make_runnable(thread),
                EvKind::Arrival { workload, epoch } => {
                    if self.workloads[workload].arrival_epoch == epoch {
                        self.on_arrival(workload);
                    }
                }
                EvKind::DiskDone { disk, slot } => self.io_done(disk, slot),
                EvKind::BandwidthRefill { group } => self.on_bandwidth_refill(group),
                EvKind::BandwidthCheck { group, epoch } => self.on_bandwidth_check(group, epoch),
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
}
