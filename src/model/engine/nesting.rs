//! Nested critical sections and the lock order they make: a section may hold its lock while it
//! takes others, and a request whose code path takes a nested pair the other way round (the
//! `reverse_fraction` of a nested section) can meet one taking it the usual way: an ABBA
//! deadlock.
//!
//! A section with nested ones runs as `Acquire(j)`, `HoldOn(j)` (its own work; the lock stays
//! held), then `Acquire(n)`, `Hold(n)` for each nested section `n`, then `Unlock(j)`. The outer
//! lock's hold is the time from its grant to that release, so it includes the inner sections'
//! waits and holds: contention on an inner lock lengthens every outer hold, and with it the
//! outer lock's waits. The reversed path is `Acquire(n)`, `HoldOn(n)`, `Acquire(j)`, `Hold(j)`,
//! `Unlock(n)`: the pair alone, the other way round.
//!
//! Deadlock is not injected: a thread that starts waiting for a lock while it holds another is
//! checked against the waiters of the lock it holds, and when one of them holds the lock it
//! waits for, the two wait for each other for good. Every later request needing either lock
//! queues behind them. A dated `deadlock` fault holds the reversed path back until its second,
//! then arranges the collision: the next reversed request, holding its first lock, waits (as a
//! thread that lost its CPU there would) until another thread holds the lock it takes second.
//! Without a date the reversed path runs from the start and the deadlock forms when the timing
//! makes it, or never.

use super::*;

/// The most hold-length waits an arranged collision makes before it lets the request go on
/// (no other thread took the lock meanwhile: the collision cannot be arranged this time).
const MAX_COLLISION_POLLS: u32 = 10_000;

/// The outer lock a thread holds while it runs a nested section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HeldLock {
    pub inst: LockId,
    pub write: bool,
    /// When it was granted: its hold runs from here to `Unlock`.
    pub since: u64,
}

/// One of the two threads of an ABBA deadlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbbaWaiter {
    /// Index into the incident's workloads, and the thread's index among its threads.
    pub workload: usize,
    pub thread: u32,
    /// Lock classes (indices into the incident's locks): the one held, the one waited for.
    pub holds: usize,
    pub waits: usize,
}

/// Two threads each holding the lock the other waits for, and when the second began to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbbaDeadlock {
    pub at_ns: u64,
    /// The thread that waited first, then the one that closed the cycle.
    pub waiters: [AbbaWaiter; 2],
}

/// A thread queued on a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockWaiter {
    pub workload: usize,
    pub thread: u32,
    /// The lock class it waits for, whether to write, and the one it holds meanwhile.
    pub waits: usize,
    pub write: bool,
    pub holds: Option<usize>,
}

/// The first acquisition that took two locks in the order opposite to one seen before: what
/// lockdep reports once per boot ("possible circular locking dependency detected"), whether
/// or not the two paths ever collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockdepReport {
    pub at_ns: u64,
    /// The thread trying to take `acquires` while it holds `holds` (lock classes).
    pub workload: usize,
    pub thread: u32,
    pub cpu: u32,
    pub holds: usize,
    pub acquires: usize,
}

/// The engine's view of reversed lock orders.
#[derive(Debug, Clone)]
pub(super) struct Abba {
    /// Whether reversed paths run; a dated fault holds them back until it is due.
    reversals_on: bool,
    dated: bool,
    /// Arranging a dated collision, and whether a request has been picked to make it.
    arranging: bool,
    arranged_claimed: bool,
    formed: Vec<AbbaDeadlock>,
    /// (outer, inner) class pairs taken so far, and the first inversion of one.
    orders: Vec<(LockClassId, LockClassId)>,
    lockdep: Option<LockdepReport>,
}

impl Default for Abba {
    fn default() -> Self {
        Self::new(false)
    }
}

impl Abba {
    pub fn new(dated: bool) -> Self {
        Self {
            reversals_on: !dated,
            dated,
            arranging: false,
            arranged_claimed: false,
            formed: Vec::new(),
            orders: Vec::new(),
            lockdep: None,
        }
    }

    /// The dated deadlock's second has come (called for every window from then on).
    pub fn due(&mut self) {
        if self.dated {
            self.reversals_on = true;
            self.arranging = self.formed.is_empty();
        }
    }
}

/// Where one request path's critical sections sit among its workload's (`mix::Sections`): its
/// top-level sections come first (in the YAML's order), then every nested one.
#[derive(Debug, Clone, Default)]
pub(super) struct Layout {
    /// Per top-level section: its index, and the indices of its nested sections.
    top: Vec<(u16, Vec<u16>)>,
    /// The (outer, nested) pair whose reversed path some requests take.
    reversal: Option<(u16, u16)>,
    pub reverse_fraction: f64,
}

impl Layout {
    /// Appends request `r`'s sections to `sections` and returns where they went.
    pub fn build(
        r: &crate::domain::RequestProfile,
        classes: usize,
        disks: usize,
        sections: &mut mix::Sections,
    ) -> Self {
        let mut layout = Self::default();
        let lock = |l: usize| (l < classes).then(|| LockClassId::from_index(l));
        for cs in &r.critical_sections {
            layout.top.push((sections.lock.len() as u16, Vec::new()));
            sections.lock.push(lock(cs.lock));
            sections.write.push(cs.write_fraction.clamp(0.0, 1.0));
            sections.hold_ns.push(cs.hold_us.max(0.0) * NS_PER_US);
            sections
                .io
                .push(cs.io.and_then(|io| blocking::SyncPlan::new(&io, disks)));
        }
        for (cs, (j, inner)) in r.critical_sections.iter().zip(&mut layout.top) {
            for n in &cs.nested {
                let idx = sections.lock.len() as u16;
                sections.lock.push(lock(n.lock));
                sections.write.push(n.write_fraction.clamp(0.0, 1.0));
                sections.hold_ns.push(n.hold_us.max(0.0) * NS_PER_US);
                sections.io.push(None);
                let reversible = n.reverse_fraction > 0.0
                    && sections.lock[*j as usize].is_some()
                    && sections.lock[idx as usize].is_some()
                    && layout.reversal.is_none();
                if reversible {
                    layout.reversal = Some((*j, idx));
                    layout.reverse_fraction = n.reverse_fraction.clamp(0.0, 1.0);
                }
                inner.push(idx);
            }
        }
        layout
    }

    pub fn reversible(&self) -> bool {
        self.reversal.is_some()
    }

    /// Appends the critical sections' steps to `prog`: the usual path, or the reversed one;
    /// each followed by the compute between sections when `mid` (the compute can run).
    pub fn program(
        &self,
        sections: &mix::Sections,
        prog: &mut Vec<Step>,
        mid: bool,
        reversed: bool,
    ) {
        for (j, inner) in &self.top {
            let j = *j;
            if sections.lock[j as usize].is_none() {
                // A section on an unknown lock (validation refuses it) is left out.
                continue;
            }
            // Likewise a nested section on an unknown lock.
            let inner = inner
                .iter()
                .copied()
                .filter(|&n| sections.lock[n as usize].is_some());
            match self.reversal {
                Some((outer, n)) if reversed && outer == j => {
                    prog.extend([
                        Step::Acquire(n),
                        Step::HoldOn(n),
                        Step::Acquire(j),
                        Step::Hold(j),
                        Step::Unlock(n),
                    ]);
                }
                _ if inner.clone().next().is_some() => {
                    prog.extend([Step::Acquire(j), Step::HoldOn(j)]);
                    for n in inner {
                        prog.extend([Step::Acquire(n), Step::Hold(n)]);
                    }
                    prog.push(Step::Unlock(j));
                }
                _ => {
                    prog.extend([Step::Acquire(j), Step::Hold(j)]);
                    if let Some(io) = sections.io[j as usize] {
                        prog.push(Step::SyncWrite(j));
                        if io.under_lock {
                            prog.push(Step::Unlock(j));
                        }
                    }
                }
            }
            if mid {
                prog.push(Step::Mid);
            }
        }
    }
}

impl Engine {
    /// The step at `pc` of thread `t`'s program (a reversed request's stretch is part of it).
    pub(super) fn program_step(&self, t: ThreadId, pc: u32) -> Step {
        let Some(w) = self.threads[t].workload.and_then(|w| self.workloads.get(w)) else {
            return Step::Kswapd;
        };
        w.prog.get(pc as usize).copied().unwrap_or(Step::End)
    }

    /// At the start of a request on path `p`: whether it takes the path's reversed variant.
    /// Returns where the request goes on.
    pub(super) fn choose_reversal(&mut self, t: ThreadId, p: &mix::PathPlan) -> u32 {
        let (fraction, start_pc, reversed_pc) = (p.reverse_fraction, p.start_pc, p.reversed_pc);
        let reversed = fraction > 0.0
            && reversed_pc.is_some()
            && self.abba.reversals_on
            && if self.abba.arranging && !self.abba.arranged_claimed {
                self.abba.arranged_claimed = true;
                true
            } else {
                self.rng.chance(fraction)
            };
        self.threads[t].reversed = reversed;
        match reversed_pc {
            Some(pc) if reversed => pc,
            _ => start_pc,
        }
    }

    /// The own work of a section with nested ones ended on CPU `c`: the thread keeps the lock
    /// and goes on to the first nested section. A request arranging a dated collision instead
    /// works on, holding the lock, while the lock it takes next is free.
    pub(super) fn hold_on_done(&mut self, c: CpuId, t: ThreadId) {
        if self.abba.arranging && self.threads[t].reversed {
            let next = self.program_step(t, self.threads[t].pc + 1);
            let th = &self.threads[t];
            if let Step::Acquire(j) = next
                && th.collision_polls < MAX_COLLISION_POLLS
            {
                let class = self.workload_of(t).cs_lock[j as usize];
                if let Some(class) = class
                    && self.can_take(self.classes[class].base, true)
                {
                    let th = &mut self.threads[t];
                    th.collision_polls += 1;
                    let (hold, act) = (th.hold_ns.max(1), self.cpus[c].act);
                    self.segment(c, Mode::Hold, Some(t), act, hold);
                    return;
                }
            }
        }
        let th = &mut self.threads[t];
        th.collision_polls = 0;
        th.hold_done = 0;
        th.outer = th.inst.map(|inst| HeldLock {
            inst,
            write: th.write,
            since: th.granted_at,
        });
        let pc = th.pc + 1;
        self.enter(t, pc);
        self.run(c, t);
    }

    /// Step `Unlock(j)` after nested sections: releases the outer lock, held since its grant.
    /// Returns true when the thread goes on at once (as `unlock_after_sync`).
    pub(super) fn unlock_outer(&mut self, c: CpuId, t: ThreadId) -> bool {
        let now = self.now;
        let th = &mut self.threads[t];
        let Some(held) = th.outer.take() else {
            return true;
        };
        th.inst = Some(held.inst);
        th.write = held.write;
        if th.reversed && self.abba.arranging {
            // The arranged collision did not happen on this request: the next one tries.
            self.abba.arranged_claimed = false;
        }
        let _ = self.release(c, t, now.saturating_sub(held.since));
        !self.step_past_release(c, t)
    }

    /// Thread `t`, holding an outer lock, is about to take lock instance `inst` inside it:
    /// records the order, and the first inversion of an order seen before (lockdep's report).
    pub(super) fn note_nested_order(&mut self, t: ThreadId, inst: LockId) {
        let th = &self.threads[t];
        let Some(held) = th.outer else {
            return;
        };
        let outer = self.locks[held.inst].class;
        let inner = self.locks[inst].class;
        let orders = &self.abba.orders;
        if orders.contains(&(outer, inner)) {
            return;
        }
        if self.abba.lockdep.is_none() && orders.contains(&(inner, outer)) {
            let w = self.workload_id(t);
            self.abba.lockdep = Some(LockdepReport {
                at_ns: self.now,
                workload: w.index(),
                thread: self.workloads[w].position(t),
                cpu: th.cpu.get(),
                holds: outer.index(),
                acquires: inner.index(),
            });
        }
        self.abba.orders.push((outer, inner));
    }

    /// Thread `t` has just queued on lock instance `inst`. When it holds an outer lock and one
    /// of that lock's waiters holds `inst` as its own outer lock, the two wait for each other
    /// for good: the deadlock is recorded (nothing else needs doing, neither will ever run).
    pub(super) fn check_cycle(&mut self, t: ThreadId, inst: LockId) {
        let Some(held) = self.threads[t].outer else {
            return;
        };
        let Some(&u) = self.locks[held.inst]
            .waiters
            .iter()
            .find(|&&u| self.threads[u].outer.is_some_and(|h| h.inst == inst))
        else {
            return;
        };
        let waiter = |t: ThreadId, holds: LockId, waits: LockId| {
            let w = self.workload_id(t);
            AbbaWaiter {
                workload: w.index(),
                thread: self.workloads[w].position(t),
                holds: self.locks[holds].class.index(),
                waits: self.locks[waits].class.index(),
            }
        };
        let deadlock = AbbaDeadlock {
            at_ns: self.now,
            waiters: [waiter(u, inst, held.inst), waiter(t, held.inst, inst)],
        };
        self.abba.formed.push(deadlock);
        self.abba.arranging = false;
    }

    /// Every ABBA deadlock so far, in the order they formed.
    pub(crate) fn abba_deadlocks(&self) -> &[AbbaDeadlock] {
        &self.abba.formed
    }

    /// The first inverted lock order, if any thread took one.
    pub(crate) fn lockdep_report(&self) -> Option<&LockdepReport> {
        self.abba.lockdep.as_ref()
    }

    /// Every thread queued on a lock now (spinning, in the wait path or asleep), by workload
    /// thread.
    pub(crate) fn lock_waiters(&self) -> Vec<LockWaiter> {
        let mut out = Vec::new();
        for l in &self.locks {
            for &t in &l.waiters {
                let th = &self.threads[t];
                let Some(w) = th.workload else {
                    continue;
                };
                out.push(LockWaiter {
                    workload: w.index(),
                    thread: self.workloads[w].position(t),
                    waits: l.class.index(),
                    write: th.write,
                    holds: self.outer_class(t).map(LockClassId::index),
                });
            }
        }
        out
    }

    /// The lock class thread `t` holds while it waits for another, if it does.
    pub(super) fn outer_class(&self, t: ThreadId) -> Option<LockClassId> {
        let held = self.threads[t].outer?;
        Some(self.locks[held.inst].class)
    }
}
