// A small hand-built trace for renderer tests: 4 CPUs (CPU 0 busy with softirq), a worker
// process fighting over a futex hash-bucket lock, an NVMe disk, and a few kernel log events.
// Included (not a module) by `render/testing.rs` and by the integration tests, each with its
// own `use` of the model types, so both test the renderers on the same numbers.

/// Deterministic variation without an RNG: a small integer hash of (a, b).
fn wobble(a: u64, b: u64) -> u64 {
    let mut x = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 29;
    x % 1000
}

fn fixture_cpu(second: u64, cpu: u64) -> CpuTime {
    let w = wobble(second, cpu) * 1_000_000; // 0..1e9 ns of jitter
    let (user, system, softirq, iowait, steal) = if cpu == 0 {
        (40_000_000 + w / 50, 60_000_000, 850_000_000 - w / 50, 0, 0)
    } else {
        (
            180_000_000 + w / 10,
            250_000_000 + w / 20,
            30_000_000,
            5_000_000 + w / 200,
            1_000_000,
        )
    };
    let irq = 2_000_000;
    let nice = if cpu == 3 { 3_000_000 } else { 0 };
    let busy = user + nice + system + irq + softirq + iowait + steal;
    CpuTime {
        user,
        nice,
        system,
        irq,
        softirq,
        iowait,
        steal,
        idle: 1_000_000_000 - busy,
    }
}

fn fixture_sample(second: u64, tasks: usize, locks: usize) -> Sample {
    let w = wobble(second, 99);
    let cpus = (0..4).map(|c| fixture_cpu(second, c)).collect();
    let lock = |i: usize| {
        let contended = 90_000 + w * 40 + i as u64 * 1000;
        let avg = 18_420 + w;
        LockSample {
            acquired: 240_000 + w * 100 - i as u64 * 70_000,
            contended: contended / (i as u64 + 1),
            acq_bounces: 200_000 + w * 50,
            con_bounces: 80_000 + w * 30,
            wait_total_ns: contended / (i as u64 + 1) * avg,
            wait_min_ns: 95,
            wait_max_ns: 2_310_000 + w * 10,
            hold_total_ns: 240_000 * 2_310,
            hold_min_ns: 40,
            hold_max_ns: 388_120,
            read_side: (i == 2).then(|| {
                Box::new(LockSample {
                    acquired: 50_000,
                    contended: 311,
                    acq_bounces: 4_000,
                    con_bounces: 300,
                    wait_total_ns: 311 * 122_570,
                    wait_min_ns: 1_200,
                    wait_max_ns: 1_020_000,
                    hold_total_ns: 50_000 * 800,
                    hold_min_ns: 120,
                    hold_max_ns: 90_000,
                    read_side: None,
                    callers: vec![CallerWait {
                        caller: "do_user_addr_fault+0x1d3".into(),
                        contended: 311,
                        wait_total_ns: 311 * 122_570,
                        wait_max_ns: 1_020_000,
                    }],
                })
            }),
            callers: vec![
                CallerWait {
                    caller: "futex_wake+0x15a".into(),
                    contended: contended / (i as u64 + 1) * 2 / 3,
                    wait_total_ns: contended / (i as u64 + 1) * 2 / 3 * avg,
                    wait_max_ns: 2_310_000 + w * 10,
                },
                CallerWait {
                    caller: "futex_wait_setup+0x74".into(),
                    contended: contended / (i as u64 + 1) - contended / (i as u64 + 1) * 2 / 3,
                    wait_total_ns: (contended / (i as u64 + 1)
                        - contended / (i as u64 + 1) * 2 / 3)
                        * avg,
                    wait_max_ns: 1_100_000,
                },
            ],
        }
    };
    Sample {
        cpus,
        runnable: 5.4 + (w % 7) as f64,
        blocked: if w.is_multiple_of(3) { 1.2 } else { 0.3 },
        interrupts: 6_120 + w,
        context_switches: 180_000 + w * 37,
        mem: Memory {
            free_kib: 5_120_344 - second * 472,
            buffers_kib: 98_304,
            cache_kib: 2_210_456 + second * 56,
            shared_kib: 220_160,
            available_kib: 7_001_234 - second * 400,
            swap_used_kib: 0,
            watermark_min_kib: 67_584,
            watermark_low_kib: 84_480,
        },
        swap_in_kib: 0,
        swap_out_kib: 0,
        blocks_in_kib: w / 10,
        blocks_out_kib: 64 + w,
        disks: vec![DiskSample {
            reads: 850 + w / 10,
            writes: 120,
            read_kib: (850 + w / 10) * 64,
            write_kib: 7_680,
            read_merges: 0,
            write_merges: 15,
            r_await_ms: 2.1,
            w_await_ms: 8.4,
            queue_size: 2.79,
            util: 0.984,
        }],
        tasks: (0..tasks)
            .map(|t| match t {
                // worker: 2.9 cores
                0 => TaskSample {
                    user_ns: 1_410_000_000 + w * 1_000,
                    system_ns: 1_380_000_000,
                    wait_ns: 950_000_000,
                    voluntary_cs: 48_210 + w,
                    involuntary_cs: 2_210,
                    running: 6,
                    uninterruptible: 0,
                    last_cpu: 3,
                    minor_faults: 10,
                    major_faults: 0,
                    leader: ThreadSched {
                        wait_ns: 310_000_000,
                        voluntary_cs: 8_035 + w,
                        involuntary_cs: 368,
                    },
                },
                // ksoftirqd/0
                1 => TaskSample {
                    user_ns: 0,
                    system_ns: 62_000_000,
                    wait_ns: 0,
                    voluntary_cs: 0,
                    involuntary_cs: 12,
                    running: 1,
                    uninterruptible: 0,
                    last_cpu: 0,
                    minor_faults: 0,
                    major_faults: 0,
                    leader: ThreadSched {
                        wait_ns: 0,
                        voluntary_cs: 0,
                        involuntary_cs: 12,
                    },
                },
                // an idle sshd
                _ => TaskSample::default(),
            })
            .collect(),
        symbols: vec![
            (0, 1_400_000_000 + w * 100_000),
            (1, 160_000_000),
            (2, 130_000_000),
            (3, 90_000_000),
            (4, 60_000_000),
            (5, 45_000_000),
            (6, 700_000_000),
        ],
        locks: (0..locks).map(lock).collect(),
        app: AppSample {
            completed: 12_000,
            in_system: 40.0,
            latency_mean_us: 3_300.0,
            latency_p50_us: 2_100.0,
            latency_p99_us: 41_000.0,
        },
        load_avg: [6.12, 4.87, 3.10],
        detail: Detail::default(),
    }
}

/// The fixture trace with `seconds` samples.
pub fn fixture_trace(seconds: u64) -> Trace {
    let tasks = vec![
        TaskInfo {
            pid: 1,
            comm: "systemd".into(),
            user: "root".into(),
            uid: 0,
            threads: 1,
            virt_kib: 167_512,
            res_kib: 12_288,
            shr_kib: 8_448,
            kernel_thread: false,
            sleep_state: SleepState::Interruptible,
            cpu_time_before_cs: 6_211,
        },
        TaskInfo {
            pid: 15,
            comm: "ksoftirqd/0".into(),
            user: "root".into(),
            uid: 0,
            threads: 1,
            virt_kib: 0,
            res_kib: 0,
            shr_kib: 0,
            kernel_thread: true,
            sleep_state: SleepState::Interruptible,
            cpu_time_before_cs: 6_211,
        },
        TaskInfo {
            pid: 4242,
            comm: "worker-with-a-long-name".into(),
            user: "app".into(),
            uid: 1000,
            threads: 16,
            virt_kib: 2_365_432,
            res_kib: 812_344,
            shr_kib: 23_456,
            kernel_thread: false,
            sleep_state: SleepState::Interruptible,
            cpu_time_before_cs: 75_456,
        },
    ];
    // Sample::tasks follows BoxInfo::tasks: [systemd, ksoftirqd/0, worker].
    let reorder = |mut s: Sample| {
        if s.tasks.len() == 3 {
            let worker = s.tasks[0];
            let ksoftirqd = s.tasks[1];
            s.tasks = vec![TaskSample::default(), ksoftirqd, worker];
        }
        s
    };
    let symbol = |name: &str, dso: &str, kernel: bool| Symbol {
        name: name.into(),
        dso: dso.into(),
        kernel,
        // The idle loop halts in these (the model's `symbols::splits::HALTED`).
        halted: kernel && matches!(name, "intel_idle" | "pv_native_safe_halt"),
    };
    let lock_info = |name: &str, perf_type: &str, lock_type: &str, address: u64, rw: bool| LockInfo {
        class_name: name.into(),
        perf_type: perf_type.into(),
        lock_type: lock_type.into(),
        address,
        read_write: rw,
        caller: format!("{name}_caller+0x2a"),
        kernel: true,
    };
    let mut since_boot = fixture_sample(10_000, 3, 3);
    since_boot.mem = fixture_sample(0, 0, 0).mem;
    // Before the drill the locks were quiet: a thousandth of the storm's contention.
    fn quiet(l: &mut LockSample) {
        l.acquired /= 100;
        l.contended /= 1000;
        l.acq_bounces /= 100;
        l.con_bounces /= 1000;
        l.wait_total_ns /= 1000;
        l.hold_total_ns /= 100;
        for c in &mut l.callers {
            c.contended /= 1000;
            c.wait_total_ns /= 1000;
        }
        if let Some(r) = &mut l.read_side {
            quiet(r);
        }
    }
    since_boot.locks.iter_mut().for_each(quiet);
    since_boot.context_switches = 820;
    since_boot.interrupts = 410;
    since_boot.runnable = 1.0;
    since_boot.blocked = 0.0;
    since_boot.cpus = (0..4)
        .map(|_| CpuTime {
            user: 20_000_000,
            nice: 0,
            system: 10_000_000,
            irq: 1_000_000,
            softirq: 1_000_000,
            iowait: 2_000_000,
            steal: 0,
            idle: 966_000_000,
        })
        .collect();
    Trace {
        info: BoxInfo {
            hostname: "db01".into(),
            kernel: "6.8.0-45-generic".into(),
            cpus: 4,
            hz: 250,
            virtualized: false,
            mem_total_kib: 16_277_914,
            swap_total_kib: 2_097_152,
            uptime_s: 12 * 86_400 + 3 * 3600 + 4 * 60 + 7,
            clock_s: 10 * 3600 + 2 * 60 + 11,
            date: "03/14/25".into(),
            disks: vec!["nvme0n1".into()],
            tasks,
            symbols: vec![
                symbol("native_queued_spin_lock_slowpath", "[kernel]", true),
                symbol("_raw_spin_lock", "[kernel]", true),
                symbol("futex_wake", "[kernel]", true),
                symbol("__schedule", "[kernel]", true),
                symbol("queue_push", "worker", false),
                symbol("__lll_lock_wait", "libc.so.6", false),
                symbol("intel_idle", "[kernel]", true),
            ],
            locks: vec![
                lock_info("&hb->lock", "spinlock", "spinlock", 0xffff_8881_0a2b_c040, false),
                lock_info("&rq->__lock", "spinlock", "spinlock", 0xffff_8882_3fa3_0d00, false),
                lock_info("&mm->mmap_lock", "rwsem:W", "rwsem", 0xffff_8881_0c44_1e38, true),
            ],
            cgroups: vec![],
            numa: NumaInfo::single_node(4, 16_277_914),
            irq_history: vec![],
            pressure_avgs: None,
        },
        since_boot: reorder(since_boot),
        samples: (0..seconds).map(|s| reorder(fixture_sample(s, 3, 3))).collect(),
        log: vec![
            LogEvent {
                at_us: 2_113_402,
                kind: LogKind::Text("EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode.".into()),
            },
            LogEvent {
                at_us: 1_047_846_123_456,
                kind: LogKind::SoftLockup {
                    cpu: 3,
                    stuck_s: 22,
                    comm: "worker".into(),
                    pid: 4242,
                    rip: "native_queued_spin_lock_slowpath+0x6e/0x2c0".into(),
                    stack: vec![
                        "_raw_spin_lock+0x2d/0x40".into(),
                        "futex_wake+0x8f/0x190".into(),
                        "do_futex+0x11c/0x1a0".into(),
                    ],
                },
            },
            LogEvent {
                at_us: 1_047_900_000_001,
                kind: LogKind::HungTask {
                    comm: "worker".into(),
                    pid: 4243,
                    tgid: 4242,
                    blocked_s: 122,
                    stack: vec![
                        "__schedule".into(),
                        "schedule".into(),
                        "schedule_preempt_disabled".into(),
                        "__mutex_lock.constprop.0".into(),
                    ],
                },
            },
        ],
        thread_history: ThreadHistory::default(),
    }
}
