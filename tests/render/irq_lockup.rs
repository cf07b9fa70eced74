//! The tools on `irq-spinlock-lockup` parse back with jc to what the trace holds: one CPU all
//! softirq in mpstat, vmstat's counters, top's CPU lines and its stuck thread.

use sysdrill::domain::{IncidentId, Seed};
use sysdrill::model::simulate;

use super::jc::{check_mpstat, check_top, check_vmstat, jc};
use super::run;

#[test]
fn jc_round_trip_on_a_cpu_stuck_in_a_softirq() {
    let catalog = sysdrill::content::load_catalog(&[]).expect("shipped content loads");
    let incident = &catalog.incidents[&IncidentId::from("irq-spinlock-lockup")];
    let trace = simulate(incident, Seed(3), 3);
    let out = run(&trace, "mpstat -P ALL 1 2", 0);
    if let Some(rows) = jc("mpstat", &out) {
        check_mpstat(&trace, &rows);
        // Both seconds and their average.
        let cpu3: Vec<Option<f64>> = rows
            .as_array()
            .expect("rows")
            .iter()
            .filter(|r| r["cpu"] == "3")
            .map(|r| r["percent_soft"].as_f64())
            .collect();
        assert_eq!(cpu3, [Some(100.0); 3], "CPU 3 all softirq:\n{out}");
    }
    let out = run(&trace, "vmstat 1 3", 0);
    if let Some(rows) = jc("vmstat", &out) {
        check_vmstat(&trace, &rows);
    }
    let out = run(&trace, "top -b -n 1", 0);
    if let Some(frames) = jc("top", &out) {
        check_top(&trace, &frames, 0);
    }
}
