# Shared by the scripts in scripts/bench (sourced, not run). Sets $root and offers:
#   bench_classpath   prints the classpath of the built bench module (repl/bench) (building it first when needed)
#   bench_java MAIN ARGS...   runs a Java main of org.gproc.bench on that classpath (JVM options: BENCH_JAVA_OPTS)
#   figure BENCH CASE N TOOL VALUE UNIT [NOTE]   prints one figure as a JSON line; an empty VALUE is "not measured"
#   now / elapsed T0 T1   wall-clock seconds (microseconds kept) and the difference of two of them
# GPROC_BENCH_CLASSPATH, when set, is used as the classpath as is and nothing is built (the test suite sets it).

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench_dir="$root/scripts/bench"

bench_built() {
  local target="$root/repl/bench/target" stamp="$root/repl/bench/target/.gproc-built" entry
  [ -f "$stamp" ] && [ -f "$target/classpath.txt" ] && [ -d "$target/classes/org/gproc/bench" ] || return 1
  IFS=: read -r -a entries < "$target/classpath.txt"
  for entry in "${entries[@]}"; do [ -e "$entry" ] || return 1; done
  [ -z "$(find "$root/pom.xml" "$root"/*/pom.xml "$root"/repl/*/pom.xml "$root"/*/src/main "$root"/repl/*/src/main -newer "$stamp" -print -quit 2>/dev/null)" ]
}

bench_build() {
  local target="$root/repl/bench/target"
  mkdir -p "$target"
  (
    cd "$root"
    if command -v flock >/dev/null 2>&1; then flock 9; fi   # never two builds of this checkout at once
    if ! bench_built; then
      echo "bench: building (mvn -DskipTests package) ..." >&2
      { mvn -B -q -o -DskipTests package >&2 || mvn -B -q -DskipTests package >&2; } && touch "$target/.gproc-built"
    fi
  ) 9>"$target/.gproc-build.lock"
}

bench_classpath() {
  if [ -n "${GPROC_BENCH_CLASSPATH:-}" ]; then
    printf '%s\n' "$GPROC_BENCH_CLASSPATH"
    return
  fi
  bench_built || bench_build || { echo "bench: the build failed (see above)" >&2; return 1; }
  printf '%s\n' "$root/repl/bench/target/classes:$(cat "$root/repl/bench/target/classpath.txt")"
}

# bench_java MAIN ARGS...; with BENCH_TIMEOUT=SECONDS set, the JVM is stopped after that long
bench_java() {
  local main="$1" cp
  shift
  cp="$(bench_classpath)" || return 1
  local cmd=("${JAVA_HOME:+$JAVA_HOME/bin/}java"
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)   # SSHD logs every connection at info: a thousand bury the figures
  # shellcheck disable=SC2206
  cmd+=(${BENCH_JAVA_OPTS:-} -cp "$cp" "org.gproc.bench.$main" "$@")
  if [ -n "${BENCH_TIMEOUT:-}" ]; then cmd=(timeout "$BENCH_TIMEOUT" "${cmd[@]}"); fi
  "${cmd[@]}"
}

figure() {
  python3 -c 'import json, sys
b, c, n, t, v, u = sys.argv[1:7]
f = {"bench": b, "case": c, "n": int(n), "tool": t, "value": None if v == "" else float(v), "unit": u}
if len(sys.argv) > 7 and sys.argv[7]:
    f["note"] = sys.argv[7]
if f["value"] is None and "note" not in f:
    f["note"] = "n/a"
print(json.dumps(f, ensure_ascii=False, separators=(",", ":")))' "$@"
}

now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.6f}")' "$1" "$2"; }
