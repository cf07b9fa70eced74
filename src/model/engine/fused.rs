//! Fused transitions: the lock model's two common events each run in one pass instead of
//! through the chain of general steps that would otherwise handle them.
//!
//! - A thread becoming runnable (its think time over, or woken with its lock granted): with
//!   its last CPU idle it is dispatched there at once, with nothing waited, and a granted
//!   waiter starts its hold.
//! - The end of a hold on an exclusive lock: the lock is released (any waiter granted as the
//!   general path grants it), the thread steps past the section and, when that ends a closed
//!   loop's request, the request is counted, the think time drawn and the thread put to sleep.
//!
//! Each fused transition does exactly what the general path does for the same event: the same
//! draws in the same order, the same float operations on the same values, the same events
//! pushed in the same order (so ties break the same way); it only skips the lookups and
//! checks that cannot change anything when none of the features below is in play. They apply
//! only when [`Engine::fusable`] holds, which is decided once when the engine is built; a test
//! runs incidents with them on and off and compares the engines' whole state window by window.
//!
//! Features that keep the general path: CPU placement (pinned workloads), cgroup CPU quotas,
//! deploys (a retired thread parks instead of thinking), and synchronous writes under a lock
//! (a hold that goes on into the write).

use super::*;
use locks::MIN_HOLD_NS;

impl Engine {
    /// Whether the fused transitions may stand in for the general path in this engine: none of
    /// the features whose checks they skip is present (see the module documentation).
    pub(super) fn fusable(&self) -> bool {
        !self.pinned && self.groups.is_empty() && !self.deploys && !self.writes_under_lock
    }

    /// Runs the engine without its fused transitions (tests compare the two).
    #[cfg(test)]
    pub(super) fn without_fused_transitions(mut self) -> Self {
        self.fused = false;
        self
    }

    /// `place_runnable(t)` for thread `t`, made runnable this instant by `make_runnable`:
    /// dispatched straight onto its last CPU when that one is idle, else placed as usual.
    pub(super) fn place_unwaited(&mut self, t: ThreadId) {
        self.set_runnable(1);
        let th = &mut self.threads[t];
        th.state = St::Runnable;
        let prev = th.cpu;
        if self.cpus.get(prev).is_some_and(|c| c.mode == Mode::Idle) {
            self.dispatch_unwaited(prev, t);
        } else {
            self.place_away(t);
        }
    }

    /// `dispatch(c, t)` for a thread that became runnable this instant: it waited nothing, so
    /// its lag is zero and its wait counters do not move.
    fn dispatch_unwaited(&mut self, c: CpuId, t: ThreadId) {
        let now = self.now;
        let th = &mut self.threads[t];
        debug_assert_eq!(th.runnable_since, now);
        th.state = St::Running;
        th.cpu = c;
        th.slice = now;
        th.eligible_ns = 0;
        self.note_dispatch_unwaited(t, c);
        let cpu = &mut self.cpus[c];
        if cpu.was_idle {
            self.cs += 1;
            cpu.was_idle = false;
        }
        if self.cost_cs > 0 {
            self.segment(c, Mode::Switch, Some(t), self.act_sched, self.cost_cs);
        } else if let Step::Hold(_) | Step::HoldOn(_) = self.threads[t].step {
            // A waiter granted its lock: `run` would start the hold at once (no cgroup can
            // throttle it on the way).
            self.start_hold(c, t);
        } else {
            self.run(c, t);
        }
    }

    /// The hold of thread `t` on CPU `c` ended after `len` ns of work on this stretch. When the
    /// lock is an exclusive one (a mutex, spinlock or semaphore, counted by its holders) and
    /// the section is a plain `Hold`, releases it, grants any waiter, steps past it and goes
    /// on, as `on_segment`, `release` and `step_past_release` would, and returns true; else
    /// returns false having changed nothing.
    pub(super) fn hold_over_fused(&mut self, c: CpuId, t: ThreadId, len: u64) -> bool {
        let th = &self.threads[t];
        let (Step::Hold(_), Some(inst), Some(w)) = (th.step, th.inst, th.workload) else {
            return false;
        };
        let class = self.locks[inst].class;
        let cl = &self.classes[class];
        if matches!(
            cl.kind,
            LockKind::RwLock | LockKind::RwSem | LockKind::Seqlock | LockKind::Rcu
        ) {
            return false;
        }
        let (spins, wake_act, write, next_pc) = (cl.spins, cl.wake_act, th.write, th.pc + 1);
        // `release`.
        let held = len + std::mem::take(&mut self.threads[t].hold_done);
        let pair = &mut self.lock_acc[class.index()];
        let acc = if write { &mut pair.0 } else { &mut pair.1 };
        acc.hold(held.max(MIN_HOLD_NS));
        let lock = &mut self.locks[inst];
        lock.used = lock.used.saturating_sub(1);
        if !lock.waiters.is_empty() {
            self.grant_waiters(inst);
        }
        // `step_past_release`.
        let sleeper_woken = !spins && self.threads_woken_recently();
        self.enter(t, next_pc);
        if sleeper_woken && self.cost_futex > 0 {
            self.segment(c, Mode::Switch, Some(t), wake_act, self.cost_futex);
            return true;
        }
        if self.threads[t].step == Step::End && self.workloads[w].quiet_end {
            self.end_quiet_request(c, t, w);
        } else {
            self.run(c, t);
        }
        true
    }

    /// Thread `t` of workload `w` (a closed loop whose requests write nothing at their end) on
    /// CPU `c` ends its request: counted, its think time drawn, and asleep until it is over
    /// (the `Closed` arm of `end_request`, reached as `run` reaches it).
    fn end_quiet_request(&mut self, c: CpuId, t: ThreadId, w: WorkloadId) {
        let wl = &self.workloads[w];
        let (Arrivals::Closed { think_us }, det) = (wl.arrivals, wl.deterministic) else {
            // A closed loop stays one (load steps change open rates only); were it not, the
            // general path ends the request.
            self.run(c, t);
            return;
        };
        let now = self.now;
        self.count_completion(t, w, now);
        let think = self.draw(think_us * NS_PER_US, det);
        if think == 0 {
            self.next_request(t, now);
            self.run(c, t);
            return;
        }
        // `enter(t, 0)`: every request program starts with its `Begin`.
        let th = &mut self.threads[t];
        debug_assert_eq!(self.workloads[w].prog.first(), Some(&Step::Begin));
        th.pc = 0;
        th.step = Step::Begin;
        th.remaining = 0;
        // Between requests of a closed loop: the reason `block` would work out.
        self.block_for(c, t, false, Some(SleepReason::Think));
        self.push(think, EvKind::SleepOver { thread: t });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::load_catalog;
    use crate::domain::{Costs, IncidentId};

    /// Runs `incident` under `seed` for `windows` windows of `window_ns` twice, with the fused
    /// transitions and without, and asserts that after every window the two engines are in
    /// the same state (every field, the event heap and the random stream included) and
    /// returned the same counters.
    fn same_with_and_without(incident: &Incident, seed: u64, windows: u32, window_ns: u64) {
        let fused = Engine::new(incident, Seed(seed));
        assert!(
            fused.fused,
            "{} qualifies for the fused transitions",
            incident.id
        );
        let general = fused.clone().without_fused_transitions();
        let (mut fused, mut general) = (fused, general);
        let mut events = 0;
        for second in 0..windows {
            // Every other window under memory pressure, with kswapd running.
            let pressure = second % 2 == 1;
            let inputs = WindowInputs {
                second: Some(second),
                pressure,
                kswapd_duty: if pressure { 0.2 } else { 0.0 },
                ..WindowInputs::default()
            };
            let a = fused.run_window(window_ns, inputs, u64::MAX);
            let b = general.run_window(window_ns, inputs, u64::MAX);
            assert_eq!(a, b, "{} window {second}", incident.id);
            events += a.events;
            let mut as_general = fused.clone();
            as_general.fused = false;
            assert_eq!(
                format!("{as_general:?}"),
                format!("{general:?}"),
                "{} state after window {second}",
                incident.id
            );
        }
        assert!(events > 1000, "{} ran {events} events", incident.id);
    }

    /// The closed lock model the benchmarks run (16 threads on 16 CPUs, one mutex, exponential
    /// hold 1 µs and think 9 µs, no costs), built from a shipped incident stripped down to it.
    fn lock_model(catalog: &crate::content::Catalog) -> Incident {
        let mut incident = catalog.incidents[&IncidentId::from("slow-under-load")].clone();
        incident.machine.cpus = 16;
        incident.costs = Costs::zero();
        incident.faults.clear();
        incident.workloads.truncate(1);
        let w = &mut incident.workloads[0];
        w.threads = 16;
        w.arrivals = Arrivals::Closed { think_us: 9.0 };
        w.paths.clear();
        let r = &mut w.request;
        r.compute_us = 0.0;
        r.syscalls = 0;
        r.page_allocs = 0;
        r.wakeups = 0;
        r.packets = 0;
        r.disk_io = None;
        r.critical_sections.truncate(1);
        let section = &mut r.critical_sections[0];
        section.hold_us = 1.0;
        section.io = None;
        section.nested.clear();
        let lock = section.lock;
        assert_eq!(incident.locks[lock].kind, LockKind::Mutex);
        incident
    }

    #[test]
    fn the_lock_model_runs_the_same_with_and_without_fused_transitions() {
        let catalog = load_catalog(&[]).expect("shipped content loads");
        same_with_and_without(&lock_model(&catalog), 1, 3, 2_000_000);
    }

    #[test]
    fn shipped_incidents_run_the_same_with_and_without_fused_transitions() {
        let catalog = load_catalog(&[]).expect("shipped content loads");
        // A closed loop over a mutex and a spinlock under memory pressure, a larger pool on one
        // mutex, and a spinlock whose threads never think.
        for id in [
            "slow-under-load",
            "added-threads-slower",
            "high-cpu-spinlock",
        ] {
            let incident = &catalog.incidents[&IncidentId::from(id)];
            same_with_and_without(incident, 7, 4, 20_000_000);
        }
    }
}
