#!/usr/bin/env python3
"""Independent reference for presets/networks/izhikevich_2003.ron: Izhikevich's net.m, ported
line by line to numpy (Izhikevich EM (2003) IEEE TNN 14:1569, Fig. 3; SCIENCE.md 1c), not read
from spikelab's files. 1000 ms per seed, 10 seeds; writes the mean E and I rates per seed and the
frequency of the largest peak of the E population rate's spectrum (1 ms bins, 5-60 Hz).

Regenerate (numpy only):
  python3 -m venv /tmp/venv-ref && /tmp/venv-ref/bin/pip install "numpy<2.4"
  /tmp/venv-ref/bin/python tests/reference/izhikevich_2003_network.py > tests/reference/izhikevich_2003_network.csv
"""
import numpy as np


def run(seed, steps=1000):
    rng = np.random.default_rng(seed)
    ne, ni = 800, 200
    re, ri = rng.random(ne), rng.random(ni)
    a = np.concatenate([0.02 * np.ones(ne), 0.02 + 0.08 * ri])
    b = np.concatenate([0.2 * np.ones(ne), 0.25 - 0.05 * ri])
    c = np.concatenate([-65 + 15 * re**2, -65 * np.ones(ni)])
    d = np.concatenate([8 - 6 * re**2, 2 * np.ones(ni)])
    s = np.hstack([0.5 * rng.random((ne + ni, ne)), -rng.random((ne + ni, ni))])
    v = -65.0 * np.ones(ne + ni)
    u = b * v
    counts = np.zeros((steps, 2))
    for t in range(steps):
        i = np.concatenate([5 * rng.standard_normal(ne), 2 * rng.standard_normal(ni)])
        fired = np.where(v >= 30)[0]
        counts[t] = [np.sum(fired < ne), np.sum(fired >= ne)]
        v[fired] = c[fired]
        u[fired] = u[fired] + d[fired]
        i = i + s[:, fired].sum(axis=1)
        v = v + 0.5 * (0.04 * v**2 + 5 * v + 140 - u + i)
        v = v + 0.5 * (0.04 * v**2 + 5 * v + 140 - u + i)
        u = u + a * (b * v - u)
    rate_e = counts[:, 0] / ne * 1000.0
    signal = rate_e[100:] - rate_e[100:].mean()
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal)))) ** 2
    freqs = np.fft.rfftfreq(len(signal), d=1e-3)
    band = (freqs >= 5) & (freqs <= 60)
    peak = freqs[band][np.argmax(spectrum[band])]
    return counts[:, 0].sum() / ne, counts[:, 1].sum() / ni, peak


print("seed,rate_e_hz,rate_i_hz,peak_hz")
for seed in range(10):
    e, i, peak = run(seed)
    print(f"{seed},{e:.3f},{i:.3f},{peak:.1f}")
