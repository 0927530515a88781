//! Embeds every `rules/secrets/*.toml` file, so that a new rule file needs no code change.
//!
//! The TOML is converted to JSON here, at build time: parsing JSON at start-up is several times
//! cheaper than parsing TOML, and start-up is most of a pre-commit hook's run. Each rule keeps the
//! line of its `[[rule]]` header for error messages, and how many line ends its pattern can match
//! (`shape::max_line_ends`), which would otherwise cost a parse of every pattern at start-up.

use std::{env, fs, path::Path};

#[path = "src/secrets/shape.rs"]
#[allow(dead_code)]
mod shape;

fn main() {
    let dir = Path::new("rules/secrets");
    println!("cargo:rerun-if-changed=rules/secrets");
    println!("cargo:rerun-if-changed=src/secrets/shape.rs");
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("rules/secrets exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut ids: Vec<String> = Vec::new();
    let out_dir = env::var("OUT_DIR").unwrap();
    let mut out = String::from(
        "/// `(file name, JSON array of {line, rule})` of every built-in rule file.\npub(crate) static RULE_FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(f).expect("rule file is UTF-8");
        let table: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: invalid TOML: {e}", f.display()));
        let lines: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == "[[rule]]")
            .map(|(i, _)| i + 1)
            .collect();
        let rules = match table.get("rule") {
            Some(toml::Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        if let Some(k) = table.keys().find(|k| *k != "rule") {
            panic!(
                "{}: unknown top-level key `{k}` (only [[rule]] entries)",
                f.display()
            );
        }
        ids.extend(
            rules
                .iter()
                .filter_map(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_string)),
        );
        let entries: Vec<serde_json::Value> = rules
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let pattern = r.get("pattern").and_then(|p| p.as_str()).unwrap_or("");
                serde_json::json!({
                    "line": lines.get(i).copied().unwrap_or(1),
                    "line_ends": shape::max_line_ends(pattern),
                    "rule": serde_json::to_value(r).expect("TOML converts to JSON"),
                })
            })
            .collect();
        let json_name = format!("{name}.json");
        fs::write(
            Path::new(&out_dir).join(&json_name),
            serde_json::to_string(&entries).unwrap(),
        )
        .expect("write rule json");
        out.push_str(&format!(
            "    ({name:?}, include_str!(concat!(env!(\"OUT_DIR\"), \"/{json_name}\"))),\n"
        ));
    }
    out.push_str("];\n");
    // The ids alone, so that a config can be checked without parsing the rules.
    out.push_str("/// The id of every built-in rule.\npub(crate) static RULE_IDS: &[&str] = &[\n");
    for id in &ids {
        out.push_str(&format!("    {id:?},\n"));
    }
    out.push_str("];\n");
    fs::write(Path::new(&out_dir).join("rule_files.rs"), out).expect("write rule_files.rs");
}
