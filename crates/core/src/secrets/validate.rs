//! Offline checks of a captured secret: entropy, checksums, structure.
//! A validator never touches the network.

use base64::Engine as _;
use std::collections::BTreeMap;

/// The named validators a rule may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    GithubChecksum,
    NpmChecksum,
    Jwt,
    AwsAccessKeyId,
    Base64,
    PrivateKey,
}

impl Validator {
    pub const NAMES: &'static [&'static str] = &[
        "github-checksum",
        "npm-checksum",
        "jwt",
        "aws-access-key-id",
        "base64",
        "private-key",
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "github-checksum" => Self::GithubChecksum,
            "npm-checksum" => Self::NpmChecksum,
            "jwt" => Self::Jwt,
            "aws-access-key-id" => Self::AwsAccessKeyId,
            "base64" => Self::Base64,
            "private-key" => Self::PrivateKey,
            _ => return None,
        })
    }

    /// `Some(facts)` when the secret passes (facts go into `Finding::extra`), `None` when it fails.
    pub fn check(self, secret: &[u8]) -> Option<BTreeMap<String, String>> {
        let ok = match self {
            Self::GithubChecksum => prefixed_crc32_ok(secret, 4),
            Self::NpmChecksum => prefixed_crc32_ok(secret, 4),
            Self::Jwt => jwt_ok(secret),
            Self::AwsAccessKeyId => {
                let account = aws_account_id(secret)?;
                let mut facts = BTreeMap::new();
                facts.insert("aws_account_id".to_string(), account);
                return Some(facts);
            }
            Self::Base64 => decode_base64(secret).is_some(),
            Self::PrivateKey => private_key_ok(secret),
        };
        ok.then(BTreeMap::new)
    }
}

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// base62 of a CRC32, left-padded with `0` to 6 characters (GitHub's and npm's token checksum).
pub fn base62_crc32(data: &[u8]) -> String {
    let mut n = crc32fast::hash(data) as u64;
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `prefix` + 30 base62 chars + 6 base62 chars of CRC32 over the 30.
fn prefixed_crc32_ok(secret: &[u8], prefix_len: usize) -> bool {
    if secret.len() != prefix_len + 36 {
        return false;
    }
    let body = &secret[prefix_len..prefix_len + 30];
    let check = &secret[prefix_len + 30..];
    body.iter().all(u8::is_ascii_alphanumeric) && base62_crc32(body).as_bytes() == check
}

/// AWS access key ids encode the account id: base32 of the 10 bytes after the 4-char prefix,
/// whose bits 7..47 (after a one-bit shift) are the account number.
pub fn aws_account_id(key_id: &[u8]) -> Option<String> {
    const PREFIXES: &[&[u8]] = &[
        b"AKIA", b"ASIA", b"ABIA", b"ACCA", b"AGPA", b"AIDA", b"AIPA", b"ANPA", b"ANVA", b"APKA",
        b"AROA", b"ASCA", b"A3T",
    ];
    if key_id.len() != 20 || !PREFIXES.iter().any(|p| key_id.starts_with(p)) {
        return None;
    }
    let tail = &key_id[4..];
    let mut bits: u128 = 0;
    for &c in tail {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        bits = (bits << 5) | v as u128;
    }
    // 16 chars * 5 bits = 80 bits = 10 bytes; the account id is the first 6 bytes shifted by 1.
    let first6 = (bits >> 32) as u64 & 0xFFFF_FFFF_FFFF;
    let account = (first6 & 0x7FFF_FFFF_FF80) >> 7;
    Some(format!("{account:012}"))
}

fn decode_base64(s: &[u8]) -> Option<Vec<u8>> {
    let trimmed: Vec<u8> = s
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines.iter().find_map(|e| e.decode(&trimmed).ok())
}

fn jwt_ok(secret: &[u8]) -> bool {
    let parts: Vec<&[u8]> = secret.split(|&b| b == b'.').collect();
    if parts.len() != 3 {
        return false;
    }
    let Some(header) = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[0].strip_suffix(b"=").unwrap_or(parts[0]))
        .ok()
    else {
        return false;
    };
    let Ok(header) = serde_json::from_slice::<serde_json::Value>(&header) else {
        return false;
    };
    let alg = header.get("alg").and_then(|a| a.as_str()).unwrap_or("none");
    if alg.eq_ignore_ascii_case("none") {
        return false;
    }
    let payload_ok = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1])
        .ok()
        .and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok())
        .is_some_and(|v| v.is_object());
    payload_ok && parts[2].len() >= 16
}

fn private_key_ok(secret: &[u8]) -> bool {
    // Strip the armour lines and headers; count real base64 body characters.
    // Keys flattened onto one line (JSON, env files) use literal `\n` escapes: unfold them first.
    let text = String::from_utf8_lossy(secret).replace("\\n", "\n");
    if text.contains("...") || text.contains('…') {
        return false;
    }
    let body: usize = text
        .lines()
        .map(str::trim)
        .map(|l| l.trim_matches(|c| c == '"' || c == '\'' || c == ',' || c == '\\'))
        .filter(|l| !l.starts_with("-----") && !l.contains(':'))
        .map(|l| {
            l.bytes()
                .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/' || *b == b'=')
                .count()
        })
        .sum();
    body >= 64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github_token(prefix: &str, body: &str) -> String {
        format!("{prefix}{body}{}", base62_crc32(body.as_bytes()))
    }

    #[test]
    fn github_checksum_accepts_valid_and_rejects_tampered() {
        let t = github_token("ghp_", "R4nd0mChars0nlyF0rT3stingPurpo");
        assert_eq!(t.len(), 40);
        assert!(Validator::GithubChecksum.check(t.as_bytes()).is_some());
        let mut bad = t.clone().into_bytes();
        bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
        assert!(Validator::GithubChecksum.check(&bad).is_none());
    }

    #[test]
    fn aws_account_id_is_decoded() {
        // A published decoding example: this key id belongs to account 609629065308.
        assert_eq!(
            aws_account_id(b"ASIAY34FZKBOKMUTVV7A").as_deref(), // pipeguard:allow
            Some("609629065308")
        );
        assert!(aws_account_id(b"AKIA1234").is_none());
    }

    #[test]
    fn jwt_rejects_alg_none() {
        // {"alg":"HS256","typ":"JWT"} . {"sub":"1"} . sig
        let good = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJlMTIzNDU2"; // pipeguard:allow
        assert!(Validator::Jwt.check(good).is_some());
        // {"alg":"none"}
        let none = b"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJlMTIzNDU2";
        assert!(Validator::Jwt.check(none).is_none());
    }

    #[test]
    fn private_keys_on_one_line_are_unfolded() {
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7".repeat(3);
        let one_line = format!("-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----");
        assert!(Validator::PrivateKey.check(one_line.as_bytes()).is_some());
        let elided = "-----BEGIN PRIVATE KEY-----\\nMIIE...\\n-----END PRIVATE KEY-----";
        assert!(Validator::PrivateKey.check(elided.as_bytes()).is_none());
    }

    #[test]
    fn entropy_bounds() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}
