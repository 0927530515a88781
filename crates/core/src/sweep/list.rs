//! The list of repositories a sweep covers: parsing a repos file, normalising each entry to a
//! machine-independent key, the list's digest, and the stable shard a repository belongs to.
//!
//! The key of a URL is its normalised form (lower-case scheme and host, no user name or password,
//! no trailing `/` or `.git`); the key of a local path is the path as written. Both the digest
//! and the shard depend only on the keys, so two machines that read the same list (in any order)
//! agree on both.

use crate::error::Error;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where a repository comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A repository on this machine, scanned in place (working tree or bare).
    Local(PathBuf),
    /// A URL given to `git clone --mirror` (may carry credentials; never printed).
    Remote(String),
}

/// One repository of a sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub source: Source,
    /// Normalised, credential-free identity: what shards, digests, state lines and findings use.
    pub key: String,
}

impl Repo {
    /// An entry as written in a repos file (or a clone URL from an API). Relative local paths are
    /// resolved against `base` (the repos file's directory) but keyed as written.
    pub fn parse(entry: &str, base: &Path) -> Result<Repo, String> {
        let entry = entry.trim();
        if let Some((scheme, _)) = entry.split_once("://") {
            let scheme = scheme.to_ascii_lowercase();
            if !matches!(
                scheme.as_str(),
                "https" | "http" | "file" | "ssh" | "git" | "git+ssh"
            ) {
                return Err(format!(
                    "unsupported URL scheme `{scheme}` (expected https, http, ssh, git or file)"
                ));
            }
            return Ok(Repo {
                key: normalize_url(entry),
                source: Source::Remote(entry.to_string()),
            });
        }
        if is_scp_like(entry) {
            return Ok(Repo {
                key: normalize_url(entry),
                source: Source::Remote(entry.to_string()),
            });
        }
        let key = entry.trim_end_matches(['/', '\\']);
        let key = if key.is_empty() { entry } else { key };
        Ok(Repo {
            key: key.to_string(),
            source: Source::Local(base.join(entry)),
        })
    }
}

/// `user@host:path` (git's scp-like syntax), as opposed to a local path such as `C:\x` or `./a:b`.
fn is_scp_like(s: &str) -> bool {
    let Some((head, _)) = s.split_once(':') else {
        return false;
    };
    head.contains('@') && !head.contains('/') && !head.contains('\\')
}

/// A URL without credentials: `https://user:token@Host/x.git` → `https://host/x`; scp-like
/// `git@host:org/repo.git` → `ssh://host/org/repo`. Anything else passes through `scrub`.
pub fn normalize_url(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r.to_string()),
        None if is_scp_like(url) => {
            let (head, path) = url.split_once(':').unwrap_or((url, ""));
            ("ssh".to_string(), format!("{head}/{path}"))
        }
        None => return url.to_string(),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest.as_str(), ""),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let mut path = path.trim_end_matches('/');
    if let Some(p) = path.strip_suffix(".git") {
        path = p.trim_end_matches('/');
    }
    format!("{scheme}://{}{path}", host.to_ascii_lowercase())
}

/// Remove the user-info part (`user:password@`) of every URL in `text`, for messages that quote
/// git's output or a URL as given. Plain `user@host:path` is left alone (no secret in it).
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '\'' | '"' | '<' | '>'))
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => out.push_str(&authority[at + 1..]),
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// A parsed repos file.
#[derive(Debug, Clone, Default)]
pub struct RepoList {
    /// In the file's order, duplicates (same key) removed.
    pub repos: Vec<Repo>,
}

impl RepoList {
    /// Read a repos file: one entry a line; `#` starts a comment; blank lines are ignored.
    pub fn load(path: &Path) -> Result<RepoList, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let base = path.parent().unwrap_or(Path::new("."));
        RepoList::parse(&text, base, &path.display().to_string())
    }

    /// Parse the text of a repos file; `file` names it in errors.
    pub fn parse(text: &str, base: &Path, file: &str) -> Result<RepoList, Error> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = match line.find(" #").or(line.starts_with('#').then_some(0)) {
                Some(c) => &line[..c],
                None => line,
            };
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let repo = Repo::parse(line, base).map_err(|message| Error::Config {
                file: file.to_string(),
                line: i + 1,
                column: 1,
                message: scrub(&message),
            })?;
            entries.push(repo);
        }
        Ok(RepoList::from_repos(entries))
    }

    /// A list from repositories in any order; later duplicates of a key are dropped.
    pub fn from_repos(repos: Vec<Repo>) -> RepoList {
        let mut seen = BTreeSet::new();
        RepoList {
            repos: repos
                .into_iter()
                .filter(|r| seen.insert(r.key.clone()))
                .collect(),
        }
    }

    /// sha256 of the sorted keys, one a line: the same for the same set of repositories, whatever
    /// the order of the file, its comments or the credentials in its URLs.
    pub fn digest(&self) -> String {
        let keys: BTreeSet<&str> = self.repos.iter().map(|r| r.key.as_str()).collect();
        let mut h = Sha256::new();
        for k in keys {
            h.update(k.as_bytes());
            h.update(b"\n");
        }
        hex(&h.finalize())
    }

    /// The repositories of one shard, in list order.
    pub fn shard(&self, shard: Shard) -> Vec<Repo> {
        self.repos
            .iter()
            .filter(|r| shard.contains(&r.key))
            .cloned()
            .collect()
    }
}

/// `K/N`: the K-th (1-based) of N shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The whole list.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Parse `K/N` (1 ≤ K ≤ N). `auto/N` takes K from `completion_index` (Kubernetes'
    /// `JOB_COMPLETION_INDEX`, 0-based).
    pub fn parse(s: &str, completion_index: Option<&str>) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("bad shard `{s}`: expected K/N (e.g. 2/4) or auto/N"))?;
        let count: u32 = n
            .trim()
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("bad shard `{s}`: N must be a positive integer"))?;
        let index: u32 = if k.trim() == "auto" {
            let v = completion_index.ok_or_else(|| {
                format!("shard `{s}`: auto needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job)")
            })?;
            v.trim().parse::<u32>().map(|i| i + 1).map_err(|_| {
                format!("shard `{s}`: JOB_COMPLETION_INDEX `{v}` is not a non-negative integer")
            })?
        } else {
            k.trim()
                .parse()
                .map_err(|_| format!("bad shard `{s}`: K must be a positive integer"))?
        };
        if index == 0 || index > count {
            return Err(format!("bad shard `{s}`: K must be between 1 and {count}"));
        }
        Ok(Shard { index, count })
    }

    /// Whether the repository with this key belongs to this shard: the first 8 bytes of
    /// sha256(key), as a big-endian integer, modulo N.
    pub fn contains(&self, key: &str) -> bool {
        let h = Sha256::digest(key.as_bytes());
        let mut b = [0u8; 8];
        b.copy_from_slice(&h[..8]);
        u64::from_be_bytes(b) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_normalise_to_one_key_and_lose_credentials() {
        let same = [
            "https://github.com/Org/Repo",
            "HTTPS://GitHub.com/Org/Repo.git",
            "https://x-access-token:s3cr3t@github.com/Org/Repo/",
            "https://github.com/Org/Repo.git/",
        ];
        for u in same {
            assert_eq!(normalize_url(u), "https://github.com/Org/Repo", "{u}");
        }
        // The path keeps its case (it is case-sensitive on most servers).
        assert_ne!(
            normalize_url("https://github.com/org/repo"),
            normalize_url("https://github.com/Org/Repo")
        );
        assert_eq!(
            normalize_url("git@GitHub.com:org/repo.git"),
            "ssh://github.com/org/repo"
        );
        assert_eq!(normalize_url("file:///srv/git/a.git"), "file:///srv/git/a");
    }

    #[test]
    fn scrub_removes_user_info_only() {
        assert_eq!(
            scrub("fatal: could not read from 'https://u:tok@host.example/x.git': denied"),
            "fatal: could not read from 'https://host.example/x.git': denied"
        );
        assert_eq!(scrub("see https://host/a@b"), "see https://host/a@b");
        assert_eq!(scrub("no url here"), "no url here");
    }

    #[test]
    fn parse_skips_comments_and_names_bad_lines() {
        let text = "# org repos\n\nhttps://h.example/a.git  # the first\n./local/b\nfile:///srv/c\nhttps://h.example/a\n";
        let list = RepoList::parse(text, Path::new("/base"), "repos.txt").unwrap();
        let keys: Vec<&str> = list.repos.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(
            keys,
            ["https://h.example/a", "./local/b", "file:///srv/c"],
            "duplicate of a dropped"
        );
        assert_eq!(
            list.repos[1].source,
            Source::Local(PathBuf::from("/base/./local/b"))
        );
        let err = RepoList::parse("ok/path\nftp://u:pw@h/x\n", Path::new("."), "repos.txt")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("repos.txt:2:1: unsupported URL scheme `ftp`"),
            "{err}"
        );
        assert!(!err.contains("pw"), "{err}");
    }

    #[test]
    fn digest_ignores_order_comments_and_credentials() {
        let a = RepoList::parse("https://h/a\nhttps://h/b\n", Path::new("."), "x").unwrap();
        let b = RepoList::parse(
            "# c\nhttps://tok@h/b.git\nhttps://H/a/\n",
            Path::new("."),
            "x",
        )
        .unwrap();
        assert_eq!(a.digest(), b.digest());
        let c = RepoList::parse("https://h/a\n", Path::new("."), "x").unwrap();
        assert_ne!(a.digest(), c.digest());
    }

    #[test]
    fn shards_partition_the_list() {
        let text: String = (0..200).map(|i| format!("https://h/r{i}\n")).collect();
        let list = RepoList::parse(&text, Path::new("."), "x").unwrap();
        let n = 4;
        let mut seen = BTreeSet::new();
        for k in 1..=n {
            let part = list.shard(Shard { index: k, count: n });
            // Balanced enough: no shard is empty or holds more than half.
            assert!(!part.is_empty() && part.len() < 100, "{k}: {}", part.len());
            for r in part {
                assert!(seen.insert(r.key), "a repository in two shards");
            }
        }
        assert_eq!(seen.len(), 200);
        assert_eq!(list.shard(Shard::ALL).len(), 200);
    }

    #[test]
    fn shard_parse_accepts_k_of_n_and_auto() {
        assert_eq!(Shard::parse("2/4", None), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(
            Shard::parse("auto/4", Some("3")),
            Ok(Shard { index: 4, count: 4 })
        );
        for bad in ["0/4", "5/4", "x/4", "1/0", "3"] {
            assert!(Shard::parse(bad, None).is_err(), "{bad}");
        }
        assert!(Shard::parse("auto/4", None)
            .unwrap_err()
            .contains("JOB_COMPLETION_INDEX"));
        assert!(Shard::parse("auto/4", Some("4")).is_err());
    }
}
