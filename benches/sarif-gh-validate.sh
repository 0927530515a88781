#!/usr/bin/env bash
# GitHub code scanning's SARIF ingestion rules, checked offline.
#
# Builds pipeguard-action, runs it as GitHub would on repositories made in a temp dir, and
# validates each SARIF file with `sarif-multitool validate --rule-kind Gh` (the npm package
# @microsoft/sarif-multitool; installed globally or run through npx). Not a CI test: CI has no
# npm guarantee. Exit 0 when every file has no error.
#
#   1. every built-in rule's examples and every policy check's "Example" block, added by a pull
#      request (scan: changes) → one SARIF result per finding, one rule entry per id;
#   2. the same repository's whole history (schedule) and tree (scan: tree);
#   3. 25,100 findings (scan: tree) → truncated to 25,000 with a notification.
#
# Usage: benches/sarif-gh-validate.sh [--keep]   (--keep leaves the work directory for a look)
#        BIN_DIR=target/debug benches/sarif-gh-validate.sh   (use binaries already built)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
keep=${1:-}

if command -v sarif-multitool >/dev/null; then
  # The npm bin is a node shim that runs the native tool through a shell; call the tool itself.
  mt=$(node -e "process.stdout.write(require(require('path').join(require('child_process').execSync('npm root -g').toString().trim(), '@microsoft/sarif-multitool')))" 2>/dev/null || true)
  [ -x "$mt" ] || mt=sarif-multitool
  multitool=("$mt")
else
  multitool=(npx --yes @microsoft/sarif-multitool)
fi
echo "sarif-multitool: $("${multitool[@]}" --version 2>&1 | head -1)"

export CARGO_TERM_COLOR=never
if [ -n "${BIN_DIR:-}" ]; then
  bin=$BIN_DIR # prebuilt pipeguard and pipeguard-action
else
  cargo build --quiet --release -p pipeguard -p pipeguard-action
  bin=${CARGO_TARGET_DIR:-$root/target}/release
fi

work=$(mktemp -d)
if [ "$keep" = --keep ]; then echo "work directory: $work"; else trap 'rm -rf "$work"' EXIT; fi

g() {
  git -c user.name=Bench -c user.email=bench@example.invalid -c commit.gpgsign=false \
    -c init.defaultBranch=main "$@"
}

# Run the action in $1 (workspace) for event $2 with event JSON $3, SARIF to $4; extra env after.
run_action() {
  local ws=$1 event=$2 json=$3 sarif=$4
  shift 4
  printf '%s' "$json" > "$work/event.json"
  : > "$work/summary.md"
  : > "$work/output.txt"
  local code=0
  env -i PATH="$PATH" HOME="$HOME" \
    GITHUB_EVENT_NAME="$event" GITHUB_EVENT_PATH="$work/event.json" GITHUB_WORKSPACE="$ws" \
    GITHUB_SHA="$(g -C "$ws" rev-parse HEAD)" GITHUB_REF=refs/heads/main \
    GITHUB_STEP_SUMMARY="$work/summary.md" GITHUB_OUTPUT="$work/output.txt" \
    GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=octo/bench \
    INPUT_SARIF_FILE="$sarif" "$@" "$bin/pipeguard-action" > "$work/log.txt" 2>&1 || code=$?
  if [ "$code" -ge 2 ]; then
    echo "pipeguard-action failed (exit $code):" >&2
    cat "$work/log.txt" >&2
    exit 1
  fi
}

failures=0
validate() {
  local file=$1 what=$2
  local stats
  stats=$(node -e '
    const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const r = d.runs[0];
    const notes = (r.invocations[0].toolExecutionNotifications || []).length;
    console.log(`${r.results.length} results, ${r.tool.driver.rules.length} rules, ${notes} notifications`);
  ' "$file")
  # The file goes first: --rule-kind takes a list and would swallow it.
  local out
  out=$("${multitool[@]}" validate "$file" --max-file-size-in-kb 204800 --rule-kind Gh 2>&1 || true)
  local errors warnings
  errors=$(grep -c ': error ' <<<"$out" || true)
  warnings=$(grep -c ': warning ' <<<"$out" || true)
  local size gz
  size=$(wc -c < "$file")
  gz=$(gzip -c "$file" | wc -c)
  printf '%-34s %-50s %6s kB (%5s kB gzip)  %s error(s), %s warning(s)\n' \
    "$what" "$stats" $((size / 1000)) $((gz / 1000)) "$errors" "$warnings"
  # GitHub takes at most 10 MB of gzip-compressed SARIF per upload.
  if [ "$gz" -gt 10000000 ]; then
    echo "  over GitHub's 10 MB (gzip) upload limit"
    failures=$((failures + 1))
  fi
  if [ "$errors" != 0 ] || ! grep -q 'Analysis completed successfully' <<<"$out"; then
    grep -E ': (error|warning) |ERR|rror' <<<"$out" | head -40
    failures=$((failures + 1))
  fi
}

# 1. A repository whose pull request adds every rule's examples and every check's Example.
repo=$work/repo
mkdir -p "$repo"
g -C "$repo" init -q
printf '# bench\n' > "$repo/README.md"
g -C "$repo" add -A && g -C "$repo" commit -qm base
base=$(g -C "$repo" rev-parse HEAD)
g -C "$repo" checkout -qb feature
"$bin/pipeguard" rules --format json > "$work/rules.json"
node - "$work/rules.json" "$repo" <<'EOF'
const fs = require("fs"), path = require("path");
const [rulesFile, repo] = process.argv.slice(2);
const doc = JSON.parse(fs.readFileSync(rulesFile, "utf8"));
const write = (rel, text) => {
  const p = path.join(repo, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.appendFileSync(p, text.endsWith("\n") ? text : text + "\n");
};
// Secret rules: each example in a file the rule applies to (its first `paths` glob, filled in).
for (const r of doc.secret_rules) {
  const glob = (r.paths || [])[0];
  const rel = glob
    ? glob.replace(/^\*\*\//, "").replace(/\*\*\//g, "").replace(/\*\*/g, "x").replace(/[*?]/g, "x").replace(/[{}\[\]]/g, "")
    : `secrets/${r.id}, 100%.txt`; // a comma, a space and a percent sign in the URI
  const dir = glob ? `by-rule/${r.id}/` : "";
  for (const e of r.examples) write(dir + rel, e);
}
// Policy checks: the first fenced block under "Example", at the path its info string names
// (```yaml .github/workflows/ci.yml), else with the extension its language says.
const ext = { json: "json", yaml: "yaml", yml: "yaml", hcl: "tf", terraform: "tf", tf: "tf" };
for (const c of doc.policy_checks || []) {
  const m = /#+\s*Example\s*\n+```(\w+)[ \t]*([^\n]*)\n([\s\S]*?)```/.exec(c.docs || "");
  if (!m) continue;
  const [, lang, named, text] = m;
  const rel = named.trim()
    ? `policy/${c.id}/${named.trim()}`
    : `policy/${c.id}/example.${ext[lang.toLowerCase()] || "txt"}`;
  write(rel, text);
}
EOF
g -C "$repo" add -A && g -C "$repo" commit -qm "every example"
head=$(g -C "$repo" rev-parse HEAD)
pr_event=$(printf '{"number":1,"pull_request":{"number":1,"base":{"sha":"%s"},"head":{"sha":"%s"}},"repository":{"default_branch":"main"}}' "$base" "$head")

echo
run_action "$repo" pull_request "$pr_event" changes.sarif
validate "$repo/changes.sarif" "pull_request (scan: changes)"
run_action "$repo" schedule '{}' history.sarif
validate "$repo/history.sarif" "schedule (whole history)"
run_action "$repo" workflow_dispatch '{}' tree.sarif INPUT_SCAN=tree
validate "$repo/tree.sarif" "workflow_dispatch (scan: tree)"

# 3. More findings than GitHub takes.
big=$work/big
mkdir -p "$big"
cat > "$big/.pipeguard.toml" <<'EOF'
version = 1
[[rules.custom]]
id = "bench-key"
name = "Bench key"
severity = "low"
confidence = "high"
keywords = ["bench_"]
pattern = '''\b(bench_[a-z0-9]{32})\b'''
description = "A synthetic key for the SARIF limit benchmark."
fix = "Nothing: it is synthetic."
examples = ["k = bench_0123456789abcdefghijklmnopqrstuv"]
negative_examples = ["k = bench_"]
EOF
node - "$big" <<'EOF'
const fs = require("fs"), path = require("path");
let x = 0x2545f491n;
const next = () => { x ^= x << 13n; x &= (1n << 64n) - 1n; x ^= x >> 7n; x ^= x << 17n; x &= (1n << 64n) - 1n; return x; };
const abc = "abcdefghijklmnopqrstuvwxyz0123456789";
const lines = [];
for (let i = 0; i < 25100; i++) {
  let s = "";
  for (let j = 0; j < 32; j++) s += abc[Number(next() % 36n)];
  lines.push(`key_${i} = bench_${s}`);
}
fs.writeFileSync(path.join(process.argv[2], "many.txt"), lines.join("\n") + "\n");
EOF
g -C "$big" init -q && g -C "$big" add -A && g -C "$big" commit -qm big
run_action "$big" workflow_dispatch '{}' big.sarif INPUT_SCAN=tree
validate "$big/big.sarif" "25,100 findings (scan: tree)"
grep -o 'only the [0-9,]* most severe[^"]*' "$big/big.sarif" | head -1

echo
if [ "$failures" != 0 ]; then
  echo "FAIL: $failures SARIF file(s) with errors"
  exit 1
fi
echo "OK: no sarif-multitool error (rule kind Gh)"
