//! Disks as M/M/c stations: submission, queueing, service, completion and the waiter's
//! wake-up out of D state (its CPU's iowait ends). Swap-out is written here too: reclaim owes
//! the swap device (the first disk) a page for each page swapped back in and a trickle
//! besides, and reclaim writes what is owed in batches through the same queue as every other
//! IO, so the swap traffic queues behind reads and they behind it.

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
    /// Swap-out written: counted as the writes are issued, as the kernel counts `pswpout`
    /// (so `so` stops with reclaim even while its last writes are still on the device, which
    /// `write_kib` counts as they complete).
    pub swap_out_kib: u64,
    pub inflight_area: f64,
    pub busy_area: f64,
}

/// Pages written to swap per page swapped in: reclaim frees a page for each one faulted back,
/// and writes a few colder pages out besides.
const SWAP_OUT_PER_SWAP_IN: f64 = 1.05;
/// KiB a second kswapd writes to swap under pressure whatever the swap-ins (colder anonymous
/// pages it finds while scanning).
const SWAP_OUT_BACKGROUND_KIB_PER_S: f64 = 256.0;
/// The most reclaim writes in one request: a batch of `SWAP_CLUSTER_MAX` (32) pages, merged.
const SWAP_WRITE_MAX_KIB: f64 = 128.0;
/// How long reclaim gathers pages before writing what it owes (a full batch goes at once).
/// Writing every page alone would make a slow disk's swap traffic many times its real IO
/// count.
const SWAP_GATHER_NS: u64 = 25_000_000;
/// A page.
const PAGE_KIB: f64 = 4.0;

/// Swap-out owed and not yet written, carried from window to window so that the writes follow
/// the swap-ins on average however short a window is.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SwapWriter {
    owed_kib: f64,
    last_write: u64,
    /// The current window's length: a window shorter than the gathering time stands for a
    /// whole second all the same, so reclaim writes at least twice in it rather than leaving
    /// its swap-out to a later window.
    pub(super) window_ns: u64,
}

impl SwapWriter {
    /// Whether what is owed is due at `now`: a full batch, or some whole page once the
    /// gathering time (at most half the window) has passed since the last write.
    fn due(&self, now: u64) -> bool {
        let gather = SWAP_GATHER_NS.min(self.window_ns / 2);
        self.owed_kib >= SWAP_WRITE_MAX_KIB
            || (self.owed_kib >= PAGE_KIB && now.saturating_sub(self.last_write) >= gather)
    }
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
        let req = IoReq {
            thread,
            cpu,
            write,
            issued: self.now,
            kib,
        };
        self.enqueue_io(disk, req);
    }

    /// A page was swapped in on CPU `cpu`: reclaim owes the swap device the page it frees for
    /// it (while the window swaps out at all: under pressure, with swap configured), and the
    /// faulting thread's own reclaim writes what is owed when it is due.
    pub(super) fn owe_swap_out_for_swap_in(&mut self, cpu: CpuId) {
        if self.inputs.swap_out {
            self.swap_writer.owed_kib += PAGE_KIB * SWAP_OUT_PER_SWAP_IN;
            self.flush_swap_out(cpu);
        }
    }

    /// kswapd starts a reclaim period of `period_ns` on CPU `cpu`: it owes the period's
    /// background swap-out and writes what is owed when it is due.
    pub(super) fn write_swap_out(&mut self, cpu: CpuId, period_ns: u64) {
        if self.inputs.swap_out {
            self.swap_writer.owed_kib += SWAP_OUT_BACKGROUND_KIB_PER_S * period_ns as f64 / 1e9;
            self.flush_swap_out(cpu);
        }
    }

    /// Writes the whole pages owed to the swap device (the first disk) from CPU `cpu` when they
    /// are due, in requests of at most a batch, each an IO nobody waits for (write-back).
    fn flush_swap_out(&mut self, cpu: CpuId) {
        let now = self.now;
        if self.disks.is_empty() || !self.swap_writer.due(now) {
            return;
        }
        self.swap_writer.last_write = now;
        while self.swap_writer.owed_kib >= PAGE_KIB {
            let owed = self.swap_writer.owed_kib.min(SWAP_WRITE_MAX_KIB);
            let kib = (owed / PAGE_KIB).floor() * PAGE_KIB;
            self.swap_writer.owed_kib -= kib;
            let req = IoReq {
                thread: None,
                cpu,
                write: true,
                issued: now,
                kib: kib as u32,
            };
            self.disk_acc[0].swap_out_kib += u64::from(req.kib);
            self.enqueue_io(DiskId::new(0), req);
        }
    }

    /// Queues `req` on `disk` (a disk the machine has), starting it at once when a server is
    /// free.
    fn enqueue_io(&mut self, disk: DiskId, req: IoReq) {
        let now = self.now;
        let d = &mut self.disks[disk];
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
