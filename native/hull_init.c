/*
 * hull-init: the first process of every container and of every `hull exec`.
 *
 * It knows nothing of OCI. packages/runtime compiles the config into a setup
 * program (hull_init.h): a flat list of syscalls and a few protocol steps.
 * hull-init receives it on its sync socket (argv[1]) and runs it op by op:
 * no allocation, no libc, async-signal-safe throughout. A failing op ends the
 * program: the op's index, errno and words ("mount proc on /proc: EPERM") go
 * to the parent and, once `start` is waiting, into the exec fifo.
 *
 * Paths inside the container are resolved by the kernel (openat2 with
 * RESOLVE_IN_ROOT) and used through their fds, so a symlink in the image, or
 * one swapped in while we work, cannot lead a mount or a device out of it.
 */
#define NOLIBC_MAIN init_main
#include "nolibc.h"
#include "hull_init.h"

#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/poll.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>
#include <linux/time_types.h>
#include <asm/ioctls.h>
#include <asm/stat.h>
#include <asm/statfs.h>

#define SIGKILL 9
#define SIGPIPE 13
#define SIGCHLD 17
#define SIG_DFL 0
#define SIG_IGN 1
#define AF_UNIX 1
#define AF_INET 2
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_CLOEXEC O_CLOEXEC
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define MSG_NOSIGNAL 0x4000
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#define MNT_DETACH 2
#define MAX_ARGS 4096
#define PATH_MAX_ 4096
#define LINE_MAX_ 1024

struct iovec_ { void *base; size_t len; };
struct msghdr_ { void *name; int namelen; struct iovec_ *iov; size_t iovlen; void *control; size_t controllen; int flags; };
struct cmsghdr_ { size_t len; int level; int type; };
struct ksigaction { unsigned long handler; unsigned long flags; unsigned long restorer; unsigned long mask; };
struct sockaddr_un_ { unsigned short family; char path[108]; };

static char prog[PROG_MAX] __attribute__((aligned(16)));
static struct prog_header hdr;
static const struct prog_op *ops;
static const char *strings;
static int reg[NREGS];
static int sync_fd = -1;
static int fifo_w = -1;                /* the exec fifo, once `start` opened it */
static char exec_file[PATH_MAX_];      /* from OP_LOOKUP */
static char home_env[PATH_MAX_ + 8];   /* "HOME=..." from OP_LOOKUP, when the env has none */
static char *argv_buf[MAX_ARGS + 1], *envp_buf[MAX_ARGS + 2];

/* ---- small helpers ---- */

static const char *const errnames[] = {
	[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR", [EIO] = "EIO",
	[ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC", [EBADF] = "EBADF", [ECHILD] = "ECHILD",
	[EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EFAULT] = "EFAULT", [ENOTBLK] = "ENOTBLK",
	[EBUSY] = "EBUSY", [EEXIST] = "EEXIST", [EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR",
	[EISDIR] = "EISDIR", [EINVAL] = "EINVAL", [ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",
	[ETXTBSY] = "ETXTBSY", [EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE", [EROFS] = "EROFS",
	[EMLINK] = "EMLINK", [EPIPE] = "EPIPE", [EDOM] = "EDOM", [ERANGE] = "ERANGE", [ENAMETOOLONG] = "ENAMETOOLONG",
	[ENOSYS] = "ENOSYS", [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP", [ENODATA] = "ENODATA",
	[EOVERFLOW] = "EOVERFLOW", [ENOTSOCK] = "ENOTSOCK", [EOPNOTSUPP] = "EOPNOTSUPP", [EADDRINUSE] = "EADDRINUSE",
	[ECONNREFUSED] = "ECONNREFUSED", [ECONNRESET] = "ECONNRESET", [ENOTCONN] = "ENOTCONN", [ESTALE] = "ESTALE",
	[EDQUOT] = "EDQUOT", [EUSERS] = "EUSERS", [EILSEQ] = "EILSEQ",
};

static void put_errname(char *buf, size_t *off, int err)
{
	if (err > 0 && (size_t)err < sizeof errnames / sizeof errnames[0] && errnames[err]) {
		put_str(buf, off, errnames[err]);
	} else {
		put_str(buf, off, "errno ");
		put_num(buf, off, err);
	}
}

static const char *const signames[] = {
	"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
	"SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
	"SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
	"SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
};

static const char *str(uint32_t off)
{
	return off && off < hdr.strsize ? strings + off : 0;
}

static int fdarg(int64_t v)
{
	return v >= FD_REG && v < FD_REG + NREGS ? reg[v - FD_REG] : (int)v;
}

static void set_reg(int64_t r, int fd)
{
	if (r >= 0 && r < NREGS) reg[r] = fd;
}

static void fdpath(char *buf, int fd)
{
	size_t off = 0;
	put_str(buf, &off, "/proc/self/fd/");
	put_num(buf, &off, fd);
	buf[off] = 0;
}

static int sscmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) if (a[i] != b[i]) return 1;
	return 0;
}

static long xclose(int fd) { return sys1(__NR_close, fd); }

static void send_msg(uint32_t type, int32_t index, int32_t err, const char *data, uint32_t len)
{
	struct msg_header h = { type, index, err, len };
	/* MSG_NOSIGNAL: the parent may be gone (after create returned). */
	long n;
	do n = sys6(__NR_sendto, sync_fd, (long)&h, sizeof h, MSG_NOSIGNAL, 0, 0); while (n == -EINTR);
	size_t off = 0;
	while (n > 0 && off < len) {
		n = sys6(__NR_sendto, sync_fd, (long)(data + off), len - off, MSG_NOSIGNAL, 0, 0);
		if (n == -EINTR) { n = 1; continue; }
		if (n > 0) off += (size_t)n;
	}
}

/* The op failed: say so to whoever waits (the parent, and `start` on the fifo), and exit. */
static __attribute__((noreturn)) void fail_text(int index, int err, const char *text, size_t len)
{
	if (fifo_w >= 0) write_all(fifo_w, text, len);
	send_msg(MSG_ERROR, index, err, text, (uint32_t)len);
	die(1);
}

static __attribute__((noreturn)) void fail(int index, const struct prog_op *op, int err)
{
	char text[PATH_MAX_ + 512];
	size_t off = 0;
	const char *desc = str(op->desc);
	if (desc) put_str(text, &off, desc);
	put_str(text, &off, ": ");
	put_errname(text, &off, err);
	const char *hint = str(op->hint);
	if (hint && (int)op->hint_errno == err && !(op->flags & F_WARN)) put_str(text, &off, hint);
	fail_text(index, err, text, off);
}

static void warn(const char *text)
{
	if (text) send_msg(MSG_WARN, -1, 0, text, (uint32_t)slen(text));
}

static long set_signal(int sig, unsigned long handler)
{
	struct ksigaction sa = { handler, 0, 0, 0 };
	return sys4(__NR_rt_sigaction, sig, &sa, 0, sizeof sa.mask);
}

static long read_full(int fd, void *buf, size_t n)
{
	size_t off = 0;
	while (off < n) {
		long r = sys3(__NR_read, fd, (char *)buf + off, n - off);
		if (r == -EINTR) continue;
		if (r <= 0) return r < 0 ? r : -EPIPE;
		off += (size_t)r;
	}
	return 0;
}

/* NUL-separated strings of a blob -> a NULL-terminated vector. */
static int split_vec(const char *blob, int64_t count, char **vec, int max)
{
	int n = 0;
	const char *p = blob;
	for (int64_t i = 0; blob && i < count && n < max; i++) {
		vec[n++] = (char *)p;
		p += slen(p) + 1;
	}
	vec[n] = 0;
	return n;
}

/* ---- paths inside the rootfs ---- */

static long open_in_root(int root, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
	long fd;
	do fd = sys4(__NR_openat2, root, path, &how, sizeof how); while (fd == -EAGAIN || fd == -EINTR);
	return fd;
}

static long fstat_fd(int fd, struct stat *st)
{
	return sys4(__NR_newfstatat, fd, "", st, AT_EMPTY_PATH);
}

static long resolve(int root, const char *path, uint32_t flags, int mode);

/* The dangling symlink at buf (its name starts at `start`, in directory fd `parent`): its target, made. */
static long make_link_target(int root, int parent, const char *buf, size_t start, uint32_t flags, int mode)
{
	static int depth;
	char target[PATH_MAX_], full[PATH_MAX_];
	long n = sys4(__NR_readlinkat, parent, buf + start, target, sizeof target - 1);
	if (n < 0) return n == -EINVAL ? -ENOTDIR : n;
	target[n] = 0;
	size_t off = 0;
	if (target[0] != '/') {
		if (start + (size_t)n + 2 > sizeof full) return -ENAMETOOLONG;
		memcpy(full, buf, start);
		off = start;
	}
	if (off + (size_t)n + 1 > sizeof full) return -ENAMETOOLONG;
	memcpy(full + off, target, (size_t)n + 1);
	if (depth >= 40) return -ELOOP;
	depth++;
	long r = resolve(root, full, flags, mode);
	depth--;
	return r;
}

/*
 * `path` inside the directory fd `root` as an O_PATH fd. With F_MKDIR or
 * F_MKFILE, missing components are made one at a time, each new one opened
 * again from the root (so a symlink raced in is still resolved inside it).
 */
static long resolve(int root, const char *path, uint32_t flags, int mode)
{
	uint64_t how = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | ((flags & F_ORDINARY) ? RESOLVE_NO_SYMLINKS : 0);
	long fd = open_in_root(root, path, O_PATH | O_CLOEXEC, 0, how);
	if (fd == -ENOENT && (flags & (F_MKDIR | F_MKFILE))) {
		char buf[PATH_MAX_];
		size_t n = slen(path);
		if (n >= sizeof buf) return -ENAMETOOLONG;
		memcpy(buf, path, n + 1);
		int parent = root;
		size_t i = 0;
		fd = -ENOENT;
		while (i < n) {
			while (i < n && buf[i] == '/') i++;
			if (i >= n) break;
			size_t start = i;
			while (i < n && buf[i] != '/') i++;
			int last = i >= n || (buf[i] == '/' && ({ size_t j = i; while (j < n && buf[j] == '/') j++; j >= n; }));
			char saved = buf[i];
			buf[i] = 0;
			long next = open_in_root(root, buf, O_PATH | O_CLOEXEC, 0, how);
			if (next == -ENOENT) {
				const char *name = buf + start;
				long r;
				if (last && (flags & F_MKFILE)) {
					r = sys4(__NR_openat, parent, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
					if (r >= 0) xclose((int)r);
				} else {
					r = sys3(__NR_mkdirat, parent, name, mode);
				}
				if (r < 0 && r != -EEXIST) {
					if (parent != root) xclose(parent);
					return r;
				}
				next = open_in_root(root, buf, O_PATH | O_CLOEXEC, 0, how);
				/* EEXIST and still missing: a dangling symlink. Its target is made, inside the root. */
				if (next == -ENOENT && !(flags & F_ORDINARY)) {
					next = make_link_target(root, parent, buf, start, last ? flags : (flags & ~F_MKFILE) | F_MKDIR, mode);
					if (next >= 0) {
						xclose((int)next);
						next = open_in_root(root, buf, O_PATH | O_CLOEXEC, 0, how);
					}
				}
				if (next == -ENOENT) next = -ENOTDIR;
			}
			buf[i] = saved;
			if (parent != root) xclose(parent);
			if (next < 0) return next;
			parent = (int)next;
			fd = next;
		}
		if (fd == -ENOENT) fd = open_in_root(root, ".", O_PATH | O_CLOEXEC, 0, how);
	}
	if (fd >= 0 && (flags & F_DIR)) {
		struct stat st;
		if (fstat_fd((int)fd, &st) < 0 || (st.st_mode & 0170000) != 0040000) {
			xclose((int)fd);
			return -ENOTDIR;
		}
	}
	return fd;
}

/* The directory `path` is in, inside the root (made with F_MKDIR); *name is its last component. */
static long resolve_parent(int root, const char *path, uint32_t flags, const char **name)
{
	char dir[PATH_MAX_];
	size_t n = slen(path), cut = n;
	if (n >= sizeof dir) return -ENAMETOOLONG;
	while (cut > 0 && path[cut - 1] != '/') cut--;
	memcpy(dir, path, cut);
	dir[cut] = 0;
	*name = path + cut;
	return resolve(root, cut ? dir : ".", flags | F_DIR, 0755);
}

/* A detached copy of the mount at fd `src` (its whole tree with `recursive`) attached onto fd `tgt`. */
static long bind_fd(int src, int tgt, int recursive, uint64_t attr_set)
{
	long tree = sys3(__NR_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0) return tree;
	long r = 0;
	if (attr_set) {
		struct mount_attr attr = { .attr_set = attr_set };
		r = sys5(__NR_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr);
	}
	if (r == 0) r = sys5(__NR_move_mount, tree, "", tgt, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	xclose((int)tree);
	return r;
}

/* A new read-only, empty tmpfs onto fd `tgt`. */
static long empty_tmpfs(int tgt)
{
	long fs = sys2(__NR_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0) return fs;
	long r = sys5(__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, 0, 0, 0);
	long m = r < 0 ? r : sys3(__NR_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
	xclose((int)fs);
	if (m < 0) return m;
	r = sys5(__NR_move_mount, m, "", tgt, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	xclose((int)m);
	return r;
}

/* Flags a remount must keep: in a user namespace the kernel locks those of the mount. */
static long locked_flags(const char *target)
{
	struct statfs sf;
	long r = sys2(__NR_statfs, target, &sf);
	if (r < 0) return r;
	long st = (long)sf.f_flags, ms = st & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME);
	if (st & 4096 /* ST_RELATIME */) ms |= MS_RELATIME;
	return ms;
}

/* ---- tmpcopyup ---- */

struct dirent64_ { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; };

static long copy_entry(int src, int dst, const char *name, int depth);

static long copy_dir(int src, int dst, int depth)
{
	char buf[4096];
	if (depth > 64) return -ELOOP;
	for (;;) {
		long n = sys3(__NR_getdents64, src, buf, sizeof buf);
		if (n <= 0) return n;
		for (long off = 0; off < n;) {
			struct dirent64_ *d = (struct dirent64_ *)(buf + off);
			off += d->reclen;
			if (d->name[0] == '.' && (d->name[1] == 0 || (d->name[1] == '.' && d->name[2] == 0))) continue;
			long r = copy_entry(src, dst, d->name, depth);
			if (r < 0) return r;
		}
	}
}

static long copy_entry(int src, int dst, const char *name, int depth)
{
	struct stat st;
	long r = sys4(__NR_newfstatat, src, name, &st, AT_SYMLINK_NOFOLLOW);
	if (r < 0) return r;
	unsigned type = st.st_mode & 0170000;
	if (type == 0040000) {
		if ((r = sys3(__NR_mkdirat, dst, name, 0700)) < 0) return r;
		long s = sys4(__NR_openat, src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
		if (s < 0) return s;
		long d = sys4(__NR_openat, dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
		if (d < 0) { xclose((int)s); return d; }
		r = copy_dir((int)s, (int)d, depth + 1);
		xclose((int)s);
		xclose((int)d);
		if (r < 0) return r;
	} else if (type == 0120000) {
		char target[PATH_MAX_];
		long n = sys4(__NR_readlinkat, src, name, target, sizeof target - 1);
		if (n < 0) return n;
		target[n] = 0;
		if ((r = sys3(__NR_symlinkat, target, dst, name)) < 0) return r;
	} else if (type == 0100000) {
		long s = sys4(__NR_openat, src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
		if (s < 0) return s;
		long d = sys4(__NR_openat, dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (d < 0) { xclose((int)s); return d; }
		do r = sys4(__NR_sendfile, d, s, 0, 1 << 30); while (r > 0 || r == -EINTR);
		xclose((int)s);
		xclose((int)d);
		if (r < 0) return r;
	} else if (type == 0010000 || type == 0020000 || type == 0060000) {
		if ((r = sys4(__NR_mknodat, dst, name, st.st_mode, st.st_rdev)) < 0) return r;
	} else {
		return 0; /* a socket means nothing without its listener */
	}
	/* An id not mapped in our user namespace reads as the overflow id, which cannot be given back. */
	r = sys5(__NR_fchownat, dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0 && r != -EINVAL) return r;
	/* chown clears set-id bits: the mode comes after it. */
	if (type != 0120000 && (r = sys3(__NR_fchmodat, dst, name, st.st_mode & 07777)) < 0) return r;
	struct __kernel_timespec ts[2] = { { (long long)st.st_atime, (long long)st.st_atime_nsec }, { (long long)st.st_mtime, (long long)st.st_mtime_nsec } };
	return sys4(__NR_utimensat, dst, name, ts, AT_SYMLINK_NOFOLLOW);
}

/* ---- processes ---- */

static long now_us(void)
{
	struct __kernel_timespec ts = { 0, 0 };
	sys2(__NR_clock_gettime, 1 /* CLOCK_MONOTONIC */, &ts);
	return (long)ts.tv_sec * 1000000 + (long)ts.tv_nsec / 1000;
}

/* Keeps the last `cap` bytes written into `tail`. */
static void keep_tail(char *tail, size_t *len, size_t cap, const char *data, size_t n)
{
	if (n >= cap) {
		memcpy(tail, data + n - cap, cap);
		*len = cap;
		return;
	}
	if (*len + n > cap) {
		size_t drop = *len + n - cap;
		for (size_t i = drop; i < *len; i++) tail[i - drop] = tail[i];
		*len -= drop;
	}
	memcpy(tail + *len, data, n);
	*len += n;
}

/*
 * A hook: fork, exec path with argv and env, the state on stdin, killed after
 * the timeout. Fails with "<desc>: exit status N: <stderr tail>" and the like.
 */
static void run_hook(int index, const struct prog_op *op)
{
	int in[2], out[2], err[2], rep[2];
	if (sys2(__NR_pipe2, in, O_CLOEXEC) < 0 || sys2(__NR_pipe2, out, O_CLOEXEC) < 0 ||
	    sys2(__NR_pipe2, err, O_CLOEXEC) < 0 || sys2(__NR_pipe2, rep, O_CLOEXEC) < 0)
		fail(index, op, EMFILE);
	split_vec(str(op->s[1]), op->a[0], argv_buf, MAX_ARGS);
	split_vec(str(op->s[2]), op->a[1], envp_buf, MAX_ARGS);
	long pid = sys6(__NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
	if (pid < 0) fail(index, op, (int)-pid);
	if (pid == 0) {
		sys3(__NR_dup3, in[0], 0, 0);
		sys3(__NR_dup3, out[1], 1, 0);
		sys3(__NR_dup3, err[1], 2, 0);
		if (op->flags & F_FD) sys1(__NR_fchdir, fdarg(op->a[3]));
		set_signal(SIGPIPE, SIG_DFL);
		long r = sys3(__NR_execve, str(op->s[0]), argv_buf, envp_buf);
		int e = (int)-r;
		write_all(rep[1], (const char *)&e, sizeof e);
		die(127);
	}
	xclose(in[0]);
	xclose(out[1]);
	xclose(err[1]);
	xclose(rep[1]);
	long pidfd = sys2(__NR_pidfd_open, pid, 0);
	const char *state = str(op->s[3]);
	size_t state_len = state ? slen(state) : 0, written = 0;
	sys3(__NR_fcntl, in[1], F_SETFL, O_NONBLOCK);
	char tail[1024], chunk[4096];
	size_t tail_len = 0;
	long deadline = op->a[2] > 0 ? now_us() + op->a[2] * 1000000 : 0;
	int in_open = 1, out_open = 1, err_open = 1, exited = 0, timed_out = 0;
	while (!exited || out_open || err_open) {
		struct pollfd p[4] = {
			{ out_open ? out[0] : -1, POLLIN, 0 }, { err_open ? err[0] : -1, POLLIN, 0 },
			{ in_open && written < state_len ? in[1] : -1, POLLOUT, 0 }, { exited ? -1 : (int)pidfd, POLLIN, 0 },
		};
		if (in_open && written >= state_len) { xclose(in[1]); in_open = 0; }
		long wait_ms = -1;
		if (deadline) {
			wait_ms = (deadline - now_us()) / 1000;
			if (wait_ms <= 0) {
				sys2(__NR_kill, pid, SIGKILL);
				timed_out = 1;
				deadline = 0;
				wait_ms = -1;
			}
		}
		/* Once the hook exited, output still held open by its children is not waited for. */
		if (exited) wait_ms = 0;
		struct __kernel_timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000 };
		long n = sys5(__NR_ppoll, p, 4, wait_ms < 0 ? 0 : &ts, 0, 0);
		if (n == -EINTR) continue;
		if (n <= 0 && exited) break;
		if (p[0].revents) {
			long r = sys3(__NR_read, out[0], chunk, sizeof chunk);
			if (r <= 0 && r != -EINTR) out_open = 0;
		}
		if (p[1].revents) {
			long r = sys3(__NR_read, err[0], chunk, sizeof chunk);
			if (r > 0) keep_tail(tail, &tail_len, sizeof tail, chunk, (size_t)r);
			else if (r != -EINTR) err_open = 0;
		}
		if (p[2].revents) {
			long r = sys3(__NR_write, in[1], state + written, state_len - written);
			/* A hook need not read its state: EPIPE is no failure. */
			if (r > 0) written += (size_t)r;
			else if (r != -EAGAIN && r != -EINTR) { xclose(in[1]); in_open = 0; }
		}
		if (p[3].revents) exited = 1;
	}
	if (in_open) xclose(in[1]);
	xclose(out[0]);
	xclose(err[0]);
	int status = 0;
	while (sys4(__NR_wait4, pid, &status, 0, 0) == -EINTR) {}
	if (pidfd >= 0) xclose((int)pidfd);
	int exec_err = 0;
	long got = sys3(__NR_read, rep[0], &exec_err, sizeof exec_err);
	xclose(rep[0]);
	if (got == sizeof exec_err) fail(index, op, exec_err);
	if (!timed_out && status == 0) return;

	char text[PATH_MAX_ + 1200];
	size_t off = 0;
	put_str(text, &off, str(op->desc) ? str(op->desc) : "hook");
	if (timed_out) {
		put_str(text, &off, ": killed after the timeout of ");
		put_num(text, &off, op->a[2]);
		put_str(text, &off, "s");
	} else if ((status & 0x7f) == 0) {
		put_str(text, &off, ": exit status ");
		put_num(text, &off, (status >> 8) & 0xff);
	} else {
		int sig = status & 0x7f;
		put_str(text, &off, ": killed by signal ");
		if (sig < 32) put_str(text, &off, signames[sig]); else put_num(text, &off, sig);
	}
	/* The stderr tail on one line, trimmed. */
	size_t b = 0, e = tail_len;
	while (b < e && (tail[b] == ' ' || tail[b] == '\n' || tail[b] == '\t' || tail[b] == '\r')) b++;
	while (e > b && (tail[e - 1] == ' ' || tail[e - 1] == '\n' || tail[e - 1] == '\t' || tail[e - 1] == '\r')) e--;
	if (e > b) {
		put_str(text, &off, ": ");
		for (size_t i = b; i < e; i++) {
			if (tail[i] == '\n') put_str(text, &off, " | ");
			else text[off++] = tail[i];
		}
	}
	fail_text(index, EINVAL, text, off);
}

static int is_executable(const char *path)
{
	struct stat st;
	if (sys4(__NR_newfstatat, AT_FDCWD, path, &st, 0) < 0) return -ENOENT;
	if ((st.st_mode & 0170000) != 0100000 || !(st.st_mode & 0111)) return -EACCES;
	return 0;
}

/* HOME of uid from /etc/passwd: a regular file, read at most 1 MiB, line by line. */
static void home_of(long uid)
{
	size_t off = 0;
	put_str(home_env, &off, "HOME=/");
	home_env[off] = 0;
	long fd = sys4(__NR_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
	if (fd < 0) return;
	struct stat st;
	if (fstat_fd((int)fd, &st) < 0 || (st.st_mode & 0170000) != 0100000) { xclose((int)fd); return; }
	char chunk[4096], line[LINE_MAX_];
	size_t ll = 0, total = 0;
	int overlong = 0;
	for (;;) {
		long n = sys3(__NR_read, fd, chunk, sizeof chunk);
		if (n == -EINTR) continue;
		if (n <= 0 || total > (1 << 20)) break;
		total += (size_t)n;
		for (long i = 0; i < n; i++) {
			if (chunk[i] != '\n') {
				if (ll < sizeof line - 1) line[ll++] = chunk[i]; else overlong = 1;
				continue;
			}
			line[ll] = 0;
			/* name:pw:uid:gid:gecos:home:shell */
			char *f[7] = { line, 0, 0, 0, 0, 0, 0 };
			int nf = 1;
			for (size_t j = 0; j < ll && nf < 7; j++) if (line[j] == ':') { line[j] = 0; f[nf++] = line + j + 1; }
			if (!overlong && nf >= 6 && f[2][0]) {
				long u = 0;
				int ok = 1;
				for (const char *p = f[2]; *p; p++) { if (*p < '0' || *p > '9') ok = 0; else u = u * 10 + (*p - '0'); }
				if (ok && u == uid) {
					if (f[5][0] && slen(f[5]) < PATH_MAX_) { off = 0; put_str(home_env, &off, "HOME="); put_str(home_env, &off, f[5]); home_env[off] = 0; }
					xclose((int)fd);
					return;
				}
			}
			ll = 0;
			overlong = 0;
		}
	}
	xclose((int)fd);
}

/* The executable as execvp finds it, with the process's PATH; errors in Go's words, as runc. */
static void lookup(int index, const struct prog_op *op)
{
	const char *file = str(op->s[0]);
	char text[PATH_MAX_ + 128];
	size_t off = 0;
	if (op->flags & F_HOME) {
		int has_home = 0;
		const char *p = str(op->s[1]);
		for (int64_t i = 0; p && i < op->a[1]; i++, p += slen(p) + 1) if (!sscmp(p, "HOME=", 5)) has_home = 1;
		if (!has_home) home_of(op->a[2]);
	}
	if (!file || !file[0]) file = "";
	int has_slash = 0;
	for (const char *p = file; *p; p++) if (*p == '/') has_slash = 1;
	if (has_slash) {
		int r = is_executable(file);
		if (r == 0 && slen(file) < sizeof exec_file) { off = 0; put_str(exec_file, &off, file); exec_file[off] = 0; return; }
		off = 0;
		put_str(text, &off, "exec: \"");
		put_str(text, &off, file);
		put_str(text, &off, r == -EACCES ? "\": permission denied" : "\": no such file or directory");
		fail_text(index, -r, text, off);
	}
	const char *path = "";
	const char *p = str(op->s[1]);
	for (int64_t i = 0; p && i < op->a[1]; i++, p += slen(p) + 1) if (!sscmp(p, "PATH=", 5)) path = p + 5;
	while (file[0]) {
		const char *end = path;
		while (*end && *end != ':') end++;
		off = 0;
		if (end == path) exec_file[off++] = '.';
		else if ((size_t)(end - path) < PATH_MAX_ - 256) { memcpy(exec_file, path, (size_t)(end - path)); off = (size_t)(end - path); }
		exec_file[off++] = '/';
		if (slen(file) < 255) put_str(exec_file, &off, file);
		exec_file[off] = 0;
		if (is_executable(exec_file) == 0) return;
		if (!*end) break;
		path = end + 1;
	}
	off = 0;
	put_str(text, &off, "exec: \"");
	put_str(text, &off, file);
	put_str(text, &off, "\": executable file not found in $PATH");
	fail_text(index, ENOENT, text, off);
}

static __attribute__((noreturn)) void do_exec(int index, const struct prog_op *op)
{
	split_vec(str(op->s[0]), op->a[0], argv_buf, MAX_ARGS);
	int n = split_vec(str(op->s[1]), op->a[1], envp_buf, MAX_ARGS);
	if (home_env[0]) { envp_buf[n++] = home_env; envp_buf[n] = 0; }
	const char *file = exec_file[0] ? exec_file : argv_buf[0];
	set_signal(SIGPIPE, SIG_DFL);
	long r = sys3(__NR_execve, file, argv_buf, envp_buf);
	set_signal(SIGPIPE, SIG_IGN);
	char text[PATH_MAX_ + 64];
	size_t off = 0;
	put_str(text, &off, "exec: \"");
	put_str(text, &off, file ? file : "");
	put_str(text, &off, "\": ");
	put_errname(text, &off, (int)-r);
	fail_text(index, (int)-r, text, off);
}

/* ---- capabilities ---- */

static long capget_(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return sys2(__NR_capget, &h, d);
}

static long capset_(uint64_t eff, uint64_t perm, uint64_t inh)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
	};
	return sys2(__NR_capset, &h, d);
}

/* ---- the pty ---- */

static long console(int index, const struct prog_op *op)
{
	int sock = fdarg(op->a[0]);
	long m = sys4(__NR_openat, AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
	if (m < 0) return m;
	int zero = 0;
	unsigned int ptn = 0;
	long r = sys3(__NR_ioctl, m, TIOCSPTLCK, &zero);
	if (r == 0) r = sys3(__NR_ioctl, m, TIOCGPTN, &ptn);
	if (r == 0 && (op->a[1] >> 32)) {
		unsigned short ws[4] = { (unsigned short)(op->a[1] & 0xffff), (unsigned short)((op->a[1] >> 16) & 0xffff), 0, 0 };
		r = sys3(__NR_ioctl, m, TIOCSWINSZ, ws);
	}
	char slave[40];
	size_t off = 0;
	put_str(slave, &off, "/dev/pts/");
	put_num(slave, &off, ptn);
	slave[off] = 0;
	if (r == 0 && (op->flags & F_BIND_CONSOLE)) {
		/* /dev/console is the pty's slave, as on a host. */
		long root = sys4(__NR_openat, AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
		long tgt = root < 0 ? root : resolve((int)root, "/dev/console", F_MKFILE, 0755);
		long src = sys4(__NR_openat, AT_FDCWD, slave, O_PATH | O_CLOEXEC | O_NOFOLLOW, 0);
		r = tgt < 0 ? tgt : src < 0 ? src : bind_fd((int)src, (int)tgt, 0, 0);
		if (root >= 0) xclose((int)root);
		if (tgt >= 0) xclose((int)tgt);
		if (src >= 0) xclose((int)src);
	}
	if (r == 0) {
		char name[] = "/dev/ptmx";
		struct iovec_ iov = { name, sizeof name - 1 };
		union { struct cmsghdr_ h; char buf[sizeof(struct cmsghdr_) + 8]; } ctl;
		memset(&ctl, 0, sizeof ctl);
		ctl.h.len = sizeof(struct cmsghdr_) + sizeof(int);
		ctl.h.level = SOL_SOCKET;
		ctl.h.type = SCM_RIGHTS;
		int mfd = (int)m;
		memcpy(ctl.buf + sizeof(struct cmsghdr_), &mfd, sizeof mfd);
		struct msghdr_ msg = { 0, 0, &iov, 1, &ctl, sizeof ctl, 0 };
		r = sys3(__NR_sendmsg, sock, &msg, MSG_NOSIGNAL);
		if (r > 0) r = 0;
	}
	xclose((int)m);
	xclose(sock);
	if (r < 0) return r;
	long s = sys4(__NR_openat, AT_FDCWD, slave, O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
	if (s < 0) return s;
	if (op->a[2] >= 0 && (r = sys3(__NR_fchown, s, op->a[2], op->a[3])) < 0) return r;
	for (int fd = 0; fd < 3; fd++) if ((r = sys3(__NR_dup3, s, fd, 0)) < 0) return r;
	xclose((int)s);
	(void)index;
	return sys3(__NR_ioctl, 0, TIOCSCTTY, 0);
}

/* ---- the interpreter ---- */

static long run_op(int index, const struct prog_op *op)
{
	const int64_t *a = op->a;
	char p1[32], p2[32];
	long r;
	switch (op->code) {
	case OP_SETSID:
		return sys1(__NR_setsid, 0);
	case OP_PRCTL:
		return sys5(__NR_prctl, a[0], a[1], a[2], a[3], 0);
	case OP_SETNS:
		return sys2(__NR_setns, fdarg(a[0]), a[1]);
	case OP_UNSHARE:
		return sys1(__NR_unshare, a[0]);
	case OP_KEYRING:
		return sys2(__NR_keyctl, KEYCTL_JOIN_SESSION_KEYRING, str(op->s[0]));
	case OP_WRITE: {
		long fd;
		if (op->flags & F_FD) fd = fdarg(a[2]);
		else if (op->flags & F_NOFOLLOW) fd = open_in_root(AT_FDCWD, str(op->s[0]), O_WRONLY | O_CLOEXEC | a[1], 0, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		else fd = sys4(__NR_openat, AT_FDCWD, str(op->s[0]), O_WRONLY | O_CLOEXEC | a[1], 0644);
		if (fd < 0) return fd;
		r = sys3(__NR_write, fd, str(op->s[1]) ? str(op->s[1]) : "", a[0]);
		if (!(op->flags & F_FD)) xclose((int)fd);
		return r < 0 ? r : 0;
	}
	case OP_SETHOSTNAME:
		return sys2(__NR_sethostname, str(op->s[0]), slen(str(op->s[0])));
	case OP_SETDOMAINNAME:
		return sys2(__NR_setdomainname, str(op->s[0]), slen(str(op->s[0])));
	case OP_LO_UP: {
		long s = sys3(__NR_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s < 0) return s;
		char ifr[40];
		memset(ifr, 0, sizeof ifr);
		ifr[0] = 'l';
		ifr[1] = 'o';
		r = sys3(__NR_ioctl, s, SIOCGIFFLAGS, ifr);
		if (r == 0) {
			ifr[16] |= 1; /* IFF_UP */
			r = sys3(__NR_ioctl, s, SIOCSIFFLAGS, ifr);
		}
		xclose((int)s);
		return r;
	}
	case OP_PRLIMIT: {
		uint64_t lim[2] = { (uint64_t)a[1], (uint64_t)a[2] };
		return sys4(__NR_prlimit64, 0, a[0], lim, 0);
	}
	case OP_SYSCALL: {
		long args[3];
		for (int i = 0; i < 3; i++) args[i] = (op->flags & (F_BLOB1 << i)) ? (long)str(op->s[i]) : (long)a[i + 1];
		return sys3(a[0], args[0], args[1], args[2]);
	}
	case OP_CAPBSET: {
		struct __user_cap_data_struct d[2];
		if ((r = capget_(d)) < 0) return r;
		if (!(d[0].effective & (1u << CAP_SETPCAP))) return 0;
		for (int n = 0; n <= a[1]; n++) {
			if ((uint64_t)a[0] & (1ull << n)) continue;
			r = sys2(__NR_prctl, PR_CAPBSET_DROP, n);
			if (r < 0 && r != -EINVAL) return r;
		}
		return 0;
	}
	case OP_CAPSET:
		if (op->flags & F_EFF_FROM_PERM) {
			struct __user_cap_data_struct d[2];
			if ((r = capget_(d)) < 0) return r;
			uint64_t perm = d[0].permitted | ((uint64_t)d[1].permitted << 32);
			uint64_t inh = d[0].inheritable | ((uint64_t)d[1].inheritable << 32);
			return capset_(perm, perm, inh);
		}
		return capset_(a[0], a[1], a[2]);
	case OP_AMBIENT:
		sys5(__NR_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
		for (int n = 0; n <= a[1]; n++)
			if ((uint64_t)a[0] & (1ull << n)) sys5(__NR_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, n, 0, 0);
		return 0;
	case OP_SETGROUPS: {
		char buf[16];
		long fd = sys4(__NR_openat, AT_FDCWD, "/proc/self/setgroups", O_RDONLY | O_CLOEXEC, 0);
		long n = fd < 0 ? 0 : sys3(__NR_read, fd, buf, sizeof buf);
		if (fd >= 0) xclose((int)fd);
		if (n >= 4 && !sscmp(buf, "deny", 4)) {
			if (a[0] && (op->flags & F_WARN)) warn(str(op->hint));
			return 0;
		}
		return sys2(__NR_setgroups, a[0], str(op->s[0]));
	}
	case OP_SETRESGID:
		return sys3(__NR_setresgid, a[0], a[0], a[0]);
	case OP_SETRESUID:
		if (op->flags & F_FROM_EUID) {
			long e = sys1(__NR_geteuid, 0);
			return sys3(__NR_setresuid, e, e, e);
		}
		return sys3(__NR_setresuid, a[0], a[0], a[0]);
	case OP_SECCOMP: {
		struct sock_fprog fp = { (unsigned short)a[0], (struct sock_filter *)str(op->s[0]) };
		r = sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, a[1], &fp);
		if (r > 0) set_reg(a[2], (int)r);
		return r < 0 ? r : 0;
	}
	case OP_CONNECT: {
		struct sockaddr_un_ addr;
		const char *path = str(op->s[0]);
		size_t n = slen(path);
		if (n >= sizeof addr.path) return -ENAMETOOLONG;
		memset(&addr, 0, sizeof addr);
		addr.family = AF_UNIX;
		memcpy(addr.path, path, n);
		long s = sys3(__NR_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0) return s;
		if ((r = sys3(__NR_connect, s, &addr, sizeof addr)) < 0) { xclose((int)s); return r; }
		set_reg(a[0], (int)s);
		return 0;
	}
	case OP_SEND_FD: {
		struct iovec_ iov = { (void *)str(op->s[0]), (size_t)a[2] };
		union { struct cmsghdr_ h; char buf[sizeof(struct cmsghdr_) + 8]; } ctl;
		memset(&ctl, 0, sizeof ctl);
		ctl.h.len = sizeof(struct cmsghdr_) + sizeof(int);
		ctl.h.level = SOL_SOCKET;
		ctl.h.type = SCM_RIGHTS;
		int fd = fdarg(a[1]);
		memcpy(ctl.buf + sizeof(struct cmsghdr_), &fd, sizeof fd);
		struct msghdr_ msg = { 0, 0, &iov, 1, &ctl, sizeof ctl, 0 };
		r = sys3(__NR_sendmsg, fdarg(a[0]), &msg, MSG_NOSIGNAL);
		return r < 0 ? r : 0;
	}
	case OP_CLOSE:
		r = fdarg(a[0]) < 0 ? 0 : xclose(fdarg(a[0]));
		if (a[0] >= FD_REG) set_reg(a[0] - FD_REG, -1);
		return r;
	case OP_UMASK:
		sys1(__NR_umask, a[0]);
		return 0;
	case OP_CHDIR:
		return (op->flags & F_FD) ? sys1(__NR_fchdir, fdarg(a[0])) : sys1(__NR_chdir, str(op->s[0]));
	case OP_KEEP_FDS:
		for (int fd = 0; fd < a[0]; fd++) {
			r = sys3(__NR_fcntl, fd, F_GETFD, 0);
			if (r >= 0) sys3(__NR_fcntl, fd, F_SETFD, r & ~FD_CLOEXEC);
		}
		return sys3(__NR_close_range, a[0], ~0U, CLOSE_RANGE_CLOEXEC);
	case OP_EXEC:
		do_exec(index, op);
	case OP_LOOKUP:
		lookup(index, op);
		return 0;
	case OP_REPORT:
		send_msg((uint32_t)a[0], index, 0, 0, 0);
		return 0;
	case OP_WAIT_CONTINUE: {
		struct msg_header h;
		r = read_full(sync_fd, &h, sizeof h);
		if (r < 0) return r;
		return h.type == MSG_CONTINUE ? 0 : -EPROTO;
	}
	case OP_WAIT_FIFO: {
		int fd = fdarg(a[0]);
		fdpath(p1, fd);
		long w;
		do w = sys4(__NR_openat, AT_FDCWD, p1, O_WRONLY | O_CLOEXEC, 0); while (w == -EINTR);
		if (w < 0) return w;
		xclose(fd);
		fifo_w = (int)w;
		return write_all(fifo_w, "0", 1);
	}
	case OP_HOOK:
		run_hook(index, op);
		return 0;
	case OP_MOUNT: {
		const char *src = str(op->s[0]), *tgt = str(op->s[1]);
		if (op->flags & F_SRC_FD) { fdpath(p1, fdarg(a[2])); src = p1; }
		if (op->flags & F_TGT_FD) { fdpath(p2, fdarg(a[1])); tgt = p2; }
		unsigned long flags = (unsigned long)a[0];
		if (op->flags & F_KEEP_LOCKED) {
			long locked = locked_flags(tgt);
			if (locked < 0) return locked;
			flags |= (unsigned long)locked & ~(unsigned long)a[3];
		}
		return sys5(__NR_mount, src, tgt, str(op->s[2]), flags, str(op->s[3]));
	}
	case OP_SETATTR: {
		struct mount_attr attr = { .attr_set = (uint64_t)a[0], .attr_clr = (uint64_t)a[2] };
		return sys5(__NR_mount_setattr, fdarg(a[1]), "", AT_EMPTY_PATH | a[3], &attr, sizeof attr);
	}
	case OP_MOVE_MOUNT:
		return sys5(__NR_move_mount, fdarg(a[0]), "", fdarg(a[1]), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	case OP_OPEN:
		r = sys4(__NR_openat, AT_FDCWD, str(op->s[0]), a[0] | O_CLOEXEC, 0);
		if (r >= 0) set_reg(a[1], (int)r);
		return r < 0 ? r : 0;
	case OP_RESOLVE:
		r = resolve(fdarg(a[0]), str(op->s[0]), op->flags, (int)a[2]);
		if (r >= 0) set_reg(a[1], (int)r);
		return r < 0 ? r : 0;
	case OP_MKNOD: {
		const char *name;
		long pfd = resolve_parent(fdarg(a[0]), str(op->s[0]), F_MKDIR, &name);
		if (pfd < 0) return pfd;
		if (op->flags & F_REPLACE) sys3(__NR_unlinkat, pfd, name, 0);
		r = sys4(__NR_mknodat, pfd, name, a[1], a[2]);
		if (r == 0) r = sys5(__NR_fchownat, pfd, name, (uint64_t)a[3] >> 32, (uint64_t)a[3] & 0xffffffff, AT_SYMLINK_NOFOLLOW);
		xclose((int)pfd);
		return r;
	}
	case OP_SYMLINK: {
		const char *name;
		long pfd = resolve_parent(fdarg(a[0]), str(op->s[1]), 0, &name);
		if (pfd < 0) return pfd;
		if (op->flags & F_REPLACE) sys3(__NR_unlinkat, pfd, name, 0);
		r = sys3(__NR_symlinkat, str(op->s[0]), pfd, name);
		xclose((int)pfd);
		return r;
	}
	case OP_PIVOT: {
		long old = sys4(__NR_openat, AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
		if (old < 0) return old;
		/* pivot_root(".", ".") stacks the old root on the new one; detaching "." drops it. */
		if ((r = sys1(__NR_fchdir, fdarg(a[0]))) == 0 && (r = sys2(__NR_pivot_root, ".", ".")) == 0 &&
		    (r = sys1(__NR_fchdir, old)) == 0 && (r = sys5(__NR_mount, 0, ".", 0, MS_SLAVE | MS_REC, 0)) == 0 &&
		    (r = sys2(__NR_umount2, ".", MNT_DETACH)) == 0)
			r = sys1(__NR_chdir, "/");
		xclose((int)old);
		return r;
	}
	case OP_MOVE_ROOT:
		if ((r = sys1(__NR_chdir, str(op->s[0]))) < 0) return r;
		if ((r = sys5(__NR_mount, str(op->s[0]), "/", 0, MS_MOVE, 0)) < 0) return r;
		if ((r = sys1(__NR_chroot, ".")) < 0) return r;
		return sys1(__NR_chdir, "/");
	case OP_CHROOT:
		if ((r = sys1(__NR_fchdir, fdarg(a[0]))) < 0) return r;
		if ((r = sys1(__NR_chroot, ".")) < 0) return r;
		return sys1(__NR_chdir, "/");
	case OP_MASK:
	case OP_RO_PATH: {
		long t = resolve(fdarg(a[0]), str(op->s[0]), 0, 0);
		if (t == -ENOENT) return 0; /* the spec: paths that do not exist are ignored */
		if (t < 0) return t;
		if (op->code == OP_RO_PATH) {
			r = bind_fd((int)t, (int)t, 1, MOUNT_ATTR_RDONLY);
		} else {
			struct stat st;
			r = fstat_fd((int)t, &st);
			if (r == 0 && (st.st_mode & 0170000) == 0040000) {
				r = empty_tmpfs((int)t);
			} else if (r == 0) {
				/* The container's /dev/null, only if it is the null device: never a link's target. */
				long null = open_in_root(fdarg(a[0]), "/dev/null", O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
				struct stat ns;
				if (null >= 0 && (fstat_fd((int)null, &ns) < 0 || (ns.st_mode & 0170000) != 0020000 || ns.st_rdev != 259 /* 1:3 */)) {
					xclose((int)null);
					null = -ENODEV;
				}
				r = null < 0 ? null : bind_fd((int)null, (int)t, 0, 0);
				if (null >= 0) xclose((int)null);
			}
		}
		xclose((int)t);
		return r;
	}
	case OP_CONSOLE:
		return console(index, op);
	case OP_FAIL:
		return -EINVAL;
	case OP_UMOUNT:
		return sys2(__NR_umount2, str(op->s[0]), a[0]);
	case OP_COPYUP: {
		long s = sys4(__NR_openat, fdarg(a[0]), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (s < 0) return s;
		long d = sys4(__NR_openat, fdarg(a[1]), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (d < 0) { xclose((int)s); return d; }
		struct stat st;
		r = fstat_fd((int)s, &st);
		if (r == 0 && a[2]) r = sys2(__NR_fchmod, d, st.st_mode & 07777);
		if (r == 0) r = copy_dir((int)s, (int)d, 0);
		xclose((int)s);
		xclose((int)d);
		return r;
	}
	}
	return -ENOSYS;
}

static void receive_program(void)
{
	union { struct cmsghdr_ h; char buf[sizeof(struct cmsghdr_) + 4 * (NREGS - REG_RECEIVED)]; } ctl;
	memset(&ctl, 0, sizeof ctl);
	struct iovec_ iov = { &hdr, sizeof hdr };
	struct msghdr_ msg = { 0, 0, &iov, 1, &ctl, sizeof ctl, 0 };
	long n;
	do n = sys3(__NR_recvmsg, sync_fd, &msg, 0x40000000 /* MSG_CMSG_CLOEXEC */); while (n == -EINTR);
	if (n == 0) die(0); /* the parent gave up before sending a program */
	if (n < 0) die(2);
	if ((size_t)n < sizeof hdr && read_full(sync_fd, (char *)&hdr + n, sizeof hdr - (size_t)n) < 0) die(2);
	if (msg.controllen >= sizeof(struct cmsghdr_) && ctl.h.level == SOL_SOCKET && ctl.h.type == SCM_RIGHTS) {
		size_t nfds = (ctl.h.len - sizeof(struct cmsghdr_)) / sizeof(int);
		for (size_t i = 0; i < nfds && REG_RECEIVED + i < NREGS; i++)
			memcpy(&reg[REG_RECEIVED + i], ctl.buf + sizeof(struct cmsghdr_) + i * sizeof(int), sizeof(int));
	}
	size_t size = (size_t)hdr.nops * sizeof(struct prog_op) + hdr.strsize;
	if (hdr.magic != PROG_MAGIC || size > sizeof prog || read_full(sync_fd, prog, size) < 0) die(2);
	ops = (const struct prog_op *)prog;
	strings = prog + (size_t)hdr.nops * sizeof(struct prog_op);
}

__attribute__((noreturn, used)) void init_main(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	if (argc < 2) die(2);
	sync_fd = 0;
	for (const char *p = argv[1]; *p >= '0' && *p <= '9'; p++) sync_fd = sync_fd * 10 + (*p - '0');
	for (int i = 0; i < NREGS; i++) reg[i] = -1;
	/* Writes to a parent or a `start` that went away must fail, not kill us. */
	set_signal(SIGPIPE, SIG_IGN);
	if (argc > 2 && (argv[2][0] == 'f' || argv[2][0] == 'n')) {
		/* "fork" (a pid namespace joined) and "newpid": a pid namespace holds only our
		 * children. Fork here, as the runtime's child (CLONE_PARENT), so only hull-init
		 * is ever seen inside; with "newpid" the child is the new namespace's PID 1. */
		if (argv[2][0] == 'n' && sys1(__NR_unshare, CLONE_NEWPID) < 0) die(3);
		long pid = sys6(__NR_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0, 0);
		if (pid < 0) die(3);
		if (pid > 0) {
			send_msg(MSG_PID, (int32_t)pid, 0, 0, 0);
			die(0);
		}
	}
	receive_program();

	for (uint32_t i = 0; i < hdr.nops; i++) {
		const struct prog_op *op = &ops[i];
		if (hdr.fault_after >= 0 && i >= (uint32_t)hdr.fault_after) {
			/* Fault tests: stop here, as if killed mid-create, and wait to be killed. */
			for (;;) sys5(__NR_ppoll, 0, 0, 0, 0, 0);
		}
		long t0 = (hdr.flags & PF_TRACE) ? now_us() : 0;
		long r = run_op((int)i, op);
		if (hdr.flags & PF_TRACE) send_msg(MSG_TRACE, (int32_t)i, (int32_t)(now_us() - t0), 0, 0);
		if (r >= 0) {
			if ((op->flags & F_ALT) && op->skip) i += op->skip;
			continue;
		}
		int err = (int)-r;
		if ((op->flags & F_ALT) && err == (int)op->hint_errno) continue;
		if ((op->flags & F_OPTIONAL) && err == ENOENT) { i += op->skip; continue; }
		if ((op->flags & F_IGNORE) || ((op->flags & F_IGNORE_ERRNO) && err == (int)op->hint_errno)) {
			if (op->flags & F_WARN) warn(str(op->hint));
			continue;
		}
		fail((int)i, op, err);
	}
	die(0);
}
