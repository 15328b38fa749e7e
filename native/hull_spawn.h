/* hull_spawn.c's interface: the clone/setns/exec primitive, linked into hull.node (hull_node.c). */
#ifndef HULL_SPAWN_H
#define HULL_SPAWN_H
#include <stdint.h>

/* Steps named in error reports; packages/sys/src/native.ts mirrors them. */
enum hull_step {
	STEP_CLONE = 1,
	STEP_WAIT_SYNC,
	STEP_SETNS,
	STEP_SETGROUPS,
	STEP_SETRESGID,
	STEP_SETRESUID,
	STEP_FDS,
	STEP_DUMPABLE,
	STEP_EXECVE,
	STEP_PIPE,
};

struct hull_spawn_args {
	const char *path;          /* program to execve */
	char *const *argv;
	char *const *envp;
	int32_t clone_flags;       /* CLONE_NEWPID and/or CLONE_NEWUSER */
	const int32_t *join_fds;   /* namespace fds to setns() into, in order */
	int32_t njoin;
	const int32_t *fds;        /* fds[i] becomes fd i in the child; -1 closes i */
	int32_t nfds;
	int32_t sync_fd;           /* with wait_sync: read one byte before switching ids */
	int32_t wait_sync;
	int32_t root_ids;          /* setresgid/setresuid(0) once in the user namespace */
	int32_t exec_fd;           /* >= 0: execveat() this fd (a sealed copy) instead of path */
	int32_t dumpable;          /* value for PR_SET_DUMPABLE before execve, -1 leaves it */
};

int hull_spawn(const struct hull_spawn_args *a, int32_t *report_fd);
int hull_spawn_result(int32_t fd, int32_t *step);
int hull_sealed_copy(const char *path);

#endif
