/* Tool helpers: see tool.h. */
#define _POSIX_C_SOURCE 200809L /* POSIX.1-2008: lstat, strdup, symlink, ... */

#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char out_buf[64 * 1024];

_Noreturn void tool_fail(int status, const char *code, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  struct jw w;
  jw_init(&w, stdout);
  jw_object_begin(&w);
  jw_key(&w, "error");
  jw_object_begin(&w);
  jw_key(&w, "code");
  jw_string(&w, code);
  jw_key(&w, "message");
  jw_string(&w, msg);
  jw_object_end(&w);
  jw_object_end(&w);
  fputc('\n', stdout);
  fflush(stdout);
  exit(status);
}

const char *tool_errno_code(int err) {
  switch (err) {
    case ENOENT: return "not_found";
    case ENOTDIR: return "not_a_directory";
    case EISDIR: return "is_a_directory";
    case EACCES:
    case EPERM:
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: /* WASI: the path is outside every preopened mount */
#endif
      return "access_denied";
    case EROFS: return "read_only";
    case EEXIST: return "exists";
    case EFBIG: return "too_large";
    case ENOSPC:
    case EDQUOT: return "no_space";
    case ENAMETOOLONG: return "name_too_long";
    case ELOOP: return "too_many_links";
    case EINVAL: return "invalid";
    default: return "io_error";
  }
}

_Noreturn void tool_fail_errno(const char *path, int err) {
  tool_fail(TOOL_EXIT_FAILED, tool_errno_code(err), "%s: %s", path, strerror(err));
}

const struct json *tool_input(const char *const *known) {
  setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  if (!buf) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "cannot allocate the input buffer");
  for (;;) {
    if (len == cap) {
      if (cap >= TOOL_MAX_INPUT)
        tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "input larger than %u bytes", TOOL_MAX_INPUT);
      char *bigger = realloc(buf, cap * 2);
      if (!bigger) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "cannot grow the input buffer");
      buf = bigger;
      cap *= 2;
    }
    ssize_t n = read(STDIN_FILENO, buf + len, cap - len);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      tool_fail(TOOL_EXIT_FAILED, "io_error", "reading stdin: %s", strerror(errno));
    }
    len += (size_t)n;
  }
  char err[160];
  struct json *in = json_parse(buf, len, err, sizeof err);
  free(buf);
  if (!in) tool_fail(TOOL_EXIT_BAD_INPUT, "invalid_json", "input is not valid JSON: %s", err);
  if (in->type != JSON_OBJECT) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "input must be a JSON object");
  for (const struct json *m = in->child; m; m = m->next) {
    const char *const *k = known;
    while (*k && !(strlen(*k) == m->key_len && memcmp(*k, m->key, m->key_len) == 0)) k++;
    if (!*k) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "unknown field \"%.60s\"", m->key);
  }
  return in;
}

const char *input_string(const struct json *in, const char *key, int required) {
  const struct json *v = json_get(in, key);
  if (!v) {
    if (required) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"%s\" is required", key);
    return NULL;
  }
  if (v->type != JSON_STRING) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"%s\" must be a string", key);
  if (strlen(v->str) != v->len) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"%s\" must not contain NUL", key);
  return v->str;
}

long long input_int(const struct json *in, const char *key, long long def, long long min, long long max) {
  const struct json *v = json_get(in, key);
  if (!v) return def;
  /* Range-check as a double first: converting an out-of-range double is UB. */
  if (v->type != JSON_NUMBER || v->number < (double)min || v->number > (double)max || v->number != floor(v->number))
    tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"%s\" must be an integer from %lld to %lld", key, min, max);
  return (long long)v->number;
}

int input_bool(const struct json *in, const char *key, int def) {
  const struct json *v = json_get(in, key);
  if (!v) return def;
  if (v->type != JSON_BOOL) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"%s\" must be true or false", key);
  return v->boolean;
}

int tool_read_file(const char *path, size_t max, char **data, size_t *len_out) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return errno;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return e;
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return EISDIR;
  }
  if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
    close(fd);
    return EFBIG;
  }
  size_t cap = (size_t)st.st_size + 1, len = 0;
  char *buf = malloc(cap);
  int err = 0;
  if (!buf) {
    close(fd);
    return ENOMEM;
  }
  for (;;) {
    if (len + 1 == cap) {
      /* Full (the file grew since fstat, or st_size was 0): probe for EOF. */
      char extra;
      ssize_t n = read(fd, &extra, 1);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        err = errno;
        break;
      }
      if (len >= max) {
        err = EFBIG;
        break;
      }
      size_t bigger = cap < 4096 ? 4096 : cap * 2;
      if (bigger > max + 1) bigger = max + 1;
      char *p = realloc(buf, bigger);
      if (!p) {
        err = ENOMEM;
        break;
      }
      buf = p;
      cap = bigger;
      buf[len++] = extra;
      continue;
    }
    ssize_t n = read(fd, buf + len, cap - 1 - len);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    len += (size_t)n;
  }
  if (err) {
    free(buf);
    close(fd);
    return err;
  }
  close(fd);
  buf[len] = '\0';
  *data = buf;
  *len_out = len;
  return 0;
}

int tool_write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

_Noreturn void tool_done(void) {
  fputc('\n', stdout);
  if (fflush(stdout) != 0 || ferror(stdout)) exit(TOOL_EXIT_FAILED);
  exit(0);
}
