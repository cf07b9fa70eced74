//! Incidents built in code for the model tests: a plain machine and one workload, adjusted per test.

use sysdrill::domain::*;

pub fn machine(cpus: u32) -> Machine {
    Machine {
        hostname: "test01".into(),
        kernel: "6.8.0-45-generic".into(),
        cpus,
        hz: 250,
        memory_mib: 16384,
        swap_mib: 2048,
        virtualized: false,
        uptime_s: 100_000,
        clock_s: 36_000,
        date: "03/14/25".into(),
        disks: vec![Disk {
            name: "nvme0n1".into(),
            service_us: 90.0,
            parallelism: 8,
        }],
        nics: vec![Nic {
            name: "eth0".into(),
            rx_queues: cpus,
            irq_cpus: (0..cpus).collect(),
            coalesce: 8,
        }],
        numa: None,
        lockdep: false,
    }
}

pub fn workload(threads: u32, arrivals: Arrivals, compute_us: f64) -> Workload {
    Workload {
        name: "worker".into(),
        pid: 4242,
        user: "app".into(),
        uid: 1000,
        threads,
        arrivals,
        request: RequestProfile {
            compute_us,
            distribution: Distribution::Exponential,
            syscalls: 0,
            critical_sections: vec![],
            page_allocs: 0,
            disk_io: None,
            packets: 0,
            wakeups: 0,
        },
        rss_mib: 2000,
        file_cache_mib: 1000,
        app_symbol: "process_request".into(),
        cgroup: None,
        load_steps: vec![],
        paths: vec![],
        deploys: vec![],
        placement: Placement::default(),
    }
}

/// A lock named as its scope names it: a user-space lock by the program's variable and the
/// application function that takes it, a kernel lock by its lockdep class and kernel caller.
pub fn lock(id: &str, kind: LockKind, scope: LockScope) -> LockSpec {
    let (class_name, caller) = match scope {
        LockScope::User => (format!("{id}_lock"), "process_request+0x4c".to_owned()),
        LockScope::Kernel => ("&hb->lock".to_owned(), "futex_wake+0x15a".to_owned()),
    };
    LockSpec {
        id: id.into(),
        class_name,
        kind,
        scope,
        caller,
        permits: 1,
        shards: 1,
        bounce_ns: 0.0,
        interrupt: None,
    }
}

pub fn incident(
    machine: Machine,
    workloads: Vec<Workload>,
    locks: Vec<LockSpec>,
    costs: Costs,
) -> Incident {
    Incident {
        id: IncidentId::from("test"),
        title: "test".into(),
        narrative: String::new(),
        default_seed: 1,
        machine,
        workloads,
        locks,
        faults: vec![],
        variants: Variants::default(),
        costs,
        content_hash: 0,
    }
}

/// One lock shared by `threads` threads: think `z_us`, hold `s_us` (exponential), enough CPUs.
pub fn closed_lock(
    threads: u32,
    cpus: u32,
    s_us: f64,
    z_us: f64,
    kind: LockKind,
    costs: Costs,
) -> Incident {
    let mut w = workload(threads, Arrivals::Closed { think_us: z_us }, 0.0);
    w.request.critical_sections = vec![CriticalSection {
        lock: 0,
        hold_us: s_us,
        write_fraction: 1.0,
        io: None,
        nested: Vec::new(),
    }];
    let scope = if kind == LockKind::Spinlock {
        LockScope::Kernel
    } else {
        LockScope::User
    };
    incident(
        machine(cpus),
        vec![w],
        vec![lock("queue", kind, scope)],
        costs,
    )
}

/// The first `n` whole seconds of `inc` under `seed`: one-second windows after a 100 ms warm-up,
/// with no event budget, so a test reads every second as simulated.
pub fn whole_seconds(inc: &Incident, seed: Seed, n: usize) -> Vec<sysdrill::model::Sample> {
    let params = sysdrill::model::engine::EngineParams {
        window_ns: 1_000_000_000,
        warmup_ns: 100_000_000,
        max_events: u64::MAX,
    };
    let mut sim = sysdrill::model::Simulation::with_params(inc, seed, params);
    sim.advance_to(n);
    sim.trace().samples.clone()
}
