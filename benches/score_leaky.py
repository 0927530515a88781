#!/usr/bin/env python3
"""Score pipeguard on the leaky-repo benchmark with its per-line labels.

Usage: benches/score_leaky.py [--corpus DIR] [--labels CSV] [--json REPORT] [--bin PIPEGUARD] [-v]

Without --json, runs `pipeguard scan CORPUS --format json` itself. A labelled line counts as found
when a finding's [line, end_line] overlaps its [line, end_line]. Recall is over `risk` lines;
precision counts a finding as true when it overlaps any labelled line (risk or informative).
"""
import argparse, csv, json, os, subprocess, sys
from collections import defaultdict

here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.normpath(os.path.join(here, "..", "..", "shared", "corpus"))
p = argparse.ArgumentParser()
p.add_argument("--corpus", default=os.path.join(shared, "leaky-repo"))
p.add_argument("--labels", default=os.path.join(shared, "leaky-repo.lines.csv"))
p.add_argument("--json")
p.add_argument("--bin", default=os.path.join(here, "..", "target", "release", "pipeguard"))
p.add_argument("-v", "--verbose", action="store_true")
a = p.parse_args()

if a.json:
    report = json.load(open(a.json))
else:
    out = subprocess.run([a.bin, "scan", a.corpus, "--format", "json", "--no-policy"],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"pipeguard failed ({out.returncode}): {out.stderr}")
    report = json.loads(out.stdout)

labels = defaultdict(list)
for row in csv.DictReader(open(a.labels)):
    labels[row["file"]].append((int(row["line"]), int(row["end_line"] or row["line"]), row["class"], row["kind"]))

findings = report["findings"]
tp = 0
fps = []
hit = set()
for f in findings:
    lo, hi = f["line"], f.get("end_line", f["line"])
    match = [l for l in labels.get(f["path"], []) if l[0] <= hi and lo <= l[1]]
    if match:
        tp += 1
        for l in match:
            hit.add((f["path"], l[0]))
    else:
        fps.append(f)
risk = [(file, l[0], l[3]) for file, ls in labels.items() for l in ls if l[2] == "risk"]
found = [r for r in risk if (r[0], r[1]) in hit]
recall = len(found) / len(risk) if risk else 0
precision = tp / len(findings) if findings else 1
print(f"findings: {len(findings)}  true: {tp}  false: {len(fps)}")
print(f"risk lines: {len(risk)}  found: {len(found)}")
print(f"recall (risk lines): {recall:.1%}   precision: {precision:.1%}")
if a.verbose:
    print("\nmissed risk lines:")
    for r in risk:
        if (r[0], r[1]) not in hit:
            print(f"  {r[0]}:{r[1]}  {r[2]}")
    print("\nfalse positives:")
    for f in fps:
        print(f"  {f['path']}:{f['line']}  {f['rule_id']}  {f['excerpt'][:100]}")
