//! Spike-train statistics and the analytic LIF references (SCIENCE.md section 4).

use crate::neuron::Lif;

/// Inter-spike intervals of sorted spike times.
pub fn isis(times_ms: &[f64]) -> Vec<f64> {
    times_ms.windows(2).map(|w| w[1] - w[0]).collect()
}

/// Steady firing rate in Hz: 1000 / mean ISI after the first spike (0 with fewer than 2 spikes).
pub fn steady_rate_hz(times_ms: &[f64]) -> f64 {
    if times_ms.len() < 2 {
        return 0.0;
    }
    let span = times_ms[times_ms.len() - 1] - times_ms[0];
    1000.0 * (times_ms.len() - 1) as f64 / span
}

/// Analytic LIF rate in Hz for a constant current `i_pa` (with refractory period).
pub fn lif_rate_hz(p: &Lif, i_pa: f64) -> f64 {
    let i_pa = i_pa + p.i_e_pa;
    if p.g_l_ns == 0.0 {
        // The perfect integrator: C (V_th - V_reset) of charge per spike.
        return if i_pa > 0.0 { 1000.0 / (p.t_ref_ms + p.c_pf * (p.v_th_mv - p.v_reset_mv) / i_pa) } else { 0.0 };
    }
    let drive = i_pa / p.g_l_ns; // R I, mV
    if drive + p.e_l_mv <= p.v_th_mv {
        return 0.0;
    }
    let period_ms =
        p.t_ref_ms + p.tau_m_ms() * ((drive + p.e_l_mv - p.v_reset_mv) / (drive + p.e_l_mv - p.v_th_mv)).ln();
    1000.0 / period_ms
}

/// Analytic first-spike latency in ms from `V(0) = E_L` (`None` below rheobase).
pub fn lif_latency_ms(p: &Lif, i_pa: f64) -> Option<f64> {
    let i_pa = i_pa + p.i_e_pa;
    if p.g_l_ns == 0.0 {
        return (i_pa > 0.0).then(|| p.c_pf * (p.v_th_mv - p.e_l_mv) / i_pa);
    }
    let drive = i_pa / p.g_l_ns;
    (drive > p.v_th_mv - p.e_l_mv).then(|| p.tau_m_ms() * (drive / (drive - (p.v_th_mv - p.e_l_mv))).ln())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_from_regular_train() {
        let times: Vec<f64> = (0..11).map(|k| 5.0 + 10.0 * k as f64).collect();
        assert_eq!(isis(&times), vec![10.0; 10]);
        assert!((steady_rate_hz(&times) - 100.0).abs() < 1e-9);
        assert_eq!(steady_rate_hz(&[3.0]), 0.0);
    }

    #[test]
    fn lif_formula_limits() {
        let p = Lif::default();
        let rheobase = p.g_l_ns * (p.v_th_mv - p.e_l_mv);
        assert_eq!(lif_rate_hz(&p, rheobase), 0.0);
        assert!(lif_rate_hz(&p, 1e9) > 0.99 * 1000.0 / p.t_ref_ms);
        assert!(lif_latency_ms(&p, rheobase * 0.9).is_none());
    }
}
