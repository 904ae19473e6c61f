/*
 * call-counter: a typed tool (world airlock:tool/tool) in plain C, with the
 * component model's canonical ABI written out by hand instead of generated
 * by wit-bindgen, so that the build needs nothing but clang and jco.
 *
 * It keeps a counter in a global and answers {"calls":N,"inputBytes":M}.
 * In Airlock every call gets a fresh instance, so N is always 1: that is
 * what the isolation test checks. Input "\"fail\"" returns the typed error
 * {code: "asked-to-fail"}.
 *
 * The ABI, for the exports of wit/tool.wit's `tool` world:
 *   describe: func() -> descriptor        core: () -> i32, a pointer to
 *                                         4 × (ptr, len) string pairs
 *   call: func(input: string) -> result<string, tool-error>
 *                                         core: (ptr, len) -> i32, a pointer
 *                                         to { u8 tag; pad; payload } where
 *                                         ok = (ptr, len), err = 2 × (ptr, len)
 *   cabi_realloc                          how the host allocates the input
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))

static int calls; /* global state that must never survive a call */

struct str {
  const char *ptr;
  size_t len;
};

static struct str lit(const char *s) { return (struct str){s, strlen(s)}; }

EXPORT("cabi_realloc")
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  (void)align;
  if (new_size == 0) return (void *)align;
  void *p = realloc(ptr, new_size);
  if (!p) abort();
  return p;
}

static struct str descriptor[4];

EXPORT("describe")
struct str *describe(void) {
  descriptor[0] = lit("call-counter");
  descriptor[1] = lit("Counts its own calls (always 1 under Airlock: a fresh instance per call) and the input's size.");
  descriptor[2] = lit("{\"type\":\"string\"}");
  descriptor[3] = lit("{\"type\":\"object\",\"required\":[\"calls\",\"inputBytes\"]}");
  return descriptor;
}

static struct {
  uint8_t tag; /* 0 ok, 1 err */
  struct str a, b;
} ret;

static char out[128];

EXPORT("call")
void *call(const char *input, size_t len) {
  calls++;
  if (len == 6 && memcmp(input, "\"fail\"", 6) == 0) {
    ret.tag = 1;
    ret.a = lit("asked-to-fail");
    ret.b = lit("the input asked this tool to fail");
    return &ret;
  }
  int n = snprintf(out, sizeof out, "{\"calls\":%d,\"inputBytes\":%zu}", calls, len);
  ret.tag = 0;
  ret.a = (struct str){out, (size_t)n};
  return &ret;
}
