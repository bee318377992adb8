//! The network workloads of shared/bench/SPEC.md produce the rates the specification expects
//! (its peers' figures) and their exact synapse counts; timings are never asserted here.

use spikelab::bench::workload;

fn rate(id: &str, bio_s: f64, seed: u64) -> (f64, usize) {
    let out = workload(id, bio_s, seed, 1).expect("runs");
    (out.spikes as f64 / (out.n_neurons as f64 * bio_s), out.n_synapses)
}

#[test]
fn cuba_fires_at_the_benchmark_rate() {
    // Expected 5.1-5.7 Hz (Brian2 5.66, NEST 5.12); p = 0.02 of 4000^2 pairs = 320,000 +- 560.
    let (hz, synapses) = rate("cuba", 1.0, 12345);
    assert!((5.0..5.8).contains(&hz), "{hz} Hz");
    assert!((318_000..322_000).contains(&synapses), "{synapses}");
}

#[test]
fn coba_fires_at_the_benchmark_rate() {
    // Expected 17-22 Hz over 10 s (Brian2 21.0, NEST 17.7); over 1 s the realisations of the
    // network spread a little wider.
    let rates: Vec<f64> = [1, 2, 12345].iter().map(|&s| rate("coba", 1.0, s).0).collect();
    let mean = rates.iter().sum::<f64>() / 3.0;
    assert!((15.5..22.5).contains(&mean), "{rates:?}");
}

#[test]
fn izhikevich_network_fires_at_the_published_rate() {
    // net.m, 1000 neurons all-to-all: 7.5-7.9 Hz.
    let (hz, synapses) = rate("izhnet_n1000", 1.0, 12345);
    assert!((7.2..8.2).contains(&hz), "{hz} Hz");
    assert_eq!(synapses, 1_000_000);
}

#[test]
fn brunel_sparse_network_is_asynchronous_irregular_at_37_hz() {
    // Brian2 37.2 Hz, NEST 37.4 Hz over the first 0.2 s; exactly 1250 inputs per neuron.
    let (hz, synapses) = rate("brunel", 0.2, 12345);
    assert!((35.0..39.5).contains(&hz), "{hz} Hz");
    assert_eq!(synapses, 12_500 * 1250);
}

#[test]
fn traub_miles_neurons_fire_at_the_reference_rate() {
    // Mean over 1000 uncoupled cells with currents 0 .. 0.7 nA: about 56-57 Hz.
    let (hz, _) = rate("hh", 0.2, 1);
    assert!((54.0..59.0).contains(&hz), "{hz} Hz");
}

#[test]
fn stdp_single_learns_as_brian2s_example_does() {
    // Brian2's run of its STDP example over 100 s (tests/reference/song_abbott_brian2.csv):
    // output 28-32 Hz, mean w/g_max 0.434-0.438, 41-43 % of the weights above g_max / 2.
    let out = workload("stdp_single", 100.0, 7, 1).unwrap();
    let mean = out.extra["mean_w_over_wmax"].as_f64().unwrap();
    let above = out.extra["frac_w_above_half"].as_f64().unwrap();
    let hz = out.spikes as f64 / 100.0;
    assert!((0.41..0.46).contains(&mean) && (0.39..0.45).contains(&above), "mean {mean}, above half {above}");
    assert!((24.0..36.0).contains(&hz), "{hz} Hz");
    let inputs = out.extra["input_spikes"].as_u64().unwrap() as f64;
    assert!((inputs / 1.5e6 - 1.0).abs() < 0.01, "1000 inputs at 15 Hz for 100 s: {inputs}");
    let net = workload("stdp_net", 0.5, 7, 1).unwrap();
    assert_eq!((net.n_neurons, net.n_synapses), (10_000, 1_000_000));
}
