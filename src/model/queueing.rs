//! Analytic queueing results the simulation is checked against (MODEL.md section 1): Erlang C,
//! exact mean value analysis of one lock shared by T threads, the Universal Scalability Law and
//! Amdahl's law.
//!
//! Owns: closed-form helpers only. Must not: simulate anything; the engine never calls these,
//! so an oracle can never agree with the simulation by sharing code with it.

/// Erlang C: probability that an arrival waits in an M/M/c queue with offered load `a` = λ/μ.
/// Returns 1 when the queue is unstable (a ≥ c).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let c_f = f64::from(c);
    if c == 0 || a >= c_f {
        return 1.0;
    }
    // Σ_{k<c} a^k/k! and a^c/c!, built iteratively to stay finite for large c.
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let top = term * c_f / (c_f - a);
    top / (sum + top)
}

/// Mean wait in queue of M/M/c.
pub fn mmc_wq(c: u32, lambda: f64, mu: f64) -> f64 {
    let cap = f64::from(c) * mu;
    if lambda >= cap {
        return f64::INFINITY;
    }
    erlang_c(c, lambda / mu) / (cap - lambda)
}

/// One row of the exact MVA for one FCFS lock station plus a delay station.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MvaPoint {
    pub threads: u32,
    /// Acquisitions per unit time.
    pub throughput: f64,
    /// Mean wait before acquiring (residence minus hold).
    pub wait: f64,
    /// Mean number at the lock (waiting or holding).
    pub queue: f64,
    pub utilisation: f64,
}

/// Exact MVA (Reiser & Lavenberg) for T = 1..=`threads` with hold `s` and think `z`.
pub fn mva_lock(s: f64, z: f64, threads: u32) -> Vec<MvaPoint> {
    let mut q = 0.0;
    let mut out = Vec::with_capacity(threads as usize);
    for n in 1..=threads {
        let r = s * (1.0 + q);
        let x = f64::from(n) / (r + z);
        q = x * r;
        out.push(MvaPoint {
            threads: n,
            throughput: x,
            wait: r - s,
            queue: q,
            utilisation: x * s,
        });
    }
    out
}

/// USL relative capacity C(N) = N / (1 + σ(N−1) + κN(N−1)).
pub fn usl(sigma: f64, kappa: f64, n: f64) -> f64 {
    n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}

/// The USL peak N* = sqrt((1−σ)/κ).
pub fn usl_peak(sigma: f64, kappa: f64) -> f64 {
    ((1.0 - sigma) / kappa).sqrt()
}

/// Amdahl speedup with parallel fraction `p` on `n` processors.
pub fn amdahl(p: f64, n: f64) -> f64 {
    1.0 / ((1.0 - p) + p / n)
}

/// Least-squares fit of USL σ, κ to (N, C) points: linearised as N/C − 1 = σ(N−1) + κN(N−1).
pub fn fit_usl(points: &[(f64, f64)]) -> (f64, f64) {
    let (mut a11, mut a12, mut a22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(n, c) in points {
        let x1 = n - 1.0;
        let x2 = n * (n - 1.0);
        let y = n / c - 1.0;
        a11 += x1 * x1;
        a12 += x1 * x2;
        a22 += x2 * x2;
        b1 += x1 * y;
        b2 += x2 * y;
    }
    let det = a11 * a22 - a12 * a12;
    if det.abs() < f64::MIN_POSITIVE {
        return (0.0, 0.0);
    }
    ((b1 * a22 - b2 * a12) / det, (a11 * b2 - a12 * b1) / det)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn erlang_c_matches_the_model_table() {
        assert!(close(erlang_c(1, 0.9), 0.9, 1e-9));
        assert!(close(erlang_c(2, 1.0), 1.0 / 3.0, 1e-9));
        assert!(close(erlang_c(3, 2.0), 0.444_444, 1e-6));
        assert!(close(erlang_c(8, 6.0), 0.356_981, 1e-6));
        assert!(close(mmc_wq(4, 3.0, 1.0), 0.509_434, 1e-6));
        assert!(close(mmc_wq(1, 0.9, 1.0), 9.0, 1e-9));
    }

    #[test]
    fn mva_matches_the_model_table() {
        let table = mva_lock(1.0, 9.0, 64);
        let rows = [
            (1, 0.1000, 0.000, 0.100),
            (2, 0.1980, 0.100, 0.218),
            (4, 0.3862, 0.358, 0.524),
            (8, 0.7108, 1.254, 1.602),
            (16, 0.9889, 6.179, 7.099),
            (32, 1.0000, 22.000, 23.000),
            (64, 1.0000, 54.000, 55.000),
        ];
        for (t, x, w, q) in rows {
            let p = table[t - 1];
            assert!(close(p.throughput, x, 6e-5), "T={t} X={}", p.throughput);
            assert!(close(p.wait, w, 6e-4), "T={t} W={}", p.wait);
            assert!(close(p.queue, q, 6e-4), "T={t} Q={}", p.queue);
        }
    }

    #[test]
    fn usl_and_amdahl_match_the_model_table() {
        assert!(close(usl_peak(0.05, 0.001), 30.82, 0.005));
        assert!(close(usl(0.05, 0.001, usl_peak(0.05, 0.001)), 9.038, 0.001));
        assert!(close(usl(0.05, 0.001, 8.0), 5.690, 0.001));
        assert!(close(usl(0.05, 0.001, 64.0), 7.822, 0.001));
        assert!(close(usl(0.05, 0.001, 128.0), 5.422, 0.001));
        assert!(close(usl(0.05, 0.0, 64.0), 15.422, 0.001));
        assert!(close(usl(0.05, 0.0, 1024.0), 19.636, 0.001));
        assert!(close(amdahl(0.95, 64.0), usl(0.05, 0.0, 64.0), 1e-9));
        let pts: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
            .iter()
            .map(|&n| (n, usl(0.05, 0.001, n)))
            .collect();
        let (s, k) = fit_usl(&pts);
        assert!(close(s, 0.05, 1e-9) && close(k, 0.001, 1e-9));
    }
}
