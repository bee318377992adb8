#!/usr/bin/env python3
"""Independent reference for the Hodgkin-Huxley model (Dayan & Abbott 2001, 5.6; SCIENCE.md 3a).

Plain Python, no dependencies. Classic RK4 at dt = 0.001 ms from the resting state (found by
bisection on the total current with the gates at steady state), a current step from t = 10 ms
for the rest of a 100 ms run; a spike is an upward crossing of 0 mV, timed by linear
interpolation (the step is 10x finer than the tolerance needs). Writes hodgkin_huxley.csv:
current, spike count, the first spike times, and the resting state in its first lines.

Regenerate:  python3 tests/reference/hodgkin_huxley.py > tests/reference/hodgkin_huxley.csv
"""
import math

C, GNA, GK, GL, ENA, EK, EL = 1.0, 120.0, 36.0, 0.3, 50.0, -77.0, -54.387
DT, T_END, ONSET = 0.001, 100.0, 10.0
CURRENTS = [1.5, 3.0, 5.0, 7.0, 10.0, 20.0, 40.0]


def trap(x, y):
    return y * (1 + x / (2 * y)) if abs(x / y) < 1e-6 else x / (1 - math.exp(-x / y))


def rates(v):
    return (
        (0.1 * trap(v + 40, 10), 4 * math.exp(-(v + 65) / 18)),
        (0.07 * math.exp(-(v + 65) / 20), 1 / (1 + math.exp(-(v + 35) / 10))),
        (0.01 * trap(v + 55, 10), 0.125 * math.exp(-(v + 65) / 80)),
    )


def inf(v):
    return [a / (a + b) for a, b in rates(v)]


def f(s, i):
    v, m, h, n = s
    (am, bm), (ah, bh), (an, bn) = rates(v)
    ionic = GNA * m**3 * h * (v - ENA) + GK * n**4 * (v - EK) + GL * (v - EL)
    return ((i - ionic) / C, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n)


def rest():
    lo, hi = -70.0, -60.0
    for _ in range(100):
        v = 0.5 * (lo + hi)
        m, h, n = inf(v)
        total = GNA * m**3 * h * (v - ENA) + GK * n**4 * (v - EK) + GL * (v - EL)
        lo, hi = (v, hi) if total < 0 else (lo, v)
    return [v] + inf(v)


def run(amp):
    s = rest()
    spikes = []
    for k in range(round(T_END / DT)):
        t = k * DT
        i = amp if t >= ONSET else 0.0
        k1 = f(s, i)
        k2 = f([x + 0.5 * DT * d for x, d in zip(s, k1)], i)
        k3 = f([x + 0.5 * DT * d for x, d in zip(s, k2)], i)
        k4 = f([x + DT * d for x, d in zip(s, k3)], i)
        new = [x + DT / 6 * (a + 2 * b + 2 * c + d) for x, a, b, c, d in zip(s, k1, k2, k3, k4)]
        if s[0] < 0.0 <= new[0]:
            spikes.append(t + DT * (0.0 - s[0]) / (new[0] - s[0]))
        s = new
    return spikes


if __name__ == "__main__":
    v, m, h, n = rest()
    print(f"# rest: v={v:.6f} m={m:.6f} h={h:.6f} n={n:.6f}")
    print("current,spike_count,t0_ms,t1_ms,t2_ms")
    for amp in CURRENTS:
        ts = run(amp)
        first = [f"{t:.4f}" for t in ts[:3]] + [""] * (3 - min(3, len(ts)))
        print(f"{amp},{len(ts)}," + ",".join(first))
