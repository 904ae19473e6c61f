/*
 * grep: find lines containing a substring in a file or, recursively, in a
 * directory tree. An Airlock example tool (see docs/tool-convention.md).
 *
 * input:  {"path": "/workspace/notes", "pattern": "budget",
 *          "ignoreCase": false, "maxMatches": 100}
 * output: {"matches": [{"file": "/workspace/notes/a.md", "line": 12, "text": "..."}],
 *          "filesScanned": 3, "filesSkipped": 0, "truncated": false}
 *
 * Files are visited in sorted order, so output is deterministic. Symbolic
 * links are not followed; files that look binary (a NUL byte in the first
 * 8 KiB) or are larger than 16 MiB are skipped and counted in filesSkipped.
 * ignoreCase folds ASCII letters only. Long lines are cut to a window of
 * about 240 bytes around the match, marked with "…".
 */
#define _POSIX_C_SOURCE 200809L /* POSIX.1-2008: lstat, strdup, symlink, ... */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/tool.h"

#define MAX_FILE_BYTES (16u * 1024u * 1024u)
#define MAX_TEXT 240        /* bytes of line text in a match */
#define MAX_DEPTH 32        /* directory nesting we descend into */
#define MAX_DIR_ENTRIES 65536
#define BINARY_SNIFF 8192

struct search {
  const unsigned char *pat; /* pattern, ASCII-folded when ignoring case */
  size_t m;
  int icase;
  size_t shift[256]; /* Boyer-Moore-Horspool bad-character shifts */
  long long max_matches, matches, scanned, skipped;
  int truncated; /* found more than max_matches: stop */
  struct jw *w;
};

static unsigned char fold(unsigned char c, int icase) {
  return (icase && c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static void search_init(struct search *s, const char *pattern, int icase) {
  size_t m = strlen(pattern);
  unsigned char *p = malloc(m + 1);
  if (!p) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "cannot copy the pattern");
  for (size_t i = 0; i <= m; i++) p[i] = fold((unsigned char)pattern[i], icase);
  s->pat = p;
  s->m = m;
  s->icase = icase;
  for (size_t c = 0; c < 256; c++) s->shift[c] = m;
  for (size_t i = 0; i + 1 < m; i++) s->shift[p[i]] = m - 1 - i;
}

/* Offset of the first match in hay[from..n), or n when there is none. */
static size_t search_next(const struct search *s, const unsigned char *hay, size_t n, size_t from) {
  const size_t m = s->m;
  size_t pos = from;
  while (pos <= n && n - pos >= m) {
    unsigned char last = fold(hay[pos + m - 1], s->icase);
    if (last == s->pat[m - 1]) {
      size_t i = 0;
      while (i + 1 < m && fold(hay[pos + i], s->icase) == s->pat[i]) i++;
      if (i + 1 >= m) return pos;
    }
    pos += s->shift[last];
  }
  return n;
}

/* Write one match: the line around `pos`, cut to MAX_TEXT bytes. */
static void emit(struct search *s, const char *file, long long line, const char *ls, const char *le, const char *pos) {
  const char *start = ls;
  if ((size_t)(pos - ls) + s->m > MAX_TEXT) {
    start = pos - ls > 60 ? pos - 60 : ls;
    while (start < pos && ((unsigned char)*start & 0xC0) == 0x80) start++; /* not mid-character */
  }
  size_t keep = utf8_prefix(start, (size_t)(le - start), MAX_TEXT);
  char text[MAX_TEXT + 8];
  size_t n = 0;
  if (start > ls) {
    memcpy(text, "\xe2\x80\xa6", 3); /* "…" */
    n = 3;
  }
  memcpy(text + n, start, keep);
  n += keep;
  if (start + keep < le) {
    memcpy(text + n, "\xe2\x80\xa6", 3);
    n += 3;
  }
  jw_object_begin(s->w);
  jw_key(s->w, "file");
  jw_string(s->w, file);
  jw_key(s->w, "line");
  jw_int(s->w, line);
  jw_key(s->w, "text");
  jw_string_n(s->w, text, n);
  jw_object_end(s->w);
}

static void scan_file(struct search *s, const char *path) {
  char *data;
  size_t len;
  if (tool_read_file(path, MAX_FILE_BYTES, &data, &len) != 0) {
    s->skipped++;
    return;
  }
  if (memchr(data, '\0', len < BINARY_SNIFF ? len : BINARY_SNIFF)) {
    free(data);
    s->skipped++;
    return;
  }
  s->scanned++;
  const unsigned char *hay = (const unsigned char *)data;
  const char *end = data + len, *line_start = data;
  long long line = 1;
  size_t from = 0;
  for (;;) {
    size_t at = search_next(s, hay, len, from);
    if (at == len) break;
    if (s->matches == s->max_matches) {
      s->truncated = 1;
      break;
    }
    /* Count the lines between the previous match's line and this one. */
    const char *pos = data + at, *nl;
    while ((nl = memchr(line_start, '\n', (size_t)(pos - line_start))) != NULL) {
      line++;
      line_start = nl + 1;
    }
    const char *le = memchr(pos, '\n', (size_t)(end - pos));
    if (!le) le = end;
    const char *text_end = (le > line_start && le[-1] == '\r') ? le - 1 : le;
    emit(s, path, line, line_start, text_end, pos);
    s->matches++;
    if (le == end) break;
    line++;
    line_start = le + 1;
    from = (size_t)(line_start - data);
  }
  free(data);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char *join(const char *dir, const char *name) {
  size_t a = strlen(dir), b = strlen(name);
  int slash = a > 0 && dir[a - 1] != '/';
  char *p = malloc(a + (size_t)slash + b + 1);
  if (!p) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "cannot build a path");
  memcpy(p, dir, a);
  if (slash) p[a] = '/';
  memcpy(p + a + slash, name, b + 1);
  return p;
}

static void walk(struct search *s, const char *dir, int depth) {
  DIR *d = opendir(dir);
  if (!d) {
    s->skipped++;
    return;
  }
  char **names = NULL;
  size_t count = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (count == MAX_DIR_ENTRIES) {
      s->skipped++;
      continue;
    }
    if (count == cap) {
      size_t bigger = cap ? cap * 2 : 32;
      char **p = realloc(names, bigger * sizeof *names);
      if (!p) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "directory %s is too large", dir);
      names = p;
      cap = bigger;
    }
    if (!(names[count] = strdup(e->d_name))) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "cannot copy a name");
    count++;
  }
  closedir(d);
  if (count > 1) qsort(names, count, sizeof *names, by_name);
  for (size_t i = 0; i < count; i++) {
    if (!s->truncated) {
      char *path = join(dir, names[i]);
      struct stat st;
      if (lstat(path, &st) != 0) s->skipped++;
      else if (S_ISDIR(st.st_mode)) {
        if (depth < MAX_DEPTH) walk(s, path, depth + 1);
        else s->skipped++;
      } else if (S_ISREG(st.st_mode)) scan_file(s, path);
      else s->skipped++; /* symbolic links, devices, sockets */
      free(path);
    }
    free(names[i]);
  }
  free(names);
}

int main(void) {
  static const char *const known[] = {"path", "pattern", "ignoreCase", "maxMatches", NULL};
  const struct json *in = tool_input(known);
  const char *path = input_string(in, "path", 1);
  const char *pattern = input_string(in, "pattern", 1);
  int icase = input_bool(in, "ignoreCase", 0);
  long long max = input_int(in, "maxMatches", 100, 1, 1000);
  if (pattern[0] == '\0') tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"pattern\" must not be empty");
  if (strlen(pattern) > 1000) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"pattern\" is longer than 1000 bytes");
  if (strpbrk(pattern, "\r\n")) tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"pattern\" must be on one line");

  /* Report a bad root before any output; later problems only count as skipped. */
  struct stat st;
  if (stat(path, &st) != 0) tool_fail_errno(path, errno);
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
    tool_fail(TOOL_EXIT_FAILED, "invalid", "%s is neither a file nor a directory", path);

  struct jw w;
  jw_init(&w, stdout);
  struct search s = {0};
  search_init(&s, pattern, icase);
  s.max_matches = max;
  s.w = &w;

  jw_object_begin(&w);
  jw_key(&w, "matches");
  jw_array_begin(&w);
  if (S_ISDIR(st.st_mode)) walk(&s, path, 0);
  else scan_file(&s, path);
  jw_array_end(&w);
  jw_key(&w, "filesScanned");
  jw_int(&w, s.scanned);
  jw_key(&w, "filesSkipped");
  jw_int(&w, s.skipped);
  jw_key(&w, "truncated");
  jw_bool(&w, s.truncated);
  jw_object_end(&w);
  tool_done();
}
