/*
 * hull-monitor: the per-process keeper that hull-shim leaves behind each
 * container init and each exec process. It outlives the supervisor, so an
 * exit that happens while hull-shim is down is still recorded.
 *
 *   hull-monitor EXIT_FILE PID_FILE CONSOLE_SOCKET|- RUNTIME [ARG...]
 *
 * It becomes a child subreaper, runs RUNTIME (e.g. `runc create ...`) with
 * its own fds 0-2, and after RUNTIME exits reads the process's pid from
 * PID_FILE: that process has been reparented to the monitor, which waits for
 * it and writes "STATUS SECONDS NANOSECONDS\n" (STATUS = exit code, or
 * 128+signal) to EXIT_FILE atomically (temp file, fsync, rename), then exits.
 *
 * fds on entry: 0-2 the process's stdio; 3 the report pipe, where it writes
 * "RUNTIME_WAIT_STATUS PID MASTER_FD\n" once RUNTIME has exited and closes it;
 * 4-6 fds it only holds open (the supervisor's ends of the stdio pipes), so a
 * container never writes into a pipe without a reader while the supervisor is
 * down and a restarted supervisor takes them back with pidfd_getfd(2). With a
 * console socket, the pty master the runtime sends is kept at fd 7 the same way.
 *
 * Logs: fd 8 (stdout, or the pty's output) and fd 9 (stderr), when open, are
 * log files the monitor owns: it copies the process's pipe (fd 5, fd 6) or the
 * pty master into them itself, whether or not a supervisor is up, so nothing
 * the process writes is lost when the supervisor dies. After the process exits
 * it copies until end of file (or DRAIN_SECONDS, if something the process left
 * behind keeps the pipe open) before it writes EXIT_FILE: a client that sees the
 * exit has the whole log.
 *
 *   hull-monitor EXIT_FILE PID_FILE CONSOLE_SOCKET|- --spawn FLAGS NJOIN NFDS SYNC ROOT DUMP ARGV...
 *
 * Spawn mode (hull-shim's in-process runtime): instead of running a runtime
 * command the monitor clones hull-init itself, so the container's init is its
 * child from the start. It does what hull_spawn does in hull.node (FLAGS:
 * clone flags; join the NJOIN namespace fds; wait for one byte on child fd
 * SYNC, -1 for none, while the supervisor writes the id maps; ROOT: setres[ug]id 0;
 * DUMP: PR_SET_DUMPABLE; execveat the sealed copy with ARGV). Extra fds: 10 the
 * spawn report (the clone's pid as int32, then {step, errno} int32s if it
 * failed before execve; EOF: it exec'd), 11 "go" (EOF once the supervisor has
 * finished the create, or died: then PID_FILE names the process, if any),
 * 12 the sealed hull-init, 13.. the NJOIN namespace fds, then the child's fds
 * 3..NFDS-1 (its 0-2 are the monitor's). CONSOLE_SOCKET "=": fd 7 is the
 * other end of the init's console socket, where the pty master arrives.
 *
 * Built without libc (raw syscalls, no heap) so that one costs a few pages of
 * memory: the supervisor's budget is 100 KB per running container.
 */
#define NOLIBC_MAIN monitor_main
#include "nolibc.h"

enum {
	AT_FDCWD = -100, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_TRUNC = 01000,
	O_CLOEXEC = 02000000, F_GETFL = 3, F_SETFL = 4, F_SETFD = 2, FD_CLOEXEC = 1, O_NONBLOCK = 04000,
	PR_SET_CHILD_SUBREAPER = 36, SIGCHLD = 17, AF_UNIX = 1, SOCK_STREAM = 1,
	SOCK_CLOEXEC = 02000000, SOL_SOCKET = 1, SCM_RIGHTS = 1, CLOCK_REALTIME = 0,
	EINTR = 4, ECHILD = 10, EPIPE = 32, EPERM = 1, MASTER_FD = 7, MAX_EARLY = 64,
	PR_SET_DUMPABLE = 4, AT_EMPTY_PATH = 0x1000, CLOSE_RANGE_CLOEXEC = 4, F_DUPFD_CLOEXEC = 1030,
	SPAWN_REPORT_FD = 10, SPAWN_GO_FD = 11, SPAWN_EXEC_FD = 12, SPAWN_FDS = 13, MAX_SPAWN_FDS = 64,
	STDOUT_PIPE_FD = 5, STDERR_PIPE_FD = 6, STDOUT_LOG_FD = 8, STDERR_LOG_FD = 9,
	F_GETFD = 1, SIG_BLOCK = 0, SFD_NONBLOCK = 04000, SFD_CLOEXEC = 02000000,
	POLLIN = 1, POLLERR = 8, POLLHUP = 16, WNOHANG = 1, DRAIN_SECONDS = 5,
};

/* Steps as hull_spawn names them (enum hull_step in hull_spawn.h). */
enum { STEP_WAIT_SYNC = 2, STEP_SETNS, STEP_SETGROUPS, STEP_SETRESGID, STEP_SETRESUID, STEP_FDS, STEP_DUMPABLE, STEP_EXECVE };

struct spawn { long flags, njoin, nfds, sync, root, dump; };

static int wait_any(int *status)
{
	for (;;) {
		long pid = sys6(__NR_wait4, -1, (long)status, 0, 0, 0, 0);
		if (pid != -EINTR) return (int)pid;
	}
}

/* Exit code as a shell reports it: the code, or 128+signal. */
static int exit_code(int ws)
{
	return (ws & 0x7f) == 0 ? (ws >> 8) & 0xff : 128 + (ws & 0x7f);
}

static int read_pid(const char *path)
{
	char buf[32];
	long fd = sys6(__NR_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0);
	if (fd < 0) return -1;
	long n = sys3(__NR_read, fd, buf, sizeof buf - 1);
	sys3(__NR_close, fd, 0, 0);
	if (n <= 0) return -1;
	int pid = 0;
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) pid = pid * 10 + (buf[i] - '0');
	return pid > 0 ? pid : -1;
}

/* Takes the pty master the runtime sent over the console socket. */
static int receive_master(int lfd)
{
	/* Spawn mode: fd 7 is already connected to the init's console socket. */
	long conn = lfd == MASTER_FD ? MASTER_FD : sys6(__NR_accept4, lfd, 0, 0, SOCK_CLOEXEC, 0, 0);
	if (conn < 0) return -1;
	char byte[256];
	struct { void *base; size_t len; } iov = { byte, sizeof byte };
	union { struct { size_t len; int level, type; int fd; } c; char pad[64]; } ctl;
	struct { void *name; int namelen; void *iov; size_t iovlen; void *control; size_t controllen; int flags; } msg;
	memset(&ctl, 0, sizeof ctl);
	memset(&msg, 0, sizeof msg);
	msg.iov = &iov;
	msg.iovlen = 1;
	msg.control = &ctl;
	msg.controllen = sizeof ctl;
	long n = sys3(__NR_recvmsg, conn, &msg, 0);
	sys3(__NR_close, conn, 0, 0);
	if (n < 0 || ctl.c.level != SOL_SOCKET || ctl.c.type != SCM_RIGHTS) return -1;
	if (ctl.c.fd != MASTER_FD) {
		if (sys3(__NR_dup3, ctl.c.fd, MASTER_FD, O_CLOEXEC) < 0) return -1;
		sys3(__NR_close, ctl.c.fd, 0, 0);
	}
	return MASTER_FD;
}

static int listen_console(const char *path)
{
	struct { unsigned short family; char path[108]; } addr;
	size_t n = slen(path);
	if (n >= sizeof addr.path) return -1;
	memset(&addr, 0, sizeof addr);
	addr.family = AF_UNIX;
	memcpy(addr.path, path, n);
	long fd = sys3(__NR_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) return -1;
	if (sys3(__NR_bind, fd, &addr, sizeof addr) < 0 || sys3(__NR_listen, fd, 1, 0) < 0) return -1;
	/* Non-blocking: if the runtime never connected, accept fails instead of hanging. */
	sys3(__NR_fcntl, fd, F_SETFL, O_NONBLOCK);
	return (int)fd;
}

/* Only the process keeps its stdio: EOF reaches the supervisor when it exits. */
static void drop_stdio(void)
{
	long null = sys6(__NR_openat, AT_FDCWD, (long)"/dev/null", O_RDWR | O_CLOEXEC, 0, 0, 0);
	for (int fd = 0; fd <= 2; fd++) if (null >= 0 && null != fd) sys3(__NR_dup3, null, fd, 0);
	if (null > 2) sys3(__NR_close, null, 0, 0);
}

static long parse_num(const char *s)
{
	long sign = 1, v = 0;
	if (*s == '-') { sign = -1; s++; }
	if (!*s) die(2);
	for (; *s; s++) {
		if (*s < '0' || *s > '9') die(2);
		v = v * 10 + (*s - '0');
	}
	return sign * v;
}

static __attribute__((noreturn)) void spawn_fail(int errfd, int step, long err)
{
	int r[2] = { step, (int)-err };
	write_all(errfd, (const char *)r, sizeof r);
	die(127);
}

/* The clone's side of spawn mode: hull_spawn's child() with raw syscalls. */
static __attribute__((noreturn)) void spawn_child(const struct spawn *s, char **argv, int errfd)
{
	long r;
	int first = SPAWN_FDS + (int)s->njoin; /* the child's fd 3 */
	if (s->sync >= 3) {
		char c;
		do r = sys3(__NR_read, first + s->sync - 3, &c, 1); while (r == -EINTR);
		if (r != 1) spawn_fail(errfd, STEP_WAIT_SYNC, r < 0 ? r : -EPIPE);
	}
	/* Non-dumpable before anything of a container can see us (after the id maps). */
	if (s->dump == 0 && (r = sys6(__NR_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0, 0)) < 0) spawn_fail(errfd, STEP_DUMPABLE, r);
	for (int i = 0; i < s->njoin; i++)
		if ((r = sys2(__NR_setns, SPAWN_FDS + i, 0)) < 0) spawn_fail(errfd, STEP_SETNS, r);
	if (s->root) {
		if ((r = sys2(__NR_setgroups, 0, 0)) < 0 && r != -EPERM) spawn_fail(errfd, STEP_SETGROUPS, r);
		if ((r = sys3(__NR_setresgid, 0, 0, 0)) < 0) spawn_fail(errfd, STEP_SETRESGID, r);
		if ((r = sys3(__NR_setresuid, 0, 0, 0)) < 0) spawn_fail(errfd, STEP_SETRESUID, r);
	}
	/* Everything we keep goes above both ranges first, then into place. */
	int high = first + (int)s->nfds + 8;
	if ((r = sys3(__NR_fcntl, errfd, F_DUPFD_CLOEXEC, high)) < 0) spawn_fail(errfd, STEP_FDS, r);
	errfd = (int)r;
	long exec_fd = sys3(__NR_fcntl, SPAWN_EXEC_FD, F_DUPFD_CLOEXEC, high);
	if (exec_fd < 0) spawn_fail(errfd, STEP_FDS, exec_fd);
	int tmp[MAX_SPAWN_FDS];
	for (int i = 3; i < s->nfds; i++)
		if ((tmp[i] = (int)sys3(__NR_fcntl, first + i - 3, F_DUPFD_CLOEXEC, high)) < 0) spawn_fail(errfd, STEP_FDS, tmp[i]);
	for (int i = 3; i < s->nfds; i++) {
		if ((r = sys3(__NR_dup3, tmp[i], i, 0)) < 0) spawn_fail(errfd, STEP_FDS, r);
		sys3(__NR_close, tmp[i], 0, 0);
	}
	if ((r = sys3(__NR_close_range, s->nfds, ~0U, CLOSE_RANGE_CLOEXEC)) < 0) spawn_fail(errfd, STEP_FDS, r);
	if (s->dump >= 0 && (r = sys6(__NR_prctl, PR_SET_DUMPABLE, s->dump, 0, 0, 0, 0)) < 0) spawn_fail(errfd, STEP_DUMPABLE, r);
	/* A real uid of nobody keeps hull-init non-dumpable from its first instruction (see hull_spawn.c). */
	if (s->dump == 0) sys3(__NR_setresuid, 65534, -1, -1);
	char *envp[1] = { 0 };
	r = sys5(__NR_execveat, exec_fd, "", argv, envp, AT_EMPTY_PATH);
	spawn_fail(errfd, STEP_EXECVE, r);
}

static long spawned_pid = -1;

/*
 * Spawn mode without a process to keep: the create or exec did not finish
 * (it failed, or the supervisor died mid-way). Nothing it started may outlive
 * us: kill our children until none is left (their orphans come to us, the
 * subreaper, and are killed in turn).
 */
static void end_children(void)
{
	char path[64], buf[1024];
	size_t off = 0;
	put_str(path, &off, "/proc/self/task/");
	put_num(path, &off, sys6(__NR_getpid, 0, 0, 0, 0, 0, 0));
	put_str(path, &off, "/children");
	path[off] = 0;
	if (spawned_pid > 0) sys2(__NR_kill, spawned_pid, 9);
	for (;;) {
		long fd = sys6(__NR_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0);
		long n = fd >= 0 ? sys3(__NR_read, fd, buf, sizeof buf - 1) : -1;
		if (fd >= 0) sys3(__NR_close, fd, 0, 0);
		for (long i = 0, pid = 0; i < n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') pid = pid * 10 + (buf[i] - '0');
			else { if (pid > 0) sys2(__NR_kill, pid, 9); pid = 0; }
		}
		int ws;
		if (wait_any(&ws) < 0) return;
	}
}

/*
 * Spawn mode's start: clones hull-init, reports its pid and how its exec
 * went, then waits until the supervisor is done with the create (or gone).
 */
static void spawn_init(const struct spawn *s, char **argv)
{
	int errpipe[2];
	if (s->nfds < 3 || s->nfds > MAX_SPAWN_FDS || s->njoin < 0 || s->njoin > 8) die(2);
	if (sys2(__NR_pipe2, errpipe, O_CLOEXEC) < 0) die(5);
	long pid = sys6(__NR_clone, s->flags | SIGCHLD, 0, 0, 0, 0, 0);
	if (pid == 0) spawn_child(s, argv, errpipe[1]);
	spawned_pid = pid;
	sys3(__NR_close, errpipe[1], 0, 0);
	drop_stdio();
	int p32 = (int)pid;
	write_all(SPAWN_REPORT_FD, (const char *)&p32, sizeof p32);
	/* Only the clone keeps its fds: its sync socket must reach EOF when it execs the process. */
	for (int fd = SPAWN_EXEC_FD; fd < SPAWN_FDS + s->njoin + s->nfds - 3; fd++) sys3(__NR_close, fd, 0, 0);
	if (pid > 0) {
		int r[2];
		long n;
		do n = sys3(__NR_read, errpipe[0], r, sizeof r); while (n == -EINTR);
		if (n == sizeof r) write_all(SPAWN_REPORT_FD, (const char *)r, sizeof r);
	}
	sys3(__NR_close, errpipe[0], 0, 0);
	sys3(__NR_close, SPAWN_REPORT_FD, 0, 0);
	char buf[64];
	long n;
	do n = sys3(__NR_read, SPAWN_GO_FD, buf, sizeof buf); while (n > 0 || n == -EINTR);
	sys3(__NR_close, SPAWN_GO_FD, 0, 0);
}

struct timespec_ { long sec, nsec; };

static void write_exit(const char *path, int status, struct timespec_ ts)
{
	char tmp[4096], line[80];
	size_t off = 0, lo = 0;
	put_str(tmp, &off, path);
	put_str(tmp, &off, ".tmp");
	tmp[off] = 0;
	put_num(line, &lo, status);
	line[lo++] = ' ';
	put_num(line, &lo, ts.sec);
	line[lo++] = ' ';
	put_num(line, &lo, ts.nsec);
	line[lo++] = '\n';
	long fd = sys6(__NR_openat, AT_FDCWD, (long)tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600, 0, 0);
	if (fd < 0) die(3);
	if (write_all((int)fd, line, lo) < 0) die(3);
	sys3(__NR_fsync, fd, 0, 0);
	sys3(__NR_close, fd, 0, 0);
	if (sys6(__NR_renameat, AT_FDCWD, (long)tmp, AT_FDCWD, (long)path, 0, 0) < 0) die(3);
}

/* ---- logs: the process's output copied into the files at fds 8 and 9 ---- */

struct stream { int from, to; };
struct pollfd_ { int fd; short events, revents; };

/* Static, not on the stack: its pages are touched only by a process that writes. */
static char copy_buf[16384];

static int is_open(int fd)
{
	return sys3(__NR_fcntl, fd, F_GETFD, 0) >= 0;
}

/* One read, copied whole; 0 once the stream ended (EOF, or EIO from a pty master whose slave is gone). */
static int copy_once(struct stream *s)
{
	long n = sys3(__NR_read, s->from, copy_buf, sizeof copy_buf);
	if (n == -EINTR) return 1;
	if (n <= 0) return 0;
	/* A log that cannot be written (disk full) drops the bytes, never stalls the process. */
	write_all(s->to, copy_buf, (size_t)n);
	return 1;
}

static struct timespec_ now_(void)
{
	struct timespec_ ts = { 0, 0 };
	sys3(__NR_clock_gettime, CLOCK_REALTIME, &ts, 0);
	return ts;
}

/*
 * Waits for `target` (reaping every other orphan too) while copying the
 * streams; returns its wait status and, in *at, when it was reaped.
 */
static int wait_copying(int target, int status, struct stream *st, int nst, struct timespec_ *at)
{
	unsigned long mask = 1UL << (SIGCHLD - 1);
	/* Blocked only now: the runtime and the process were started with it unblocked. */
	sys4(__NR_rt_sigprocmask, SIG_BLOCK, &mask, 0, sizeof mask);
	long sfd = sys4(__NR_signalfd4, -1, &mask, sizeof mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) die(6);
	struct timespec_ mono = { 0, 0 };
	long deadline = 0;
	if (status >= 0) {
		*at = now_();
		sys3(__NR_clock_gettime, 1 /* CLOCK_MONOTONIC */, &mono, 0);
		deadline = mono.sec + DRAIN_SECONDS;
	}
	for (;;) {
		/* Reap whatever is dead (a zombie waits for us, so no SIGCHLD is missed). */
		int ws, pid;
		while (status < 0 && (pid = (int)sys6(__NR_wait4, -1, (long)&ws, WNOHANG, 0, 0, 0)) > 0) {
			if (pid != target) continue;
			status = ws;
			*at = now_();
			sys3(__NR_clock_gettime, 1, &mono, 0);
			deadline = mono.sec + DRAIN_SECONDS;
		}
		while (status >= 0 && sys6(__NR_wait4, -1, (long)&ws, WNOHANG, 0, 0, 0) > 0) {}
		struct pollfd_ pfd[3];
		int n = 0, live = 0;
		pfd[n++] = (struct pollfd_){ (int)sfd, POLLIN, 0 };
		for (int i = 0; i < nst; i++) if (st[i].from >= 0) { pfd[n++] = (struct pollfd_){ st[i].from, POLLIN, 0 }; live++; }
		if (status >= 0 && live == 0) return status;
		struct timespec_ left = { 0, 0 }, *tp = 0;
		if (status >= 0) {
			sys3(__NR_clock_gettime, 1, &mono, 0);
			if (mono.sec >= deadline) return status; /* something left behind holds the pipe */
			left.sec = deadline - mono.sec;
			tp = &left;
		}
		long r = sys6(__NR_ppoll, (long)pfd, n, (long)tp, 0, 0, 0);
		if (r < 0 && r != -EINTR) die(6);
		if (pfd[0].revents) {
			char info[128];
			while (sys3(__NR_read, sfd, info, sizeof info) > 0) {}
		}
		for (int i = 0, k = 1; i < nst; i++) {
			if (st[i].from < 0) continue;
			if (pfd[k++].revents & (POLLIN | POLLHUP | POLLERR)) {
				if (!copy_once(&st[i])) st[i].from = -1;
			}
		}
	}
}

__attribute__((noreturn, used)) void monitor_main(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	if (argc < 5 || slen(argv[1]) > 4000) die(2);
	const char *exit_file = argv[1], *pid_file = argv[2], *console = argv[3];
	const char *sp_flag = "--spawn";
	int spawn_mode = 1;
	for (int i = 0; i < 8; i++) if (argv[4][i] != sp_flag[i]) { spawn_mode = 0; break; }
	if (spawn_mode && argc < 12) die(2);

	sys6(__NR_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0, 0);
	for (int fd = 3; fd <= STDERR_LOG_FD; fd++) sys3(__NR_fcntl, fd, F_SETFD, FD_CLOEXEC);
	if (spawn_mode) for (int fd = SPAWN_REPORT_FD; fd <= SPAWN_GO_FD; fd++) sys3(__NR_fcntl, fd, F_SETFD, FD_CLOEXEC);
	int lfd = -1;
	if (spawn_mode && console[0] == '=' && console[1] == 0) lfd = MASTER_FD;
	else if (!(console[0] == '-' && console[1] == 0) && (lfd = listen_console(console)) < 0) die(4);

	int early_pid[MAX_EARLY], early_status[MAX_EARLY], nearly = 0;
	int ws = 0, rws = -1;
	if (spawn_mode) {
		struct spawn s = { parse_num(argv[5]), parse_num(argv[6]), parse_num(argv[7]), parse_num(argv[8]), parse_num(argv[9]), parse_num(argv[10]) };
		spawn_init(&s, argv + 11);
		rws = 0;
	} else {
		long runtime = sys6(__NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
		if (runtime < 0) die(5);
		if (runtime == 0) {
			sys3(__NR_execve, argv[4], argv + 4, envp);
			die(127);
		}
		drop_stdio();
		/* Orphans reaped before we know the pid: the process may exit before the runtime does. */
		for (;;) {
			int pid = wait_any(&ws);
			if (pid < 0) die(6);
			if (pid == runtime) { rws = ws; break; }
			if (nearly < MAX_EARLY) { early_pid[nearly] = pid; early_status[nearly++] = ws; }
		}
	}
	int target = rws == 0 ? read_pid(pid_file) : -1;
	int master = (target > 0 && lfd >= 0) ? receive_master(lfd) : -1;
	if (lfd >= 0 && lfd != MASTER_FD) {
		sys3(__NR_close, lfd, 0, 0);
		sys3(__NR_unlinkat, AT_FDCWD, console, 0);
	} else if (lfd == MASTER_FD && master < 0) {
		sys3(__NR_close, MASTER_FD, 0, 0);
	}
	/* The supervisor may be gone: a write to its pipe must fail, not kill us (set only now: children inherit it). */
	struct { long handler, flags, restorer, mask; } ign = { 1 /* SIG_IGN */, 0, 0, 0 };
	sys4(__NR_rt_sigaction, 13 /* SIGPIPE */, &ign, 0, 8);
	char report[80];
	size_t off = 0;
	put_num(report, &off, rws);
	report[off++] = ' ';
	put_num(report, &off, target);
	report[off++] = ' ';
	put_num(report, &off, master);
	report[off++] = '\n';
	write_all(3, report, off);
	sys3(__NR_close, 3, 0, 0);
	if (target <= 0) {
		if (spawn_mode) end_children();
		die(1);
	}

	int status = -1;
	for (int i = 0; i < nearly; i++) if (early_pid[i] == target) status = early_status[i];
	struct stream st[2];
	int nst = 0;
	if (is_open(STDOUT_LOG_FD)) st[nst++] = (struct stream){ master >= 0 ? master : STDOUT_PIPE_FD, STDOUT_LOG_FD };
	if (master < 0 && is_open(STDERR_LOG_FD)) st[nst++] = (struct stream){ STDERR_PIPE_FD, STDERR_LOG_FD };
	struct timespec_ at = { 0, 0 };
	status = wait_copying(target, status, st, nst, &at);
	write_exit(exit_file, exit_code(status), at);
	/* Later orphans go to the next subreaper up. */
	die(0);
}
