/*
 * The setup program hull-init executes: its layout, op codes, flags and the
 * messages it sends. packages/runtime/src/program/format.ts mirrors this
 * file (a unit test compares the two).
 *
 * A program is a header, `nops` fixed-size op records, then a string area of
 * `strsize` bytes. String fields are offsets into that area (0: none; the
 * area starts with a NUL byte); blobs are an offset plus a length argument.
 */
#ifndef HULL_INIT_H
#define HULL_INIT_H

#include <stdint.h>

#define PROG_MAGIC 0x314c5548u /* "HUL1" little-endian */
#define PROG_MAX (4u << 20)

struct prog_header {
	uint32_t magic;
	uint32_t nops;
	uint32_t strsize;
	uint32_t flags;      /* PF_* */
	int32_t fault_after; /* >= 0: SIGKILL itself before op N (fault tests) */
	uint32_t nfds;       /* fds sent with the header (SCM_RIGHTS), kept in reg[REG_RECEIVED + i] */
};

struct prog_op {
	uint32_t code;
	uint32_t flags;      /* F_* */
	int64_t a[4];
	uint32_t s[4];
	uint32_t desc;       /* the words of an error: "mount proc on /proc" */
	uint32_t hint;       /* appended to the error when errno == hint_errno; the warning of F_WARN */
	uint32_t hint_errno;
	uint32_t skip;       /* ops governed by F_ALT / F_OPTIONAL */
};

/* Header flags. */
#define PF_TRACE 1u /* send MSG_TRACE after each op */

/* An fd argument >= FD_REG is the register (FD_REG + n), else a literal fd. */
#define FD_REG 1000
#define NREGS 128
#define REG_RECEIVED 64

enum op_code {
	OP_SETSID = 1,
	OP_PRCTL = 2,          /* prctl(a0, a1, a2, a3, 0) */
	OP_SETNS = 3,          /* setns(fd a0, a1) */
	OP_UNSHARE = 4,        /* unshare(a0) */
	OP_KEYRING = 5,        /* join a new session keyring named s0 */
	OP_WRITE = 6,          /* open s0 (or fd a2 with F_FD), write blob s1 of a0 bytes; F_NOFOLLOW: no symlinks */
	OP_SETHOSTNAME = 7,    /* s0 */
	OP_SETDOMAINNAME = 8,  /* s0 */
	OP_LO_UP = 9,          /* bring up "lo" */
	OP_PRLIMIT = 10,       /* resource a0, soft a1, hard a2 */
	OP_SYSCALL = 11,       /* nr a0, args a1..a3; F_BLOBn: arg n points at s[n-1] */
	OP_CAPBSET = 12,       /* drop from the bounding set all but mask a0, caps 0..a1; skipped without CAP_SETPCAP */
	OP_CAPSET = 13,        /* effective a0, permitted a1, inheritable a2; F_EFF_FROM_PERM: effective = held permitted */
	OP_AMBIENT = 14,       /* clear the ambient set, raise mask a0 (caps 0..a1), failures ignored */
	OP_SETGROUPS = 15,     /* a0 gids (u32) in s0; skipped (F_WARN) where setgroups is denied */
	OP_SETRESGID = 16,     /* a0 */
	OP_SETRESUID = 17,     /* a0; F_FROM_EUID: all three = the effective uid */
	OP_SECCOMP = 18,       /* filter s0 of a0 instructions, flags a1; a listener fd goes to reg a2 */
	OP_CONNECT = 19,       /* unix socket connected to s0 -> reg a0 */
	OP_SEND_FD = 20,       /* on socket fd a0, fd a1 with payload s0 of a2 bytes */
	OP_CLOSE = 21,         /* fd a0 */
	OP_UMASK = 22,         /* a0 */
	OP_CHDIR = 23,         /* s0, or fd a0 with F_FD */
	OP_KEEP_FDS = 24,      /* fds 0..a0-1 cross execve, every other is close-on-exec */
	OP_EXEC = 25,          /* execve the OP_LOOKUP result with argv s0 (a0 strings), env s1 (a1 strings) and its HOME */
	OP_REPORT = 26,        /* send message a0 to the parent */
	OP_WAIT_CONTINUE = 27, /* read MSG_CONTINUE from the parent */
	OP_WAIT_FIFO = 28,     /* open the exec fifo (O_PATH fd a0) for writing: blocks until `start` */
	OP_HOOK = 29,          /* path s0, argv s1 (a0), env s2 (a1), state s3 on stdin, timeout a2 s; F_FD: cwd fd a3 */
	OP_MOUNT = 30,         /* source s0|fd a2 (F_SRC_FD), target s1|fd a1 (F_TGT_FD), type s2, data s3, flags a0 */
	OP_SETATTR = 31,       /* mount_setattr(fd a1, set a0, clear a2, at-flags a3) */
	OP_MOVE_MOUNT = 32,    /* detached mount fd a0 onto fd a1 */
	OP_OPEN = 33,          /* open s0 with flags a0 -> reg a1 */
	OP_RESOLVE = 34,       /* s0 inside root fd a0 -> O_PATH fd in reg a1; dirs made with mode a2 */
	OP_MKNOD = 35,         /* s0 inside root fd a0, mode a1, dev a2, owner a3 (uid << 32 | gid) */
	OP_SYMLINK = 36,       /* link s1 inside root fd a0 pointing at s0 */
	OP_PIVOT = 37,         /* pivot_root into fd a0, old root detached */
	OP_MOVE_ROOT = 38,     /* --no-pivot: move s0 onto / and chroot */
	OP_CHROOT = 39,        /* chroot into fd a0 */
	OP_MASK = 40,          /* mask s0 inside root fd a0: its /dev/null bound over files, an empty read-only tmpfs over dirs */
	OP_RO_PATH = 41,       /* s0 inside root fd a0 bound read-only onto itself */
	OP_CONSOLE = 42,       /* new pty; master sent on fd a0; a1 = rows | cols << 16 | 1 << 32 when sized; owner a2:a3 (-1 keeps) */
	OP_COPYUP = 43,        /* copy directory fd a0 into directory fd a1 (tmpcopyup); a2: give fd a1 the mode of fd a0 */
	OP_FAIL = 45,
	OP_UMOUNT = 46,        /* umount2(s0, a0) */          /* fails with EINVAL: what cannot go on (start without a process) */
	OP_LOOKUP = 44,        /* find argv[0] s0 in the PATH of env s1 (a1 strings); F_HOME: HOME of uid a2 unless env has one */
};

/* Op flags. */
#define F_IGNORE (1u << 0)        /* any failure is ignored */
#define F_IGNORE_ERRNO (1u << 1)  /* failure with hint_errno is ignored */
#define F_WARN (1u << 2)          /* an ignored failure (or a skip) is logged with `hint` as a warning */
#define F_ALT (1u << 3)           /* success skips the next `skip` ops; failure with hint_errno runs them */
#define F_OPTIONAL (1u << 4)      /* RESOLVE/MASK/RO_PATH: a missing path skips the next `skip` ops */
#define F_FD (1u << 5)
#define F_NOFOLLOW (1u << 6)
#define F_SRC_FD (1u << 7)
#define F_TGT_FD (1u << 8)
#define F_KEEP_LOCKED (1u << 9)   /* MOUNT: keep the target's locked flags (a3: those the options clear) */
#define F_MKDIR (1u << 10)        /* RESOLVE: make missing directories */
#define F_MKFILE (1u << 11)       /* RESOLVE: the last component is a file, made if missing */
#define F_DIR (1u << 12)          /* RESOLVE: must be a directory */
#define F_ORDINARY (1u << 13)     /* RESOLVE: no symlink on the way */
#define F_EFF_FROM_PERM (1u << 14)
#define F_FROM_EUID (1u << 15)
#define F_HOME (1u << 16)
#define F_BIND_CONSOLE (1u << 17)
#define F_REPLACE (1u << 18)      /* MKNOD/SYMLINK: remove what is there first */
#define F_BLOB1 (1u << 19)
#define F_BLOB2 (1u << 20)
#define F_BLOB3 (1u << 21)

/* Messages: a header {type, index, err, len} and len bytes. */
struct msg_header {
	uint32_t type;
	int32_t index;
	int32_t err;
	uint32_t len;
};

enum msg_type {
	MSG_MOUNTS = 1,   /* init: mounts done, before pivot_root: run the runtime-side hooks */
	MSG_READY = 2,    /* init: created, waiting on the exec fifo */
	MSG_ERROR = 3,    /* init: op `index` failed with `err`; the text follows; the init exits */
	MSG_WARN = 4,     /* init: a warning text */
	MSG_TRACE = 5,    /* init: op `index` took `err` microseconds */
	MSG_PID = 6,      /* init ("fork" mode): its child's pid is `index`; the child runs the program */
	MSG_CONTINUE = 100, /* parent: go on after MSG_MOUNTS */
};

#endif
