//! User-space contention as the kernel's lock instrumentation sees it: the futex hash bucket
//! lock.
//!
//! A pthread mutex is not a kernel lock, so lockdep (`/proc/lock_stat`) and `perf lock` never
//! see it. What the kernel does see is each futex call: `futex_wait` and `futex_wake` hash the
//! user address to a bucket and hold that bucket's spinlock, `&hb->lock`, for a few hundred
//! nanoseconds while they queue or dequeue a waiter. A contended user lock therefore shows in
//! those tools only as many short acquisitions of `&hb->lock`, mostly uncontended, waits well
//! under a microsecond; its real cost shows as futex time in `strace -c` and `perf trace -s`
//! and as threads asleep in `futex_wait_queue`.
//!
//! Derived per second from the futex calls the same window counts (so lock_stat's
//! acquisitions are the futex calls `perf trace -s` counts):
//! - every futex call takes its bucket's lock once; a wait holds it [`WAIT_HOLD_NS`] on average
//!   and a wake [`WAKE_HOLD_NS`], each as a fixed part (3/4) plus an exponential part (1/4);
//! - the calls on one user lock's futex all hash to that lock's bucket: with `λ` calls a second
//!   on a bucket and mean hold `h`, a call finds it held with probability `ρ = λh` (Poisson
//!   arrivals see time averages) and then spins for the rest of the hold and the queue ahead,
//!   `h / (2(1 − ρ))` on average (the M/D/1 wait given that there is one), exponentially spread
//!   above a cache-line handover of [`HANDOVER_NS`];
//! - minimum and maximum are order statistics of that many draws (the minimum of `n`
//!   exponentials is exponential with `1/n` of the mean; the maximum is the mean times
//!   `ln n` plus a Gumbel draw), so both move with the count and neither is ever 0;
//! - the bucket's cache line moves when consecutive acquisitions come from different CPUs:
//!   all but one in `cpus` of them, contended or not.

use super::rng::SimRng;
use super::trace::{CallerWait, LockInfo, LockSample};

/// The class name lockdep gives every futex hash bucket lock.
pub const CLASS_NAME: &str = "&hb->lock";
/// Where `futex_wait` takes the bucket lock (queueing the waiter).
pub const WAIT_SITE: &str = "futex_q_lock+0x2a";
/// Where `futex_wake` takes it (finding and dequeuing the waiters to wake).
pub const WAKE_SITE: &str = "futex_wake+0x15a";
/// Mean hold of the bucket lock by a wait: read the futex word, queue the waiter.
pub const WAIT_HOLD_NS: f64 = 150.0;
/// Mean hold by a wake: walk the bucket's list and mark the waiter to wake.
pub const WAKE_HOLD_NS: f64 = 250.0;
/// Moving the lock's cache line to the next spinner.
pub const HANDOVER_NS: f64 = 40.0;
/// Utilisation a bucket is capped at: past it the futex calls themselves would be the
/// bottleneck, which the engine does not model.
const MAX_UTILISATION: f64 = 0.9;

/// One second of futex traffic, counts per second.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FutexTraffic {
    /// Every futex call (waits that sleep, waits that return `EAGAIN`, wakes, and condition
    /// variable waits of idle pool workers).
    pub calls: u64,
    /// The `FUTEX_WAKE` calls among them.
    pub wakes: u64,
    /// Calls on the futexes of user-space locks (waits and wakes), the ones that meet on a
    /// lock's bucket.
    pub on_locks: u64,
}

/// The bucket lock's entry in the box's lock list.
pub fn info(address: u64) -> LockInfo {
    LockInfo {
        class_name: CLASS_NAME.to_owned(),
        perf_type: "spinlock".to_owned(),
        lock_type: "spinlock".to_owned(),
        address,
        read_write: false,
        caller: WAKE_SITE.to_owned(),
        kernel: true,
    }
}

/// The bucket lock's second: `traffic` spread over `buckets` hot buckets (one per user lock
/// instance) on a box of `cpus` CPUs.
pub fn sample(traffic: FutexTraffic, buckets: u32, cpus: u32, rng: &mut SimRng) -> LockSample {
    let calls = traffic.calls;
    if calls == 0 {
        return LockSample::default();
    }
    let wakes = traffic.wakes.min(calls);
    let waits = calls - wakes;
    let hold_mean = (waits as f64 * WAIT_HOLD_NS + wakes as f64 * WAKE_HOLD_NS) / calls as f64;

    // Contention on the hot buckets.
    let per_bucket = traffic.on_locks.min(calls) as f64 / f64::from(buckets.max(1));
    let rho = (per_bucket * hold_mean / 1e9).clamp(0.0, MAX_UTILISATION);
    let contended = poisson(rng, traffic.on_locks.min(calls) as f64 * rho).min(calls);
    let wait_spread = hold_mean / (2.0 * (1.0 - rho));
    let (wait_total_ns, wait_min_ns, wait_max_ns) =
        spread_over(rng, contended, HANDOVER_NS, wait_spread);

    let (hold_total_ns, hold_min_ns, hold_max_ns) =
        spread_over(rng, calls, 0.75 * hold_mean, 0.25 * hold_mean);

    let elsewhere = 1.0 - 1.0 / f64::from(cpus.max(1));
    let acq_bounces = (calls as f64 * elsewhere).round() as u64;
    let con_bounces = (contended as f64 * elsewhere).round() as u64;

    // Contentions split between the two sites by their share of the calls on locks (a wait
    // and its wake meet the same bucket); the split keeps the sum exact.
    let wake_share = if traffic.on_locks > 0 {
        (wakes as f64 / traffic.on_locks as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let at_wake = (contended as f64 * wake_share).round() as u64;
    let at_wait = contended - at_wake;
    let wait_at_wait =
        (wait_total_ns as f64 * at_wait as f64 / contended.max(1) as f64).round() as u64;
    let mut callers: Vec<CallerWait> = [
        (WAIT_SITE, at_wait, wait_at_wait),
        (
            WAKE_SITE,
            at_wake,
            wait_total_ns.saturating_sub(wait_at_wait),
        ),
    ]
    .into_iter()
    .filter(|&(_, n, _)| n > 0)
    .map(|(site, n, total)| CallerWait {
        caller: site.to_owned(),
        contended: n,
        wait_total_ns: total,
        wait_max_ns,
    })
    .collect();
    callers.sort_by(|a, b| b.contended.cmp(&a.contended).then(a.caller.cmp(&b.caller)));

    LockSample {
        acquired: calls,
        contended,
        acq_bounces,
        con_bounces,
        wait_total_ns,
        wait_min_ns,
        wait_max_ns,
        hold_total_ns,
        hold_min_ns,
        hold_max_ns,
        read_side: None,
        callers,
    }
}

/// Total, minimum and maximum of `n` durations, each `floor` plus an exponential part of mean
/// `mean` (nanoseconds; all 0 when `n` is 0).
fn spread_over(rng: &mut SimRng, n: u64, floor: f64, mean: f64) -> (u64, u64, u64) {
    if n == 0 {
        return (0, 0, 0);
    }
    let count = n as f64;
    // The sum of n exponentials: mean n·mean, standard deviation √n·mean.
    let total = (count * (floor + mean) + normal(rng) * count.sqrt() * mean)
        .max(count * floor)
        .round() as u64;
    let min = (floor + rng.exp(mean / count)).round().max(1.0) as u64;
    let gumbel = -(-rng.f64_open0().ln()).ln();
    let max = (floor + mean * (count.ln() + gumbel).max(1.0)).round() as u64;
    let avg = total / n;
    (total, min.min(avg), max.max(avg))
}

/// A standard normal draw (Irwin–Hall).
fn normal(rng: &mut SimRng) -> f64 {
    (0..12).map(|_| rng.f64()).sum::<f64>() - 6.0
}

/// A Poisson count with mean `mean` (normal approximation above a few events).
fn poisson(rng: &mut SimRng, mean: f64) -> u64 {
    if !(mean.is_finite() && mean > 0.0) {
        return 0;
    }
    (mean + normal(rng) * mean.sqrt()).round().max(0.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Seed;

    fn traffic(on_locks: u64) -> FutexTraffic {
        FutexTraffic {
            calls: on_locks + 1_000,
            wakes: on_locks / 2,
            on_locks,
        }
    }

    #[test]
    fn a_hot_user_lock_gives_short_waits_on_the_bucket() {
        let mut rng = SimRng::stream(Seed(1), "t");
        let s = sample(traffic(600_000), 1, 8, &mut rng);
        assert_eq!(s.acquired, 601_000);
        assert!(s.contended > 0 && s.contended < s.acquired / 4, "{s:?}");
        let avg = s.wait_total_ns / s.contended;
        assert!(
            (40..2_000).contains(&avg),
            "waits are sub-microsecond: {avg}"
        );
        assert!(s.wait_min_ns > 0 && s.wait_min_ns <= avg && avg <= s.wait_max_ns);
        assert!(s.hold_min_ns > 0 && s.hold_min_ns <= s.hold_total_ns / s.acquired);
        assert!(s.con_bounces <= s.contended && s.acq_bounces < s.acquired);
        assert_eq!(
            s.callers.iter().map(|c| c.contended).sum::<u64>(),
            s.contended
        );
        assert_eq!(
            s.callers.iter().map(|c| c.wait_total_ns).sum::<u64>(),
            s.wait_total_ns
        );
    }

    #[test]
    fn more_buckets_less_contention_and_no_calls_nothing() {
        let mut a = SimRng::stream(Seed(2), "t");
        let mut b = SimRng::stream(Seed(2), "t");
        let one = sample(traffic(800_000), 1, 8, &mut a);
        let eight = sample(traffic(800_000), 8, 8, &mut b);
        assert!(eight.contended * 4 < one.contended, "{one:?} {eight:?}");
        let mut c = SimRng::stream(Seed(3), "t");
        assert_eq!(
            sample(FutexTraffic::default(), 1, 8, &mut c),
            LockSample::default()
        );
    }
}
