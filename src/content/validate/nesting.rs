//! Nested critical sections (`nested:`) and the lock order they declare: each nested section's
//! lock resolves and differs from its outer one, a lock whose waiters sleep is never taken
//! inside one whose holder cannot sleep, a section does not both nest and end in a synchronous
//! write, and one request reverses at most one pair. Every (outer, inner) pair is an edge of
//! the order, and every reversed path adds the opposite edge; a cycle is refused unless a
//! `deadlock` fault names its two locks, and such a fault needs the reversed path that makes it.

use super::*;

/// Checks the nested sections of the critical section at `here` (on lock `outer`, `None` when
/// it did not resolve) and returns those that are usable.
pub(super) fn nested(
    c: &mut Checker<'_>,
    here: &str,
    cs: &RawCriticalSection,
    locks: &[RawLock],
    lock_ids: &[&str],
) -> Vec<NestedSection> {
    let outer = locks.iter().find(|l| l.id == cs.lock);
    if !cs.nested.is_empty() && cs.io.is_some() {
        c.error_help(
            &format!("{here}.nested"),
            "a section cannot both end in a synchronous write and nest other sections",
            "put the write in a section of its own, or nest the sections in one without `io`",
        );
    }
    let mut out = Vec::new();
    let mut reversed = 0;
    for (k, n) in cs.nested.iter().enumerate() {
        let at = format!("{here}.nested[{k}]");
        let found = c.reference(&format!("{at}.lock"), "lock", &n.lock, lock_ids);
        c.positive(&format!("{at}.hold_us"), n.hold_us, MAX_TIME_US, " us");
        c.fraction(&format!("{at}.write_fraction"), n.write_fraction);
        c.fraction(&format!("{at}.reverse_fraction"), n.reverse_fraction);
        let inner = locks.iter().find(|l| l.id == n.lock);
        if n.lock == cs.lock {
            c.error_help(
                &format!("{at}.lock"),
                format!("lock `{}` is taken inside itself", n.lock),
                "a thread that takes a lock it holds waits for itself forever; nest a \
                 different lock",
            );
        }
        if let (Some(outer), Some(inner)) = (outer, inner)
            && !super::sync_write::holder_may_sleep(outer.kind, outer.scope)
            && super::sync_write::holder_may_sleep(inner.kind, inner.scope)
        {
            c.error_help(
                &format!("{at}.lock"),
                format!(
                    "lock `{}` may sleep, and it is taken inside `{}`, whose holder cannot",
                    inner.id, outer.id
                ),
                "sleeping while holding a spinning lock is a kernel bug (scheduling while \
                 atomic); take the inner lock after releasing the outer, or make them the \
                 same family (both spinning or both sleeping)",
            );
        }
        if n.reverse_fraction > 0.0 {
            reversed += 1;
            if reversed == 2 {
                c.error_help(
                    &format!("{at}.reverse_fraction"),
                    "a second nested section with a reversed path",
                    "a request may take one nested pair the other way round; keep one \
                     `reverse_fraction` above 0",
                );
            }
            for lock in [outer, inner].into_iter().flatten() {
                if lock.shards > 1 || lock.interrupt.is_some() {
                    c.error_help(
                        &format!("{at}.reverse_fraction"),
                        format!(
                            "lock `{}` has one instance per shard or per CPU, so the two \
                             paths would not meet on one lock",
                            lock.id
                        ),
                        "reverse a pair of single locks (no `shards`, no `interrupt`)",
                    );
                }
            }
        }
        if found && n.lock != cs.lock {
            out.push(NestedSection {
                lock: lock_ids
                    .iter()
                    .position(|id| *id == n.lock)
                    .unwrap_or_default(),
                hold_us: n.hold_us,
                write_fraction: n.write_fraction,
                reverse_fraction: n.reverse_fraction,
            });
        }
    }
    out
}

/// One edge of the lock order: `inner` is taken while `outer` is held, at `at`.
struct Edge {
    outer: usize,
    inner: usize,
    at: String,
}

/// The lock order over every workload: no cycle unless a `deadlock` fault names it, and no
/// two-lock `deadlock` fault without the reversed path that forms it.
pub(super) fn order(
    c: &mut Checker<'_>,
    workloads: &[Workload],
    faults: &[Fault],
    locks: &[LockSpec],
) {
    let mut edges = Vec::new();
    for (i, w) in workloads.iter().enumerate() {
        // The request as written, then every path of its mix (a path that keeps the request's
        // sections repeats its edges, which closes no cycle of its own).
        let requests = std::iter::once((format!("workloads[{i}].request"), &w.request)).chain(
            w.paths
                .iter()
                .enumerate()
                .map(|(p, path)| (format!("workloads[{i}].request.paths[{p}]"), &path.request)),
        );
        for (rq, request) in requests {
            for (j, cs) in request.critical_sections.iter().enumerate() {
                for (k, n) in cs.nested.iter().enumerate() {
                    let at = format!("{rq}.critical_sections[{j}].nested[{k}]");
                    edges.push(Edge {
                        outer: cs.lock,
                        inner: n.lock,
                        at: format!("{at}.lock"),
                    });
                    if n.reverse_fraction > 0.0 {
                        edges.push(Edge {
                            outer: n.lock,
                            inner: cs.lock,
                            at: format!("{at}.reverse_fraction"),
                        });
                    }
                }
            }
        }
    }
    let named = |a: usize, b: usize| {
        faults.iter().any(|f| {
            matches!(*f, Fault::Deadlock { first, second, .. }
                if (first, second) == (a, b) || (first, second) == (b, a))
        })
    };
    let name = |l: usize| locks.get(l).map_or("?", |l| l.id.as_str());
    let mut reported = BTreeSet::new();
    for (e, edge) in edges.iter().enumerate() {
        // A cycle closes at this edge when its inner lock leads back to its outer one through
        // edges seen before it.
        let Some(path) = path_between(&edges[..e], edge.inner, edge.outer) else {
            continue;
        };
        let mut cycle: Vec<usize> = vec![edge.outer];
        cycle.extend(path);
        let two_locks = cycle.len() == 2;
        if two_locks && named(edge.outer, edge.inner) {
            continue;
        }
        let mut key = cycle.clone();
        key.sort_unstable();
        if !reported.insert(key) {
            continue;
        }
        let shown: Vec<String> = cycle
            .iter()
            .chain(std::iter::once(&edge.outer))
            .map(|&l| format!("`{}`", name(l)))
            .collect();
        let help = if two_locks {
            format!(
                "take the locks in one order everywhere, or, if this incident is about that \
                 deadlock, add a fault `deadlock: {{first: {}, second: {}}}`",
                name(edge.inner),
                name(edge.outer)
            )
        } else {
            "take the locks in one order everywhere (the model forms deadlocks between two \
             locks only)"
                .to_owned()
        };
        c.error_help(
            &edge.at,
            format!("the lock order has a cycle: {}", shown.join(" -> ")),
            help,
        );
    }
    for (i, f) in faults.iter().enumerate() {
        let Fault::Deadlock { first, second, .. } = *f else {
            continue;
        };
        if first == second {
            continue;
        }
        let has = |a: usize, b: usize| edges.iter().any(|e| e.outer == a && e.inner == b);
        if !(has(first, second) && has(second, first)) {
            c.error_help(
                &format!("faults[{i}].deadlock"),
                format!(
                    "no code path takes `{}` and `{}` nested in both orders",
                    name(first),
                    name(second)
                ),
                "nest one lock inside the other in a critical section (`nested:`) and give \
                 that nested section a `reverse_fraction` above 0: the share of requests \
                 whose path takes them the other way round",
            );
        }
    }
}

/// The locks on a path from `from` to `to` over `edges`, `from` first and `to` left out, if
/// there is a path.
fn path_between(edges: &[Edge], from: usize, to: usize) -> Option<Vec<usize>> {
    // Breadth-first over at most a few dozen locks; `prev` rebuilds the path.
    let mut prev: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([from]);
    let mut seen = BTreeSet::from([from]);
    while let Some(l) = queue.pop_front() {
        if l == to {
            let mut path = vec![l];
            let mut at = l;
            while let Some(&p) = prev.get(&at) {
                path.push(p);
                at = p;
            }
            path.reverse();
            // `path` runs from `from` to `to`; the cycle lists `from` .. before `to`.
            path.pop();
            return Some(path);
        }
        for e in edges.iter().filter(|e| e.outer == l) {
            if seen.insert(e.inner) {
                prev.insert(e.inner, l);
                queue.push_back(e.inner);
            }
        }
    }
    None
}
