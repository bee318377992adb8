"""Hodgkin-Huxley thresholds from NEURON, for the lesson keys' test (tests/suite/lessons.rs).

The squid axon at 6.3 C as spikelab's `hodgkin-huxley/rest` preset (NEURON's hh.mod with
el_hh = -54.387 mV), a patch of 1e-4 cm^2 so that 0.1 nA is 1 uA/cm^2, started at rest
(-64.996 mV), a DC step from t = 0 for 200 ms, spikes as upward crossings of 0 mV, dt = 1 us.
Bisection to 1e-4 uA/cm^2 of the smallest step that fires 1 spike (single-spike threshold)
and 5 spikes (repetitive firing).

    python3 -m venv venv && venv/bin/pip install neuron==9.0.2 numpy
    venv/bin/python tests/reference/hh_thresholds.py > tests/reference/hh_thresholds.csv
"""
import math

from neuron import h

h.load_file("stdrun.hoc")
soma = h.Section(name="soma")
soma.L = soma.diam = 100.0 / math.sqrt(math.pi)  # area 1e4 um^2 = 1e-4 cm^2
soma.cm = 1.0
soma.insert("hh")
soma.el_hh = -54.387
h.celsius = 6.3
h.dt = 0.001
stim = h.IClamp(soma(0.5))
stim.delay, stim.dur = 0.0, 1e9
counter = h.APCount(soma(0.5))
counter.thresh = 0.0


def spikes(density):
    stim.amp = 0.1 * density  # nA
    h.finitialize(-64.996)
    h.continuerun(200.0)
    return counter.n


def threshold(min_spikes, lo=0.0, hi=20.0):
    while hi - lo > 1e-4:
        mid = 0.5 * (lo + hi)
        if spikes(mid) >= min_spikes:
            hi = mid
        else:
            lo = mid
    return hi


print("measure,uA_per_cm2")
print(f"single_spike,{threshold(1):.4f}")
print(f"repetitive_5_in_200ms,{threshold(5):.4f}")
