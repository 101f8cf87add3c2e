#!/usr/bin/env python3
"""Seconds from starting a program on a pseudo-terminal until TEXT appears in its output (e.g. a REPL's prompt).

Usage: pty_time.py --until TEXT [--timeout SECONDS] -- COMMAND [ARG...]
Prints the seconds on stdout. Then sends end-of-file (Ctrl-D), and after 10 s SIGTERM, then SIGKILL, to the
program's process group. Exits 1, naming the reason and the last output, if TEXT does not appear in time or the
program ends first.
"""
import os
import pty
import re
import select
import signal
import struct
import sys
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def main(argv):
    until, timeout = None, 60.0
    while argv and argv[0] != "--":
        if argv[0] == "--until" and len(argv) > 1:
            until, argv = argv[1].encode(), argv[2:]
        elif argv[0] == "--timeout" and len(argv) > 1:
            timeout, argv = float(argv[1]), argv[2:]
        else:
            print(f"pty_time.py: unknown option '{argv[0]}' (usage: --until TEXT [--timeout S] -- COMMAND...)",
                  file=sys.stderr)
            return 2
    if until is None or len(argv) < 2:
        print("pty_time.py: need --until TEXT and -- COMMAND", file=sys.stderr)
        return 2
    command = argv[1:]
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.setdefault("TERM", "xterm-256color")
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    try:
        import fcntl
        import termios
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    except OSError:
        pass
    seen = b""
    found = None
    while found is None:
        left = timeout - (time.monotonic() - start)
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            break
        seen += chunk
        if until in ANSI.sub(b"", seen):
            found = time.monotonic() - start
    stop(pid, fd)
    if found is None:
        tail = ANSI.sub(b"", seen)[-400:].decode("utf-8", "replace")
        why = "timed out after %.0f s" % timeout if time.monotonic() - start >= timeout else "the program ended"
        print(f"pty_time.py: '{until.decode()}' never appeared ({why}); last output: {tail!r}", file=sys.stderr)
        return 1
    print(f"{found:.6f}")
    return 0


def stop(pid, fd):
    try:
        os.write(fd, b"\x04")
    except OSError:
        pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            return
        try:
            select.select([fd], [], [], 0.1)
            os.read(fd, 65536)
        except OSError:
            time.sleep(0.1)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)  # the pty child leads its own session, so its group is its pid
        except ProcessLookupError:
            return
        time.sleep(1)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
