#!/usr/bin/env python3
"""Independent reference for the Izhikevich (2003) RS, IB, CH and FS presets.

Plain Python, no dependencies; parameters and inputs typed in from Izhikevich (2003) Fig. 2
(SCIENCE.md 1b), not read from spikelab's files. Classic RK4 with a step 100 times finer than
the presets' (0.001 ms); a spike is the linearly interpolated crossing of v_peak = 30, after
which v <- c, u <- u + d. Writes izhikevich_2003.csv: spike count and the first spike times.

Regenerate:  python3 tests/reference/izhikevich_2003.py > tests/reference/izhikevich_2003.csv
"""

CELLS = {
    # name: (a, b, c, d, v0, step onset ms, step amplitude, duration ms)
    "rs": (0.02, 0.2, -65.0, 8.0, -63.0, 15.0, 14.0, 150.0),
    "ib": (0.02, 0.2, -55.0, 4.0, -70.0, 15.0, 11.0, 200.0),
    "ch": (0.02, 0.2, -50.0, 2.0, -70.0, 15.0, 10.0, 200.0),
    "fs": (0.1, 0.2, -65.0, 2.0, -70.0, 15.0, 10.0, 200.0),
}
DT = 0.001
N_TIMES = 8


def spikes(a, b, c, d, v0, onset, amp, duration):
    def f(v, u, i):
        return 0.04 * v * v + 5.0 * v + 140.0 - u + i, a * (b * v - u)

    v, u = v0, b * v0
    times = []
    n_steps = round(duration / DT)
    on_step = round(onset / DT)
    for n in range(n_steps):
        t = n * DT
        i = amp if n >= on_step else 0.0
        k1 = f(v, u, i)
        k2 = f(v + 0.5 * DT * k1[0], u + 0.5 * DT * k1[1], i)
        k3 = f(v + 0.5 * DT * k2[0], u + 0.5 * DT * k2[1], i)
        k4 = f(v + DT * k3[0], u + DT * k3[1], i)
        vn = v + DT / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        un = u + DT / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        if vn >= 30.0:
            frac = (30.0 - v) / (vn - v)
            times.append(t + frac * DT)
            v, u = c, u + frac * (un - u) + d
        else:
            v, u = vn, un
    return times


print("cell,spike_count," + ",".join(f"t{k}_ms" for k in range(N_TIMES)))
for name, params in CELLS.items():
    ts = spikes(*params)
    first = [f"{t:.4f}" for t in ts[:N_TIMES]] + [""] * (N_TIMES - min(N_TIMES, len(ts)))
    print(f"{name},{len(ts)}," + ",".join(first))
