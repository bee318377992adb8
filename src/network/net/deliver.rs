//! Spike delivery: each spike of a step adds its static rows into the delay rings, in the slot
//! its delay reaches.
//!
//! On a team of threads every member takes an equal share of every ring's targets and adds,
//! from every spike's rows, the synapses onto its own targets. Rows are sorted by target, so a
//! member's part of a row is one stretch of it, found once per row (`Splits`). Each target still
//! takes its additions in spike order, then row order: the sums are the same to the last bit
//! for any number of threads.

use std::marker::PhantomData;
use std::ops::Range;

use super::{Links, Net, Proj, Receptor, Run, slot_after};
use crate::network::Spike;
use crate::network::connect::Connections;
use crate::team::{SHARE_ALIGN, share};

/// Synapses a step must add before delivery is shared out: below this the members' work (about
/// a nanosecond an addition) is not worth handing over (well under a microsecond).
const PARALLEL_SYNAPSES: f64 = 8_000.0;

/// Where each member's part of each row of a projection starts, for a team of `size`:
/// `at[pre * (size + 1) + k]` is the first synapse of source `pre` onto member `k`'s share of the
/// targets (`k = size`: the row's end).
#[derive(Debug, Clone, Default)]
pub(super) struct Splits {
    size: usize,
    at: Vec<u32>,
}

impl Splits {
    /// For rows `c` onto `n_post` targets and a team of `size`; rows are sorted by target.
    fn new(c: &Connections, n_post: usize, size: usize) -> Self {
        let mut at = Vec::with_capacity(c.csr.n_pre() * (size + 1));
        for pre in 0..c.csr.n_pre() {
            let range = c.csr.row_range(pre);
            let row = &c.csr.targets()[range.clone()];
            at.extend((0..size).map(|k| {
                let first = share(n_post, k, size, SHARE_ALIGN).start as u32;
                (range.start + row.partition_point(|&t| t < first)) as u32
            }));
            at.push(range.end as u32);
        }
        Self { size, at }
    }

    /// Member `k`'s part of source `pre`'s row (synapse indices).
    #[inline(always)]
    fn part(&self, pre: usize, k: usize) -> Range<usize> {
        let at = &self.at[pre * (self.size + 1) + k..][..2];
        at[0] as usize..at[1] as usize
    }
}

impl Net {
    /// Adds the static rows of the step's `runs` of `spikes` into the delay rings, shared out
    /// over the team by target when the step has enough of them.
    pub(super) fn deliver(&mut self, runs: &[Run], spikes: &[Spike]) {
        let size = self.team.size();
        let shared = size > 1 && self.synapses_to_add(runs) >= PARALLEL_SYNAPSES;
        if shared {
            self.split_rows(size);
        }
        let rings: Vec<Vec<SharedRing>> =
            self.pops.iter_mut().map(|pop| pop.receptors.iter_mut().map(SharedRing::of).collect()).collect();
        let (projections, links) = (&self.projections, &self.links);
        match shared {
            true => self.team.run(|k| deliver_runs(projections, links, runs, spikes, &rings, Some((k, size)))),
            false => deliver_runs(projections, links, runs, spikes, &rings, None),
        }
    }

    /// Prepares every static projection's rows to be delivered by a team of `size`.
    pub(super) fn split_rows(&mut self, size: usize) {
        for proj in self.projections.iter_mut().filter(|p| p.plastic.is_none()) {
            if proj.splits.size != size {
                proj.splits = Splits::new(&proj.connections, self.pops[proj.to].population.len(), size);
            }
        }
    }

    /// About how many synapses the static rows of `runs` add (each run's spikes times the mean
    /// row length).
    fn synapses_to_add(&self, runs: &[Run]) -> f64 {
        let rows = runs.iter().flat_map(|run| self.links[run.pop].fixed_out.iter().map(move |&k| (run, k)));
        rows.map(|(run, k)| {
            let c = &self.projections[k].connections;
            run.spikes.len() as f64 * c.n_synapses() as f64 / c.csr.n_pre().max(1) as f64
        })
        .sum()
    }
}

/// A delay ring that the team's members add into at once, each only onto its own share of the
/// targets; or, where spikes arrive straight in a synapse type's traces, those traces.
pub(super) struct SharedRing<'a> {
    base: *mut f32,
    n: usize,
    slots: usize,
    now: usize,
    /// The first trace of every target when spikes arrive in it ([`super::Pop::arrive_direct`]),
    /// else null.
    traces: *mut f64,
    _ring: PhantomData<&'a mut [f32]>,
}

// SAFETY: members form parts of it with disjoint target shares (`SharedRing::part`), and the
// ring is borrowed exclusively while they do.
unsafe impl Sync for SharedRing<'_> {}

impl<'a> SharedRing<'a> {
    pub(super) fn of(r: &'a mut Receptor) -> Self {
        let traces = if r.direct { r.states.first_trace().as_mut_ptr() } else { std::ptr::null_mut() };
        Self { traces, ..Self::new(&mut r.ring, r.n, r.now) }
    }

    /// `ring`, slots of `n` targets, as of the step whose slot is `now`.
    pub(super) fn new(ring: &'a mut [f32], n: usize, now: usize) -> Self {
        let slots = ring.len().checked_div(n).unwrap_or(0);
        Self { base: ring.as_mut_ptr(), n, slots, now, traces: std::ptr::null_mut(), _ring: PhantomData }
    }

    /// The part of `member` `(k, size)` (its share of the targets in every slot), or the whole
    /// ring for `None`.
    ///
    /// # Safety
    /// No other part of this ring that shares targets with it may be alive at the same time:
    /// one part at a time per member, and members of one team.
    pub(super) unsafe fn part(&self, member: Option<(usize, usize)>) -> RingPart<'_> {
        let own = member.map_or(0..self.n, |(k, size)| share(self.n, k, size, SHARE_ALIGN));
        let (base, n, slots, now, traces) = (self.base, self.n, self.slots, self.now, self.traces);
        RingPart { base, n, slots, now, traces, own, _ring: PhantomData }
    }
}

/// The part of a delay ring one delivery adds into: the targets `own` of each slot (or of the
/// traces spikes arrive in).
pub(super) struct RingPart<'a> {
    base: *mut f32,
    n: usize,
    slots: usize,
    now: usize,
    traces: *mut f64,
    own: Range<usize>,
    _ring: PhantomData<&'a mut [f32]>,
}

impl RingPart<'_> {
    /// The own targets of the slot `delay` steps ahead: index `t - own.start` for target `t`.
    #[inline(always)]
    pub(super) fn slot(&mut self, delay: u16) -> &mut [f32] {
        let at = slot_after(self.now, delay, self.slots) * self.n + self.own.start;
        // SAFETY: `at + own.len() <= slots * n`, the ring's length; no other part has these
        // targets, and the part borrows the ring for its life.
        unsafe { std::slice::from_raw_parts_mut(self.base.add(at), self.own.len()) }
    }

    /// What a spike `delay` steps ahead adds into: the own targets of its slot, or of the
    /// traces where spikes arrive straight in them (every delay is then one step).
    #[inline(always)]
    fn target(&mut self, delay: u16) -> Target<'_> {
        if self.traces.is_null() {
            return Target::Slot(self.slot(delay));
        }
        debug_assert_eq!(delay, 1, "spikes arrive straight in the traces only after one step");
        // SAFETY: the traces are `n` long and `own` lies within them; no other part has these
        // targets, and the part borrows the receptor for its life.
        Target::Traces(unsafe { std::slice::from_raw_parts_mut(self.traces.add(self.own.start), self.own.len()) })
    }
}

/// Where a delivery adds weights: a ring slot (`f32`) or the traces themselves (`f64`).
enum Target<'a> {
    Slot(&'a mut [f32]),
    Traces(&'a mut [f64]),
}

/// Runs `$body` with `$at` the target's slice, of either type.
macro_rules! into_target {
    ($target:expr, |$at:ident| $body:expr) => {
        match $target {
            Target::Slot($at) => $body,
            Target::Traces($at) => $body,
        }
    };
}

/// A sum a weight is added into: a ring slot's `f32` or a trace's `f64` (where a weight of its
/// own, stored in `f32`, is exact).
trait Sum: Copy + std::ops::AddAssign {
    fn of_f32(w: f32) -> Self;
    fn of_f64(w: f64) -> Self;
}

impl Sum for f32 {
    #[inline(always)]
    fn of_f32(w: f32) -> Self {
        w
    }
    #[inline(always)]
    fn of_f64(w: f64) -> Self {
        w as f32
    }
}

impl Sum for f64 {
    #[inline(always)]
    fn of_f32(w: f32) -> Self {
        w as f64
    }
    #[inline(always)]
    fn of_f64(w: f64) -> Self {
        w
    }
}

/// Adds the static rows of `runs` into `rings` (`[population][synapse type]`): onto the share
/// of `member` `(k, size)` of the team, or onto every target for `None`. Each target takes its
/// additions in spike order.
pub(super) fn deliver_runs(
    projections: &[Proj],
    links: &[Links],
    runs: &[Run],
    spikes: &[Spike],
    rings: &[Vec<SharedRing>],
    member: Option<(usize, usize)>,
) {
    // SAFETY: one part at a time, each dropped before the next is formed; other members'
    // parts are their own shares.
    let ring = |proj: &Proj| unsafe { rings[proj.to][proj.receptor].part(member) };
    let k = member.map(|m| m.0);
    for run in runs {
        let links = &links[run.pop];
        let rows = spikes[run.spikes.clone()].iter().map(|s| (s.neuron - run.first) as usize);
        if links.apart {
            for &p in &links.fixed_out {
                let proj = &projections[p];
                deliver_run(proj, k, rows.clone(), &mut ring(proj));
            }
        } else {
            for i in rows {
                for &p in &links.fixed_out {
                    let proj = &projections[p];
                    deliver(&proj.connections, part(proj, k, i), &mut ring(proj));
                }
            }
        }
    }
}

/// The synapses of source `pre`'s row onto `member`'s share (all of them for `None`).
#[inline(always)]
fn part(proj: &Proj, member: Option<usize>, pre: usize) -> Range<usize> {
    match member {
        Some(k) => proj.splits.part(pre, k),
        None => proj.connections.csr.row_range(pre),
    }
}

/// Checks that every target of `targets`, a stretch of a row, is in `first..first + len`. A
/// `Csr` keeps its rows sorted, so the stretch's two ends decide it: after this, each target's
/// slot may be indexed unchecked.
#[inline(always)]
fn assert_in_ring(targets: &[u32], first: u32, len: usize) {
    if let (Some(&lo), Some(&hi)) = (targets.first(), targets.last()) {
        assert!(lo >= first && ((hi - first) as usize) < len, "a row's targets lie in its ring");
    }
}

/// The weights of a row's synapses: one for all, or each its own (as many as the targets).
#[derive(Clone, Copy)]
enum Weights<'a> {
    Same(f64),
    Each(&'a [f32]),
}

/// Adds each of `targets`' weights into its slot of `ring` (targets counted from `first`).
/// `targets` is a stretch of a row, so sorted: its ends are checked once, not each target (the
/// check and its branch were half of the loop), and the loop goes four at a time.
#[inline(always)]
fn add_row<S: Sum>(ring: &mut [S], targets: &[u32], weights: Weights, first: u32) {
    assert_in_ring(targets, first, ring.len());
    // Offset so that target `t` is `at + t`: one addressing mode, no subtraction a synapse.
    let at = ring.as_mut_ptr().wrapping_sub(first as usize);
    // SAFETY: every `t` of the row is in `first..first + ring.len()` (checked just above), so
    // `at + t` is within `ring`.
    let add = |t: u32, w: S| unsafe { *at.wrapping_add(t as usize) += w };
    let (quads, rest) = targets.as_chunks::<4>();
    match weights {
        Weights::Same(w) => {
            let w = S::of_f64(w);
            for quad in quads {
                quad.iter().for_each(|&t| add(t, w));
            }
            rest.iter().for_each(|&t| add(t, w));
        }
        Weights::Each(weights) => {
            // As long as the targets, so in quads and a rest of the same lengths.
            let (weight_quads, weight_rest) = weights[..targets.len()].as_chunks::<4>();
            for (quad, weights) in quads.iter().zip(weight_quads) {
                quad.iter().zip(weights).for_each(|(&t, &w)| add(t, S::of_f32(w)));
            }
            rest.iter().zip(weight_rest).for_each(|(&t, &w)| add(t, S::of_f32(w)));
        }
    }
}

/// Adds the rows of the sources `pres` (in order) into the ring slots their delays reach.
#[inline(always)]
fn deliver_run(proj: &Proj, member: Option<usize>, pres: impl Iterator<Item = usize> + Clone, ring: &mut RingPart) {
    let c = &proj.connections;
    match (&c.weights, &c.delays) {
        (Some(w), None) if c.dense => {
            let (n, own, offsets) = (ring.n, ring.own.clone(), c.csr.offsets());
            let rows = pres.map(|pre| &w[offsets[pre] as usize..][..n][own.clone()]);
            into_target!(ring.target(c.delay), |at| add_dense_rows(at, rows));
        }
        _ => {
            // The rows lie anywhere in a table that may be far larger than the caches: ask for
            // the start of every row of the run first, so their misses overlap, and for the
            // whole of the row after next while one is added (measured: 10-20 % faster than
            // leaving the rest of each row to the hardware's stream prefetcher).
            for pre in pres.clone() {
                prefetch(c, part(proj, member, pre), 1);
            }
            let mut next = pres.clone().skip(2);
            for pre in pres {
                if let Some(ahead) = next.next() {
                    prefetch(c, part(proj, member, ahead), usize::MAX);
                }
                deliver(c, part(proj, member, pre), ring);
            }
        }
    }
}

/// Asks the memory system for the first `lines` cache lines of the synapses `part` (their
/// targets and weights): a hint, with no effect on the result.
#[inline(always)]
fn prefetch(c: &Connections, part: Range<usize>, lines: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        let ask = |p: *const i8| {
            // SAFETY: a prefetch only hints; `p` is within the row's array (checked by the
            // slicing that made it).
            unsafe { _mm_prefetch::<_MM_HINT_T1>(p) }
        };
        // 16 targets or weights of 4 bytes to a line.
        for at in c.csr.targets()[part.clone()].iter().step_by(16).take(lines) {
            ask((at as *const u32).cast());
        }
        let weights = c.weights.as_ref().map_or(&[][..], |w| &w[part]);
        for at in weights.iter().step_by(16).take(lines) {
            ask((at as *const f32).cast());
        }
    }
}

/// Adds `rows` (each a weight for every target, in order) onto `ring`, a block of targets at a
/// time held in registers over all the rows: each target still sums its rows in order.
#[inline(always)]
fn add_dense_rows<'w, S: Sum>(ring: &mut [S], rows: impl Iterator<Item = &'w [f32]> + Clone) {
    let from = add_blocks::<_, 16>(ring, rows.clone(), 0);
    let from = add_blocks::<_, 8>(ring, rows.clone(), from);
    let from = add_blocks::<_, 4>(ring, rows.clone(), from);
    add_blocks::<_, 1>(ring, rows, from);
}

/// [`add_dense_rows`] from target `from` on, in blocks of `B` while whole blocks fit; returns
/// where it stopped.
#[inline(always)]
fn add_blocks<'w, S: Sum, const B: usize>(
    ring: &mut [S],
    rows: impl Iterator<Item = &'w [f32]> + Clone,
    from: usize,
) -> usize {
    let end = from + (ring.len() - from) / B * B;
    for b in (from..end).step_by(B) {
        let at: &mut [S; B] = (&mut ring[b..b + B]).try_into().expect("a block");
        let mut sum = *at;
        for row in rows.clone() {
            let row: &[f32; B] = row[b..b + B].try_into().expect("a block");
            for (s, &w) in sum.iter_mut().zip(row) {
                *s += S::of_f32(w);
            }
        }
        *at = sum;
    }
    end
}

/// Adds `w` into `at[i]`.
///
/// # Safety
/// `i < at.len()`.
#[inline(always)]
unsafe fn add_at<S: Sum>(at: &mut [S], i: usize, w: f64) {
    // SAFETY: the caller's promise.
    unsafe { *at.get_unchecked_mut(i) += S::of_f64(w) }
}

/// Adds the weights of the synapses `part` (of one row) into the ring slots their delays reach.
#[inline(always)]
fn deliver(c: &Connections, part: Range<usize>, r: &mut RingPart) {
    let targets = &c.csr.targets()[part.clone()];
    let first = r.own.start as u32;
    match (&c.weights, &c.delays) {
        (None, None) => into_target!(r.target(c.delay), |at| add_row(at, targets, Weights::Same(c.weight), first)),
        // A dense row's targets are all of them, in order: a plain vector addition.
        (Some(w), None) if c.dense => into_target!(r.target(c.delay), |at| add_dense_rows(at, [&w[part]].into_iter())),
        (Some(w), None) => into_target!(r.target(c.delay), |at| add_row(at, targets, Weights::Each(&w[part]), first)),
        _ => {
            assert_in_ring(targets, first, r.own.len());
            for (s, &t) in part.zip(targets) {
                let (i, w) = ((t - first) as usize, c.weight_of(s));
                // SAFETY: `i` is within the slot (of `own.len()`), checked just above.
                into_target!(r.target(c.delay_of(s)), |at| unsafe { add_at(at, i, w) });
            }
        }
    }
}
