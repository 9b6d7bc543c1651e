/**
 * Parses JSON text, turning integers beyond Number.MAX_SAFE_INTEGER into BigInt.
 * @param {string} text
 * @returns {any}
 */
export function decode(text: string): any;
/**
 * Writes a JavaScript value as JSON text, BigInt digit for digit.
 * @param {any} value
 * @returns {string}
 */
export function encode(value: any): string;
