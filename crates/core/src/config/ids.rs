//! Rule and check ids named in a config must exist: a typo in `[rules] disable` or
//! `[rules.severity]` would otherwise silently do nothing. The error suggests the closest id.

use crate::error::Error;

/// Every id a config may name: built-in rules, policy checks, and this config's custom rules.
pub(crate) fn known<'a>(custom: &'a [&'a str]) -> impl Iterator<Item = &'a str> {
    crate::secrets::builtin_rule_ids()
        .iter()
        .copied()
        .chain(crate::policy::checks().iter().map(|c| c.id))
        .chain(custom.iter().copied())
}

/// The known id most like `id`, when one is close enough to be what was meant.
pub(crate) fn suggest<'a>(id: &str, custom: &'a [&'a str]) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in known(custom) {
        // A prefix of a real id (`generic-password` for `generic-password-assignment`) is the
        // commonest mistake; otherwise Jaro-Winkler similarity catches typos.
        let score = if candidate.starts_with(id) && id.len() >= 4 {
            0.95 + id.len() as f64 / candidate.len() as f64 / 100.0
        } else {
            strsim::jaro_winkler(id, candidate)
        };
        if score >= 0.85 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// An error for the first `(table, id)` whose id is not known.
pub(crate) fn check_known<'a>(
    file: &str,
    text: &str,
    named: impl Iterator<Item = (&'static str, &'a str)>,
    custom: &[&str],
) -> Result<(), Error> {
    for (table, id) in named {
        if known(custom).any(|k| k == id) {
            continue;
        }
        let hint = match suggest(id, custom) {
            Some(s) => format!("did you mean `{s}`? "),
            None => String::new(),
        };
        let quoted = format!("\"{id}\"");
        let line = text
            .lines()
            .position(|l| l.contains(&quoted) || l.trim_start().starts_with(id))
            .map_or(1, |i| i + 1);
        return Err(Error::Config {
            file: file.to_string(),
            line,
            column: 1,
            message: format!(
                "unknown rule or check id `{id}` in {table}: {hint}(`pipeguard rules` lists every id)"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), Error> {
        let raw: toml::Table = toml::from_str(text).unwrap();
        let rules = raw
            .get("rules")
            .and_then(|r| r.as_table())
            .cloned()
            .unwrap_or_default();
        let disable: Vec<String> = rules
            .get("disable")
            .and_then(|d| d.as_array())
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        let severity: Vec<String> = rules
            .get("severity")
            .and_then(|s| s.as_table())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        check_known(
            "p.toml",
            text,
            disable
                .iter()
                .map(|i| ("[rules] disable", i.as_str()))
                .chain(severity.iter().map(|i| ("[rules.severity]", i.as_str()))),
            &["acme-key"],
        )
    }

    #[test]
    fn known_ids_pass() {
        let text = "[rules]\ndisable = [\"github-classic-pat\", \"acme-key\"]\n[rules.severity]\ngeneric-password-assignment = \"low\"\n";
        check(text).unwrap();
    }

    #[test]
    fn a_prefix_of_a_real_id_suggests_it() {
        let e = check("[rules]\ndisable = [\"generic-password\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "p.toml:2:1: unknown rule or check id `generic-password` in [rules] disable"
            ),
            "{e}"
        );
        assert!(e.contains("did you mean `generic-password-"), "{e}");
    }

    #[test]
    fn a_typo_suggests_the_id() {
        let e = check("[rules]\n\n[rules.severity]\ngithub-clasic-pat = \"low\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p.toml:4:1:"), "{e}");
        assert!(
            e.contains("in [rules.severity]: did you mean `github-classic-pat`?"),
            "{e}"
        );
    }

    #[test]
    fn a_custom_rule_id_is_suggested_too_and_nonsense_gets_no_guess() {
        let e = check("[rules]\ndisable = [\"acme-kye\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `acme-key`?"), "{e}");
        let e = check("[rules]\ndisable = [\"zzzzqqqq\"]\n")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("did you mean"), "{e}");
        assert!(e.contains("`pipeguard rules` lists every id"), "{e}");
    }
}
