/* JSON reader and writer: see json.h. */
#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 ---- */

/* Length (1-4) of the valid UTF-8 sequence at s[0..n), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp_out) {
  unsigned c = s[0], cp;
  size_t len;
  if (c < 0x80) {
    *cp_out = c;
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  /* Overlong forms, UTF-16 surrogates, and values past U+10FFFF. */
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  *cp_out = cp;
  return len;
}

static size_t utf8_encode(unsigned cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  } else if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  } else if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

size_t utf8_prefix(const char *s, size_t n, size_t max) {
  if (n <= max) return n;
  size_t cut = max;
  /* Back off over continuation bytes so we cut before a sequence starts. */
  while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--;
  return cut;
}

/* ---- reader ---- */

struct parser {
  const char *start, *p, *end;
  char *err;
  size_t err_size;
  int depth;
  int failed;
};

static void perr(struct parser *ps, const char *fmt, ...) {
  if (ps->failed) return;
  ps->failed = 1;
  char msg[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (ps->err && ps->err_size)
    snprintf(ps->err, ps->err_size, "%s at byte %zu", msg, (size_t)(ps->p - ps->start));
}

static void skip_ws(struct parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static struct json *new_node(struct parser *ps, enum json_type type) {
  struct json *v = calloc(1, sizeof *v);
  if (!v) perr(ps, "out of memory");
  else v->type = type;
  return v;
}

static int hex4(const char *s, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return 0;
  }
  *out = v;
  return 1;
}

/* Parse a string starting at the opening quote; returns a malloc'd copy. */
static char *parse_string(struct parser *ps, size_t *len_out) {
  ps->p++; /* opening quote */
  /* Find the closing quote to size the buffer: decoded text is never longer. */
  const char *q = ps->p;
  while (q < ps->end && *q != '"') q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
  if (q >= ps->end) {
    perr(ps, "unterminated string");
    return NULL;
  }
  char *buf = malloc((size_t)(q - ps->p) + 1);
  if (!buf) {
    perr(ps, "out of memory");
    return NULL;
  }
  size_t n = 0;
  while (ps->p < q) {
    unsigned char c = (unsigned char)*ps->p;
    if (c == '\\') {
      char e = ps->p[1];
      ps->p += 2;
      switch (e) {
        case '"': buf[n++] = '"'; break;
        case '\\': buf[n++] = '\\'; break;
        case '/': buf[n++] = '/'; break;
        case 'b': buf[n++] = '\b'; break;
        case 'f': buf[n++] = '\f'; break;
        case 'n': buf[n++] = '\n'; break;
        case 'r': buf[n++] = '\r'; break;
        case 't': buf[n++] = '\t'; break;
        case 'u': {
          unsigned cp;
          if (q - ps->p < 4 || !hex4(ps->p, &cp)) {
            perr(ps, "bad \\u escape");
            goto fail;
          }
          ps->p += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo;
            if (q - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u' && hex4(ps->p + 2, &lo) && lo >= 0xDC00 &&
                lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              ps->p += 6;
            } else {
              cp = 0xFFFD; /* lone high surrogate */
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD; /* lone low surrogate */
          }
          n += utf8_encode(cp, buf + n);
          break;
        }
        default:
          ps->p -= 1;
          perr(ps, "bad escape");
          goto fail;
      }
    } else if (c < 0x20) {
      perr(ps, "control character in string");
      goto fail;
    } else {
      unsigned cp;
      size_t k = utf8_seq((const unsigned char *)ps->p, (size_t)(q - ps->p), &cp);
      if (k == 0) {
        perr(ps, "invalid UTF-8");
        goto fail;
      }
      memcpy(buf + n, ps->p, k);
      n += k;
      ps->p += k;
    }
  }
  ps->p = q + 1;
  buf[n] = '\0';
  *len_out = n;
  return buf;
fail:
  free(buf);
  return NULL;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static struct json *parse_number(struct parser *ps) {
  const char *s = ps->p, *p = s;
  if (p < ps->end && *p == '-') p++;
  if (p < ps->end && *p == '0') p++;
  else if (p < ps->end && is_digit(*p)) while (p < ps->end && is_digit(*p)) p++;
  else goto bad;
  if (p < ps->end && *p == '.') {
    p++;
    if (p >= ps->end || !is_digit(*p)) goto bad;
    while (p < ps->end && is_digit(*p)) p++;
  }
  if (p < ps->end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < ps->end && (*p == '+' || *p == '-')) p++;
    if (p >= ps->end || !is_digit(*p)) goto bad;
    while (p < ps->end && is_digit(*p)) p++;
  }
  /* strtod needs a NUL-terminated copy; the input buffer may not have one. */
  size_t n = (size_t)(p - s);
  char small[64], *copy = n < sizeof small ? small : malloc(n + 1);
  if (!copy) {
    perr(ps, "out of memory");
    return NULL;
  }
  memcpy(copy, s, n);
  copy[n] = '\0';
  double d = strtod(copy, NULL);
  if (copy != small) free(copy);
  if (!isfinite(d)) {
    perr(ps, "number out of range");
    return NULL;
  }
  ps->p = p;
  struct json *v = new_node(ps, JSON_NUMBER);
  if (v) v->number = d;
  return v;
bad:
  ps->p = p;
  perr(ps, "malformed number");
  return NULL;
}

static int literal(struct parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
    ps->p += n;
    return 1;
  }
  return 0;
}

static struct json *parse_value(struct parser *ps);

static struct json *parse_container(struct parser *ps, int is_object) {
  if (++ps->depth > JSON_MAX_DEPTH) {
    perr(ps, "nesting deeper than %d", JSON_MAX_DEPTH);
    return NULL;
  }
  struct json *v = new_node(ps, is_object ? JSON_OBJECT : JSON_ARRAY);
  if (!v) return NULL;
  const char close = is_object ? '}' : ']';
  struct json **tail = &v->child;
  ps->p++; /* '{' or '[' */
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    ps->depth--;
    return v;
  }
  for (;;) {
    char *key = NULL;
    size_t key_len = 0;
    if (is_object) {
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != '"') {
        perr(ps, "expected a string key");
        goto fail;
      }
      key = parse_string(ps, &key_len);
      if (!key) goto fail;
      for (const struct json *m = v->child; m; m = m->next) {
        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
          perr(ps, "duplicate key \"%.40s\"", key);
          free(key);
          goto fail;
        }
      }
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':') {
        perr(ps, "expected ':'");
        free(key);
        goto fail;
      }
      ps->p++;
    }
    struct json *item = parse_value(ps);
    if (!item) {
      free(key);
      goto fail;
    }
    item->key = key;
    item->key_len = key_len;
    *tail = item;
    tail = &item->next;
    v->len++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    if (ps->p < ps->end && *ps->p == close) {
      ps->p++;
      break;
    }
    perr(ps, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    goto fail;
  }
  ps->depth--;
  return v;
fail:
  json_free(v);
  return NULL;
}

static struct json *parse_value(struct parser *ps) {
  skip_ws(ps);
  if (ps->p >= ps->end) {
    perr(ps, "unexpected end of input");
    return NULL;
  }
  struct json *v;
  switch (*ps->p) {
    case '{': return parse_container(ps, 1);
    case '[': return parse_container(ps, 0);
    case '"': {
      size_t len;
      char *s = parse_string(ps, &len);
      if (!s) return NULL;
      if (!(v = new_node(ps, JSON_STRING))) {
        free(s);
        return NULL;
      }
      v->str = s;
      v->len = len;
      return v;
    }
    case 't':
    case 'f': {
      int is_true = *ps->p == 't';
      if (literal(ps, is_true ? "true" : "false")) {
        if ((v = new_node(ps, JSON_BOOL))) v->boolean = is_true;
        return v;
      }
      break;
    }
    case 'n':
      if (literal(ps, "null")) return new_node(ps, JSON_NULL);
      break;
    default:
      if (*ps->p == '-' || is_digit(*ps->p)) return parse_number(ps);
  }
  perr(ps, "unexpected character");
  return NULL;
}

struct json *json_parse(const char *text, size_t len, char *err, size_t err_size) {
  struct parser ps = {text, text, text + len, err, err_size, 0, 0};
  if (err && err_size) err[0] = '\0';
  struct json *v = parse_value(&ps);
  if (!v) return NULL;
  skip_ws(&ps);
  if (ps.p != ps.end) {
    perr(&ps, "trailing characters after the JSON value");
    json_free(v);
    return NULL;
  }
  return v;
}

void json_free(struct json *v) {
  while (v) {
    struct json *next = v->next;
    json_free(v->child);
    free(v->str);
    free(v->key);
    free(v);
    v = next;
  }
}

const struct json *json_get(const struct json *obj, const char *key) {
  if (!obj || obj->type != JSON_OBJECT) return NULL;
  size_t n = strlen(key);
  for (const struct json *m = obj->child; m; m = m->next)
    if (m->key_len == n && memcmp(m->key, key, n) == 0) return m;
  return NULL;
}

/* ---- writer ---- */

void jw_init(struct jw *w, FILE *out) {
  memset(w, 0, sizeof *w);
  w->out = out;
}

/* Called before every value and key: writes the separating comma. */
static void jw_sep(struct jw *w) {
  if (w->after_key) {
    w->after_key = 0;
    return;
  }
  if (w->depth > 0) {
    if (w->count[w->depth - 1]) fputc(',', w->out);
    w->count[w->depth - 1] = 1;
  }
}

static void jw_open(struct jw *w, char c) {
  jw_sep(w);
  fputc(c, w->out);
  if (w->depth >= JW_MAX_DEPTH) abort(); /* a programming error in the tool */
  w->count[w->depth++] = 0;
}

static void jw_close(struct jw *w, char c) {
  if (w->depth > 0) w->depth--;
  fputc(c, w->out);
}

void jw_object_begin(struct jw *w) { jw_open(w, '{'); }
void jw_object_end(struct jw *w) { jw_close(w, '}'); }
void jw_array_begin(struct jw *w) { jw_open(w, '['); }
void jw_array_end(struct jw *w) { jw_close(w, ']'); }

static void jw_escaped(struct jw *w, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  fputc('"', w->out);
  while (p < end) {
    unsigned char c = *p;
    unsigned cp;
    size_t k;
    switch (c) {
      case '"': fputs("\\\"", w->out); p++; continue;
      case '\\': fputs("\\\\", w->out); p++; continue;
      case '\b': fputs("\\b", w->out); p++; continue;
      case '\f': fputs("\\f", w->out); p++; continue;
      case '\n': fputs("\\n", w->out); p++; continue;
      case '\r': fputs("\\r", w->out); p++; continue;
      case '\t': fputs("\\t", w->out); p++; continue;
      default: break;
    }
    if (c < 0x20) {
      fprintf(w->out, "\\u%04x", c);
      p++;
    } else if ((k = utf8_seq(p, (size_t)(end - p), &cp)) == 0) {
      fputs("\\ufffd", w->out); /* not UTF-8: replace the byte */
      p++;
    } else {
      fwrite(p, 1, k, w->out);
      p += k;
    }
  }
  fputc('"', w->out);
}

void jw_key(struct jw *w, const char *key) {
  jw_sep(w);
  jw_escaped(w, key, strlen(key));
  fputc(':', w->out);
  w->after_key = 1;
}

void jw_string_n(struct jw *w, const char *s, size_t n) {
  jw_sep(w);
  jw_escaped(w, s, n);
}

void jw_string(struct jw *w, const char *s) { jw_string_n(w, s, strlen(s)); }

void jw_int(struct jw *w, long long v) {
  jw_sep(w);
  fprintf(w->out, "%lld", v);
}

void jw_number(struct jw *w, double v) {
  jw_sep(w);
  if (!isfinite(v)) {
    fputs("null", w->out);
  } else if (v == floor(v) && fabs(v) < 9007199254740992.0) {
    fprintf(w->out, "%.0f", v);
  } else {
    /* The shortest of 15, 16 or 17 digits that reads back as the same double. */
    char buf[40];
    for (int digits = 15; digits <= 17; digits++) {
      snprintf(buf, sizeof buf, "%.*g", digits, v);
      if (strtod(buf, NULL) == v) break;
    }
    fputs(buf, w->out);
  }
}

void jw_bool(struct jw *w, int v) {
  jw_sep(w);
  fputs(v ? "true" : "false", w->out);
}

void jw_null(struct jw *w) {
  jw_sep(w);
  fputs("null", w->out);
}
