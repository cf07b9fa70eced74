//! Where time goes: charging each CPU's elapsed time to its activity (user, system, irq,
//! softirq, iowait, idle, steal) and to the running thread's task, timed segments, the
//! run-queue and D-state areas, and closing a window into its raw counters.

use super::*;

impl Engine {
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
        let e = e as f64;
        let st = e * self.inputs.steal;
        let w = e - st;
        time.steal += st;
        let cat = self.acts[cpu.act as usize].category;
        time.work.user += w * cat.user;
        time.work.system += w * cat.system;
        time.work.irq += w * cat.irq;
        time.work.softirq += w * cat.softirq;
        self.act_ns[cpu.act as usize] += w;
        if let Some(t) = cpu.thread {
            let task = self.threads[t].task as usize;
            let acc = &mut self.task_acc[task];
            acc.user += w * cat.user;
            acc.system += w * (1.0 - cat.user);
            let acc = &mut self.thread_book.acc[t];
            acc.user += w * cat.user;
            acc.system += w * (1.0 - cat.user);
            self.charge_group(t, w * cat.user, w * (1.0 - cat.user));
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
