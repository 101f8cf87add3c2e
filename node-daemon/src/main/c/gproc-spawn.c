/*
 * gproc-spawn: the node daemon's process spawner. One instance runs per ProcessLauncher, started by the JVM with
 * pipes on stdin/stdout; it exits when stdin reaches EOF (the daemon closed it or died).
 *
 * Why native: the JDK reports a signal death as exit 128+N (so "exit 137" and "signal 9" are indistinguishable and
 * the core flag is lost), parks one reaper thread per live child, and cannot signal a process group.
 *
 * Requests on stdin: a 4-byte big-endian length, then that many bytes of NUL-terminated fields.
 *   S dir stdout stderr fifo status expect user uid gid private cgroup argc argv... envc env...
 *                                            spawn; reply "P <pid> <monitor pid>" or "E <message>"
 *   A                                        after "P" or "OK": the daemon has opened the fifo
 *   K signal pgid monitor cgroup start       signal every process of the session (see below); start: the
 *                                            monitor's start time (-1: unknown), without a cgroup none is a
 *                                            member once the monitor is not that process any more;
 *                                            reply "OK <count>", "E No such process" (none left) or "E <message>"
 *   F fifo                                   a restarted daemon reopens a session's stdin: the helper holds a read
 *                                            end until "A", so the daemon's open never blocks; "OK" or "E <message>"
 *   C monitor starttime                      stdin is closed: the monitor (if it is still that process, by its start
 *                                            time in /proc/PID/stat) drops its write end; "OK" or "E <message>"
 * Replies are single lines on stdout.
 *
 * Containment: a session's processes are the command and everything it starts, also through double forks and
 * setsid. With a cgroup (field "cgroup": a directory the daemon made for the session), the command moves itself into
 * it before exec, and the cgroup's cgroup.procs is the membership; SIGKILL goes through cgroup.kill, which also
 * catches processes forked while it runs. Without one, the monitor is a child subreaper (PR_SET_CHILD_SUBREAPER):
 * orphans of the command are reparented to it rather than to init, so the membership is the monitor's descendants
 * plus the command's process group; the monitor waits for all of them before it exits. Each member is signalled
 * through a pidfd opened and then checked to still be a member, so a pid reused by an unrelated process is never
 * signalled (kill(2) only where the kernel has no pidfd_open).
 *
 * Spawn: a monitor forked ahead of time (so no spawn waits for a fork) reads the request from the server, leaves the
 * daemon's session and vforks the command. The command calls setsid() (its pid is its process group id), gets the
 * fifo's read end as stdin and the spool files (O_APPEND) as stdout/stderr, closes every other fd and execs. The
 * monitor reports the pid, waits for the command, writes "exit N", "signal N" or "signal N core" to <status>.tmp and
 * renames it to <status>, waits for the command's adopted orphans, then exits. The status file's bytes are
 * written before the command starts and only overwritten at the exit, so a full disk cannot lose the status. A command that failed to exec leaves no status (the error is the reply). The
 * server ignores SIGCHLD so monitors never linger as zombies; a monitor whose server died is reparented to init,
 * which reaps it.
 *
 * Checks a spawn may ask for (empty fields: none). expect "dev:ino": the program (a path with a '/') is opened with
 * O_PATH and executed through that descriptor (execveat), and refused if it is not that file, so a path swapped
 * after the daemon checked it cannot substitute another file. user/uid/gid: become that user before exec — setgid,
 * setgroups (the user's groups, looked up by the monitor before vfork, so the command calls no NSS code), setuid, in
 * that order, and then make sure uid 0 cannot be regained; any failure fails the exec. private: a directory only the
 * daemon can traverse (the session's fs/): the working directory and program are reached as the daemon when they are
 * inside it, and as the user otherwise, so the command reaches nothing it could not reach as itself.
 *
 * The server holds both ends of the fifo until the daemon acknowledges that it opened the write end: the command can
 * never see a premature EOF, and the daemon's open never blocks (a reader always exists).
 *
 * Stdin outlives the daemon: the fifo stays in the session directory, and the monitor holds a write end of its own
 * until the command exits or the daemon sends it SIGUSR1 ("C": the client closed stdin, and the daemon closed its own
 * end first). So a daemon that dies gives the command no EOF, and a restarted daemon reopens the fifo ("F") and feeds
 * it on; the command sees EOF exactly when the client closes stdin (or never, if it exits first).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_REQUEST (64 * 1024 * 1024)
#define MAX_FIELDS (1024 * 1024)
#define ARGC_FIELD 12 /* S dir stdout stderr fifo status expect user uid gid private cgroup argc */

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void reply(const char *fmt, ...) {
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n > (int) sizeof line - 2) n = sizeof line - 2;
    for (int i = 0; i < n; i++) if (line[i] == '\n') line[i] = ' ';
    line[n++] = '\n';
    for (int off = 0; off < n;) {
        ssize_t w = write(1, line + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) _exit(0); /* the daemon is gone */
        off += w;
    }
}

static int read_full(int fd, void *buf, size_t len) {
    for (size_t off = 0; off < len;) {
        ssize_t r = read(fd, (char *) buf + off, len - off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        off += r;
    }
    return 0;
}

static void write_all(int fd, const char *s, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, s, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        s += w;
        len -= w;
    }
}

static int write_full(int fd, const char *s, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, s, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        s += w;
        len -= w;
    }
    return 0;
}

/* Reads one request from fd into *buf (*len bytes); returns its fields (pointers into *buf) or NULL at EOF. */
static char **read_request(int fd, char **buf, uint32_t *len, int *count) {
    unsigned char hdr[4];
    if (read_full(fd, hdr, 4) < 0) return NULL;
    *len = ((uint32_t) hdr[0] << 24) | ((uint32_t) hdr[1] << 16) | ((uint32_t) hdr[2] << 8) | hdr[3];
    if (*len == 0 || *len > MAX_REQUEST) return NULL;
    free(*buf);
    *buf = malloc(*len);
    if (*buf == NULL || read_full(fd, *buf, *len) < 0 || (*buf)[*len - 1] != '\0') return NULL;
    int n = 0;
    for (uint32_t i = 0; i < *len; i++) if ((*buf)[i] == '\0') n++;
    if (n > MAX_FIELDS) return NULL;
    char **fields = malloc(sizeof(char *) * (n + 1));
    if (fields == NULL) return NULL;
    char *p = *buf;
    for (int i = 0; i < n; i++) {
        fields[i] = p;
        p += strlen(p) + 1;
    }
    fields[n] = NULL;
    *count = n;
    return fields;
}

static int parse_count(const char *s, int limit) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *s == '\0' || *end != '\0' || v < 0 || v > limit) return -1;
    return (int) v;
}

/* Command side: the report pipe (close-on-exec, so a successful exec closes it silently). */
static int report_fd = -1;

/* Set by the command before it gives up. It runs vfork'd, in the monitor's memory, so the monitor sees this once
 * vfork returns: a command that never ran has no exit status to record (a later exec in the same session would
 * otherwise find this one's "exit 127"). */
static volatile int command_failed = 0;

static void fail(const char *what, const char *culprit) {
    char line[4096];
    int n = snprintf(line, sizeof line, "X %s %s: %s\n", what, culprit, strerror(errno));
    if (n > (int) sizeof line - 1) n = sizeof line - 1;
    write_all(report_fd, line, n);
    command_failed = 1;
    _exit(127);
}

/* Set by the monitor before vfork for a spawn that drops privileges. */
static gid_t drop_groups[NGROUPS_MAX > 65536 ? 65536 : NGROUPS_MAX];
static int drop_ngroups = -1;

static void fail_text(const char *text) {
    char line[4096];
    int n = snprintf(line, sizeof line, "X %s\n", text);
    if (n > (int) sizeof line - 1) n = sizeof line - 1;
    write_all(report_fd, line, n);
    command_failed = 1;
    _exit(127);
}

static const char *env_path(char **envp) {
    for (char **e = envp; *e != NULL; e++) if (strncmp(*e, "PATH=", 5) == 0) return *e + 5;
    return "/usr/local/bin:/usr/bin:/bin";
}

/* execve, searching the command's own PATH (not the daemon's) when the program name has no slash. */
static void exec_command(char **argv, char **envp) {
    if (strchr(argv[0], '/') != NULL) {
        execve(argv[0], argv, envp);
        fail("exec", argv[0]);
    }
    const char *path = env_path(envp);
    int saved = ENOENT;
    char candidate[PATH_MAX];
    while (1) {
        const char *colon = strchr(path, ':');
        size_t dirlen = colon ? (size_t) (colon - path) : strlen(path);
        int n = dirlen == 0 ? snprintf(candidate, sizeof candidate, "%s", argv[0])
                            : snprintf(candidate, sizeof candidate, "%.*s/%s", (int) dirlen, path, argv[0]);
        if (n > 0 && n < (int) sizeof candidate) {
            execve(candidate, argv, envp);
            if (errno != ENOENT && errno != ENOTDIR) saved = errno;
        }
        if (colon == NULL) break;
        path = colon + 1;
    }
    errno = saved;
    fail("exec", argv[0]);
}

static void close_from(int lowfd) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, lowfd, ~0U, 0) == 0) return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 1 << 20) max = 1 << 20;
    for (int fd = lowfd; fd < max; fd++) close(fd);
}

static void open_onto(const char *path, int target, const char *what) {
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) fail(what, path);
    if (dup2(fd, target) < 0) fail(what, path);
}

/* Moves the calling process (the command, before exec) into the session's cgroup. */
static void join_cgroup(const char *cgroup) {
    char procs[PATH_MAX];
    if (snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroup) >= (int) sizeof procs) {
        errno = ENAMETOOLONG;
        fail("cgroup", cgroup);
    }
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail("cgroup", procs);
    if (write_full(fd, "0\n", 2) < 0) fail("cgroup", procs);
    close(fd);
}

/* Whether path is root itself or below it (both absolute, normalized by the daemon). */
static int is_under(const char *path, const char *root) {
    size_t n = strlen(root);
    return n > 0 && strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Opens the program for execveat; with expect "dev:ino", refuses any other file. */
static int open_program(const char *path, const char *expect) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) fail("exec", path);
    if (expect[0] != '\0') {
        struct stat st;
        unsigned long long dev, ino;
        char text[PATH_MAX + 128];
        if (sscanf(expect, "%llu:%llu", &dev, &ino) != 2) fail_text("exec: malformed expect field");
        if (fstat(fd, &st) < 0) fail("exec", path);
        if ((unsigned long long) st.st_dev != dev || (unsigned long long) st.st_ino != ino) {
            snprintf(text, sizeof text, "exec %s: the file changed between the daemon's check and exec (refused)",
                     path);
            fail_text(text);
        }
    }
    return fd;
}

static void exec_fd(int fd, const char *name, char **argv, char **envp) {
    syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
    if (errno == ENOENT) {
        /* a #! script: the interpreter opens /dev/fd/N, which close-on-exec would have closed */
        fcntl(fd, F_SETFD, 0);
        syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
    }
    fail("exec", name);
}

static void drop_privileges(const char *user, const char *uid_text, const char *gid_text) {
    char text[512];
    long uid = parse_count(uid_text, INT_MAX), gid = parse_count(gid_text, INT_MAX);
    if (uid < 0 || gid < 0 || drop_ngroups < 0) {
        snprintf(text, sizeof text, "user %.100s: bad uid/gid or group list (%.20s:%.20s)", user, uid_text, gid_text);
        fail_text(text);
    }
    const char *step = NULL;
    if (setgid((gid_t) gid) < 0) step = "setgid";
    else if (setgroups((size_t) drop_ngroups, drop_groups) < 0) step = "setgroups";
    else if (setuid((uid_t) uid) < 0) step = "setuid";
    else if (uid != 0 && (setuid(0) == 0 || getuid() != (uid_t) uid || geteuid() != (uid_t) uid)) {
        errno = EPERM;
        step = "setuid (uid 0 could be regained)";
    }
    if (step != NULL) {
        snprintf(text, sizeof text, "user %.100s (uid %ld, gid %ld): %s failed: %s", user, uid, gid, step,
                 strerror(errno));
        fail_text(text);
    }
}

/* The command, from fork to exec: fd 0 the fifo, 1 and 2 the spools, 3 the report pipe, 4 the program (when
 * executed through a descriptor), nothing else. */
static void become_command(char **f, int fifo_read, int report) {
    report_fd = report;
    const char *dir = f[1], *out = f[2], *err = f[3], *expect = f[6], *user = f[7], *private = f[10];
    const char *cgroup = f[11];
    int argc = parse_count(f[ARGC_FIELD], MAX_FIELDS);
    char **argv = f + ARGC_FIELD + 1;
    char **env = f + ARGC_FIELD + 2 + argc; /* NULL-terminated by read_request */
    argv[argc] = NULL;          /* was the envc field, already checked by spawn() */

    if (cgroup[0] != '\0') join_cgroup(cgroup);
    if (setsid() < 0) fail("setsid", argv[0]);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
    int flags = fcntl(fifo_read, F_GETFL);
    if (flags < 0 || fcntl(fifo_read, F_SETFL, flags & ~O_NONBLOCK) < 0) fail("stdin", f[4]);
    if (dup2(fifo_read, 0) < 0) fail("stdin", f[4]);
    open_onto(out, 1, "stdout");
    if (strcmp(out, err) == 0) {
        if (dup2(1, 2) < 0) fail("stderr", err);
    } else {
        open_onto(err, 2, "stderr");
    }
    if (report_fd != 3) {
        if (dup2(report_fd, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0) fail("exec", "report pipe");
        report_fd = 3;
    }
    close_from(4);
    int dropping = user[0] != '\0';
    int by_path = strchr(argv[0], '/') != NULL;
    int dir_first = !dropping || is_under(dir, private);
    if (dir_first && chdir(dir) < 0) fail("dir", dir);
    int program = -1;
    if (by_path && (!dropping || is_under(argv[0], private))) program = open_program(argv[0], expect);
    if (dropping) drop_privileges(user, f[8], f[9]);
    if (!dir_first && chdir(dir) < 0) fail("dir", dir);
    if (by_path && program < 0) program = open_program(argv[0], expect);
    if (program >= 0) exec_fd(program, argv[0], argv, env);
    exec_command(argv, env);
}

#define STATUS_BYTES 32 /* "signal 64 core\n" and more */

/* Opens <status>.tmp and fills it with STATUS_BYTES of padding now, while the command has not written anything:
 * recording the exit later overwrites bytes that already have their blocks, so a disk the command filled cannot lose
 * the status. -1 (errno set) if even that fails: the spawn is refused. */
static int prepare_status(const char *status, char *tmp, size_t size) {
    if (snprintf(tmp, size, "%s.tmp", status) >= (int) size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    char pad[STATUS_BYTES];
    memset(pad, ' ', sizeof pad);
    if (write_full(fd, pad, sizeof pad) < 0 || fsync(fd) < 0) {
        int saved = errno == 0 ? ENOSPC : errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Writes "exit N", "signal N" or "signal N core" over the padding, trims it and renames the file into place. A rename
 * that fails (a directory block it cannot get) is retried every second until it works or the session's directory
 * is gone (the session was wiped). */
static void write_status(int fd, const char *tmp, const char *status, int st) {
    char text[STATUS_BYTES];
    int n;
    if (WIFEXITED(st)) {
        n = snprintf(text, sizeof text, "exit %d\n", WEXITSTATUS(st));
    } else if (WIFSIGNALED(st)) {
        n = snprintf(text, sizeof text, "signal %d%s\n", WTERMSIG(st), WCOREDUMP(st) ? " core" : "");
    } else {
        n = snprintf(text, sizeof text, "exit 255\n");
    }
    while (pwrite(fd, text, n, 0) < 0 && errno == EINTR) {
    }
    while (ftruncate(fd, n) < 0 && errno == EINTR) {
    }
    close(fd);
    while (rename(tmp, status) < 0 && errno != ENOENT) sleep(1);
}

/* The monitor's write end of the fifo is fd 1 while stdin_hold is set. */
static volatile sig_atomic_t stdin_hold = 0;

static void drop_stdin(int sig) {
    (void) sig;
    if (stdin_hold) {
        stdin_hold = 0;
        close(1);
    }
}

/* The spare monitor forked ahead of time, so a spawn does not wait for a fork: the server writes it a request. */
static struct {
    pid_t pid;
    int requests; /* the server's write end */
    int report;   /* the server's read end */
} spare = {-1, -1, -1};

/* The monitor: waits for its one spawn request, vforks the command, reports its pid, waits for it, records the exit
 * status. Never returns. */
static void monitor(int requests, int report) {
    prctl(PR_SET_NAME, "gproc-monitor");
    setsid();
    signal(SIGCHLD, SIG_DFL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    /* Nothing of the daemon's may stay open in a process that outlives it: not its pipes, not its stderr. */
    int devnull = open("/dev/null", O_RDWR);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0) _exit(1);
    if (dup2(requests, 3) < 0 || dup2(report, 4) < 0) _exit(1);
    close_from(5);
    requests = 3;
    report = 4;
    fcntl(report, F_SETFD, FD_CLOEXEC);
    char *buf = NULL;
    uint32_t len;
    int count;
    char **f = read_request(requests, &buf, &len, &count);
    if (f == NULL) _exit(0); /* the server is gone */
    close(requests);
    const char *fifo = f[4], *status = f[5];
    report_fd = report;
    int fifo_read = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo_read < 0) fail("stdin", fifo);
    /* the monitor's own write end (see the top comment); never blocks: fifo_read is a reader */
    int fifo_write = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo_write < 0) fail("stdin", fifo);
    char status_tmp[PATH_MAX];
    int status_fd = prepare_status(status, status_tmp, sizeof status_tmp);
    if (status_fd < 0) fail("exit status", status);
    report_fd = -1;
    /* Orphans of the command (double forks, setsid) are reparented here, not to init: they stay in the session. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (f[7][0] != '\0') {
        int n = (int) (sizeof drop_groups / sizeof drop_groups[0]);
        long gid = parse_count(f[9], INT_MAX);
        if (gid >= 0 && getgrouplist(f[7], (gid_t) gid, drop_groups, &n) >= 0) drop_ngroups = n;
    }
    /* vfork: the monitor sleeps until the command has exec'd (or failed); no page tables are copied. */
    pid_t child = vfork();
    if (child == 0) become_command(f, fifo_read, report);
    /* before the report: once the helper has it, the next spawn in this directory may create its own .tmp */
    if (child < 0 || command_failed) unlink(status_tmp);
    close(fifo_read);
    /* before the report: the daemon may send "C" as soon as it has the pid */
    if (dup2(fifo_write, 1) < 0) _exit(1);
    stdin_hold = 1;
    struct sigaction drop = {0};
    drop.sa_handler = drop_stdin;
    drop.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &drop, NULL);
    char line[64];
    int n = child < 0 ? snprintf(line, sizeof line, "X fork: %s\n", strerror(errno))
                      : snprintf(line, sizeof line, "P %d\n", (int) child);
    write_all(report, line, n);
    if (dup2(status_fd, 0) < 0) _exit(1);
    close_from(2);
    if (child < 0 || command_failed) _exit(1);
    int st;
    while (waitpid(child, &st, 0) < 0) {
        if (errno != EINTR) _exit(1);
    }
    drop_stdin(SIGUSR1); /* orphans that share the command's stdin see EOF once the daemon's end closes too */
    write_status(0, status_tmp, status, st);
    /* The session's other processes were adopted by this subreaper: reap them until none is left. */
    while (waitpid(-1, &st, 0) > 0 || errno == EINTR) {
    }
    _exit(0);
}

static void start_spare(void) {
    int requests[2], report[2];
    if (pipe2(requests, O_CLOEXEC) < 0) return;
    if (pipe2(report, O_CLOEXEC) < 0) {
        close(requests[0]);
        close(requests[1]);
        return;
    }
    pid_t m = fork();
    if (m == 0) monitor(requests[0], report[1]);
    close(requests[0]);
    close(report[1]);
    if (m < 0) {
        close(requests[1]);
        close(report[0]);
        return;
    }
    spare.pid = m;
    spare.requests = requests[1];
    spare.report = report[0];
}

static void drop_spare(void) {
    if (spare.pid < 0) return;
    close(spare.requests);
    close(spare.report);
    spare.pid = -1;
}

/* Hands the request to the spare monitor; a spare found dead is replaced once. */
static int hand_over(const char *frame, uint32_t len) {
    unsigned char hdr[4] = {len >> 24, len >> 16, len >> 8, len};
    for (int attempt = 0; attempt < 2; attempt++) {
        if (spare.pid < 0) start_spare();
        if (spare.pid < 0) return -1;
        if (write(spare.requests, hdr, 4) == 4 && write_full(spare.requests, frame, len) == 0) return 0;
        drop_spare();
    }
    return -1;
}

/* What the monitor and the command said: "P <pid>" and/or "X <error>", one line each, until both closed the pipe. */
static void await_report(int fd, int *pid, char *error, size_t size) {
    char buf[8192];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        len += n;
        if (len == sizeof buf - 1) break;
    }
    buf[len] = '\0';
    *pid = -1;
    error[0] = '\0';
    for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == 'P' && line[1] == ' ') *pid = atoi(line + 2);
        if (line[0] == 'X' && line[1] == ' ') snprintf(error, size, "%s", line + 2);
    }
}

/* Waits for the daemon's "A" (it has opened what we held open for it). */
static void await_ack(void) {
    char *ack = NULL;
    uint32_t ack_len;
    int n;
    char **fields = read_request(0, &ack, &ack_len, &n);
    if (fields == NULL) _exit(0);
    free(fields);
    free(ack);
}

static void spawn(char **f, int count, const char *frame, uint32_t len) {
    int argc = count > ARGC_FIELD + 1 ? parse_count(f[ARGC_FIELD], count) : -1;
    int envc = argc > 0 && ARGC_FIELD + 1 + argc < count ? parse_count(f[ARGC_FIELD + 1 + argc], count) : -1;
    if (argc <= 0 || envc < 0 || ARGC_FIELD + 2 + argc + envc != count) {
        reply("E spawn: malformed request (%d fields)", count);
        return;
    }
    const char *fifo = f[4], *status = f[5];
    int started = 0;
    unlink(status);
    unlink(fifo);
    if (mkfifo(fifo, 0600) < 0) {
        reply("E stdin %s: %s", fifo, strerror(errno));
        return;
    }
    /* Held until the daemon has opened its end: the command never sees EOF early, the daemon's open never blocks. */
    int r = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int w = r < 0 ? -1 : open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (w < 0) {
        reply("E stdin %s: %s", fifo, strerror(errno));
    } else if (hand_over(frame, len) < 0) {
        reply("E exec %s: cannot start a monitor: %s", f[ARGC_FIELD + 1], strerror(errno));
    } else {
        int pid;
        char error[4096];
        pid_t monitor_pid = spare.pid;
        await_report(spare.report, &pid, error, sizeof error);
        drop_spare();
        if (error[0] != '\0') {
            reply("E %s", error);
        } else if (pid <= 0) {
            reply("E exec %s: the monitor died before starting it", f[ARGC_FIELD + 1]);
        } else {
            reply("P %d %d", pid, (int) monitor_pid);
            started = 1;
            start_spare(); /* while the daemon opens the fifo */
            await_ack();
        }
    }
    if (r >= 0) close(r);
    if (w >= 0) close(w);
    if (!started) unlink(fifo); /* a started command's fifo stays: a restarted daemon reopens it */
}

/* F fifo: holds a read end of a session's fifo while a restarted daemon opens its write end, so that open never
 * blocks, even if the command has closed its stdin (the daemon's writes then fail as they would have before). */
static void hold_fifo(char **f, int count) {
    if (count != 2) {
        reply("E stdin: malformed request");
        return;
    }
    int r = open(f[1], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (r < 0) {
        reply("E stdin %s: %s", f[1], strerror(errno));
        return;
    }
    if (fstat(r, &st) < 0 || !S_ISFIFO(st.st_mode)) {
        close(r);
        reply("E stdin %s: not a fifo", f[1]);
        return;
    }
    reply("OK");
    await_ack();
    close(r);
}

/* /proc/<pid>/stat into buf, NUL-terminated; -1 if the process is gone. */
static int read_stat(pid_t pid, char *buf, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = '\0';
    return 0;
}

/* The start time of pid (field 22 of /proc/PID/stat, clock ticks since boot) and its name; -1 if it is gone. */
static long long start_time(pid_t pid, char *name, size_t size) {
    char buf[1024];
    if (read_stat(pid, buf, sizeof buf) < 0) return -1;
    char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
    if (open_paren == NULL || close_paren == NULL || close_paren < open_paren) return -1;
    snprintf(name, size, "%.*s", (int) (close_paren - open_paren - 1), open_paren + 1);
    char *p = close_paren + 2;
    for (int field = 3; field < 22 && p != NULL; field++) {
        p = strchr(p, ' ');
        if (p != NULL) p++;
    }
    return p == NULL ? -1 : strtoll(p, NULL, 10);
}

/* One process as /proc/<pid>/stat shows it: parent and process group (-1 if it is gone). */
static int proc_stat(pid_t pid, pid_t *ppid, pid_t *pgrp) {
    char buf[1024];
    if (read_stat(pid, buf, sizeof buf) < 0) return -1;
    char *close_paren = strrchr(buf, ')');
    int p, g;
    char state;
    if (close_paren == NULL || sscanf(close_paren + 1, " %c %d %d", &state, &p, &g) != 3) return -1;
    *ppid = p;
    *pgrp = g;
    return 0;
}

struct member_check {
    const char *cgroup; /* non-empty: membership is the cgroup */
    pid_t monitor, pgid;
};

/* Whether pid is in the cgroup's cgroup.procs. */
static int in_cgroup(const char *cgroup, pid_t pid) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/cgroup.procs", cgroup) >= (int) sizeof path) return 0;
    FILE *procs = fopen(path, "re");
    if (procs == NULL) return 0;
    int found = 0, p;
    while (!found && fscanf(procs, "%d", &p) == 1) found = p == pid;
    fclose(procs);
    return found;
}

/* Whether pid belongs to the session: its cgroup, or else the monitor's descendants and the command's group. */
static int is_member(const struct member_check *c, pid_t pid) {
    if (pid <= 1 || pid == c->monitor) return 0;
    if (c->cgroup[0] != '\0') return in_cgroup(c->cgroup, pid);
    pid_t ppid, pgrp;
    if (proc_stat(pid, &ppid, &pgrp) < 0) return 0;
    if (pgrp == c->pgid) return 1;
    for (int depth = 0; depth < 4096 && ppid > 1; depth++) {
        if (ppid == c->monitor) return 1;
        if (proc_stat(ppid, &ppid, &pgrp) < 0) return 0;
    }
    return 0;
}

/* Signals pid only if it is still a member once a pidfd pins it: a pid reused meanwhile is left alone. */
static int signal_member(const struct member_check *c, pid_t pid, int sig) {
#ifdef SYS_pidfd_open
    int fd = (int) syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) {
        int sent = is_member(c, pid) && syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0;
        close(fd);
        return sent;
    }
    if (errno != ENOSYS) return 0;
#endif
    return is_member(c, pid) && kill(pid, sig) == 0;
}

/* Every pid on the node (from /proc), into *pids; returns how many, -1 on error. */
static int all_pids(pid_t **pids) {
    DIR *proc = opendir("/proc");
    if (proc == NULL) return -1;
    int n = 0, cap = 1024;
    *pids = malloc(sizeof(pid_t) * cap);
    struct dirent *e;
    while (*pids != NULL && (e = readdir(proc)) != NULL) {
        int pid = parse_count(e->d_name, INT_MAX);
        if (pid <= 0) continue;
        if (n == cap) {
            cap *= 2;
            pid_t *grown = realloc(*pids, sizeof(pid_t) * cap);
            if (grown == NULL) break;
            *pids = grown;
        }
        (*pids)[n++] = pid;
    }
    closedir(proc);
    return *pids == NULL ? -1 : n;
}

/* The pids in a cgroup's cgroup.procs, into *pids; returns how many (0 if it is gone), -1 on error. */
static int cgroup_pids(const char *cgroup, pid_t **pids) {
    char path[PATH_MAX];
    int n = 0, cap = 64, p;
    *pids = malloc(sizeof(pid_t) * cap);
    if (*pids == NULL) return -1;
    if (snprintf(path, sizeof path, "%s/cgroup.procs", cgroup) >= (int) sizeof path) return 0;
    FILE *procs = fopen(path, "re");
    if (procs == NULL) return 0;
    while (fscanf(procs, "%d", &p) == 1) {
        if (n == cap) {
            cap *= 2;
            pid_t *grown = realloc(*pids, sizeof(pid_t) * cap);
            if (grown == NULL) break;
            *pids = grown;
        }
        (*pids)[n++] = p;
    }
    fclose(procs);
    return n;
}

/* K signal pgid monitor cgroup start: every member of the session, each through a checked pidfd; SIGKILL with a
 * cgroup through cgroup.kill. */
static void kill_session(char **f, int count) {
    int sig = count == 6 ? parse_count(f[1], 64) : -1;
    int pgid = count == 6 ? parse_count(f[2], INT_MAX) : -1;
    int monitor = count == 6 ? parse_count(f[3], INT_MAX) : -1;
    long long monitor_start = count == 6 ? strtoll(f[5], NULL, 10) : -1;
    if (sig <= 0 || pgid <= 1 || monitor < 0) {
        reply("E kill: malformed request");
        return;
    }
    char name[64];
    if (f[4][0] == '\0' && monitor_start >= 0 && start_time(monitor, name, sizeof name) != monitor_start) {
        reply("E No such process"); /* the monitor reaped every member before it exited */
        return;
    }
    struct member_check c = {f[4], monitor, pgid};
    pid_t *pids = NULL;
    int n = c.cgroup[0] != '\0' ? cgroup_pids(c.cgroup, &pids) : all_pids(&pids);
    if (n < 0) {
        reply("E kill: cannot list /proc: %s", strerror(errno));
        return;
    }
    int sent = 0;
    for (int i = 0; i < n; i++) sent += signal_member(&c, pids[i], sig);
    free(pids);
    if (sig == SIGKILL && c.cgroup[0] != '\0') {
        /* also whatever forked while we walked /proc */
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/cgroup.kill", c.cgroup) < (int) sizeof path) {
            int fd = open(path, O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                write_full(fd, "1", 1);
                close(fd);
            }
        }
    }
    if (sent == 0) {
        reply("E No such process");
    } else {
        reply("OK %d", sent);
    }
}

/* C monitor starttime: the client closed stdin; the monitor drops its write end (SIGUSR1), if it is still the
 * session's monitor: the same start time and name, checked once a pidfd pins the pid. */
static void close_stdin(char **f, int count) {
    int monitor = count == 3 ? parse_count(f[1], INT_MAX) : -1;
    char *end;
    long long expected = count == 3 ? strtoll(f[2], &end, 10) : -1;
    if (monitor <= 1 || expected < 0) {
        reply("E stdin: malformed request");
        return;
    }
    char name[64];
    int sent = 0;
#ifdef SYS_pidfd_open
    int fd = (int) syscall(SYS_pidfd_open, monitor, 0);
    if (fd >= 0) {
        sent = start_time(monitor, name, sizeof name) == expected && strcmp(name, "gproc-monitor") == 0
               && syscall(SYS_pidfd_send_signal, fd, SIGUSR1, NULL, 0) == 0;
        close(fd);
    } else if (errno == ENOSYS)
#endif
    {
        sent = start_time(monitor, name, sizeof name) == expected && strcmp(name, "gproc-monitor") == 0
               && kill(monitor, SIGUSR1) == 0;
    }
    if (sent) {
        reply("OK");
    } else {
        reply("E No such process");
    }
}

int main(int argc, char **argv) {
    (void) argc;
    (void) argv;
    signal(SIGCHLD, SIG_IGN); /* monitors are reaped by the kernel */
    signal(SIGPIPE, SIG_IGN);
    start_spare();
    char *buf = NULL;
    uint32_t len;
    int count;
    char **fields;
    while ((fields = read_request(0, &buf, &len, &count)) != NULL) {
        if (strcmp(fields[0], "S") == 0) {
            spawn(fields, count, buf, len);
        } else if (strcmp(fields[0], "K") == 0) {
            kill_session(fields, count);
        } else if (strcmp(fields[0], "F") == 0) {
            hold_fifo(fields, count);
        } else if (strcmp(fields[0], "C") == 0) {
            close_stdin(fields, count);
        } else if (strcmp(fields[0], "A") != 0) {
            reply("E unknown request '%.20s'", fields[0]);
        }
        free(fields);
    }
    return 0;
}
