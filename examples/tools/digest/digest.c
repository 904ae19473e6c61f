/*
 * digest: SHA-256 of files. An Airlock example tool (see
 * docs/tool-convention.md).
 *
 * input:  {"paths": ["/workspace/data/sales.csv", "/workspace/README.md"]}
 * output: {"digests": [{"path": "/workspace/data/sales.csv", "sha256": "3f2a...", "bytes": 2412},
 *                      {"path": "/workspace/gone.txt",
 *                       "error": {"code": "not_found", "message": "..."}}]}
 *
 * A file that cannot be read gets an "error" entry instead of a digest; the
 * call itself still succeeds, so one bad path does not hide the others.
 * SHA-256 follows FIPS 180-4.
 */
#define _POSIX_C_SOURCE 200809L /* POSIX.1-2008: lstat, strdup, symlink, ... */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/tool.h"

#define MAX_PATHS 256

/* ---- SHA-256 ---- */

struct sha256 {
  uint32_t h[8];
  uint64_t bytes;
  unsigned char block[64];
  size_t fill;
};

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(struct sha256 *c, const unsigned char *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
    h = g, g = f, f = e, e = d + t1, d = cc, cc = b, b = a, a = t1 + t2;
  }
  c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d;
  c->h[4] += e, c->h[5] += f, c->h[6] += g, c->h[7] += h;
}

static void sha256_init(struct sha256 *c) {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, iv, sizeof iv);
  c->bytes = 0;
  c->fill = 0;
}

static void sha256_update(struct sha256 *c, const unsigned char *p, size_t n) {
  c->bytes += n;
  if (c->fill) {
    size_t take = 64 - c->fill < n ? 64 - c->fill : n;
    memcpy(c->block + c->fill, p, take);
    c->fill += take, p += take, n -= take;
    if (c->fill < 64) return;
    sha256_block(c, c->block);
    c->fill = 0;
  }
  for (; n >= 64; p += 64, n -= 64) sha256_block(c, p);
  memcpy(c->block, p, n);
  c->fill = n;
}

static void sha256_final(struct sha256 *c, unsigned char out[32]) {
  uint64_t bits = c->bytes * 8;
  c->block[c->fill++] = 0x80;
  if (c->fill > 56) {
    memset(c->block + c->fill, 0, 64 - c->fill);
    sha256_block(c, c->block);
    c->fill = 0;
  }
  memset(c->block + c->fill, 0, 56 - c->fill);
  for (int i = 0; i < 8; i++) c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
  sha256_block(c, c->block);
  for (int i = 0; i < 32; i++) out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* ---- the tool ---- */

/* Hash one file; returns 0 or an errno value. */
static int digest_file(const char *path, char hex[65], unsigned long long *bytes) {
  static unsigned char buf[64 * 1024];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return errno;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return e;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
  }
  struct sha256 c;
  sha256_init(&c);
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return e;
    }
    sha256_update(&c, buf, (size_t)n);
  }
  close(fd);
  unsigned char md[32];
  *bytes = c.bytes;
  sha256_final(&c, md);
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) hex[2 * i] = digits[md[i] >> 4], hex[2 * i + 1] = digits[md[i] & 15];
  hex[64] = '\0';
  return 0;
}

int main(void) {
  static const char *const known[] = {"paths", NULL};
  const struct json *in = tool_input(known);
  const struct json *paths = json_get(in, "paths");
  if (!paths || paths->type != JSON_ARRAY || paths->len == 0 || paths->len > MAX_PATHS)
    tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"paths\" must be an array of 1 to %d strings", MAX_PATHS);
  for (const struct json *p = paths->child; p; p = p->next)
    if (p->type != JSON_STRING || p->len == 0 || strlen(p->str) != p->len)
      tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "each of \"paths\" must be a non-empty string without NUL");

  struct jw w;
  jw_init(&w, stdout);
  jw_object_begin(&w);
  jw_key(&w, "digests");
  jw_array_begin(&w);
  for (const struct json *p = paths->child; p; p = p->next) {
    char hex[65];
    unsigned long long bytes = 0;
    int err = digest_file(p->str, hex, &bytes);
    jw_object_begin(&w);
    jw_key(&w, "path");
    jw_string(&w, p->str);
    if (err == 0) {
      jw_key(&w, "sha256");
      jw_string(&w, hex);
      jw_key(&w, "bytes");
      jw_int(&w, (long long)bytes);
    } else {
      jw_key(&w, "error");
      jw_object_begin(&w);
      jw_key(&w, "code");
      jw_string(&w, tool_errno_code(err));
      jw_key(&w, "message");
      jw_string(&w, strerror(err));
      jw_object_end(&w);
    }
    jw_object_end(&w);
  }
  jw_array_end(&w);
  jw_object_end(&w);
  tool_done();
}
