# Shared by bin/gproc and bin/gprocd (sourced, POSIX sh): which Java runs them. Nothing here builds anything or
# reads anything outside the install directory and the Java it finds. The caller sets $home, the install directory.
# shellcheck disable=SC2154

# Prints an error naming the command and exits 1.
fail() {
  echo "$1" >&2
  exit 1
}

# Follows symbolic links until a real file: prints its path.
resolve() {
  r=$1
  while [ -h "$r" ]; do
    l=$(readlink "$r")
    case $l in
      /*) r=$l ;;
      *) r=$(dirname "$r")/$l ;;
    esac
  done
  printf '%s\n' "$r"
}

# The feature release of the Java launcher $1 (17 for 17.0.15, 8 for 1.8.0_292): from the release file of its
# installation when there is one (no JVM start), else from what `java -version` prints. Empty if neither tells.
java_major() {
  v=
  rel=$(dirname "$(dirname "$(resolve "$1")")")/release
  if [ -f "$rel" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$rel")
  fi
  if [ -z "$v" ]; then
    v=$("$1" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1) || v=
  fi
  case $v in 1.*) v=${v#1.} ;; esac
  printf '%s\n' "${v%%[!0-9]*}"
}

# Sets $java and $java_major for command $1: the install's own runtime/ (the node bundle's jlink image) when $2 is
# "bundled" and it exists, else $JAVA_HOME/bin/java, else java on PATH; it must be Java 17 or newer. Otherwise says
# why and exits 1.
find_java() {
  if [ "${2:-}" = bundled ] && [ -x "$home/runtime/bin/java" ]; then
    java=$home/runtime/bin/java
    java_major=$(java_major "$java")
    return 0
  fi
  if [ -n "${JAVA_HOME:-}" ]; then
    java=$JAVA_HOME/bin/java
    [ -x "$java" ] || fail "$1: JAVA_HOME=$JAVA_HOME has no bin/java: point JAVA_HOME at a Java 17 or newer, or unset it to use the java on PATH"
  else
    java=$(command -v java 2>/dev/null) || fail "$1: no Java found (JAVA_HOME is not set and there is no java on PATH): install a Java 17 or newer runtime, or set JAVA_HOME to one${3:-}"
  fi
  java_major=$(java_major "$java")
  [ -n "$java_major" ] || fail "$1: cannot tell which Java $java is (no release file beside it, and 'java -version' printed no version): set JAVA_HOME to a Java 17 or newer"
  [ "$java_major" -ge 17 ] || fail "$1: $java is Java $java_major, and $1 needs Java 17 or newer: set JAVA_HOME to one"
}
