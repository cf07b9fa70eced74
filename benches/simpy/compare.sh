#!/usr/bin/env bash
# Runs the model benchmarks' workloads in SimPy and in sysdrill on this machine, checks both
# sides' statistics against the analytic oracles, and prints the speed ratios.
# SimPy goes into a throwaway venv under target/ the first time. Usage: benches/simpy/compare.sh [customers]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/target/simpy-venv"
size="${1:-200000}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import simpy" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "simpy==4.1.2"
fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
echo "running SimPy ($size customers per workload, best of 3) ..." >&2
"$venv/bin/python" "$root/benches/simpy/workloads.py" "$size" >>"$out"
echo "running sysdrill (1e6 customers per workload, best of 5, release) ..." >&2
(cd "$root" && cargo bench --quiet --bench model -- --compare) | grep '^{' >>"$out"
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = {(r["side"], r["workload"]): r for r in rows}
# Oracles first: a fast wrong simulation fails.
mva = {16: (0.9889, 6.179), 64: (1.0, 54.0)}
ok = True
for side in ("simpy", "sysdrill"):
    r = by[(side, "mm1")]
    # Wq at rho = 0.9 converges slowly: its standard error is sqrt(35900 / n) (asymptotic
    # variance of the mean wait of M/M/1), so the tolerance is max(5 %, three standard errors).
    tol = max(0.05, 3 * (35900 / r["customers"]) ** 0.5 / 9.0)
    if abs(r["wq"] - 9.0) / 9.0 > tol:
        print(f"FAIL {side} M/M/1 Wq {r['wq']} vs 9.0"); ok = False
    for t, (x, w) in mva.items():
        r = by[(side, f"lock{t}")]
        if abs(r["wait_us"] - w) / w > 0.05 or abs(r["x_per_us"] - x) / x > 0.02:
            print(f"FAIL {side} T={t}: X {r['x_per_us']} wait {r['wait_us']} vs MVA {x} {w}"); ok = False
print(f"{'workload':10} {'SimPy ev/s':>12} {'ours ev/s':>12} {'SimPy cust/s':>13} {'ours cust/s':>12} {'ratio (cust/s)':>15}")
for wl in ("mm1", "lock16", "lock64"):
    a, b = by[("simpy", wl)], by[("sysdrill", wl)]
    print(f"{wl:10} {a['events_per_s']:12,.0f} {b['events_per_s']:12,.0f} {a['customers_per_s']:13,.0f} {b['customers_per_s']:12,.0f} {b['customers_per_s'] / a['customers_per_s']:14.1f}x")
v = by.get(("sysdrill", "vmstat_1_5"))
if v:
    print(f"vmstat 1 5 on slow-under-load, simulation included: {v['ms_per_output']:.2f} ms")
print("oracles: ok" if ok else "oracles: FAILED")
sys.exit(0 if ok else 1)
PY
