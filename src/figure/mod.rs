//! A view's figure as data: the panels, axes with units and series it shows. The same value is
//! written as CSV ("Save data"), drawn as SVG or PNG ("Save figure", `spikelab run --figures`),
//! so a figure and its data can never disagree.

mod draw;
pub mod of;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// An axis: a quantity and its unit ("t", "ms"); an empty unit for pure numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub name: String,
    pub unit: String,
}

impl Axis {
    pub fn new(name: impl Into<String>, unit: impl Into<String>) -> Self {
        Self { name: name.into(), unit: unit.into() }
    }
    /// As the window labels axes: `t [ms]`.
    pub fn label(&self) -> String {
        if self.unit.is_empty() { self.name.clone() } else { format!("{} [{}]", self.name, self.unit) }
    }
    /// A CSV column name: `t_ms`, `w_per_w_max`, `I_model_units`.
    pub fn column(&self) -> String {
        let name = format!("{} {}", self.name, self.unit).replace('/', " per ");
        let words: Vec<&str> = name.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).collect();
        words.into_iter().filter(|w| !w.is_empty()).collect::<Vec<_>>().join("_")
    }
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    Line,
    Dots,
    /// Bars from 0 to y, centred on x, this wide.
    Bars(f64),
    /// Cells of this size centred on (x, y), coloured by the series' `values` on the panel's z.
    Cells(f64, f64),
    /// A box plot this wide at x from five points (x, y): the lower whisker, the quartiles
    /// with the median between them, the upper whisker.
    Box(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub mark: Mark,
    /// Points (x, y); a non-finite point breaks a line.
    pub points: Vec<[f64; 2]>,
    /// A third value per point (cells only).
    pub values: Vec<f64>,
}

impl Series {
    pub fn new(name: impl Into<String>, mark: Mark, points: Vec<[f64; 2]>) -> Self {
        Self { name: name.into(), mark, points, values: Vec::new() }
    }
    pub fn cells(name: impl Into<String>, size: (f64, f64), cells: Vec<[f64; 3]>) -> Self {
        Self {
            name: name.into(),
            mark: Mark::Cells(size.0, size.1),
            points: cells.iter().map(|c| [c[0], c[1]]).collect(),
            values: cells.iter().map(|c| c[2]).collect(),
        }
    }
}

/// One plot of a figure; a figure stacks its panels, the first on top.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub name: String,
    pub x: Axis,
    pub y: Axis,
    /// The colour axis of cells.
    pub z: Option<Axis>,
    pub series: Vec<Series>,
    /// The x range shown (the window's view); `None`: the data's.
    pub x_range: Option<(f64, f64)>,
    /// Share of the figure's height, relative to the other panels.
    pub height: f64,
    /// Names of the whole numbers on the x axis (categories, such as populations).
    pub x_names: Vec<String>,
}

impl Panel {
    pub fn new(name: impl Into<String>, x: Axis, y: Axis) -> Self {
        Self { name: name.into(), x, y, z: None, series: Vec::new(), x_range: None, height: 1.0, x_names: Vec::new() }
    }
    pub fn with(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }
    pub fn x_range(mut self, range: (f64, f64)) -> Self {
        self.x_range = Some(range);
        self
    }
    /// The category name at `x` (a whole number naming one), or nothing: the x axis's label.
    pub fn x_name(names: &[String], x: f64) -> String {
        let k = x.round();
        let name = (k >= 0.0 && (x - k).abs() < 1e-6).then(|| names.get(k as usize)).flatten();
        name.cloned().unwrap_or_default()
    }
    pub fn x_names(mut self, names: Vec<String>) -> Self {
        self.x_names = names;
        self
    }
    pub fn height(mut self, share: f64) -> Self {
        self.height = share;
        self
    }

    /// The panel's data: `series,<x>,<y>[,<z>]` with units in the column names.
    pub fn csv(&self) -> String {
        let mut text = format!("series,{},{}", self.x.column(), self.y.column());
        if let Some(z) = &self.z {
            let _ = write!(text, ",{}", z.column());
        }
        text.push('\n');
        for series in &self.series {
            let name = csv_field(&series.name);
            for (k, [x, y]) in series.points.iter().enumerate() {
                let _ = write!(text, "{name},{x},{y}");
                if self.z.is_some() {
                    let _ = write!(text, ",{}", series.values.get(k).copied().unwrap_or(f64::NAN));
                }
                text.push('\n');
            }
        }
        text
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub title: String,
    pub panels: Vec<Panel>,
}

/// The pixel size of a figure made headless.
pub const DEFAULT_SIZE: (u32, u32) = (1000, 700);

impl Figure {
    pub fn new(title: impl Into<String>, panels: Vec<Panel>) -> Self {
        Self { title: title.into(), panels }
    }

    /// The data files of the figure named `stem`: `stem.csv` for the first panel, then
    /// `stem-<panel>.csv` for each further one.
    pub fn csv_files(&self, stem: &str) -> Vec<(String, String)> {
        self.panels
            .iter()
            .enumerate()
            .map(|(k, panel)| {
                let name = if k == 0 { format!("{stem}.csv") } else { format!("{stem}-{}.csv", slug(&panel.name)) };
                (name, panel.csv())
            })
            .collect()
    }

    pub fn svg(&self, size: (u32, u32)) -> Result<String, String> {
        draw::svg(self, size)
    }
    pub fn png(&self, size: (u32, u32)) -> Result<Vec<u8>, String> {
        draw::png(self, size)
    }

    /// Writes the figure where `path` says (its extension: `.svg` or `.png`), atomically.
    pub fn save(&self, path: &Path, size: (u32, u32)) -> Result<(), String> {
        let bytes = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("svg") => self.svg(size)?.into_bytes(),
            Some("png") => self.png(size)?,
            _ => return Err(format!("{}: a figure is saved as .svg or .png", path.display())),
        };
        crate::fsio::write_atomic(path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Writes the figure's data next to `path` (`x.csv`, then `x-<panel>.csv`); the files written.
    pub fn save_data(&self, path: &Path) -> Result<Vec<PathBuf>, String> {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("figure");
        let dir = path.parent().unwrap_or(Path::new(""));
        let mut written = Vec::new();
        for (name, text) in self.csv_files(stem) {
            let file = dir.join(name);
            crate::fsio::write_atomic(&file, text.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            written.push(file);
        }
        Ok(written)
    }

    /// `stem.svg`, `stem.png` and the data in `dir`.
    pub fn write_all(&self, dir: &Path, stem: &str) -> Result<(), String> {
        self.save(&dir.join(format!("{stem}.svg")), DEFAULT_SIZE)?;
        self.save(&dir.join(format!("{stem}.png")), DEFAULT_SIZE)?;
        self.save_data(&dir.join(format!("{stem}.csv"))).map(|_| ())
    }
}

/// A panel's name as a file name part: `population rate` -> `population-rate`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_has_units_in_its_header_and_one_file_per_panel() {
        let figure = Figure::new(
            "f",
            vec![
                Panel::new("membrane", Axis::new("t", "ms"), Axis::new("V", "mV")).with(Series::new(
                    "V",
                    Mark::Line,
                    vec![[0.0, -65.0], [0.1, -64.5]],
                )),
                Panel::new("input, pA", Axis::new("t", "ms"), Axis::new("I", "pA")).with(Series::new(
                    "I",
                    Mark::Line,
                    vec![[0.0, 1.0]],
                )),
            ],
        );
        let files = figure.csv_files("traces");
        assert_eq!(files[0], ("traces.csv".into(), "series,t_ms,V_mV\nV,0,-65\nV,0.1,-64.5\n".into()));
        assert_eq!(files[1], ("traces-input-pa.csv".into(), "series,t_ms,I_pA\nI,0,1\n".into()));
    }
}
