/*
 * Helpers shared by the Airlock example tools: read the JSON input from
 * stdin, read typed fields from it, and report errors the way the tool
 * convention (docs/tool-convention.md) asks:
 *
 *   exit 0  one JSON result on stdout
 *   exit 1  the operation failed:   {"error":{"code":"...","message":"..."}}
 *   exit 2  the input was malformed: same shape, code "invalid_json" or "bad_input"
 */
#ifndef AIRLOCK_TOOL_H
#define AIRLOCK_TOOL_H

#include <stddef.h>

#include "json.h"

#define TOOL_EXIT_FAILED 1
#define TOOL_EXIT_BAD_INPUT 2

/* Largest input read from stdin; the host caps it lower (limits.inputBytes). */
#define TOOL_MAX_INPUT (16u * 1024u * 1024u)

/*
 * Read stdin, parse it and check it is an object whose fields are all named
 * in `known` (a NULL-terminated list). Exits 2 with an error JSON otherwise.
 */
const struct json *tool_input(const char *const *known);

/* Write {"error":{"code":code,"message":...}} to stdout and exit. */
_Noreturn void tool_fail(int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fail with exit 1, a code derived from `err` and "<path>: <strerror>". */
_Noreturn void tool_fail_errno(const char *path, int err);

/* A stable, lower-case error code for an errno value ("not_found", ...). */
const char *tool_errno_code(int err);

/*
 * Typed fields. A missing optional field yields the default (or NULL); a
 * missing required field, a wrong type or an out-of-range value exits 2.
 * input_string also rejects strings with an embedded NUL, which would
 * otherwise silently shorten a path.
 */
const char *input_string(const struct json *in, const char *key, int required);
long long input_int(const struct json *in, const char *key, long long def, long long min, long long max);
int input_bool(const struct json *in, const char *key, int def);

/*
 * Read a whole regular file into a malloc'd, NUL-terminated buffer.
 * Returns 0, or an errno value (EFBIG when larger than `max` bytes,
 * EISDIR for a directory).
 */
int tool_read_file(const char *path, size_t max, char **data, size_t *len);

/* write() until done; returns 0 or an errno value. */
int tool_write_all(int fd, const void *buf, size_t len);

/* Finish a result: newline, flush stdout, exit 0 (or 1 if stdout failed). */
_Noreturn void tool_done(void);

#endif
