//! The repositories of a GitHub organisation, through the REST API (`GET /orgs/{org}/repos`),
//! for `pipeguard sweep --github-org`.
//!
//! Pages follow the `Link: <…>; rel="next"` header, and only while it stays on the API's own
//! origin (the token is never sent elsewhere). `GITHUB_TOKEN` is read from the environment and
//! only ever put in the `Authorization` header, never in a message. Rate limits (429, or 403 with
//! `Retry-After` or `X-RateLimit-Remaining: 0`) are waited out — `Retry-After` seconds, else until
//! `X-RateLimit-Reset` — up to `PIPEGUARD_GITHUB_MAX_WAIT` seconds (default 900) per wait; a
//! longer wait is an error that says when to try again. `GITHUB_API_URL` points at GitHub
//! Enterprise (or, in tests, at a local server).

use anyhow::{bail, Context as _, Result};
use serde_json::Value;
use std::io::Read as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Default for `PIPEGUARD_GITHUB_MAX_WAIT`, in seconds.
const DEFAULT_MAX_WAIT: u64 = 900;
/// Rate-limit waits per request before giving up.
const MAX_RETRIES: u32 = 5;

/// An API client: where, who, and how to wait (injectable for tests).
pub struct Client {
    api: String,
    token: Option<String>,
    user_agent: String,
    max_wait: Duration,
    agent: ureq::Agent,
    pub sleep: Box<dyn Fn(Duration)>,
    pub now: Box<dyn Fn() -> SystemTime>,
    pub log: Box<dyn Fn(&str)>,
}

impl Client {
    pub fn new(api: &str, token: Option<String>, version: &str, max_wait: Duration) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Client {
            api: api.trim_end_matches('/').to_string(),
            token: token.filter(|t| !t.is_empty()),
            user_agent: format!("pipeguard/{version}"),
            max_wait,
            agent,
            sleep: Box::new(std::thread::sleep),
            now: Box::new(SystemTime::now),
            log: Box::new(|m| eprintln!("pipeguard: {m}")),
        }
    }

    /// From `GITHUB_API_URL` (default the public API), `GITHUB_TOKEN` and
    /// `PIPEGUARD_GITHUB_MAX_WAIT`.
    pub fn from_env(version: &str) -> Result<Self> {
        let api = std::env::var("GITHUB_API_URL")
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "https://api.github.com".into());
        let max_wait = match std::env::var("PIPEGUARD_GITHUB_MAX_WAIT") {
            Ok(v) => v.trim().parse().with_context(|| {
                format!("PIPEGUARD_GITHUB_MAX_WAIT=`{v}` is not a number of seconds")
            })?,
            Err(_) => DEFAULT_MAX_WAIT,
        };
        Ok(Client::new(
            &api,
            std::env::var("GITHUB_TOKEN").ok(),
            version,
            Duration::from_secs(max_wait),
        ))
    }

    /// GET a URL, waiting out rate limits; the status, headers and body of the final answer.
    fn get(&self, url: &str) -> Result<(u16, Option<String>, String)> {
        let mut attempt = 0;
        loop {
            let mut req = self
                .agent
                .get(url)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("User-Agent", &self.user_agent);
            if let Some(t) = &self.token {
                req = req.header("Authorization", &format!("Bearer {t}"));
            }
            let mut resp = req
                .call()
                .map_err(|e| anyhow::anyhow!("GitHub API request to {url} failed: {e}"))?;
            let status = resp.status().as_u16();
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let link = header("link");
            let wait = rate_limit_wait(
                status,
                header("retry-after").as_deref(),
                header("x-ratelimit-remaining").as_deref(),
                header("x-ratelimit-reset").as_deref(),
                (self.now)(),
            );
            let mut body = String::new();
            resp.body_mut()
                .as_reader()
                .take(64 << 20)
                .read_to_string(&mut body)
                .with_context(|| format!("cannot read the GitHub API's answer from {url}"))?;
            let Some(wait) = wait else {
                return Ok((status, link, body));
            };
            attempt += 1;
            if attempt > MAX_RETRIES {
                bail!("GitHub API rate limit: still limited after {MAX_RETRIES} waits ({url})");
            }
            if wait > self.max_wait {
                bail!(
                    "GitHub API rate limit: the API asks to wait {} s, more than the {} s allowed \
                     (PIPEGUARD_GITHUB_MAX_WAIT); try again later or raise the limit",
                    wait.as_secs(),
                    self.max_wait.as_secs()
                );
            }
            (self.log)(&format!(
                "GitHub API rate limit (HTTP {status}): waiting {} s",
                wait.as_secs()
            ));
            (self.sleep)(wait);
        }
    }
}

/// How long a rate-limited answer asks to wait, or `None` when it is not rate-limited.
fn rate_limit_wait(
    status: u16,
    retry_after: Option<&str>,
    remaining: Option<&str>,
    reset: Option<&str>,
    now: SystemTime,
) -> Option<Duration> {
    let exhausted = remaining.is_some_and(|r| r.trim() == "0");
    let limited = status == 429 || (status == 403 && (retry_after.is_some() || exhausted));
    if !limited {
        return None;
    }
    if let Some(secs) = retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    if let Some(reset) = reset.and_then(|v| v.trim().parse::<u64>().ok()) {
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        // One second of slack: the reset time is whole seconds.
        return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
    }
    // Limited without a hint (a secondary limit): GitHub suggests at least a minute.
    Some(Duration::from_secs(60))
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"))
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    match url[after..].find('/') {
        Some(i) => &url[..after + i],
        None => url,
    }
}

/// The clone URLs of an organisation's repositories, in the API's order, without archived
/// repositories and forks unless asked.
pub fn list_org(
    client: &Client,
    org: &str,
    include_forks: bool,
    include_archived: bool,
) -> Result<Vec<String>> {
    if org.is_empty()
        || !org
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        bail!("`{org}` is not a GitHub organisation name");
    }
    let mut url = format!("{}/orgs/{org}/repos?per_page=100&type=all", client.api);
    let mut out = Vec::new();
    let (mut forks, mut archived) = (0, 0);
    let mut visited = std::collections::HashSet::from([url.clone()]);
    loop {
        let (status, link, body) = client.get(&url)?;
        if status != 200 {
            let msg = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_string))
                .unwrap_or_default();
            let hint = match status {
                401 => " (is GITHUB_TOKEN valid?)",
                404 => " (no such organisation, or GITHUB_TOKEN cannot see it)",
                _ => "",
            };
            bail!("GitHub API: HTTP {status} for {url}: {msg}{hint}");
        }
        let page: Vec<Value> = serde_json::from_str(&body)
            .with_context(|| format!("GitHub API: {url} did not return a list of repositories"))?;
        for r in page {
            let Some(clone) = r["clone_url"].as_str() else {
                bail!("GitHub API: a repository without `clone_url` in {url}");
            };
            if r["fork"].as_bool() == Some(true) && !include_forks {
                forks += 1;
                continue;
            }
            if r["archived"].as_bool() == Some(true) && !include_archived {
                archived += 1;
                continue;
            }
            out.push(clone.to_string());
        }
        match link.as_deref().and_then(next_link) {
            Some(next) if !visited.insert(next.clone()) => {
                bail!("GitHub API: the pages loop back to {next}")
            }
            Some(next) if origin(&next) == origin(&client.api) => url = next,
            Some(next) => bail!(
                "GitHub API: the next page is on another host ({}); not following it with the token",
                origin(&next)
            ),
            None => break,
        }
    }
    (client.log)(&format!(
        "{org}: {} repositories ({forks} forks and {archived} archived left out{})",
        out.len(),
        if include_forks || include_archived {
            " as asked"
        } else {
            "; --include-forks, --include-archived"
        }
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::rc::Rc;

    #[test]
    fn link_header_next_and_origin() {
        let h = r#"<https://api.example/orgs/o/repos?page=2>; rel="next", <https://api.example/orgs/o/repos?page=5>; rel="last""#;
        assert_eq!(
            next_link(h).unwrap(),
            "https://api.example/orgs/o/repos?page=2"
        );
        assert_eq!(next_link(r#"<https://a/x?page=1>; rel="prev""#), None);
        assert_eq!(
            origin("http://127.0.0.1:8080/orgs/x"),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn rate_limit_waits_follow_retry_after_then_reset() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(rate_limit_wait(200, Some("5"), None, None, now), None);
        assert_eq!(
            rate_limit_wait(403, None, Some("12"), Some("1100"), now),
            None,
            "a plain 403"
        );
        assert_eq!(
            rate_limit_wait(429, Some("7"), None, Some("1100"), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            rate_limit_wait(403, None, Some("0"), Some("1100"), now),
            Some(Duration::from_secs(101))
        );
        assert_eq!(
            rate_limit_wait(429, None, None, None, now),
            Some(Duration::from_secs(60))
        );
    }

    /// A one-request-per-connection HTTP server on 127.0.0.1 answering from a script.
    fn serve(answers: Vec<String>) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", l.local_addr().unwrap());
        let h = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for a in answers {
                let (mut s, _) = l.accept().unwrap();
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                seen.push(head);
                s.write_all(a.as_bytes()).unwrap();
            }
            seen
        });
        (base, h)
    }

    fn answer(status: &str, headers: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
            body.len()
        )
    }

    #[test]
    fn rate_limit_reset_is_waited_with_an_injected_clock_and_capped() {
        let reset = 1_000_000 + 120;
        let limited = answer(
            "403 Forbidden",
            &format!("X-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: {reset}\r\n"),
            r#"{"message":"API rate limit exceeded"}"#,
        );
        let ok = answer(
            "200 OK",
            "",
            r#"[{"clone_url":"https://h/o/a.git","fork":false,"archived":false}]"#,
        );
        let (base, server) = serve(vec![limited.clone(), ok]);
        let slept = Rc::new(RefCell::new(Vec::new()));
        let mut c = Client::new(&base, Some("t0ken".into()), "0", Duration::from_secs(300));
        let s2 = slept.clone();
        c.sleep = Box::new(move |d| s2.borrow_mut().push(d));
        c.now = Box::new(|| UNIX_EPOCH + Duration::from_secs(1_000_000));
        c.log = Box::new(|_| {});
        assert_eq!(
            list_org(&c, "o", false, false).unwrap(),
            ["https://h/o/a.git"]
        );
        assert_eq!(*slept.borrow(), [Duration::from_secs(121)]);
        let seen = server.join().unwrap();
        assert!(
            seen[0].contains("authorization: Bearer t0ken")
                || seen[0].contains("Authorization: Bearer t0ken"),
            "{}",
            seen[0]
        );
        // Control: a reset further away than the cap is an error, and nothing sleeps.
        let (base, server) = serve(vec![limited]);
        let mut c = Client::new(&base, None, "0", Duration::from_secs(60));
        let s3 = Rc::new(RefCell::new(Vec::<Duration>::new()));
        let s4 = s3.clone();
        c.sleep = Box::new(move |d| s4.borrow_mut().push(d));
        c.now = Box::new(|| UNIX_EPOCH + Duration::from_secs(1_000_000));
        let err = list_org(&c, "o", false, false).unwrap_err().to_string();
        assert!(
            err.contains("wait 121 s, more than the 60 s allowed"),
            "{err}"
        );
        assert!(s3.borrow().is_empty());
        server.join().unwrap();
    }
}
