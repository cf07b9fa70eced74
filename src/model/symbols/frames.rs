//! Kernel stack frames as `symbol+0xoffset/0xsize`: one table of the kernel functions the
//! stacks show, so a function has the same size in `/proc/PID/stack`, in every kernel log
//! report (hung tasks, lockups, lockdep) and in `/proc/lock_stat`'s call sites.
//!
//! A function in the table has its real size on a 6.8 x86-64 build and the return offset of
//! its usual call; a frame naming its own offset (a lock's `caller`, lockdep's acquisition
//! inside `down_write`) keeps that offset, with the function's one size. Every frame the
//! shipped incidents print is in the table (a test renders them all); a function it does not
//! list, which only a coach's own incident can name (a lock's `caller`, an interrupt handler),
//! gets a size fixed by its name, from 0x200 to 0x7f0 bytes, and a return offset inside it.

use crate::domain::stable_hash;

/// (function, offset of the return address of its usual call, size), by name.
const KERNEL_FUNCTIONS: &[(&str, u64, u64)] = &[
    ("__alloc_pages", 0x31f, 0x350),
    ("__alloc_pages_slowpath.constprop.0", 0xa74, 0xe50),
    ("__common_interrupt", 0x4f, 0x110),
    ("__down", 0x1d, 0x30),
    ("__down_common", 0x11c, 0x250),
    ("__filemap_fdatawait_range", 0x8f, 0x130),
    ("__folio_lock_or_retry", 0xbb, 0x150),
    ("__handle_irq_event_percpu", 0x4a, 0x1a0),
    ("__handle_mm_fault", 0x30d, 0x6a0),
    ("__irq_exit_rcu", 0x6b, 0x90),
    ("__jbd2_log_wait_for_space", 0xc4, 0x220),
    ("__lock_acquire", 0x1543, 0x2a80),
    ("__mutex_lock", 0x95, 0x8d0),
    ("__mutex_lock.constprop.0", 0x3a4, 0x790),
    ("__mutex_lock_slowpath", 0x13, 0x20),
    ("__napi_poll", 0x30, 0x1f0),
    ("__schedule", 0x3c9, 0xb60),
    ("__x64_sys_epoll_wait", 0x6f, 0x110),
    ("__x64_sys_fdatasync", 0x1b, 0x30),
    ("__x64_sys_fsync", 0x1b, 0x30),
    ("__x64_sys_futex", 0x78, 0x1e0),
    ("__x64_sys_pread64", 0x98, 0xd0),
    ("_raw_spin_lock", 0x3f, 0x60),
    ("alloc_pages_mpol", 0x91, 0x210),
    ("asm_common_interrupt", 0x27, 0x40),
    ("asm_exc_page_fault", 0x27, 0x30),
    ("check_noncircular", 0x148, 0x160),
    ("common_interrupt", 0xa4, 0xb0),
    ("debug_show_all_locks", 0x36, 0x1c0),
    ("do_anonymous_page", 0x76, 0x3c0),
    ("do_epoll_wait", 0x4d6, 0x510),
    ("do_futex", 0x105, 0x1b0),
    ("do_swap_page", 0x1c7, 0xb70),
    ("do_syscall_64", 0x7e, 0x170),
    ("do_user_addr_fault", 0x169, 0x670),
    ("down", 0x47, 0x60),
    ("down_read", 0x48, 0xc0),
    ("down_write", 0x5b, 0x60),
    ("dump_header", 0x4f, 0x240),
    ("dump_stack_lvl", 0x77, 0xb0),
    ("entry_SYSCALL_64_after_hwframe", 0x76, 0x7e),
    ("ep_poll", 0x2a6, 0x330),
    ("exc_page_fault", 0x83, 0x1b0),
    ("ext4_file_read_iter", 0x5f, 0x1c0),
    ("ext4_map_blocks", 0x1b4, 0x6f0),
    ("ext4_sync_file", 0x1b2, 0x3a0),
    ("fib_table_lookup", 0x7e, 0x770),
    ("file_write_and_wait_range", 0x8c, 0xe0),
    ("filemap_get_pages", 0x2b8, 0x720),
    ("filemap_read", 0xe3, 0x340),
    ("folio_wait_bit_common", 0x136, 0x350),
    ("folio_wait_writeback", 0x2b, 0xa0),
    ("futex_q_lock", 0x2a, 0x50),
    ("futex_wait", 0x175, 0x260),
    ("futex_wait_queue", 0x5b, 0x90),
    ("futex_wake", 0x15a, 0x190),
    ("handle_edge_irq", 0x8c, 0x250),
    ("handle_irq_event", 0x39, 0x80),
    ("handle_mm_fault", 0x18a, 0x380),
    ("handle_softirqs", 0xd8, 0x340),
    ("irq_exit_rcu", 0xe, 0x20),
    ("jbd2_complete_transaction", 0x5d, 0xb0),
    ("jbd2_log_wait_commit", 0xc4, 0x150),
    ("kswapd", 0x21a, 0x4d0),
    ("kthread", 0xef, 0x120),
    ("lock_acquire", 0xd2, 0x300),
    ("lock_sock_nested", 0x36, 0x90),
    ("mlx5_fc_query", 0x4e, 0x240),
    ("mlx5e_napi_poll", 0x12e, 0x6d0),
    ("mlx5e_poll_rx_cq", 0x2f1, 0x4f0),
    ("mutex_lock", 0x3b, 0x50),
    ("native_queued_spin_lock_slowpath", 0x6e, 0x2c0),
    ("net_rx_action", 0x181, 0x2e0),
    ("oom_kill_process", 0x10d, 0x1c0),
    ("out_of_memory", 0x103, 0x350),
    ("ret_from_fork", 0x31, 0x50),
    ("ret_from_fork_asm", 0x1a, 0x30),
    ("rmqueue_bulk", 0x51, 0x5f0),
    ("rwsem_down_read_slowpath", 0x23a, 0x4b0),
    ("rwsem_down_write_slowpath", 0x2a3, 0x6a0),
    ("schedule", 0x27, 0xa0),
    ("schedule_preempt_disabled", 0x15, 0x30),
    ("smpboot_thread_fn", 0xdd, 0x1d0),
    ("try_to_wake_up", 0x2b6, 0x6a0),
    ("vfs_read", 0x23c, 0x340),
    ("virtnet_poll", 0x17a, 0x5e0),
];

/// The lock each lock-taking function of the table takes, by function name: `perf lock
/// contention -b` names a contended lock by its caller (`rmqueue_bulk+0x51`), so reading which
/// lock tops that table needs the lock behind the caller. A user-space lock reaches the kernel's
/// lock tools only through its futex calls, which take the futex hash bucket lock.
const LOCK_TAKERS: &[(&str, &str)] = &[
    ("__jbd2_log_wait_for_space", "&journal->j_checkpoint_mutex"),
    ("ext4_map_blocks", "&ei->i_data_sem"),
    ("fib_table_lookup", "&table->lock"),
    ("futex_q_lock", crate::model::futex_bucket::CLASS_NAME),
    ("futex_wake", crate::model::futex_bucket::CLASS_NAME),
    ("lock_sock_nested", "slock-AF_INET"),
    ("mlx5_fc_query", "&fc_stats->lock"),
    ("rmqueue_bulk", "&zone->lock"),
    ("try_to_wake_up", "&rq->__lock"),
];

/// The class name of the lock a call site (`rmqueue_bulk+0x51` or `rmqueue_bulk`) takes, as
/// lock_stat and `perf lock` print it; `None` for a function the table does not know.
pub fn lock_taken_by(site: &str) -> Option<&'static str> {
    let name = site.split_once('+').map_or(site, |(name, _)| name);
    let i = LOCK_TAKERS.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
    Some(LOCK_TAKERS[i].1)
}

/// `function` or `function+0xoff` as a stack frame, `function+0xoff/0xsize`.
pub(crate) fn kernel_frame(site: &str) -> String {
    let (name, given) = match site.split_once("+0x") {
        Some((name, off)) => (name, u64::from_str_radix(off, 16).ok()),
        None => (site, None),
    };
    let (usual, size) = function(name);
    let offset = given.unwrap_or(usual);
    // A caller written with an offset past the size the name gives still returns inside its
    // function: the function reaches at least to the next 16 bytes after the call.
    let size = if offset < size {
        size
    } else {
        (offset + 0x10) & !0xf
    };
    format!("{name}+0x{offset:x}/0x{size:x}")
}

/// A kernel function of the table: the return offset of its usual call and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelFunction {
    pub offset: u64,
    pub size: u64,
}

/// `name` as the table lists it; `None` for a function the table does not list.
pub fn kernel_function(name: &str) -> Option<KernelFunction> {
    let i = KERNEL_FUNCTIONS
        .binary_search_by(|(n, _, _)| (*n).cmp(name))
        .ok()?;
    let (_, offset, size) = KERNEL_FUNCTIONS[i];
    Some(KernelFunction { offset, size })
}

/// The usual return offset and the size of a kernel function.
fn function(name: &str) -> (u64, u64) {
    if let Some(f) = kernel_function(name) {
        return (f.offset, f.size);
    }
    let h = stable_hash(name.as_bytes());
    let size = 0x200 + (h % 0x600) / 0x10 * 0x10;
    let offset = 0x10 + (h >> 20) % (size - 0x18);
    (offset, size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(frame: &str) -> (String, u64, u64) {
        let (name, rest) = frame.split_once("+0x").expect("offset");
        let (off, size) = rest.split_once("/0x").expect("size");
        (
            name.to_owned(),
            u64::from_str_radix(off, 16).expect("hex"),
            u64::from_str_radix(size, 16).expect("hex"),
        )
    }

    #[test]
    fn the_table_is_sorted_and_every_offset_is_inside_its_function() {
        assert!(KERNEL_FUNCTIONS.windows(2).all(|w| w[0].0 < w[1].0));
        for &(name, offset, size) in KERNEL_FUNCTIONS {
            assert!(offset < size, "{name}");
            assert_eq!(
                kernel_frame(name),
                format!("{name}+0x{offset:x}/0x{size:x}")
            );
        }
    }

    #[test]
    fn every_lock_taker_is_a_function_of_the_table() {
        assert!(LOCK_TAKERS.windows(2).all(|w| w[0].0 < w[1].0));
        for &(name, _) in LOCK_TAKERS {
            assert!(kernel_function(name).is_some(), "{name}");
        }
        assert_eq!(lock_taken_by("rmqueue_bulk+0x51"), Some("&zone->lock"));
        assert_eq!(lock_taken_by("futex_wake"), Some("&hb->lock"));
        assert_eq!(lock_taken_by("price_quote+0x61"), None);
        assert_eq!(lock_taken_by(""), None);
    }

    /// The shipped incidents name each kernel lock's class and its caller; the table must
    /// agree with every pair it knows.
    #[test]
    fn shipped_kernel_locks_agree_with_the_table() {
        let catalog = crate::content::load_catalog(&[]).expect("shipped content loads");
        let mut checked = 0;
        for incident in catalog.incidents.values() {
            for lock in &incident.locks {
                if lock.scope != crate::domain::LockScope::Kernel {
                    continue;
                }
                if let Some(class) = lock_taken_by(&lock.caller) {
                    assert_eq!(class, lock.class_name, "{}", lock.caller);
                    checked += 1;
                }
            }
        }
        assert!(checked >= 5, "only {checked} kernel locks checked");
    }

    #[test]
    fn a_function_has_one_size_whatever_the_offset() {
        for name in [
            "down_write",
            "ext4_map_blocks",
            "futex_wait_queue",
            "mlx5e_napi_poll",
        ] {
            let (_, off, size) = parts(&kernel_frame(name));
            assert!(off < size);
            let (_, given, same) = parts(&kernel_frame(&format!("{name}+0x1f")));
            assert_eq!((given, same), (0x1f, size), "{name}");
        }
        // An offset past the name's size still lies inside the function.
        let (_, off, size) = parts(&kernel_frame("down_write+0x3e5"));
        assert!(off < size);
    }
}
