// A stand-in for the comfywire module, used only by the harness self-test
// (HARNESS_API=selftest in Node, ?api=selftest in the browser page; see index.mjs / browser.mjs).
export const runtime = 'selftest';
export const isHarnessSelftestStub = true;
export async function init() {}
export function echo(x) {
  return x;
}
