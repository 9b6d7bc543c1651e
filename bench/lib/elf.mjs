// Whether a native library carries DWARF debug info (a debug build of the addon, typically):
// reads only the ELF section headers.

import { closeSync, openSync, readSync } from 'node:fs';

export function hasDebugInfo(file) {
  let fd;
  try {
    fd = openSync(file, 'r');
    const read = (offset, length) => {
      const b = Buffer.alloc(length);
      readSync(fd, b, 0, length, offset);
      return b;
    };
    const h = read(0, 64);
    if (h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2 || h[5] !== 1) return undefined; // ELF64 little-endian only
    const shoff = Number(h.readBigUInt64LE(0x28));
    const shentsize = h.readUInt16LE(0x3a);
    const shnum = h.readUInt16LE(0x3c);
    const shstrndx = h.readUInt16LE(0x3e);
    const table = read(shoff, shentsize * shnum);
    const strs = table.subarray(shstrndx * shentsize);
    const names = read(Number(strs.readBigUInt64LE(0x18)), Number(strs.readBigUInt64LE(0x20)));
    for (let k = 0; k < shnum; k++) {
      const nameAt = table.readUInt32LE(k * shentsize);
      const end = names.indexOf(0, nameAt);
      if (names.toString('latin1', nameAt, end) === '.debug_info') return true;
    }
    return false;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
