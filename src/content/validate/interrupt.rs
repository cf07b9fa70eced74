//! Interrupt-context locking: a spinlock also taken by an interrupt handler, and the same-CPU
//! deadlock a `deadlock` fault may name by giving that one lock as both `first` and `second`.

use super::Checker;
use crate::content::raw::{RawInterruptUse, RawIrqContext, RawLock, RawLockKind, RawSpinAcquire};
use crate::domain::{InterruptUse, IrqContext, SpinAcquire};

/// The lock's `interrupt` use, checked: only a kernel spinlock can be taken in interrupt
/// context (a handler may not sleep, and a reader-writer or sequence lock's interrupt rules are
/// not modelled), and such a lock is per CPU, so it takes no `shards`.
pub(super) fn lock_interrupt(
    c: &mut Checker<'_>,
    at: &str,
    lock: &RawLock,
) -> Option<InterruptUse> {
    let raw = lock.interrupt.as_ref()?;
    let here = format!("{at}.interrupt");
    if !matches!(lock.kind, RawLockKind::Spinlock) {
        c.error_help(
            &here,
            "only a spinlock can be taken in an interrupt handler",
            "a handler runs in atomic context and must not sleep; use `kind: spinlock`",
        );
    }
    if matches!(lock.scope, crate::content::raw::RawLockScope::User) {
        c.error_help(
            &here,
            "an interrupt handler cannot take a user-space lock",
            "remove `scope: user`: the lock is the kernel's (a driver's)",
        );
    }
    if lock.shards != 1 {
        c.error_help(
            &format!("{at}.shards"),
            format!("shards {} on a lock with an interrupt use", lock.shards),
            "a lock shared with an interrupt handler is already one per CPU; remove `shards`",
        );
    }
    if !is_frame(&raw.handler) {
        c.error_help(
            &format!("{here}.handler"),
            format!("handler `{}` is not a frame", raw.handler),
            "write the function and the offset of the call, e.g. `mlx5e_poll_tx_cq+0x1c2`",
        );
    }
    Some(domain_use(raw))
}

fn domain_use(raw: &RawInterruptUse) -> InterruptUse {
    InterruptUse {
        context: match raw.context {
            RawIrqContext::Hardirq => IrqContext::HardIrq,
            RawIrqContext::Softirq => IrqContext::SoftIrq,
        },
        handler: raw.handler.clone(),
        process_acquire: match raw.process_acquire {
            RawSpinAcquire::SpinLock => SpinAcquire::Plain,
            RawSpinAcquire::SpinLockBh => SpinAcquire::Bh,
            RawSpinAcquire::SpinLockIrqsave => SpinAcquire::IrqSave,
        },
    }
}

/// `function+0xoffset`, as stacks print a call site.
fn is_frame(text: &str) -> bool {
    let Some((function, offset)) = text.split_once("+0x") else {
        return false;
    };
    let mut chars = function.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.')
        && !offset.is_empty()
        && offset.chars().all(|ch| ch.is_ascii_hexdigit())
}

/// A `deadlock` fault naming lock `id` as both `first` and `second`: valid only as the
/// same-CPU deadlock of a lock whose handler can interrupt its holder. Reports why otherwise.
pub(super) fn self_deadlock(c: &mut Checker<'_>, at: &str, locks: &[RawLock], id: &str) {
    let key = format!("{at}.deadlock.second");
    let Some(lock) = locks.iter().find(|l| l.id == id) else {
        // The unknown reference is reported already.
        return;
    };
    match &lock.interrupt {
        None => c.error_help(
            &key,
            "a deadlock needs two different locks",
            "name the lock each thread takes first; one lock deadlocks alone only when an \
             interrupt handler takes it too (give the lock an `interrupt` use)",
        ),
        Some(raw) => {
            let usage = domain_use(raw);
            if !usage.same_cpu_deadlock_possible() {
                c.error_help(
                    &key,
                    format!(
                        "lock `{id}` cannot deadlock with its own handler: process context \
                         takes it with {}",
                        acquire_name(raw.process_acquire)
                    ),
                    "the handler cannot run on a CPU that holds the lock; use `spin_lock` (or \
                     `spin_lock_bh` against a hardirq handler) to model the bug",
                );
            }
        }
    }
}

fn acquire_name(acquire: RawSpinAcquire) -> &'static str {
    match acquire {
        RawSpinAcquire::SpinLock => "spin_lock",
        RawSpinAcquire::SpinLockBh => "spin_lock_bh",
        RawSpinAcquire::SpinLockIrqsave => "spin_lock_irqsave",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::load_incident;
    use std::path::Path;

    const SHIPPED: &str = include_str!("../../../incidents/irq-spinlock-lockup.yaml");

    /// The shipped incident with `edits` applied (each a unique substring and its replacement):
    /// the messages and lines of its errors, or none.
    fn errors(edits: &[(&str, &str)]) -> Vec<(usize, String, Option<String>)> {
        let mut text = SHIPPED.to_owned();
        for (from, to) in edits {
            assert_eq!(text.matches(from).count(), 1, "{from}");
            text = text.replacen(from, to, 1);
        }
        match load_incident(Path::new("irq.yaml"), text.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(diagnostics) => diagnostics
                .into_iter()
                .map(|d| (d.line, d.message, d.help))
                .collect(),
        }
    }

    fn line_of(needle: &str) -> usize {
        SHIPPED
            .lines()
            .position(|line| line.contains(needle))
            .map(|i| i + 1)
            .expect("the needle is in the shipped file")
    }

    #[test]
    fn the_shipped_incident_is_valid() {
        assert_eq!(errors(&[]), Vec::new());
    }

    #[test]
    fn only_an_unsharded_kernel_spinlock_has_an_interrupt_use() {
        let found = errors(&[("    kind: spinlock\n", "    kind: mutex\n")]);
        assert_eq!(found.len(), 1, "{found:?}");
        // Located at the `interrupt` mapping (its key or its first entry).
        let at = line_of("    interrupt:");
        assert!((at..=at + 1).contains(&found[0].0), "{found:?}");
        assert!(found[0].1.contains("only a spinlock"), "{found:?}");
        let found = errors(&[("    scope: kernel\n", "    scope: kernel\n    shards: 4\n")]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("shards 4"), "{found:?}");
        let found = errors(&[("mlx5e_poll_rx_cq+0x2f1", "mlx5e_poll_rx_cq")]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, line_of("handler: mlx5e_poll_rx_cq"));
    }

    #[test]
    fn one_lock_deadlocks_alone_only_when_its_handler_can_interrupt_the_holder() {
        // Masked: irqsave, or bh against a softirq handler.
        for masked in ["spin_lock_irqsave", "spin_lock_bh"] {
            let found = errors(&[(
                "process_acquire: spin_lock\n",
                &format!("process_acquire: {masked}\n"),
            )]);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].0, line_of("second: counters"));
            assert!(found[0].1.contains(masked), "{found:?}");
        }
        // `_bh` does not hold off a hard interrupt handler.
        let found = errors(&[
            (
                "process_acquire: spin_lock\n",
                "process_acquire: spin_lock_bh\n",
            ),
            ("context: softirq", "context: hardirq"),
        ]);
        assert_eq!(found, Vec::new());
        // A lock no handler takes needs a second lock to deadlock.
        let found = errors(&[(
            "    interrupt:\n      context: softirq\n      handler: mlx5e_poll_rx_cq+0x2f1\n      process_acquire: spin_lock\n",
            "",
        )]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("two different locks"), "{found:?}");
        assert!(
            found[0]
                .2
                .as_deref()
                .is_some_and(|h| h.contains("interrupt"))
        );
    }

    #[test]
    fn frames_are_function_plus_hex_offset() {
        assert!(is_frame("mlx5e_poll_tx_cq+0x1c2"));
        assert!(is_frame("__napi_poll.constprop.0+0x30"));
        assert!(!is_frame("mlx5e_poll_tx_cq"));
        assert!(!is_frame("+0x10"));
        assert!(!is_frame("poll+0xzz"));
        assert!(!is_frame("9poll+0x10"));
    }
}
