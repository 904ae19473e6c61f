/*
 * runaway: a TEST FIXTURE command component (wasi:cli/run) that misbehaves
 * on request, so the component engine's limits can be seen to hold.
 *
 * stdin (a JSON string):
 *   "loop"     spin forever (stopped by the fuel limit)
 *   "recurse"  unbounded non-tail recursion, a little work in every frame, so
 *              fuel runs out long before the engine's stack does (fuel)
 *   "switch"   spin forever through a dense switch, lowered to br_table (fuel)
 *   "indirect" spin forever calling through a table of function pointers:
 *              call_indirect (fuel)
 *   "fill"     grow memory by 2 MiB (within the cap) and memset it over and
 *              over: memory.fill, charged by length (fuel)
 *   "copy"     the same region, memmove of its upper half onto its lower half
 *              over and over: memory.copy, charged by length (fuel)
 *   "grow"     memory.grow one page at a time until it fails, then exit 1
 *              (stopped by the memory cap; reported as the memory limit)
 *   "clock"    report the monotonic clock's resolution and the sub-millisecond
 *              part of the wall clock (both coarse under Airlock)
 *   other      print {"ok":true}
 *
 * Built with -mbulk-memory, so memset/memmove become memory.fill/memory.copy.
 * Every mode keeps its state in volatiles, so the compiler can neither fold the
 * work away nor turn the recursion into a loop.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static volatile uint32_t sink;

/* Non-tail recursion: the result of the inner call is used after it returns. */
__attribute__((noinline)) static uint32_t recurse(uint32_t depth) {
  for (uint32_t i = 0; i < 100; i++) sink += i;
  if (sink == 0xdeadbeefu) return depth; /* never, but the compiler cannot know */
  return recurse(depth + 1) ^ sink;
}

/* A dense switch whose cases do different work on a volatile: a br_table. */
__attribute__((noinline)) static void spin_switch(void) {
  for (;;) {
    switch (sink & 7) {
      case 0: sink += 0x9e3779b9u; break;
      case 1: sink ^= sink >> 7; break;
      case 2: sink *= 2654435761u; break;
      case 3: sink -= 12345; break;
      case 4: sink = (sink << 3) | (sink >> 29); break;
      case 5: sink ^= 0x5a5a5a5au; break;
      case 6: sink += sink >> 11; break;
      default: sink = ~sink; break;
    }
  }
}

typedef uint32_t (*op_fn)(uint32_t);
__attribute__((noinline)) static uint32_t op_add(uint32_t x) { return x + 0x9e3779b9u; }
__attribute__((noinline)) static uint32_t op_mul(uint32_t x) { return x * 2654435761u; }
__attribute__((noinline)) static uint32_t op_xor(uint32_t x) { return x ^ (x >> 7); }
__attribute__((noinline)) static uint32_t op_rot(uint32_t x) { return (x << 3) | (x >> 29); }
static op_fn const ops[4] = {op_add, op_mul, op_xor, op_rot};

/* Calls through the table, chosen by a volatile: call_indirect. */
__attribute__((noinline)) static void spin_indirect(void) {
  for (;;) sink = ops[sink & 3](sink);
}

#define REGION_PAGES 32 /* 2 MiB, well inside the 4 MiB cap the tests give */

/* Grow memory by REGION_PAGES and return the start of the new pages. */
static unsigned char *region(void) {
  size_t old = __builtin_wasm_memory_grow(0, REGION_PAGES);
  if (old == (size_t)-1) return NULL;
  return (unsigned char *)(old * 65536);
}

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
  if (strstr(in, "recurse")) {
    printf("{\"depth\":%u}\n", (unsigned)recurse(0));
    return 1;
  }
  if (strstr(in, "switch")) spin_switch();
  if (strstr(in, "indirect")) spin_indirect();
  if (strstr(in, "fill") || strstr(in, "copy")) {
    unsigned char *p = region();
    if (!p) {
      printf("{\"error\":\"no memory for the region\"}\n");
      return 1;
    }
    size_t len = (size_t)REGION_PAGES * 65536;
    volatile unsigned char *vp = p;
    if (strstr(in, "fill")) {
      for (;;) {
        memset(p, (int)(sink++ & 0xff), len);
        sink += vp[sink & (len - 1)];
      }
    }
    for (;;) {
      memmove(p, p + len / 2, len / 2);
      sink += vp[sink & (len - 1)]++;
    }
  }
  printf("{\"ok\":true}\n");
  return 0;
}
