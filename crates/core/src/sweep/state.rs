//! The `--state` audit log and the per-repository results beside it.
//!
//! `STATE.jsonl` is append-only: one line per repository per run (repository, ref tips, status,
//! findings count, duration, pipeguard version, a digest of the scan settings), written and
//! fsynced as soon as that repository is done, so an interrupted sweep loses at most the
//! repositories that were in flight. Nothing is ever rewritten; a line cut short by a crash is
//! skipped on the next read.
//!
//! A repository is skipped when its ref tips, the pipeguard version and the settings are those
//! of its last successful line. Its findings must still be in the report, so each successful
//! scan also writes the repository's redacted findings to `STATE.results/<hash>.json` (replaced
//! atomically, before the state line is appended); a skipped repository contributes the findings
//! from that file, and when the file is missing or does not match, the repository is rescanned.

use super::list::hex;
use crate::error::Error;
use crate::finding::Finding;
use crate::scan::Diagnostic;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Ref name → object id, for every ref and `HEAD`.
pub type Refs = BTreeMap<String, String>;

/// What happened to one repository in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Its history was scanned.
    Scanned,
    /// Unchanged since its last successful scan: its findings come from the results file.
    Skipped,
    /// It could not be cloned, fetched, opened or fully read.
    Error,
}

/// One line of the state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub repository: String,
    pub status: Status,
    #[serde(default)]
    pub refs: Refs,
    pub findings: usize,
    pub duration_ms: u64,
    pub version: String,
    /// Digest of the scan settings (config, flags); a change rescans everything.
    pub settings: String,
    /// Seconds since the Unix epoch.
    pub time: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A repository's findings at its last successful scan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    pub repository: String,
    pub refs: Refs,
    pub version: String,
    pub settings: String,
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
}

/// An open state file.
#[derive(Debug)]
pub struct State {
    path: PathBuf,
    results_dir: PathBuf,
    file: Mutex<File>,
    /// The last successful line of each repository.
    last_ok: HashMap<String, Entry>,
    /// Lines that could not be read (a crash mid-write leaves at most one).
    pub unreadable_lines: usize,
}

impl State {
    /// Open (or create) a state file and read what earlier runs recorded.
    pub fn open(path: &Path) -> Result<State, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| Error::io(path, e))?;
        let mut last_ok = HashMap::new();
        let mut unreadable_lines = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<Entry>(line) {
                Ok(e) if e.status != Status::Error => {
                    last_ok.insert(e.repository.clone(), e);
                }
                Ok(_) => {}
                Err(_) => unreadable_lines += 1,
            }
        }
        if !text.is_empty() && !text.ends_with('\n') {
            // The last line was cut short: start the next one on a line of its own.
            file.seek(SeekFrom::End(0))
                .map_err(|e| Error::io(path, e))?;
            file.write_all(b"\n").map_err(|e| Error::io(path, e))?;
        }
        Ok(State {
            path: path.to_path_buf(),
            results_dir: results_dir(path),
            file: Mutex::new(file),
            last_ok,
            unreadable_lines,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored results of `repository` when nothing changed since its last successful scan.
    pub fn unchanged(
        &self,
        repository: &str,
        refs: &Refs,
        version: &str,
        settings: &str,
    ) -> Option<Results> {
        let last = self.last_ok.get(repository)?;
        if last.refs != *refs || last.version != version || last.settings != settings {
            return None;
        }
        let text = std::fs::read_to_string(self.results_path(repository)).ok()?;
        let r: Results = serde_json::from_str(&text).ok()?;
        (r.repository == repository
            && r.refs == *refs
            && r.version == version
            && r.settings == settings)
            .then_some(r)
    }

    /// Replace a repository's stored results (write to a temporary file, fsync, rename).
    pub fn save_results(&self, results: &Results) -> Result<(), Error> {
        let dir = &self.results_dir;
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let dest = self.results_path(&results.repository);
        let tmp = dest.with_extension(format!("tmp{}", std::process::id()));
        let text = serde_json::to_vec(results).map_err(|e| Error::Other(e.to_string()))?;
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &dest)
        };
        write().map_err(|e| Error::io(&dest, e))
    }

    /// Append one line and fsync it.
    pub fn append(&self, entry: &Entry) -> Result<(), Error> {
        let mut line = serde_json::to_vec(entry).map_err(|e| Error::Other(e.to_string()))?;
        line.push(b'\n');
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(&line)
            .and_then(|()| f.sync_data())
            .map_err(|e| Error::io(&self.path, e))
    }

    fn results_path(&self, repository: &str) -> PathBuf {
        let h = hex(&Sha256::digest(repository.as_bytes()));
        self.results_dir.join(format!("{}.json", &h[..32]))
    }
}

/// `STATE.jsonl` → `STATE.results/` beside it.
pub fn results_dir(state: &Path) -> PathBuf {
    let stem = state
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "state".into());
    state.with_file_name(format!("{stem}.results"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(repo: &str, status: Status, tip: &str) -> Entry {
        Entry {
            repository: repo.into(),
            status,
            refs: [("refs/heads/main".to_string(), tip.to_string())].into(),
            findings: 0,
            duration_ms: 1,
            version: "v".into(),
            settings: "s".into(),
            time: 0,
            error: None,
        }
    }

    #[test]
    fn unchanged_needs_same_refs_and_results_and_survives_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.jsonl");
        let refs: Refs = [("refs/heads/main".to_string(), "aa".to_string())].into();
        {
            let s = State::open(&path).unwrap();
            s.save_results(&Results {
                repository: "r".into(),
                refs: refs.clone(),
                version: "v".into(),
                settings: "s".into(),
                findings: vec![],
                diagnostics: vec![],
            })
            .unwrap();
            s.append(&entry("r", Status::Scanned, "aa")).unwrap();
            s.append(&entry("q", Status::Error, "bb")).unwrap();
        }
        // A crash mid-write.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"repository\":\"x\",\"sta").unwrap();
        drop(f);
        let s = State::open(&path).unwrap();
        assert_eq!(s.unreadable_lines, 1);
        assert!(s.unchanged("r", &refs, "v", "s").is_some());
        // Control cases: another tip, version or settings; an error line never counts.
        let moved: Refs = [("refs/heads/main".to_string(), "ab".to_string())].into();
        assert!(s.unchanged("r", &moved, "v", "s").is_none());
        assert!(s.unchanged("r", &refs, "w", "s").is_none());
        assert!(s.unchanged("r", &refs, "v", "t").is_none());
        assert!(s.unchanged("q", &refs, "v", "s").is_none());
        // Appending after the torn line starts a fresh line.
        s.append(&entry("z", Status::Scanned, "cc")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let last = text.lines().last().unwrap();
        assert!(serde_json::from_str::<Entry>(last).is_ok(), "{last}");
        // Without its results file, a repository is not skipped.
        std::fs::remove_dir_all(results_dir(&path)).unwrap();
        assert!(State::open(&path)
            .unwrap()
            .unchanged("r", &refs, "v", "s")
            .is_none());
    }
}
