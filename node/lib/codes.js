// Generated from the core's ERROR_CODES by tests/error_codes.rs: do not edit.

/**
 * Every code `err.code` can hold, in Node and in the browser.
 * @typedef {(
 *   | 'JSON_SYNTAX'
 *   | 'INVALID_WORKFLOW'
 *   | 'INVALID_CATALOG'
 *   | 'UNKNOWN_FORMAT'
 *   | 'CONVERSION_FAILED'
 *   | 'INVALID_SELECTOR'
 *   | 'NOT_FOUND'
 *   | 'AMBIGUOUS_SELECTOR'
 *   | 'INVALID_URL'
 *   | 'HTTP_STATUS'
 *   | 'PROMPT_REJECTED'
 *   | 'BAD_RESPONSE'
 *   | 'NETWORK'
 *   | 'INVALID_ARGUMENT'
 *   | 'INTERNAL'
 *   | 'TOO_LARGE'
 *   | 'UNSUPPORTED_MEDIA'
 *   | 'INVALID_MEDIA'
 *   | 'NO_EMBEDDED_WORKFLOW'
 *   | 'CLIENT_CLOSED'
 *   | 'NO_SERVER'
 *   | 'OVERRIDES_REFUSED'
 *   | 'ABORTED'
 *   | 'NOT_INITIALIZED'
 *   | 'EXECUTION_ERROR'
 *   | 'INTERRUPTED'
 *   | 'CANCELLED'
 *   | 'JOB_LOST'
 *   | 'TIMEOUT'
 * )} ErrorCode
 */

/** @type {readonly ErrorCode[]} */
export const ERROR_CODES = Object.freeze([
  'JSON_SYNTAX',
  'INVALID_WORKFLOW',
  'INVALID_CATALOG',
  'UNKNOWN_FORMAT',
  'CONVERSION_FAILED',
  'INVALID_SELECTOR',
  'NOT_FOUND',
  'AMBIGUOUS_SELECTOR',
  'INVALID_URL',
  'HTTP_STATUS',
  'PROMPT_REJECTED',
  'BAD_RESPONSE',
  'NETWORK',
  'INVALID_ARGUMENT',
  'INTERNAL',
  'TOO_LARGE',
  'UNSUPPORTED_MEDIA',
  'INVALID_MEDIA',
  'NO_EMBEDDED_WORKFLOW',
  'CLIENT_CLOSED',
  'NO_SERVER',
  'OVERRIDES_REFUSED',
  'ABORTED',
  'NOT_INITIALIZED',
  'EXECUTION_ERROR',
  'INTERRUPTED',
  'CANCELLED',
  'JOB_LOST',
  'TIMEOUT',
]);
