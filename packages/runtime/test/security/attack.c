// Attack tools run inside containers by the security tests, built static by
// the tests (the busybox rootfs has no libc).
//   race A B SECONDS   swap A and B (a directory and a symlink) with
//                      renameat2(RENAME_EXCHANGE) as fast as it can
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "race") == 0) {
    time_t end = time(NULL) + atoi(argv[4]);
    unsigned long n = 0;
    while (time(NULL) < end) {
      for (int i = 0; i < 1000; i++) {
        syscall(SYS_renameat2, AT_FDCWD, argv[2], AT_FDCWD, argv[3], RENAME_EXCHANGE);
        n++;
      }
    }
    printf("%lu swaps\n", n);
    return 0;
  }
  fprintf(stderr, "usage: attack race A B SECONDS\n");
  return 2;
}
