//! CPU bandwidth control of cgroup v2 (`cpu.max`), as the CFS bandwidth controller applies it:
//! each period the cgroup's threads may use at most `quota` of CPU time summed over all CPUs;
//! once they have, every thread of the cgroup is throttled — taken off the CPUs at the next
//! preemptible point and off the run queue — until the period timer refills the quota, however
//! idle the other CPUs are.
//!
//! How the model follows the kernel: usage is charged as CPU time is charged (user and system,
//! steal excluded); the quota is checked at the moment the threads running now would exhaust
//! it, and at least every millisecond (the tick), so a group overruns by at most what its
//! CPUs run between two checks; an overrun is carried into the next period, as the kernel's
//! negative runtime is. Throttled threads stay `R` to `ps` but leave `procs_running`, and
//! their time off the CPU counts as run-queue wait (schedstat's run delay, and so CPU
//! pressure). `throttled_usec` sums the time each throttled CPU's run queue spent throttled,
//! as the kernel's per-CPU accounting does, so it grows faster than the wall clock when
//! several CPUs were running the group. `nr_periods` counts the periods in which the group
//! used CPU or was throttled (the period timer idles otherwise) and `nr_throttled` those that
//! ended throttled or throttled during them.

use super::*;

/// The longest stretch between two quota checks: one tick at HZ=1000.
const CHECK_EVERY_NS: u64 = 1_000_000;
/// The shortest one, so a nearly exhausted quota cannot schedule checks nanoseconds apart.
const MIN_CHECK_NS: u64 = 1_000;

/// One cgroup's bandwidth state.
#[derive(Debug, Clone)]
pub(super) struct Group {
    workload: WorkloadId,
    /// `None`: `max`, the group is only accounted.
    quota_ns: Option<f64>,
    period_ns: u64,
    /// CPU time used since the current period began, less the quota of earlier periods' overrun.
    used_ns: f64,
    throttled_since: Option<u64>,
    /// Threads taken off the CPUs and the run queue while throttled, in the order they left.
    parked: Vec<ThreadId>,
    /// The group used CPU in the current period.
    active: bool,
    throttled_this_period: bool,
    /// Stale-event guard for quota checks: a throttle or refill starts a new chain of checks.
    check_epoch: u32,
    acc: CgroupAcc,
}

/// One workload's cgroup counters over a window (zero for a workload in the root cgroup).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct CgroupAcc {
    pub user_ns: f64,
    pub system_ns: f64,
    /// Periods elapsed with the period timer active, and those that saw throttling.
    pub periods: u64,
    pub throttled_periods: u64,
    /// Throttled time summed over the CPUs whose run queues were throttled.
    pub throttled_ns: f64,
    /// Wall time during which the group was throttled.
    pub throttled_wall_ns: u64,
    /// Run-queue wait of the group's threads (throttled time included), summed over them.
    pub wait_ns: u64,
}

impl Group {
    pub(super) fn new(workload: WorkloadId, cgroup: &Cgroup) -> Self {
        Self {
            workload,
            quota_ns: cgroup.quota_us.map(|q| q as f64 * NS_PER_US),
            period_ns: cgroup.period_us.max(1).saturating_mul(1000),
            used_ns: 0.0,
            throttled_since: None,
            parked: Vec::new(),
            active: false,
            throttled_this_period: false,
            check_epoch: 0,
            acc: CgroupAcc::default(),
        }
    }
}

impl Engine {
    /// Starts each limited group's period timer and its quota checks. The timer runs half a
    /// period out of phase with engine time 0: the model's windows are whole periods from 0,
    /// so each period ends inside the window that simulated it and its throttled time and its
    /// count land in the same second.
    pub(super) fn start_bandwidth(&mut self) {
        for g in self.groups.ids() {
            if self.groups[g].quota_ns.is_some() {
                let period = self.groups[g].period_ns;
                self.push(period / 2, EvKind::BandwidthRefill { group: g });
                self.push(
                    CHECK_EVERY_NS,
                    EvKind::BandwidthCheck { group: g, epoch: 0 },
                );
            }
        }
    }

    /// The group of thread `t`'s workload, if it runs in a cgroup.
    #[inline]
    fn group_of(&self, t: ThreadId) -> Option<GroupId> {
        if self.groups.is_empty() {
            // No cgroup with bandwidth state: skip the thread's and workload's lookups.
            return None;
        }
        self.workloads.get(self.threads[t].workload?)?.group
    }

    /// Charges CPU time that thread `t` just used to its group.
    #[inline]
    pub(super) fn charge_group(&mut self, t: ThreadId, user: f64, system: f64) {
        if let Some(g) = self.group_of(t) {
            let group = &mut self.groups[g];
            group.used_ns += user + system;
            group.acc.user_ns += user;
            group.acc.system_ns += system;
            group.active = true;
        }
    }

    fn is_throttled(&self, t: ThreadId) -> bool {
        self.group_of(t)
            .is_some_and(|g| self.groups[g].throttled_since.is_some())
    }

    /// A thread becoming runnable while its group is throttled waits off the run queue.
    /// Returns whether it was parked.
    #[inline]
    pub(super) fn park_if_throttled(&mut self, t: ThreadId) -> bool {
        let Some(g) = self.group_of(t) else {
            return false;
        };
        if self.groups[g].throttled_since.is_none() {
            return false;
        }
        self.threads[t].state = St::Throttled;
        self.groups[g].parked.push(t);
        true
    }

    /// Called where a running thread would go on running (`run`): a thread of a throttled
    /// group leaves the CPU instead, unless it is inside a kernel critical section, which runs
    /// to its end with preemption off. Returns whether it left.
    #[inline]
    pub(super) fn throttle_on_cpu(&mut self, c: CpuId, t: ThreadId) -> bool {
        if !self.is_throttled(t) || self.in_kernel_critical_section(t) {
            return false;
        }
        self.involuntary_switch(t);
        self.park_runnable(t);
        self.pick_next(c);
        true
    }

    fn in_kernel_critical_section(&self, t: ThreadId) -> bool {
        match self.step_of(t) {
            Step::Hold(_) => self.held_class(t).is_some_and(|class| !class.user),
            _ => false,
        }
    }

    /// Thread `t`, counted runnable, leaves the run-queue count for the group's parked list.
    fn park_runnable(&mut self, t: ThreadId) {
        self.set_runnable(-1);
        if let Some(g) = self.group_of(t) {
            self.threads[t].state = St::Throttled;
            self.groups[g].parked.push(t);
        }
    }

    pub(super) fn on_bandwidth_check(&mut self, g: GroupId, epoch: u32) {
        let group = &self.groups[g];
        let Some(quota) = group.quota_ns else { return };
        if group.check_epoch != epoch || group.throttled_since.is_some() {
            return;
        }
        let mut running = 0u32;
        for c in self.cpus.ids() {
            if self.cpus[c]
                .thread
                .is_some_and(|t| self.group_of(t) == Some(g))
            {
                self.charge(c);
                running += 1;
            }
        }
        let left = quota - self.groups[g].used_ns;
        if left <= 0.0 {
            self.throttle(g);
            return;
        }
        let next = if running == 0 {
            CHECK_EVERY_NS
        } else {
            ((left / f64::from(running)).ceil() as u64).clamp(MIN_CHECK_NS, CHECK_EVERY_NS)
        };
        self.push(next, EvKind::BandwidthCheck { group: g, epoch });
    }

    /// The group's quota is spent: off the run queue and off every CPU at a preemptible point.
    fn throttle(&mut self, g: GroupId) {
        let now = self.now;
        let group = &mut self.groups[g];
        group.throttled_since = Some(now);
        group.throttled_this_period = true;
        group.check_epoch = group.check_epoch.wrapping_add(1);
        // The run queue first, so the CPUs freed below do not pick the group's threads.
        let mut queued = Vec::new();
        self.runq.retain(|&t| {
            let mine = self.threads[t].workload == Some(self.groups[g].workload);
            if mine {
                queued.push(t);
            }
            !mine
        });
        for t in queued {
            self.park_runnable(t);
        }
        for c in self.cpus.ids() {
            let in_group = self.cpus[c]
                .thread
                .is_some_and(|t| self.group_of(t) == Some(g));
            if !in_group || !self.cpu_preemptible(c) {
                continue;
            }
            let Some(t) = self.cut_segment(c) else {
                continue;
            };
            self.involuntary_switch(t);
            self.park_runnable(t);
            self.pick_next(c);
        }
    }

    /// The period timer: refill the quota, unthrottle, count the period.
    pub(super) fn on_bandwidth_refill(&mut self, g: GroupId) {
        let Some(quota) = self.groups[g].quota_ns else {
            return;
        };
        let period = self.groups[g].period_ns;
        self.push(period, EvKind::BandwidthRefill { group: g });
        // Usage up to this instant belongs to the period that ends now.
        for c in self.cpus.ids() {
            if self.cpus[c]
                .thread
                .is_some_and(|t| self.group_of(t) == Some(g))
            {
                self.charge(c);
            }
        }
        let group = &mut self.groups[g];
        if group.active || group.throttled_since.is_some() {
            group.acc.periods += 1;
            if group.throttled_this_period {
                group.acc.throttled_periods += 1;
            }
        }
        group.active = false;
        group.used_ns = (group.used_ns - quota).max(0.0);
        if group.used_ns >= quota {
            // An overrun of a whole period: still throttled through the next one.
            group.throttled_this_period = group.throttled_since.is_some();
            return;
        }
        group.throttled_this_period = false;
        if group.throttled_since.is_some() {
            self.close_throttled_stretch(g);
            self.groups[g].throttled_since = None;
            let parked = std::mem::take(&mut self.groups[g].parked);
            for &t in &parked {
                self.place_runnable(t);
            }
            // Keep the list's allocation for the next throttle.
            let mut parked = parked;
            parked.clear();
            self.groups[g].parked = parked;
        }
        let group = &mut self.groups[g];
        group.check_epoch = group.check_epoch.wrapping_add(1);
        let epoch = group.check_epoch;
        self.push(MIN_CHECK_NS, EvKind::BandwidthCheck { group: g, epoch });
    }

    /// Adds the throttled stretch up to now to the counters and restarts it at now.
    fn close_throttled_stretch(&mut self, g: GroupId) {
        let now = self.now;
        let Some(since) = self.groups[g].throttled_since else {
            return;
        };
        let mut cpus: Vec<CpuId> = self.groups[g]
            .parked
            .iter()
            .map(|&t| self.threads[t].cpu)
            .collect();
        cpus.sort_unstable();
        cpus.dedup();
        let wall = now - since;
        let group = &mut self.groups[g];
        group.acc.throttled_wall_ns += wall;
        group.acc.throttled_ns += wall as f64 * cpus.len().max(1) as f64;
        group.throttled_since = Some(now);
    }

    /// Closes the window's cgroup counters, one entry per workload.
    pub(super) fn take_cgroup_acc(&mut self, threads: &[ThreadAcc]) -> Vec<CgroupAcc> {
        let mut out = vec![CgroupAcc::default(); self.workloads.len()];
        for g in self.groups.ids() {
            self.close_throttled_stretch(g);
            let w = self.groups[g].workload;
            let mut acc = std::mem::take(&mut self.groups[g].acc);
            acc.wait_ns = threads
                .get(self.workloads[w].pool())
                .map_or(0, |ts| ts.iter().map(|a| a.wait).sum());
            out[w.index()] = acc;
        }
        out
    }
}
