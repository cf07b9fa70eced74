//! Disks as M/M/c stations: submission, queueing, service, completion and the waiter's
//! wake-up out of D state (its CPU's iowait ends).

use super::*;

impl Engine {
    pub(super) fn submit_io(&mut self, disk: u32, thread: u32, cpu: u32, write: bool, kib: u32) {
        if disk == NONE || disk as usize >= self.disks.len() {
            if thread != NONE {
                self.push(100_000, EvKind::StandInIoDone { thread });
            }
            return;
        }
        let now = self.now;
        let d = &mut self.disks[disk as usize];
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

    pub(super) fn start_io(&mut self, disk: u32, slot: u32) {
        let now = self.now;
        let svc = match self.inputs.disk_spike {
            Some((slow, factor)) if slow == disk => self.disks[disk as usize].svc_ns * factor,
            _ => self.disks[disk as usize].svc_ns,
        };
        let d = &mut self.disks[disk as usize];
        if d.busy == 0 {
            d.busy_area.add(now, 1);
        }
        d.busy += 1;
        let s = self.rng.exp(svc).round() as u64;
        self.push(s.max(1), EvKind::DiskDone { disk, slot });
    }

    pub(super) fn io_done(&mut self, disk: u32, slot: u32) {
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
        if let Some(c) = self.cpus.get_mut(req.cpu as usize) {
            c.block_done += 1;
        }
        if let Some(s) = next {
            self.start_io(disk, s);
        }
        if req.thread != NONE {
            self.io_wake(req.thread);
        }
    }

    pub(super) fn io_wake(&mut self, t: u32) {
        let c = self.threads[t as usize].iowait_cpu;
        if c != NONE {
            self.charge(c);
            let cpu = &mut self.cpus[c as usize];
            cpu.nr_iowait = cpu.nr_iowait.saturating_sub(1);
            self.threads[t as usize].iowait_cpu = NONE;
        }
        self.wake(t);
    }
}
