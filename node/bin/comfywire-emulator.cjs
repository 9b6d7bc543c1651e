#!/usr/bin/env node
// `npx comfywire-emulator …`: the ComfyUI 0.3.64 emulator of this platform's package.
require('./run-platform-binary.cjs')('comfywire-emulator');
