//! One disk model behind every disk column, for every shipped incident and seeds 1..=20: a
//! device is busy at least as long as its IOs take to serve (%util ≥ IOPS × service time ÷
//! parallelism), an IO waits at least its service time (await ≥ service time, in every second
//! and in the since-boot report), the average queue holds at least the busy share (aqu-sz ≥
//! %util) and obeys Little's law against the IOs and their awaits (aqu-sz ≈ IOPS × await), and
//! a latency spike raises await in its seconds only. Swap-out writes go through the same queue
//! as every other IO, so seconds with swap traffic are checked like the rest.

use super::{SEEDS, incident, incidents};
use sysdrill::domain::{Fault, Incident, Seed};
use sysdrill::model::{DiskSample, Trace, simulate, variant, window_params};

/// Fewer IOs simulated in a second's window than this leave its averages to chance (the
/// second is a window of a few to a few hundred milliseconds scaled up, and service times
/// are exponential).
const MIN_SIMULATED_IOS: f64 = 150.0;

/// A variant, its trace, and the share of each second its window simulated.
struct Run {
    v: Incident,
    t: Trace,
    window_share: f64,
}

/// Runs `check` on every incident and seed; collects every failure, and makes sure the
/// disk-bound incidents had seconds to check (else the filters would make the test vacuous).
fn every_incident(check: impl Fn(&Run) -> Option<String>) {
    let mut failures = Vec::new();
    let mut checked = std::collections::BTreeSet::new();
    for inc in incidents() {
        for seed in SEEDS {
            let v = variant::pick(&inc, Seed(seed));
            let t = simulate(&v, Seed(seed), 3);
            let window_share = window_params(&v).window_ns as f64 / 1e9;
            let run = Run { v, t, window_share };
            if busy_devices(&run).next().is_some() {
                checked.insert(inc.id.to_string());
            }
            if let Some(what) = check(&run) {
                failures.push(format!("{} seed {seed}: {what}", inc.id));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for id in ["disk-saturation", "lock-across-fsync"] {
        assert!(
            checked.contains(id),
            "{id}: no second had IOs enough to check"
        );
    }
}

/// Whether `ios` per second stand for enough simulated IOs to average over.
fn enough(run: &Run, ios: u64) -> bool {
    ios as f64 * run.window_share >= MIN_SIMULATED_IOS
}

/// Every device of every second with enough IOs to average: (second, device index, sample).
fn busy_devices(run: &Run) -> impl Iterator<Item = (usize, usize, &DiskSample)> {
    run.t.samples.iter().enumerate().flat_map(move |(i, s)| {
        s.disks
            .iter()
            .enumerate()
            .filter(move |(_, d)| enough(run, d.reads + d.writes))
            .map(move |(k, d)| (i, k, d))
    })
}

fn mean_await_ms(d: &DiskSample) -> f64 {
    let n = (d.reads + d.writes).max(1) as f64;
    (d.r_await_ms * d.reads as f64 + d.w_await_ms * d.writes as f64) / n
}

#[test]
fn a_device_is_busy_at_least_as_long_as_its_ios_take() {
    every_incident(|run| {
        busy_devices(run).find_map(|(i, k, d)| {
            let disk = &run.v.machine.disks[k];
            let iops = (d.reads + d.writes) as f64;
            let floor = iops * disk.service_us / 1e6 / f64::from(disk.parallelism.max(1));
            // 0.8: the served IOs' service times are a sample of an exponential, not its mean.
            (d.util < (0.8 * floor).min(0.95)).then(|| {
                format!(
                    "second {i}: %util {:.1} below {iops:.0} IOPS x {} us / {}",
                    d.util * 100.0,
                    disk.service_us,
                    disk.parallelism
                )
            })
        })
    });
}

#[test]
fn an_io_waits_at_least_its_service_time() {
    every_incident(|run| {
        busy_devices(run).find_map(|(i, k, d)| {
            let service_ms = run.v.machine.disks[k].service_us / 1000.0;
            let low = 0.8 * service_ms;
            let bad_read = enough(run, d.reads) && d.r_await_ms < low;
            let bad_write = enough(run, d.writes) && d.w_await_ms < low;
            (bad_read || bad_write).then(|| {
                format!(
                    "second {i}: r_await {:.2} w_await {:.2} ms under service {service_ms:.2} ms",
                    d.r_await_ms, d.w_await_ms
                )
            })
        })
    });
}

#[test]
fn the_since_boot_report_waits_at_least_the_service_time_too() {
    // iostat's first report: the since-boot rule halves the rates and keeps the steady state's
    // awaits, which are means over IOs, so they stay above the service time as well.
    every_incident(|run| {
        run.t
            .since_boot
            .disks
            .iter()
            .enumerate()
            .find_map(|(k, d)| {
                let service_ms = run.v.machine.disks[k].service_us / 1000.0;
                let low = 0.8 * service_ms;
                // Its rates are half the steady state's, whose IOs are what the awaits average
                // over; a handful of IOs leaves an exponential mean to chance, as in a second.
                let bad_read = enough(run, 2 * d.reads) && d.r_await_ms < low;
                let bad_write = enough(run, 2 * d.writes) && d.w_await_ms < low;
                (bad_read || bad_write).then(|| {
                    format!(
                        "since boot, device {k}: r_await {:.3} w_await {:.3} ms under service \
                         {service_ms:.3} ms",
                        d.r_await_ms, d.w_await_ms
                    )
                })
            })
    });
}

#[test]
fn the_queue_holds_the_busy_share_and_obeys_little_s_law() {
    every_incident(|run| {
        busy_devices(run).find_map(|(i, _, d)| {
            let little = (d.reads + d.writes) as f64 * mean_await_ms(d) / 1000.0;
            let off = (d.queue_size - little).abs() > 0.15 * little.max(0.1);
            (d.queue_size + 1e-9 < d.util || off).then(|| {
                format!(
                    "second {i}: aqu-sz {:.2}, %util {:.1}, IOPS x await {little:.2}",
                    d.queue_size,
                    d.util * 100.0
                )
            })
        })
    });
}

/// An incident with a disk's latency spiking every `every_s` seconds by `factor`.
fn spiking(every_s: u32, factor: f64) -> Incident {
    let mut inc = incident("lock-across-fsync");
    inc.faults.push(Fault::DiskLatencySpikes {
        disk: 0,
        factor,
        every_s,
    });
    inc.variants = Default::default();
    inc
}

#[test]
fn latency_spikes_raise_await_in_their_seconds_at_each_seed_s_phase() {
    let base = incident("lock-across-fsync");
    let mut phases = std::collections::BTreeSet::new();
    for seed in SEEDS {
        let t = simulate(&spiking(4, 8.0), Seed(seed), 8);
        let calm = simulate(&base, Seed(seed), 8);
        let awaits: Vec<f64> = t
            .samples
            .iter()
            .map(|s| mean_await_ms(&s.disks[0]))
            .collect();
        let calm_max = calm
            .samples
            .iter()
            .map(|s| mean_await_ms(&s.disks[0]))
            .fold(0.0, f64::max);
        // A quarter of each 4 s period spikes: one second in four, twice in eight seconds.
        let spikes: Vec<usize> = (0..awaits.len())
            .filter(|&i| awaits[i] > 2.0 * calm_max)
            .collect();
        assert_eq!(
            spikes.len(),
            2,
            "seed {seed}: awaits {awaits:.1?} against at most {calm_max:.1} calm"
        );
        assert_eq!(spikes[1] - spikes[0], 4, "seed {seed}: {spikes:?}");
        phases.insert(spikes[0]);
        // One flush at a time: a spike slows the whole service by its factor, the queue still
        // never holds a second write, and the flushing holder stays in D state.
        let s = &t.samples[spikes[0]];
        let before = &calm.samples[spikes[0]];
        assert!(
            s.app.completed * 3 < before.app.completed
                && s.disks[0].queue_size < 1.0
                && s.blocked >= 0.9,
            "seed {seed}: {} -> {} completed, aqu-sz {:.2}, b {:.2}",
            before.app.completed,
            s.app.completed,
            s.disks[0].queue_size,
            s.blocked
        );
    }
    assert!(
        phases.len() >= 3,
        "the spikes fall on one phase: {phases:?}"
    );
}
