//! Draws a [`Figure`] with plotters: the same code for SVG and for PNG.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Figure, Mark, Panel};

/// Series colours in order (the window's trace, spike and hidden-variable colours first).
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];
const FONT: &str = "sans-serif";

/// plotters lays text out with a font it is given: egui's own, so figures read like the window.
fn fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT);
    });
}

pub fn svg(figure: &Figure, size: (u32, u32)) -> Result<String, String> {
    fonts();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        draw_on(figure, &root, 2)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(text)
}

pub fn png(figure: &Figure, size: (u32, u32)) -> Result<Vec<u8>, String> {
    fonts();
    let mut pixels = vec![255u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        // One pixel: plotters joins thicker bitmap lines with mitres that spike at sharp turns.
        draw_on(figure, &root, 1)?;
        root.present().map_err(|e| e.to_string())?;
    }
    let image = image::RgbImage::from_raw(size.0, size.1, pixels).ok_or("figure buffer has the wrong size")?;
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(bytes.into_inner())
}

fn draw_on<DB: DrawingBackend>(figure: &Figure, root: &DrawingArea<DB, Shift>, line: u32) -> Result<(), String> {
    let fail = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(fail)?;
    let area = root.titled(&figure.title, (FONT, 20)).map_err(fail)?;
    let total: f64 = figure.panels.iter().map(|p| p.height).sum::<f64>().max(f64::MIN_POSITIVE);
    let height = area.dim_in_pixel().1 as f64;
    let mut breaks = Vec::new();
    let mut acc = 0.0;
    for panel in &figure.panels[..figure.panels.len().saturating_sub(1)] {
        acc += panel.height / total;
        breaks.push((acc * height).round() as i32);
    }
    let areas = area.split_by_breakpoints(Vec::<i32>::new(), breaks);
    for (panel, area) in figure.panels.iter().zip(&areas) {
        draw_panel(panel, area, line).map_err(fail)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, Shift>,
    line: u32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (x_range, y_range) = ranges(panel);
    let z_range = value_range(panel.series.iter().flat_map(|s| s.values.iter().copied()));
    let caption = match &panel.z {
        Some(z) => format!("{}  ·  colour: {} from {:.3} to {:.3}", panel.name, z.label(), z_range.0, z_range.1),
        None => panel.name.clone(),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 15))
        .margin(8)
        .x_label_area_size(38)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
    let names = |x: &f64| Panel::x_name(&panel.x_names, *x);
    let mut mesh = chart.configure_mesh();
    if !panel.x_names.is_empty() {
        mesh.x_labels(panel.x_names.len() + 2).x_label_formatter(&names);
    }
    mesh.x_desc(panel.x.label())
        .y_desc(panel.y.label())
        .label_style((FONT, 13))
        .light_line_style(RGBColor(240, 240, 240))
        .max_light_lines(2)
        .draw()?;
    let mut labelled = false;
    for (k, series) in panel.series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let inside = |p: &&[f64; 2]| p[0].is_finite() && p[1].is_finite();
        match series.mark {
            Mark::Line => {
                // A non-finite point ends one stroke and starts the next.
                for run in series.points.split(|p| !(p[0].is_finite() && p[1].is_finite())) {
                    let drawn = chart
                        .draw_series(LineSeries::new(run.iter().map(|p| (p[0], p[1])), color.stroke_width(line)))?;
                    if std::ptr::eq(run.as_ptr(), series.points.as_ptr()) && !series.name.is_empty() {
                        labelled = true;
                        drawn
                            .label(&series.name)
                            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
                    }
                }
            }
            Mark::Dots => {
                let dots = series.points.iter().filter(inside).map(|p| Circle::new((p[0], p[1]), 2, color.filled()));
                let drawn = chart.draw_series(dots)?;
                if !series.name.is_empty() {
                    labelled = true;
                    drawn.label(&series.name).legend(move |(x, y)| Circle::new((x + 9, y), 3, color.filled()));
                }
            }
            Mark::Bars(width) => {
                let bars =
                    series.points.iter().filter(inside).map(|p| {
                        Rectangle::new([(p[0] - width / 2.0, 0.0), (p[0] + width / 2.0, p[1])], color.filled())
                    });
                chart.draw_series(bars)?;
            }
            Mark::Box(width) => {
                if let [low, q1, median, q3, high] = series.points[..] {
                    let (x, half) = (median[0], width / 2.0);
                    let edge = color.stroke_width(line);
                    let fill = color.mix(0.35).filled();
                    let drawn = chart.draw_series([Rectangle::new([(x - half, q1[1]), (x + half, q3[1])], fill)])?;
                    if !series.name.is_empty() {
                        labelled = true;
                        drawn
                            .label(&series.name)
                            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], fill));
                    }
                    chart.draw_series([Rectangle::new([(x - half, q1[1]), (x + half, q3[1])], edge)])?;
                    for (a, b) in [(low[1], q1[1]), (q3[1], high[1])] {
                        chart.draw_series(LineSeries::new([(x, a), (x, b)], edge))?;
                    }
                    for (y, w) in [(low[1], half / 2.0), (high[1], half / 2.0), (median[1], half)] {
                        chart.draw_series(LineSeries::new([(x - w, y), (x + w, y)], BLACK.stroke_width(line + 1)))?;
                    }
                }
            }
            Mark::Cells(w, h) => {
                let cells = series.points.iter().zip(&series.values).filter(|(p, v)| inside(p) && v.is_finite()).map(
                    |(p, &v)| {
                        let c = colormap((v - z_range.0) / (z_range.1 - z_range.0));
                        Rectangle::new([(p[0] - w / 2.0, p[1] - h / 2.0), (p[0] + w / 2.0, p[1] + h / 2.0)], c.filled())
                    },
                );
                chart.draw_series(cells)?;
            }
        }
    }
    if labelled && panel.series.len() > 1 {
        chart
            .configure_series_labels()
            .label_font((FONT, 13))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            // Categories (box plots) keep the upper right for their last ones.
            .position(if panel.x_names.is_empty() {
                SeriesLabelPosition::UpperRight
            } else {
                SeriesLabelPosition::UpperLeft
            })
            .draw()?;
    }
    Ok(())
}

/// The x and y ranges: the panel's own x range if set, else the data's, with a margin.
fn ranges(panel: &Panel) -> ((f64, f64), (f64, f64)) {
    let mut xs = Vec::new();
    let mut ys = vec![];
    for series in &panel.series {
        let (hw, hh) = match series.mark {
            Mark::Cells(w, h) => (w / 2.0, h / 2.0),
            Mark::Bars(w) => {
                ys.push(0.0);
                (w / 2.0, 0.0)
            }
            Mark::Box(w) => (w / 2.0, 0.0),
            _ => (0.0, 0.0),
        };
        for p in &series.points {
            xs.extend([p[0] - hw, p[0] + hw]);
            ys.extend([p[1] - hh, p[1] + hh]);
        }
    }
    let x = panel.x_range.unwrap_or_else(|| value_range(xs.into_iter()));
    let y = value_range(ys.into_iter());
    let pad = 0.05 * (y.1 - y.0);
    (x, (y.0 - pad, y.1 + pad))
}

/// The finite range of the values, never empty.
fn value_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) =
        values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 * lo.abs().max(1.0) {
        let pad = 0.5 * lo.abs().max(1.0);
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    }
}

/// Dark blue through teal to yellow (viridis' ends and middle).
fn colormap(f: f64) -> RGBColor {
    const STOPS: [(f64, [f64; 3]); 3] =
        [(0.0, [68.0, 1.0, 84.0]), (0.5, [33.0, 145.0, 140.0]), (1.0, [253.0, 231.0, 37.0])];
    let f = if f.is_finite() { f.clamp(0.0, 1.0) } else { 0.0 };
    let (a, b) = if f <= 0.5 { (STOPS[0], STOPS[1]) } else { (STOPS[1], STOPS[2]) };
    let s = (f - a.0) / (b.0 - a.0);
    let c = |k: usize| (a.1[k] + s * (b.1[k] - a.1[k])).round() as u8;
    RGBColor(c(0), c(1), c(2))
}
