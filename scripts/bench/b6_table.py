#!/usr/bin/env python3
"""B6's table and JSON line: the driver's figures (FIGURES.jsonl) beside the lower bounds the links allow.

Usage: b6_table.py FIGURES.jsonl N WIDTH RATE SIZE_BYTES "LOAD AVERAGE"
The CPU floor is the CPU seconds the run used over the machine's cores: a run near it waited for the machine.
Bounds: flat sends N copies over the control node's link; the tree's busiest link (the control node's or a relay's
egress) carries max(direct nodes, children of one relay) copies, which is all a push waits for when every relay
forwards while it receives; store-and-forward (each level stores the whole blob first) multiplies it by the depth.
"""
import json
import os
import sys


def tree(n, width):
    """The client's automatic tree: the first WIDTH nodes direct, node i after them relayed by (i - WIDTH) // WIDTH."""
    parent = [None if i < width else (i - width) // width for i in range(n)]
    fan = [0] * n
    for p in parent:
        if p is not None:
            fan[p] += 1

    def level(i):
        d = 1
        while parent[i] is not None:
            i, d = parent[i], d + 1
        return d

    return max([min(width, n)] + fan), max(level(i) for i in range(n))


def main(argv):
    if len(argv) != 6:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, n, width, rate, size, load = argv[0], int(argv[1]), int(argv[2]), argv[3], int(argv[4]), argv[5]
    unit = {"k": 1e3, "m": 1e6, "g": 1e9}.get(rate[-4], 1)   # tc's kbit, mbit, gbit are powers of 1000
    bps = int(rate[:-3].rstrip("kmg")) * unit / 8
    busiest, depth = tree(n, width)
    bound = {"flat": n * size / bps, "tree": busiest * size / bps}
    store_and_forward = depth * bound["tree"]
    rows = {r["case"]: r for r in (json.loads(line) for line in open(path) if line.strip())}
    print(f"B6: {n} nodes, {size / 1e6:.1f} MB, links {rate} each way ({bps / 1e6:.1f} MB/s); tree width {width}: "
          f"{min(width, n)} direct, depth {depth}, busiest link {busiest} copies; load average {load} before")
    cores = os.cpu_count() or 1
    print(f"{'case':<8} {'measured':>10} {'link bound':>11} {'CPU s':>7} {f'CPU/{cores} cores':>13}  note")
    for case in ("flat", "tree"):
        r, cpu = rows.get(case, {}), rows.get(case + "_cpu", {})
        v = "n/a" if r.get("value") is None else f"{r['value']:.2f} s"
        c, floor = ("", "") if cpu.get("value") is None else (f"{cpu['value']:.1f}", f"{cpu['value'] / cores:.2f} s")
        print(f"{case:<8} {v:>10} {bound[case]:>9.2f} s {c:>7} {floor:>13}  {r.get('note', '')}")
    sp = rows.get("speedup", {}).get("value")
    met = sp is not None and sp >= 4
    shown = "n/a" if sp is None else f"{sp:.2f} x"
    print(f"speedup  {shown:>10}   target >= 4 x: {'met' if met else 'MISSED'}; the link bounds allow "
          f"{bound['flat'] / bound['tree']:.1f} x (store-and-forward per level: tree {store_and_forward:.2f} s)")
    figures = list(rows.values()) + [
        {"bench": "B6", "case": "flat_bound", "n": n, "tool": "link", "value": round(bound["flat"], 4), "unit": "s",
         "note": f"{n} copies over the control node's {rate} link"},
        {"bench": "B6", "case": "tree_bound", "n": n, "tool": "link", "value": round(bound["tree"], 4), "unit": "s",
         "note": f"{busiest} copies over the busiest link, forwarding pipelined"
                 f" (store-and-forward: {store_and_forward:.2f} s)"}]
    print(json.dumps({"bench": "B6", "load_before": [float(x) for x in load.split()], "target": "speedup >= 4",
                      "target_met": met, "figures": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
