//! Critical sections that block: a section that ends with a synchronous write (`write()` into
//! the page cache, then `fdatasync`/`fsync`) sleeps in D state until the device completes the
//! write, and keeps its lock through the wait unless the write was moved out of the lock.
//!
//! The holder's CPU part is the section's `Hold` segment; then `SyncWrite` submits one device
//! write through the disk model (`io`), counts the CPU it left in iowait and blocks the thread
//! uninterruptibly; the completion wakes it, and `Unlock` releases the lock once it runs again,
//! as `pthread_mutex_unlock` after the flush returns does. Waiters keep waiting the way their
//! lock kind makes them wait (a futex sleep for a user-space mutex, the kernel mutex's D sleep),
//! so with one writer in flight the lock's throughput is one over the hold time, the hold time
//! is about the device's write latency, and the device never sees more than one write queued.

use super::*;
use crate::domain::SyncWrite;

/// A critical section's synchronous write as the engine runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SyncPlan {
    pub disk: DiskId,
    pub kib: u32,
    pub kind: SyncKind,
    pub under_lock: bool,
}

impl SyncPlan {
    /// None for a disk the machine lacks (validation rejects it; the engine stays total).
    pub fn new(io: &SyncWrite, disks: usize) -> Option<Self> {
        (io.disk < disks).then_some(Self {
            disk: DiskId::from_index(io.disk),
            kib: io.kib.max(1),
            kind: io.kind,
            under_lock: io.under_lock,
        })
    }
}

impl Engine {
    /// The synchronous write of section `j`, if that section has one.
    pub(super) fn sync_plan(&self, t: ThreadId, j: u16) -> Option<SyncPlan> {
        self.workloads
            .get(self.threads[t].workload?)?
            .cs_io
            .get(j as usize)
            .copied()
            .flatten()
    }

    /// Whether the hold of thread `t`, whose CPU part just ended, goes on through a
    /// synchronous write before the lock is released.
    pub(super) fn hold_continues_in_io(&self, t: ThreadId) -> bool {
        match self.step_of(t) {
            Step::Hold(j) => self.sync_plan(t, j).is_some_and(|io| io.under_lock),
            _ => false,
        }
    }

    /// Step `SyncWrite(j)` on CPU `c`: submits the write and sleeps on it (returns false), or,
    /// when the thread runs again after the completion, moves on (returns true).
    pub(super) fn sync_write(&mut self, c: CpuId, t: ThreadId, j: u16) -> bool {
        let th = &mut self.threads[t];
        if std::mem::take(&mut th.sync_pending) {
            let pc = th.pc + 1;
            self.enter(t, pc);
            return true;
        }
        let Some(io) = self.sync_plan(t, j) else {
            let pc = self.threads[t].pc + 1;
            self.enter(t, pc);
            return true;
        };
        let now = self.now;
        let th = &mut self.threads[t];
        th.sync_pending = true;
        th.sync_since = now;
        th.iowait_cpu = Some(c);
        self.charge(c);
        self.cpus[c].nr_iowait += 1;
        self.submit_io(Some(io.disk), Some(t), c, true, io.kib);
        self.block(c, t, true);
        false
    }

    /// Step `Unlock(j)` on CPU `c`: the write is done; releases the lock held since the
    /// section began (its CPU part plus the wait for the device). Returns true when the thread
    /// goes on at once, false when it first runs the wake path of a waiter it handed over to.
    pub(super) fn unlock_after_sync(&mut self, c: CpuId, t: ThreadId) -> bool {
        let now = self.now;
        let th = &mut self.threads[t];
        let held = std::mem::take(&mut th.hold_done) + now.saturating_sub(th.sync_since);
        // A seqlock reader never reaches here (validation allows writes only under locks whose
        // holders may sleep), so there is no read-side retry to run.
        let _ = self.release(c, t, held);
        !self.step_past_release(c, t)
    }
}
