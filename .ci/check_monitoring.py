"""Checks that the Prometheus alert rules and the Grafana dashboard use only metrics the services
really export, with labels those metrics really have.

The exported metrics are read from the Rust sources: every `counter!`, `gauge!` and
`histogram!` call with a literal name, and its label keys (`"key" => value` in the call, or
`("key", value)` tuples in the same file for label arrays). Series names in the PromQL of
config/prometheus/alerts.yml and config/grafana/dashboards/*.json are then looked up, with the
label keys of their selectors and of `by (...)` clauses. Prometheus adds `job`, `instance`,
`le` (histogram buckets) and, from prometheus.yml, `service` to every series."""

import json
import re
import sys
from pathlib import Path

import yaml

root = Path(__file__).resolve().parent.parent
ADDED = {"job", "instance", "service"}
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count")}

exported = {}  # name -> (kind, set of label keys)
for path in list(root.glob("shared/*/src/**/*.rs")) + list(root.glob("services/*/src/**/*.rs")):
    text = path.read_text()
    tuples = set(re.findall(r'\(\s*"([a-z_]+)"\s*,', text))
    for m in re.finditer(r'\b(counter|gauge|histogram)!\(\s*"([a-z_:]+)"(.*?)\)\s*\.', text, re.S):
        kind, name, rest = m.groups()
        labels = set(re.findall(r'"([a-z_]+)"\s*=>', rest))
        if "&" in rest:
            labels |= tuples
        old = exported.get(name, (kind, set()))
        exported[name] = (kind, old[1] | labels)

series = {}  # the names a query may use -> label keys
for name, (kind, labels) in exported.items():
    series[name] = labels | ADDED
    for suffix in SUFFIXES.get(kind, ()):
        series[name + suffix] = labels | ADDED | ({"le"} if suffix == "_bucket" else set())
series["up"] = ADDED

queries = []  # (where, expr)
alerts = yaml.safe_load((root / "config/prometheus/alerts.yml").read_text())
for group in alerts["groups"]:
    for rule in group["rules"]:
        queries.append((f"alerts.yml {rule['alert']}", rule["expr"]))
for dashboard in (root / "config/grafana/dashboards").glob("*.json"):
    for panel in json.loads(dashboard.read_text())["panels"]:
        for target in panel.get("targets", []):
            queries.append((f"{dashboard.name} '{panel['title']}'", target["expr"]))

FUNCTIONS = {
    "sum", "max", "min", "avg", "count", "rate", "increase", "delta", "deriv", "histogram_quantile",
    "topk", "bottomk", "by", "without", "and", "or", "unless", "offset", "on", "ignoring",
    "humanizeDuration", "humanizePercentage", "abs", "clamp_min", "clamp_max", "irate",
}

errors = []
used = set()
for where, expr in queries:
    # Drop label matchers' values and durations so that only names are left to look at.
    bare = re.sub(r'"[^"]*"', '""', expr)
    bare = re.sub(r"\[[^\]]*\]", "", bare)
    bare = re.sub(r"\boffset\s+\d+[smhdwy]+", "", bare)
    names_here = []
    for m in re.finditer(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?", bare):
        name, selector = m.groups()
        if name in FUNCTIONS or re.fullmatch(r"\d+[smhdw]?", name):
            continue
        # Label names inside by (...) are handled below; a bare word right after `by (` or
        # in the list is not a series.
        before = bare[: m.start()].rstrip()
        if re.search(r"\b(by|without|on|ignoring)\s*\([^)]*$", before):
            continue
        if name not in series:
            errors.append(f"{where}: {name} is not exported by any service")
            continue
        names_here.append(name)
        used.add(name)
        for key in re.findall(r"([a-z_]+)\s*(?:=~|!=|!~|=)", selector or ""):
            if key not in series[name]:
                errors.append(f"{where}: {name} has no label {key}")
    available = set().union(*(series[n] for n in names_here)) if names_here else ADDED
    for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", bare):
        for key in (k.strip() for k in group.split(",") if k.strip()):
            if key not in available:
                errors.append(f"{where}: grouped by {key}, which none of {names_here} has")

if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
base = {re.sub(r"_(bucket|sum|count)$", "", n) for n in used} - {"up"}
unused = sorted(set(exported) - base)
print(f"{len(queries)} queries use {len(base)} of {len(exported)} exported metrics; all exist with their labels")
if unused:
    print(f"not shown anywhere: {', '.join(unused)}")
