//! The request mix: a workload's requests take one of several paths (the request as written,
//! and the variants of `Workload::paths`), drawn per request from the seeded stream.
//!
//! Every path is its own stretch of the workload's program (`Pre` … `End`) after the one shared
//! `Begin`, and its critical sections are numbered after the previous path's, so the lock, hold
//! and synchronous-write steps index one set of per-section arrays whatever path a thread is on.
//! What differs per path besides its steps (compute, fixed kernel costs, page allocations,
//! packets, disk IO and the activities perf attributes its CPU to) lives in its [`PathPlan`].
//! A workload of one path draws nothing, so its random stream is that of a model without mixes.
//! A path whose nested sections reverse a pair (`nesting`) has a second stretch, the reversed
//! variant, which a share of the path's requests run instead.

use super::*;
use crate::domain::{Costs, RequestProfile};

/// One path of a workload's request as the engine runs it.
#[derive(Debug, Clone, Copy)]
pub(super) struct PathPlan {
    /// Index in the workload's program of the path's first step (after `Begin`).
    pub start_pc: u32,
    /// Where the path's reversed variant starts (`nesting`; `None` when no nested section of
    /// the path is ever taken the other way round), and the share of requests that take it.
    pub reversed_pc: Option<u32>,
    pub reverse_fraction: f64,
    /// The draw below which a request takes this path or an earlier one (the last path's is
    /// 1, so a draw always lands).
    pub cumulative: f64,
    /// Its critical sections (the compute is split into one part more than this).
    pub sections: u32,
    pub compute_ns: f64,
    pub pre_fixed_ns: u64,
    pub page_allocs: u32,
    pub packets: u32,
    pub reads: u32,
    pub writes: u32,
    pub io_kib: u32,
    /// The disk its reads and writes go to (`None`: the request does no disk IO).
    pub disk: Option<DiskId>,
    pub pre_act: u32,
    pub mid_act: u32,
}

/// Per critical section of every path of one workload, path after path; within a path its
/// top-level sections first (in the YAML's order), then the sections nested in them.
#[derive(Debug, Clone, Default)]
pub(super) struct Sections {
    /// `None` for a lock the incident lacks (validation rejects it; the engine skips it).
    pub lock: Vec<Option<LockClassId>>,
    pub write: Vec<f64>,
    pub hold_ns: Vec<f64>,
    pub io: Vec<Option<blocking::SyncPlan>>,
}

/// The kernel activities a request's fixed costs run as, shared by every path.
pub(super) struct KernelActs {
    pub syscall: Activity,
    pub alloc: Activity,
    pub fault: Activity,
    pub wakeup: Activity,
}

/// What planning one path needs from the engine being built.
pub(super) struct PathContext<'a> {
    pub symbols: &'a mut SymbolTable,
    pub acts: &'a mut Vec<Activity>,
    pub kernel: &'a KernelActs,
    pub costs: &'a Costs,
    pub classes: usize,
    pub disks: usize,
    /// The process name perf prints beside the application's symbols.
    pub comm: &'a str,
    /// Remote memory's stretch of the compute (1 on one node).
    pub compute_factor: f64,
    /// Steps every path has: reclaim and swap-in under memory pressure, livelock retries.
    pub reclaim: bool,
    pub retry: bool,
    /// A deploy may change the request's compute later, so a compute step that is empty as
    /// built may not stay empty (see [`PathSteps`]).
    pub compute_may_change: bool,
}

/// Which of a path's per-request steps can ever do anything. A step that cannot is left out
/// of the program at build time rather than entered and stepped past on every request: a
/// compute step whose mean is zero runs for zero time (and `Engine::draw` draws nothing for
/// it), a read step of a path without reads has none to issue. Leaving them out changes no
/// draw, no float operation and no event, only the trips through the step loop.
#[derive(Debug, Clone, Copy)]
pub(super) struct PathSteps {
    /// `Pre`: the compute's first part and the request's fixed kernel costs.
    pub pre: bool,
    /// `Mid`: the compute's part after each critical section.
    pub mid: bool,
    /// `DiskRead`: the request's synchronous reads.
    pub read: bool,
}

impl PathContext<'_> {
    /// Appends the steps of request `r` (whose application code is `app_symbol`) to `prog`,
    /// its critical sections to `sections`, and returns its plan; `cumulative` is its upper
    /// draw bound (see [`cumulative`]).
    pub fn plan(
        &mut self,
        r: &RequestProfile,
        app_symbol: &str,
        prog: &mut Vec<Step>,
        sections: &mut Sections,
        cumulative: f64,
    ) -> PathPlan {
        let c = self.costs;
        let k = r.critical_sections.len();
        let compute_ns = r.compute_us.max(0.0) * NS_PER_US * self.compute_factor;
        let part = compute_ns / (k as f64 + 1.0);
        let sys_ns = f64::from(r.syscalls) * c.syscall_us * NS_PER_US;
        let alloc_ns = f64::from(r.page_allocs) * c.page_alloc_us * NS_PER_US;
        let fault_ns = f64::from(r.page_allocs) * c.page_fault_us * NS_PER_US;
        let wake_ns = f64::from(r.wakeups) * c.context_switch_us * 0.5 * NS_PER_US;
        let mut libc = vec![(app_symbol, self.comm, splits::USER_APP_SHARE)];
        libc.extend(
            splits::USER_LIBC
                .iter()
                .map(|&(n, f)| (n, symbols::LIBC, f)),
        );
        let user = self.symbols.activity(Category::USER, &libc);
        let pre = symbols::mix(&[
            (part, &user),
            (sys_ns, &self.kernel.syscall),
            (alloc_ns, &self.kernel.alloc),
            (fault_ns, &self.kernel.fault),
            (wake_ns, &self.kernel.wakeup),
        ]);
        self.acts.push(pre);
        let pre_act = (self.acts.len() - 1) as u32;
        self.acts.push(user);
        let mid_act = (self.acts.len() - 1) as u32;

        let disk = match &r.disk_io {
            Some(io) if io.disk < self.disks => Some(DiskId::from_index(io.disk)),
            _ => None,
        };
        let (reads, writes, io_kib) = match &r.disk_io {
            Some(io) if disk.is_some() => (io.reads, io.writes, io.kib.max(1)),
            _ => (0, 0, 0),
        };
        let pre_fixed_ns = (sys_ns + alloc_ns + fault_ns + wake_ns).round() as u64;
        // A NaN mean is drawn from like a positive one (see `Engine::draw`), so its step stays.
        let compute_runs = self.compute_may_change || compute_ns > 0.0 || compute_ns.is_nan();
        let steps = PathSteps {
            pre: compute_runs || pre_fixed_ns > 0,
            mid: compute_runs,
            read: reads > 0,
        };
        let layout = nesting::Layout::build(r, self.classes, self.disks, sections);
        let start_pc = self.push_path(prog, &layout, sections, steps, false);
        let (reversed_pc, reverse_fraction) = if layout.reversible() {
            let pc = self.push_path(prog, &layout, sections, steps, true);
            (Some(pc), layout.reverse_fraction)
        } else {
            (None, 0.0)
        };
        PathPlan {
            start_pc,
            reversed_pc,
            reverse_fraction,
            cumulative,
            sections: k as u32,
            compute_ns,
            pre_fixed_ns,
            page_allocs: r.page_allocs,
            packets: r.packets,
            reads,
            writes,
            io_kib,
            disk,
            pre_act,
            mid_act,
        }
    }
}

impl PathContext<'_> {
    /// Appends one stretch of a path's program (`Pre` … `End`, without the steps `steps` says
    /// can do nothing), with its critical sections taken the usual way or with its reversible
    /// pair reversed; returns where it starts.
    fn push_path(
        &self,
        prog: &mut Vec<Step>,
        layout: &nesting::Layout,
        sections: &Sections,
        steps: PathSteps,
        reversed: bool,
    ) -> u32 {
        let start = prog.len() as u32;
        if steps.pre {
            prog.push(Step::Pre);
        }
        if self.reclaim {
            prog.push(Step::Reclaim);
            prog.push(Step::MajorFault);
        }
        if self.retry {
            prog.push(Step::Retry);
        }
        layout.program(sections, prog, steps.mid, reversed);
        if steps.read {
            prog.push(Step::DiskRead);
        }
        prog.push(Step::End);
        start
    }
}

/// The cumulative draw bounds of a mix whose shares are `shares` (the base request first):
/// each path's upper bound, the last exactly 1 so rounding never leaves a draw unmatched.
pub(super) fn cumulative(shares: &[f64]) -> Vec<f64> {
    let mut sum = 0.0;
    let mut out: Vec<f64> = shares
        .iter()
        .map(|s| {
            sum += s.max(0.0);
            sum
        })
        .collect();
    if let Some(last) = out.last_mut() {
        *last = 1.0;
    }
    out
}

impl Engine {
    /// The path thread `t`'s current request takes.
    pub(super) fn path_of(&self, t: ThreadId) -> &PathPlan {
        &self.workload_of(t).paths[self.threads[t].path as usize]
    }

    /// Draws the path of a new request of workload `w`: a draw only when there is a choice.
    pub(super) fn draw_path(&mut self, w: WorkloadId) -> u16 {
        let count = self.workloads[w].paths.len();
        if count < 2 {
            return 0;
        }
        let u = self.rng.f64();
        self.workloads[w]
            .paths
            .iter()
            .position(|p| u < p.cumulative)
            .unwrap_or(count - 1) as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::load_catalog;
    use crate::domain::{Deploy, IncidentId};
    use crate::model::simulate;

    /// Leaving a request's empty steps out of its program changes nothing the model shows:
    /// the same incident with every step kept (a deploy, even one that never ships, keeps
    /// them, since it may change the compute) gives the same trace.
    #[test]
    fn empty_steps_left_out_change_no_output() {
        let catalog = load_catalog(&[]).expect("shipped content loads");
        let mut lean = catalog.incidents[&IncidentId::from("slow-under-load")].clone();
        let request = &mut lean.workloads[0].request;
        assert!(!request.critical_sections.is_empty());
        request.compute_us = 0.0;
        request.syscalls = 0;
        request.page_allocs = 0;
        request.wakeups = 0;
        request.disk_io = None;
        let mut kept = lean.clone();
        kept.workloads[0].deploys.push(Deploy {
            at_s: u32::MAX,
            threads: None,
            compute_us: None,
        });
        let program = |inc: &Incident| {
            Engine::new(inc, Seed(3)).workloads[WorkloadId::new(0)]
                .prog
                .clone()
        };
        let (short, full) = (program(&lean), program(&kept));
        for step in [Step::Pre, Step::Mid, Step::DiskRead] {
            assert!(!short.contains(&step), "{step:?} left out of {short:?}");
        }
        for step in [Step::Pre, Step::Mid] {
            assert!(full.contains(&step), "{step:?} kept in {full:?}");
        }
        assert_eq!(simulate(&lean, Seed(3), 3), simulate(&kept, Seed(3), 3));
    }

    #[test]
    fn the_last_bound_is_one_whatever_the_rounding() {
        let c = cumulative(&[0.7, 0.2, 0.1]);
        assert_eq!(c.len(), 3);
        assert!((c[0] - 0.7).abs() < 1e-12 && (c[1] - 0.9).abs() < 1e-12);
        assert_eq!(c[2], 1.0);
        // A base request the paths leave nothing to is never drawn.
        assert_eq!(cumulative(&[0.0, 1.0]), vec![0.0, 1.0]);
    }
}
