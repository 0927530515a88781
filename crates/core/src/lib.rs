//! pipeguard-core: everything that scans, decides and reports.
//!
//! `input` yields blobs → the secret engine and the policy engine turn each blob into findings →
//! `suppress` drops what config, inline comments or the baseline allow → `report` renders.
//! The library never prints and never exits; the binaries decide.

pub mod config;
pub mod docs;
pub mod error;
pub mod finding;
pub mod input;
pub mod policy;
pub mod report;
pub mod scan;
pub mod secrets;
pub mod suppress;
pub mod sweep;

pub use config::Config;
pub use error::Error;
pub use finding::{Confidence, Finding, Severity};
pub use scan::{Diagnostic, Level, Report, Scanner};
