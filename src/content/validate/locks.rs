//! `locks:` ids unique, a semaphore's permits, shards and cache-line bounce.

use super::*;

pub(super) fn locks(c: &mut Checker<'_>, raw: &RawIncident) -> Vec<LockSpec> {
    c.unique(
        raw.locks
            .iter()
            .enumerate()
            .map(|(i, l)| (format!("locks[{i}].id"), l.id.as_str())),
        "lock",
    );
    let mut locks = Vec::new();
    for (i, l) in raw.locks.iter().enumerate() {
        let at = format!("locks[{i}]");
        c.non_empty(&format!("{at}.id"), "lock id", &l.id);
        c.non_empty(&format!("{at}.class_name"), "class_name", &l.class_name);
        let kind = match l.kind {
            RawLockKind::Spinlock => LockKind::Spinlock,
            RawLockKind::Mutex => LockKind::Mutex,
            RawLockKind::Rwlock => LockKind::RwLock,
            RawLockKind::Rwsem => LockKind::RwSem,
            RawLockKind::Rcu => LockKind::Rcu,
            RawLockKind::Seqlock => LockKind::Seqlock,
            RawLockKind::Semaphore => LockKind::Semaphore,
        };
        if kind == LockKind::Semaphore {
            c.count(&format!("{at}.permits"), l.permits, 1, MAX_COUNT, "permits");
        } else if l.permits != 1 {
            c.error_help(
                &format!("{at}.permits"),
                format!("permits {} on a lock that is not a semaphore", l.permits),
                "only `kind: semaphore` has more than one holder; remove `permits`",
            );
        }
        c.count(&format!("{at}.shards"), l.shards, 1, 65_536, "shards");
        c.number(&format!("{at}.bounce_ns"), l.bounce_ns, 0.0, 1e6, " ns");
        locks.push(LockSpec {
            id: l.id.clone(),
            class_name: l.class_name.clone(),
            kind,
            scope: match l.scope {
                RawLockScope::Kernel => LockScope::Kernel,
                RawLockScope::User => LockScope::User,
            },
            caller: l.caller.clone(),
            permits: l.permits,
            shards: l.shards,
            bounce_ns: l.bounce_ns,
            interrupt: super::interrupt::lock_interrupt(c, &at, l),
        });
    }
    locks
}
