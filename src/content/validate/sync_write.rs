//! A critical section's synchronous write (`io:`): its device resolves, its size is in range,
//! and its lock is one whose holder may sleep.

use super::Checker;
use crate::content::raw::{RawLock, RawLockKind, RawLockScope, RawSyncKind, RawSyncWrite};
use crate::domain::{SyncKind, SyncWrite};

/// Checks `io` of the critical section at `here` taken on `lock` (None when the lock id did
/// not resolve: that is reported elsewhere). Returns the domain value when it is usable.
pub(super) fn check(
    c: &mut Checker<'_>,
    here: &str,
    io: &RawSyncWrite,
    lock: Option<&RawLock>,
    disk_names: &[&str],
) -> Option<SyncWrite> {
    let at = format!("{here}.io");
    let found = c.reference(&format!("{at}.device"), "disk", &io.device, disk_names);
    c.count(&format!("{at}.kib"), io.kib, 1, 65_536, "kib");
    if let Some(lock) = lock
        && !holder_may_sleep(lock.kind, lock.scope)
    {
        c.error_help(
            &format!("{at}.kind"),
            format!(
                "lock `{}` is a {} and its holder cannot sleep on a device",
                lock.id,
                kind_name(lock.kind)
            ),
            "sleeping while holding it is a kernel bug (scheduling while atomic); take a \
             mutex, rwsem or semaphore around the write, or drop `io` here",
        );
    }
    let disk = disk_names.iter().position(|d| *d == io.device)?;
    found.then_some(SyncWrite {
        kind: match io.kind {
            RawSyncKind::Fdatasync => SyncKind::Fdatasync,
            RawSyncKind::Fsync => SyncKind::Fsync,
        },
        kib: io.kib,
        disk,
        under_lock: io.under_lock,
    })
}

/// Whether a holder of a lock of this kind may block: sleeping locks may, spinning ones run
/// with preemption off (a user-space rwlock sleeps in the futex like a mutex).
pub(super) fn holder_may_sleep(kind: RawLockKind, scope: RawLockScope) -> bool {
    match kind {
        RawLockKind::Mutex | RawLockKind::Rwsem | RawLockKind::Semaphore => true,
        RawLockKind::Rwlock => matches!(scope, RawLockScope::User),
        RawLockKind::Spinlock | RawLockKind::Rcu | RawLockKind::Seqlock => false,
    }
}

/// The kinds whose holders cannot sleep, as the error names them (a user-space rwlock may).
fn kind_name(kind: RawLockKind) -> &'static str {
    match kind {
        RawLockKind::Spinlock => "spinlock",
        RawLockKind::Rwlock => "kernel rwlock",
        RawLockKind::Rcu => "rcu read side",
        RawLockKind::Seqlock => "seqlock",
        RawLockKind::Mutex => "mutex",
        RawLockKind::Rwsem => "rwsem",
        RawLockKind::Semaphore => "semaphore",
    }
}
