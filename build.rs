//! Bundles every preset under `presets/` and every lesson under `lessons/` into the binary, so
//! `spikelab presets`, `spikelab run NAME` and `spikelab lesson` work from any directory.

use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>, ext: &[&str]) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out, ext);
        } else if path.extension().is_some_and(|e| ext.iter().any(|x| e == *x)) {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("presets");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files, &["ron"]);
    files.sort();
    // Files under `stimuli/` are stimuli alone (they drive any neuron), under `devices/` memory
    // devices, the rest whole presets.
    let mut presets = String::from(
        "/// `(name, RON text)` of every bundled preset, sorted by name.\npub static BUNDLED: &[(&str, &str)] = &[\n",
    );
    let mut stimuli = String::from(
        "/// `(name, RON text)` of every bundled stimulus file, sorted by name.\npub static BUNDLED_STIMULI: &[(&str, &str)] = &[\n",
    );
    let mut devices = String::from(
        "/// `(name, RON text)` of every bundled memory device, sorted by name.\npub static BUNDLED_DEVICES: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file.strip_prefix(&root).unwrap().with_extension("");
        let name = name.to_string_lossy().replace('\\', "/");
        let entry = format!("    ({name:?}, include_str!({:?})),\n", file.display().to_string());
        if name.starts_with("stimuli/") {
            stimuli += &entry
        } else if name.starts_with("devices/") {
            devices += &entry
        } else {
            presets += &entry
        }
    }
    let code = presets + "];\n" + &stimuli + "];\n" + &devices + "];\n";
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("bundled_presets.rs"), code).unwrap();
    std::fs::write(out.join("bundled_lessons.rs"), lessons()).unwrap();
}

/// `(id, [(file, text)])` of every folder under `lessons/`, sorted by id.
fn lessons() -> String {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("lessons");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    folders.sort();
    let mut code = String::from(
        "/// `(id, [(file, text)])` of every bundled lesson, sorted by id.\npub static BUNDLED_LESSONS: &[(&str, &[(&str, &str)])] = &[\n",
    );
    for folder in &folders {
        println!("cargo:rerun-if-changed={}", folder.display());
        let mut files = Vec::new();
        collect(folder, &mut files, &["ron", "md"]);
        files.sort();
        let id = folder.file_name().unwrap().to_string_lossy();
        code += &format!("    ({id:?}, &[\n");
        for file in &files {
            println!("cargo:rerun-if-changed={}", file.display());
            let name = file.strip_prefix(folder).unwrap().to_string_lossy().replace('\\', "/");
            code += &format!("        ({name:?}, include_str!({:?})),\n", file.display().to_string());
        }
        code += "    ]),\n";
    }
    code + "];\n"
}
