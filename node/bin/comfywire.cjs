#!/usr/bin/env node
// `npx comfywire …`: the CLI of this platform's package.
require('./run-platform-binary.cjs')('comfywire');
