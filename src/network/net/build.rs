//! Building a network from its specification: populations, receptors, projections drawn each
//! from its own random stream, inputs.

use rayon::prelude::*;

use super::*;

impl Net {
    /// One neuron driven by `stimulus` (the neuron bench); its runner uses the run's seed as is.
    pub fn single(model: NeuronModel, stimulus: &Stimulus, dt_ms: f64, seed: u64) -> Self {
        let mut inputs = Inputs::new(1);
        inputs.writes_conductance = false;
        inputs.writes_charge = stimulus.injects_charge();
        let pop = Pop {
            population: Population::new(model, 1),
            source: None,
            offset: 0,
            spread: Vec::new(),
            receptors: Vec::new(),
            inputs,
            watched: None,
            watched_held: None,
        };
        let input = InputRun { pop: 0, first: 0, runner: Runner::new(stimulus, dt_ms, seed, 1) };
        Self {
            pops: vec![pop],
            projections: Vec::new(),
            links: vec![Links::default()],
            inputs: vec![input],
            tick: 0,
            last_dt_ms: dt_ms,
            runs: Vec::new(),
            team: Team::new(1),
            pending: Default::default(),
        }
    }

    /// Builds a validated network; every random draw comes from `seed`. A network larger than
    /// the memory free is refused before anything is drawn.
    pub fn build(spec: &NetworkSpec, dt_ms: f64, seed: u64) -> Result<Self, String> {
        spec.footprint(dt_ms).fits(free_memory(), spec.n_neurons())?;
        let mut rng = seeded(seed);
        let offsets = spec.offsets();
        let mut pops = Vec::with_capacity(spec.populations.len());
        for (p, ps) in spec.populations.iter().enumerate() {
            let n = ps.size as usize;
            let mut population = Population::new(ps.neuron, n);
            population.set_spiking(ps.reset, ps.adaptation);
            if !ps.spread.is_empty() {
                population.set_neuron_models(spread_models(ps.neuron, &ps.spread, n, &mut rng)?);
            }
            let names: Vec<&String> = ps.synapses.keys().collect();
            let mut receptors: Vec<Receptor> = ps
                .synapses
                .values()
                .map(|s| Receptor {
                    propagator: Propagator::new(s.kernel, dt_ms),
                    reversal_mv: s.reversal_mv,
                    states: KernelStates::new(n),
                    n,
                    ring: Vec::new(),
                    slots: 1,
                    now: 0,
                    one_step: false,
                    direct: false,
                })
                .collect();
            for (key, dist) in &ps.initial {
                if let Some(r) = names.iter().position(|name| *name == key) {
                    let kernel = ps.synapses[key].kernel;
                    for i in 0..n {
                        receptors[r].states.start_at(&kernel, i, dist.draw_signed(&mut rng));
                    }
                } else {
                    let var = ps.neuron.vars().iter().position(|v| v.key == key).expect("validated");
                    for i in 0..n {
                        population.set_var(var, i, dist.draw(&mut rng));
                    }
                }
            }
            let spread = ps.spread.iter().map(|s| s.param().to_string()).collect();
            let source = ps.source.clone().map(|train| Source {
                images: matches!(train, SpikeSource::Digits { .. })
                    .then(|| std::sync::Arc::new(crate::dataset::digits_split().train.images)),
                train,
                pool: PoissonPool::new(stream(seed, 2000 + p as u64)),
                played: Played::default(),
            });
            let mut inputs = Inputs::new(n);
            inputs.writes_conductance = receptors.iter().any(|r| r.reversal_mv.is_some());
            inputs.writes_charge = writes_charge(spec, p, &receptors);
            let (watched, watched_held) = (None, None);
            pops.push(Pop { population, source, offset: offsets[p], spread, receptors, inputs, watched, watched_held });
        }
        // Each projection draws from its own stream, so they are drawn side by side, the same.
        let projections: Vec<Proj> = (0..spec.projections.len())
            .into_par_iter()
            .map(|k| project(spec, k, dt_ms, seed))
            .collect::<Result<_, _>>()?;
        for proj in &projections {
            let r = &mut pops[proj.to].receptors[proj.receptor];
            r.slots = r.slots.max(proj.connections.max_delay() as usize + 1);
        }
        let links = (0..pops.len()).map(|p| Links::of(p, &projections)).collect();
        for (p, pop) in pops.iter_mut().enumerate() {
            let n = pop.population.len();
            for (k, r) in pop.receptors.iter_mut().enumerate() {
                r.ring = crate::memory::filled(r.slots * n, 0.0);
                let plastic = projections.iter().any(|j| (j.to, j.receptor) == (p, k) && j.plastic.is_some());
                r.one_step = matches!(r.propagator.kernel(), Kernel::Exponential { .. }) && r.slots <= 2 && !plastic;
            }
        }
        let inputs = (0..spec.inputs.len()).map(|k| input_run(spec, k, dt_ms, seed)).collect();
        Ok(Self {
            pops,
            projections,
            links,
            inputs,
            tick: 0,
            last_dt_ms: dt_ms,
            runs: Vec::new(),
            team: Team::new(1),
            pending: Default::default(),
        })
    }
}

/// Whether delta charges reach population `p` of `spec` (its receptors `receptors`): from a
/// delta current synapse or an input that injects charge.
pub(super) fn writes_charge(spec: &NetworkSpec, p: usize, receptors: &[Receptor]) -> bool {
    receptors.iter().any(|r| r.reversal_mv.is_none() && r.propagator.kernel() == Kernel::Delta)
        || spec.inputs.iter().any(|i| i.population == spec.populations[p].name && i.stimulus.injects_charge())
}

/// Projection `k` of `spec`, its connections drawn from its own stream of `seed` (so that it can
/// be drawn again alone, the same).
pub(super) fn project(spec: &NetworkSpec, k: usize, dt_ms: f64, seed: u64) -> Result<Proj, String> {
    let proj = &spec.projections[k];
    let (from, to) = (spec.population(&proj.from).expect("validated"), spec.population(&proj.to).expect("validated"));
    let receptor = spec.populations[to].synapses.keys().position(|s| *s == proj.synapse).expect("validated");
    let (n_pre, n_post) = (spec.populations[from].size as usize, spec.populations[to].size as usize);
    let mut own = stream(seed, 1000 + k as u64);
    let connections = connect(proj, n_pre, n_post, from == to, dt_ms, &mut own)
        .map_err(|m| format!("field `network.projections.{k}`: {m}"))?;
    let plastic = proj.plasticity.map(|rule| {
        let mut plastic = Plastic::new(rule, &connections, n_post);
        if let Some(device) = &proj.device {
            plastic.attach(device, stream(seed, 3000 + k as u64).random());
        }
        if let Some(n) = proj.normalise {
            plastic.normalise = Some((n.total, ((n.every_ms / dt_ms).round() as u64).max(1)));
            plastic.normalise_to(n.total, 0.0);
        }
        plastic
    });
    Ok(Proj { from, to, receptor, connections, plastic, splits: Splits::default() })
}

/// Input `k` of `spec`. Each input draws from its own stream; its neurons draw independently
/// within it.
pub(super) fn input_run(spec: &NetworkSpec, k: usize, dt_ms: f64, seed: u64) -> InputRun {
    let input = &spec.inputs[k];
    let pop = spec.population(&input.population).expect("validated");
    let (first, end) = input.neurons.unwrap_or((0, spec.populations[pop].size));
    let own = stream(seed, (k as u64 + 1) << 32).random::<u64>();
    InputRun { pop, first: first as usize, runner: Runner::new(&input.stimulus, dt_ms, own, (end - first) as usize) }
}

/// Per-neuron parameters: the base model with each spread applied.
fn spread_models(base: NeuronModel, spread: &[Spread], n: usize, rng: &mut Rng) -> Result<Vec<NeuronModel>, String> {
    let mut models = vec![base; n];
    for (i, model) in models.iter_mut().enumerate() {
        let r: f64 = rng.random();
        for s in spread {
            let value = match s {
                Spread::Shared { param, scale, power } => base.get(param).expect("validated") + scale * r.powf(*power),
                Spread::Uniform { low, high, .. } => Dist::Uniform { low: *low, high: *high }.draw(rng),
                Spread::Normal { param, sd } => {
                    Dist::Normal { mean: base.get(param).expect("validated"), sd: *sd }.draw(rng)
                }
                Spread::Ramp { low, high, .. } => low + (high - low) * i as f64 / n as f64,
                Spread::Values { values, .. } => values[i],
            };
            model.set(s.param(), value);
        }
        model.validate().map_err(|m| format!("a neuron's spread parameters are out of range: {m}"))?;
    }
    Ok(models)
}

/// The memory the system has free for a new allocation (Linux's `MemAvailable`); `None` where
/// it cannot be read.
fn free_memory() -> Option<f64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}
