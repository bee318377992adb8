//! The connectivity of the network: the weight matrix as a heat map (neurons binned into blocks
//! when there are more than fit) and the in- and out-degree histograms. The network is rebuilt
//! from the preset with the run's seed on a background job: the same synapses as the engine's.

use super::ViewPanel;
use crate::preset::views::View;

use egui::{Color32, ColorImage, TextureHandle, TextureOptions};
use egui_plot::{Bar, BarChart, Plot, PlotImage, PlotPoint};

use crate::analysis::activity::histogram;
use crate::app::Lab;
use crate::app::job::Keyed;
use crate::network::Net;
use crate::network::spec::NetworkSpec;

/// Most cells per side of the heat map.
const MAX_CELLS: usize = 500;

pub struct Connectivity {
    /// Neurons per side and cells per side.
    n: usize,
    cells: usize,
    /// Summed weight from block `pre` to block `post`, at `[post * cells + pre]`.
    matrix: Vec<f64>,
    in_degree: Vec<[f64; 2]>,
    out_degree: Vec<[f64; 2]>,
    synapses: usize,
    bytes: usize,
}

impl Connectivity {
    pub fn of(spec: &NetworkSpec, dt_ms: f64, seed: u64) -> Result<Self, String> {
        let net = Net::build(spec, dt_ms, seed)?;
        let n = net.n_neurons();
        let cells = n.min(MAX_CELLS);
        let block = n.div_ceil(cells);
        let mut matrix = vec![0.0; cells * cells];
        let (mut ins, mut outs) = (vec![0u32; n], vec![0u32; n]);
        for (pre, post, w) in net.synapses() {
            matrix[(post as usize / block) * cells + pre as usize / block] += w;
            ins[post as usize] += 1;
            outs[pre as usize] += 1;
        }
        let degrees = |d: &[u32]| {
            let max = d.iter().copied().max().unwrap_or(0) as f64 + 1.0;
            histogram(d.iter().map(|&k| k as f64), 0.0, max, (max as usize).min(50))
        };
        Ok(Self {
            n,
            cells,
            matrix,
            in_degree: degrees(&ins),
            out_degree: degrees(&outs),
            synapses: net.n_synapses(),
            bytes: net.synapse_bytes(),
        })
    }

    /// Excitatory blue, inhibitory red, brightness by the share of the largest |sum|.
    fn image(&self) -> ColorImage {
        let max = self.matrix.iter().fold(0.0f64, |m, w| m.max(w.abs())).max(1e-12);
        let pixels = self
            .matrix
            .chunks(self.cells)
            .rev() // post 0 at the bottom, as the raster
            .flatten()
            .map(|&w| {
                let a = (w.abs() / max).sqrt() as f32;
                let base = if w >= 0.0 { super::raster::E_COLOR } else { super::raster::I_COLOR };
                if w == 0.0 { Color32::from_gray(20) } else { base.gamma_multiply(0.15 + 0.85 * a) }
            })
            .collect();
        ColorImage { size: [self.cells, self.cells], pixels, source_size: egui::Vec2::splat(self.cells as f32) }
    }
}

#[derive(Default)]
pub struct ConnectivityPanel {
    /// The connectivity of the network (by its key), and its heat map once drawn.
    built: Keyed<String, (Result<Connectivity, String>, Option<TextureHandle>)>,
}

impl ViewPanel for ConnectivityPanel {
    fn view(&self) -> View {
        View::Connectivity
    }
    fn ui(&mut self, ui: &mut egui::Ui, lab: &mut Lab) {
        self.show(ui, lab);
    }
    /// The weight matrix in its blocks and both degree histograms.
    fn figure(&self, lab: &Lab) -> Option<crate::figure::Figure> {
        use crate::figure::{Axis, Figure, Mark, Panel, Series};
        let (key, (Ok(c), _)) = self.built.latest()? else { return None };
        if Some(key) != lab.network_key().as_ref() {
            return None;
        }
        let block = c.n.div_ceil(c.cells) as f64;
        let cells = (0..c.cells * c.cells)
            .map(|k| [((k % c.cells) as f64 + 0.5) * block, ((k / c.cells) as f64 + 0.5) * block, c.matrix[k]])
            .collect();
        let mut matrix = Panel::new(
            format!("blocks of {block} neurons"),
            Axis::new("source neuron", ""),
            Axis::new("target neuron", ""),
        )
        .with(Series::cells("summed weight", (block, block), cells))
        .height(2.0);
        matrix.z = Some(Axis::new("summed weight", ""));
        let degrees = |name: &str, data: &Vec<[f64; 2]>| {
            let width = data.get(1).map_or(1.0, |b| b[0] - data[0][0]);
            Panel::new(name, Axis::new(name, ""), Axis::new("neurons", "")).with(Series::new(
                name,
                Mark::Bars(width),
                data.clone(),
            ))
        };
        Some(Figure::new(
            format!("{} neurons, {} synapses", c.n, c.synapses),
            vec![matrix, degrees("in-degree", &c.in_degree), degrees("out-degree", &c.out_degree)],
        ))
    }
}

impl ConnectivityPanel {
    fn show(&mut self, ui: &mut egui::Ui, lab: &Lab) {
        let (Some(spec), Some(key)) = (lab.preset().network.clone(), lab.network_key()) else {
            ui.label("This preset has no network.");
            return;
        };
        let (dt, seed) = (lab.preset().run.dt_ms, lab.preset().run.seed);
        let Some((result, texture)) = self.built.get(&key, ui.ctx(), move || (Connectivity::of(&spec, dt, seed), None))
        else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("connecting the network…");
            });
            return;
        };
        let c = match result {
            Ok(c) => c,
            Err(why) => {
                ui.colored_label(ui.visuals().error_fg_color, why.as_str());
                return;
            }
        };
        ui.label(format!(
            "{} neurons · {} synapses · {:.1} bytes per synapse · heat map: {} x {} cells of {} neurons (summed weight, \
             E blue, I red); rows: target, columns: source",
            c.n,
            c.synapses,
            c.bytes as f64 / c.synapses.max(1) as f64,
            c.cells,
            c.cells,
            c.n.div_ceil(c.cells)
        ));
        let texture =
            texture.get_or_insert_with(|| ui.ctx().load_texture("weights", c.image(), TextureOptions::NEAREST));
        let side = (ui.available_height() - 20.0).min(ui.available_width() * 0.55);
        let n = c.n as f64;
        ui.horizontal(|ui| {
            Plot::new("weight_matrix")
                .width(side)
                .height(side)
                .data_aspect(1.0)
                .x_axis_label("source neuron")
                .y_axis_label("target neuron")
                .show(ui, |p| {
                    p.image(PlotImage::new(
                        "weights",
                        texture.id(),
                        PlotPoint::new(n / 2.0, n / 2.0),
                        [n as f32, n as f32],
                    ));
                });
            ui.vertical(|ui| {
                let h = side / 2.0 - 6.0;
                for (id, label, data) in [
                    ("in_degree", "in-degree (synapses per target)", &c.in_degree),
                    ("out_degree", "out-degree (synapses per source)", &c.out_degree),
                ] {
                    Plot::new(id).height(h).x_axis_label(label).y_axis_label("neurons").show(ui, |p| {
                        let width = data.get(1).map_or(1.0, |b| b[0] - data[0][0]);
                        let bars = data.iter().map(|b| Bar::new(b[0], b[1]).width(width * 0.9)).collect();
                        p.bar_chart(BarChart::new(label, bars));
                    });
                }
            });
        });
    }
}
