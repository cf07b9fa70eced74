//! Locks with their real waiting semantics: acquire (spin, or the futex/mutex wait path and
//! sleep), hold times with cache-line bounces, release and hand-off to waiters in order, and
//! the per-class counters perf lock and lock_stat read.

use super::*;

/// A contended acquisition waits at least for the lock word's cache line to come over from the
/// CPU that released it, however soon the release came.
pub(super) const HANDOVER_NS: u64 = 40;
/// The shortest hold: the locked instruction that takes the lock and the store that frees it.
pub(super) const MIN_HOLD_NS: u64 = 10;

#[derive(Debug, Clone)]
pub(super) struct LockInst {
    pub(super) class: LockClassId,
    pub(super) used: u32,
    pub(super) readers: u32,
    pub(super) writer: bool,
    pub(super) waiters: VecDeque<ThreadId>,
    /// The CPU of the last acquisition (its cache holds the lock word).
    pub(super) last_cpu: Option<CpuId>,
    pub(super) seq: u32,
}

/// Per lock class, kinds and costs resolved.
#[derive(Debug, Clone)]
pub(super) struct LockClass {
    pub(super) kind: LockKind,
    pub(super) spins: bool,
    pub(super) dstate: bool,
    /// A user-space lock: its holder runs preemptible user code and can lose the CPU while
    /// holding it (kernel spinlock holders run with preemption off, kernel mutex holders in
    /// kernel code that does not reschedule until it is done).
    pub(super) user: bool,
    pub(super) permits: u32,
    pub(super) bounce_ns: f64,
    /// Its first instance; the others follow it.
    pub(super) base: LockId,
    pub(super) shards: u32,
    /// Also taken by an interrupt handler: one instance per CPU, picked by the CPU.
    pub(super) irq: Option<irq_locks::IrqShare>,
    pub(super) spin_act: u32,
    pub(super) spin_read_act: u32,
    pub(super) hold_act: u32,
    pub(super) wait_act: u32,
    pub(super) wake_act: u32,
}

/// Raw lock counters of one side (write or exclusive; or read).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct LockAcc {
    pub acquired: u64,
    pub contended: u64,
    pub acq_bounces: u64,
    pub con_bounces: u64,
    pub wait_total: u64,
    pub wait_min: u64,
    pub wait_max: u64,
    pub hold_total: u64,
    pub hold_min: u64,
    pub hold_max: u64,
}

impl LockAcc {
    pub(super) fn wait(&mut self, w: u64) {
        if self.contended == 0 || w < self.wait_min {
            self.wait_min = w;
        }
        self.wait_max = self.wait_max.max(w);
        self.contended += 1;
        self.wait_total += w;
    }
    /// Called at release, after the acquisition was counted: the first hold is the one that
    /// finds `hold_total` still 0 (every hold is at least `locks::MIN_HOLD_NS`).
    pub(super) fn hold(&mut self, h: u64) {
        if self.hold_total == 0 || h < self.hold_min {
            self.hold_min = h;
        }
        self.hold_max = self.hold_max.max(h);
        self.hold_total += h;
    }
}

/// Whether waiters on a kernel lock of this kind spin on CPU (`spinlock_t`, `rwlock_t`, the
/// write side of seqlocks and RCU updaters' spinlocks) rather than sleep (mutex, rw_semaphore,
/// semaphore, futex). Hung-task reports and soft lockups follow from this one rule.
pub fn kernel_waiters_spin(kind: LockKind) -> bool {
    matches!(
        kind,
        LockKind::Spinlock | LockKind::RwLock | LockKind::Seqlock | LockKind::Rcu
    )
}

pub(super) fn cl_exclusive(kind: LockKind) -> bool {
    !matches!(kind, LockKind::RwLock | LockKind::RwSem)
}

/// The incident's lock classes, kinds and costs resolved, with the activities their spinning,
/// holding, waiting and waking run (pushed onto `acts`), and the instances of each (one per
/// shard, or per CPU for a lock an interrupt handler shares), each class's instances together.
pub(super) fn lock_classes(
    incident: &Incident,
    ncpu: u32,
    symbols: &mut SymbolTable,
    acts: &mut Vec<Activity>,
) -> (IdVec<LockClassId, LockClass>, IdVec<LockId, LockInst>) {
    let push = |acts: &mut Vec<Activity>, a: Activity| {
        acts.push(a);
        (acts.len() - 1) as u32
    };
    let sys = |t: &mut SymbolTable, s: &[(&str, f64)]| Activity {
        category: Category::SYSTEM,
        symbols: t.kernel(s),
    };
    let first_app = incident
        .workloads
        .first()
        .map(|w| (w.app_symbol.clone(), w.name.clone()))
        .unwrap_or_else(|| ("main".into(), "app".into()));
    let mut classes: IdVec<LockClassId, LockClass> = IdVec::default();
    let mut locks: IdVec<LockId, LockInst> = IdVec::default();
    for (ci, spec) in incident.locks.iter().enumerate() {
        let kernel = spec.scope == LockScope::Kernel;
        let spins = kernel && kernel_waiters_spin(spec.kind) || spec.kind == LockKind::Spinlock;
        let spin_act = if kernel {
            let split = if spec.kind == LockKind::RwLock {
                splits::RWLOCK_WRITE_SPIN
            } else {
                splits::SPIN
            };
            push(acts, sys(symbols, split))
        } else {
            let a = symbols.activity(
                Category::USER,
                &[("pthread_spin_lock@@GLIBC_2.34", symbols::LIBC, 1.0)],
            );
            push(acts, a)
        };
        let spin_read_act = if kernel && spec.kind == LockKind::RwLock {
            push(acts, sys(symbols, splits::RWLOCK_READ_SPIN))
        } else {
            spin_act
        };
        let hold_act = if kernel {
            let a = symbols.activity(
                Category::SYSTEM,
                &[(caller_symbol(&spec.caller), symbols::KERNEL, 1.0)],
            );
            push(acts, a)
        } else {
            let a = symbols.activity(Category::USER, &[(&first_app.0, &first_app.1, 1.0)]);
            push(acts, a)
        };
        let (wait_act, wake_act) = if kernel {
            let w = if matches!(spec.kind, LockKind::RwLock | LockKind::RwSem) {
                splits::RWSEM_WAIT
            } else {
                splits::KMUTEX_WAIT
            };
            (
                push(acts, sys(symbols, w)),
                push(acts, sys(symbols, splits::KMUTEX_WAKE)),
            )
        } else {
            let w = futex_activity(
                symbols,
                splits::FUTEX_WAIT_K,
                "__lll_lock_wait",
                splits::FUTEX_WAIT_USER_SHARE,
            );
            let k = futex_activity(
                symbols,
                splits::FUTEX_WAKE_K,
                "__lll_lock_wake",
                splits::FUTEX_WAKE_USER_SHARE,
            );
            (push(acts, w), push(acts, k))
        };
        let irq = spec.interrupt.as_ref().map(|usage| irq_locks::IrqShare {
            context: usage.context,
            deadlocks: usage.same_cpu_deadlock_possible(),
            lockup_act: push(acts, irq_locks::lockup_activity(symbols, usage)),
        });
        let shards = if irq.is_some() {
            ncpu
        } else {
            spec.shards.max(1)
        };
        let permits = if spec.kind == LockKind::Semaphore {
            spec.permits.max(1)
        } else {
            1
        };
        classes.push(LockClass {
            kind: spec.kind,
            spins,
            dstate: kernel && !spins,
            user: !kernel,
            permits,
            bounce_ns: spec.bounce_ns.max(0.0),
            base: LockId::new(locks.len() as u32),
            shards,
            irq,
            spin_act,
            spin_read_act,
            hold_act,
            wait_act,
            wake_act,
        });
        for _ in 0..shards {
            locks.push(LockInst {
                class: LockClassId::new(ci as u32),
                used: 0,
                readers: 0,
                writer: false,
                waiters: VecDeque::new(),
                last_cpu: None,
                seq: 0,
            });
        }
    }
    (classes, locks)
}

/// A user-space lock's futex wait or wake: the kernel's share of the call (`kernel`) plus glibc's
/// `libc_fn` taking `user_share` of the time, in user mode.
fn futex_activity(
    symbols: &mut SymbolTable,
    kernel: &[(&str, f64)],
    libc_fn: &str,
    user_share: f64,
) -> Activity {
    let mut a = Activity {
        category: Category {
            user: user_share,
            system: 1.0 - user_share,
            ..Category::default()
        },
        symbols: symbols.kernel(kernel),
    };
    a.symbols
        .push((symbols.id(libc_fn, symbols::LIBC), user_share));
    a
}

impl Engine {
    /// Tries to take the lock of critical section `j`. True: taken, continue at Hold.
    pub(super) fn acquire(&mut self, c: CpuId, t: ThreadId, j: u16) -> bool {
        let wl = self.workload_of(t);
        let Some(class) = wl.cs_lock[j as usize] else {
            // No such lock: the section's hold is skipped with it.
            let pc = self.threads[t].pc + 2;
            self.enter(t, pc);
            return true;
        };
        let wf = wl.cs_write[j as usize];
        let cl = &self.classes[class];
        let (kind, base, shards) = (cl.kind, cl.base, cl.shards);
        let shard = if cl.irq.is_some() {
            // Shared with an interrupt handler: the instance of the CPU it runs on.
            c.get() % shards
        } else if shards > 1 {
            self.rng.below(u64::from(shards)) as u32
        } else {
            0
        };
        let inst = LockId::new(base.get() + shard);
        let write = match kind {
            LockKind::RwLock | LockKind::RwSem | LockKind::Seqlock | LockKind::Rcu => {
                wf >= 1.0 || self.rng.chance(wf)
            }
            _ => true,
        };
        self.note_nested_order(t, inst);
        let now = self.now;
        let th = &mut self.threads[t];
        th.inst = Some(inst);
        th.write = write;
        th.granted = false;
        th.wait_start = now;
        th.granted_at = now;
        if kind == LockKind::Rcu && !write {
            // RCU readers take no lock.
            self.grant_stats(t, inst, false, 0);
            self.draw_hold(t, j);
            let pc = self.threads[t].pc + 1;
            self.enter(t, pc);
            return true;
        }
        if self.can_take(inst, write) {
            self.take(inst, write);
            self.grant_stats(t, inst, false, 0);
            self.draw_hold(t, j);
            let pc = self.threads[t].pc + 1;
            self.enter(t, pc);
            return true;
        }
        // Contended.
        self.locks[inst].waiters.push_back(t);
        self.check_cycle(t, inst);
        let cl = &self.classes[class];
        if cl.spins {
            let act = if write { cl.spin_act } else { cl.spin_read_act };
            self.threads[t].state = St::Spinning;
            self.set_cpu(c, Mode::Spin, Some(t), act);
            self.cpus[c].epoch = self.cpus[c].epoch.wrapping_add(1);
        } else if self.cost_futex > 0 {
            let act = cl.wait_act;
            self.segment(c, Mode::BlockPrep, Some(t), act, self.cost_futex);
        } else {
            let d = cl.dstate;
            self.block(c, t, d);
        }
        false
    }

    pub(super) fn can_take(&self, inst: LockId, write: bool) -> bool {
        let l = &self.locks[inst];
        let cl = &self.classes[l.class];
        match cl.kind {
            LockKind::RwLock | LockKind::RwSem => {
                if write {
                    !l.writer && l.readers == 0 && l.waiters.is_empty()
                } else {
                    !l.writer && l.waiters.is_empty()
                }
            }
            LockKind::Seqlock | LockKind::Rcu => {
                if write {
                    !l.writer && l.waiters.is_empty()
                } else {
                    !l.writer
                }
            }
            _ => l.used < cl.permits && l.waiters.is_empty(),
        }
    }

    pub(super) fn take(&mut self, inst: LockId, write: bool) {
        let l = &mut self.locks[inst];
        let kind = self.classes[l.class].kind;
        match kind {
            LockKind::RwLock | LockKind::RwSem | LockKind::Seqlock | LockKind::Rcu => {
                if write {
                    l.writer = true;
                    l.seq = l.seq.wrapping_add(1);
                } else if matches!(kind, LockKind::RwLock | LockKind::RwSem) {
                    l.readers += 1;
                }
            }
            _ => l.used += 1,
        }
    }

    pub(super) fn draw_hold(&mut self, t: ThreadId, j: u16) {
        let wl = self.workload_of(t);
        let (mean, det) = (wl.holds_ns[j as usize], wl.deterministic);
        let Some(inst) = self.threads[t].inst else {
            return;
        };
        let l = &self.locks[inst];
        let bounce = self.classes[l.class].bounce_ns;
        let extra = if bounce > 0.0 {
            let sharers = l.waiters.len() as f64 + f64::from(l.readers.saturating_sub(1));
            (bounce * sharers).round() as u64
        } else {
            0
        };
        let seq = l.seq;
        let hold = self.draw(mean, det) + extra + self.cost_uncontended;
        let th = &mut self.threads[t];
        th.hold_ns = hold;
        th.seq_seen = seq;
    }

    pub(super) fn grant_stats(&mut self, t: ThreadId, inst: LockId, contended: bool, wait: u64) {
        let th = &self.threads[t];
        let (write, cpu) = (th.write, th.cpu);
        let l = &mut self.locks[inst];
        let bounce = l.last_cpu.is_some_and(|last| last != cpu);
        l.last_cpu = Some(cpu);
        let pair = &mut self.lock_acc[l.class.index()];
        let acc = if write { &mut pair.0 } else { &mut pair.1 };
        if contended {
            acc.wait(wait.max(HANDOVER_NS));
            if bounce {
                acc.con_bounces += 1;
            }
        }
        if bounce {
            acc.acq_bounces += 1;
        }
        acc.acquired += 1;
    }

    /// Releases the lock held by `t` (hold of length `held` ended) and grants waiters.
    pub(super) fn release(&mut self, c: CpuId, t: ThreadId, held: u64) -> bool {
        let th = &self.threads[t];
        let (Some(inst), write) = (th.inst, th.write) else {
            return false;
        };
        let class = self.locks[inst].class;
        let kind = self.classes[class].kind;
        {
            let pair = &mut self.lock_acc[class.index()];
            let acc = if write { &mut pair.0 } else { &mut pair.1 };
            acc.hold(held.max(MIN_HOLD_NS));
        }
        if kind == LockKind::Rcu && !write {
            return false;
        }
        if kind == LockKind::Seqlock && !write {
            // A reader whose section overlapped a writer retries it.
            let l = &self.locks[inst];
            if l.seq != self.threads[t].seq_seen || l.writer {
                let seq = l.seq;
                self.threads[t].seq_seen = seq;
                return true;
            }
            return false;
        }
        let l = &mut self.locks[inst];
        match kind {
            LockKind::RwLock | LockKind::RwSem | LockKind::Seqlock | LockKind::Rcu => {
                if write {
                    l.writer = false;
                } else {
                    l.readers = l.readers.saturating_sub(1);
                }
            }
            _ => l.used = l.used.saturating_sub(1),
        }
        let _ = c;
        self.grant_waiters(inst);
        false
    }

    pub(super) fn grant_waiters(&mut self, inst: LockId) {
        loop {
            let Some(&t) = self.locks[inst].waiters.front() else {
                return;
            };
            let write = self.threads[t].write;
            // The head may take it if the lock is free enough for its mode.
            let l = &self.locks[inst];
            let cl = &self.classes[l.class];
            let ok = match cl.kind {
                LockKind::RwLock | LockKind::RwSem => {
                    if write {
                        !l.writer && l.readers == 0
                    } else {
                        !l.writer
                    }
                }
                LockKind::Seqlock | LockKind::Rcu => !l.writer,
                _ => l.used < cl.permits,
            };
            if !ok {
                return;
            }
            self.locks[inst].waiters.pop_front();
            self.take(inst, write);
            let wait = self.now - self.threads[t].wait_start;
            self.threads[t].granted_at = self.now;
            self.grant_stats(t, inst, true, wait);
            let j = match self.step_of(t) {
                Step::Acquire(j) => j,
                _ => 0,
            };
            self.draw_hold(t, j);
            let pc = self.threads[t].pc + 1;
            self.enter(t, pc);
            self.threads[t].granted = true;
            match self.threads[t].state {
                St::Spinning => {
                    let c = self.threads[t].cpu;
                    self.threads[t].state = St::Running;
                    self.run(c, t);
                }
                St::Sleeping => {
                    self.woke_flag = true;
                    self.wake(t);
                }
                // Still in the futex wait path: it will see the grant and not sleep.
                _ => {}
            }
            if write && cl_exclusive(self.classes[self.locks[inst].class].kind) {
                return;
            }
        }
    }
}
