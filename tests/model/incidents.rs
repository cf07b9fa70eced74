//! The five shipped incidents, built in code to mirror `incidents/*.yaml` one to one (until the
//! content loader lands, the tests cannot load the files themselves), and their signatures
//! checked over several seeds.

use super::build::*;
use sysdrill::domain::*;

fn cs(lock: usize, hold_us: f64) -> CriticalSection {
    CriticalSection {
        lock,
        hold_us,
        write_fraction: 1.0,
        io: None,
        nested: Vec::new(),
    }
}

fn named(id: &str, mut inc: Incident) -> Incident {
    inc.id = IncidentId::from(id);
    inc
}

pub fn slow_under_load() -> Incident {
    let mut m = machine(8);
    m.hostname = "app01".into();
    m.uptime_s = 1_054_381;
    m.disks[0].service_us = 62.0;
    let mut w = workload(96, Arrivals::Closed { think_us: 200.0 }, 1.5);
    w.rss_mib = 13_800;
    w.file_cache_mib = 3000;
    w.request.syscalls = 12;
    w.request.page_allocs = 8;
    w.request.wakeups = 4;
    w.request.packets = 2;
    w.request.critical_sections = vec![cs(0, 4.0), cs(1, 0.5)];
    let mut queue = lock("queue", LockKind::Mutex, LockScope::User);
    queue.bounce_ns = 30.0;
    let mut zone = lock("zone", LockKind::Spinlock, LockScope::Kernel);
    zone.class_name = "&zone->lock".into();
    zone.caller = "rmqueue_bulk+0x51".into();
    let mut inc = incident(m, vec![w], vec![queue, zone], Costs::default());
    inc.faults = vec![Fault::MemoryPressure {
        free_mib: 24,
        direct_reclaim_fraction: 0.09,
        reclaim_us: 150.0,
        major_fault_fraction: 0.10,
        burst_every_s: 3,
    }];
    inc.variants = Variants {
        workload: 0,
        cpus: None,
        threads: Some((80, 112)),
        rate_per_s: None,
        hold_scale: Some((0.85, 1.2)),
    };
    named("slow-under-load", inc)
}

pub fn added_threads_slower() -> Incident {
    let mut w = workload(64, Arrivals::Closed { think_us: 100.0 }, 40.0);
    w.request.syscalls = 4;
    w.request.critical_sections = vec![cs(0, 10.0)];
    let mut queue = lock("queue", LockKind::Mutex, LockScope::User);
    queue.class_name = "quote_cache_lock".into();
    queue.caller = "price_quote+0x61".into();
    queue.bounce_ns = 200.0;
    let mut inc = incident(machine(8), vec![w], vec![queue], Costs::default());
    inc.machine.uptime_s = 355_020;
    inc.variants = Variants {
        workload: 0,
        cpus: None,
        threads: Some((48, 96)),
        rate_per_s: None,
        hold_scale: Some((0.9, 1.1)),
    };
    named("added-threads-slower", inc)
}

pub fn high_cpu_spinlock() -> Incident {
    let mut w = workload(32, Arrivals::Closed { think_us: 0.0 }, 10.0);
    w.request.syscalls = 4;
    w.request.critical_sections = vec![cs(0, 2.5)];
    let mut hb = lock("bucket", LockKind::Spinlock, LockScope::Kernel);
    hb.caller = "futex_q_lock+0x2a".into();
    let mut inc = incident(machine(8), vec![w], vec![hb], Costs::default());
    inc.machine.uptime_s = 2_210_400;
    inc.variants = Variants {
        workload: 0,
        cpus: None,
        threads: Some((24, 48)),
        rate_per_s: None,
        hold_scale: Some((0.9, 1.2)),
    };
    named("high-cpu-spinlock", inc)
}

pub fn hung_deadlock() -> Incident {
    let mut m = machine(4);
    m.uptime_s = 864_210;
    let mut w = workload(32, Arrivals::Closed { think_us: 2000.0 }, 50.0);
    // The journal taken inside i_data_sem; one request in 200 the other way round.
    let mut data = cs(0, 5.0);
    data.nested = vec![NestedSection {
        lock: 1,
        hold_us: 5.0,
        write_fraction: 1.0,
        reverse_fraction: 0.005,
    }];
    w.request.critical_sections = vec![data];
    let mut a = lock("cache", LockKind::RwSem, LockScope::Kernel);
    a.class_name = "&ei->i_data_sem".into();
    a.caller = "ext4_map_blocks+0x1b4".into();
    let mut b = lock("journal", LockKind::Mutex, LockScope::Kernel);
    b.class_name = "&journal->j_checkpoint_mutex".into();
    b.caller = "__jbd2_log_wait_for_space+0xc4".into();
    let mut inc = incident(m, vec![w], vec![a, b], Costs::default());
    inc.faults = vec![Fault::Deadlock {
        first: 0,
        second: 1,
        after_s: Some(863_800),
    }];
    named("hung-deadlock", inc)
}

pub fn healthy_baseline() -> Incident {
    let mut w = workload(16, Arrivals::Open { rate_per_s: 200.0 }, 150.0);
    w.request.syscalls = 10;
    w.request.page_allocs = 4;
    w.request.packets = 2;
    w.request.critical_sections = vec![cs(0, 2.0)];
    w.request.disk_io = Some(DiskIo {
        disk: 0,
        reads: 0,
        writes: 1,
        kib: 8,
    });
    let mut sessions = lock("sessions", LockKind::Mutex, LockScope::User);
    sessions.caller = "handle_request+0x3a".into();
    let inc = incident(machine(8), vec![w], vec![sessions], Costs::default());
    let mut inc = named("healthy-baseline", inc);
    inc.machine.uptime_s = 98_765;
    inc.variants.rate_per_s = Some((150.0, 300.0));
    inc
}

pub fn all() -> Vec<Incident> {
    vec![
        slow_under_load(),
        added_threads_slower(),
        high_cpu_spinlock(),
        hung_deadlock(),
        healthy_baseline(),
    ]
}
