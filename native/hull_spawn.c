/*
 * hull_spawn: the clone/setns/exec primitive of hull.node (hull_node.c).
 *
 * Node is multi-threaded, so it can neither create a user namespace nor fork
 * and run JavaScript in the child.  hull_spawn() clones a child (optionally
 * into new pid/user namespaces, or joining namespaces by fd), lays out the
 * fds the child gets, and execs a new program at once: hull-init, from a
 * sealed in-memory copy (hull_sealed_copy), so the child never keeps a
 * copy-on-write image of the Node process.
 *
 * Between clone and execve the child runs only async-signal-safe code: raw
 * syscalls, no malloc, no stdio, no locks.  (Its uid and gid changes are raw
 * syscalls too: glibc's wrappers would signal every thread of the process it
 * believes it still is, under a lock one of them may hold.)  A failure is
 * reported as a {step, errno} pair on a close-on-exec pipe; EOF on that pipe
 * means execve succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#include "hull_spawn.h"

struct hull_report {
	int32_t step;
	int32_t err;
};

static void report(int fd, int step, int err)
{
	struct hull_report r = { step, err };
	ssize_t n;
	do {
		n = write(fd, &r, sizeof(r));
	} while (n < 0 && errno == EINTR);
	_exit(127);
}

static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL); /* fails harmlessly for glibc's reserved signals */
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void child(const struct hull_spawn_args *a, int errfd, int shared_mm)
{
	reset_signals();

	if (a->wait_sync) {
		char c;
		ssize_t n;
		do {
			n = read(a->sync_fd, &c, 1);
		} while (n < 0 && errno == EINTR);
		if (n != 1)
			report(errfd, STEP_WAIT_SYNC, n < 0 ? errno : EPIPE);
	}

	/* Non-dumpable before anything of a container can see us (and after the
	 * parent wrote our id maps: it needs our /proc files to be its own). */
	/* Dumpability belongs to the memory: a child sharing ours leaves it be
	 * (it would be the caller's), and execve sets the new program's. */
	if (a->dumpable == 0 && !shared_mm && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		report(errfd, STEP_DUMPABLE, errno);

	for (int i = 0; i < a->njoin; i++) {
		if (setns(a->join_fds[i], 0) < 0)
			report(errfd, STEP_SETNS, errno);
	}

	if (a->root_ids) {
		/* setgroups is denied in a user namespace whose gid_map was written
		 * after "deny"; clearing groups there is not needed. */
		if (syscall(SYS_setgroups, 0, NULL) < 0 && errno != EPERM)
			report(errfd, STEP_SETGROUPS, errno);
		if (syscall(SYS_setresgid, 0, 0, 0) < 0)
			report(errfd, STEP_SETRESGID, errno);
		if (syscall(SYS_setresuid, 0, 0, 0) < 0)
			report(errfd, STEP_SETRESUID, errno);
	}

	/* Move every fd we must keep above the target range, then into place. */
	int base = a->nfds > 3 ? a->nfds : 3;
	int moved_err = fcntl(errfd, F_DUPFD_CLOEXEC, base + a->nfds);
	if (moved_err < 0)
		report(errfd, STEP_FDS, errno);
	errfd = moved_err;
	int exec_fd = -1;
	if (a->exec_fd >= 0 && (exec_fd = fcntl(a->exec_fd, F_DUPFD_CLOEXEC, base + a->nfds + 1)) < 0)
		report(errfd, STEP_FDS, errno);
	int tmp[a->nfds > 0 ? a->nfds : 1];
	for (int i = 0; i < a->nfds; i++) {
		tmp[i] = -1;
		if (a->fds[i] >= 0) {
			tmp[i] = fcntl(a->fds[i], F_DUPFD_CLOEXEC, base + a->nfds + 1);
			if (tmp[i] < 0)
				report(errfd, STEP_FDS, errno);
		}
	}
	for (int i = 0; i < a->nfds; i++) {
		if (tmp[i] < 0) {
			close(i);
			continue;
		}
		if (dup2(tmp[i], i) < 0) /* dup2 clears FD_CLOEXEC on i */
			report(errfd, STEP_FDS, errno);
		close(tmp[i]);
	}
	/* Nothing else of the caller's crosses execve. */
	if (syscall(SYS_close_range, (unsigned)a->nfds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		report(errfd, STEP_FDS, errno);

	if (a->dumpable >= 0 && !shared_mm && prctl(PR_SET_DUMPABLE, a->dumpable, 0, 0, 0) < 0)
		report(errfd, STEP_DUMPABLE, errno);
	/* execve() makes a process dumpable again unless its real and effective
	 * uids differ (then it takes fs.suid_dumpable, 0 by default). A real uid
	 * of nobody keeps the new program non-dumpable from its first instruction
	 * (it restores its real uid itself); where nobody is not mapped in the
	 * user namespace this is skipped and the program's own prctl is all. */
	if (a->dumpable == 0)
		syscall(SYS_setresuid, 65534, -1, -1);

	if (exec_fd >= 0)
		syscall(SYS_execveat, exec_fd, "", a->argv, a->envp, AT_EMPTY_PATH);
	else
		execve(a->path, a->argv, a->envp);
	report(errfd, STEP_EXECVE, errno);
}

struct child_start {
	const struct hull_spawn_args *a;
	int errfd;
};

static int child_main(void *p)
{
	struct child_start *s = p;
	child(s->a, s->errfd, 1);
	return 127;
}

/* The stack of a child that shares our memory until it execs. */
#define SHARED_CHILD_STACK (64 * 1024)

/*
 * Starts the child.  Returns its pid, or
 * -errno.  *report_fd receives the read end of the report pipe: the caller
 * finishes the set-up (uid/gid maps, then one byte on sync_fd) and calls
 * hull_spawn_result().
 */
int hull_spawn(const struct hull_spawn_args *a, int32_t *report_fd)
{
	int errpipe[2];
	sigset_t all, old;
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return -errno;

	/* No Node signal handler may run in the child before it resets them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* A child that makes no namespace at clone, joins none and waits for
	 * nobody shares our memory and runs while we wait, until its execve
	 * (CLONE_VM|CLONE_VFORK, as posix_spawn does): a fork copied the page
	 * tables of the whole Node process and left us copy-on-write faults,
	 * 2-4 ms of every create.  The others fork: the kernel refuses a new
	 * or joined user namespace to a process that shares its memory, and a
	 * child waiting on us would wait forever. */
	pid_t pid;
	int clone_errno;
	if (a->clone_flags == 0 && a->njoin == 0 && !a->wait_sync) {
		void *stack = mmap(NULL, SHARED_CHILD_STACK, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		struct child_start start = { a, errpipe[1] };
		pid = stack == MAP_FAILED ? -1
			: clone(child_main, (char *)stack + SHARED_CHILD_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
		clone_errno = errno;
		if (stack != MAP_FAILED)
			munmap(stack, SHARED_CHILD_STACK);
	} else {
		pid = (pid_t)syscall(SYS_clone, (unsigned long)(a->clone_flags | SIGCHLD), 0, 0, 0, 0);
		if (pid == 0)
			child(a, errpipe[1], 0);
		clone_errno = errno;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(errpipe[1]);

	if (pid < 0) {
		close(errpipe[0]);
		return -clone_errno;
	}

	*report_fd = errpipe[0];
	return pid;
}

/* Waits until the child has execve()d (0) or failed (-errno, *step set).  Closes fd. */
int hull_spawn_result(int32_t fd, int32_t *step)
{
	struct hull_report r;
	ssize_t n;
	do {
		n = read(fd, &r, sizeof(r));
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n == 0)
		return 0;
	if (n != sizeof(r)) {
		*step = STEP_PIPE;
		return n < 0 ? -errno : -EPIPE;
	}
	*step = r.step;
	return -r.err;
}

/*
 * A sealed in-memory copy of the program at `path`, for exec_fd: what runs
 * inside a container is never a file of the host, so nothing there can
 * write through /proc/PID/exe to a host binary (the CVE-2019-5736 class).
 * Returns the fd (close-on-exec) or -errno.
 */
int hull_sealed_copy(const char *path)
{
	int src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -errno;
	int fd = (int)syscall(SYS_memfd_create, "hull-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int err = fd < 0 ? errno : 0;
	char buf[65536];
	ssize_t n;
	while (!err && (n = read(src, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno != EINTR)
				err = errno;
			continue;
		}
		for (ssize_t off = 0; off < n && !err;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR)
				err = errno;
			else if (w > 0)
				off += w;
		}
	}
	close(src);
	if (!err && fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		err = errno;
	if (err) {
		if (fd >= 0)
			close(fd);
		return -err;
	}
	return fd;
}
