//! Embeds every `rules/secrets/*.toml` file, so that a new rule file needs no code change.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("rules/secrets");
    println!("cargo:rerun-if-changed=rules/secrets");
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("rules/secrets exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("/// `(file name, contents)` of every built-in rule file.\npub(crate) static RULE_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let abs = fs::canonicalize(f).expect("canonical path");
        let name = f.file_name().unwrap().to_string_lossy();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("rule_files.rs");
    fs::write(dest, out).expect("write rule_files.rs");
}
