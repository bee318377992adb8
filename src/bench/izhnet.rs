//! `izhnet_n1000` and `izhnet_n10000`: the Izhikevich (2003) network in `net.m`'s exact order
//! (SPEC.md 2): per 1 ms step, thalamic input sigma N(0,1); fired = v >= 30; their weights added
//! to I in the same step; reset; v in two 0.5 ms half steps; u from the new v.

use rand::RngExt;

use super::{Outcome, Timer};
use crate::network::csr::Csr;
use crate::random::{normal_pair, seeded};

pub fn run(n: usize, bio_s: f64, seed: u64) -> Outcome {
    let build = std::time::Instant::now();
    let n_e = n * 4 / 5;
    let mut rng = seeded(seed);
    let p = if n <= 1000 { 1.0 } else { 0.1 };
    let csr = Csr::fixed_probability(n, n, p, &mut rng);
    // One f64 weight per synapse: E rows U(0, 0.5), I rows U(-1, 0).
    let mut weights = Vec::with_capacity(csr.n_synapses());
    for pre in 0..n {
        let (lo, span) = if pre < n_e { (0.0, 0.5) } else { (-1.0, 1.0) };
        weights.extend(csr.row(pre).iter().map(|_| lo + span * rng.random::<f64>()));
    }
    let (mut a, mut b, mut c, mut d) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        let r: f64 = rng.random();
        (a[i], b[i], c[i], d[i]) = if i < n_e {
            (0.02, 0.2, -65.0 + 15.0 * r * r, 8.0 - 6.0 * r * r)
        } else {
            (0.02 + 0.08 * r, 0.25 - 0.05 * r, -65.0, 2.0)
        };
    }
    let mut v = vec![-65.0; n];
    let mut u: Vec<f64> = (0..n).map(|i| b[i] * -65.0).collect();
    let mut input = vec![0.0; n];
    let mut fired: Vec<u32> = Vec::with_capacity(n);
    let build_s = build.elapsed().as_secs_f64();

    let steps = (bio_s * 1000.0).round() as usize;
    let mut spikes = 0u64;
    let timer = Timer::start();
    for _ in 0..steps {
        // Thalamic input, sigma N(0, 1): both outputs of each Box-Muller draw are used.
        for (k, pair) in input.chunks_mut(2).enumerate() {
            let (z0, z1) = normal_pair(&mut rng);
            for (j, (current, z)) in pair.iter_mut().zip([z0, z1]).enumerate() {
                *current = if 2 * k + j < n_e { 5.0 } else { 2.0 } * z;
            }
        }
        fired.extend((0..n as u32).filter(|&i| v[i as usize] >= 30.0));
        for &pre in &fired {
            let pre = pre as usize;
            let (start, end) = (csr.offsets[pre] as usize, csr.offsets[pre + 1] as usize);
            for (&t, &w) in csr.targets[start..end].iter().zip(&weights[start..end]) {
                input[t as usize] += w;
            }
            v[pre] = c[pre];
            u[pre] += d[pre];
        }
        for i in 0..n {
            let (mut vi, ui, ii) = (v[i], u[i], input[i]);
            vi += 0.5 * (0.04 * vi * vi + 5.0 * vi + 140.0 - ui + ii);
            vi += 0.5 * (0.04 * vi * vi + 5.0 * vi + 140.0 - ui + ii);
            v[i] = vi;
            u[i] = ui + a[i] * (b[i] * vi - ui);
        }
        spikes += fired.len() as u64;
        fired.clear();
    }
    let (wall_s, cpu_s) = timer.stop();
    Outcome { n_neurons: n, n_synapses: csr.n_synapses(), build_s, wall_s, cpu_s, spikes, extra: serde_json::json!({}) }
}
