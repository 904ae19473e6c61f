/*
 * runaway: a TEST FIXTURE command component (wasi:cli/run) that misbehaves
 * on request, so the component engine's limits can be seen to hold.
 *
 * stdin (a JSON string):
 *   "loop"   spin forever (stopped by the fuel limit)
 *   "grow"   memory.grow one page at a time until it fails, then exit 1
 *            (stopped by the memory cap; reported as the memory limit)
 *   "clock"  report the monotonic clock's resolution and the sub-millisecond
 *            part of the wall clock (both coarse under Airlock)
 *   other    print {"ok":true}
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int main(void) {
  char in[64];
  size_t n = fread(in, 1, sizeof in - 1, stdin);
  in[n] = 0;
  if (strstr(in, "loop")) {
    volatile uint64_t x = 0;
    for (;;) x++;
  }
  if (strstr(in, "grow")) {
    size_t pages = 0;
    while (__builtin_wasm_memory_grow(0, 1) != (size_t)-1) pages++;
    printf("{\"grownPages\":%zu}\n", pages);
    return 1;
  }
  if (strstr(in, "clock")) {
    struct timespec res, mono, real;
    clock_getres(CLOCK_MONOTONIC, &res);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &real);
    printf("{\"resolutionNs\":%ld,\"monoSubMs\":%ld,\"realSubMs\":%ld}\n", (long)res.tv_nsec, (long)(mono.tv_nsec % 1000000),
           (long)(real.tv_nsec % 1000000));
    return 0;
  }
  printf("{\"ok\":true}\n");
  return 0;
}
