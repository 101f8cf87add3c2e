#!/usr/bin/env bash
# Process launch figures for the node daemon: spawn latency, exit round trip, signal latency, and daemon
# threads/heap with many running processes.   usage: scripts/bench/spawn-bench.sh [runs=2000] [sleepers=1000]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -o -q package -pl node-daemon -am -DskipTests
cp="node-daemon/target/classes:$(cat node-daemon/target/classpath.txt)"
exec java -Xss256k -cp "$cp" scripts/bench/SpawnBench.java "$@"
