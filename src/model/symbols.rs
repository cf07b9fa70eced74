//! The symbol table and the activity → symbol split (docs/MODEL.md, "What each tool shows"): every kind of CPU work
//! the engine accounts (user compute, spinning, the futex path, the scheduler, page allocation,
//! reclaim, network receive, idle …) is spread over the functions a profiler would sample, with
//! fixed fractions written out below. A symbol's share of `perf top` is therefore exactly its
//! share of the model's CPU time.
//!
//! Owns: names, DSOs, the fractions, and which CPU-time category (us, sy, hi, si) each activity
//! lands in. Must not: decide how much time an activity takes (that is the engine's job).

use std::collections::BTreeMap;

use super::trace::Symbol;

mod frames;
pub(crate) use frames::kernel_frame;
pub use frames::{KernelFunction, kernel_function, lock_taken_by};

/// Where an activity's CPU time is accounted, as fractions summing to 1.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Category {
    pub user: f64,
    pub system: f64,
    pub irq: f64,
    pub softirq: f64,
}

impl Category {
    pub const USER: Self = Self {
        user: 1.0,
        system: 0.0,
        irq: 0.0,
        softirq: 0.0,
    };
    pub const SYSTEM: Self = Self {
        user: 0.0,
        system: 1.0,
        irq: 0.0,
        softirq: 0.0,
    };
}

/// One accountable activity: its categories and its symbol split (fractions summing to 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub category: Category,
    pub symbols: Vec<(usize, f64)>,
}

/// Builds the symbol table while activities are declared; ids are assigned in first-use order.
#[derive(Debug, Clone, Default)]
pub struct SymbolTable {
    pub symbols: Vec<Symbol>,
    index: BTreeMap<(String, String), usize>,
}

pub const KERNEL: &str = "[kernel]";
pub const LIBC: &str = "libc.so.6";

impl SymbolTable {
    pub fn id(&mut self, name: &str, dso: &str) -> usize {
        let key = (name.to_owned(), dso.to_owned());
        if let Some(&id) = self.index.get(&key) {
            return id;
        }
        let id = self.symbols.len();
        self.symbols.push(Symbol {
            name: name.to_owned(),
            dso: dso.to_owned(),
            kernel: dso == KERNEL,
            halted: dso == KERNEL && splits::HALTED.contains(&name),
        });
        self.index.insert(key, id);
        id
    }

    /// Kernel symbols with fractions.
    pub fn kernel(&mut self, parts: &[(&str, f64)]) -> Vec<(usize, f64)> {
        parts
            .iter()
            .map(|&(n, f)| (self.id(n, KERNEL), f))
            .collect()
    }

    pub fn activity(&mut self, category: Category, parts: &[(&str, &str, f64)]) -> Activity {
        let symbols = parts.iter().map(|&(n, d, f)| (self.id(n, d), f)).collect();
        Activity { category, symbols }
    }
}

/// Mixes activities by weight (mean time of each part): the result's category and symbol
/// fractions are the weighted averages. Zero total weight gives the first part unchanged.
pub fn mix(parts: &[(f64, &Activity)]) -> Activity {
    let total: f64 = parts.iter().map(|(w, _)| w.max(0.0)).sum();
    if total <= 0.0 {
        return parts
            .first()
            .map(|(_, a)| (*a).clone())
            .unwrap_or(Activity {
                category: Category::USER,
                symbols: Vec::new(),
            });
    }
    let mut category = Category::default();
    let mut symbols: BTreeMap<usize, f64> = BTreeMap::new();
    for (w, a) in parts {
        let f = w.max(0.0) / total;
        category.user += f * a.category.user;
        category.system += f * a.category.system;
        category.irq += f * a.category.irq;
        category.softirq += f * a.category.softirq;
        for &(s, sf) in &a.symbols {
            *symbols.entry(s).or_insert(0.0) += f * sf;
        }
    }
    Activity {
        category,
        symbols: symbols.into_iter().collect(),
    }
}

/// The fixed splits (fractions sum to 1 in every list; a unit test checks it).
pub mod splits {
    pub const IDLE_BARE: &[(&str, f64)] = &[
        ("intel_idle", 0.88),
        ("cpuidle_enter_state", 0.06),
        ("do_idle", 0.04),
        ("menu_select", 0.02),
    ];
    /// Where an idle CPU halts: the rest of the idle split is the idle loop's running part.
    pub const HALTED: &[&str] = &["intel_idle", "pv_native_safe_halt"];
    pub const IDLE_GUEST: &[(&str, f64)] = &[
        ("pv_native_safe_halt", 0.92),
        ("do_idle", 0.05),
        ("default_idle_call", 0.03),
    ];
    pub const SYSCALL: &[(&str, f64)] = &[
        ("entry_SYSCALL_64_after_hwframe", 0.3),
        ("do_syscall_64", 0.4),
        ("syscall_exit_to_user_mode", 0.3),
    ];
    pub const PAGE_ALLOC: &[(&str, f64)] = &[
        ("get_page_from_freelist", 0.35),
        ("__alloc_pages", 0.15),
        ("rmqueue", 0.15),
        ("clear_page_erms", 0.35),
    ];
    pub const FAULT: &[(&str, f64)] = &[
        ("asm_exc_page_fault", 0.2),
        ("exc_page_fault", 0.15),
        ("do_user_addr_fault", 0.15),
        ("handle_mm_fault", 0.2),
        ("do_anonymous_page", 0.3),
    ];
    pub const SCHED: &[(&str, f64)] = &[
        ("__schedule", 0.3),
        ("finish_task_switch.isra.0", 0.2),
        ("pick_next_task_fair", 0.12),
        ("update_curr", 0.08),
        ("__switch_to", 0.08),
        ("psi_task_switch", 0.07),
        ("dequeue_task_fair", 0.08),
        ("switch_mm_irqs_off", 0.07),
    ];
    pub const WAKEUP: &[(&str, f64)] = &[
        ("try_to_wake_up", 0.45),
        ("ttwu_do_activate", 0.2),
        ("enqueue_task_fair", 0.2),
        ("select_idle_sibling", 0.15),
    ];
    pub const SPIN: &[(&str, f64)] = &[
        ("native_queued_spin_lock_slowpath", 0.94),
        ("_raw_spin_lock", 0.06),
    ];
    pub const FUTEX_WAIT_K: &[(&str, f64)] = &[
        ("futex_wait", 0.14),
        ("__futex_wait", 0.08),
        ("futex_wait_setup", 0.08),
        ("futex_q_lock", 0.08),
        ("native_queued_spin_lock_slowpath", 0.12),
        ("_raw_spin_lock", 0.06),
        ("get_futex_key", 0.06),
        ("do_futex", 0.05),
        ("__x64_sys_futex", 0.05),
        ("do_syscall_64", 0.05),
        ("entry_SYSCALL_64_after_hwframe", 0.05),
    ];
    /// The user side of a contended futex wait: `[.] __lll_lock_wait` in libc.
    pub const FUTEX_WAIT_USER_SHARE: f64 = 0.18;
    pub const FUTEX_WAKE_K: &[(&str, f64)] = &[
        ("futex_wake", 0.3),
        ("futex_wake_mark", 0.1),
        ("futex_hash", 0.1),
        ("_raw_spin_lock", 0.1),
        ("native_queued_spin_lock_slowpath", 0.1),
        ("do_futex", 0.05),
        ("__x64_sys_futex", 0.05),
        ("do_syscall_64", 0.05),
    ];
    pub const FUTEX_WAKE_USER_SHARE: f64 = 0.15;
    pub const KMUTEX_WAIT: &[(&str, f64)] = &[
        ("__mutex_lock.constprop.0", 0.3),
        ("mutex_spin_on_owner", 0.3),
        ("osq_lock", 0.2),
        ("__mutex_lock_slowpath", 0.1),
        ("mutex_lock", 0.1),
    ];
    pub const KMUTEX_WAKE: &[(&str, f64)] = &[
        ("__mutex_unlock_slowpath", 0.5),
        ("wake_up_q", 0.3),
        ("mutex_unlock", 0.2),
    ];
    pub const RWLOCK_READ_SPIN: &[(&str, f64)] =
        &[("queued_read_lock_slowpath", 0.8), ("_raw_read_lock", 0.2)];
    pub const RWLOCK_WRITE_SPIN: &[(&str, f64)] = &[
        ("queued_write_lock_slowpath", 0.85),
        ("_raw_write_lock_irq", 0.15),
    ];
    pub const RWSEM_WAIT: &[(&str, f64)] = &[
        ("rwsem_down_write_slowpath", 0.4),
        ("rwsem_spin_on_owner", 0.3),
        ("rwsem_optimistic_spin", 0.1),
        ("osq_lock", 0.1),
        ("down_write", 0.1),
    ];
    pub const DIRECT_RECLAIM: &[(&str, f64)] = &[
        ("shrink_folio_list", 0.25),
        ("isolate_lru_folios", 0.12),
        ("shrink_inactive_list", 0.1),
        ("shrink_lruvec", 0.08),
        ("__alloc_pages_slowpath.constprop.0", 0.1),
        ("try_to_free_pages", 0.05),
        ("do_try_to_free_pages", 0.05),
        ("folio_referenced", 0.1),
        ("__remove_mapping", 0.08),
        ("shrink_node", 0.07),
    ];
    pub const KSWAPD: &[(&str, f64)] = &[
        ("shrink_folio_list", 0.3),
        ("isolate_lru_folios", 0.15),
        ("shrink_inactive_list", 0.1),
        ("shrink_lruvec", 0.1),
        ("balance_pgdat", 0.1),
        ("folio_referenced", 0.1),
        ("__remove_mapping", 0.08),
        ("shrink_slab", 0.07),
    ];
    /// Network receive; the driver poll symbol is added by the builder (bare metal or guest).
    pub const NET_RX: &[(&str, f64)] = &[
        ("net_rx_action", 0.08),
        ("__napi_poll", 0.08),
        ("napi_gro_receive", 0.08),
        ("dev_gro_receive", 0.06),
        ("__netif_receive_skb_core.constprop.0", 0.1),
        ("ip_rcv", 0.06),
        ("ip_local_deliver_finish", 0.06),
        ("tcp_v4_rcv", 0.14),
        ("tcp_rcv_established", 0.08),
        ("sock_def_readable", 0.06),
        ("handle_softirqs", 0.04),
        ("skb_copy_datagram_iter", 0.06),
    ];
    pub const NET_DRIVER_SHARE: f64 = 0.10;
    pub const TICK: &[(&str, f64)] = &[
        ("update_process_times", 0.3),
        ("scheduler_tick", 0.3),
        ("hrtimer_interrupt", 0.2),
        ("tick_sched_timer", 0.2),
    ];
    pub const RETRY_KERNEL: &[(&str, f64)] = &[
        ("do_sched_yield", 0.12),
        ("__schedule", 0.08),
        ("do_syscall_64", 0.1),
        ("entry_SYSCALL_64_after_hwframe", 0.05),
        ("syscall_exit_to_user_mode", 0.1),
    ];
    pub const RETRY_USER_SHARE: f64 = 0.55;
    pub const USER_APP_SHARE: f64 = 0.8;
    pub const USER_LIBC: &[(&str, f64)] =
        &[("__memmove_avx_unaligned_erms", 0.12), ("malloc", 0.08)];
}

#[cfg(test)]
mod tests {
    use super::splits::*;

    fn sum(parts: &[(&str, f64)]) -> f64 {
        parts.iter().map(|p| p.1).sum()
    }

    #[test]
    fn every_split_sums_to_one() {
        for s in [
            IDLE_BARE,
            IDLE_GUEST,
            SYSCALL,
            PAGE_ALLOC,
            FAULT,
            SCHED,
            WAKEUP,
            SPIN,
            KMUTEX_WAIT,
            KMUTEX_WAKE,
            RWLOCK_READ_SPIN,
            RWLOCK_WRITE_SPIN,
            RWSEM_WAIT,
            DIRECT_RECLAIM,
            KSWAPD,
            TICK,
        ] {
            assert!((sum(s) - 1.0).abs() < 1e-9, "{s:?}");
        }
        assert!((sum(FUTEX_WAIT_K) + FUTEX_WAIT_USER_SHARE - 1.0).abs() < 1e-9);
        assert!((sum(FUTEX_WAKE_K) + FUTEX_WAKE_USER_SHARE - 1.0).abs() < 1e-9);
        assert!((sum(NET_RX) + NET_DRIVER_SHARE - 1.0).abs() < 1e-9);
        assert!((sum(RETRY_KERNEL) + RETRY_USER_SHARE - 1.0).abs() < 1e-9);
        assert!((sum(USER_LIBC) + USER_APP_SHARE - 1.0).abs() < 1e-9);
    }
}
