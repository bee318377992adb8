#!/usr/bin/env python3
"""Independent reference for Brunel's four example states (presets/networks/brunel_{sr,ai,
si_fast,si_slow}.ron): Brunel N (2000) J Comput Neurosci 8:183, model A, Fig. 8, built in NEST
3.10 from the paper's parameters (not from spikelab's files), as NEST's own brunel_delta example
does: 10,000 E + 2,500 I iaf_psc_delta cells (tau 20 ms, C 250 pF, rest 0 mV, threshold 20 mV,
reset 10 mV, refractory 2 ms), fixed in-degree C_E = 1000, C_I = 250 with autapses and
multapses, J = 0.1 mV, -g J inhibitory, delay 1.5 ms, an independent Poisson drive of C_E nu_ext
per cell, V0 uniform in [0, 20) mV, resolution 0.1 ms. Each state runs 500 ms for 3 seeds; the
measures are computed as spikelab's sweep computes them (analysis/regime.rs) over 100-500 ms of
all 12,500 cells: mean rate, mean CV of the intervals (cells with >= 3), synchrony chi on 2 ms
bins, the spectral peak of the population rate in 0.5 ms bins (Hann window, 5-500 Hz).

Regenerate (about 5 minutes on 2 cores):
  python3 -m venv /tmp/venv-nest && /tmp/venv-nest/bin/pip install nest-simulator==3.10.0 "numpy<2.4"
  PYNEST_QUIET=1 /tmp/venv-nest/bin/python tests/reference/brunel_states.py > tests/reference/brunel_states.csv
"""
import sys

import numpy as np
import nest

STATES = [("SR", 3.0, 2.0), ("AI", 5.0, 2.0), ("SI fast", 6.0, 4.0), ("SI slow", 4.5, 0.9)]
NE, NI, CE, CI = 10000, 2500, 1000, 250
J, DELAY, THETA, TAU = 0.1, 1.5, 20.0, 20.0
T0, T1, BIN, FINE = 100.0, 500.0, 2.0, 0.5


def measures(times, senders, n):
    keep = (times >= T0) & (times < T1)
    times, senders = times[keep], senders[keep]
    rate = len(times) / n / ((T1 - T0) * 1e-3)
    order = np.lexsort((times, senders))
    times, senders = times[order], senders[order]
    cvs = []
    for s in np.unique(senders):
        isi = np.diff(times[senders == s])
        if len(isi) >= 3 and isi.mean() > 0:
            cvs.append(isi.std(ddof=1) / isi.mean())
    nbins = int((T1 - T0) / BIN)
    b = np.minimum(((times - T0) / BIN).astype(int), nbins - 1)
    pop = np.bincount(b, minlength=nbins).astype(float)
    var_pop = np.var(pop / n)
    # Each cell's variance over the bins, from its counts per bin (silent cells add nothing).
    per_bin = np.unique(senders.astype(np.int64) * nbins + b, return_counts=True)[1].astype(float)
    per_cell = np.unique(senders, return_counts=True)[1].astype(float)
    var_single = (np.sum(per_bin**2) / nbins - np.sum(per_cell**2) / nbins**2) / n
    chi = min(np.sqrt(var_pop / var_single), 1.0) if var_single > 0 else 0.0
    nfine = int((T1 - T0) / FINE)
    rate_fine = np.bincount(np.minimum(((times - T0) / FINE).astype(int), nfine - 1), minlength=nfine).astype(float)
    x = (rate_fine - rate_fine.mean()) * 0.5 * (1 - np.cos(2 * np.pi * np.arange(nfine) / nfine))
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(nfine, FINE * 1e-3)
    band = (freqs >= 5) & (freqs <= 500)
    peak = freqs[band][np.argmax(power[band])]
    return rate, np.mean(cvs) if cvs else float("nan"), chi, peak


def run(g, eta, seed):
    nest.ResetKernel()
    nest.set_verbosity("M_WARNING")
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": 2, "rng_seed": seed})
    params = {"C_m": 250.0, "tau_m": TAU, "t_ref": 2.0, "E_L": 0.0, "V_reset": 10.0, "V_th": THETA}
    cells = nest.Create("iaf_psc_delta", NE + NI, params=params)
    cells.V_m = nest.random.uniform(0.0, THETA)
    e, i = cells[:NE], cells[NE:]
    nu_thr = THETA / (J * CE * TAU)
    drive = nest.Create("poisson_generator", params={"rate": eta * nu_thr * CE * 1000.0})
    nest.Connect(drive, cells, syn_spec={"weight": J, "delay": DELAY})
    for source, k, w in [(e, CE, J), (i, CI, -g * J)]:
        conn = {"rule": "fixed_indegree", "indegree": k, "allow_autapses": True, "allow_multapses": True}
        nest.Connect(source, cells, conn, {"weight": w, "delay": DELAY})
    rec = nest.Create("spike_recorder")
    nest.Connect(cells, rec)
    nest.Simulate(T1)
    ev = rec.events
    return measures(np.asarray(ev["times"]), np.asarray(ev["senders"]), NE + NI)


print("state,g,eta,seed,rate_hz,cv_isi,synchrony,peak_hz")
for name, g, eta in STATES:
    for seed in (1, 2, 3):
        rate, cv, chi, peak = run(g, eta, seed)
        print(f"{name},{g},{eta},{seed},{rate:.4f},{cv:.4f},{chi:.4f},{peak:.2f}")
        sys.stdout.flush()
