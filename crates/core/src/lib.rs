//! pipeguard-core: everything that scans, decides and reports.
//!
//! `input` yields blobs → the secret engine and the policy engine turn each blob into findings →
//! `suppress` drops what config, inline comments or the baseline allow → `report` renders.
//! The library never prints and never exits; the binaries decide.

pub mod finding;
pub mod policy;
