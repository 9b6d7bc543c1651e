//! A bounds-checked cursor over untrusted bytes, and the text decodings the containers use.
//!
//! Every read checks the requested length against what is left, so a hostile length field becomes
//! an [`Error::InvalidMedia`] instead of a panic or a huge allocation.

use crate::error::{Error, Result};

/// Builds the error every container reports for broken structure.
pub(super) fn invalid(container: &str, message: impl Into<String>) -> Error {
    Error::InvalidMedia {
        container: container.to_string(),
        message: message.into(),
    }
}

/// Reads forward through a byte slice; every read is checked against the remaining length.
#[derive(Debug, Clone)]
pub(super) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    container: &'static str,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(data: &'a [u8], container: &'static str) -> Self {
        Cursor {
            data,
            pos: 0,
            container,
        }
    }

    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    pub(super) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(super) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub(super) fn rest(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    pub(super) fn error(&self, message: impl Into<String>) -> Error {
        invalid(self.container, message)
    }

    /// Takes `len` bytes (a length read from the file) or fails without moving.
    pub(super) fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8]> {
        if len > self.remaining() {
            return Err(self.error(format!(
                "truncated {what}: {len} bytes declared at offset {}, {} left",
                self.pos,
                self.remaining()
            )));
        }
        let out = &self.data[self.pos..self.pos + len];
        self.pos += len;
        Ok(out)
    }

    pub(super) fn skip(&mut self, len: usize, what: &str) -> Result<()> {
        self.take(len, what).map(|_| ())
    }

    pub(super) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let bytes = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub(super) fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(super) fn u32_be(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    pub(super) fn u32_le(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// Takes bytes up to (not including) the next NUL and skips the NUL; `None` if there is none.
    pub(super) fn take_until_nul(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest();
        let end = rest.iter().position(|&b| b == 0)?;
        self.pos += end + 1;
        Some(&rest[..end])
    }
}

/// Converts a length read from a file to `usize` (lossless on 32- and 64-bit targets).
pub(super) fn len(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Splits `bytes` at its first NUL: `(before, after)`, or `None` without a NUL.
pub(super) fn split_nul(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = bytes.iter().position(|&b| b == 0)?;
    Some((&bytes[..at], &bytes[at + 1..]))
}

/// ISO-8859-1: every byte is the code point of the same value.
pub(super) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// UTF-8 when the bytes are valid UTF-8 (what writers actually put in "Latin-1" fields and what the
/// editor decodes them as), else ISO-8859-1.
pub(super) fn utf8_or_latin1(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => latin1(bytes),
    }
}

/// UTF-8, with invalid sequences replaced by U+FFFD.
pub(super) fn utf8_lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A budget for decompressed bytes, shared by every compressed field of one file, so that many small
/// "zip bombs" cannot add up to more than one allowed output.
#[derive(Debug)]
pub(super) struct InflateBudget {
    left: usize,
}

impl InflateBudget {
    pub(super) fn new(limit: usize) -> Self {
        InflateBudget { left: limit }
    }

    /// Inflates a zlib stream, failing if it is corrupt or would exceed what is left of the budget.
    pub(super) fn inflate_zlib(
        &mut self,
        data: &[u8],
        container: &str,
        what: &str,
    ) -> Result<Vec<u8>> {
        match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, self.left) {
            Ok(out) => {
                self.left -= out.len();
                Ok(out)
            }
            Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => Err(invalid(
                container,
                format!(
                    "{what}: decompressed text exceeds the {} MiB limit",
                    super::MAX_INFLATED_BYTES >> 20
                ),
            )),
            Err(e) => Err(invalid(
                container,
                format!("{what}: corrupt zlib data ({:?})", e.status),
            )),
        }
    }
}
