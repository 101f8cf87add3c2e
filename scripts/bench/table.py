#!/usr/bin/env python3
"""Render benchmark figures (JSON lines) as a Markdown table, with targets and same-run ratios.

Usage: table.py [--title TEXT] [--machine] FILE...   (FILE may be - for stdin)

Each input line is one figure: {"bench":"B1","case":"warm","n":100,"tool":"gproc","value":0.83,"unit":"s"}, plus an
optional "note". A figure with "value": null was not measured; its note says why and the table shows "n/a".
Lines that are not JSON objects are reported on stderr and skipped; the exit status is then 1.
"""
import json
import os
import platform
import sys

# Targets from issues 2 and 5, for gproc's own figures: (bench, case, n or None) -> (comparison, threshold).
TARGETS = {
    ("transport", "tstat_p50", None): ("<=", 150),
    ("B1", "warm", 1000): ("<=", 1.0),
    ("B1", "cold", 1000): ("<=", 6.0),
    ("B1", "warm", 10000): ("<=", 12.0),
    ("B1", "heap_per_node_kb", None): ("<=", 64),
    ("B2", "cold", 100): ("<=", 2.5),
    ("B2", "warm", 100): ("<=", 0.3),
    ("B3", "p50", None): ("<=", 1.5),
    ("B4", "idle_session_kb", None): ("<=", 32),
    ("B5", "repl_prompt", None): ("<=", 1.5),
    ("B5", "exec_oneshot", None): ("<=", 1.0),
    ("B7", "warm", 1): ("<=", 0.2),
    ("B7", "warm", 10): ("<=", 0.2),
    ("B7", "warm", 100): ("<=", 0.2),
}
# Targets relative to a peer of the same run: (bench, case) -> (peer tool, factor); gproc <= factor x the peer.
RELATIVE = {("B7", "cold"): ("pdsh", 0.5)}
PEER_VALUES = {}  # (bench, n, tool) -> value, filled by main() from the figures
ORDER = {"transport": 0, "B1": 1, "B2": 2, "B3": 3, "B4": 4, "B5": 5, "B7": 7}
TOOLS = {"gproc": 0, "gproc-direct": 1, "local": 2, "pdsh": 3, "clush": 4, "pssh": 5, "ssh": 6}


def fmt(v):
    if v is None:
        return "n/a"
    if v == int(v) and abs(v) < 1e9:
        return str(int(v))
    a = abs(v)
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def target_of(f):
    if f["tool"] != "gproc":
        return None
    if f["bench"] == "transport" and f["case"].startswith("write_"):
        return (">=", 400)
    relative = RELATIVE.get((f["bench"], f["case"]))
    if relative is not None:
        peer = PEER_VALUES.get((f["bench"], f["n"], relative[0]))
        return None if peer is None else ("<=", relative[1] * peer)
    return TARGETS.get((f["bench"], f["case"], f["n"])) or TARGETS.get((f["bench"], f["case"], None))


def target_cell(f):
    t = target_of(f)
    if t is None:
        return ""
    op, limit = t
    sign = "≤" if op == "<=" else "≥"
    if f["value"] is None:
        return f"{sign} {limit:.3g}"
    ok = f["value"] <= limit if op == "<=" else f["value"] >= limit
    return f"{sign} {limit:.3g} {'✓' if ok else '✗'}"


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def load(paths):
    figures, bad = [], 0
    for path in paths:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")
        with stream:
            for number, line in enumerate(stream, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    f = json.loads(line)
                    if not isinstance(f, dict):
                        raise ValueError("not an object")
                    for key in ("bench", "case", "n", "tool", "value", "unit"):
                        if key not in f:
                            raise ValueError(f"missing \"{key}\"")
                    figures.append(f)
                except ValueError as e:
                    bad += 1
                    print(f"table.py: {path}:{number}: skipped, not a figure ({e}): {line[:120]}", file=sys.stderr)
    return figures, bad


def ratios(figures):
    """Within-run comparisons: each peer against gproc, gproc against the local floor."""
    out = []
    measured = [f for f in figures if f["value"] is not None]
    groups = {}
    for f in measured:
        groups.setdefault((f["bench"], f["n"]), []).append(f)
    for (bench, n), fs in sorted(groups.items(), key=lambda kv: (ORDER.get(kv[0][0], 9), kv[0][1])):
        gproc = [f for f in fs if f["tool"] == "gproc" and f["unit"] == "s"]
        floor = [f for f in fs if f["tool"] == "local"]
        peers = [f for f in fs if f["tool"] not in ("gproc", "local")]
        for p in peers:
            for g in gproc:
                if g["value"] > 0 and p["unit"] == g["unit"]:
                    out.append(f"{bench} n={n}: {p['tool']} {p['case']} {fmt(p['value'])} s = "
                               f"{p['value'] / g['value']:.1f}× gproc {g['case']} {fmt(g['value'])} s")
        for fl in floor:
            for g in gproc:
                if fl["value"] > 0:
                    out.append(f"{bench} n={n}: gproc {g['case']} = {g['value'] / fl['value']:.2f}× the local floor "
                               f"({fmt(fl['value'])} s)")
    # B3 is per-command latency in ms: ssh over a ControlMaster against gproc's run('/bin/true').
    b3 = [f for f in measured if f["bench"] == "B3"]
    for p in [f for f in b3 if f["tool"] != "gproc"]:
        for g in [f for f in b3 if f["tool"] == "gproc" and f["case"] == p["case"] and g["value"] > 0]:
            out.append(f"B3 {p['case']}: {p['tool']} {fmt(p['value'])} ms = {p['value'] / g['value']:.1f}× gproc "
                       f"{fmt(g['value'])} ms")
    return out


def main(argv):
    title, machine, paths = None, False, []
    i = 0
    while i < len(argv):
        if argv[i] == "--title" and i + 1 < len(argv):
            title = argv[i + 1]
            i += 2
            continue
        if argv[i] == "--machine":
            machine = True
        else:
            paths.append(argv[i])
        i += 1
    figures, bad = load(paths or ["-"])
    for f in figures:
        if f["value"] is not None:
            PEER_VALUES[(f["bench"], f["n"], f["tool"])] = f["value"]
    figures.sort(key=lambda f: (ORDER.get(f["bench"], 9), f["bench"], f["n"], TOOLS.get(f["tool"], 9), f["tool"]))
    if title:
        print(f"### {title}\n")
    if machine:
        print(f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
              f"Python {platform.python_version()}\n")
    print("| bench | case | n | tool | value | unit | target | note |")
    print("|---|---|---:|---|---:|---|---|---|")
    for f in figures:
        print(f"| {cell(f['bench'])} | {cell(f['case'])} | {f['n']} | {cell(f['tool'])} | {fmt(f['value'])} | "
              f"{cell(f['unit'])} | {target_cell(f)} | {cell(f.get('note') or '')} |")
    lines = ratios(figures)
    if lines:
        print("\nRatios (same run):\n")
        for line in lines:
            print(f"- {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
