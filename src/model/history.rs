//! The box's past before the drill, one notion shared by every average and counter that
//! reaches back before the first simulated second: the box ran at its healthy level from boot
//! until the incident began, `onset_s` seconds before the drill, and at the incident's steady
//! level since. The load averages (`uptime`, `top`), the pressure averages and their stalled
//! totals (`/proc/pressure/*`, a cgroup's `cpu.pressure`) and a cgroup's bandwidth periods
//! (`cpu.stat`) all read it, so they tell the same story of when the trouble began.

/// The kernel's pressure averages: windows of 10, 60 and 300 s (`tests::PSI_WINDOWS_S`), updated every 2 s with the
/// stall share of the 2 s just ended, each update keeping `EXP_*/2048` of the average
/// (`kernel/sched/psi.c`: `EXP_10s` 1677, `EXP_60s` 1981, `EXP_300s` 2034 in 11-bit fixed
/// point).
pub const PSI_UPDATE_S: u64 = 2;
pub const PSI_DECAY: [f64; 3] = [1677.0 / 2048.0, 1981.0 / 2048.0, 2034.0 / 2048.0];

/// The load averages' windows (1, 5 and 15 minutes), damped per second.
pub const LOAD_WINDOWS_S: [f64; 3] = [60.0, 300.0, 900.0];

/// When the incident began, relative to boot and to the drill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct History {
    /// Seconds since boot when the drill starts.
    pub uptime_s: u64,
    /// Seconds the incident had been going on when the drill starts (at most the uptime).
    pub onset_s: u64,
}

impl History {
    pub fn new(uptime_s: u64, onset_s: u64) -> Self {
        Self {
            uptime_s,
            onset_s: onset_s.min(uptime_s),
        }
    }

    /// Seconds from boot to the incident's onset: the healthy stretch.
    pub fn healthy_s(&self) -> u64 {
        self.uptime_s - self.onset_s
    }

    /// An average that keeps `decay` of itself every `step_s` seconds, at the drill's start:
    /// it sat at `healthy` until the onset and has moved towards `steady` since.
    fn damped(&self, healthy: f64, steady: f64, decay: f64, step_s: f64) -> f64 {
        let kept = decay.powf(self.onset_s as f64 / step_s);
        steady + (healthy - steady) * kept
    }

    /// The load averages at the drill's start (the kernel damps them every 5 s, the model
    /// every second, by e^(−1/window)).
    pub fn load(&self, healthy: f64, steady: f64) -> [f64; 3] {
        LOAD_WINDOWS_S.map(|w| self.damped(healthy, steady, (-1.0 / w).exp(), 1.0))
    }

    /// A pressure line's 10/60/300 s averages at the drill's start.
    pub fn psi_avgs(&self, healthy: f64, steady: f64) -> [f64; 3] {
        PSI_DECAY.map(|d| self.damped(healthy, steady, d, PSI_UPDATE_S as f64))
    }

    /// The mean per second since boot of a rate at `healthy` before the onset and `steady`
    /// since: what a counter since boot reads divided by the uptime.
    pub fn mean(&self, healthy: f64, steady: f64) -> f64 {
        if self.uptime_s == 0 {
            return steady;
        }
        (healthy * self.healthy_s() as f64 + steady * self.onset_s as f64) / self.uptime_s as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The windows the kernel's decay factors stand for.
    const PSI_WINDOWS_S: [f64; 3] = [10.0, 60.0, 300.0];

    #[test]
    fn averages_move_from_the_healthy_level_towards_the_steady_one() {
        let h = History::new(900_000, 600);
        let [a10, a60, a300] = h.psi_avgs(0.1, 0.5);
        // Ten minutes in, the 10 s and 60 s averages have forgotten the healthy level; the
        // 300 s one is still e^(−2) of the way back.
        assert!((a10 - 0.5).abs() < 1e-9);
        assert!((a60 - 0.5).abs() < 1e-4);
        assert!(a300 < a60 && a300 > 0.1);
        assert!(
            (a300 - (0.5 - 0.4 * (-2.0f64).exp())).abs() < 0.01,
            "{a300}"
        );
        let [l1, l5, l15] = h.load(1.0, 3.0);
        assert!(l1 > l5 && l5 > l15 && l15 > 1.0);
        // The kernel's fixed-point factors are its windows' exponentials, to a few parts in
        // ten thousand.
        for (d, w) in PSI_DECAY.iter().zip(PSI_WINDOWS_S) {
            assert!((d - (-(PSI_UPDATE_S as f64) / w).exp()).abs() < 3e-4);
        }
    }

    #[test]
    fn the_mean_since_boot_weighs_each_level_by_its_seconds() {
        let h = History::new(1000, 250);
        assert!((h.mean(0.2, 0.6) - 0.3).abs() < 1e-12);
        // An onset before boot is the whole uptime.
        assert_eq!(History::new(100, 500).onset_s, 100);
        assert_eq!(History::new(0, 0).mean(0.1, 0.4), 0.4);
    }
}
