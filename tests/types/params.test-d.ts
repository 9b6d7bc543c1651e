// Param kinds and override refusals are closed unions, as the core's enums list them.
import * as cw from '../../node/types/node.js';

declare const params: cw.ParamSpec[];
declare const applied: ReturnType<typeof cw.applyOverrides>;

const combos = params.filter((p) => p.type === 'LIST');
// @ts-expect-error: the runtime says LIST, never COMBO
const legacy = params.filter((p) => p.type === 'COMBO');
const codes = applied.issues.map((i) => i.code === 'TYPE_MISMATCH');
// @ts-expect-error: the runtime says TYPE_MISMATCH, never WRONG_TYPE
const wrong = applied.issues.map((i) => i.code === 'WRONG_TYPE');

export { combos, legacy, codes, wrong };
