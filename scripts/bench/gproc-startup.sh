#!/usr/bin/env bash
# Measures how long `gproc nodeset -f` takes from exec to exit, with and without the launcher's JVM flags.
# Usage: scripts/bench/gproc-startup.sh [RUNS]   (builds first through scripts/gproc if needed)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-10}"
"$root/scripts/gproc" nodeset -c n1 >/dev/null
cp="$(compgen -G "$root/repl/cli/target/gproc-cli-*.jar" | head -n 1):$(cat "$root/repl/cli/target/classpath.txt")"
measure() {
  local label="$1"; shift
  local start end best=999999 total=0 ms
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    java "$@" -cp "$cp" org.gproc.cli.GprocCli nodeset -f 'n[1-10000]!n[2-9999/2]' >/dev/null
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 )); total=$((total + ms)); [ "$ms" -lt "$best" ] && best=$ms
  done
  printf '%-45s best %5d ms   mean %5d ms   (%d runs)\n' "$label" "$best" $((total / runs)) "$runs"
}
measure "default JVM flags"
measure "-XX:TieredStopAtLevel=1 -Xshare:auto" -XX:TieredStopAtLevel=1 -Xshare:auto
measure "-XX:TieredStopAtLevel=1 -Xshare:auto -XX:+UseSerialGC" -XX:TieredStopAtLevel=1 -Xshare:auto -XX:+UseSerialGC
