//! A directory tree, walked in parallel with the `ignore` crate (`.gitignore` honoured, hidden
//! files included — `.env` is where secrets live — and `.git` itself skipped).

use crate::error::Error;
use crate::scan::{Diagnostic, Level, Report, Scanner};
use std::path::Path;
use std::sync::Mutex;

/// Scan a directory (or a single file) with `threads` workers (0: one per core).
pub fn scan_path(scanner: &Scanner, root: &Path, threads: usize) -> Result<Report, Error> {
    let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if meta.is_file() {
        let mut report = Report::default();
        let display = root.to_string_lossy().replace('\\', "/");
        scan_file(scanner, root, &display, meta.len(), &mut report);
        report.finish();
        return Ok(report);
    }
    let total = Mutex::new(Report::default());
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(true)
        .follow_links(false)
        .threads(threads)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel();
    let mut builder = VisitorBuilder {
        scanner,
        root,
        total: &total,
    };
    walker.visit(&mut builder);
    let mut report = total.into_inner().unwrap_or_else(|p| p.into_inner());
    report.finish();
    Ok(report)
}

struct VisitorBuilder<'s> {
    scanner: &'s Scanner,
    root: &'s Path,
    total: &'s Mutex<Report>,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for VisitorBuilder<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Visitor {
            scanner: self.scanner,
            root: self.root,
            total: self.total,
            local: Report::default(),
        })
    }
}

/// One worker: scans into a thread-local report, merged into the total when the worker ends.
struct Visitor<'s> {
    scanner: &'s Scanner,
    root: &'s Path,
    total: &'s Mutex<Report>,
    local: Report,
}

impl ignore::ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        match entry {
            Ok(entry) => {
                let Some(ft) = entry.file_type() else {
                    return ignore::WalkState::Continue;
                };
                let rel = relative(self.root, entry.path());
                if ft.is_symlink() {
                    self.local.diagnostics.push(Diagnostic::new(
                        Level::Note,
                        Some(&rel),
                        "skipped: symbolic link (not followed)",
                    ));
                    self.local.stats.files_skipped += 1;
                } else if ft.is_file() && self.scanner.path_selected(&rel) {
                    let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                    scan_file(self.scanner, entry.path(), &rel, len, &mut self.local);
                }
            }
            Err(err) => {
                self.local.diagnostics.push(Diagnostic::new(
                    Level::Warning,
                    None,
                    format!("walk: {err}"),
                ));
            }
        }
        ignore::WalkState::Continue
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let local = std::mem::take(&mut self.local);
        self.total
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .merge(local);
    }
}

fn scan_file(scanner: &Scanner, path: &Path, rel: &str, len: u64, report: &mut Report) {
    if len > scanner.config.max_file_size {
        report.stats.files_skipped += 1;
        report.diagnostics.push(Diagnostic::new(
            Level::Note,
            Some(rel),
            format!(
                "skipped: {len} bytes is over the {}-byte limit (scan.max_file_size)",
                scanner.config.max_file_size
            ),
        ));
        return;
    }
    match std::fs::read(path) {
        Ok(bytes) => {
            let blob = scanner.scan_bytes(rel, &bytes);
            if blob.scanned {
                report.stats.files_scanned += 1;
                report.stats.bytes_scanned += bytes.len() as u64;
            } else {
                report.stats.files_skipped += 1;
            }
            report.findings.extend(blob.findings);
            report.diagnostics.extend(blob.diagnostics);
        }
        Err(e) => {
            report.stats.files_skipped += 1;
            report.diagnostics.push(Diagnostic::new(
                Level::Error,
                Some(rel),
                format!("could not read: {e}"),
            ));
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}
