/**
 * The error names of X's API answers that mean a server-side failure. Shared by the page hook,
 * which names them in `x:` codes, and the background, which lets no other `x:` word leave: a
 * word the page put there could be anything, a handle included.
 */
export const X_SERVER_ERROR_NAMES: ReadonlySet<string> = new Set([
  'DeadlineExceeded',
  'LoadShed',
  'ServiceUnavailable',
  'InternalServerError',
  'InternalError',
  'Timeout',
  'TimeoutError',
  'OverCapacity',
]);
