/*
 * A small JSON reader and writer for Airlock example tools.
 *
 * Reader: json_parse() builds a tree of `struct json` nodes. It accepts
 * RFC 8259 JSON (any value at the top level), validates UTF-8, decodes
 * escapes including \uXXXX surrogate pairs, caps nesting depth, and rejects
 * duplicate object keys (so a tool never reads a different "path" than the
 * policy checked). Strings are NUL-terminated copies and also carry their
 * length, since \u0000 may appear inside.
 *
 * Writer: `struct jw` emits JSON to a FILE*, inserting commas itself and
 * escaping strings. Bytes that are not valid UTF-8 are written as U+FFFD,
 * so the output is always valid JSON even for binary file contents.
 */
#ifndef AIRLOCK_JSON_H
#define AIRLOCK_JSON_H

#include <stddef.h>
#include <stdio.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
  enum json_type type;
  int boolean;          /* JSON_BOOL */
  double number;        /* JSON_NUMBER */
  char *str;            /* JSON_STRING: NUL-terminated */
  size_t len;           /* JSON_STRING: length in bytes; ARRAY/OBJECT: child count */
  struct json *child;   /* ARRAY/OBJECT: first element or member */
  struct json *next;    /* next sibling inside the parent */
  char *key;            /* set when this node is an object member */
  size_t key_len;
};

#define JSON_MAX_DEPTH 64

/* Parse `len` bytes. On error returns NULL and writes a message to err. */
struct json *json_parse(const char *text, size_t len, char *err, size_t err_size);
void json_free(struct json *v);

/* The member `key` of an object, or NULL (also when `obj` is not an object). */
const struct json *json_get(const struct json *obj, const char *key);

/* ---- writer ---- */

#define JW_MAX_DEPTH 32

struct jw {
  FILE *out;
  int depth;
  int after_key;                  /* a key was written; the next value follows ':' */
  unsigned char count[JW_MAX_DEPTH]; /* nonzero once a level has an item */
};

void jw_init(struct jw *w, FILE *out);
void jw_object_begin(struct jw *w);
void jw_object_end(struct jw *w);
void jw_array_begin(struct jw *w);
void jw_array_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_string(struct jw *w, const char *s);
void jw_string_n(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, long long v);
void jw_number(struct jw *w, double v); /* NaN and infinities are written as null */
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);

/*
 * Length of the longest prefix of s[0..n) that is at most `max` bytes and
 * does not end inside a UTF-8 sequence (for truncating text in output).
 */
size_t utf8_prefix(const char *s, size_t n, size_t max);

#endif
