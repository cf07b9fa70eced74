//! Deploys: from a drill second on, a workload runs a new build with another worker pool size
//! or another compute per request (the request as written; its paths keep theirs).
//!
//! The engine allocates a workload's largest pool up front, and `live` threads of it serve
//! requests. Shrinking retires the threads past `live`: an idle one leaves at once, a busy one
//! when its request is done, a thinking one when its think time ends, and a retired thread is
//! parked (asleep with nothing to wake it, gone from the per-thread tools). Growing unparks
//! threads: a closed workload's new users start thinking, a pool's new workers take queued
//! requests at once. The warm-up and the since-boot probes run the incident as written, as
//! load steps do.

use super::*;
use crate::domain::Deploy;

/// A deploy as the engine applies it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct DeployPlan {
    pub at_s: u32,
    pub threads: Option<u32>,
    /// The base path's compute, nanoseconds (remote memory's stretch included).
    pub compute_ns: Option<f64>,
}

impl DeployPlan {
    pub fn new(deploy: &Deploy, compute_factor: f64) -> Self {
        Self {
            at_s: deploy.at_s,
            threads: deploy.threads.map(|n| n.max(1)),
            compute_ns: deploy
                .compute_us
                .map(|us| us.max(0.0) * NS_PER_US * compute_factor),
        }
    }
}

/// The most threads a workload of `threads` with these deploys ever runs (the pool allocated).
pub(crate) fn capacity(threads: u32, deploys: &[Deploy]) -> u32 {
    deploys
        .iter()
        .filter_map(|d| d.threads)
        .fold(threads.max(1), u32::max)
}

impl Engine {
    /// Whether thread `t` has been retired by a deploy that shrank its pool.
    pub(super) fn retired(&self, t: ThreadId) -> bool {
        // Without deploys every pool keeps the size it was built with.
        self.deploys
            && self.threads[t]
                .workload
                .and_then(|w| self.workloads.get(w))
                .is_some_and(|w| w.position(t) >= w.live)
    }

    /// Parks thread `t`, asleep with nothing to wake it, on CPU `c` (or off every CPU).
    pub(super) fn park(&mut self, c: Option<CpuId>, t: ThreadId) {
        self.enter(t, 0);
        self.threads[t].parked = true;
        if let Some(c) = c {
            self.block(c, t, false);
        }
    }

    /// Applies each workload's deploys for drill second `second` (the last at or before it;
    /// none for the warm-up and the probes).
    pub(super) fn apply_deploys(&mut self, second: Option<u32>) {
        for w in self.workloads.ids() {
            let wl = &self.workloads[w];
            if wl.deploys.is_empty() {
                continue;
            }
            let current = |pick: &dyn Fn(&DeployPlan) -> bool| {
                second.and_then(|s| {
                    wl.deploys
                        .iter()
                        .rev()
                        .find(|d| d.at_s <= s && pick(d))
                        .copied()
                })
            };
            let live = current(&|d| d.threads.is_some())
                .and_then(|d| d.threads)
                .unwrap_or(wl.base_live);
            let compute = current(&|d| d.compute_ns.is_some())
                .and_then(|d| d.compute_ns)
                .unwrap_or(wl.base_compute_ns);
            if let Some(base) = self.workloads[w].paths.first_mut() {
                base.compute_ns = compute;
            }
            let was = self.workloads[w].live;
            if live != was {
                self.workloads[w].live = live.min(self.workloads[w].threads);
                if live < was {
                    self.shrink(w);
                } else {
                    self.grow(w, was);
                }
            }
        }
    }

    /// Retires the idle workers past the pool's new size; busy and thinking ones leave when
    /// they next would take work.
    fn shrink(&mut self, w: WorkloadId) {
        let wl = &mut self.workloads[w];
        let (first, live) = (wl.first_thread, wl.live);
        let mut leaving = Vec::new();
        wl.idle_workers.retain(|&t| {
            let keep = t.get() - first.get() < live;
            if !keep {
                leaving.push(t);
            }
            keep
        });
        for t in leaving {
            self.park(None, t);
        }
    }

    /// Unparks the threads from index `from` up to the pool's new size.
    fn grow(&mut self, w: WorkloadId, from: u32) {
        let wl = &self.workloads[w];
        for t in wl.threads_between(from, wl.live) {
            if !std::mem::take(&mut self.threads[t].parked) {
                // Retired but still finishing its request: it simply stays.
                continue;
            }
            match self.workloads[w].arrivals {
                Arrivals::Closed { think_us } => {
                    let d = self.rng.exp(think_us.max(0.0) * NS_PER_US).round() as u64;
                    self.push(d.max(1), EvKind::SleepOver { thread: t });
                }
                Arrivals::Open { .. } | Arrivals::Pool { .. } => {
                    match self.workloads[w].queue.pop_front() {
                        Some(arrived) => {
                            if w == WorkloadId::new(0) {
                                self.queued += 1;
                                self.queue_wait_sum += (self.now - arrived) as f64;
                            }
                            self.next_request_at(t, arrived);
                            self.wake(t);
                        }
                        None => self.workloads[w].idle_workers.push(t),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_allocated_is_the_largest_the_workload_runs() {
        let deploy = |threads| Deploy {
            at_s: 5,
            threads,
            compute_us: None,
        };
        assert_eq!(capacity(8, &[]), 8);
        assert_eq!(capacity(8, &[deploy(Some(32)), deploy(Some(4))]), 32);
        assert_eq!(capacity(8, &[deploy(None), deploy(Some(2))]), 8);
    }
}
