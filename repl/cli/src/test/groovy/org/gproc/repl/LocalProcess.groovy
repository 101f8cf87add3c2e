package org.gproc.repl

import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException

import org.gproc.client.OutputListener
import org.gproc.client.RemoteProcess

/**
 * A RemoteProcess backed by a real local process (its own process group, via setsid), standing in for a node's
 * session until the cluster API exists: real output, real signals, real exit status.
 */
class LocalProcess implements RemoteProcess {

    final String node
    final String session
    final Process process
    final List<String> signalsSent = Collections.synchronizedList([])

    private final List<Object[]> lines = []
    private final List<OutputListener> listeners = []
    private final CompletableFuture<RemoteProcess> exit = new CompletableFuture<>()
    private int openStreams = 2
    private boolean ended

    LocalProcess(String node, String session, List<String> command) {
        this.node = node
        this.session = session
        this.process = new ProcessBuilder(['setsid'] + command).start()
        process.outputStream.close()
        pump(process.inputStream, OutputListener.Stream.STDOUT)
        pump(process.errorStream, OutputListener.Stream.STDERR)
    }

    private void pump(InputStream stream, OutputListener.Stream which) {
        Thread.startDaemon("local-${node}-${which}") {
            stream.newReader('UTF-8').eachLine { String line -> deliver(which, line) }
            streamEnded()
        }
    }

    private synchronized void deliver(OutputListener.Stream which, String line) {
        lines << ([which, line] as Object[])
        listeners.each { it.onLine(this, which, line) }
    }

    private void streamEnded() {
        boolean last
        synchronized (this) { last = --openStreams == 0 }
        if (last) {
            process.waitFor()
            exit.complete(this)
            synchronized (this) {
                ended = true
                listeners.each { it.onEnd(this) }
            }
        }
    }

    @Override
    synchronized void subscribe(OutputListener listener) {
        lines.each { listener.onLine(this, it[0] as OutputListener.Stream, it[1] as String) }
        listeners << listener
        if (ended) {
            listener.onEnd(this)
        }
    }

    @Override String node() { node }
    @Override String session() { session }
    @Override long pid() { process.pid() }
    @Override boolean isAlive() { !exit.isDone() }
    @Override int waitFor() { exit.get(); process.exitValue() }
    @Override boolean waitFor(Duration timeout) {
        try { exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS); true } catch (TimeoutException e) { false }
    }
    @Override int exitValue() {
        if (!exit.isDone()) throw new IllegalThreadStateException("${node}:${session} is still running")
        process.exitValue()
    }
    @Override Optional<Integer> exitSignal() {
        exit.isDone() && process.exitValue() > 128 ? Optional.of(process.exitValue() - 128) : Optional.empty()
    }
    @Override Optional<String> exitStatus() {
        if (!exit.isDone()) return Optional.empty()
        Optional.of(exitSignal().map { "signal $it" as String }.orElse("exit ${process.exitValue()}" as String))
    }
    @Override CompletableFuture<RemoteProcess> onExit() { exit }
    @Override InputStream getInputStream() { throw new UnsupportedOperationException('not needed by these tests') }
    @Override InputStream getErrorStream() { throw new UnsupportedOperationException('not needed by these tests') }
    @Override String getText() {
        waitFor()
        synchronized (this) { lines.findAll { it[0] == OutputListener.Stream.STDOUT }.collect { it[1] }.join('\n') }
    }

    @Override
    void kill(String signal) {
        killAsync(signal).join()
    }

    /** Records the signal (so tests see the order of requests) and delivers it to the process group with kill(1). */
    @Override
    CompletableFuture<Void> killAsync(String signal) {
        String name = signal.toUpperCase().replaceFirst(/^SIG/, '')
        signalsSent << name
        List<String> command = ['/bin/kill', '-s', name, '--', '-' + process.pid()]
        Process kill = new ProcessBuilder(command).redirectErrorStream(true).start()
        String said = kill.inputStream.text
        int code = kill.waitFor()
        code == 0 ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new IllegalStateException("${command.join(' ')}: exit ${code}: ${said}"))
    }

    @Override Optional<String> failure() { Optional.empty() }
    @Override boolean timedOut() { false }

    @Override String toString() { "${node}:${session}" }
}
