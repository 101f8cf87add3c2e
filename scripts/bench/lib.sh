# Shared by the scripts in scripts/bench (sourced, not run). Sets $root and offers:
#   bench_classpath   prints the classpath of the built repl module (building it first when needed)
#   bench_java MAIN ARGS...   runs a Java main of org.gproc.bench on that classpath (JVM options: BENCH_JAVA_OPTS)
# GPROC_BENCH_CLASSPATH, when set, is used as the classpath as is and nothing is built (the test suite sets it).

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench_dir="$root/scripts/bench"

bench_built() {
  local target="$root/repl/target" stamp="$root/repl/target/.gproc-built" entry
  [ -f "$stamp" ] && [ -f "$target/classpath.txt" ] && [ -d "$target/classes/org/gproc/bench" ] || return 1
  IFS=: read -r -a entries < "$target/classpath.txt"
  for entry in "${entries[@]}"; do [ -e "$entry" ] || return 1; done
  [ -z "$(find "$root/pom.xml" "$root"/*/pom.xml "$root"/*/src/main -newer "$stamp" -print -quit 2>/dev/null)" ]
}

bench_build() {
  local target="$root/repl/target"
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
  printf '%s\n' "$root/repl/target/classes:$(cat "$root/repl/target/classpath.txt")"
}

bench_java() {
  local main="$1" cp
  shift
  cp="$(bench_classpath)" || return 1
  # SSHD logs at info per connection: warnings only, or a thousand connections bury the figures.
  # shellcheck disable=SC2086
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    ${BENCH_JAVA_OPTS:-} -cp "$cp" "org.gproc.bench.$main" "$@"
}
