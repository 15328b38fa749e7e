/*
 * nolibc.h: what hull's libc-free programs (hull-init, hull-monitor) share —
 * the raw syscall, the process entry, and the few string helpers they use.
 * Built with -ffreestanding -nostdlib -static: a program costs a few pages.
 *
 * The including file defines NOLIBC_MAIN, the function _start calls with the
 * initial stack pointer (argc, argv..., NULL, envp..., NULL).
 */
#ifndef HULL_NOLIBC_H
#define HULL_NOLIBC_H

#include <stddef.h>
#include <stdint.h>
#include <asm/unistd.h>

#define STR_(x) #x
#define STR(x) STR_(x)

#if defined(__x86_64__)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
	return ret;
}
__asm__(".global _start\n_start:\n xor %rbp,%rbp\n mov %rsp,%rdi\n and $-16,%rsp\n call " STR(NOLIBC_MAIN) "\n hlt\n");
#elif defined(__aarch64__)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
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
__asm__(".global _start\n_start:\n mov x29, #0\n mov x30, #0\n mov x0, sp\n and sp, x0, #-16\n bl " STR(NOLIBC_MAIN) "\n brk #0\n");
#else
#error "nolibc: unsupported architecture"
#endif

#define sys1(n, a) sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* gcc may emit calls to these for struct initialisation and copies. */
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
	for (;;) sys1(__NR_exit_group, code);
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
		long w = sys3(__NR_write, fd, p, n);
		if (w == -4 /* EINTR */) continue;
		if (w < 0) return (int)w;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

#endif
