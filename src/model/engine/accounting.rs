//! Where time goes: charging each CPU's elapsed time to its activity (user, system, irq,
//! softirq, iowait, idle, steal) and to the running thread's task, timed segments, the
//! run-queue and D-state areas, and closing a window into its raw counters.

use super::*;

/// One CPU's working time in a window by kind, nanoseconds (fractional: an activity's time
/// splits over the kinds by its category's shares).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct WorkNs {
    pub user: f64,
    pub system: f64,
    pub irq: f64,
    pub softirq: f64,
}

/// Where one CPU's time went in a window, nanoseconds: working (by kind), idle with or without
/// IO in flight from it, and stolen by the hypervisor. The four add up to the window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct CpuNs {
    /// Steal excluded.
    pub work: WorkNs,
    pub idle: u64,
    pub iowait: u64,
    pub steal: f64,
}

/// One CPU over a window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct CpuWindow {
    pub time: CpuNs,
    /// NIC packets it took.
    pub packets: u64,
    /// Disk IOs it issued that completed in the window.
    pub block_done: u64,
    /// At the window's end: the interrupt context it is stuck in, if any.
    pub stuck: Option<crate::domain::IrqContext>,
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

/// `x as f64`, the same value for every `x`, in the one instruction x86-64 has for a signed
/// conversion whenever `x` fits an `i64` (always, for nanoseconds and counts): the unsigned
/// conversion is a branchy sequence of several, and the engine converts on every event.
#[inline]
pub(super) fn exact_f64(x: u64) -> f64 {
    match i64::try_from(x) {
        Ok(signed) => signed as f64,
        Err(_) => x as f64,
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Area {
    value: u64,
    last: u64,
    area: f64,
}

impl Area {
    #[inline]
    pub(super) fn add(&mut self, now: u64, delta: i64) {
        self.area += exact_f64(self.value) * exact_f64(now - self.last);
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
    pub(super) fn close(&mut self, now: u64) -> f64 {
        self.area += exact_f64(self.value) * exact_f64(now - self.last);
        self.last = now;
        std::mem::take(&mut self.area)
    }
}

impl Engine {
    pub(super) fn collect(&mut self, start: u64, end: u64, events: u64) -> WindowStats {
        for c in self.cpus.ids() {
            self.charge(c);
        }
        let now = self.now;
        let stats = WindowStats {
            start_ns: start,
            len_ns: end - start,
            events,
            cpus: self
                .cpus
                .iter_mut()
                .map(|c| CpuWindow {
                    time: std::mem::take(&mut c.time),
                    packets: std::mem::take(&mut c.packets),
                    block_done: std::mem::take(&mut c.block_done),
                    stuck: c.stuck,
                })
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
            threads: self.take_thread_acc(),
            cgroups: Vec::new(),
            completed: std::mem::take(&mut self.completed),
            latency_sum_ns: std::mem::take(&mut self.latency_sum),
            in_system_area: self
                .workloads
                .iter_mut()
                .next()
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
        let mut stats = stats;
        stats.cgroups = self.take_cgroup_acc(&stats.threads);
        stats
    }

    #[inline]
    pub(super) fn charge(&mut self, c: CpuId) {
        let now = self.now;
        let cpu = &mut self.cpus[c];
        let e = now - cpu.since;
        cpu.since = now;
        if e == 0 {
            return;
        }
        let time = &mut cpu.time;
        if cpu.mode == Mode::Idle {
            if cpu.nr_iowait > 0 {
                time.iowait += e;
            } else {
                time.idle += e;
            }
            return;
        }
        let e = exact_f64(e);
        // Without steal the three operations below are `w = e` and `steal += 0`, exactly.
        let steal = self.inputs.steal;
        let w = if steal == 0.0 {
            e
        } else {
            let st = e * steal;
            time.steal += st;
            e - st
        };
        let cat = self.acts[cpu.act as usize].category;
        // The user share is computed once for the CPU, the task, the thread and the cgroup
        // (the same product each time); their system share is everything else but interrupt
        // time. As under IRQ time accounting, a hard or soft interrupt's time is the CPU's
        // %irq/%soft only: the thread it interrupted (still `cpu.thread`, as a holder under a
        // stuck handler is) is not charged for it, and its cgroup's quota is not spent on it.
        let user = w * cat.user;
        time.work.user += user;
        time.work.system += w * cat.system;
        time.work.irq += w * cat.irq;
        time.work.softirq += w * cat.softirq;
        self.act_ns[cpu.act as usize] += w;
        if let Some(t) = cpu.thread {
            let system = w * (1.0 - cat.user - cat.irq - cat.softirq).max(0.0);
            let task = self.threads[t].task as usize;
            let acc = &mut self.task_acc[task];
            acc.user += user;
            acc.system += system;
            let acc = self.thread_book.acc(t);
            acc.user += user;
            acc.system += system;
            self.charge_group(t, user, system);
        }
    }

    /// Wall time a CPU needs for `work` ns under the current steal.
    #[inline]
    pub(super) fn stretch(&self, work: u64) -> u64 {
        if self.inputs.steal > 0.0 {
            (work as f64 / (1.0 - self.inputs.steal)).ceil() as u64
        } else {
            work
        }
    }

    pub(super) fn set_cpu(&mut self, c: CpuId, mode: Mode, thread: Option<ThreadId>, act: u32) {
        self.charge(c);
        let cpu = &mut self.cpus[c];
        cpu.mode = mode;
        cpu.thread = thread;
        cpu.act = act;
    }

    /// Starts a timed segment on CPU `c` of `work` ns.
    pub(super) fn segment(
        &mut self,
        c: CpuId,
        mode: Mode,
        thread: Option<ThreadId>,
        act: u32,
        work: u64,
    ) {
        self.set_cpu(c, mode, thread, act);
        let wall = self.stretch(work);
        let now = self.now;
        let cpu = &mut self.cpus[c];
        cpu.seg_start = now;
        cpu.seg_len = work;
        cpu.epoch = cpu.epoch.wrapping_add(1);
        let g = cpu.epoch;
        self.push(wall, EvKind::SegmentEnd { cpu: c, epoch: g });
    }

    pub(super) fn set_runnable(&mut self, delta: i64) {
        let now = self.now;
        self.runnable.add(now, delta);
    }

    pub(super) fn set_blocked(&mut self, delta: i64) {
        let now = self.now;
        self.blocked.add(now, delta);
    }
}

#[cfg(test)]
mod tests {
    use super::exact_f64;

    #[test]
    fn exact_f64_is_the_plain_conversion_for_every_magnitude() {
        let edges = [
            0,
            1,
            (1 << 53) - 1,
            (1 << 53) + 1,
            (1 << 62) + 12_345,
            i64::MAX as u64,
            1 << 63,
            (1 << 63) + 1025,
            u64::MAX,
        ];
        for x in edges {
            assert_eq!(exact_f64(x).to_bits(), (x as f64).to_bits(), "{x}");
        }
    }
}
