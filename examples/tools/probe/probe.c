/*
 * probe: a TEST FIXTURE, not a tool to deploy. It performs exactly one
 * file-system, environment or output operation with plain POSIX calls and
 * reports what the sandbox answered, so escape tests can check that every
 * path an attacker might try is refused.
 *
 * input:  {"op": "read", "path": "/workspace/../secrets/api-keys.txt"}
 * output: {"op": "read", "ok": false, "errno": 76, "errnoName": "ENOTCAPABLE",
 *          "error": "Capabilities insufficient", "data": null}
 *
 * ops (fields used):
 *   read     path, bytes (max bytes to read, default 65536)  data = contents
 *   write    path, text   open(O_WRONLY|O_CREAT|O_TRUNC) and write
 *   create   path, text   open(O_WRONLY|O_CREAT|O_EXCL) and write
 *   truncate path, bytes  truncate() to that length
 *   mkdir    path
 *   unlink   path
 *   rename   path, to     rename path to `to`
 *   symlink  path, to     create a link at `path` whose target is `to`
 *   list     path         data = sorted entry names (no "." or ".."), one per line
 *   stat     path         data = "file", "directory", "symlink" or "other" (lstat)
 *   env      name         data = getenv(name)
 *   print    bytes, text  data = `bytes` bytes of text repeated (default "x"),
 *                         to test output limits
 * Exit status: 0 when the operation succeeded, 1 when it failed, 2 for bad input.
 * errno values are WASI's (wasi-libc uses them directly), not Linux's.
 */
#define _POSIX_C_SOURCE 200809L /* POSIX.1-2008: lstat, strdup, symlink, ... */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/tool.h"

struct result {
  const char *op;
  int ok, err;
  const char *data; /* NULL: none */
  size_t data_len;
  long long bytes; /* -1: not reported */
};

static const char *errno_name(int e) {
  switch (e) {
    case 0: return "";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case ENOTSUP: return "ENOTSUP";
    case EDQUOT: return "EDQUOT";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
    default: return "OTHER";
  }
}

static _Noreturn void report(const struct result *r) {
  struct jw w;
  jw_init(&w, stdout);
  jw_object_begin(&w);
  jw_key(&w, "op");
  jw_string(&w, r->op);
  jw_key(&w, "ok");
  jw_bool(&w, r->ok);
  jw_key(&w, "errno");
  jw_int(&w, r->err);
  jw_key(&w, "errnoName");
  jw_string(&w, errno_name(r->err));
  jw_key(&w, "error");
  if (r->ok) jw_null(&w);
  else jw_string(&w, r->err ? strerror(r->err) : "not set");
  jw_key(&w, "data");
  if (r->data) jw_string_n(&w, r->data, r->data_len);
  else jw_null(&w);
  if (r->bytes >= 0) {
    jw_key(&w, "bytes");
    jw_int(&w, r->bytes);
  }
  jw_object_end(&w);
  fputc('\n', stdout);
  fflush(stdout);
  exit(r->ok ? 0 : TOOL_EXIT_FAILED);
}

/* Mark the result as failed with the current errno. */
static void failed(struct result *r) {
  r->ok = 0;
  r->err = errno;
}

static void op_read(struct result *r, const char *path, long long max) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    failed(r);
    return;
  }
  char *buf = malloc((size_t)max + 1);
  if (!buf) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "cannot allocate %lld bytes", max);
  size_t len = 0;
  while (len < (size_t)max) {
    ssize_t n = read(fd, buf + len, (size_t)max - len);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      failed(r);
      break;
    }
    len += (size_t)n;
  }
  close(fd);
  if (!r->ok) return;
  r->data = buf;
  r->data_len = len;
  r->bytes = (long long)len;
}

static void op_write(struct result *r, const char *path, int flags, const struct json *text) {
  int fd = open(path, flags, 0644);
  if (fd < 0) {
    failed(r);
    return;
  }
  size_t n = text ? text->len : 0;
  int err = n ? tool_write_all(fd, text->str, n) : 0;
  if (close(fd) != 0 && !err) err = errno;
  if (err) {
    r->ok = 0;
    r->err = err;
    return;
  }
  r->bytes = (long long)n;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void op_list(struct result *r, const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    failed(r);
    return;
  }
  char **names = NULL;
  size_t count = 0, cap = 0, total = 0;
  struct dirent *e;
  for (;;) {
    errno = 0;
    if (!(e = readdir(d))) {
      if (errno) failed(r);
      break;
    }
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 32;
      char **bigger = realloc(names, cap * sizeof *names);
      if (!bigger) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "directory too large");
      names = bigger;
    }
    if (!(names[count] = strdup(e->d_name))) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "directory too large");
    total += strlen(e->d_name) + 1;
    count++;
  }
  closedir(d);
  if (!r->ok) return;
  if (count > 1) qsort(names, count, sizeof *names, by_name);
  char *out = malloc(total + 1), *p = out;
  if (!out) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "directory too large");
  for (size_t i = 0; i < count; i++) {
    size_t n = strlen(names[i]);
    memcpy(p, names[i], n);
    p += n;
    if (i + 1 < count) *p++ = '\n';
  }
  *p = '\0';
  r->data = out;
  r->data_len = (size_t)(p - out);
}

/* print: the JSON report itself carries `bytes` bytes of data. */
static _Noreturn void op_print(long long bytes, const char *text) {
  size_t tn = strlen(text);
  if (tn > 256) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "print \"text\" is longer than 256 bytes");
  for (const char *c = text; *c; c++)
    if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20 || (unsigned char)*c >= 0x80)
      tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "print \"text\" must be printable ASCII without quotes or backslashes");
  fputs("{\"op\":\"print\",\"ok\":true,\"errno\":0,\"errnoName\":\"\",\"error\":null,\"data\":\"", stdout);
  /* Write in chunks that each start at text[0] and hold whole copies of it. */
  char chunk[4096];
  const size_t step = sizeof chunk / tn * tn;
  for (size_t i = 0; i < step; i++) chunk[i] = text[i % tn];
  for (long long left = bytes; left > 0;) {
    size_t n = left < (long long)step ? (size_t)left : step;
    fwrite(chunk, 1, n, stdout);
    left -= (long long)n;
  }
  fprintf(stdout, "\",\"bytes\":%lld}\n", bytes);
  exit(fflush(stdout) == 0 ? 0 : TOOL_EXIT_FAILED);
}

int main(void) {
  static const char *const known[] = {"op", "path", "to", "name", "bytes", "text", NULL};
  const struct json *in = tool_input(known);
  const char *op = input_string(in, "op", 1);
  static const char *const ops[] = {"read", "write", "create", "truncate", "mkdir", "unlink", "rename",
                                    "symlink", "list", "stat", "env", "print", NULL};
  const char *const *o = ops;
  while (*o && strcmp(*o, op) != 0) o++;
  if (!*o) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "unknown op \"%.40s\"", op);
  struct result r = {op, 1, 0, NULL, 0, -1};
  const char *to = input_string(in, "to", 0);
  const char *text = input_string(in, "text", 0);
  const struct json *text_node = json_get(in, "text");

  if (strcmp(op, "env") == 0) {
    const char *name = input_string(in, "name", 1);
    const char *value = getenv(name);
    if (value) r.data = value, r.data_len = strlen(value);
    else r.ok = 0;
    report(&r);
  }
  if (strcmp(op, "print") == 0) op_print(input_int(in, "bytes", 0, 0, 1LL << 30), text && *text ? text : "x");

  const char *path = input_string(in, "path", 1);
  if (strcmp(op, "read") == 0) op_read(&r, path, input_int(in, "bytes", 65536, 0, 16LL << 20));
  else if (strcmp(op, "write") == 0) op_write(&r, path, O_WRONLY | O_CREAT | O_TRUNC, text_node);
  else if (strcmp(op, "create") == 0) op_write(&r, path, O_WRONLY | O_CREAT | O_EXCL, text_node);
  else if (strcmp(op, "truncate") == 0) {
    if (truncate(path, (off_t)input_int(in, "bytes", 0, 0, 1LL << 40)) != 0) failed(&r);
  } else if (strcmp(op, "mkdir") == 0) {
    if (mkdir(path, 0755) != 0) failed(&r);
  } else if (strcmp(op, "unlink") == 0) {
    if (unlink(path) != 0) failed(&r);
  } else if (strcmp(op, "rename") == 0 || strcmp(op, "symlink") == 0) {
    if (!to) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "op \"%s\" needs \"to\"", op);
    if ((op[0] == 'r' ? rename(path, to) : symlink(to, path)) != 0) failed(&r);
  } else if (strcmp(op, "list") == 0) {
    op_list(&r, path);
  } else if (strcmp(op, "stat") == 0) {
    struct stat st;
    if (lstat(path, &st) != 0) failed(&r);
    else {
      r.data = S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "directory" : S_ISLNK(st.st_mode) ? "symlink" : "other";
      r.data_len = strlen(r.data);
      r.bytes = (long long)st.st_size;
    }
  }
  report(&r);
}
