//! What the kernel logs about an ABBA deadlock the engine formed: hung-task reports for the
//! threads asleep in D state on its kernel locks (each stack shows the lock it waits in, and
//! below it the code that took the lock it holds), soft lockups and RCU stalls when its waiters
//! spin, and with lockdep the locks each blocked task holds and the circular-dependency report
//! of the first inverted acquisition.
//!
//! Reports lie in the future of the deadlock (120 s and more), so the threads they name are
//! those it will have stopped by then: the two of the cycle, and every thread of a workload
//! that takes either lock (but those a deploy parked), each waiting for the lock it is queued on now, or, when it is not
//! queued yet, the first of the two its path takes.

use super::*;
use crate::domain::{LockKind, LockScope};
use crate::model::engine::{self, AbbaDeadlock, LockWaiter, LockdepReport};
use crate::model::symbols::kernel_frame;
use crate::model::trace::{LockHolder, LockLine};

/// Hung-task detector (kernel defaults): it checks every `HUNG_TIMEOUT_S` seconds since boot,
/// reports tasks blocked that long, and stops after `HUNG_WARNINGS` reports per boot.
pub(crate) const HUNG_TIMEOUT_S: u64 = 120;
pub(crate) const HUNG_WARNINGS: usize = 10;

#[derive(Debug, Clone)]
struct LockFacts {
    class_name: String,
    kind: LockKind,
    scope: LockScope,
    caller: String,
}

#[derive(Debug, Clone)]
struct WorkloadFacts {
    comm: String,
    pid: u32,
    /// The pool allocated (deploys may grow it past the threads written).
    threads: u32,
    /// The locks its usual paths take, in order (an outer lock before those nested in it), the
    /// request as written first, then each path of its mix that requests take.
    lock_order: Vec<usize>,
}

/// The incident's facts the deadlock reports need, gathered once.
#[derive(Debug, Clone)]
pub(crate) struct DeadlockReporter {
    lockdep: bool,
    hz: f64,
    cpus: u32,
    khungtaskd: u32,
    locks: Vec<LockFacts>,
    workloads: Vec<WorkloadFacts>,
}

impl DeadlockReporter {
    pub(crate) fn new(incident: &Incident) -> Self {
        let m = &incident.machine;
        Self {
            lockdep: m.lockdep,
            hz: f64::from(m.hz.max(1)),
            cpus: m.cpus.max(1),
            khungtaskd: super::super::processes::khungtaskd_pid(m.cpus.max(1)),
            locks: incident
                .locks
                .iter()
                .map(|l| LockFacts {
                    class_name: l.class_name.clone(),
                    kind: l.kind,
                    scope: l.scope,
                    caller: l.caller.clone(),
                })
                .collect(),
            workloads: incident
                .workloads
                .iter()
                .map(|w| WorkloadFacts {
                    comm: w.name.clone(),
                    pid: w.pid,
                    threads: engine::pool_capacity(w.threads, &w.deploys),
                    lock_order: w
                        .request_mix()
                        .filter(|&(share, _, _)| share > 0.0)
                        .flat_map(|(_, _, r)| &r.critical_sections)
                        .flat_map(|cs| {
                            std::iter::once(cs.lock).chain(cs.nested.iter().map(|n| n.lock))
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// A kernel lock whose waiters sleep in D state (a mutex, an rw_semaphore, a semaphore).
    fn sleeps_d(&self, l: usize) -> bool {
        self.locks
            .get(l)
            .is_some_and(|s| s.scope == LockScope::Kernel && !engine::kernel_waiters_spin(s.kind))
    }

    /// A kernel lock whose waiters spin with preemption off.
    fn spins(&self, l: usize) -> bool {
        self.locks
            .get(l)
            .is_some_and(|s| s.scope == LockScope::Kernel && engine::kernel_waiters_spin(s.kind))
    }

    /// Every report of `deadlock`, formed at `formed_us` (since boot), up to `end_s`; `keep`
    /// says which watchdog repeats to keep (the buffer keeps the first and the recent ones).
    pub(crate) fn reports(
        &self,
        deadlock: &AbbaDeadlock,
        waiters: &[LockWaiter],
        parked: &dyn Fn(usize, u32) -> bool,
        formed_us: u64,
        end_s: u64,
        keep: impl Fn(u64, bool) -> bool,
    ) -> Vec<LogEvent> {
        let pair = [deadlock.waiters[0].holds, deadlock.waiters[0].waits];
        let stuck = self.stuck_threads(deadlock, waiters, parked, pair);
        let mut out = self.hung_reports(&stuck, formed_us, end_s);
        out.extend(self.spin_reports(&stuck, formed_us, end_s, keep));
        out.sort_by_key(|e| e.at_us);
        out
    }

    /// The threads the deadlock stops, by pid: (workload, thread, lock waited for, to write,
    /// lock held meanwhile).
    fn stuck_threads(
        &self,
        deadlock: &AbbaDeadlock,
        waiters: &[LockWaiter],
        parked: &dyn Fn(usize, u32) -> bool,
        pair: [usize; 2],
    ) -> Vec<(usize, u32, usize, bool, Option<usize>)> {
        let mut out = Vec::new();
        for (w, wl) in self.workloads.iter().enumerate() {
            let Some(&first) = wl.lock_order.iter().find(|l| pair.contains(l)) else {
                continue;
            };
            for t in 0..wl.threads {
                let cycle = deadlock
                    .waiters
                    .iter()
                    .find(|x| x.workload == w && x.thread == t);
                let queued = waiters.iter().find(|x| x.workload == w && x.thread == t);
                let wait = match (cycle, queued) {
                    (Some(c), _) => (c.waits, true, Some(c.holds)),
                    (None, Some(q)) => (q.waits, q.write, q.holds),
                    // A thread outside its pool (a deploy shrank it) takes no lock.
                    (None, None) if parked(w, t) => continue,
                    (None, None) => (first, true, None),
                };
                out.push((w, t, wait.0, wait.1, wait.2));
            }
        }
        out
    }

    /// Hung-task reports for the D-state sleepers, at the detector's checks from 120 s after
    /// the deadlock, in pid order, at most `HUNG_WARNINGS` in all; with lockdep each check's
    /// reports end with the locks held in the system.
    fn hung_reports(
        &self,
        stuck: &[(usize, u32, usize, bool, Option<usize>)],
        formed_us: u64,
        end_s: u64,
    ) -> Vec<LogEvent> {
        let victims: Vec<_> = stuck
            .iter()
            .filter(|v| self.sleeps_d(v.2))
            .take(HUNG_WARNINGS)
            .collect();
        if victims.is_empty() {
            return Vec::new();
        }
        let formed_s = formed_us.div_ceil(1_000_000);
        let mut check = (formed_s / HUNG_TIMEOUT_S + 1) * HUNG_TIMEOUT_S;
        while check < formed_s + HUNG_TIMEOUT_S {
            check += HUNG_TIMEOUT_S;
        }
        let mut out = Vec::new();
        let mut reported = 0;
        while reported < HUNG_WARNINGS && check < end_s {
            let at = check * 1_000_000 + 4_000;
            for (n, &&(w, t, waits, write, holds)) in victims.iter().enumerate() {
                if reported >= HUNG_WARNINGS {
                    break;
                }
                let wl = &self.workloads[w];
                out.push(LogEvent {
                    at_us: at + n as u64 * 37,
                    kind: LogKind::HungTask {
                        comm: wl.comm.clone(),
                        pid: wl.pid + t,
                        tgid: wl.pid,
                        blocked_s: (check * 1_000_000)
                            .saturating_sub(formed_us)
                            .div_ceil(1_000_000) as u32,
                        stack: self.sleeping_stack(waits, !write, holds),
                    },
                });
                reported += 1;
            }
            if self.lockdep {
                out.push(LogEvent {
                    at_us: at + victims.len() as u64 * 37 + 11,
                    kind: LogKind::HeldLocks {
                        holders: self.holders(stuck),
                    },
                });
            }
            check += HUNG_TIMEOUT_S;
        }
        out
    }

    /// lockdep's "Showing all locks held in the system": khungtaskd in its RCU read section,
    /// then every stuck thread that holds a lock.
    fn holders(&self, stuck: &[(usize, u32, usize, bool, Option<usize>)]) -> Vec<LockHolder> {
        let mut out = vec![LockHolder {
            comm: "khungtaskd".to_owned(),
            pid: self.khungtaskd,
            locks: vec![LockLine {
                address: 0xffff_ffff_9c5b_6ce0,
                class_name: "rcu_read_lock".to_owned(),
                usage: "{....}-{1:2}".to_owned(),
                at: kernel_frame("debug_show_all_locks"),
            }],
        }];
        for &(w, t, _, _, holds) in stuck {
            let Some(l) = holds else { continue };
            let wl = &self.workloads[w];
            out.push(LockHolder {
                comm: wl.comm.clone(),
                pid: wl.pid + t,
                locks: vec![self.lock_line(l)],
            });
        }
        out
    }

    /// Soft lockups and RCU stalls when the deadlock's waiters spin: each CPU that takes a
    /// spinner never schedules again; the watchdog reports each 22 s in and every 26 s after,
    /// RCU a stall after 21 s and every 66 s after.
    fn spin_reports(
        &self,
        stuck: &[(usize, u32, usize, bool, Option<usize>)],
        formed_us: u64,
        end_s: u64,
        keep: impl Fn(u64, bool) -> bool,
    ) -> Vec<LogEvent> {
        let spinners: Vec<_> = stuck
            .iter()
            .filter(|v| self.spins(v.2))
            .take(self.cpus as usize)
            .collect();
        let at = formed_us / 1_000_000;
        let mut out = Vec::new();
        for (cpu, &&(w, t, waits, _, _)) in spinners.iter().enumerate() {
            let wl = &self.workloads[w];
            let mut stuck_s = SOFTLOCKUP_FIRST_S;
            while at + stuck_s < end_s {
                if keep(at + stuck_s, stuck_s == SOFTLOCKUP_FIRST_S) {
                    out.push(LogEvent {
                        at_us: (at + stuck_s) * 1_000_000 + 2_000 + cpu as u64 * 211,
                        kind: LogKind::SoftLockup {
                            cpu: cpu as u32,
                            stuck_s: stuck_s as u32,
                            comm: wl.comm.clone(),
                            pid: wl.pid + t,
                            rip: kernel_frame("native_queued_spin_lock_slowpath"),
                            stack: spinning_stack(&self.locks[waits].caller),
                        },
                    });
                }
                stuck_s += SOFTLOCKUP_REPEAT_S;
            }
        }
        if !spinners.is_empty() {
            let mut stall = RCU_STALL_S;
            while at + stall < end_s {
                if keep(at + stall, stall == RCU_STALL_S) {
                    out.push(LogEvent {
                        at_us: (at + stall) * 1_000_000 + 1_000,
                        kind: LogKind::RcuStall {
                            cpu: 0,
                            ticks: (stall as f64 * self.hz) as u64 + 1,
                        },
                    });
                }
                stall += RCU_REPEAT_S;
            }
        }
        out
    }

    /// lockdep's report of the first inverted order, logged when it happened (`at_us`).
    pub(crate) fn circular(&self, report: &LockdepReport, at_us: u64) -> Option<LogEvent> {
        if !self.lockdep {
            return None;
        }
        let wl = self.workloads.get(report.workload)?;
        let (held, new) = (report.holds, report.acquires);
        let caller = |l: usize| kernel_frame(&self.locks[l].caller);
        // lockdep's own call into the lock from `lock_acquire`, not the slow path's.
        let acquire = |l: usize| match self.locks[l].kind {
            LockKind::RwSem => "down_write+0x3e",
            LockKind::Semaphore => "down",
            LockKind::Spinlock => "_raw_spin_lock+0x34",
            _ => "__mutex_lock",
        };
        let tail = ["do_syscall_64", "entry_SYSCALL_64_after_hwframe"];
        // The existing dependency: `held` taken inside `new` on the usual path.
        let mut existing_chain = vec![
            kernel_frame("__lock_acquire"),
            kernel_frame("lock_acquire"),
            kernel_frame(acquire(held)),
            caller(held),
            caller(new),
        ];
        existing_chain.extend(tail.map(kernel_frame));
        let mut stack = vec![
            kernel_frame("dump_stack_lvl"),
            kernel_frame("check_noncircular"),
            kernel_frame("__lock_acquire"),
            kernel_frame("lock_acquire"),
            kernel_frame(acquire(new)),
            caller(new),
            caller(held),
        ];
        stack.extend(tail.map(kernel_frame));
        Some(LogEvent {
            at_us,
            kind: LogKind::CircularLocking {
                comm: wl.comm.clone(),
                pid: wl.pid + report.thread,
                cpu: report.cpu,
                acquiring: self.lock_line(new),
                holding: self.lock_line(held),
                existing_chain,
                stack,
            },
        })
    }

    fn lock_line(&self, l: usize) -> LockLine {
        let facts = &self.locks[l];
        // A lock's address is fixed per class (one instance each here), in the direct map.
        let h = crate::domain::stable_hash(facts.class_name.as_bytes());
        let usage = match facts.kind {
            LockKind::RwSem | LockKind::RwLock => "{++++}-{3:3}",
            LockKind::Spinlock | LockKind::Seqlock | LockKind::Rcu => "{-.-.}-{2:2}",
            _ => "{+.+.}-{3:3}",
        };
        LockLine {
            address: 0xffff_8881_0000_0000 | (h & 0xffff_fff8),
            class_name: facts.class_name.clone(),
            usage: usage.to_owned(),
            at: kernel_frame(&facts.caller),
        }
    }

    /// The stack of a thread asleep on kernel lock `waits` (for reading or not), innermost
    /// first, with the code that took the lock it holds (`holds`) below the waiting one.
    fn sleeping_stack(&self, waits: usize, read: bool, holds: Option<usize>) -> Vec<String> {
        let lock = &self.locks[waits];
        let slow_path: &[&str] = match lock.kind {
            LockKind::RwSem | LockKind::RwLock if read => {
                &["rwsem_down_read_slowpath", "down_read"]
            }
            LockKind::RwSem | LockKind::RwLock => &["rwsem_down_write_slowpath", "down_write"],
            LockKind::Semaphore => &["__down_common", "down"],
            _ => &[
                "schedule_preempt_disabled",
                "__mutex_lock.constprop.0",
                "__mutex_lock_slowpath",
                "mutex_lock",
            ],
        };
        let mut stack = vec![kernel_frame("__schedule"), kernel_frame("schedule")];
        stack.extend(slow_path.iter().map(|s| kernel_frame(s)));
        stack.push(kernel_frame(&lock.caller));
        if let Some(held) = holds.and_then(|h| self.locks.get(h)) {
            stack.push(kernel_frame(&held.caller));
        }
        stack.extend([
            kernel_frame("do_syscall_64"),
            kernel_frame("entry_SYSCALL_64_after_hwframe"),
        ]);
        stack
    }
}

/// The stack of a thread spinning on a kernel spinlock taken at `caller`, below the slow path
/// the soft-lockup report names in RIP.
fn spinning_stack(caller: &str) -> Vec<String> {
    vec![
        kernel_frame("_raw_spin_lock"),
        kernel_frame(caller),
        kernel_frame("do_syscall_64"),
        kernel_frame("entry_SYSCALL_64_after_hwframe"),
    ]
}
