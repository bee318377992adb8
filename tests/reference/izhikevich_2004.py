#!/usr/bin/env python3
"""Independent reference for the 20 Izhikevich (2004) presets: a line-by-line port of the
figure script (figure1.m, as transcribed in SCIENCE.md 1a) in plain Python, no dependencies.

For each row: tspan = 0:tau:T (as k*tau), V = V0, u = b*V0 (row R: u = -16); per t:
I = I(t); V += tau*(0.04V^2 + 5V + 140 - u + I) (rows G, L: 4.1V + 108); u += tau*a*(b*V - u)
with the new V (row R: u += tau*a*b*(V + 65)); if V > 30: spike at t, V = c, u += d.
Writes izhikevich_2004.csv: row, feature, tau, number of steps, and the spike step indices k.

Regenerate:  python3 tests/reference/izhikevich_2004.py > tests/reference/izhikevich_2004.csv
"""

T1 = 100 / 11

# row: (feature, a, b, c, d, V0, tau, T, I(t), variant)
ROWS = {
    "A": ("tonic_spiking", 0.02, 0.2, -65, 6, -70, 0.25, 100, lambda t: 14 if t > 10 else 0, ""),
    "B": ("phasic_spiking", 0.02, 0.25, -65, 6, -64, 0.25, 200, lambda t: 0.5 if t > 20 else 0, ""),
    "C": ("tonic_bursting", 0.02, 0.2, -50, 2, -70, 0.25, 220, lambda t: 15 if t > 22 else 0, ""),
    "D": ("phasic_bursting", 0.02, 0.25, -55, 0.05, -64, 0.2, 200, lambda t: 0.6 if t > 20 else 0, ""),
    "E": ("mixed_mode", 0.02, 0.2, -55, 4, -70, 0.25, 160, lambda t: 10 if t > 16 else 0, ""),
    "F": ("spike_frequency_adaptation", 0.01, 0.2, -65, 8, -70, 0.25, 85, lambda t: 30 if t > 8.5 else 0, ""),
    "G": ("class_1_excitable", 0.02, -0.1, -55, 6, -60, 0.25, 300,
          lambda t: 0.075 * (t - 30) if t > 30 else 0, "class1"),
    "H": ("class_2_excitable", 0.2, 0.26, -65, 0, -64, 0.25, 300,
          lambda t: -0.5 + 0.015 * (t - 30) if t > 30 else -0.5, ""),
    "I": ("spike_latency", 0.02, 0.2, -65, 6, -70, 0.2, 100, lambda t: 7.04 if 10 < t < 13 else 0, ""),
    "J": ("subthreshold_oscillations", 0.05, 0.26, -60, 0, -62, 0.25, 200,
          lambda t: 2 if 20 < t < 25 else 0, ""),
    "K": ("resonator", 0.1, 0.26, -60, -1, -62, 0.25, 400,
          lambda t: 0.65 if (40 < t < 44) or (60 < t < 64) or (280 < t < 284) or (320 < t < 324) else 0, ""),
    "L": ("integrator", 0.02, -0.1, -55, 6, -60, 0.25, 100,
          lambda t: 9 if (T1 < t < T1 + 2) or (T1 + 5 < t < T1 + 7) or (70 < t < 72) or (80 < t < 82) else 0,
          "class1"),
    "M": ("rebound_spike", 0.03, 0.25, -60, 4, -64, 0.2, 200, lambda t: -15 if 20 < t < 25 else 0, ""),
    "N": ("rebound_burst", 0.03, 0.25, -52, 0, -64, 0.2, 200, lambda t: -15 if 20 < t < 25 else 0, ""),
    "O": ("threshold_variability", 0.03, 0.25, -60, 4, -64, 0.25, 100,
          lambda t: 1 if (10 < t < 15) or (80 < t < 85) else (-6 if 70 < t < 75 else 0), ""),
    "P": ("bistability", 0.1, 0.26, -60, 0, -61, 0.25, 300,
          lambda t: 1.24 if (37.5 < t < 42.5) or (216 < t < 221) else 0.24, ""),
    "Q": ("depolarizing_after_potential", 1, 0.2, -60, -21, -70, 0.1, 50,
          lambda t: 20 if abs(t - 10) < 1 else 0, ""),
    "R": ("accommodation", 0.02, 1, -55, 4, -65, 0.5, 400,
          lambda t: t / 25 if t < 200 else (0 if t < 300 else ((t - 300) / 12.5 * 4 if t < 312.5 else 0)),
          "accommodation"),
    "S": ("inhibition_induced_spiking", -0.02, -1, -60, 8, -63.8, 0.5, 350,
          lambda t: 80 if (t < 50 or t > 250) else 75, ""),
    "T": ("inhibition_induced_bursting", -0.026, -1, -45, -2, -63.8, 0.5, 350,
          lambda t: 80 if (t < 50 or t > 250) else 75, ""),
}


def run(a, b, c, d, v0, tau, T, current, variant):
    v = v0
    u = -16 if variant == "accommodation" else b * v0
    spikes = []
    for k in range(round(T / tau) + 1):
        t = k * tau
        i = current(t)
        if variant == "class1":
            v = v + tau * (0.04 * v * v + 4.1 * v + 108 - u + i)
        else:
            v = v + tau * (0.04 * v * v + 5 * v + 140 - u + i)
        if variant == "accommodation":
            u = u + tau * a * b * (v + 65)
        else:
            u = u + tau * a * (b * v - u)
        if v > 30:
            spikes.append(k)
            v = c
            u = u + d
    return spikes


if __name__ == "__main__":
    print("row,feature,tau_ms,steps,spike_steps")
    for row, (feature, a, b, c, d, v0, tau, T, current, variant) in ROWS.items():
        spikes = run(a, b, c, d, v0, tau, T, current, variant)
        print(f"{row},{feature},{tau},{round(T / tau) + 1},{';'.join(map(str, spikes))}")
