// Runs one of the binaries that this platform's package (comfywire-<platform>, an optional
// dependency) carries in bin/, with the same arguments, streams and exit status: the CLI
// (`npx comfywire`) or the bundled emulator (`npx comfywire-emulator`). They sit side by side,
// so `comfywire run` finds the emulator when no server is given.
'use strict';

const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { constants } = require('node:os');

/** The platform package's name, as napi-rs names them. */
function platformPackage() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    return `comfywire-linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `comfywire-win32-${arch}-msvc`;
  return `comfywire-${platform}-${arch}`;
}

function locate(pkg, exe) {
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', exe);
  } catch {
    return undefined;
  }
}

module.exports = function runPlatformBinary(name) {
  const pkg = platformPackage();
  const exe = `${name}${process.platform === 'win32' ? '.exe' : ''}`;
  const binary = locate(pkg, exe);
  if (!binary || !existsSync(binary)) {
    const why = binary ? `${pkg} has no bin/${exe}` : `the optional package ${pkg} is not installed`;
    process.stderr.write(
      `${name}: no binary for ${process.platform}-${process.arch}: ${why}.\n` +
        `  The JavaScript API works without it (import 'comfywire'). For the CLI, install ${pkg}\n` +
        `  where it is published, or build it: cargo install --git https://github.com/comfywire/comfywire comfywire-cli\n`,
    );
    process.exit(2);
  }
  const run = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
  if (run.error) {
    process.stderr.write(`${name}: cannot run ${binary}: ${run.error.message}\n`);
    process.exit(2);
  }
  process.exit(run.status ?? 128 + (constants.signals[run.signal] ?? 1));
};
