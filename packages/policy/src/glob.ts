/**
 * Globs, compiled once to regular expressions.
 *
 * The policy language has exactly three wildcards (docs/policy-format.md):
 * `*` matches any run of characters within one path segment (never `/`),
 * `**` matches across segments, and `?` matches one character other than
 * `/`. Everything else is literal, including `[`, `{` and `\`. A `**`
 * written as a whole segment followed by `/` (`**` + `/`) also matches zero
 * segments, so `**` + `/.env*` matches `.env` as well as `a/b/.env.local`.
 *
 * The same matcher serves agent and tool names (`ci-*`), which have no `/`.
 */

const SPECIAL = /[.*+?^${}()|[\]\\/]/g;

function literal(s: string): string {
  return s.replace(SPECIAL, '\\$&');
}

/** The regular-expression source (anchored) equivalent to a glob. */
export function globSource(glob: string): string {
  let re = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atSegmentStart = i === 0 || glob[i - 1] === '/';
        if (atSegmentStart && glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 3;
        } else {
          re += '.*';
          i += 2;
        }
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += literal(c);
    }
    i++;
  }
  return '^' + re + '$';
}

/** True when `glob` has any wildcard (otherwise it is a plain name). */
export function isGlob(glob: string): boolean {
  return glob.includes('*') || glob.includes('?');
}

/** A predicate matching whole strings against `glob`. */
export function compileGlob(glob: string): (s: string) => boolean {
  if (!isGlob(glob)) return (s) => s === glob;
  if (glob === '*' || glob === '**') return () => true;
  const re = new RegExp(globSource(glob), 's');
  return (s) => re.test(s);
}
