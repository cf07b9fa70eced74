//! `cat /proc/PID/stack`, `/proc/PID/task/TID/stack` and `/proc/PID/task/*/stack` as Linux 6.x
//! prints them to root: one `[<0>] symbol+0xoff/0xsize` line per frame, innermost first (the
//! address is hidden as 0 under the default kptr_restrict), nothing for a thread on a CPU.
//! Also the wait channel `ps -o wchan` shows, which is the first frame of the same stack, so
//! the two tools can never disagree.
//!
//! The stack follows from the thread's state in the last completed second: a futex wait for
//! user-space locks and idle pool workers, the kernel lock's slow path for kernel locks (with
//! the lock's caller), the page-cache wait for disk reads and swap-ins.

use super::argv::ToolError;
use super::inspect::Inspect;
use super::span::latest;
use crate::domain::SyncKind;
use crate::model::symbols::kernel_frame;
use crate::model::{LockWait, Sample, ThreadSample, ThreadState, Trace, WaitFor};

const SYSCALL_EXIT: [&str; 2] = ["do_syscall_64", "entry_SYSCALL_64_after_hwframe"];
const KTHREAD: [&str; 3] = ["kthread", "ret_from_fork", "ret_from_fork_asm"];

/// Parses `/proc/PID/stack`, `/proc/PID/task/TID/stack` and `/proc/PID/task/*/stack`.
pub(crate) fn parse_path(path: &str) -> Option<Result<Inspect, ToolError>> {
    let rest = path.strip_prefix("/proc/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let number = |word: &str| word.parse::<u32>().ok();
    let (pid, tid, every_thread) = match parts.as_slice() {
        [pid, "stack"] => (number(pid)?, None, false),
        [pid, "task", "*", "stack"] => (number(pid)?, None, true),
        [pid, "task", tid, "stack"] => (number(pid)?, Some(number(tid)?), false),
        _ => return None,
    };
    Some(Ok(Inspect::Stack {
        pid,
        tid,
        every_thread,
    }))
}

pub(crate) fn render(
    trace: &Trace,
    pid: u32,
    tid: Option<u32>,
    every_thread: bool,
    start: usize,
) -> String {
    let sample = latest(trace, start);
    let Some(task) = trace.info.tasks.iter().position(|t| t.pid == pid) else {
        return missing(pid, tid, every_thread);
    };
    let threads = threads_of(sample, task);
    let chosen: Vec<&ThreadSample> = if every_thread {
        threads.collect()
    } else {
        let want = tid.unwrap_or(pid);
        threads.filter(|t| t.tid == want).collect()
    };
    if chosen.is_empty() {
        return missing(pid, tid, every_thread);
    }
    let mut out = String::new();
    for thread in chosen {
        for frame in frames(trace, thread) {
            out.push_str("[<0>] ");
            out.push_str(&frame);
            out.push('\n');
        }
    }
    out
}

fn missing(pid: u32, tid: Option<u32>, every_thread: bool) -> String {
    let path = match (tid, every_thread) {
        (_, true) => format!("/proc/{pid}/task/*/stack"),
        (Some(tid), _) => format!("/proc/{pid}/task/{tid}/stack"),
        (None, _) => format!("/proc/{pid}/stack"),
    };
    format!("cat: {path}: No such file or directory\n")
}

/// The threads of the process at `BoxInfo::tasks[task]` in the sample, by tid.
pub(crate) fn threads_of(sample: &Sample, task: usize) -> impl Iterator<Item = &ThreadSample> {
    sample.detail.threads.iter().filter(move |t| t.task == task)
}

/// The wait channel `ps` prints: the innermost frame's symbol, `-` for a thread on a CPU.
pub(crate) fn wchan(trace: &Trace, thread: &ThreadSample) -> String {
    symbols(trace, thread).first().map_or_else(
        || "-".to_owned(),
        |s| s.split('+').next().unwrap_or(s).to_owned(),
    )
}

/// The stack's frames with offsets, innermost first; empty for a thread on a CPU.
fn frames(trace: &Trace, thread: &ThreadSample) -> Vec<String> {
    symbols(trace, thread)
        .into_iter()
        .map(|s| kernel_frame(&s))
        .collect()
}

/// The stack as bare symbols (a caller may already carry its `+0xoff`).
fn symbols(trace: &Trace, thread: &ThreadSample) -> Vec<String> {
    let wait = match thread.state {
        ThreadState::Running | ThreadState::Runnable | ThreadState::Spinning => {
            return Vec::new();
        }
        ThreadState::Sleeping(wait) | ThreadState::DiskSleep(wait) => wait,
    };
    let uninterruptible = matches!(thread.state, ThreadState::DiskSleep(_));
    let list = |frames: &[&str]| frames.iter().map(|f| (*f).to_owned()).collect::<Vec<_>>();
    let futex = || {
        let mut v = list(&[
            "futex_wait_queue",
            "futex_wait",
            "do_futex",
            "__x64_sys_futex",
        ]);
        v.extend(list(&SYSCALL_EXIT));
        v
    };
    match wait {
        WaitFor::Lock(lock) if uninterruptible => kernel_lock_frames(trace, lock, thread.lock_wait),
        WaitFor::Lock(_) | WaitFor::NoRequest => futex(),
        WaitFor::Client => {
            let mut v = list(&["ep_poll", "do_epoll_wait", "__x64_sys_epoll_wait"]);
            v.extend(list(&SYSCALL_EXIT));
            v
        }
        WaitFor::DiskRead => {
            let mut v = list(&[
                "folio_wait_bit_common",
                "filemap_get_pages",
                "filemap_read",
                "ext4_file_read_iter",
                "vfs_read",
                "__x64_sys_pread64",
            ]);
            v.extend(list(&SYSCALL_EXIT));
            v
        }
        WaitFor::SyncWrite(SyncKind::Fdatasync) => {
            let mut v = list(&[
                "folio_wait_bit_common",
                "folio_wait_writeback",
                "__filemap_fdatawait_range",
                "file_write_and_wait_range",
                "ext4_sync_file",
                "__x64_sys_fdatasync",
            ]);
            v.extend(list(&SYSCALL_EXIT));
            v
        }
        WaitFor::SyncWrite(SyncKind::Fsync) => {
            let mut v = list(&[
                "jbd2_log_wait_commit",
                "jbd2_complete_transaction",
                "ext4_sync_file",
                "__x64_sys_fsync",
            ]);
            v.extend(list(&SYSCALL_EXIT));
            v
        }
        WaitFor::SwapIn => list(&[
            "folio_wait_bit_common",
            "__folio_lock_or_retry",
            "do_swap_page",
            "__handle_mm_fault",
            "handle_mm_fault",
            "do_user_addr_fault",
            "exc_page_fault",
            "asm_exc_page_fault",
        ]),
        WaitFor::KernelIdle => {
            let comm = trace
                .info
                .tasks
                .get(thread.task)
                .map_or("", |t| t.comm.as_str());
            let first = if comm.starts_with("kswapd") {
                "kswapd"
            } else {
                "smpboot_thread_fn"
            };
            let mut v = vec![first.to_owned()];
            v.extend(list(&KTHREAD));
            v
        }
    }
}

/// A kernel lock's sleeping slow path, then the code that took the lock (its caller as the
/// lock tools print it), then the code that took the lock the thread holds meanwhile (a nested
/// section's outer lock), then the syscall entry.
fn kernel_lock_frames(trace: &Trace, lock: usize, wait: LockWait) -> Vec<String> {
    let info = trace.info.locks.get(lock);
    let lock_type = info.map_or("mutex", |l| l.lock_type.as_str());
    let slow: &[&str] = match lock_type {
        "rwsem" if wait.read => &["rwsem_down_read_slowpath", "down_read"],
        "rwsem" => &["rwsem_down_write_slowpath", "down_write"],
        "semaphore" => &["__down_common", "__down", "down"],
        _ => &[
            "__mutex_lock.constprop.0",
            "__mutex_lock_slowpath",
            "mutex_lock",
        ],
    };
    let mut v: Vec<String> = slow.iter().map(|s| (*s).to_owned()).collect();
    let caller = |l: usize| {
        trace
            .info
            .locks
            .get(l)
            .map(|l| l.caller.as_str())
            .filter(|c| !c.is_empty())
    };
    v.extend(caller(lock).map(str::to_owned));
    v.extend(wait.holding.and_then(caller).map(str::to_owned));
    v.extend(SYSCALL_EXIT.iter().map(|s| (*s).to_owned()));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert!(parse_path("/proc/4242/stack").is_some());
        assert!(parse_path("/proc/4242/task/*/stack").is_some());
        assert!(parse_path("/proc/4242/task/4250/stack").is_some());
        assert!(parse_path("/proc/self/stack").is_none());
        assert!(parse_path("/proc/meminfo").is_none());
    }
}
