//! The one scan driver. Every input (directory walk, named files, standard input, the git index,
//! commit ranges, whole histories) turns what it finds into [`Blob`]s; this module does the rest
//! the same way for all of them, as ripgrep's searcher does for its walker:
//! - one parallel scheme for listed items: up to one worker per rayon thread, each with its own
//!   reader (a `git2::Repository` cannot be shared across threads), taking small chunks of items
//!   from a shared counter; a handful of items is scanned on the calling thread (hook latency).
//!   An input that brings its own threads (the directory walk) gives each a [`Worker`] instead,
//!   so that no list of every path is kept;
//! - the size rule (`scan.max_file_size`, checked before reading) and the binary rule;
//! - one read buffer per worker, reused from file to file;
//! - both engines, through [`Scanner::scan_bytes`];
//! - the lines a change adds: only findings that touch them are kept;
//! - the caps on findings per file and per scan, with a notice;
//! - statistics, diagnostics and progress.

use super::{Diagnostic, Level, Report, Scanner};
use crate::error::Error;
use crate::input::git::{Phase, Progress, ProgressFn};
use crate::input::{Added, Blob, Loaded, Origin};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Up to this many items are scanned on the calling thread.
const SEQUENTIAL: usize = 64;
/// Items a worker takes at a time: in a history scan, enough consecutive versions of one file
/// for its delta chain to be read by one worker.
const CHUNK: usize = 32;

/// A list of items that become blobs. Every worker has its own reader; the calling thread uses
/// the one the input passes to [`run`] (e.g. the repository handle it already holds).
pub(crate) trait Source: Sync {
    type Item: Sync;
    type Reader;
    /// A reader for one worker thread.
    fn reader(&self) -> Result<Self::Reader, Error>;
    /// The blob for an item; `Ok(None)` when there is nothing to scan (a change that adds no line).
    /// An `Err` is a diagnostic about an item that could not be turned into a blob.
    fn blob<'r>(
        &self,
        reader: &'r Self::Reader,
        item: &Self::Item,
    ) -> Result<Option<Blob<'r>>, Diagnostic>;
}

/// What the driver produced: the report, and the origin of each finding (same order), which
/// inputs use for attribution before the report is finished.
#[derive(Default)]
pub(crate) struct Scanned {
    pub report: Report,
    pub origins: Vec<Origin>,
}

impl Scanned {
    fn merge(&mut self, other: Scanned) {
        self.report.merge(other.report);
        self.origins.extend(other.origins);
    }
}

/// Scan every item of `source`; `main` is the calling thread's reader.
pub(crate) fn run<S: Source>(
    scanner: &Scanner,
    source: &S,
    main: S::Reader,
    items: &[S::Item],
    progress: Option<ProgressFn<'_>>,
) -> Result<Scanned, Error> {
    let driver = Driver::new(scanner);
    driver.scan_items(source, main, items, progress)?;
    Ok(driver.finish())
}

/// One scan, fed by any number of threads: [`Driver::scan_items`] runs the parallel scheme over
/// a list; an input that brings its own threads (the directory walk, which scans as it walks
/// instead of listing every path first) takes a [`Worker`] per thread and feeds it blobs.
pub(crate) struct Driver<'s> {
    scanner: &'s Scanner,
    /// Findings kept so far, across workers (the per-scan cap).
    kept: AtomicU64,
    /// What the workers that are done produced.
    merged: Mutex<Scanned>,
}

impl<'s> Driver<'s> {
    pub(crate) fn new(scanner: &'s Scanner) -> Self {
        Driver {
            scanner,
            kept: AtomicU64::new(0),
            merged: Mutex::new(Scanned::default()),
        }
    }

    /// A worker for the calling thread; what it scanned is merged in when it is dropped.
    pub(crate) fn worker(&self) -> Worker<'_, 's> {
        Worker {
            driver: self,
            out: Scanned::default(),
            buf: Vec::new(),
        }
    }

    /// Scan every item of `source`: a handful on the calling thread (with `main`), else one
    /// worker per rayon thread, each with its own reader, taking [`CHUNK`] items at a time.
    pub(crate) fn scan_items<S: Source>(
        &self,
        source: &S,
        main: S::Reader,
        items: &[S::Item],
        progress: Option<ProgressFn<'_>>,
    ) -> Result<(), Error> {
        let total = items.len();
        let shared = Shared {
            next: AtomicUsize::new(0),
            done: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            total,
            progress,
        };
        let workers = rayon::current_num_threads()
            .min(total.div_ceil(CHUNK))
            .max(1);
        if total <= SEQUENTIAL || workers == 1 {
            shared.work(&mut self.worker(), source, &main, items);
            return Ok(());
        }
        (0..workers).into_par_iter().try_for_each(|_| {
            let reader = source.reader()?;
            shared.work(&mut self.worker(), source, &reader, items);
            Ok(())
        })
    }

    /// Everything scanned, with a warning when a cap kept findings out.
    pub(crate) fn finish(self) -> Scanned {
        let mut out = self.merged.into_inner().unwrap_or_else(|p| p.into_inner());
        let max = self.scanner.config.max_findings;
        if out.report.stats.findings_capped > 0 {
            out.report.diagnostics.push(Diagnostic::new(
                Level::Warning,
                None,
                format!(
                    "{} more findings were not reported: at most {max} per scan \
                     (scan.max_findings) and {} per file (scan.max_findings_per_file)",
                    out.report.stats.findings_capped, self.scanner.config.max_findings_per_file
                ),
            ));
        }
        out
    }
}

/// The position in a list of items that the workers of [`Driver::scan_items`] share.
struct Shared<'p> {
    next: AtomicUsize,
    done: AtomicU64,
    bytes: AtomicU64,
    total: usize,
    progress: Option<ProgressFn<'p>>,
}

impl Shared<'_> {
    fn work<S: Source>(
        &self,
        worker: &mut Worker<'_, '_>,
        source: &S,
        reader: &S::Reader,
        items: &[S::Item],
    ) {
        loop {
            let start = self.next.fetch_add(CHUNK, Ordering::Relaxed);
            if start >= self.total {
                break;
            }
            let end = (start + CHUNK).min(self.total);
            let mut bytes = 0;
            for item in &items[start..end] {
                match source.blob(reader, item) {
                    Ok(Some(blob)) => bytes += worker.scan(blob),
                    Ok(None) => {}
                    Err(d) => worker.skipped(d),
                }
            }
            let n = (end - start) as u64;
            let d = self.done.fetch_add(n, Ordering::Relaxed) + n;
            let b = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
            if let Some(p) = self.progress {
                p(Progress {
                    phase: Phase::Scanning,
                    done: d,
                    total: self.total as u64,
                    bytes: b,
                });
            }
        }
    }
}

/// Read buffers larger than this are given back after use rather than kept for the next blob.
const KEEP_BUFFER: usize = 1 << 20;

/// One thread's share of a scan: its findings and statistics, and the buffer files are read
/// into (reused from blob to blob).
pub(crate) struct Worker<'d, 's> {
    driver: &'d Driver<'s>,
    out: Scanned,
    buf: Vec<u8>,
}

impl Worker<'_, '_> {
    /// Something that could not be turned into a blob, or was skipped by design.
    pub(crate) fn skipped(&mut self, d: Diagnostic) {
        self.out.report.stats.files_skipped += 1;
        self.out.report.diagnostics.push(d);
    }

    /// A diagnostic about the scan that skips no file (a directory that cannot be read is an
    /// error the binaries exit 2 on, but names no file).
    pub(crate) fn diagnostic(&mut self, d: Diagnostic) {
        self.out.report.diagnostics.push(d);
    }

    /// Read one blob (size rule first), scan it, keep what the caps allow. Returns bytes scanned.
    pub(crate) fn scan(&mut self, blob: Blob<'_>) -> u64 {
        let scanned = self.scan_blob(blob);
        if self.buf.capacity() > KEEP_BUFFER {
            self.buf = Vec::new();
        }
        scanned
    }

    fn scan_blob(&mut self, blob: Blob<'_>) -> u64 {
        let scanner = self.driver.scanner;
        let report = &mut self.out.report;
        let path = blob.path.as_str();
        let loaded = match blob
            .content
            .load(scanner.config.max_file_size, &mut self.buf)
        {
            Ok(l) => l,
            Err(message) => {
                report.stats.files_skipped += 1;
                report
                    .diagnostics
                    .push(Diagnostic::new(Level::Error, Some(path), message));
                return 0;
            }
        };
        if let Loaded::TooLarge(size) = loaded {
            report.stats.files_skipped += 1;
            report.diagnostics.push(
                scanner.too_large(path, size.map_or(String::new(), |s| format!("{s} bytes"))),
            );
            return 0;
        }
        let bytes = loaded.bytes();
        // A change's added lines: only what can touch them is looked for.
        let scan =
            scanner.scan_bytes_within(path, bytes, blob.added.as_ref().and_then(Added::lines));
        report.diagnostics.extend(scan.diagnostics);
        if !scan.scanned {
            report.stats.files_skipped += 1;
            return 0;
        }
        report.stats.files_scanned += 1;
        report.stats.bytes_scanned += bytes.len() as u64;
        report.stats.findings_capped += scan.capped;
        let max = scanner.config.max_findings;
        for f in scan.findings {
            if let Some(added) = &blob.added {
                if !added.overlaps(f.line, f.end_line.max(f.line)) {
                    continue;
                }
            }
            if self.driver.kept.fetch_add(1, Ordering::Relaxed) >= max {
                report.stats.findings_capped += 1;
                continue;
            }
            report.findings.push(f);
            self.out.origins.push(blob.origin);
        }
        bytes.len() as u64
    }
}

impl Drop for Worker<'_, '_> {
    fn drop(&mut self) {
        let out = std::mem::take(&mut self.out);
        let mut merged = self.driver.merged.lock().unwrap_or_else(|p| p.into_inner());
        merged.merge(out);
    }
}
