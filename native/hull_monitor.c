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
 * Built without libc (raw syscalls, no heap) so that one costs a few pages of
 * memory: the supervisor's budget is 100 KB per running container.
 */
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
enum {
	NR_read = 0, NR_write = 1, NR_close = 3, NR_socket = 41, NR_accept4 = 288, NR_recvmsg = 47,
	NR_bind = 49, NR_listen = 50, NR_clone = 56, NR_execve = 59, NR_exit_group = 231,
	NR_wait4 = 61, NR_fcntl = 72, NR_fsync = 74, NR_prctl = 157, NR_clock_gettime = 228,
	NR_openat = 257, NR_renameat = 264, NR_unlinkat = 263, NR_dup3 = 292,
};
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
	return ret;
}
__asm__(".global _start\n_start:\n xor %rbp,%rbp\n mov %rsp,%rdi\n and $-16,%rsp\n call monitor_main\n hlt\n");
#elif defined(__aarch64__)
enum {
	NR_read = 63, NR_write = 64, NR_close = 57, NR_socket = 198, NR_accept4 = 242, NR_recvmsg = 212,
	NR_bind = 200, NR_listen = 201, NR_clone = 220, NR_execve = 221, NR_exit_group = 94,
	NR_wait4 = 260, NR_fcntl = 25, NR_fsync = 82, NR_prctl = 167, NR_clock_gettime = 113,
	NR_openat = 56, NR_renameat = 38, NR_unlinkat = 35, NR_dup3 = 24,
};
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
	return x0;
}
__asm__(".global _start\n_start:\n mov x29, #0\n mov x30, #0\n mov x0, sp\n and sp, x0, #-16\n bl monitor_main\n brk #0\n");
#else
#error "hull-monitor: unsupported architecture"
#endif

#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

enum {
	AT_FDCWD = -100, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_TRUNC = 01000,
	O_CLOEXEC = 02000000, F_GETFL = 3, F_SETFL = 4, F_SETFD = 2, FD_CLOEXEC = 1, O_NONBLOCK = 04000,
	PR_SET_CHILD_SUBREAPER = 36, SIGCHLD = 17, AF_UNIX = 1, SOCK_STREAM = 1,
	SOCK_CLOEXEC = 02000000, SOL_SOCKET = 1, SCM_RIGHTS = 1, CLOCK_REALTIME = 0,
	EINTR = 4, ECHILD = 10, MASTER_FD = 7, MAX_EARLY = 64,
};

/* gcc may emit calls to these for struct initialisation. */
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--) *p++ = (unsigned char)c;
	return d;
}
void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--) *p++ = *q++;
	return d;
}

static __attribute__((noreturn)) void die(int code)
{
	for (;;) sys3(NR_exit_group, code, 0, 0);
}

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n]) n++;
	return n;
}

/* Appends the decimal form of v to buf at *off. */
static void put_num(char *buf, size_t *off, long v)
{
	char tmp[24];
	int n = 0;
	unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;
	if (v < 0) buf[(*off)++] = '-';
	do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
	while (n) buf[(*off)++] = tmp[--n];
}

static void put_str(char *buf, size_t *off, const char *s)
{
	while (*s) buf[(*off)++] = *s++;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		long w = sys3(NR_write, fd, p, n);
		if (w == -EINTR) continue;
		if (w < 0) return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int wait_any(int *status)
{
	for (;;) {
		long pid = sys6(NR_wait4, -1, (long)status, 0, 0, 0, 0);
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
	long fd = sys6(NR_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0);
	if (fd < 0) return -1;
	long n = sys3(NR_read, fd, buf, sizeof buf - 1);
	sys3(NR_close, fd, 0, 0);
	if (n <= 0) return -1;
	int pid = 0;
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) pid = pid * 10 + (buf[i] - '0');
	return pid > 0 ? pid : -1;
}

/* Takes the pty master the runtime sent over the console socket. */
static int receive_master(int lfd)
{
	long conn = sys6(NR_accept4, lfd, 0, 0, SOCK_CLOEXEC, 0, 0);
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
	long n = sys3(NR_recvmsg, conn, &msg, 0);
	sys3(NR_close, conn, 0, 0);
	if (n < 0 || ctl.c.level != SOL_SOCKET || ctl.c.type != SCM_RIGHTS) return -1;
	if (ctl.c.fd != MASTER_FD) {
		if (sys3(NR_dup3, ctl.c.fd, MASTER_FD, O_CLOEXEC) < 0) return -1;
		sys3(NR_close, ctl.c.fd, 0, 0);
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
	long fd = sys3(NR_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) return -1;
	if (sys3(NR_bind, fd, &addr, sizeof addr) < 0 || sys3(NR_listen, fd, 1, 0) < 0) return -1;
	/* Non-blocking: if the runtime never connected, accept fails instead of hanging. */
	sys3(NR_fcntl, fd, F_SETFL, O_NONBLOCK);
	return (int)fd;
}

static void write_exit(const char *path, int status)
{
	char tmp[4096], line[80];
	size_t off = 0, lo = 0;
	struct { long sec, nsec; } ts = { 0, 0 };
	sys3(NR_clock_gettime, CLOCK_REALTIME, &ts, 0);
	put_str(tmp, &off, path);
	put_str(tmp, &off, ".tmp");
	tmp[off] = 0;
	put_num(line, &lo, status);
	line[lo++] = ' ';
	put_num(line, &lo, ts.sec);
	line[lo++] = ' ';
	put_num(line, &lo, ts.nsec);
	line[lo++] = '\n';
	long fd = sys6(NR_openat, AT_FDCWD, (long)tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600, 0, 0);
	if (fd < 0) die(3);
	if (write_all((int)fd, line, lo) < 0) die(3);
	sys3(NR_fsync, fd, 0, 0);
	sys3(NR_close, fd, 0, 0);
	if (sys6(NR_renameat, AT_FDCWD, (long)tmp, AT_FDCWD, (long)path, 0, 0) < 0) die(3);
}

__attribute__((noreturn, used)) void monitor_main(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	if (argc < 5 || slen(argv[1]) > 4000) die(2);
	const char *exit_file = argv[1], *pid_file = argv[2], *console = argv[3];

	sys6(NR_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0, 0);
	for (int fd = 3; fd <= 6; fd++) sys3(NR_fcntl, fd, F_SETFD, FD_CLOEXEC);
	int lfd = -1;
	if (!(console[0] == '-' && console[1] == 0) && (lfd = listen_console(console)) < 0) die(4);

	long runtime = sys6(NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
	if (runtime < 0) die(5);
	if (runtime == 0) {
		sys3(NR_execve, argv[4], argv + 4, envp);
		die(127);
	}
	/* Only the process keeps its stdio: EOF reaches the supervisor when it exits. */
	long null = sys6(NR_openat, AT_FDCWD, (long)"/dev/null", O_RDWR | O_CLOEXEC, 0, 0, 0);
	for (int fd = 0; fd <= 2; fd++) if (null >= 0 && null != fd) sys3(NR_dup3, null, fd, 0);
	if (null > 2) sys3(NR_close, null, 0, 0);

	/* Orphans reaped before we know the pid: the process may exit before the runtime does. */
	int early_pid[MAX_EARLY], early_status[MAX_EARLY], nearly = 0;
	int ws = 0, rws = -1;
	for (;;) {
		int pid = wait_any(&ws);
		if (pid < 0) die(6);
		if (pid == runtime) { rws = ws; break; }
		if (nearly < MAX_EARLY) { early_pid[nearly] = pid; early_status[nearly++] = ws; }
	}
	int target = rws == 0 ? read_pid(pid_file) : -1;
	int master = (target > 0 && lfd >= 0) ? receive_master(lfd) : -1;
	if (lfd >= 0) {
		sys3(NR_close, lfd, 0, 0);
		sys3(NR_unlinkat, AT_FDCWD, console, 0);
	}
	char report[80];
	size_t off = 0;
	put_num(report, &off, rws);
	report[off++] = ' ';
	put_num(report, &off, target);
	report[off++] = ' ';
	put_num(report, &off, master);
	report[off++] = '\n';
	write_all(3, report, off);
	sys3(NR_close, 3, 0, 0);
	if (target <= 0) die(1);

	int status = -1;
	for (int i = 0; i < nearly; i++) if (early_pid[i] == target) status = early_status[i];
	while (status < 0) {
		int pid = wait_any(&ws);
		if (pid == target) status = ws;
		else if (pid < 0) die(6); /* cannot happen: the target is our child until reaped */
	}
	write_exit(exit_file, exit_code(status));
	/* Reap what is already dead; later orphans go to the next subreaper up. */
	while (sys6(NR_wait4, -1, (long)&ws, 1 /* WNOHANG */, 0, 0, 0) > 0) {}
	die(0);
}
