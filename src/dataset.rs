//! Image data sets: the bundled 8x8 digits (assets/digits, with its licence) and MNIST's IDX files
//! when a user brings them.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Grey images of one size with their labels; pixels are in [0, 1], row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub width: usize,
    pub height: usize,
    pub images: Vec<Vec<f32>>,
    pub labels: Vec<u8>,
}

/// Where a task's images come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub enum Source {
    /// The bundled 8x8 digits, with spikelab's fixed train/test split.
    #[default]
    Digits,
    /// MNIST (or any IDX pair): the training and test files, images then labels.
    Idx { train_images: String, train_labels: String, test_images: String, test_labels: String },
}

/// A training and a test set.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub train: Dataset,
    pub test: Dataset,
}

impl Source {
    /// MNIST's four files under their standard names in `dir`.
    pub fn mnist_in(dir: &Path) -> Source {
        let file = |name: &str| dir.join(name).display().to_string();
        Source::Idx {
            train_images: file("train-images-idx3-ubyte"),
            train_labels: file("train-labels-idx1-ubyte"),
            test_images: file("t10k-images-idx3-ubyte"),
            test_labels: file("t10k-labels-idx1-ubyte"),
        }
    }

    pub fn load(&self) -> Result<Split, String> {
        match self {
            Source::Digits => Ok(digits_split()),
            Source::Idx { train_images, train_labels, test_images, test_labels } => Ok(Split {
                train: read_idx_pair(Path::new(train_images), Path::new(train_labels))?,
                test: read_idx_pair(Path::new(test_images), Path::new(test_labels))?,
            }),
        }
    }
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    pub fn pixels(&self) -> usize {
        self.width * self.height
    }
    /// The images at `indices`, in that order.
    pub fn subset(&self, indices: impl IntoIterator<Item = usize>) -> Dataset {
        let (mut images, mut labels) = (Vec::new(), Vec::new());
        for i in indices {
            images.push(self.images[i].clone());
            labels.push(self.labels[i]);
        }
        Dataset { width: self.width, height: self.height, images, labels }
    }
    /// The first `n` images (all if fewer).
    pub fn head(&self, n: usize) -> Dataset {
        self.subset(0..n.min(self.len()))
    }
}

const DIGITS_CSV: &str = include_str!("../assets/digits/digits.csv");

/// All 1,797 bundled digits, pixels scaled from 0..16 to [0, 1].
pub fn digits() -> Dataset {
    let (mut images, mut labels) = (Vec::with_capacity(1797), Vec::with_capacity(1797));
    for line in DIGITS_CSV.lines() {
        let values: Vec<u8> = line.split(',').map(|v| v.trim().parse().expect("the bundled CSV is valid")).collect();
        images.push(values[..64].iter().map(|&p| p as f32 / 16.0).collect());
        labels.push(values[64]);
    }
    Dataset { width: 8, height: 8, images, labels }
}

/// The fixed split of the bundled digits: image `i` is a test image when `i % 4 == 3`.
pub fn digits_split() -> Split {
    let all = digits();
    let n = all.len();
    Split { train: all.subset((0..n).filter(|i| i % 4 != 3)), test: all.subset((0..n).filter(|i| i % 4 == 3)) }
}

/// Reads an IDX image file (`0x00000803`, n x rows x cols bytes) and its label file
/// (`0x00000801`, n bytes).
pub fn read_idx_pair(images: &Path, labels: &Path) -> Result<Dataset, String> {
    let read = |path: &Path| std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()));
    let (image_bytes, label_bytes) = (read(images)?, read(labels)?);
    let name = |path: &Path| path.display().to_string();
    let (dims, pixels) = parse_idx(&image_bytes, 3).map_err(|e| format!("{}: {e}", name(images)))?;
    let (label_dims, label_data) = parse_idx(&label_bytes, 1).map_err(|e| format!("{}: {e}", name(labels)))?;
    let (n, height, width) = (dims[0], dims[1], dims[2]);
    if label_dims[0] != n {
        return Err(format!("{} has {n} images but {} has {} labels", name(images), name(labels), label_dims[0]));
    }
    if let Some(bad) = label_data.iter().find(|&&l| l > 9) {
        return Err(format!("{}: label {bad} is not a digit 0-9", name(labels)));
    }
    let size = width * height;
    let images = pixels.chunks_exact(size).map(|c| c.iter().map(|&p| p as f32 / 255.0).collect()).collect();
    Ok(Dataset { width, height, images, labels: label_data.to_vec() })
}

/// The dimensions and the unsigned-byte payload of an IDX file with `rank` dimensions.
fn parse_idx(bytes: &[u8], rank: usize) -> Result<(Vec<usize>, &[u8]), String> {
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err("not an IDX file (it must start with two zero bytes)".into());
    }
    if bytes[2] != 0x08 {
        return Err(format!("element type 0x{:02x}; only unsigned bytes (0x08) are supported", bytes[2]));
    }
    if bytes[3] as usize != rank {
        return Err(format!("{} dimensions; expected {rank}", bytes[3]));
    }
    let header = 4 + 4 * rank;
    if bytes.len() < header {
        return Err(format!("the header is cut short ({} bytes)", bytes.len()));
    }
    let dims: Vec<usize> = (0..rank)
        .map(|k| u32::from_be_bytes(bytes[4 + 4 * k..8 + 4 * k].try_into().expect("4 bytes")) as usize)
        .collect();
    let expected = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or("the dimensions overflow")?;
    let data = &bytes[header..];
    if data.len() != expected {
        return Err(format!("dimensions {dims:?} need {expected} data bytes, the file has {}", data.len()));
    }
    if dims.contains(&0) {
        return Err(format!("empty dimensions {dims:?}"));
    }
    Ok((dims, data))
}

/// Writes an IDX pair (tests, and for users who want to export a subset).
pub fn write_idx_pair(data: &Dataset, images: &Path, labels: &Path) -> std::io::Result<()> {
    let mut bytes = vec![0, 0, 8, 3];
    for d in [data.len(), data.height, data.width] {
        bytes.extend((d as u32).to_be_bytes());
    }
    bytes.extend(data.images.iter().flatten().map(|&p| (p * 255.0).round().clamp(0.0, 255.0) as u8));
    crate::fsio::write_atomic(images, &bytes)?;
    let mut bytes = vec![0, 0, 8, 1];
    bytes.extend((data.len() as u32).to_be_bytes());
    bytes.extend(&data.labels);
    crate::fsio::write_atomic(labels, &bytes)
}
