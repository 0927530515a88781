//! What to scan. Inputs yield paths and bytes and know no rules: a directory tree (`walk`);
//! git inputs (staged, range, history) live beside it.

pub mod walk;
