/*
 * csv-stats: describe a CSV file column by column. An Airlock example tool
 * (see docs/tool-convention.md).
 *
 * input:  {"path": "/workspace/data/sales.csv", "delimiter": ","}
 * output: {"header": ["date", ...], "rows": 52, "raggedRows": 0,
 *          "columns": [
 *            {"name": "units", "type": "number", "count": 52, "missing": 0,
 *             "min": 3, "max": 60, "mean": 31.2, "sum": 1622},
 *            {"name": "region", "type": "string", "count": 52, "missing": 0,
 *             "distinct": 4, "distinctCapped": false,
 *             "top": {"value": "West", "count": 15}}]}
 *
 * The first record is the header. Fields follow RFC 4180: quoted fields may
 * hold delimiters, line breaks and "" for a quote; CRLF or LF ends a record.
 * A column is "number" when every non-empty value is a decimal number, else
 * "string". Distinct values are counted exactly up to 10000 per column;
 * past that, "distinctCapped" is true and "top" covers the values seen first.
 */
#define _POSIX_C_SOURCE 200809L /* POSIX.1-2008: lstat, strdup, symlink, ... */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/tool.h"

#define MAX_FILE_BYTES (16u * 1024u * 1024u)
#define MAX_COLUMNS 256
#define MAX_DISTINCT 10000

struct field {
  char *s; /* NUL-terminated, unquoted, inside the file buffer */
  size_t n;
};

struct entry {
  const char *s;
  size_t n;
  long long count;
};

struct column {
  struct field name;
  long long count, missing;
  int numeric;             /* every non-empty value so far is a number */
  double min, max, sum, c; /* sum with Neumaier compensation c */
  struct entry *table;     /* open-addressing hash set of values */
  size_t cap, used;
  int capped;
};

/* ---- parsing ---- */

struct reader {
  char *p, *end;
  char delim;
  long long line; /* 1-based line of p, for error messages */
};

/*
 * Read one record into fields[0..max). Returns the number of fields in the
 * record (which may exceed max: the rest are dropped), or 0 at end of input.
 * Fields are unquoted in place: the decoded text never outgrows the source.
 */
static size_t read_record(struct reader *r, struct field *fields, size_t max) {
  if (r->p >= r->end) return 0;
  size_t nf = 0;
  for (;;) {
    char *start = r->p, *w = r->p;
    if (r->p < r->end && *r->p == '"') {
      long long open_line = r->line;
      r->p++;
      for (;;) {
        if (r->p >= r->end)
          tool_fail(TOOL_EXIT_FAILED, "bad_csv", "line %lld: quoted field is never closed", open_line);
        if (*r->p == '"') {
          if (r->p + 1 < r->end && r->p[1] == '"') {
            *w++ = '"';
            r->p += 2;
            continue;
          }
          r->p++;
          break;
        }
        if (*r->p == '\n') r->line++;
        *w++ = *r->p++;
      }
      if (r->p < r->end && *r->p != r->delim && *r->p != '\n' && *r->p != '\r')
        tool_fail(TOOL_EXIT_FAILED, "bad_csv", "line %lld: unexpected character after a quoted field", r->line);
    } else {
      while (r->p < r->end && *r->p != r->delim && *r->p != '\n' && *r->p != '\r') r->p++;
      w = r->p;
    }
    /* Consume the terminator, then end the field (w is always before r->p). */
    int last = 1;
    if (r->p < r->end) {
      if (*r->p == r->delim) {
        last = 0;
        r->p++;
      } else {
        if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n') r->p++;
        r->p++;
        r->line++;
      }
    }
    *w = '\0'; /* the file buffer has a NUL after its last byte */
    if (nf < max) fields[nf] = (struct field){start, (size_t)(w - start)};
    nf++;
    if (last) return nf;
  }
}

/* A decimal number: [+-] digits [. digits] [e [+-] digits], spaces around. */
static int parse_number(const char *s, double *out) {
  const char *p = s;
  while (*p == ' ') p++;
  const char *num = p;
  if (*p == '+' || *p == '-') p++;
  int digits = 0;
  while (*p >= '0' && *p <= '9') p++, digits++;
  if (*p == '.') {
    p++;
    while (*p >= '0' && *p <= '9') p++, digits++;
  }
  if (!digits) return 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (!(*p >= '0' && *p <= '9')) return 0;
    while (*p >= '0' && *p <= '9') p++;
  }
  const char *num_end = p;
  while (*p == ' ') p++;
  if (*p != '\0') return 0;
  char *end;
  double d = strtod(num, &end);
  if (end != num_end || !isfinite(d)) return 0;
  *out = d;
  return 1;
}

/* ---- statistics ---- */

static size_t hash(const char *s, size_t n) {
  size_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static void count_value(struct column *col, const char *s, size_t n) {
  if (col->used * 2 >= col->cap) {
    if (col->used >= MAX_DISTINCT) {
      /* Still count values we already track; drop new ones. */
    } else {
      size_t cap = col->cap ? col->cap * 2 : 64;
      struct entry *t = calloc(cap, sizeof *t);
      if (!t) tool_fail(TOOL_EXIT_FAILED, "out_of_memory", "too many distinct values");
      for (size_t i = 0; i < col->cap; i++) {
        if (!col->table[i].s) continue;
        size_t j = hash(col->table[i].s, col->table[i].n) & (cap - 1);
        while (t[j].s) j = (j + 1) & (cap - 1);
        t[j] = col->table[i];
      }
      free(col->table);
      col->table = t;
      col->cap = cap;
    }
  }
  size_t j = hash(s, n) & (col->cap - 1);
  while (col->table[j].s) {
    if (col->table[j].n == n && memcmp(col->table[j].s, s, n) == 0) {
      col->table[j].count++;
      return;
    }
    j = (j + 1) & (col->cap - 1);
  }
  if (col->used >= MAX_DISTINCT) {
    col->capped = 1;
    return;
  }
  col->table[j] = (struct entry){s, n, 1};
  col->used++;
}

static void add_value(struct column *col, const struct field *f) {
  if (f->n == 0) {
    col->missing++;
    return;
  }
  col->count++;
  double d;
  if (col->numeric && parse_number(f->s, &d)) {
    if (col->count == 1 || d < col->min) col->min = d;
    if (col->count == 1 || d > col->max) col->max = d;
    double t = col->sum + d; /* Neumaier summation */
    col->c += fabs(col->sum) >= fabs(d) ? (col->sum - t) + d : (d - t) + col->sum;
    col->sum = t;
  } else {
    col->numeric = 0;
  }
  count_value(col, f->s, f->n);
}

static void write_column(struct jw *w, const struct column *col) {
  jw_object_begin(w);
  jw_key(w, "name");
  jw_string_n(w, col->name.s, col->name.n);
  int numeric = col->numeric && col->count > 0;
  jw_key(w, "type");
  jw_string(w, numeric ? "number" : "string");
  jw_key(w, "count");
  jw_int(w, col->count);
  jw_key(w, "missing");
  jw_int(w, col->missing);
  if (numeric) {
    double sum = col->sum + col->c;
    jw_key(w, "min");
    jw_number(w, col->min);
    jw_key(w, "max");
    jw_number(w, col->max);
    jw_key(w, "mean");
    jw_number(w, sum / (double)col->count);
    jw_key(w, "sum");
    jw_number(w, sum);
  } else {
    const struct entry *top = NULL;
    for (size_t i = 0; i < col->cap; i++) {
      const struct entry *e = &col->table[i];
      if (!e->s) continue;
      /* Highest count; ties go to the smaller value, so output is stable. */
      if (!top || e->count > top->count ||
          (e->count == top->count && strcmp(e->s, top->s) < 0))
        top = e;
    }
    jw_key(w, "distinct");
    jw_int(w, (long long)col->used);
    jw_key(w, "distinctCapped");
    jw_bool(w, col->capped);
    jw_key(w, "top");
    if (top) {
      jw_object_begin(w);
      jw_key(w, "value");
      jw_string_n(w, top->s, top->n);
      jw_key(w, "count");
      jw_int(w, top->count);
      jw_object_end(w);
    } else {
      jw_null(w);
    }
  }
  jw_object_end(w);
}

int main(void) {
  static const char *const known[] = {"path", "delimiter", NULL};
  const struct json *in = tool_input(known);
  const char *path = input_string(in, "path", 1);
  const char *delim = input_string(in, "delimiter", 0);
  if (!delim) delim = ",";
  if (strlen(delim) != 1 || strchr("\"\r\n", delim[0]))
    tool_fail(TOOL_EXIT_BAD_INPUT, "bad_input", "\"delimiter\" must be one character other than a quote or line break");

  char *data;
  size_t len;
  int err = tool_read_file(path, MAX_FILE_BYTES, &data, &len);
  if (err) tool_fail_errno(path, err);
  struct reader r = {data, data + len, delim[0], 1};
  if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) r.p += 3; /* UTF-8 byte order mark */

  static struct field fields[MAX_COLUMNS];
  static struct column cols[MAX_COLUMNS];
  size_t ncols = read_record(&r, fields, MAX_COLUMNS);
  if (ncols == 0) tool_fail(TOOL_EXIT_FAILED, "bad_csv", "%s is empty: expected a header row", path);
  if (ncols > MAX_COLUMNS) tool_fail(TOOL_EXIT_FAILED, "bad_csv", "more than %d columns", MAX_COLUMNS);
  for (size_t i = 0; i < ncols; i++) cols[i] = (struct column){.name = fields[i], .numeric = 1};

  long long rows = 0, ragged = 0;
  size_t nf;
  while ((nf = read_record(&r, fields, MAX_COLUMNS)) != 0) {
    if (nf == 1 && fields[0].n == 0) continue; /* blank line */
    rows++;
    if (nf != ncols) ragged++;
    for (size_t i = 0; i < ncols; i++) {
      if (i < nf) add_value(&cols[i], &fields[i]);
      else cols[i].missing++;
    }
  }

  struct jw w;
  jw_init(&w, stdout);
  jw_object_begin(&w);
  jw_key(&w, "header");
  jw_array_begin(&w);
  for (size_t i = 0; i < ncols; i++) jw_string_n(&w, cols[i].name.s, cols[i].name.n);
  jw_array_end(&w);
  jw_key(&w, "rows");
  jw_int(&w, rows);
  jw_key(&w, "raggedRows");
  jw_int(&w, ragged);
  jw_key(&w, "columns");
  jw_array_begin(&w);
  for (size_t i = 0; i < ncols; i++) write_column(&w, &cols[i]);
  jw_array_end(&w);
  jw_object_end(&w);
  tool_done();
}
