//! What to scan. Inputs yield paths and bytes and know no rules: a directory tree (`walk`);
//! git inputs (staged, range, history, sweeps of many repositories) in `git`.

pub mod git;
pub mod walk;
