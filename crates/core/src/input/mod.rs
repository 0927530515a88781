//! What to scan. Inputs only *yield blobs* and know no rules: a directory tree or named files
//! (`walk`); git inputs (staged, range, history, sweeps of many repositories) in `git`. The one
//! driver in [`crate::scan::driver`] reads each blob (size and binary rules), runs both engines in
//! one parallel scheme and collects statistics and diagnostics.

pub mod git;
pub mod walk;

use std::io::Read;
use std::path::PathBuf;

/// One thing to scan, as an input yields it.
pub struct Blob<'r> {
    /// `/`-separated, relative to the repository root (or to the scanned directory outside a
    /// repository): what findings report and fingerprints hash.
    pub path: String,
    /// Where the content comes from, for attribution.
    pub origin: Origin,
    /// For change scans (staged, range): the lines the change adds; only findings that touch them
    /// are kept. `None`: every line counts.
    pub added: Option<Added>,
    /// The content, read by the driver after the size check.
    pub content: Content<'r>,
}

/// Where a blob comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A file in the working tree (or named on the command line).
    File,
    /// Standard input.
    Stdin,
    /// The git index (what is staged).
    Index,
    /// A commit; the number indexes the input's own commit table (see the history input).
    Commit(u32),
    /// Reachable from a ref without a commit (a tag pointing straight at a blob or tree).
    Ref(u32),
}

/// The content of a blob, loaded lazily so that an oversized one is never read.
pub enum Content<'r> {
    /// Already in memory (standard input).
    Bytes(Vec<u8>),
    /// A regular file: its size is known from its metadata.
    File(PathBuf),
    /// A FIFO, character device or other stream named on the command line: read up to the limit.
    Stream(PathBuf),
    /// A git object: its size comes from the object header.
    Object {
        repo: &'r git2::Repository,
        id: git2::Oid,
    },
}

/// Loaded content.
pub(crate) enum Loaded<'b> {
    /// In the reader's buffer.
    Bytes(&'b [u8]),
    Object(git2::Blob<'b>),
    /// Over the limit (the size, or `None` for a stream that kept going).
    TooLarge(Option<u64>),
}

impl Loaded<'_> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Loaded::Bytes(b) => b,
            Loaded::Object(b) => b.content(),
            Loaded::TooLarge(_) => &[],
        }
    }
}

impl<'r> Content<'r> {
    /// Read the content, unless it is larger than `limit` bytes. Files and streams are read into
    /// `buf` (a worker reuses one buffer for every file); a git object is read by libgit2.
    pub(crate) fn load<'b>(self, limit: u64, buf: &'b mut Vec<u8>) -> Result<Loaded<'b>, String>
    where
        'r: 'b,
    {
        let err = |e: std::io::Error| format!("could not read: {e}");
        match self {
            Content::Bytes(b) if b.len() as u64 > limit => {
                Ok(Loaded::TooLarge(Some(b.len() as u64)))
            }
            Content::Bytes(b) => {
                *buf = b;
                Ok(Loaded::Bytes(buf))
            }
            Content::File(path) => {
                // One path look-up: the size comes from the open file. A file that cannot be
                // opened but is over the limit anyway is skipped as too large.
                let file = match std::fs::File::open(&path) {
                    Ok(f) => f,
                    Err(e) => {
                        return match std::fs::metadata(&path) {
                            Ok(m) if m.len() > limit => Ok(Loaded::TooLarge(Some(m.len()))),
                            _ => Err(err(e)),
                        }
                    }
                };
                let len = file.metadata().map_err(err)?.len();
                if len > limit {
                    return Ok(Loaded::TooLarge(Some(len)));
                }
                buf.clear();
                buf.reserve(len as usize);
                // A file that grew since its size was read is still held to the limit.
                read_capped(file, limit, buf)
            }
            Content::Stream(path) => {
                let f = std::fs::File::open(&path).map_err(err)?;
                buf.clear();
                read_capped(f, limit, buf)
            }
            Content::Object { repo, id } => {
                if let Ok((size, _)) = repo.odb().and_then(|o| o.read_header(id)) {
                    if size as u64 > limit {
                        return Ok(Loaded::TooLarge(Some(size as u64)));
                    }
                }
                repo.find_blob(id)
                    .map(Loaded::Object)
                    .map_err(|e| format!("could not read blob {id}: {}", e.message()))
            }
        }
    }
}

/// Append a stream to `buf`, up to `limit` bytes; one byte more means it is too large.
pub(crate) fn read_capped<'b>(
    r: impl Read,
    limit: u64,
    buf: &'b mut Vec<u8>,
) -> Result<Loaded<'b>, String> {
    let start = buf.len();
    r.take(limit.saturating_add(1))
        .read_to_end(buf)
        .map_err(|e| format!("could not read: {e}"))?;
    if (buf.len() - start) as u64 > limit {
        return Ok(Loaded::TooLarge(None));
    }
    Ok(Loaded::Bytes(&buf[start..]))
}

/// Lines a change adds to a blob, as 1-based inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// The whole blob is new.
    All,
    /// Sorted, non-overlapping ranges.
    Lines(Vec<(usize, usize)>),
}

impl Added {
    pub fn is_empty(&self) -> bool {
        matches!(self, Added::Lines(v) if v.is_empty())
    }

    /// The added line ranges, or `None` when the whole blob is new.
    pub fn lines(&self) -> Option<&[(usize, usize)]> {
        match self {
            Added::All => None,
            Added::Lines(ranges) => Some(ranges),
        }
    }

    /// True when any line in `first..=last` is added.
    pub fn overlaps(&self, first: usize, last: usize) -> bool {
        match self {
            Added::All => true,
            Added::Lines(ranges) => {
                // The first range that ends at or after `first`.
                let i = ranges.partition_point(|&(_, end)| end < first);
                ranges.get(i).is_some_and(|&(start, _)| start <= last)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_overlaps() {
        let a = Added::Lines(vec![(3, 4), (10, 10)]);
        assert!(!a.overlaps(1, 2));
        assert!(a.overlaps(2, 3));
        assert!(a.overlaps(4, 9));
        assert!(!a.overlaps(5, 9));
        assert!(a.overlaps(10, 10));
        assert!(!a.overlaps(11, 20));
        assert!(Added::All.overlaps(7, 7));
    }

    #[test]
    fn streams_are_read_up_to_the_limit() {
        let mut buf = Vec::new();
        let l = read_capped(&b"abcdef"[..], 6, &mut buf).unwrap();
        assert_eq!(l.bytes(), b"abcdef");
        assert!(matches!(
            read_capped(&b"abcdefg"[..], 6, &mut Vec::new()).unwrap(),
            Loaded::TooLarge(None)
        ));
    }

    #[test]
    fn files_are_read_into_the_buffer_and_held_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        let big = dir.path().join("big");
        std::fs::write(&small, b"abc").unwrap();
        std::fs::write(&big, b"abcdefgh").unwrap();
        // A buffer that held a longer file before: only this file's bytes are returned.
        let mut buf = b"left over from the previous file".to_vec();
        let bytes = |l: Loaded<'_>| l.bytes().to_vec();
        assert_eq!(
            bytes(Content::File(small.clone()).load(4, &mut buf).unwrap()),
            b"abc"
        );
        assert!(matches!(
            Content::File(big).load(4, &mut buf).unwrap(),
            Loaded::TooLarge(Some(8))
        ));
        // Control: the limit is inclusive.
        assert_eq!(
            bytes(Content::File(small).load(3, &mut buf).unwrap()),
            b"abc"
        );
        let e = Content::File(dir.path().join("missing"))
            .load(4, &mut buf)
            .err()
            .unwrap();
        assert!(e.starts_with("could not read: "), "{e}");
    }
}
