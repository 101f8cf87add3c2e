/**
 * Benchmark drivers: plain {@code main} programs run by {@code scripts/bench/transport} and {@code scripts/bench/run},
 * never by the test suite (performance is measured here, never asserted in tests).
 *
 * <p>Contract: every driver prints one JSON object per measured figure and line on stdout
 * ({@code {"bench":"B1","case":"warm","n":100,"tool":"gproc","value":0.83,"unit":"s"}}, see {@link
 * org.gproc.bench.Figure}) and its progress on stderr; {@code scripts/bench/table.py} turns the lines into the
 * Markdown table. A figure that could not be measured is a line with {@code "value":null} and a {@code "note"} saying
 * why; no driver ever prints an estimate in place of a measurement. MB/s means 10^6 bytes per second.
 *
 * <p>Trust model: drivers talk only to servers on 127.0.0.1 that they or the harness started, with keys generated
 * into a fresh temporary directory; host keys are checked against a known_hosts file written for them, exactly as in
 * production (no accept-all verifier).
 */
package org.gproc.bench;
