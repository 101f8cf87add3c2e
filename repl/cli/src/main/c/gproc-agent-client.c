/*
 * gproc-agent-client: the thin client of gproc's control-node agent (org.gproc.cli.agent). scripts/gproc execs it
 * for exec, ps, kill, status and attach; it sends the command line, environment and working directory over the
 * agent's UNIX socket, then relays stdin (once the agent asks for it), stdout, stderr and SIGINT/SIGTERM/SIGHUP,
 * and exits with the status the agent sends. The wire protocol is documented in Wire.java.
 *
 * No agent running: it runs this call directly (execs SCRIPT with GPROC_AGENT=off) and starts an agent (START...,
 * in its own session, output to LOG) for the next call once that direct run has ended: measured on 2 cores, a call
 * that waited for a starting agent took 1.4-2.2x as long as one run directly (the agent's full JIT starts slower than
 * the one-shot's C1-only JVM), and an agent starting beside the direct run still took its CPU (1.90 s instead of
 * 1.41 s for one node). A small watcher process holds the read end of a pipe whose write end the direct run
 * inherits: at its end (exit, signal or crash alike) the pipe reads EOF and the watcher becomes the agent. The
 * command also runs directly when the agent cannot be used: the socket's directory is not this user's or is open to
 * others, the agent runs as another uid, or the agent says the command is not its to run.
 *
 * usage: gproc-agent-client SOCKET SCRIPT LOG N START_1..START_N ARGS...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define VERSION "gproc-agent 1"
#define MAX_PAYLOAD (1 << 20)
#define OUT_HIGH (256 * 1024)

extern char **environ;

static const char *script;
static char **gproc_args;
static int gproc_argc;
static int sig_pipe[2] = {-1, -1};

static char *outbuf;
static size_t out_len, out_cap;

/* Runs the command in a JVM of its own: scripts/gproc with the agent turned off. */
static void run_directly(const char *why) {
    if (why != NULL) {
        fprintf(stderr, "gproc: %s; running the command directly\n", why);
    }
    setenv("GPROC_AGENT", "off", 1);
    char **argv = calloc((size_t) gproc_argc + 2, sizeof(char *));
    if (argv == NULL) {
        perror("gproc: agent client");
        exit(255);
    }
    argv[0] = (char *) script;
    for (int i = 0; i < gproc_argc; i++) {
        argv[i + 1] = gproc_args[i];
    }
    execv(script, argv);
    fprintf(stderr, "gproc: cannot run %s: %s\n", script, strerror(errno));
    exit(255);
}

static void queue(char type, const void *data, size_t len) {
    if (out_len + 5 + len > out_cap) {
        size_t cap = out_cap ? out_cap : 65536;
        while (cap < out_len + 5 + len) {
            cap *= 2;
        }
        char *grown = realloc(outbuf, cap);
        if (grown == NULL) {
            perror("gproc: agent client");
            exit(255);
        }
        outbuf = grown;
        out_cap = cap;
    }
    uint32_t n = (uint32_t) len;
    outbuf[out_len] = type;
    outbuf[out_len + 1] = (char) (n >> 24);
    outbuf[out_len + 2] = (char) (n >> 16);
    outbuf[out_len + 3] = (char) (n >> 8);
    outbuf[out_len + 4] = (char) n;
    if (len > 0) {
        memcpy(outbuf + out_len + 5, data, len);
    }
    out_len += 5 + len;
}

static void queue_text(char type, const char *text) {
    queue(type, text, strlen(text));
}

/*
 * Writes what the socket takes now. An agent that no longer reads (the command has ended) gets nothing more; its
 * last frames, the exit status among them, are still read.
 */
static void flush_some(int fd) {
    while (out_len > 0) {
        ssize_t n = send(fd, outbuf, out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                out_len = 0;
            }
            return;
        }
        memmove(outbuf, outbuf + n, out_len - (size_t) n);
        out_len -= (size_t) n;
    }
}

static void write_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return; /* a closed pipe: the output is dropped, as the JVM drops it */
        }
        p += n;
        len -= (size_t) n;
    }
}

static void on_signal(int sig) {
    int saved = errno;
    unsigned char b = (unsigned char) sig;
    if (write(sig_pipe[1], &b, 1) < 0) {
        /* the pipe is full: enough signals are already pending */
    }
    errno = saved;
}

/* The directory exists, is a directory of this user's, and nobody else may open it. */
static int dir_is_private(const char *dir, char *why, size_t whylen) {
    struct stat st;
    if (lstat(dir, &st) != 0) {
        snprintf(why, whylen, "the agent's directory %s: %s", dir, strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0) {
        snprintf(why, whylen, "the agent's directory %s is not this user's with mode 0700", dir);
        return 0;
    }
    return 1;
}

static int try_connect(const char *path) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) {
        return -2;
    }
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void make_private_dir(const char *dir) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0700);
            *p = '/';
        }
    }
    mkdir(path, 0700);
}

/*
 * Forks the watcher that starts the agent once this process, and the direct run it is about to exec, have ended. The
 * watcher is in its own session (the terminal's Ctrl-C and hangup never reach it or the agent) and holds none of the
 * caller's descriptors, so a caller reading this command's output sees its end when the direct run ends.
 */
static void start_agent_after(const char *log, char **start) {
    int done[2];
    if (pipe(done) != 0) {
        return;
    }
    pid_t pid = fork();
    if (pid != 0) {
        close(done[0]); /* the write end stays open across the exec: the direct run holds it until its end */
        if (pid < 0) {
            close(done[1]);
        }
        return;
    }
    setsid();
    close(done[1]);
    int in = open("/dev/null", O_RDONLY);
    int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0) {
        _exit(127);
    }
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    for (int fd = 3; fd < 1024; fd++) {
        if (fd != done[0]) {
            close(fd);
        }
    }
    char b;
    while (read(done[0], &b, 1) < 0 && errno == EINTR) {
    }
    close(done[0]);
    execvp(start[0], start);
    _exit(127);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: gproc-agent-client SOCKET SCRIPT LOG N START... ARGS...\n");
        return 2;
    }
    const char *socket_path = argv[1];
    script = argv[2];
    const char *log = argv[3];
    int nstart = atoi(argv[4]);
    if (nstart < 0 || 5 + nstart > argc) {
        fprintf(stderr, "gproc-agent-client: bad start command count '%s'\n", argv[4]);
        return 2;
    }
    char **start = calloc((size_t) nstart + 1, sizeof(char *));
    for (int i = 0; i < nstart; i++) {
        start[i] = argv[5 + i];
    }
    gproc_args = argv + 5 + nstart;
    gproc_argc = argc - 5 - nstart;

    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", socket_path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir) {
        run_directly("the agent's socket path is not absolute");
    }
    *slash = '\0';
    char why[PATH_MAX + 128];

    int fd = try_connect(socket_path);
    if (fd < 0) {
        if (nstart > 0) {
            make_private_dir(dir);
            if (dir_is_private(dir, why, sizeof why)) {
                start_agent_after(log, start); /* for the next call; a second one started meanwhile gives way */
            }
        }
        run_directly(nstart > 0 && !dir_is_private(dir, why, sizeof why) ? why : NULL);
    }
    if (!dir_is_private(dir, why, sizeof why)) {
        run_directly(why);
    }
    struct ucred cred;
    socklen_t credlen = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) != 0 || cred.uid != getuid()) {
        run_directly("the agent's socket is served by another user");
    }

    queue_text('V', VERSION);
    for (int i = 0; i < gproc_argc; i++) {
        queue_text('A', gproc_args[i]);
    }
    for (char **e = environ; *e; e++) {
        queue_text('E', *e);
    }
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == NULL) {
        run_directly("the working directory cannot be named");
    }
    queue_text('D', cwd);
    unsigned char tty = (isatty(0) ? 1 : 0) | (isatty(1) ? 2 : 0);
    queue('T', &tty, 1);
    queue('G', NULL, 0);

    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        perror("gproc: agent client");
        return 255;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    int stdin_open = 0; /* read only once the command asks for it */
    int started_output = 0;
    char *in = malloc(5 + MAX_PAYLOAD);
    size_t in_len = 0;
    char chunk[65536];
    for (;;) {
        flush_some(fd);
        struct pollfd p[3];
        int np = 0;
        p[np].fd = fd;
        p[np].events = POLLIN | (out_len > 0 ? POLLOUT : 0);
        np++;
        p[np].fd = sig_pipe[0];
        p[np].events = POLLIN;
        np++;
        if (stdin_open && out_len < OUT_HIGH) {
            p[np].fd = 0;
            p[np].events = POLLIN;
            np++;
        }
        if (poll(p, (nfds_t) np, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("gproc: agent client");
            return 255;
        }
        if (p[1].revents & POLLIN) {
            unsigned char sig;
            while (read(sig_pipe[0], &sig, 1) == 1) {
                queue('S', &sig, 1);
            }
        }
        if (np > 2 && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(0, chunk, sizeof chunk);
            if (n > 0) {
                queue('I', chunk, (size_t) n);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                queue('I', NULL, 0);
                stdin_open = 0;
            }
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = recv(fd, in + in_len, 5 + MAX_PAYLOAD - in_len, 0);
            if (n <= 0) {
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                if (!started_output) {
                    snprintf(why, sizeof why, "the agent closed the connection without an answer (see %s)", log);
                    run_directly(why);
                }
                fprintf(stderr, "gproc: the agent closed the connection (see %s)\n", log);
                return 255;
            }
            in_len += (size_t) n;
            while (in_len >= 5) {
                uint32_t len = ((uint32_t) (unsigned char) in[1] << 24) | ((uint32_t) (unsigned char) in[2] << 16)
                        | ((uint32_t) (unsigned char) in[3] << 8) | (uint32_t) (unsigned char) in[4];
                if (len > MAX_PAYLOAD) {
                    fprintf(stderr, "gproc: the agent sent a frame of %u bytes\n", len);
                    return 255;
                }
                if (in_len < 5 + len) {
                    break;
                }
                char type = in[0];
                char *payload = in + 5;
                switch (type) {
                    case 'O':
                        started_output = 1;
                        write_all(1, payload, len);
                        break;
                    case 'R':
                        started_output = 1;
                        write_all(2, payload, len);
                        break;
                    case 'N':
                        started_output = 1;
                        stdin_open = 1;
                        break;
                    case 'X':
                        if (len == 4) {
                            uint32_t st = ((uint32_t) (unsigned char) payload[0] << 24)
                                    | ((uint32_t) (unsigned char) payload[1] << 16)
                                    | ((uint32_t) (unsigned char) payload[2] << 8) | (uint32_t) (unsigned char) payload[3];
                            return (int) (st & 0xff);
                        }
                        return 255;
                    case 'F':
                        if (started_output) {
                            fprintf(stderr, "gproc: the agent gave up on the command after it started\n");
                            return 255;
                        }
                        run_directly(NULL);
                        break;
                    default:
                        fprintf(stderr, "gproc: the agent sent an unknown frame '%c'\n", type);
                        return 255;
                }
                memmove(in, in + 5 + len, in_len - 5 - len);
                in_len -= 5 + len;
            }
        }
    }
}
