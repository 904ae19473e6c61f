/*
 * write-note: write a text file, replacing it if it exists. An Airlock
 * example tool for a read-write mount (see docs/tool-convention.md).
 *
 * input:  {"path": "/reports/summary.md", "text": "# Summary\n..."}
 * output: {"written": 1234}
 *
 * The parent directory must exist. On a read-only mount the host refuses
 * the open, and the tool fails with code "access_denied" or "read_only".
 */
#define _POSIX_C_SOURCE 200809L /* POSIX.1-2008: lstat, strdup, symlink, ... */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "../common/tool.h"

int main(void) {
  static const char *const known[] = {"path", "text", NULL};
  const struct json *in = tool_input(known);
  const char *path = input_string(in, "path", 1);
  const struct json *text = json_get(in, "text");
  if (!text || text->type != JSON_STRING) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"text\" must be a string");

  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) tool_fail_errno(path, errno);
  int err = tool_write_all(fd, text->str, text->len);
  if (close(fd) != 0 && !err) err = errno;
  if (err) tool_fail_errno(path, err);

  struct jw w;
  jw_init(&w, stdout);
  jw_object_begin(&w);
  jw_key(&w, "written");
  jw_int(&w, (long long)text->len);
  jw_object_end(&w);
  tool_done();
}
