"""SimPy versions of the model benchmarks (MODEL.md section 5): M/M/1 with a Resource
(lambda = 0.9, mu = 1) and the closed lock model (T threads, exponential S = 1, Z = 9).

Prints one JSON line per workload with wall time, heap pops (env.step calls), customers and
the statistics the oracles check, for compare.sh. Fixed seeds; best of REPEAT runs.
"""

import json
import random
import sys
import time

import simpy

REPEAT = 3


def run_steps(env, until):
    steps = 0
    while env.peek() < until:
        env.step()
        steps += 1
    return steps


def mm1(customers, lam=0.9, mu=1.0, seed=1):
    rng = random.Random(seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    waits = []

    def customer(env):
        arrive = env.now
        with server.request() as req:
            yield req
            waits.append(env.now - arrive)
            yield env.timeout(rng.expovariate(mu))

    def source(env):
        while True:
            yield env.timeout(rng.expovariate(lam))
            env.process(customer(env))

    env.process(source(env))
    until = customers / lam
    start = time.perf_counter()
    steps = run_steps(env, until)
    elapsed = time.perf_counter() - start
    warm = len(waits) // 10
    wq = sum(waits[warm:]) / max(1, len(waits) - warm)
    return elapsed, steps, len(waits), {"wq": round(wq, 4)}


def lock_model(threads, acquisitions, s=1.0, z=9.0, seed=1):
    rng = random.Random(seed)
    env = simpy.Environment()
    lock = simpy.Resource(env, capacity=1)
    waits = []

    def worker(env):
        while True:
            yield env.timeout(rng.expovariate(1.0 / z))
            t0 = env.now
            with lock.request() as req:
                yield req
                waits.append(env.now - t0)
                yield env.timeout(rng.expovariate(1.0 / s))

    for _ in range(threads):
        env.process(worker(env))
    # Throughput is at most 1/S, so this horizon gives about `acquisitions` at saturation.
    until = acquisitions * s
    start = time.perf_counter()
    steps = run_steps(env, until)
    elapsed = time.perf_counter() - start
    warm = len(waits) // 10
    w = waits[warm:]
    return elapsed, steps, len(waits), {
        "x_per_us": round(len(waits) / until, 4),
        "wait_us": round(sum(w) / max(1, len(w)), 4),
    }


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    jobs = [("mm1", lambda: mm1(size))]
    for t in (16, 64):
        jobs.append((f"lock{t}", lambda t=t: lock_model(t, size)))
    for name, job in jobs:
        best = None
        for _ in range(REPEAT):
            r = job()
            if best is None or r[0] < best[0]:
                best = r
        elapsed, steps, customers, stats = best
        line = {
            "side": "simpy",
            "workload": name,
            "seconds": round(elapsed, 6),
            "events": steps,
            "customers": customers,
            "events_per_s": round(steps / elapsed),
            "customers_per_s": round(customers / elapsed),
        }
        line.update(stats)
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
