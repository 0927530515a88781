//! SARIF columns: the run declares `utf16CodeUnits` (what GitHub code scanning reads), so
//! columns after non-ASCII text are counted in UTF-16 code units, while the text output keeps
//! byte columns (what editors jump to).

mod common;
use common::*;
use serde_json::Value;

#[test]
fn sarif_columns_count_utf16_code_units_on_non_ascii_lines() {
    let dir = tempfile::tempdir().unwrap();
    let token = github_token("columns");
    // é is 2 bytes / 1 unit, 😀 is 4 bytes / 2 units, 名 is 3 bytes / 1 unit.
    let line = format!("é😀名 = \"{token}\"");
    write(dir.path(), "conf.txt", format!("{line}\n"));
    let byte_col = line.find("ghp_").unwrap() + 1;
    let utf16_col = line[..byte_col - 1].encode_utf16().count() + 1;
    let end_utf16 = utf16_col + token.len();
    assert_ne!(byte_col, utf16_col, "the line must make them differ");

    let out = pipeguard()
        .args(["scan", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let region = &run["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], utf16_col, "{region}");
    assert_eq!(region["endColumn"], end_utf16, "{region}");

    // Control: the JSON and text outputs keep byte columns.
    let out = pipeguard()
        .args(["scan", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"][0]["column"], byte_col);
    // And an ASCII line has the same columns in both.
    write(dir.path(), "conf.txt", format!("k = \"{token}\"\n"));
    let out = pipeguard()
        .args(["scan", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let region = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 6);
}
