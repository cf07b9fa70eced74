//! Per-thread accounting for the tools that look at single threads (`ps -L`, `top -H`,
//! `pidstat -t`, `/proc/PID/task/*/stack`, `strace -c`, `perf trace -s`, `perf sched latency`).
//!
//! Kept apart from the scheduler and lock code: the engine calls the `note_*` hooks at the few
//! places where a thread's life changes (on a CPU, dispatched after waiting, asleep, woken), and
//! this module turns them into per-thread counters and sleep times by reason. Sleep time is
//! integrated over the window (a sleep that started in an earlier window counts only its part
//! inside this one), so a thread never sleeps more than the window lasts.
//!
//! Must not change any state the simulation reads: removing every hook leaves the trace's other
//! fields byte-identical.

use super::ids::{CpuId, Id, IdVec, ThreadId};
use super::{Arrivals, Engine, St, Step, SyncKind};

/// Why a thread is asleep, decided when it goes to sleep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum SleepReason {
    /// Not asleep.
    #[default]
    Awake,
    /// Waiting for lock class `class` (index into the incident's locks), for writing or not;
    /// `futex` when the waiter sleeps interruptibly (a user-space lock), else it is a kernel
    /// lock's uninterruptible sleep.
    Lock {
        class: u32,
        write: bool,
        futex: bool,
        /// The lock class it holds meanwhile (a nested section's outer lock), if any.
        holding: Option<u32>,
    },
    /// A synchronous disk read of the request.
    DiskRead,
    /// The flush of a synchronous write (`fdatasync`, `fsync`).
    SyncWrite(SyncKind),
    /// A major fault reading a page back from swap.
    SwapIn,
    /// An open-arrival worker with an empty request queue (a condition variable wait).
    NoRequest,
    /// A closed-loop worker between requests (waiting for its client on a socket).
    Think,
}

/// Durations of the sleeps of one kind that ended in a window (whole sleeps, not clipped to
/// the window): the spread `perf trace -s` prints.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct SleepSpread {
    pub count: u64,
    pub sum: f64,
    pub sum_sq: f64,
    pub min: u64,
    pub max: u64,
}

impl SleepSpread {
    fn add(&mut self, ns: u64) {
        if self.count == 0 || ns < self.min {
            self.min = ns;
        }
        self.max = self.max.max(ns);
        self.count += 1;
        let x = super::accounting::exact_f64(ns);
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// Standard deviation of one sleep, ns (0 with fewer than two).
    pub fn sd(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        let n = self.count as f64;
        ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0))
            .max(0.0)
            .sqrt()
    }
}

/// One thread's counters over one window (raw, before scaling to a second).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct ThreadAcc {
    pub user: f64,
    pub system: f64,
    /// Runnable but not on a CPU, summed over dispatches in the window.
    pub wait: u64,
    /// Longest single run-queue wait that ended in the window, and when it ended (engine ns).
    pub wait_max: u64,
    pub wait_max_end: u64,
    /// Dispatches onto a CPU (perf sched's switches column counts these).
    pub dispatches: u64,
    /// Dispatches onto a different CPU than the thread last ran on.
    pub migrations: u64,
    pub voluntary: u64,
    pub involuntary: u64,
    /// Requests finished.
    pub requests: u64,
    /// Sleeps that began in the window, by reason, and the time asleep inside the window.
    pub futex_sleeps: u64,
    pub futex_sleep_ns: u64,
    pub kernel_lock_sleeps: u64,
    pub kernel_lock_sleep_ns: u64,
    pub idle_sleeps: u64,
    pub idle_sleep_ns: u64,
    pub io_sleeps: u64,
    pub io_sleep_ns: u64,
    pub swap_sleeps: u64,
    pub swap_sleep_ns: u64,
    /// Flushes slept on (`fdatasync`/`fsync` calls), by the thread's one flush call.
    pub sync_sleeps: u64,
    /// The flush call those were (a thread makes one kind).
    pub sync_kind: Option<SyncKind>,
    pub sync_sleep_ns: u64,
    /// Whole sleeps that ended in the window: on a futex (user lock or empty pool queue), in
    /// `epoll_wait`, in a disk read.
    pub futex_spread: SleepSpread,
    pub epoll_spread: SleepSpread,
    pub read_spread: SleepSpread,
    pub sync_spread: SleepSpread,
    /// Futex waits that returned at once because the lock was handed over before the thread
    /// slept (`EAGAIN`).
    pub futex_again: u64,
}

/// Where one thread is at the end of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ThreadView {
    /// Engine task (process) index.
    pub task: u32,
    /// Position among its process's threads (0 = the main thread).
    pub index: u32,
    pub state: ThreadRunState,
    pub reason: SleepReason,
    pub cpu: u32,
    /// In its workload's pool (a deploy may have parked it outside): the tools list it.
    pub alive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ThreadRunState {
    Running,
    /// On the run queue, or woken and about to be.
    Runnable,
    /// Spinning on a kernel lock with preemption off (still `R` to ps).
    Spinning,
    Sleeping,
    /// Asleep uninterruptibly (`D`).
    DiskSleep,
}

/// One thread's bookkeeping: its window's counters and what the hooks need between events,
/// side by side, so a hook finds all of a thread's state in one place.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ThreadEntry {
    pub acc: ThreadAcc,
    reason: SleepReason,
    /// What the thread last slept on, kept through the wake-up latency until it runs: the
    /// model counts a woken thread as runnable only once that latency has passed.
    shown_reason: SleepReason,
    asleep_since: u64,
    /// The CPU it last ran on (`None` before its first run).
    last_cpu: Option<CpuId>,
}

impl ThreadEntry {
    fn add_sleep(&mut self, ns: u64) {
        let acc = &mut self.acc;
        match self.reason {
            SleepReason::Awake => {}
            SleepReason::Lock { futex: true, .. } => acc.futex_sleep_ns += ns,
            SleepReason::Lock { futex: false, .. } => acc.kernel_lock_sleep_ns += ns,
            SleepReason::DiskRead => acc.io_sleep_ns += ns,
            SleepReason::SyncWrite(_) => acc.sync_sleep_ns += ns,
            SleepReason::SwapIn => acc.swap_sleep_ns += ns,
            SleepReason::NoRequest | SleepReason::Think => acc.idle_sleep_ns += ns,
        }
    }
}

/// Per-thread bookkeeping the hooks need between events.
#[derive(Debug, Clone, Default)]
pub(crate) struct ThreadBook {
    entries: IdVec<ThreadId, ThreadEntry>,
    window_start: u64,
}

impl ThreadBook {
    pub fn new(threads: usize) -> Self {
        Self {
            entries: vec![ThreadEntry::default(); threads].into(),
            window_start: 0,
        }
    }

    /// Thread `t`'s counters of the window under way.
    #[inline]
    pub fn acc(&mut self, t: ThreadId) -> &mut ThreadAcc {
        &mut self.entries[t].acc
    }
}

impl Engine {
    /// Thread `t` left its CPU to sleep now (a voluntary switch) for `reason`.
    pub(super) fn note_asleep(&mut self, t: ThreadId, reason: SleepReason) {
        let now = self.now;
        let entry = &mut self.thread_book.entries[t];
        entry.reason = reason;
        entry.shown_reason = reason;
        entry.asleep_since = now;
        let acc = &mut entry.acc;
        acc.voluntary += 1;
        match reason {
            SleepReason::Awake => {}
            SleepReason::Lock { futex: true, .. } => acc.futex_sleeps += 1,
            SleepReason::Lock { futex: false, .. } => acc.kernel_lock_sleeps += 1,
            SleepReason::DiskRead => acc.io_sleeps += 1,
            SleepReason::SyncWrite(kind) => {
                acc.sync_sleeps += 1;
                acc.sync_kind = Some(kind);
            }
            SleepReason::SwapIn => acc.swap_sleeps += 1,
            SleepReason::NoRequest | SleepReason::Think => acc.idle_sleeps += 1,
        }
    }

    /// Thread `t` was woken now.
    pub(super) fn note_awake(&mut self, t: ThreadId) {
        let now = self.now;
        let window_start = self.thread_book.window_start;
        let entry = &mut self.thread_book.entries[t];
        let from = entry.asleep_since.max(window_start);
        entry.add_sleep(now.saturating_sub(from));
        let whole = now.saturating_sub(entry.asleep_since);
        let acc = &mut entry.acc;
        match entry.reason {
            SleepReason::Lock { futex: true, .. } | SleepReason::NoRequest => {
                acc.futex_spread.add(whole)
            }
            SleepReason::Think => acc.epoll_spread.add(whole),
            SleepReason::DiskRead => acc.read_spread.add(whole),
            SleepReason::SyncWrite(_) => acc.sync_spread.add(whole),
            _ => {}
        }
        entry.reason = SleepReason::Awake;
    }

    /// Thread `t` was granted the lock it was about to sleep on before it slept: for a
    /// user-space lock its futex wait returns `EAGAIN` at once.
    pub(super) fn note_handed_over(&mut self, t: ThreadId) {
        if self.held_class(t).is_some_and(|class| !class.dstate) {
            self.thread_book.acc(t).futex_again += 1;
        }
    }

    /// Thread `t` got a CPU after `waited` ns on the run queue.
    pub(super) fn note_dispatch(&mut self, t: ThreadId, waited: u64) {
        let cpu = self.threads[t].cpu;
        let now = self.now;
        let entry = &mut self.thread_book.entries[t];
        entry.shown_reason = SleepReason::Awake;
        let last = entry.last_cpu.replace(cpu);
        let acc = &mut entry.acc;
        if last.is_some_and(|last| last != cpu) {
            acc.migrations += 1;
        }
        acc.wait += waited;
        if waited > acc.wait_max {
            acc.wait_max = waited;
            acc.wait_max_end = now;
        }
        acc.dispatches += 1;
    }

    /// `note_dispatch(t, 0)` for thread `t`, now on CPU `c`, which became runnable this
    /// instant: nothing waited, so only the dispatch and a migration count.
    #[inline]
    pub(super) fn note_dispatch_unwaited(&mut self, t: ThreadId, c: CpuId) {
        let entry = &mut self.thread_book.entries[t];
        entry.shown_reason = SleepReason::Awake;
        let last = entry.last_cpu.replace(c);
        let acc = &mut entry.acc;
        if last.is_some_and(|last| last != c) {
            acc.migrations += 1;
        }
        acc.dispatches += 1;
    }

    /// The window's per-thread counters; sleeps still under way are cut at `now` and go on in
    /// the next window.
    pub(super) fn take_thread_acc(&mut self) -> Vec<ThreadAcc> {
        let now = self.now;
        let book = &mut self.thread_book;
        let window_start = book.window_start;
        book.window_start = now;
        book.entries
            .iter_mut()
            .map(|entry| {
                if entry.reason != SleepReason::Awake {
                    let from = entry.asleep_since.max(window_start);
                    entry.add_sleep(now.saturating_sub(from));
                }
                std::mem::take(&mut entry.acc)
            })
            .collect()
    }

    /// Why thread `t`, about to sleep, sleeps: read from its step, lock and D state.
    pub(super) fn sleep_reason(&self, t: ThreadId) -> SleepReason {
        let th = &self.threads[t];
        match (self.step_of(t), th.inst) {
            (Step::Acquire(_), Some(inst)) => SleepReason::Lock {
                class: self.locks[inst].class.get(),
                write: th.write,
                futex: !th.dstate,
                holding: self.outer_class(t).map(|class| class.get()),
            },
            (Step::DiskRead, _) => SleepReason::DiskRead,
            (Step::SyncWrite(j), _) => match self.sync_plan(t, j) {
                Some(io) => SleepReason::SyncWrite(io.kind),
                None => SleepReason::DiskRead,
            },
            (Step::MajorFault, _) => SleepReason::SwapIn,
            _ => match th
                .workload
                .and_then(|w| self.workloads.get(w))
                .map(|w| w.arrivals)
            {
                Some(Arrivals::Open { .. } | Arrivals::Pool { .. }) => SleepReason::NoRequest,
                _ => SleepReason::Think,
            },
        }
    }

    /// Every workload thread (then kswapd) as it stands now, in engine thread order.
    pub(crate) fn thread_views(&self) -> Vec<ThreadView> {
        let mut first_of_task: Vec<Option<ThreadId>> = vec![None; self.tasks.len()];
        self.threads
            .iter_enumerated()
            .map(|(t, th)| {
                // The task's threads are consecutive: its first is its main thread.
                let first = *first_of_task[th.task as usize].get_or_insert(t);
                let state = match th.state {
                    St::Running => ThreadRunState::Running,
                    // Throttled threads stay TASK_RUNNING: `R` to ps and top.
                    St::Runnable | St::Throttled => ThreadRunState::Runnable,
                    // Woken but not yet counted runnable (the wake-up latency): the model's
                    // run queue and D counts still hold it where it slept.
                    St::Waking => ThreadRunState::Sleeping,
                    St::Spinning => ThreadRunState::Spinning,
                    St::Sleeping if th.dstate => ThreadRunState::DiskSleep,
                    St::Sleeping => ThreadRunState::Sleeping,
                };
                ThreadView {
                    task: th.task,
                    index: t.get() - first.get(),
                    state,
                    reason: self.thread_book.entries[t].shown_reason,
                    cpu: th.cpu.get(),
                    alive: !th.parked,
                }
            })
            .collect()
    }

    /// The activity of direct reclaim (its CPU time is time stalled on memory).
    pub(crate) fn reclaim_activity(&self) -> usize {
        self.act_reclaim as usize
    }
}
