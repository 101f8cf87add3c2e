#!/usr/bin/env python3
"""Where the CPU went in a JFR recording: execution samples by thread group, by top frame (self), and by method
anywhere on the stack (inclusive), from `jfr print --events jdk.ExecutionSample`.

Usage: jfr_top.py RECORDING.jfr [--top 25] [--match gproc,sshd]
  --match   only list inclusive methods whose name contains one of these words (default: gproc,sshd,crypto)
"""
import collections
import re
import subprocess
import sys


def main(argv):
    if not argv or argv[0].startswith("-"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, top, match = argv[0], 25, ["gproc", "sshd", "crypto"]
    rest = argv[1:]
    while rest:
        if rest[0] == "--top" and len(rest) > 1:
            top, rest = int(rest[1]), rest[2:]
        elif rest[0] == "--match" and len(rest) > 1:
            match, rest = rest[1].split(","), rest[2:]
        else:
            print(f"jfr_top.py: unknown option '{rest[0]}'", file=sys.stderr)
            return 2
    text = subprocess.run(["jfr", "print", "--stack-depth", "64", "--events", "jdk.ExecutionSample", path], check=True,
                          capture_output=True, text=True).stdout
    events = text.split("jdk.ExecutionSample {")[1:]
    threads, self_time, inclusive = collections.Counter(), collections.Counter(), collections.Counter()
    for e in events:
        m = re.search(r'sampledThread = "([^"]+)"', e)
        thread = re.sub(r"\d+", "N", m.group(1)) if m else "?"
        frames = re.findall(r"^\s+([\w.$<>]+)\(", e, re.M)
        if not frames:
            continue
        threads[thread] += 1
        self_time[frames[0]] += 1
        for f in set(frames):
            inclusive[f] += 1
    n = sum(threads.values())
    if n == 0:
        print(f"{path}: no execution samples")
        return 1
    print(f"{n} execution samples in {path}\n\nby thread:")
    for t, c in threads.most_common(top):
        print(f"  {100 * c / n:5.1f}%  {t}")
    print("\nby top frame (self):")
    for f, c in self_time.most_common(top):
        print(f"  {100 * c / n:5.1f}%  {f}")
    print(f"\ninclusive, methods matching {','.join(match)}:")
    shown = 0
    for f, c in inclusive.most_common():
        if any(w in f for w in match):
            print(f"  {100 * c / n:5.1f}%  {f}")
            shown += 1
            if shown >= top:
                break
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
