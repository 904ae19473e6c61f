/** @airlock/cli: the `airlock` command, callable in-process for tests. */

export { EXIT } from './exit-codes.js';
export { main } from './main.js';
