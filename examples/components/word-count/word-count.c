/*
 * word-count: a WASI command component (wasi:cli/run): counts the lines,
 * words and bytes of one file, like `wc`.
 *
 * input:  {"path": "/workspace/notes/todo.md"}
 * output: {"path": "...", "lines": 3, "words": 12, "bytes": 80}
 *
 * Built with clang for wasm32-wasi (preview1) and made a component with
 * jco's preview1 command adapter (examples/components/build.mjs). It reads
 * the file with plain stdio: what it may open is whatever mount the policy
 * grants, through Airlock's WASI 0.2 file system.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../tools/common/tool.h"

#define MAX_BYTES (16 * 1024 * 1024)

int main(void) {
  static const char *const known[] = {"path", NULL};
  const struct json *in = tool_input(known);
  const char *path = input_string(in, "path", 1);
  char *data;
  size_t len;
  int err = tool_read_file(path, MAX_BYTES, &data, &len);
  if (err) tool_fail_errno(path, err);

  long long lines = 0, words = 0;
  int in_word = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];
    if (c == '\n') lines++;
    if (isspace(c)) in_word = 0;
    else if (!in_word) {
      in_word = 1;
      words++;
    }
  }
  struct jw w;
  jw_init(&w, stdout);
  jw_object_begin(&w);
  jw_key(&w, "path");
  jw_string(&w, path);
  jw_key(&w, "lines");
  jw_int(&w, lines);
  jw_key(&w, "words");
  jw_int(&w, words);
  jw_key(&w, "bytes");
  jw_int(&w, (long long)len);
  jw_object_end(&w);
  fputc('\n', stdout);
  free(data);
  tool_done();
}
