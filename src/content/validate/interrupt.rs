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
