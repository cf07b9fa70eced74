//! Threads on CPUs: idle CPUs, dispatch, wake-up preemption, voluntary and involuntary
//! switches, each thread's program of steps (a request's compute, reclaim, retries, critical
//! sections, IO), timeslices, kswapd's bursts, open arrivals, and the events that drive them.

use super::accounting::exact_f64;
use super::*;
use crate::model::rng::round_ns;

/// kswapd wakes once a period to reclaim for part of it (its duty cycle).
const KSWAPD_PERIOD_NS: u64 = 1_000_000;

/// The chance that one attempt of a livelocked request wins when `rivals` other threads are
/// retrying beside it, `success_probability` being its chance against one: any of them can
/// invalidate it, so the chance falls as their number grows.
pub fn livelock_win_chance(success_probability: f64, rivals: u32) -> f64 {
    success_probability / f64::from(rivals.max(1))
}

/// The first tick at or after `due` of a timer ticking at `phase + k * tick` (`due` itself
/// without a tick, or for a slice that never ends).
fn first_tick_from(due: u64, phase: u64, tick: u64) -> u64 {
    if tick == 0 || due == u64::MAX {
        return due;
    }
    if due <= phase {
        return phase;
    }
    let ticks = (due - phase).div_ceil(tick);
    phase.saturating_add(ticks.saturating_mul(tick))
}

impl Engine {
    /// Sets each open workload's arrival rate for drill second `second` (its last load step at
    /// or before it, else its base rate); a changed rate restarts the arrival stream, so the
    /// next arrival is drawn at the new rate rather than waiting out one drawn at the old.
    pub(super) fn apply_load_steps(&mut self, second: Option<u32>) {
        for w in self.workloads.ids() {
            let wl = &self.workloads[w];
            let want = match (second, wl.base_arrivals) {
                (Some(s), Arrivals::Open { .. }) => wl
                    .load_steps
                    .iter()
                    .rev()
                    .find(|step| step.at_s <= s)
                    .map_or(wl.base_arrivals, |step| Arrivals::Open {
                        rate_per_s: step.rate_per_s,
                    }),
                _ => wl.base_arrivals,
            };
            if want == wl.arrivals {
                continue;
            }
            let wl = &mut self.workloads[w];
            wl.arrivals = want;
            wl.arrival_epoch = wl.arrival_epoch.wrapping_add(1);
            let epoch = wl.arrival_epoch;
            if let Arrivals::Open { rate_per_s } = want
                && rate_per_s > 0.0
                && rate_per_s.is_finite()
            {
                let d = self.rng.exp(1e9 / rate_per_s).round() as u64;
                self.push(d.max(1), EvKind::Arrival { workload: w, epoch });
            }
        }
    }

    pub(super) fn pop_idle_cpu(&mut self) -> Option<CpuId> {
        while let Some(c) = self.idle_cpus.pop_front() {
            let cpu = &mut self.cpus[c];
            cpu.in_idle_queue = false;
            if cpu.mode == Mode::Idle {
                return Some(c);
            }
        }
        None
    }

    /// Whether thread `t` may run on CPU `c` (its workload's CPU placement; kernel threads
    /// anywhere).
    pub(super) fn may_run(&self, t: ThreadId, c: CpuId) -> bool {
        if !self.pinned {
            return true;
        }
        let Some(w) = self.threads[t].workload else {
            return true;
        };
        match self.affinity.get(w.index()) {
            Some(Some(mask)) => mask.get(c.index()).copied().unwrap_or(false),
            _ => true,
        }
    }

    /// The idle CPU idle longest that thread `t` may run on.
    fn pop_idle_cpu_for(&mut self, t: ThreadId) -> Option<CpuId> {
        if !self.pinned {
            return self.pop_idle_cpu();
        }
        let at = self
            .idle_cpus
            .iter()
            .position(|&c| self.cpus[c].mode == Mode::Idle && self.may_run(t, c))?;
        let c = self.idle_cpus.remove(at)?;
        self.cpus[c].in_idle_queue = false;
        Some(c)
    }

    /// Takes the first queued thread that may run on CPU `c`.
    fn pop_runnable_for(&mut self, c: CpuId) -> Option<ThreadId> {
        if !self.pinned {
            return self.runq.pop_front();
        }
        let at = self.runq.iter().position(|&t| self.may_run(t, c))?;
        self.runq.remove(at)
    }

    /// When CPU `c` finds a timeslice that began at `start` over: at its first scheduler tick
    /// at or after `start` plus the timeslice, since the tick is what checks the running
    /// thread's slice. Each CPU ticks at its own phase, so CPUs whose threads began their
    /// slices together still switch at different instants, as real CPUs' local timers make
    /// them, rather than all at once.
    pub(super) fn slice_over_at(&self, c: CpuId, start: u64) -> u64 {
        let due = start.saturating_add(self.timeslice);
        first_tick_from(due, self.cpus[c].tick_phase, self.tick_ns)
    }

    /// Whether a queued thread could take CPU `c` (a timeslice ends only for one).
    fn has_runnable_for(&self, c: CpuId) -> bool {
        if !self.pinned {
            return !self.runq.is_empty();
        }
        self.runq.iter().any(|&t| self.may_run(t, c))
    }

    /// Thread `t` becomes runnable: onto an idle CPU, else to the tail of the run queue (or
    /// off both while its cgroup is throttled).
    pub(super) fn make_runnable(&mut self, t: ThreadId) {
        self.threads[t].runnable_since = self.now;
        if self.fused {
            // No cgroup can have throttled it, and it may run anywhere.
            self.place_unwaited(t);
            return;
        }
        if self.park_if_throttled(t) {
            return;
        }
        self.place_runnable(t);
    }

    /// Places runnable thread `t` (its wait counted from `runnable_since`) on a CPU or the run
    /// queue.
    pub(super) fn place_runnable(&mut self, t: ThreadId) {
        self.set_runnable(1);
        let th = &mut self.threads[t];
        th.state = St::Runnable;
        // A waking thread goes back to the CPU it last ran on when that one is idle (its cache
        // is warm there), as the kernel's wake-up placement prefers; else to any idle CPU.
        let prev = th.cpu;
        if self.cpus.get(prev).is_some_and(|c| c.mode == Mode::Idle) && self.may_run(t, prev) {
            self.dispatch(prev, t);
            return;
        }
        self.place_away(t);
    }

    /// Places runnable thread `t`, whose last CPU is busy (or out of its placement): on the
    /// idle CPU idle longest, else onto a CPU it preempts, else at the tail of the run queue.
    pub(super) fn place_away(&mut self, t: ThreadId) {
        match self.pop_idle_cpu_for(t) {
            Some(c) => self.dispatch(c, t),
            None => {
                if !self.preempt_for_wakeup(t) {
                    self.runq.push_back(t);
                }
            }
        }
    }

    /// Wake-up preemption as EEVDF decides it: a thread picked after waiting `w` on a run
    /// queue shared with `n` others was owed about `w / n` of CPU (its lag); once it has run
    /// that long it is no longer eligible, and a thread waking on its CPU (the wakee's previous
    /// one) takes the CPU. The preempted thread goes back on the run queue: an involuntary
    /// switch. Only preemptible code is cut: user code, including user-space critical
    /// sections; kernel spinlock holders, spinners and the switch and wait paths run on.
    /// Returns whether `t` took the CPU.
    pub(super) fn preempt_for_wakeup(&mut self, t: ThreadId) -> bool {
        let c = self.threads[t].cpu;
        let Some(cpu) = self.cpus.get(c) else {
            return false;
        };
        let Some(cur) = cpu.thread else {
            return false;
        };
        if !self.cpu_preemptible(c) || cur == t || !self.may_run(t, c) {
            return false;
        }
        let th = &self.threads[cur];
        // kswapd runs its bursts out.
        if th.workload.is_none() || self.now - th.slice < th.eligible_ns.max(self.cost_cs) {
            return false;
        }
        self.cut_segment(c);
        self.involuntary_switch(cur);
        self.runq.push_back(cur);
        self.dispatch(c, t);
        true
    }

    /// Whether CPU `c` runs preemptible code: user code, including user-space critical
    /// sections (kernel spinlock holders, spinners and the switch and wait paths run on).
    pub(super) fn cpu_preemptible(&self, c: CpuId) -> bool {
        let cpu = &self.cpus[c];
        match cpu.mode {
            Mode::Run => true,
            Mode::Hold => cpu
                .thread
                .and_then(|t| self.held_class(t))
                .is_some_and(|class| class.user),
            _ => false,
        }
    }

    /// Cuts the timed segment running on CPU `c` short, keeping the work it got done (the
    /// wall time less what steal took) in its thread's step; returns that thread, which is
    /// still on the CPU.
    pub(super) fn cut_segment(&mut self, c: CpuId) -> Option<ThreadId> {
        let cpu = &self.cpus[c];
        let cur = cpu.thread?;
        let wall = self.now - cpu.seg_start;
        let work = (exact_f64(wall) * (1.0 - self.inputs.steal)) as u64;
        let done = work.min(cpu.seg_len);
        let mode = cpu.mode;
        let th = &mut self.threads[cur];
        if mode == Mode::Hold {
            th.hold_done += done;
            th.hold_ns = th.hold_ns.saturating_sub(done).max(1);
        } else {
            th.remaining = th.remaining.saturating_sub(done);
            if th.remaining == 0 {
                let pc = th.pc + 1;
                self.enter(cur, pc);
            }
        }
        Some(cur)
    }

    /// Thread `t`, still runnable, loses its CPU (a preemption or a yield to a waiting thread).
    pub(super) fn involuntary_switch(&mut self, t: ThreadId) {
        self.cs += 1;
        let now = self.now;
        let th = &mut self.threads[t];
        th.state = St::Runnable;
        th.runnable_since = now;
        let task = th.task as usize;
        self.task_acc[task].involuntary += 1;
        self.thread_book.acc(t).involuntary += 1;
    }

    pub(super) fn dispatch(&mut self, c: CpuId, t: ThreadId) {
        let now = self.now;
        let th = &mut self.threads[t];
        let waited = now - th.runnable_since;
        th.state = St::Running;
        th.cpu = c;
        th.slice = now;
        // Its lag: the wait shared with the threads queued per CPU (see `preempt_for_wakeup`),
        // at least one. With no more queued threads than CPUs the share is the wait itself,
        // and the division is skipped.
        let (queued, ncpu) = (self.runq.len(), self.cpus.len());
        th.eligible_ns = if queued <= ncpu {
            exact_f64(waited) as u64
        } else {
            (exact_f64(waited) / (queued as f64 / ncpu as f64)) as u64
        };
        let task = th.task as usize;
        self.task_acc[task].wait += waited;
        self.note_dispatch(t, waited);
        if self.cpus[c].was_idle {
            self.cs += 1;
            self.cpus[c].was_idle = false;
        }
        if self.cost_cs > 0 {
            self.segment(c, Mode::Switch, Some(t), self.act_sched, self.cost_cs);
        } else {
            self.run(c, t);
        }
    }

    /// CPU `c` is free: softirq work first, then the run queue, else idle.
    pub(super) fn pick_next(&mut self, c: CpuId) {
        if self.cpus[c].softirq_pending > 0 {
            let work = std::mem::take(&mut self.cpus[c].softirq_pending);
            self.segment(c, Mode::Softirq, None, self.act_net, work);
            return;
        }
        if let Some(t) = self.pop_runnable_for(c) {
            self.dispatch(c, t);
            return;
        }
        self.set_cpu(c, Mode::Idle, None, self.act_idle);
        let cpu = &mut self.cpus[c];
        cpu.was_idle = true;
        if !cpu.in_idle_queue {
            cpu.in_idle_queue = true;
            self.idle_cpus.push_back(c);
        }
    }

    /// Thread `t` on CPU `c` leaves the CPU to sleep (voluntary switch).
    pub(super) fn block(&mut self, c: CpuId, t: ThreadId, dstate: bool) {
        self.block_for(c, t, dstate, None);
    }

    /// `block(c, t, dstate)` for a sleep whose reason the caller already knows (`None`: worked
    /// out from the thread's step, as `block` does).
    pub(super) fn block_for(
        &mut self,
        c: CpuId,
        t: ThreadId,
        dstate: bool,
        reason: Option<SleepReason>,
    ) {
        self.cs += 1;
        let th = &mut self.threads[t];
        th.state = St::Sleeping;
        th.dstate = dstate;
        let task = th.task as usize;
        self.task_acc[task].voluntary += 1;
        // The reason reads the thread's D state, set just above.
        let reason = reason.unwrap_or_else(|| self.sleep_reason(t));
        self.note_asleep(t, reason);
        self.set_runnable(-1);
        if dstate {
            self.set_blocked(1);
        }
        self.pick_next(c);
    }

    /// Wakes a sleeping thread after the wake-up latency.
    pub(super) fn wake(&mut self, t: ThreadId) {
        self.note_awake(t);
        let th = &mut self.threads[t];
        if th.dstate {
            th.dstate = false;
            self.set_blocked(-1);
        }
        let th = &mut self.threads[t];
        th.state = St::Waking;
        if self.cost_wake > 0 {
            self.push(self.cost_wake, EvKind::WakeLatencyOver { thread: t });
        } else {
            self.make_runnable(t);
        }
    }

    pub(super) fn draw(&mut self, mean_ns: f64, deterministic: bool) -> u64 {
        if mean_ns <= 0.0 {
            0
        } else if deterministic {
            round_ns(mean_ns)
        } else {
            self.rng.exp_ns(mean_ns)
        }
    }

    /// Enters step `pc` of thread `t`: sets the burst length for burst steps.
    pub(super) fn enter(&mut self, t: ThreadId, pc: u32) {
        let step = self.program_step(t, pc);
        let th = &mut self.threads[t];
        th.pc = pc;
        th.step = step;
        th.remaining = match step {
            Step::Pre => th.pre_ns,
            Step::Mid => th.compute_part,
            Step::Reclaim => th.reclaim_ns,
            // Not yet won: how long the loop runs is drawn each time it gets a CPU (`run`).
            Step::Retry => 1,
            _ => 0,
        };
    }

    #[inline]
    pub(super) fn step_of(&self, t: ThreadId) -> Step {
        let th = &self.threads[t];
        debug_assert_eq!(
            th.step,
            self.program_step(t, th.pc),
            "{t:?} at pc {}",
            th.pc
        );
        th.step
    }

    /// Runs thread `t` on CPU `c` from its current step until it starts a timed segment,
    /// spins, or sleeps.
    pub(super) fn run(&mut self, c: CpuId, t: ThreadId) {
        if self.throttle_on_cpu(c, t) {
            return;
        }
        loop {
            let step = self.step_of(t);
            match step {
                Step::Begin => {
                    let pc = self.begin_request(t);
                    self.enter(t, pc);
                }
                Step::Pre | Step::Mid | Step::Reclaim | Step::Retry => {
                    let mut rem = self.threads[t].remaining;
                    if step == Step::Retry && rem > 0 {
                        rem = self.retry_until_win(t);
                        self.threads[t].remaining = rem;
                    }
                    if rem == 0 {
                        let pc = self.threads[t].pc + 1;
                        self.enter(t, pc);
                        continue;
                    }
                    let act = match step {
                        Step::Pre => self.path_of(t).pre_act,
                        Step::Mid => self.path_of(t).mid_act,
                        Step::Reclaim => self.act_reclaim,
                        _ => self.workload_of(t).retry_act,
                    };
                    let slice_over = self.slice_over_at(c, self.threads[t].slice);
                    let left = slice_over.saturating_sub(self.now).max(1);
                    let len = rem.min(left);
                    self.segment(c, Mode::Run, Some(t), act, len);
                    return;
                }
                Step::Kswapd => {
                    let th = &self.threads[t];
                    if th.remaining == 0 {
                        // Burst over: sleep one period.
                        self.block(c, t, false);
                        self.push(KSWAPD_PERIOD_NS, EvKind::SleepOver { thread: t });
                        return;
                    }
                    let rem = th.remaining;
                    self.segment(c, Mode::Run, Some(t), self.act_kswapd, rem);
                    return;
                }
                Step::MajorFault => {
                    let th = &mut self.threads[t];
                    if !th.major {
                        let pc = th.pc + 1;
                        self.enter(t, pc);
                        continue;
                    }
                    th.major = false;
                    th.iowait_cpu = Some(c);
                    let task = th.task as usize;
                    self.task_acc[task].major_faults += 1;
                    self.swap_ins += 1;
                    self.owe_swap_out_for_swap_in(c);
                    self.charge(c);
                    self.cpus[c].nr_iowait += 1;
                    if self.disks.is_empty() {
                        self.push(150_000, EvKind::StandInIoDone { thread: t });
                    } else {
                        self.submit_io(Some(DiskId::new(0)), Some(t), c, false, 4);
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
                Step::Hold(_) | Step::HoldOn(_) => {
                    self.start_hold(c, t);
                    return;
                }
                Step::SyncWrite(j) => {
                    if self.sync_write(c, t, j) {
                        continue;
                    }
                    return;
                }
                Step::Unlock(_) => {
                    let goes_on = if self.threads[t].outer.is_some() {
                        self.unlock_outer(c, t)
                    } else {
                        self.unlock_after_sync(c, t)
                    };
                    if goes_on {
                        continue;
                    }
                    return;
                }
                Step::DiskRead => {
                    let path = self.path_of(t);
                    let (disk, kib) = (path.disk, path.io_kib);
                    let th = &mut self.threads[t];
                    if th.reads_left == 0 {
                        let pc = th.pc + 1;
                        self.enter(t, pc);
                        continue;
                    }
                    th.reads_left -= 1;
                    th.iowait_cpu = Some(c);
                    self.charge(c);
                    self.cpus[c].nr_iowait += 1;
                    self.submit_io(disk, Some(t), c, false, kib);
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

    /// Starts the hold of thread `t`'s critical section on CPU `c`: a timed segment of its
    /// hold time, running the lock class's holding activity.
    pub(super) fn start_hold(&mut self, c: CpuId, t: ThreadId) {
        let hold = self.threads[t].hold_ns.max(1);
        // A hold step follows the acquisition that set the thread's lock.
        let act = self.held_class(t).map_or(self.act_sched, |cl| cl.hold_act);
        self.segment(c, Mode::Hold, Some(t), act, hold);
    }

    /// Starts thread `t`'s new request: draws its path, whether it takes the path's reversed
    /// variant, and the path's costs; returns the program index the request goes on at.
    pub(super) fn begin_request(&mut self, t: ThreadId) -> u32 {
        let w = self.workload_id(t);
        let path = self.draw_path(w);
        self.threads[t].path = path;
        // The path's plan, looked up once for the whole start of the request.
        let wl = &self.workloads[w];
        let det = wl.deterministic;
        let p = wl.paths[usize::from(path)];
        let start_pc = self.choose_reversal(t, &p);
        let (compute, k) = (p.compute_ns, p.sections);
        let (fixed, allocs, packets, reads) = (p.pre_fixed_ns, p.page_allocs, p.packets, p.reads);
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
        self.page_allocs += u64::from(allocs);
        let task = self.threads[t].task as usize;
        self.task_acc[task].minor_faults += u64::from(allocs);
        let th = &mut self.threads[t];
        th.compute_part = part;
        th.pre_ns = part + fixed;
        th.reclaim_ns = reclaim;
        th.major = major;
        th.reads_left = reads;
        th.in_request = true;
        if packets > 0 {
            self.packets(packets);
        }
        start_pc
    }

    /// The CPU time thread `t`'s retry loop runs from now until an attempt wins. Any thread
    /// retrying beside it can invalidate an attempt, so the chance of a win falls with their
    /// number (more CPUs running the loop conflict more); the count of attempts is geometric,
    /// and as that has no memory it is drawn afresh, against the rivals of the moment, each
    /// time the loop gets a CPU.
    fn retry_until_win(&mut self, t: ThreadId) -> u64 {
        let Some((_, attempt, p)) = self.livelock else {
            return 0;
        };
        let p = livelock_win_chance(p, self.retrying_beside(t));
        let attempts = if p >= 1.0 {
            1.0
        } else {
            let u = self.rng.f64_open0();
            (u.ln() / (1.0 - p).ln()).floor() + 1.0
        };
        // `ns` bounds a hopeless draw at days, far beyond any stint on a CPU.
        ns(attempt * attempts).max(1)
    }

    /// Threads of `t`'s workload other than `t` on a CPU in their retry loop right now.
    fn retrying_beside(&self, t: ThreadId) -> u32 {
        let w = self.threads[t].workload;
        let mut n = 0;
        for cpu in &self.cpus {
            if let Some(other) = cpu.thread
                && other != t
                && self.threads[other].workload == w
                && self.step_of(other) == Step::Retry
            {
                n += 1;
            }
        }
        n
    }

    /// Network receive work for one request's packets on the RSS-selected interrupt CPU.
    pub(super) fn packets(&mut self, n: u32) {
        let q = self.rng.below(u64::from(self.rx_queues)) as usize;
        let c = self.irq_cpus[q % self.irq_cpus.len()];
        if self.interrupt_arrives(c) {
            return;
        }
        let work = self.cost_softirq * u64::from(n);
        let cpu = &mut self.cpus[c];
        cpu.packets += u64::from(n);
        if work == 0 {
            return;
        }
        cpu.softirq_pending += work;
        if cpu.mode == Mode::Idle {
            // An interrupt on an idle CPU runs its softirq at once.
            let work = std::mem::take(&mut cpu.softirq_pending);
            self.segment(c, Mode::Softirq, None, self.act_net, work);
        }
    }

    /// Returns true when the thread continues on the CPU at once (next request ready).
    pub(super) fn end_request(&mut self, c: CpuId, t: ThreadId) -> bool {
        let w = self.workload_id(t);
        let now = self.now;
        let path = self.path_of(t);
        let (writes, disk, kib) = (path.writes, path.disk, path.io_kib);
        for _ in 0..writes {
            self.submit_io(disk, None, c, true, kib);
        }
        self.count_completion(t, w, now);
        match self.workloads[w].arrivals {
            Arrivals::Closed { .. } if self.retired(t) => {
                self.park(Some(c), t);
                false
            }
            Arrivals::Closed { think_us } => {
                let det = self.workloads[w].deterministic;
                let think = self.draw(think_us * NS_PER_US, det);
                if think == 0 {
                    self.next_request(t, now);
                    return true;
                }
                self.enter(t, 0);
                self.block(c, t, false);
                self.push(think, EvKind::SleepOver { thread: t });
                false
            }
            Arrivals::Open { .. } | Arrivals::Pool { .. } => {
                if let Arrivals::Pool { think_us, .. } = self.workloads[w].arrivals {
                    // The user whose request this was thinks, then sends the next one.
                    let det = self.workloads[w].deterministic;
                    let think = self.draw(think_us * NS_PER_US, det);
                    let epoch = self.workloads[w].arrival_epoch;
                    self.push(think.max(1), EvKind::Arrival { workload: w, epoch });
                }
                if self.retired(t) {
                    self.park(Some(c), t);
                    return false;
                }
                if let Some(arrived) = self.workloads[w].queue.pop_front() {
                    if w == WorkloadId::new(0) {
                        self.queued += 1;
                        self.queue_wait_sum += exact_f64(now - arrived);
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

    /// Thread `t` of workload `w` finished the request under way (if any) at `now`: it leaves
    /// the system, and workload 0's latency is recorded.
    #[inline]
    pub(super) fn count_completion(&mut self, t: ThreadId, w: WorkloadId, now: u64) {
        let th = &mut self.threads[t];
        if !th.in_request {
            return;
        }
        th.in_request = false;
        self.thread_book.acc(t).requests += 1;
        let lat = now.saturating_sub(th.req_start);
        self.workloads[w].in_system.add(now, -1);
        if w == WorkloadId::new(0) {
            self.completed += 1;
            self.latency_sum += exact_f64(lat);
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

    #[inline]
    pub(super) fn next_request(&mut self, t: ThreadId, now: u64) {
        let w = self.workload_id(t);
        self.workloads[w].in_system.add(now, 1);
        self.next_request_at(t, now);
    }

    /// Starts a request that entered the system at `start` (already counted in `in_system`).
    pub(super) fn next_request_at(&mut self, t: ThreadId, start: u64) {
        let th = &mut self.threads[t];
        th.req_start = start;
        self.enter(t, 0);
    }

    pub(super) fn on_segment(&mut self, c: CpuId) {
        let cpu = &self.cpus[c];
        let (mode, len) = (cpu.mode, cpu.seg_len);
        let Some(t) = cpu.thread else {
            // Softirq work is the one segment no thread runs.
            if mode == Mode::Softirq {
                self.pick_next(c);
            }
            return;
        };
        match mode {
            Mode::Switch => self.run(c, t),
            Mode::Softirq => self.pick_next(c),
            Mode::BlockPrep => {
                if self.threads[t].granted {
                    self.note_handed_over(t);
                    self.run(c, t);
                } else {
                    let d = self.held_class(t).is_some_and(|class| class.dstate);
                    self.block(c, t, d);
                }
            }
            Mode::Hold => {
                if self.fused && self.hold_over_fused(c, t, len) {
                    return;
                }
                if let Step::HoldOn(_) = self.step_of(t) {
                    self.hold_on_done(c, t);
                    return;
                }
                if self.writes_under_lock && self.hold_continues_in_io(t) {
                    // The lock stays held through the write; `Unlock` releases it.
                    self.threads[t].hold_done += len;
                    let pc = self.threads[t].pc + 1;
                    self.enter(t, pc);
                    self.run(c, t);
                    return;
                }
                let held = len + std::mem::take(&mut self.threads[t].hold_done);
                let retry = self.release(c, t, held);
                if retry {
                    // Seqlock reader retry: run the read side again.
                    let hold = self.threads[t].hold_ns.max(1);
                    let act = self.cpus[c].act;
                    self.segment(c, Mode::Hold, Some(t), act, hold);
                    return;
                }
                if !self.step_past_release(c, t) {
                    self.run(c, t);
                }
            }
            Mode::Run => {
                let now = self.now;
                let th = &mut self.threads[t];
                th.remaining = th.remaining.saturating_sub(len);
                if th.workload.is_none() {
                    // kswapd burst over.
                    th.remaining = 0;
                    self.run(c, t);
                    return;
                }
                if th.remaining == 0 {
                    let pc = th.pc + 1;
                    self.enter(t, pc);
                }
                // The slice counts all time on the CPU (spinning and holding included); the
                // switch happens at the next preemptible point, here.
                if now < self.slice_over_at(c, self.threads[t].slice) {
                    self.run(c, t);
                } else if !self.has_runnable_for(c) {
                    self.threads[t].slice = now;
                    self.run(c, t);
                } else {
                    // Timeslice over with others waiting: involuntary switch.
                    self.involuntary_switch(t);
                    self.runq.push_back(t);
                    self.pick_next(c);
                }
            }
            Mode::Idle | Mode::Spin | Mode::Lockup => {}
        }
    }

    /// Whether the last release handed the lock to a sleeping waiter (the releaser then pays
    /// the futex/mutex wake path). Tracked through `last_wake`.
    pub(super) fn threads_woken_recently(&mut self) -> bool {
        std::mem::take(&mut self.woke_flag)
    }

    pub(super) fn on_sleep_over(&mut self, t: ThreadId) {
        if self.threads[t].workload.is_none() {
            // kswapd period.
            if self.inputs.pressure && self.inputs.kswapd_duty > 0.0 {
                let burst = (KSWAPD_PERIOD_NS as f64 * self.inputs.kswapd_duty.min(0.95)) as u64;
                let cpu = self.threads[t].cpu;
                self.write_swap_out(cpu, KSWAPD_PERIOD_NS);
                let th = &mut self.threads[t];
                th.remaining = burst.max(1);
                self.make_runnable(t);
            } else {
                self.threads[t].state = St::Sleeping;
                self.kswapd_armed = false;
            }
            return;
        }
        if self.retired(t) {
            // A user a deploy took away: its think time ends and it is gone.
            self.park(None, t);
            return;
        }
        // The think time is over: the thread's sleep ends here, as a lock waiter's does when
        // it is woken, so its sleep is counted as sleep and its epoll wait as a wait.
        self.note_awake(t);
        let now = self.now;
        self.next_request(t, now);
        self.make_runnable(t);
    }

    /// Thread `t` on CPU `c` has just released its lock: it steps past the critical section,
    /// and when the release woke a sleeping waiter the wake path runs first, as a Switch
    /// segment that resumes the thread after it. True when that segment was started.
    #[inline]
    pub(super) fn step_past_release(&mut self, c: CpuId, t: ThreadId) -> bool {
        // No lock (none taken yet) wakes nobody.
        let (spins, wake_act) = self
            .held_class(t)
            .map_or((true, self.act_sched), |cl| (cl.spins, cl.wake_act));
        let sleeper_woken = !spins && self.threads_woken_recently();
        let pc = self.threads[t].pc + 1;
        self.enter(t, pc);
        if sleeper_woken && self.cost_futex > 0 {
            self.segment(c, Mode::Switch, Some(t), wake_act, self.cost_futex);
            return true;
        }
        false
    }

    pub(super) fn on_arrival(&mut self, w: WorkloadId) {
        let now = self.now;
        let wl = &mut self.workloads[w];
        if let Arrivals::Open { rate_per_s } = wl.arrivals {
            let d = self.rng.exp_ns(1e9 / rate_per_s);
            let epoch = wl.arrival_epoch;
            self.push(d.max(1), EvKind::Arrival { workload: w, epoch });
        }
        let wl = &mut self.workloads[w];
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
}

#[cfg(test)]
mod tests {
    use super::{Engine, first_tick_from};
    use crate::content::load_catalog;
    use crate::domain::{IncidentId, Seed};

    #[test]
    fn each_cpu_ticks_at_a_phase_of_its_own_drawn_from_the_seed() {
        let catalog = load_catalog(&[]).expect("shipped content loads");
        let incident = &catalog.incidents[&IncidentId::from("runqueue-contention")];
        let phases = |seed| {
            let engine = Engine::new(incident, Seed(seed));
            let tick = engine.tick_ns;
            let phases: Vec<u64> = engine
                .cpus
                .into_vec()
                .iter()
                .map(|c| c.tick_phase)
                .collect();
            assert!(phases.iter().all(|&p| p < tick), "{phases:?} within {tick}");
            phases
        };
        let first = phases(1);
        let mut distinct = first.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > first.len() / 2, "{first:?}");
        assert_eq!(first, phases(1));
        assert_ne!(first, phases(2));
    }

    #[test]
    fn a_slice_ends_on_its_cpus_next_tick() {
        // HZ=1000, this CPU ticking 250 µs into each millisecond.
        let (tick, phase) = (1_000_000, 250_000);
        assert_eq!(first_tick_from(3_000_000, phase, tick), 3_250_000);
        assert_eq!(first_tick_from(3_250_000, phase, tick), 3_250_000);
        assert_eq!(first_tick_from(3_250_001, phase, tick), 4_250_000);
        assert_eq!(first_tick_from(100, phase, tick), 250_000);
        // Another CPU's phase: the same slice ends elsewhere.
        assert_eq!(first_tick_from(3_000_000, 700_000, tick), 3_700_000);
    }

    #[test]
    fn without_a_tick_or_an_end_the_slice_ends_when_due() {
        assert_eq!(first_tick_from(3_000_000, 0, 0), 3_000_000);
        assert_eq!(first_tick_from(u64::MAX, 250_000, 1_000_000), u64::MAX);
    }
}
