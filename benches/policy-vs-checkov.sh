#!/usr/bin/env bash
# Compare pipeguard's policy engine with checkov 3.x on the policy fixture corpus
# (crates/core/tests/fixtures/policy: an insecure and a secure case per check and format).
#
#   benches/policy-vs-checkov.sh            # report on stdout and in target/policy-vs-checkov.md
#
# Each case is laid out in its own directory (checkov treats a Terraform directory as one module;
# GitHub workflows must sit under .github/workflows for checkov to see them), then both tools scan
# the whole corpus once, timed (one untimed warm-up run each first).
#
# What counts as caught:
# - pipeguard: the insecure case gets a finding of its own check id; the secure case must not.
# - checkov (no mapping from our ids to its ids is assumed): the insecure case fails at least one
#   checkov check that the matching secure case passes — the two differ only in the property under
#   test, so a differential failure means checkov saw that problem. "any" counts insecure cases
#   with any failed checkov check at all, for reference.
# pipeguard runs with --no-secrets (policy engine only); checkov runs every framework it has except
# the SCA ones, including its secrets scanner, which can only help it here.
#
# Needs: cargo, python3 (with venv). checkov is installed into target/checkov-venv from PyPI
# (`pip install 'checkov>=3,<4'`) unless CHECKOV points at an executable.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FIX="$ROOT/crates/core/tests/fixtures/policy"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="${OUT:-$TARGET/policy-vs-checkov.md}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [[ -z "${CHECKOV:-}" ]]; then
  VENV="$TARGET/checkov-venv"
  if [[ ! -x "$VENV/bin/checkov" ]]; then
    echo "installing checkov 3.x into $VENV ..." >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q 'checkov>=3,<4'
  fi
  CHECKOV="$VENV/bin/checkov"
fi
CHECKOV_VERSION="$("$CHECKOV" --version 2>/dev/null | tail -1)"

echo "building pipeguard (release) ..." >&2
cargo build --release -q -p pipeguard --manifest-path "$ROOT/Cargo.toml"
PIPEGUARD="$TARGET/release/pipeguard"

# Lay out one directory per case: corpus/<check>/<kind>-<format>/<file>.
CORPUS="$WORK/corpus"
for dir in "$FIX"/*/; do
  id="$(basename "$dir")"
  for f in "$dir"*; do
    name="$(basename "$f")"
    kind="${name%%.*}"
    case "$name" in
      *.cfn.yaml) fmt=cfn-yaml; dest=template.yaml ;;
      *.cfn.json) fmt=cfn-json; dest=template.json ;;
      *.json) fmt=j; dest=policy.json ;;
      *.tf) fmt=tf; dest=main.tf ;;
      *.buildspec.yml) fmt=bs; dest=buildspec.yml ;;
      *.workflow.yml) fmt=gha; dest=.github/workflows/deploy.yml ;;
      *) continue ;;
    esac
    mkdir -p "$(dirname "$CORPUS/$id/$kind-$fmt/$dest")"
    cp "$f" "$CORPUS/$id/$kind-$fmt/$dest"
  done
done
NFILES="$(find "$CORPUS" -type f | wc -l)"

run_pipeguard() {
  # Exit 1 means findings; only 2 is an error.
  "$PIPEGUARD" scan "$CORPUS" --no-secrets -f json -o "$1" || [[ $? -eq 1 ]]
}
run_checkov() {
  (cd "$WORK" && "$CHECKOV" -d "$CORPUS" -o json --quiet --compact --skip-download \
    --skip-framework sca_package sca_image > "$1" 2> "$WORK/checkov.err") || [[ $? -eq 1 ]]
}
now() { python3 -c 'import time; print(time.perf_counter())'; }

echo "warm-up runs ..." >&2
run_pipeguard "$WORK/pg.json"
run_checkov "$WORK/ck.json"

t0="$(now)"; run_pipeguard "$WORK/pg.json"; t1="$(now)"
run_checkov "$WORK/ck.json"; t2="$(now)"

python3 - "$WORK/pg.json" "$WORK/ck.json" "$CORPUS" "$t0" "$t1" "$t2" "$NFILES" "$CHECKOV_VERSION" "$OUT" <<'PY'
import collections, json, os, sys

pg_path, ck_path, corpus, t0, t1, t2, nfiles, ck_version, out_path = sys.argv[1:]
t_pg, t_ck = float(t1) - float(t0), float(t2) - float(t1)

def case_of(path):
    # <check>/<kind>-<fmt>/<file...>
    parts = path.strip("/").split("/")
    if len(parts) < 3:
        return None
    kind, fmt = parts[1].split("-", 1)
    return parts[0].upper(), fmt, kind

pg = collections.defaultdict(set)
for f in json.load(open(pg_path)).get("findings", []):
    c = case_of(os.path.relpath(os.path.join(corpus, f["path"]), corpus) if not f["path"].startswith("/") else os.path.relpath(f["path"], corpus))
    if c:
        pg[c].add(f["rule_id"])

ck = collections.defaultdict(set)
raw = json.load(open(ck_path))
for report in raw if isinstance(raw, list) else [raw]:
    for r in report.get("results", {}).get("failed_checks", []):
        c = case_of(r["file_path"])
        if c:
            ck[c].add(r["check_id"])

cases = sorted({(d.upper(), sub.split("-", 1)[1]) for d in os.listdir(corpus)
                for sub in os.listdir(os.path.join(corpus, d))})
FMT = {"j": "J", "cfn-yaml": "CFN", "cfn-json": "CFN", "tf": "TF", "bs": "BS", "gha": "GHA"}
tot = collections.defaultdict(lambda: collections.Counter())
rows = []
for cid, fmt in cases:
    bad, good = (cid, fmt, "insecure"), (cid, fmt, "secure")
    pg_catch = cid in pg[bad]
    pg_fp = cid in pg[good]
    ck_diff = sorted(ck[bad] - ck[good])
    ck_any = bool(ck[bad])
    t = tot[FMT[fmt]]
    t["cases"] += 1
    t["pg"] += pg_catch
    t["pg_fp"] += pg_fp
    t["ck"] += bool(ck_diff)
    t["ck_any"] += ck_any
    rows.append(f"| {cid} | {fmt} | {'yes' if pg_catch else 'no'}{' (fires on secure!)' if pg_fp else ''} | "
                f"{', '.join(ck_diff) if ck_diff else 'no'} |")

lines = [
    "# pipeguard policy engine vs checkov",
    "",
    f"Corpus: {len(cases)} insecure/secure pairs ({nfiles} files) from crates/core/tests/fixtures/policy.",
    f"checkov {ck_version}. Wall time for the whole corpus, one run each after a warm-up:",
    f"pipeguard {t_pg:.2f} s, checkov {t_ck:.2f} s.",
    "",
    "| format | pairs | pipeguard caught | pipeguard false hits on secure | checkov caught (differential) | checkov any failure on insecure |",
    "|---|---|---|---|---|---|",
]
for f in ["J", "CFN", "TF", "BS", "GHA"]:
    t = tot[f]
    lines.append(f"| {f} | {t['cases']} | {t['pg']} | {t['pg_fp']} | {t['ck']} | {t['ck_any']} |")
allt = collections.Counter()
for t in tot.values():
    allt.update(t)
lines.append(f"| all | {allt['cases']} | {allt['pg']} | {allt['pg_fp']} | {allt['ck']} | {allt['ck_any']} |")
lines += ["", "| check | case | pipeguard | checkov (checks failing only on the insecure case) |", "|---|---|---|---|"] + rows
report = "\n".join(lines) + "\n"
os.makedirs(os.path.dirname(out_path), exist_ok=True)
open(out_path, "w").write(report)
print(report)
PY
echo "report written to $OUT" >&2
