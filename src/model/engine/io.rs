//! Disks as M/M/c stations: submission, queueing, service, completion and the waiter's
//! wake-up out of D state (its CPU's iowait ends).

use super::*;

#[derive(Debug, Clone, Copy)]
pub(super) struct IoReq {
    /// The thread asleep on it; `None` for a write nobody waits for.
    pub(super) thread: Option<ThreadId>,
    /// The CPU that issued it.
    pub(super) cpu: CpuId,
    pub(super) write: bool,
    pub(super) issued: u64,
    pub(super) kib: u32,
}

#[derive(Debug, Clone)]
pub(super) struct DiskSt {
    pub(super) servers: u32,
    pub(super) busy: u32,
    pub(super) svc_ns: f64,
    pub(super) queue: VecDeque<u32>,
    pub(super) slots: Vec<IoReq>,
    pub(super) free: Vec<u32>,
    pub(super) inflight: Area,
    pub(super) busy_area: Area,
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

impl Engine {
    /// Submits an IO to `disk` for `thread`, which sleeps on it (`None`: nobody waits). An IO
    /// to a disk the machine lacks completes after a fixed latency instead.
    pub(super) fn submit_io(
        &mut self,
        disk: Option<DiskId>,
        thread: Option<ThreadId>,
        cpu: CpuId,
        write: bool,
        kib: u32,
    ) {
        let Some(disk) = disk.filter(|&d| self.disks.get(d).is_some()) else {
            if let Some(thread) = thread {
                self.push(100_000, EvKind::StandInIoDone { thread });
            }
            return;
        };
        let now = self.now;
        let d = &mut self.disks[disk];
        let req = IoReq {
            thread,
            cpu,
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

    pub(super) fn start_io(&mut self, disk: DiskId, slot: u32) {
        let now = self.now;
        let svc = match self.inputs.disk_spike {
            Some((slow, factor)) if slow == disk.get() => self.disks[disk].svc_ns * factor,
            _ => self.disks[disk].svc_ns,
        };
        let d = &mut self.disks[disk];
        if d.busy == 0 {
            d.busy_area.add(now, 1);
        }
        d.busy += 1;
        let s = self.rng.exp(svc).round() as u64;
        self.push(s.max(1), EvKind::DiskDone { disk, slot });
    }

    pub(super) fn io_done(&mut self, disk: DiskId, slot: u32) {
        let now = self.now;
        let d = &mut self.disks[disk];
        let req = d.slots[slot as usize];
        d.free.push(slot);
        d.busy -= 1;
        if d.busy == 0 {
            d.busy_area.add(now, -1);
        }
        d.inflight.add(now, -1);
        let next = d.queue.pop_front();
        let acc = &mut self.disk_acc[disk.index()];
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
        self.cpus[req.cpu].block_done += 1;
        if let Some(s) = next {
            self.start_io(disk, s);
        }
        if let Some(t) = req.thread {
            self.io_wake(t);
        }
    }

    pub(super) fn io_wake(&mut self, t: ThreadId) {
        if let Some(c) = self.threads[t].iowait_cpu.take() {
            self.charge(c);
            let cpu = &mut self.cpus[c];
            cpu.nr_iowait = cpu.nr_iowait.saturating_sub(1);
        }
        self.wake(t);
    }
}
