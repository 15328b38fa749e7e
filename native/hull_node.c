/*
 * hull.node: hull's own Node addon (N-API, a stable ABI), built against the
 * headers the nodejs package ships.  It exposes the few calls every
 * container's lifecycle makes (the lock, kill, the exec fifo, the sync
 * socket, waitpid, umount) and hull_spawn (hull_spawn.c, linked in), so the
 * hot commands never load koffi: loading it and declaring one function cost
 * a `hull start` or `kill` about 15 ms, a sixth of the command.
 *
 * Each function returns its result, or -errno on failure; the TypeScript
 * side (packages/sys/src/syscalls.ts) turns that into a SysError.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <node_api.h>

#include "hull_spawn.h"

#define MAX_ARGS 12

/* A thrown TypeError for arguments of the wrong kind (a bug in the caller, not a failed syscall). */
#define CHECK(env, call)                                                   \
	do {                                                               \
		if ((call) != napi_ok) {                                   \
			napi_throw_type_error((env), NULL, "hull.node: bad argument"); \
			return NULL;                                       \
		}                                                          \
	} while (0)

static napi_value num(napi_env env, int64_t v)
{
	napi_value out;
	napi_create_int64(env, v, &out);
	return out;
}

static napi_value pair(napi_env env, int64_t a, int64_t b)
{
	napi_value out;
	napi_create_array_with_length(env, 2, &out);
	napi_set_element(env, out, 0, num(env, a));
	napi_set_element(env, out, 1, num(env, b));
	return out;
}

static int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv)
{
	size_t argc = MAX_ARGS;
	napi_value all[MAX_ARGS];
	if (napi_get_cb_info(env, info, &argc, all, NULL, NULL) != napi_ok || argc < want)
		return -1;
	memcpy(argv, all, want * sizeof(napi_value));
	return 0;
}

static int int_arg(napi_env env, napi_value v, int32_t *out)
{
	return napi_get_value_int32(env, v, out) == napi_ok ? 0 : -1;
}

/* A malloc'd copy of a JS string (free it), or NULL. */
static char *str_arg(napi_env env, napi_value v)
{
	size_t len;
	if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok)
		return NULL;
	char *s = malloc(len + 1);
	if (s && napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
		free(s);
		return NULL;
	}
	return s;
}

/* A malloc'd NULL-terminated array of strings from a JS array (free_strv it), or NULL. */
static char **strv_arg(napi_env env, napi_value v)
{
	uint32_t n;
	if (napi_get_array_length(env, v, &n) != napi_ok)
		return NULL;
	char **out = calloc((size_t)n + 1, sizeof(char *));
	for (uint32_t i = 0; out && i < n; i++) {
		napi_value e;
		if (napi_get_element(env, v, i, &e) != napi_ok || !(out[i] = str_arg(env, e))) {
			for (uint32_t j = 0; j < i; j++)
				free(out[j]);
			free(out);
			return NULL;
		}
	}
	return out;
}

static void free_strv(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* A malloc'd int32 array from a JS array of numbers (free it), or NULL; *n gets its length. */
static int32_t *intv_arg(napi_env env, napi_value v, int32_t *n)
{
	uint32_t len;
	if (napi_get_array_length(env, v, &len) != napi_ok)
		return NULL;
	int32_t *out = malloc(((size_t)len + 1) * sizeof(int32_t));
	for (uint32_t i = 0; out && i < len; i++) {
		napi_value e;
		if (napi_get_element(env, v, i, &e) != napi_ok || int_arg(env, e, &out[i]) < 0) {
			free(out);
			return NULL;
		}
	}
	*n = (int32_t)len;
	return out;
}

#define RET(expr) ((expr) < 0 ? -errno : 0)

/* flock(fd, op), again while a signal interrupts it. */
static napi_value js_flock(napi_env env, napi_callback_info info)
{
	napi_value a[2];
	int32_t fd, op;
	CHECK(env, args(env, info, 2, a) || int_arg(env, a[0], &fd) || int_arg(env, a[1], &op) ? napi_invalid_arg : napi_ok);
	int r;
	do
		r = flock(fd, op);
	while (r < 0 && errno == EINTR);
	return num(env, r < 0 ? -errno : 0);
}

static napi_value js_kill(napi_env env, napi_callback_info info)
{
	napi_value a[2];
	int32_t pid, sig;
	CHECK(env, args(env, info, 2, a) || int_arg(env, a[0], &pid) || int_arg(env, a[1], &sig) ? napi_invalid_arg : napi_ok);
	return num(env, RET(kill(pid, sig)));
}

static napi_value js_umask(napi_env env, napi_callback_info info)
{
	napi_value a[1];
	int32_t mask;
	CHECK(env, args(env, info, 1, a) || int_arg(env, a[0], &mask) ? napi_invalid_arg : napi_ok);
	return num(env, umask((mode_t)mask));
}

static napi_value js_mkfifo(napi_env env, napi_callback_info info)
{
	napi_value a[2];
	int32_t mode;
	CHECK(env, args(env, info, 2, a) || int_arg(env, a[1], &mode) ? napi_invalid_arg : napi_ok);
	char *path = str_arg(env, a[0]);
	CHECK(env, path ? napi_ok : napi_invalid_arg);
	int r = RET(mkfifo(path, (mode_t)mode));
	free(path);
	return num(env, r);
}

static napi_value js_open(napi_env env, napi_callback_info info)
{
	napi_value a[3];
	int32_t flags, mode;
	CHECK(env, args(env, info, 3, a) || int_arg(env, a[1], &flags) || int_arg(env, a[2], &mode) ? napi_invalid_arg : napi_ok);
	char *path = str_arg(env, a[0]);
	CHECK(env, path ? napi_ok : napi_invalid_arg);
	int fd = open(path, flags, (mode_t)mode);
	int r = fd < 0 ? -errno : fd;
	free(path);
	return num(env, r);
}

static napi_value js_close(napi_env env, napi_callback_info info)
{
	napi_value a[1];
	int32_t fd;
	CHECK(env, args(env, info, 1, a) || int_arg(env, a[0], &fd) ? napi_invalid_arg : napi_ok);
	return num(env, RET(close(fd)));
}

/* write(fd, buffer): the bytes written. */
static napi_value js_write(napi_env env, napi_callback_info info)
{
	napi_value a[2];
	int32_t fd;
	void *data;
	size_t len;
	CHECK(env, args(env, info, 2, a) || int_arg(env, a[0], &fd) ? napi_invalid_arg : napi_ok);
	CHECK(env, napi_get_buffer_info(env, a[1], &data, &len));
	ssize_t n = write(fd, data, len);
	return num(env, n < 0 ? -errno : n);
}

/* socketpair(domain, type, 0): [fd, fd]. */
static napi_value js_socketpair(napi_env env, napi_callback_info info)
{
	napi_value a[2];
	int32_t domain, type;
	int sv[2];
	CHECK(env, args(env, info, 2, a) || int_arg(env, a[0], &domain) || int_arg(env, a[1], &type) ? napi_invalid_arg : napi_ok);
	if (socketpair(domain, type, 0, sv) < 0)
		return num(env, -errno);
	return pair(env, sv[0], sv[1]);
}

/* waitpid(pid, options): [pid, status]. */
static napi_value js_waitpid(napi_env env, napi_callback_info info)
{
	napi_value a[2];
	int32_t pid, options;
	int status = 0;
	CHECK(env, args(env, info, 2, a) || int_arg(env, a[0], &pid) || int_arg(env, a[1], &options) ? napi_invalid_arg : napi_ok);
	pid_t r = waitpid(pid, &status, options);
	if (r < 0)
		return num(env, -errno);
	return pair(env, r, status);
}

static napi_value js_umount2(napi_env env, napi_callback_info info)
{
	napi_value a[2];
	int32_t flags;
	CHECK(env, args(env, info, 2, a) || int_arg(env, a[1], &flags) ? napi_invalid_arg : napi_ok);
	char *target = str_arg(env, a[0]);
	CHECK(env, target ? napi_ok : napi_invalid_arg);
	int r = RET(umount2(target, flags));
	free(target);
	return num(env, r);
}

/*
 * spawn(path, argv, envp, cloneFlags, join, fds, syncFd, waitSync, rootIds, execFd, dumpable):
 * hull_spawn's [pid, reportFd], or -errno.  Everything the child reads is copied here, before the clone.
 */
static napi_value js_spawn(napi_env env, napi_callback_info info)
{
	napi_value a[11];
	struct hull_spawn_args s;
	int32_t njoin = 0, nfds = 0;
	CHECK(env, args(env, info, 11, a) || int_arg(env, a[3], &s.clone_flags) || int_arg(env, a[6], &s.sync_fd) ||
			   int_arg(env, a[7], &s.wait_sync) || int_arg(env, a[8], &s.root_ids) || int_arg(env, a[9], &s.exec_fd) ||
			   int_arg(env, a[10], &s.dumpable)
		       ? napi_invalid_arg
		       : napi_ok);
	char *path = str_arg(env, a[0]);
	char **argv = strv_arg(env, a[1]);
	char **envp = strv_arg(env, a[2]);
	int32_t *join = intv_arg(env, a[4], &njoin);
	int32_t *fds = intv_arg(env, a[5], &nfds);
	napi_value out = NULL;
	if (!path || !argv || !envp || !join || !fds) {
		napi_throw_type_error(env, NULL, "hull.node: bad argument");
	} else {
		s.path = path;
		s.argv = argv;
		s.envp = envp;
		s.join_fds = join;
		s.njoin = njoin;
		s.fds = fds;
		s.nfds = nfds;
		int32_t report_fd = -1;
		int pid = hull_spawn(&s, &report_fd);
		out = pid < 0 ? num(env, pid) : pair(env, pid, report_fd);
	}
	free(path);
	free_strv(argv);
	free_strv(envp);
	free(join);
	free(fds);
	return out;
}

/* spawnResult(reportFd): [0 or -errno, step]. */
static napi_value js_spawn_result(napi_env env, napi_callback_info info)
{
	napi_value a[1];
	int32_t fd, step = 0;
	CHECK(env, args(env, info, 1, a) || int_arg(env, a[0], &fd) ? napi_invalid_arg : napi_ok);
	int r = hull_spawn_result(fd, &step);
	return pair(env, r, step);
}

static napi_value js_sealed_copy(napi_env env, napi_callback_info info)
{
	napi_value a[1];
	CHECK(env, args(env, info, 1, a) ? napi_invalid_arg : napi_ok);
	char *path = str_arg(env, a[0]);
	CHECK(env, path ? napi_ok : napi_invalid_arg);
	int r = hull_sealed_copy(path);
	free(path);
	return num(env, r);
}

static napi_value init(napi_env env, napi_value exports)
{
	static const struct {
		const char *name;
		napi_callback fn;
	} fns[] = {
		{ "flock", js_flock },       { "kill", js_kill },         { "umask", js_umask },
		{ "mkfifo", js_mkfifo },     { "open", js_open },         { "close", js_close },
		{ "write", js_write },       { "socketpair", js_socketpair }, { "waitpid", js_waitpid },
		{ "umount2", js_umount2 },   { "spawn", js_spawn },       { "spawnResult", js_spawn_result },
		{ "sealedCopy", js_sealed_copy },
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		napi_value f;
		if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f) != napi_ok ||
		    napi_set_named_property(env, exports, fns[i].name, f) != napi_ok)
			return NULL;
	}
	return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
