//! Sums of trace samples over a stretch of simulated seconds, the one place where renderers
//! turn per-second samples into the totals a tool divides by its interval.
//!
//! Counts are summed exactly (u128), so a one-second window reproduces the sample's integers
//! and the since-boot window at second 0 reproduces `Trace::since_boot`. Must not format text.

use std::collections::BTreeMap;

use crate::model::{CpuTime, Sample, Trace};

/// Nanoseconds per CPU state, in `CpuTime` field order:
/// user, nice, system, irq, softirq, iowait, steal, idle.
pub(crate) type CpuSum = [u128; 8];

pub(crate) const USER: usize = 0;
pub(crate) const NICE: usize = 1;
pub(crate) const SYSTEM: usize = 2;
pub(crate) const IRQ: usize = 3;
pub(crate) const SOFTIRQ: usize = 4;
pub(crate) const IOWAIT: usize = 5;
pub(crate) const STEAL: usize = 6;
pub(crate) const IDLE: usize = 7;

#[derive(Debug, Clone, Default)]
pub(crate) struct DiskSum {
    pub reads: u128,
    pub writes: u128,
    pub read_kib: u128,
    pub write_kib: u128,
    pub read_merges: u128,
    pub write_merges: u128,
    /// Σ r_await × reads, so the mean await weights every IO alike.
    pub read_wait_ms: f64,
    pub write_wait_ms: f64,
    pub queue: f64,
    pub util: f64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TaskSum {
    pub user_ns: u128,
    pub system_ns: u128,
    pub wait_ns: u128,
    pub voluntary_cs: u128,
    pub involuntary_cs: u128,
    /// The main thread's own (what a process line shows for them).
    pub leader_wait_ns: u128,
    pub leader_voluntary_cs: u128,
    pub leader_involuntary_cs: u128,
}

/// Totals over `seconds` seconds, plus the last sample for instantaneous values.
#[derive(Debug, Clone)]
pub(crate) struct Span<'a> {
    pub seconds: u64,
    pub cpus: Vec<CpuSum>,
    pub interrupts: u128,
    pub context_switches: u128,
    pub swap_in_kib: u128,
    pub swap_out_kib: u128,
    pub blocks_in_kib: u128,
    pub blocks_out_kib: u128,
    pub disks: Vec<DiskSum>,
    pub tasks: Vec<TaskSum>,
    pub symbols: BTreeMap<usize, u128>,
    /// The sample at the end of the stretch (gauges: memory, run queue, load).
    pub last: &'a Sample,
}

fn cpu_array(c: &CpuTime) -> [u64; 8] {
    [
        c.user, c.nice, c.system, c.irq, c.softirq, c.iowait, c.steal, c.idle,
    ]
}

impl<'a> Span<'a> {
    fn empty(last: &'a Sample) -> Self {
        Span {
            seconds: 0,
            cpus: Vec::new(),
            interrupts: 0,
            context_switches: 0,
            swap_in_kib: 0,
            swap_out_kib: 0,
            blocks_in_kib: 0,
            blocks_out_kib: 0,
            disks: Vec::new(),
            tasks: Vec::new(),
            symbols: BTreeMap::new(),
            last,
        }
    }

    /// Adds `sample` as if it had been observed `weight` times.
    fn add(&mut self, sample: &'a Sample, weight: u64) {
        let w = weight as u128;
        self.seconds += weight;
        if self.cpus.len() < sample.cpus.len() {
            self.cpus.resize(sample.cpus.len(), [0; 8]);
        }
        for (sum, cpu) in self.cpus.iter_mut().zip(&sample.cpus) {
            for (s, v) in sum.iter_mut().zip(cpu_array(cpu)) {
                *s += v as u128 * w;
            }
        }
        self.interrupts += sample.interrupts as u128 * w;
        self.context_switches += sample.context_switches as u128 * w;
        self.swap_in_kib += sample.swap_in_kib as u128 * w;
        self.swap_out_kib += sample.swap_out_kib as u128 * w;
        self.blocks_in_kib += sample.blocks_in_kib as u128 * w;
        self.blocks_out_kib += sample.blocks_out_kib as u128 * w;
        if self.disks.len() < sample.disks.len() {
            self.disks.resize(sample.disks.len(), DiskSum::default());
        }
        let wf = weight as f64;
        for (sum, d) in self.disks.iter_mut().zip(&sample.disks) {
            sum.reads += d.reads as u128 * w;
            sum.writes += d.writes as u128 * w;
            sum.read_kib += d.read_kib as u128 * w;
            sum.write_kib += d.write_kib as u128 * w;
            sum.read_merges += d.read_merges as u128 * w;
            sum.write_merges += d.write_merges as u128 * w;
            sum.read_wait_ms += d.r_await_ms * d.reads as f64 * wf;
            sum.write_wait_ms += d.w_await_ms * d.writes as f64 * wf;
            sum.queue += d.queue_size * wf;
            sum.util += d.util * wf;
        }
        if self.tasks.len() < sample.tasks.len() {
            self.tasks.resize(sample.tasks.len(), TaskSum::default());
        }
        for (sum, t) in self.tasks.iter_mut().zip(&sample.tasks) {
            sum.user_ns += t.user_ns as u128 * w;
            sum.system_ns += t.system_ns as u128 * w;
            sum.wait_ns += t.wait_ns as u128 * w;
            sum.voluntary_cs += t.voluntary_cs as u128 * w;
            sum.involuntary_cs += t.involuntary_cs as u128 * w;
            sum.leader_wait_ns += t.leader.wait_ns as u128 * w;
            sum.leader_voluntary_cs += t.leader.voluntary_cs as u128 * w;
            sum.leader_involuntary_cs += t.leader.involuntary_cs as u128 * w;
        }
        for (id, ns) in &sample.symbols {
            *self.symbols.entry(*id).or_insert(0) += *ns as u128 * w;
        }
        self.last = sample;
    }

    /// Samples `[start, start + seconds)`, clamped to what the trace holds.
    pub fn over(trace: &'a Trace, start: usize, seconds: usize) -> Self {
        let end = start.saturating_add(seconds).min(trace.samples.len());
        let begin = start.min(end);
        let mut span = Span::empty(latest(trace, begin));
        for sample in &trace.samples[begin..end] {
            span.add(sample, 1);
        }
        span
    }

    /// Since boot up to second `start`: `Trace::since_boot` stands for the `uptime_s` seconds
    /// before the drill, followed by samples `[0, start)`.
    pub fn since_boot(trace: &'a Trace, start: usize) -> Self {
        let mut span = Span::empty(&trace.since_boot);
        span.add(&trace.since_boot, trace.info.uptime_s.max(1));
        let end = start.min(trace.samples.len());
        for sample in &trace.samples[..end] {
            span.add(sample, 1);
        }
        span
    }

    /// Σ over CPUs.
    pub fn cpu_total(&self) -> CpuSum {
        let mut total = [0u128; 8];
        for cpu in &self.cpus {
            for (t, v) in total.iter_mut().zip(cpu) {
                *t += v;
            }
        }
        total
    }

    /// A count per second, truncated like the tools' integer division.
    pub fn rate(&self, total: u128) -> u64 {
        if self.seconds == 0 {
            0
        } else {
            u64::try_from(total / self.seconds as u128).unwrap_or(u64::MAX)
        }
    }

    /// A count per second as a float (sysstat's `%.2f` columns).
    pub fn rate_f(&self, total: u128) -> f64 {
        if self.seconds == 0 {
            0.0
        } else {
            total as f64 / self.seconds as f64
        }
    }
}

/// The last completed sample before second `at` (or the since-boot summary at second 0): what
/// snapshot tools (`free`, `uptime`) read.
pub(crate) fn latest(trace: &Trace, at: usize) -> &Sample {
    match at.min(trace.samples.len()).checked_sub(1) {
        Some(i) => &trace.samples[i],
        None => &trace.since_boot,
    }
}
