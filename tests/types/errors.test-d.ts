// Type tests, checked by `tsc -p tests/types` (scripts/test.sh): each `@ts-expect-error` must
// hold, or tsc reports the directive as unused and the run fails.
import { ComfyError, ERROR_CODES, type ErrorCode } from '../../node/types/node.js';

declare const err: ComfyError;

// The code is a closed union, generated from the core's list.
const code: ErrorCode = err.code;
const rejected: boolean = err.code === 'PROMPT_REJECTED';
// @ts-expect-error: not a code any build can produce
const invented: boolean = err.code === 'JOB_FAILED';
// @ts-expect-error: codes are upper case, exactly as listed
new ComfyError('prompt_rejected', 'x');

// The README's example reads these without a cast.
const status: number | undefined = err.status;
const nodeErrors: Record<string, any> | undefined = err.nodeErrors;
const issues: unknown[] | undefined = err.issues;
const promptId: string | undefined = err.promptId;
const okOfResult: boolean | undefined = err.result?.ok;

const listed: readonly ErrorCode[] = ERROR_CODES;
// @ts-expect-error: the runtime list is read-only
ERROR_CODES.push('NETWORK');

export { code, rejected, invented, status, nodeErrors, issues, promptId, okOfResult, listed };
