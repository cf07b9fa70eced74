//! Turns one engine window into one second's [`Sample`]: scales counters to the second, splits
//! CPU time exactly (each CPU's fields sum to 1e9 ns by a largest-remainder pass), adds timer
//! ticks and interrupts, synthesises memory from the workloads and the memory-pressure fault,
//! keeps the load averages, and produces the box facts and kernel log.
//!
//! Owns: per-second inputs (bursts), scaling and the per-second synthesis rules. Must not: run
//! the engine or change a sample once produced.

use super::engine::{Engine, LockAcc, WindowInputs, WindowStats};
use super::rng::SimRng;
use super::trace::*;
use crate::domain::{Fault, Incident, IrqContext, LockKind, LockScope, Seed};

/// Baseline kernel activity of an otherwise idle box (measured: in ≈ 91/s, cs ≈ 76/s on 2 vCPUs).
const BASE_IRQ: f64 = 30.0;
const BASE_IRQ_PER_CPU: f64 = 30.0;
const BASE_CS: f64 = 20.0;
const BASE_CS_PER_CPU: f64 = 28.0;
/// Seconds of drill time the kernel log is generated for ahead of time.
const LOG_HORIZON_S: u64 = 3600;

#[derive(Debug, Clone)]
struct LockMeta {
    caller: String,
    read_write: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub cpus: u32,
    hz: f64,
    tick_ns: f64,
    uptime_s: u64,
    mem_total_kib: u64,
    swap_total_kib: u64,
    wm_min: u64,
    wm_low: u64,
    wm_high: u64,
    anon_kib: u64,
    file_kib: u64,
    pressure: Option<(u64, u32)>,
    steal: Option<(f64, u32)>,
    /// A disk's latency spikes: (disk, factor on its service time, period in seconds).
    disk_spike: Option<(u32, f64, u32)>,
    deadlock: Option<(usize, usize, u64)>,
    noise: SimRng,
    /// Seconds added to the seconds since boot before the burst period is applied, so every
    /// seed's bursts land on their own phase of the period.
    burst_phase: u64,
    /// Seconds the incident had been going on when the drill starts (the load averages'
    /// history: before it, the box ran at its healthy load).
    onset_s: u64,
    load: [f64; 3],
    swap_used_kib: u64,
    locks: Vec<LockMeta>,
    /// Engine task index → position in `BoxInfo::tasks` (sorted by pid).
    order: Vec<usize>,
    pids: Vec<u32>,
    /// The box's other tasks (init, daemons, kernel threads), and their positions.
    system: Vec<(usize, TaskInfo)>,
    /// Tasks in `BoxInfo::tasks`, engine and system together.
    task_count: usize,
    hung: Vec<LogEvent>,
    hung_next: usize,
    /// Reports of CPUs stuck in an interrupt handler, and how many of the engine's lockups
    /// have been logged.
    lockup_reporter: super::kernel_log::LockupReporter,
    lockups_logged: usize,
    deadlock_reporter: super::kernel_log::DeadlockReporter,
    deadlocks_logged: usize,
    lockdep_logged: bool,
    pub baseline_in: f64,
    pub baseline_cs: f64,
    /// Thread and interrupt detail (`detail.rs`).
    detail: super::detail::DetailInputs,
    /// Hot futex hash buckets: one per instance (shard) of a user-space lock whose waiters
    /// sleep on a futex; `None` when there is none, and then no bucket lock is listed.
    futex_buckets: Option<u32>,
    /// Its own stream, so the bucket lock's draws leave every other field's unchanged.
    bucket_noise: SimRng,
    /// Its own stream for how the baseline interrupts fall on each CPU (`/proc/interrupts`).
    irq_noise: SimRng,
    /// Its own stream for each thread's system-call counts (`detail.rs`).
    calls_noise: SimRng,
    /// Its own stream for each CPU's disk completions (`BLOCK` in `/proc/softirqs`).
    block_noise: SimRng,
    /// Its own stream for how a process's switches fall on its threads when its window is too
    /// short to count them per thread (`detail.rs`).
    switch_noise: SimRng,
}

impl Context {
    pub fn new(incident: &Incident, seed: Seed, engine: &Engine) -> Self {
        let m = &incident.machine;
        let total = m.memory_mib.saturating_mul(1024).max(65_536);
        // min_free_kbytes = 4·sqrt(total KiB), clamped as the kernel does; low and high add
        // max(min/4, total·watermark_scale_factor/10000) with the default factor 10.
        let wm_min = ((4.0 * (total as f64).sqrt()) as u64).clamp(128, 262_144);
        let step = (wm_min / 4).max(total / 1000);
        let anon: u64 = incident.workloads.iter().map(|w| w.rss_mib * 1024).sum();
        let file: u64 = incident
            .workloads
            .iter()
            .map(|w| w.file_cache_mib * 1024)
            .sum();
        let mut pressure = None;
        let mut steal = None;
        let mut disk_spike = None;
        for f in &incident.faults {
            match *f {
                Fault::MemoryPressure {
                    free_mib,
                    burst_every_s,
                    ..
                } => pressure = Some((free_mib * 1024, burst_every_s)),
                Fault::NoisyNeighbor {
                    steal_pct,
                    burst_every_s,
                } => steal = Some(((steal_pct / 100.0).clamp(0.0, 0.95), burst_every_s)),
                Fault::DiskLatencySpikes {
                    disk,
                    factor,
                    every_s,
                } => disk_spike = Some((disk as u32, factor, every_s.max(1))),
                _ => {}
            }
        }
        let locks = incident
            .locks
            .iter()
            .map(|l| LockMeta {
                caller: l.caller.clone(),
                read_write: matches!(l.kind, LockKind::RwLock | LockKind::RwSem),
            })
            .collect();
        let pids: Vec<u32> = engine
            .tasks
            .iter()
            .map(|t| match (t.workload, t.kswapd, t.ksoftirqd) {
                (Some(w), _, _) => incident.workloads[w].pid,
                (_, true, _) => super::processes::kswapd_pid(m.cpus.clamp(1, 4096)),
                (_, _, Some(c)) => super::processes::ksoftirqd_pid(c),
                _ => 2,
            })
            .collect();
        let highest = pids.iter().copied().max().unwrap_or(1);
        let others = super::processes::system_tasks(m, &pids, highest);
        // Everything sorted by pid: engine tasks are `Ok(i)`, the others `Err(j)`.
        let mut all: Vec<(u32, Result<usize, usize>)> = pids
            .iter()
            .enumerate()
            .map(|(i, &p)| (p, Ok(i)))
            .chain(others.iter().enumerate().map(|(j, t)| (t.pid, Err(j))))
            .collect();
        all.sort_by_key(|&(pid, src)| (pid, src.is_err()));
        let mut order = vec![0; pids.len()];
        let mut system = Vec::with_capacity(others.len());
        for (pos, &(_, src)) in all.iter().enumerate() {
            match src {
                Ok(i) => order[i] = pos,
                Err(j) => system.push((pos, others[j].clone())),
            }
        }
        let cpus = m.cpus.max(1);
        let mut history = SimRng::stream(seed, "history");
        let burst_phase = history.below(3600);
        let deadlock = super::deadlock_fault(incident);
        // A deadlock in place dates its own onset; otherwise the trouble began between five
        // minutes and half an hour before the candidate was called in.
        let onset_s = match deadlock {
            Some((_, _, at)) if at < m.uptime_s => m.uptime_s - at,
            _ => u64::from(history.range_u32(300, 1800)),
        };
        let mut ctx = Self {
            cpus,
            hz: f64::from(m.hz.max(1)),
            tick_ns: incident.costs.timer_tick_us.max(0.0) * 1000.0,
            uptime_s: m.uptime_s,
            mem_total_kib: total,
            swap_total_kib: m.swap_mib * 1024,
            wm_min,
            wm_low: wm_min + step,
            wm_high: wm_min + 2 * step,
            anon_kib: anon,
            file_kib: file,
            pressure,
            steal,
            disk_spike,
            deadlock,
            noise: SimRng::stream(seed, "noise"),
            burst_phase,
            onset_s,
            load: [0.0; 3],
            swap_used_kib: 0,
            locks,
            order,
            pids: pids.clone(),
            system,
            task_count: all.len(),
            hung: Vec::new(),
            hung_next: 0,
            lockup_reporter: super::kernel_log::LockupReporter::new(incident),
            lockups_logged: 0,
            deadlock_reporter: super::kernel_log::DeadlockReporter::new(incident),
            deadlocks_logged: 0,
            lockdep_logged: false,
            baseline_in: BASE_IRQ + BASE_IRQ_PER_CPU * f64::from(cpus),
            baseline_cs: BASE_CS + BASE_CS_PER_CPU * f64::from(cpus),
            detail: super::detail::DetailInputs::new(incident, &pids),
            futex_buckets: futex_buckets(incident),
            bucket_noise: SimRng::stream(seed, "futex-bucket"),
            irq_noise: SimRng::stream(seed, "irq-spread"),
            calls_noise: SimRng::stream(seed, "thread-calls"),
            block_noise: SimRng::stream(seed, "block-completions"),
            switch_noise: SimRng::stream(seed, "thread-switches"),
        };
        if pressure.is_some() && ctx.swap_total_kib > 0 {
            ctx.swap_used_kib = ctx.swap_total_kib * 3 / 10;
        }
        ctx.hung = super::kernel_log::boot_messages(m);
        ctx
    }

    fn boot_second(&self, i: usize) -> u64 {
        self.uptime_s + i as u64
    }

    fn burst(&self, i: usize, every: u32) -> bool {
        every == 0
            || (self.boot_second(i) + self.burst_phase) % u64::from(every)
                < u64::from(every.div_ceil(4))
    }

    /// The inputs of second `i`: bursts, deadlock, kswapd duty from the last window's
    /// allocation rate.
    pub fn inputs(&self, i: usize, last: Option<&WindowStats>) -> WindowInputs {
        self.inputs_with(i, last, false)
    }

    /// The inputs of the warm-up window, whose steady state stands for the box since boot: a
    /// second between bursts when bursts are periodic (they take at most a quarter of the
    /// seconds, so the typical second is a calm one), else second 0's. Starting the drill from
    /// a burst warm-up would put the cold-start pile-up into vmstat's first line and the load
    /// averages.
    pub fn warmup_inputs(&self) -> WindowInputs {
        self.inputs_with(0, None, true)
    }

    /// With periodic bursts: the share of seconds that are burst seconds, and the first drill
    /// second that is one (the since-boot summary blends a burst into the calm steady state).
    pub fn burst_profile(&self) -> Option<(f64, usize)> {
        let every = match (self.pressure, self.steal) {
            (Some((free, every)), _) if every > 0 && free < self.wm_low => every,
            (_, Some((_, every))) if every > 0 => every,
            _ => match self.disk_spike {
                Some((_, _, every)) => every,
                None => return None,
            },
        };
        let share = f64::from(every.div_ceil(4)) / f64::from(every);
        // A second at phase 0 of the period is a burst second.
        let every = u64::from(every);
        let phase = (every - (self.uptime_s + self.burst_phase) % every) % every;
        Some((share, phase as usize))
    }

    fn inputs_with(&self, i: usize, last: Option<&WindowStats>, calm: bool) -> WindowInputs {
        let burst = |every: u32| {
            if calm && every > 0 {
                false
            } else {
                self.burst(i, every)
            }
        };
        let steal = match self.steal {
            Some((s, every)) if burst(every) => s,
            Some((s, _)) => s * 0.15,
            None => 0.0,
        };
        let pressure = match self.pressure {
            Some((free, every)) => free < self.wm_low && burst(every),
            None => false,
        };
        let freeze = self
            .deadlock
            .is_some_and(|(_, _, at)| at < self.boot_second(i) + 1);
        let alloc_rate = last.map_or(0.0, |w| w.page_allocs as f64 * 1e9 / w.len_ns.max(1) as f64);
        WindowInputs {
            steal,
            pressure,
            deadlock_due: freeze,
            kswapd_duty: if pressure {
                (0.08 + alloc_rate * 0.25e-6).clamp(0.08, 0.9)
            } else {
                0.0
            },
            // The simulation sets the drill second of the windows it runs for the trace.
            second: None,
            disk_spike: self
                .disk_spike
                .filter(|&(_, _, every)| burst(every))
                .map(|(disk, factor, _)| (disk, factor)),
            swap_out: pressure && self.swap_total_kib > 0,
        }
    }

    /// The load averages when the drill starts: the kernel's exponential damping of the tasks
    /// running, runnable or in D state, which sat at the healthy level `healthy` until the
    /// incident began `onset_s` seconds ago and at the incident's `steady` level since.
    /// Returns them (what `uptime` shows before the first second completes).
    pub fn start_load(&mut self, steady: &Sample, healthy: f64) -> [f64; 3] {
        self.load = self
            .history()
            .load(healthy, steady.runnable + steady.blocked);
        self.load
    }

    /// When the incident began: the past every average and counter before the drill reads.
    pub fn history(&self) -> super::history::History {
        super::history::History::new(self.uptime_s, self.onset_s)
    }

    /// One second from one window.
    pub fn sample(&mut self, engine: &Engine, w: &WindowStats, i: usize, warmup: bool) -> Sample {
        let pressure_now = if warmup {
            self.warmup_inputs().pressure
        } else {
            self.inputs(i, None).pressure
        };
        self.sample_with(engine, w, warmup, pressure_now)
    }

    /// A burst window run before the drill for the since-boot summary: sampled like the
    /// warm-up (nothing carried into later seconds) but with the burst's memory state.
    pub fn sample_burst_probe(&mut self, engine: &Engine, w: &WindowStats, i: usize) -> Sample {
        let pressure = self.inputs(i, None).pressure;
        self.sample_with(engine, w, true, pressure)
    }

    fn sample_with(
        &mut self,
        engine: &Engine,
        w: &WindowStats,
        warmup: bool,
        pressure_now: bool,
    ) -> Sample {
        let len = w.len_ns.max(1) as f64;
        let k = 1e9 / len;
        let scale = |x: u64| (x as f64 * k).round() as u64;
        let ncpu = w.cpus.len();

        // CPU times with timer ticks moved from busy time into irq.
        let mut cpus = Vec::with_capacity(ncpu);
        let mut tick_total = 0.0;
        let mut busy_total = 0.0;
        let mut ticks = 0.0;
        let mut timer_rates = Vec::with_capacity(ncpu);
        // The baseline's share on each CPU: high-resolution timer expiries (counted with the
        // ticks, as the local timer) and rescheduling IPIs, each a Poisson count of its own,
        // so no two CPUs count the same.
        let per_cpu_base = self.baseline_in / ncpu.max(1) as f64 / 2.0;
        let mut hrtimer_rates = Vec::with_capacity(ncpu);
        let mut resched_rates = Vec::with_capacity(ncpu);
        for c in 0..ncpu {
            let time = w.cpus[c].time;
            let a = time.work;
            let mut v = [
                a.user * k,
                a.system * k,
                a.irq * k,
                a.softirq * k,
                time.iowait as f64 * k,
                time.steal * k,
                time.idle as f64 * k,
            ];
            let busy = v[0] + v[1] + v[2] + v[3];
            let busy_frac = (busy / 1e9).clamp(0.0, 1.0);
            // A CPU stuck in a hard interrupt handler has interrupts off: no timer ticks.
            let ticking = w.cpus[c].stuck != Some(IrqContext::HardIrq);
            let t = if ticking { self.hz * busy_frac } else { 0.0 };
            ticks += t + (1.0 - busy_frac) * 2.0;
            timer_rates.push(t + (1.0 - busy_frac) * 2.0);
            hrtimer_rates.push(if ticking {
                poisson(&mut self.irq_noise, per_cpu_base)
            } else {
                0.0
            });
            resched_rates.push(poisson(&mut self.irq_noise, per_cpu_base));
            let us_sy = v[0] + v[1];
            let tick = (t * self.tick_ns).min(us_sy);
            if us_sy > 0.0 {
                v[0] -= tick * v[0] / us_sy;
                v[1] -= tick * v[1] / us_sy;
            }
            v[2] += tick;
            tick_total += tick;
            busy_total += us_sy;
            let n = largest_remainder(&v, 1_000_000_000);
            cpus.push(CpuTime {
                user: n[0],
                nice: 0,
                system: n[1],
                irq: n[2],
                softirq: n[3],
                iowait: n[4],
                steal: n[5],
                idle: n[6],
            });
        }

        // Symbols: activity time × fixed splits; busy activities give up the tick share.
        let acts = engine.activities();
        let keep = if busy_total > 0.0 {
            1.0 - tick_total / busy_total
        } else {
            1.0
        };
        let mut sym = vec![0.0f64; engine.symbols.symbols.len()];
        let idle_ns: f64 = cpus.iter().map(|c| (c.idle + c.iowait) as f64).sum();
        for (ai, a) in acts.iter().enumerate() {
            let t = if ai as u32 == engine.act_idle {
                idle_ns
            } else if ai as u32 == engine.act_tick {
                tick_total
            } else {
                let irq_soft = a.category.irq + a.category.softirq;
                let x = w.act_ns[ai] * k;
                x * irq_soft + x * (1.0 - irq_soft) * keep
            };
            if t <= 0.0 {
                continue;
            }
            for &(s, f) in &a.symbols {
                sym[s] += t * f;
            }
        }
        let symbols = sym
            .iter()
            .enumerate()
            .map(|(i, &v)| (i, v.round() as u64))
            .filter(|&(_, v)| v > 0)
            .collect();

        // Interrupts: ticks, NIC interrupts (NAPI coalesces more at high rates), baseline.
        let mut nic_irqs = 0.0;
        let mut nic_rates = Vec::with_capacity(ncpu);
        for p in w.cpus.iter().map(|cpu| cpu.packets) {
            let rate = p as f64 * k;
            let coalesce = (rate / 5000.0).clamp(1.0, f64::from(engine.coalesce));
            nic_irqs += rate / coalesce;
            nic_rates.push(rate / coalesce);
        }
        // The baseline (timers, housekeeping, device interrupts) comes in at random: Poisson
        // counts, here their normal approximation.
        let base_in = poisson(&mut self.noise, self.baseline_in);
        let base_cs = poisson(&mut self.noise, self.baseline_cs);
        let interrupts = dither(&mut self.noise, ticks + nic_irqs + base_in);
        let context_switches =
            spread(&mut self.noise, w.context_switches, k) + dither(&mut self.noise, base_cs);
        let runnable = w.runnable_area / len;
        let blocked = w.blocked_area / len;

        // Memory and swap.
        let wobble = (self.noise.f64() - 0.5) * 0.04;
        let jitter = 1.0 + wobble;
        let kernel_kib = self.mem_total_kib / 30;
        let buffers = (self.mem_total_kib / 200).min(512 * 1024);
        // Second-to-second churn is mostly in anonymous memory (processes allocating and
        // freeing, ±0.5%), barely in the page cache (±0.02%): `free` moves, `cache` creeps.
        // Under pressure reclaim pins `free` near its target instead (below).
        let churn = match self.pressure {
            None => (self.anon_kib as f64 * wobble / 4.0) as i64,
            Some(_) => 0,
        };
        let cache_churn = (self.file_kib as f64 * wobble / 100.0) as i64;
        let used = (self.anon_kib + kernel_kib + buffers).saturating_add_signed(churn);
        let natural_free = self.mem_total_kib.saturating_sub(used + self.file_kib);
        let free = match self.pressure {
            // Reclaim (and with it swap-out) runs because free is below the low watermark.
            Some((target, _)) if pressure_now => {
                (((target as f64) * jitter) as u64).min(self.wm_low.saturating_sub(1))
            }
            Some((target, _)) => ((target.max(self.wm_high) as f64) * 1.1 * jitter) as u64,
            None => natural_free
                .saturating_add_signed(-cache_churn)
                .max(self.wm_high * 2),
        }
        .min(self.mem_total_kib.saturating_sub(used).max(self.wm_min));
        // Reclaim never empties the page cache: the processes' own text and libraries are file
        // pages they keep touching, so a tenth of the file set (at least 64 MiB) stays; what
        // anonymous memory does not fit beside it is in swap.
        let file_floor = (self.file_kib / 10).max(65_536).min(self.mem_total_kib / 8);
        let cache = self
            .mem_total_kib
            .saturating_sub(used + free)
            .max(file_floor)
            .min(self.mem_total_kib.saturating_sub(free + buffers));
        // Swapped in: the pages the faults read back. Swapped out: what reclaim's writes to the
        // swap device (the first disk) issued in the window; they queue with every other IO
        // there, and iostat and bo count them as they complete (`engine::io`).
        let si = if pressure_now && self.swap_total_kib > 0 && free < self.wm_low {
            scale(w.swap_ins) * 4
        } else {
            0
        };
        let so = w.disks.first().map_or(0, |d| scale(d.swap_out_kib));
        if !warmup {
            self.swap_used_kib = (self.swap_used_kib + so)
                .saturating_sub(si)
                .min(self.swap_total_kib);
        }
        let mem = Memory {
            free_kib: free,
            buffers_kib: buffers,
            cache_kib: cache,
            shared_kib: (cache / 40).min(256 * 1024),
            available_kib: (free + cache * 7 / 10).saturating_sub(self.wm_low),
            swap_used_kib: self.swap_used_kib,
            watermark_min_kib: self.wm_min,
            watermark_low_kib: self.wm_low,
        };

        // Disks.
        let disks: Vec<DiskSample> = w
            .disks
            .iter()
            .map(|d| DiskSample {
                reads: scale(d.reads),
                writes: scale(d.writes),
                read_kib: scale(d.read_kib),
                write_kib: scale(d.write_kib),
                read_merges: 0,
                write_merges: 0,
                r_await_ms: if d.reads > 0 {
                    d.read_wait as f64 / d.reads as f64 / 1e6
                } else {
                    0.0
                },
                w_await_ms: if d.writes > 0 {
                    d.write_wait as f64 / d.writes as f64 / 1e6
                } else {
                    0.0
                },
                queue_size: d.inflight_area / len,
                util: (d.busy_area / len).clamp(0.0, 1.0),
            })
            .collect();
        // Each CPU completes the IOs it issued (blk-mq), kswapd's CPU the swap-out writes.
        let block: Vec<u64> = w
            .cpus
            .iter()
            .map(|cpu| spread(&mut self.block_noise, cpu.block_done, k))
            .collect();
        // The CPUs' own counts (each with its own sampling spread) as shares of the IOs iostat
        // counts, so the BLOCK row moves by exactly the disks' IOs.
        let ios: u64 = disks.iter().map(|d| d.reads + d.writes).sum();
        let shares: Vec<f64> = block.iter().map(|&n| n as f64).collect();
        let block = super::detail::split_exactly(&shares, ios);
        let blocks_in_kib = disks.iter().map(|d| d.read_kib).sum();
        let blocks_out_kib = disks.iter().map(|d| d.write_kib).sum::<u64>();

        // Tasks, in pid order.
        let mut tasks = vec![TaskSample::default(); self.task_count];
        for (ti, desc) in engine.tasks.iter().enumerate() {
            let a = w.tasks[ti];
            let mut s = TaskSample {
                user_ns: (a.user * k).round() as u64,
                system_ns: (a.system * k).round() as u64,
                wait_ns: scale(a.wait),
                voluntary_cs: scale(a.voluntary),
                involuntary_cs: scale(a.involuntary),
                running: 0,
                uninterruptible: 0,
                last_cpu: 0,
                minor_faults: scale(a.minor_faults),
                major_faults: scale(a.major_faults),
                leader: ThreadSched::default(),
            };
            // A task without thread detail: its main thread's expected share of the process's
            // wait and switches is one thread's. Tasks with thread detail take their main
            // thread's own row below, so `pidstat` and `pidstat -t` print the same leader.
            let threads = desc
                .workload
                .map_or(1, |wi| engine.workload_threads(wi).max(1));
            let per_thread = |x: f64| x / f64::from(threads) * k;
            s.leader = ThreadSched {
                wait_ns: (per_thread(a.wait as f64).round() as u64).min(NANOS_PER_SECOND),
                voluntary_cs: dither(&mut self.noise, per_thread(a.voluntary as f64)),
                involuntary_cs: dither(&mut self.noise, per_thread(a.involuntary as f64)),
            };
            if let Some(wi) = desc.workload {
                let (run, d, cpu) = engine.workload_states(wi);
                s.running = run;
                s.uninterruptible = d;
                s.last_cpu = cpu;
            } else if desc.kswapd {
                s.running = u32::from(engine.kswapd_running());
            } else if let Some(c) = desc.ksoftirqd
                && w.cpus.get(c as usize).is_none_or(|cpu| cpu.stuck.is_none())
            {
                // (A CPU stuck in a softirq runs it on the way out of an interrupt, never in
                // ksoftirqd, which cannot run there any more.)
                // Softirq work beyond a fifth of a CPU is deferred to ksoftirqd/N.
                let soft = cpus.get(c as usize).map_or(0, |t| t.softirq) as f64;
                let extra = ((soft / 1e9 - 0.2) / 0.8).max(0.0) * soft;
                s.system_ns = extra.round() as u64;
                s.last_cpu = c;
                s.running = u32::from(extra > 5e8);
            }
            tasks[self.order[ti]] = s;
        }

        // Locks.
        let mut locks: Vec<LockSample> = w
            .locks
            .iter()
            .enumerate()
            .map(|(li, (wr, rd))| {
                let meta = &self.locks[li];
                let mut s = lock_sample(wr, k, &meta.caller);
                if meta.read_write {
                    s.read_side = Some(Box::new(lock_sample(rd, k, &meta.caller)));
                } else {
                    // Readers of RCU and seqlocks are folded into the one row.
                    let merged = merge(wr, rd);
                    s = lock_sample(&merged, k, &meta.caller);
                }
                s
            })
            .collect();

        // Application view.
        let mut lat = w.latencies_ns.clone();
        let pct = |v: &mut Vec<u64>, q: f64| -> f64 {
            if v.is_empty() {
                return 0.0;
            }
            let i = ((v.len() as f64 - 1.0) * q).round() as usize;
            let (_, x, _) = v.select_nth_unstable(i);
            *x as f64 / 1000.0
        };
        let app = AppSample {
            completed: spread(&mut self.noise, w.completed, k),
            in_system: w.in_system_area / len,
            latency_mean_us: if w.completed > 0 {
                w.latency_sum_ns / w.completed as f64 / 1000.0
            } else {
                0.0
            },
            latency_p50_us: pct(&mut lat, 0.5),
            latency_p99_us: pct(&mut lat, 0.99),
        };

        let detail = super::detail::build(
            &self.detail,
            engine,
            w,
            &self.order,
            &cpus,
            &tasks,
            interrupts,
            &super::detail::IrqRates {
                timer: timer_rates,
                nic: nic_rates,
                hrtimer: hrtimer_rates,
                resched: resched_rates,
                block,
            },
            &mut self.calls_noise,
            &mut self.switch_noise,
        );

        // The process line is its main thread's (tid = pid) schedstat: the same numbers as that
        // thread's row.
        let mut pid_at = vec![None; tasks.len()];
        for (ti, &pos) in self.order.iter().enumerate() {
            if let Some(slot) = pid_at.get_mut(pos) {
                *slot = self.pids.get(ti).copied();
            }
        }
        for th in &detail.threads {
            if pid_at.get(th.task).copied().flatten() == Some(th.tid)
                && let Some(task) = tasks.get_mut(th.task)
            {
                task.leader = ThreadSched {
                    wait_ns: th.schedstat_wait_ns(),
                    voluntary_cs: th.voluntary_cs,
                    involuntary_cs: th.involuntary_cs,
                };
            }
        }

        // User-space locks reach the kernel's lock tools only as the futex bucket lock.
        if let Some(buckets) = self.futex_buckets {
            let traffic = futex_traffic(w, &detail, k);
            locks.push(super::futex_bucket::sample(
                traffic,
                buckets,
                self.cpus,
                &mut self.bucket_noise,
            ));
        }

        // Load averages: the kernel's exponential damping, applied per second.
        let n = runnable + blocked;
        if !warmup {
            for (l, period) in self.load.iter_mut().zip(super::history::LOAD_WINDOWS_S) {
                let e = (-1.0 / period).exp();
                *l = *l * e + n * (1.0 - e);
            }
        }
        Sample {
            cpus,
            runnable,
            blocked,
            interrupts,
            context_switches,
            mem,
            swap_in_kib: si,
            swap_out_kib: so,
            blocks_in_kib,
            blocks_out_kib,
            disks,
            tasks,
            symbols,
            locks,
            app,
            load_avg: if warmup { [n; 3] } else { self.load },
            detail,
        }
    }

    /// Each CPU's interrupts from boot to the drill, by source: the since-boot rate over the
    /// uptime, drawn as the Poisson count of that many seconds' random arrivals.
    pub fn irq_history(&mut self, since_boot: &Detail, uptime_s: u64) -> Vec<CpuIrqs> {
        let count = |noise: &mut SimRng, per_s: u64| {
            poisson(noise, per_s as f64 * uptime_s as f64).round() as u64
        };
        since_boot
            .irqs
            .iter()
            .map(|c| CpuIrqs {
                timer: count(&mut self.irq_noise, c.timer),
                nic: count(&mut self.irq_noise, c.nic),
                ipi: count(&mut self.irq_noise, c.ipi),
                block: count(&mut self.block_noise, c.block),
            })
            .collect()
    }

    pub fn box_info(&self, incident: &Incident, engine: &Engine, steady: &Sample) -> BoxInfo {
        let m = &incident.machine;
        let mut tasks: Vec<(usize, TaskInfo)> = engine
            .tasks
            .iter()
            .enumerate()
            .map(|(ti, d)| {
                let pos = self.order[ti];
                let busy = steady.tasks.get(pos).map_or(0, |t| t.user_ns + t.system_ns) as f64;
                // CPU time before the drill: the since-boot rule (half the uptime at this load).
                let before = (busy / 1e9 * self.uptime_s as f64 * 0.5 * 100.0) as u64;
                let info = match d.workload {
                    Some(w) => {
                        let wl = &incident.workloads[w];
                        TaskInfo {
                            pid: wl.pid,
                            comm: wl.name.clone(),
                            user: wl.user.clone(),
                            uid: wl.uid,
                            threads: engine.workload_threads(w),
                            virt_kib: wl.rss_mib * 1024 * 3 / 2 + 262_144,
                            res_kib: wl.rss_mib * 1024,
                            shr_kib: 18_432,
                            kernel_thread: false,
                            sleep_state: SleepState::Interruptible,
                            cpu_time_before_cs: before,
                        }
                    }
                    None => TaskInfo {
                        cpu_time_before_cs: before,
                        ..super::processes::kthread(
                            self.pids[ti],
                            match d.ksoftirqd {
                                Some(c) => format!("ksoftirqd/{c}"),
                                None => "kswapd0".to_owned(),
                            },
                            SleepState::Interruptible,
                        )
                    },
                };
                (pos, info)
            })
            .collect();
        // The daemons and kernel threads did their little work since boot: up to a few seconds
        // a day each, some more than others; hotplug, idle-injection and rescuer threads only
        // run when their rare event comes.
        tasks.extend(self.system.iter().map(|(pos, t)| {
            let rare = ["cpuhp/", "idle_inject/", "kworker/R-"]
                .iter()
                .any(|p| t.comm.starts_with(p));
            let share = crate::domain::stable_hash(t.comm.as_bytes()) % 200;
            let per_day_cs = match (rare, t.kernel_thread) {
                (true, _) => 0,
                (false, true) => 20 * share / 100,
                (false, false) => 300 * share / 100,
            };
            let before = self.uptime_s * per_day_cs / 86_400;
            (
                *pos,
                TaskInfo {
                    cpu_time_before_cs: before,
                    ..t.clone()
                },
            )
        }));
        tasks.sort_by_key(|(pos, _)| *pos);
        BoxInfo {
            hostname: m.hostname.clone(),
            kernel: m.kernel.clone(),
            cpus: self.cpus,
            hz: m.hz,
            virtualized: m.virtualized,
            mem_total_kib: self.mem_total_kib,
            swap_total_kib: self.swap_total_kib,
            uptime_s: m.uptime_s,
            clock_s: m.clock_s,
            date: m.date.clone(),
            disks: m.disks.iter().map(|d| d.name.clone()).collect(),
            tasks: tasks.into_iter().map(|(_, t)| t).collect(),
            symbols: engine.symbols.symbols.clone(),
            locks: incident
                .locks
                .iter()
                .enumerate()
                .map(|(i, l)| LockInfo {
                    class_name: l.class_name.clone(),
                    perf_type: perf_type(l.kind, l.scope).to_owned(),
                    lock_type: lock_type(l.kind, l.scope).to_owned(),
                    address: 0xffff_8881_0000_0000
                        + (crate::domain::stable_hash(l.class_name.as_bytes()) & 0xff_fff0)
                        + i as u64 * 0x40,
                    read_write: matches!(l.kind, LockKind::RwLock | LockKind::RwSem),
                    caller: l.caller.clone(),
                    kernel: l.scope == LockScope::Kernel,
                })
                .chain(self.futex_buckets.map(|_| {
                    super::futex_bucket::info(
                        0xffff_8881_0000_0000
                            + (crate::domain::stable_hash(
                                super::futex_bucket::CLASS_NAME.as_bytes(),
                            ) & 0xff_fff0)
                            + incident.locks.len() as u64 * 0x40,
                    )
                }))
                .collect(),
            cgroups: incident
                .workloads
                .iter()
                .enumerate()
                .filter_map(|(workload, w)| {
                    Some(CgroupInfo {
                        workload,
                        pid: w.pid,
                        cgroup: w.cgroup.clone()?,
                    })
                })
                .collect(),
            irq_history: Vec::new(),
            pressure_avgs: None,
            numa: super::numa::info(incident, self.cpus, self.mem_total_kib),
        }
    }

    /// Logs the kernel's reports of what formed in the window just run (drill second `second`,
    /// or the warm-up, `None`, which stands for the time before the drill, so what formed in it
    /// formed when the incident began): CPUs stuck in an interrupt handler, and ABBA deadlocks
    /// with lockdep's report (`log_deadlocks`).
    pub fn log_lockups(&mut self, engine: &Engine, w: &WindowStats, second: Option<usize>) {
        self.log_deadlocks(engine, w, second);
        let lockups = engine.irq_lockups();
        if lockups.len() == self.lockups_logged {
            return;
        }
        let end = self.uptime_s + LOG_HORIZON_S;
        let uptime_s = self.uptime_s;
        let keep = |s: u64, first: bool| first || (s + 60 >= uptime_s && s < end);
        for lockup in &lockups[self.lockups_logged..] {
            let formed_us = self.since_boot_us(lockup.at_ns, w, second);
            let reports = self.lockup_reporter.reports(lockup, formed_us, end, keep);
            self.hung.extend(reports);
        }
        self.lockups_logged = lockups.len();
        // Reports lie at least a watchdog period after the lockup, so none falls into a second
        // already produced; keep the rest of the log in time order.
        self.hung[self.hung_next..].sort_by_key(|e| e.at_us);
    }

    /// When in the window just run (drill second `second`, or the warm-up, which stands for
    /// the time before the drill) the engine time `at_ns` falls, in µs since boot.
    fn since_boot_us(&self, at_ns: u64, w: &WindowStats, second: Option<usize>) -> u64 {
        match second {
            None => self.uptime_s.saturating_sub(self.onset_s) * 1_000_000,
            Some(i) => {
                let into = at_ns.saturating_sub(w.start_ns) as f64;
                let fraction = (into / w.len_ns.max(1) as f64).clamp(0.0, 1.0);
                self.boot_second(i) * 1_000_000 + (fraction * 1e6) as u64
            }
        }
    }

    /// Logs what the kernel reports of ABBA deadlocks formed, and of the first inverted lock
    /// order with lockdep, in the window just run.
    fn log_deadlocks(&mut self, engine: &Engine, w: &WindowStats, second: Option<usize>) {
        if !self.lockdep_logged
            && let Some(report) = engine.lockdep_report()
        {
            self.lockdep_logged = true;
            let at_us = self.since_boot_us(report.at_ns, w, second);
            if let Some(event) = self.deadlock_reporter.circular(report, at_us) {
                self.hung.push(event);
            }
        }
        let formed = engine.abba_deadlocks();
        if formed.len() > self.deadlocks_logged {
            let waiters = engine.lock_waiters();
            let parked = |w: usize, t: u32| engine.is_parked(w, t);
            let end = self.uptime_s + LOG_HORIZON_S;
            let uptime_s = self.uptime_s;
            let keep = |s: u64, first: bool| first || (s + 60 >= uptime_s && s < end);
            for deadlock in &formed[self.deadlocks_logged..] {
                let formed_us = self.since_boot_us(deadlock.at_ns, w, second);
                let reports = self
                    .deadlock_reporter
                    .reports(deadlock, &waiters, &parked, formed_us, end, keep);
                self.hung.extend(reports);
            }
            self.deadlocks_logged = formed.len();
        }
        self.hung[self.hung_next..].sort_by_key(|e| e.at_us);
    }

    /// Log lines stamped before the drill starts.
    pub fn log_before_start(&mut self) -> Vec<LogEvent> {
        let start = self.uptime_s * 1_000_000;
        let n = self.hung.iter().take_while(|e| e.at_us < start).count();
        self.hung_next = n;
        self.hung[..n].to_vec()
    }

    /// Log lines stamped within drill second `i`.
    pub fn log_during(&mut self, i: usize) -> Vec<LogEvent> {
        let end = (self.uptime_s + i as u64 + 1) * 1_000_000;
        let from = self.hung_next;
        let n = self.hung[from..]
            .iter()
            .take_while(|e| e.at_us < end)
            .count();
        self.hung_next += n;
        self.hung[from..from + n].to_vec()
    }
}

/// A count for the second from its scaled window value `x` (possibly fractional): the integer
/// part plus one with the probability of the fraction. The window is a sample of the second,
/// so its scaled count is an estimate; printing it as a multiple of the scale would show the
/// sampling (every count `k·1000 + c` over a millisecond window).
pub(super) fn dither(noise: &mut SimRng, x: f64) -> u64 {
    if !(x.is_finite() && x > 0.0) {
        return 0;
    }
    let floor = x.floor();
    floor as u64 + u64::from(noise.chance(x - floor))
}

/// A count of the second from `n` events in a window scaled by `k`: `n` events could be anywhere
/// from `n − ½` to `n + ½` window's worth of the second's events, so the estimate spreads
/// uniformly over that range instead of landing on a multiple of `k`.
/// No event in the window is no event in the second: a box where nothing runs (a deadlock
/// formed) completes and switches nothing, rather than a random fraction of the scale.
pub(super) fn spread(noise: &mut SimRng, n: u64, k: f64) -> u64 {
    if n == 0 {
        return 0;
    }
    let jitter = if k > 1.0 { noise.f64() - 0.5 } else { 0.0 };
    dither(noise, (n as f64 + jitter).max(0.0) * k)
}

/// A Poisson count with mean `mean` (normal approximation; Irwin–Hall for the normal draw).
pub(super) fn poisson(noise: &mut SimRng, mean: f64) -> f64 {
    if !(mean.is_finite() && mean > 0.0) {
        return 0.0;
    }
    let z: f64 = (0..12).map(|_| noise.f64()).sum::<f64>() - 6.0;
    (mean + z * mean.sqrt()).max(0.0)
}

/// Instances of user-space locks whose waiters sleep on a futex: each hashes to its own bucket.
fn futex_buckets(incident: &Incident) -> Option<u32> {
    let n: u32 = incident
        .locks
        .iter()
        .filter(|l| l.scope == LockScope::User && l.kind != LockKind::Spinlock)
        .map(|l| l.shards.max(1))
        .fold(0, u32::saturating_add);
    (n > 0).then_some(n)
}

/// The second's futex calls: all of them as `strace -c` counts them, the wakes (one per
/// sleep on a user lock), and those on user locks' futexes (their waits, sleeping or not, and
/// wakes).
fn futex_traffic(w: &WindowStats, detail: &Detail, k: f64) -> super::futex_bucket::FutexTraffic {
    let calls = detail
        .threads
        .iter()
        .flat_map(|t| t.syscalls.iter())
        .filter(|c| c.call == Syscall::Futex)
        .map(|c| c.calls)
        .sum();
    let (sleeps, again) = w.threads.iter().fold((0u64, 0u64), |(s, a), t| {
        (s + t.futex_sleeps, a + t.futex_again)
    });
    let scale = |x: u64| (x as f64 * k).round() as u64;
    super::futex_bucket::FutexTraffic {
        calls,
        wakes: scale(sleeps),
        on_locks: scale(2 * sleeps + again),
    }
}

/// One row from a lock's two sides. A side's minimum counts only when it has one: a wait once
/// it was contended, a hold once a hold ended in the window (an acquisition still held at the
/// window's end has no hold yet, and its side's minimum is no measurement).
fn merge(a: &LockAcc, b: &LockAcc) -> LockAcc {
    let min = |x: u64, y: u64, x_measured: bool, y_measured: bool| match (x_measured, y_measured) {
        (false, _) => y,
        (_, false) => x,
        _ => x.min(y),
    };
    LockAcc {
        acquired: a.acquired + b.acquired,
        contended: a.contended + b.contended,
        acq_bounces: a.acq_bounces + b.acq_bounces,
        con_bounces: a.con_bounces + b.con_bounces,
        wait_total: a.wait_total + b.wait_total,
        wait_min: min(a.wait_min, b.wait_min, a.contended > 0, b.contended > 0),
        wait_max: a.wait_max.max(b.wait_max),
        hold_total: a.hold_total + b.hold_total,
        hold_min: min(a.hold_min, b.hold_min, a.hold_total > 0, b.hold_total > 0),
        hold_max: a.hold_max.max(b.hold_max),
    }
}

fn lock_sample(a: &LockAcc, k: f64, caller: &str) -> LockSample {
    let scale = |x: u64| (x as f64 * k).round() as u64;
    let contended = scale(a.contended);
    let wait_total = scale(a.wait_total);
    LockSample {
        acquired: scale(a.acquired),
        contended,
        acq_bounces: scale(a.acq_bounces),
        con_bounces: scale(a.con_bounces),
        wait_total_ns: wait_total,
        wait_min_ns: a.wait_min,
        wait_max_ns: a.wait_max,
        hold_total_ns: scale(a.hold_total),
        hold_min_ns: a.hold_min,
        hold_max_ns: a.hold_max,
        read_side: None,
        callers: if contended > 0 {
            vec![CallerWait {
                caller: caller.to_owned(),
                contended,
                wait_total_ns: wait_total,
                wait_max_ns: a.wait_max,
            }]
        } else {
            Vec::new()
        },
    }
}

fn perf_type(kind: LockKind, scope: LockScope) -> &'static str {
    match (kind, scope) {
        (LockKind::Spinlock, _) => "spinlock",
        (LockKind::Mutex, _) => "mutex",
        (LockKind::RwLock, LockScope::Kernel) => "rwlock:W",
        (LockKind::RwLock, LockScope::User) | (LockKind::RwSem, _) => "rwsem:W",
        (LockKind::Rcu, _) => "spinlock",
        (LockKind::Seqlock, _) => "spinlock",
        (LockKind::Semaphore, _) => "semaphore",
    }
}

fn lock_type(kind: LockKind, scope: LockScope) -> &'static str {
    match (kind, scope) {
        (LockKind::Spinlock | LockKind::Rcu | LockKind::Seqlock, _) => "spinlock",
        (LockKind::Mutex, _) => "mutex",
        (LockKind::RwLock, LockScope::Kernel) => "rwlock",
        (LockKind::RwLock, LockScope::User) | (LockKind::RwSem, _) => "rwsem",
        (LockKind::Semaphore, _) => "semaphore",
    }
}

/// Rounds non-negative parts to integers summing exactly to `total` (largest remainder).
pub(crate) fn largest_remainder(parts: &[f64; 7], total: u64) -> [u64; 7] {
    let sum: f64 = parts.iter().map(|p| p.max(0.0)).sum();
    let mut out = [0u64; 7];
    if sum <= 0.0 {
        out[6] = total;
        return out;
    }
    let f = total as f64 / sum;
    let mut rem = [(0.0f64, 0usize); 7];
    let mut acc = 0u64;
    for (i, p) in parts.iter().enumerate() {
        let x = p.max(0.0) * f;
        out[i] = x.floor() as u64;
        acc += out[i];
        rem[i] = (x - x.floor(), i);
    }
    rem.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = total.saturating_sub(acc);
    let mut j = 0;
    while left > 0 {
        out[rem[j % 7].1] += 1;
        left -= 1;
        j += 1;
    }
    if acc > total {
        // Floating error pushed the floors past the total: take the excess from the largest.
        let over = acc - total;
        let i = (0..7).max_by_key(|&i| out[i]).unwrap_or(6);
        out[i] = out[i].saturating_sub(over);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RCU or seqlock row folds its rare writer into its readers: a writer still holding at
    /// the window's end has acquired without a hold, and must not make the row's shortest hold 0.
    #[test]
    fn a_side_without_an_ended_hold_leaves_the_shortest_hold_to_the_other() {
        let readers = LockAcc {
            acquired: 100,
            hold_total: 100 * 1_500,
            hold_min: 900,
            hold_max: 4_000,
            ..LockAcc::default()
        };
        let writer_still_holding = LockAcc {
            acquired: 1,
            ..LockAcc::default()
        };
        let row = merge(&writer_still_holding, &readers);
        assert_eq!(row.acquired, 101);
        assert_eq!(row.hold_min, 900);
        assert_eq!(merge(&readers, &writer_still_holding).hold_min, 900);
    }

    /// A window in which nothing happened scales to nothing, whatever the scale.
    #[test]
    fn an_empty_window_counts_nothing() {
        let mut noise = SimRng::stream(Seed(7), "noise");
        for k in [1.0, 250.0, 4_000.0] {
            for _ in 0..100 {
                assert_eq!(spread(&mut noise, 0, k), 0);
            }
        }
        assert!((0..100).any(|_| !spread(&mut noise, 3, 1_000.0).is_multiple_of(1_000)));
    }

    #[test]
    fn largest_remainder_sums_exactly() {
        let v = [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 0.0, 0.0, 0.0, 0.0];
        let r = largest_remainder(&v, 1_000_000_000);
        assert_eq!(r.iter().sum::<u64>(), 1_000_000_000);
        let r = largest_remainder(&[0.0; 7], 10);
        assert_eq!(r[6], 10);
    }
}
