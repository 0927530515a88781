//! Value parsers for the enum flags whose types live in pipeguard-core, so that `--help` lists
//! their possible values and a typo is refused with them.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use pipeguard_core::finding::{Confidence, Severity};
use pipeguard_core::report::Format;

fn parser<T: std::str::FromStr + Clone + Send + Sync + 'static>(
    values: &'static [&'static str],
) -> impl TypedValueParser<Value = T>
where
    T::Err: std::fmt::Debug,
{
    PossibleValuesParser::new(values).map(|s| s.parse::<T>().expect("a listed value parses"))
}

pub fn severity_parser() -> impl TypedValueParser<Value = Severity> {
    parser(&["low", "medium", "high", "critical"])
}

pub fn confidence_parser() -> impl TypedValueParser<Value = Confidence> {
    parser(&["low", "medium", "high"])
}

pub fn format_parser() -> impl TypedValueParser<Value = Format> {
    parser(&["text", "json", "sarif", "github"])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listed value parses (the `expect` above can never fire).
    #[test]
    fn listed_values_parse() {
        for v in ["low", "medium", "high", "critical"] {
            v.parse::<Severity>().unwrap();
        }
        for v in ["low", "medium", "high"] {
            v.parse::<Confidence>().unwrap();
        }
        for v in ["text", "json", "sarif", "github"] {
            v.parse::<Format>().unwrap();
        }
    }
}
