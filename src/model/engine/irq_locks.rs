//! Interrupt-context locking: a kernel spinlock that a NIC's interrupt handler (or its NAPI
//! softirq) takes as well as process context, and the same-CPU deadlock it allows.
//!
//! Such a lock is per CPU: the handler on CPU `c` and process context running on `c` share
//! `c`'s instance, as a driver's per-queue lock is shared by the transmit path of the CPU
//! mapped to the queue and that queue's completion handler. When process context took it with
//! a variant that leaves the handler's context enabled (`spin_lock`, or `spin_lock_bh` against
//! a hard interrupt handler), an interrupt arriving on that CPU while the holder is inside the
//! critical section runs the handler over the holder; the handler spins on the lock, and the
//! holder can never run again to release it. The CPU is stuck for good: all its time goes to
//! the handler's spin (`hi` for a hard interrupt, `si` for a softirq), the holder stays the
//! CPU's current task in state R, and the queue's interrupt is never taken again (NAPI never
//! completes, or interrupts are off). Other CPUs own other instances and carry on.
//!
//! With an acquisition that masks the handler's context the interrupt waits for the unlock
//! (its work runs when the CPU next picks work, as every deferred softirq does here), so the
//! same incident runs fine.

use super::*;
use crate::domain::{InterruptUse, IrqContext};

/// Per lock class shared with an interrupt handler.
#[derive(Debug, Clone, Copy)]
pub(super) struct IrqShare {
    pub context: IrqContext,
    /// Whether the handler can interrupt a holder on its CPU (the acquisition does not mask it).
    pub deadlocks: bool,
    /// The stuck CPU's activity: the handler spinning in the lock's slow path.
    pub lockup_act: u32,
}

/// A CPU stuck in an interrupt handler spinning on a lock its own interrupted task holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IrqLockup {
    pub cpu: u32,
    /// The interrupted holder: its workload and its index among the workload's threads.
    pub workload: usize,
    pub thread: u32,
    /// Index of the lock in `Incident::locks`.
    pub lock: usize,
    pub context: IrqContext,
    /// Engine time of the interrupt that got stuck.
    pub at_ns: u64,
}

/// Share of the stuck CPU's time in the handler's own frame; the rest is the spin itself.
const HANDLER_SHARE: f64 = 0.02;

/// The activity of a CPU whose handler spins forever: the spin symbols (as any kernel spinlock
/// waiter's) plus the handler's frame, all charged to the interrupt context.
pub(super) fn lockup_activity(symbols: &mut SymbolTable, usage: &InterruptUse) -> Activity {
    let mut parts: Vec<(usize, f64)> = symbols
        .kernel(splits::SPIN)
        .into_iter()
        .map(|(s, f)| (s, f * (1.0 - HANDLER_SHARE)))
        .collect();
    parts.push((
        symbols.id(caller_symbol(&usage.handler), symbols::KERNEL),
        HANDLER_SHARE,
    ));
    let category = match usage.context {
        IrqContext::HardIrq => Category {
            irq: 1.0,
            ..Category::default()
        },
        IrqContext::SoftIrq => Category {
            softirq: 1.0,
            ..Category::default()
        },
    };
    Activity {
        category,
        symbols: parts,
    }
}

impl Engine {
    /// A NIC interrupt is raised on CPU `c`. Returns true when the CPU does not take it: it is
    /// stuck already (the interrupt stays masked), or this interrupt runs its handler over a
    /// holder of the handler's lock and gets stuck now.
    pub(super) fn interrupt_arrives(&mut self, c: CpuId) -> bool {
        if self.cpus[c].stuck.is_some() {
            return true;
        }
        if !self.irq_deadlock_armed || self.cpus[c].mode != Mode::Hold {
            return false;
        }
        let Some(t) = self.cpus[c].thread else {
            return false;
        };
        let Some(inst) = self.threads[t].inst else {
            return false;
        };
        let class = self.locks[inst].class;
        match self.classes[class].irq {
            Some(share) if share.deadlocks => {
                self.lock_up(c, t, class, share);
                true
            }
            _ => false,
        }
    }

    /// CPU `c` enters the handler over `t`, which holds the handler's lock: it never leaves.
    fn lock_up(&mut self, c: CpuId, t: ThreadId, class: LockClassId, share: IrqShare) {
        // Charges the holder's time so far; its pending end of hold is cancelled by the new
        // epoch, so it holds the lock for good.
        self.set_cpu(c, Mode::Lockup, Some(t), share.lockup_act);
        let cpu = &mut self.cpus[c];
        cpu.epoch = cpu.epoch.wrapping_add(1);
        cpu.stuck = Some(share.context);
        cpu.softirq_pending = 0;
        let w = self.workload_id(t);
        self.irq_lockups.push(IrqLockup {
            cpu: c.get(),
            workload: w.index(),
            thread: self.workloads[w].position(t),
            lock: class.index(),
            context: share.context,
            at_ns: self.now,
        });
    }

    /// Every same-CPU deadlock so far, in the order they formed.
    pub(crate) fn irq_lockups(&self) -> &[IrqLockup] {
        &self.irq_lockups
    }
}

#[cfg(test)]
mod tests {
    use crate::content::load_catalog;
    use crate::domain::{Incident, IncidentId, IrqContext, Seed, SpinAcquire};
    use crate::model::{LogKind, simulate};

    fn shipped() -> Incident {
        let catalog = load_catalog(&[]).expect("shipped content loads");
        catalog.incidents[&IncidentId::from("irq-spinlock-lockup")].clone()
    }

    fn with(context: IrqContext, acquire: SpinAcquire) -> Incident {
        let mut inc = shipped();
        let usage = inc.locks[0].interrupt.as_mut().expect("an interrupt use");
        usage.context = context;
        usage.process_acquire = acquire;
        inc
    }

    #[test]
    fn a_hard_interrupt_handler_stops_its_cpu_with_interrupts_off() {
        let t = simulate(&with(IrqContext::HardIrq, SpinAcquire::Bh), Seed(1), 2);
        for s in &t.samples {
            let cpu = &s.cpus[3];
            assert_eq!(cpu.irq, 1_000_000_000, "all of CPU 3 in hard irq: {cpu:?}");
            // Interrupts off: neither the timer nor the NIC counts there.
            assert_eq!((s.detail.irqs[3].timer, s.detail.irqs[3].nic), (0, 0));
            assert!(s.detail.irqs[0].timer > 0);
        }
        let hard: Vec<_> = t
            .log
            .iter()
            .filter_map(|e| match &e.kind {
                LogKind::IrqLockup {
                    soft_stuck_s,
                    irq_stack,
                    ..
                } => Some((*soft_stuck_s, irq_stack.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(hard.len(), 1, "the NMI watchdog reports once: {hard:?}");
        assert_eq!(hard[0].0, None);
        assert!(hard[0].1.iter().any(|f| f.starts_with("handle_edge_irq")));
        assert!(
            !t.log
                .iter()
                .any(|e| matches!(e.kind, LogKind::RcuStall { .. }))
        );
    }

    #[test]
    fn masking_the_handler_leaves_every_cpu_free() {
        for (context, acquire) in [
            (IrqContext::HardIrq, SpinAcquire::IrqSave),
            (IrqContext::SoftIrq, SpinAcquire::IrqSave),
            (IrqContext::SoftIrq, SpinAcquire::Bh),
        ] {
            let t = simulate(&with(context, acquire), Seed(2), 2);
            for s in &t.samples {
                assert!(s.cpus.iter().all(|c| c.idle > 0), "{context:?} {acquire:?}");
                assert!(s.detail.irqs[3].nic > 0, "{context:?} {acquire:?}");
            }
            assert!(
                !t.log
                    .iter()
                    .any(|e| matches!(e.kind, LogKind::IrqLockup { .. })),
                "{context:?} {acquire:?}"
            );
        }
    }

    #[test]
    fn a_lockup_in_the_drill_is_reported_a_watchdog_period_later() {
        // Dated after the drill starts: the race can be lost from second 5 on.
        let mut inc = shipped();
        let start = inc.machine.uptime_s;
        for fault in &mut inc.faults {
            if let crate::domain::Fault::Deadlock { after_s, .. } = fault {
                *after_s = Some((start + 5) as u32);
            }
        }
        let t = simulate(&inc, Seed(4), 40);
        let soft = |s: &crate::model::Sample| s.cpus[3].softirq as f64 / 1e9;
        assert!(t.samples[..5].iter().all(|s| soft(s) < 0.99));
        let stuck_from = t
            .samples
            .iter()
            .position(|s| soft(s) >= 0.999)
            .expect("CPU 3 locks up");
        assert!(stuck_from >= 5, "stuck from second {stuck_from}");
        let first = t
            .log
            .iter()
            .find(|e| {
                matches!(
                    e.kind,
                    LogKind::SoftLockup { .. } | LogKind::IrqLockup { .. }
                )
            })
            .expect("reported");
        let second = first.at_us / 1_000_000 - start;
        assert!(
            (stuck_from as u64 + 21..=stuck_from as u64 + 22).contains(&second),
            "stuck from {stuck_from}, reported at {second}"
        );
    }
}
