//! The Vorbis comment list shared by FLAC (metadata block type 4), Ogg Vorbis (`\x03vorbis`) and
//! Ogg Opus (`OpusTags`): little-endian lengths, a vendor string, then `KEY=value` UTF-8 comments.

use super::bytes::{Cursor, len, utf8_lossy};
use crate::error::Result;

/// Reads a comment list from `data` (starting at the vendor length); trailing bytes (Vorbis'
/// framing bit, Opus padding) are ignored. Comments without `=` are skipped.
pub(super) fn parse_comments(
    data: &[u8],
    container: &'static str,
    out: &mut Vec<(String, String)>,
) -> Result<()> {
    let mut cur = Cursor::new(data, container);
    let vendor_len = len(cur.u32_le("vendor length")?);
    cur.skip(vendor_len, "vendor string")?;
    let count = cur.u32_le("comment count")?;
    // No allocation from `count`: each comment is read (and bounds-checked) before it is stored.
    for _ in 0..count {
        let comment_len = len(cur.u32_le("comment length")?);
        let comment = cur.take(comment_len, "comment")?;
        if let Some(eq) = comment.iter().position(|&b| b == b'=') {
            out.push((utf8_lossy(&comment[..eq]), utf8_lossy(&comment[eq + 1..])));
        }
    }
    Ok(())
}

/// Builds a comment list (for tests of every container that embeds one).
#[cfg(test)]
pub(super) fn build_comments(vendor: &str, comments: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    out.extend_from_slice(vendor.as_bytes());
    out.extend_from_slice(&(comments.len() as u32).to_le_bytes());
    for (key, value) in comments {
        let comment = format!("{key}={value}");
        out.extend_from_slice(&(comment.len() as u32).to_le_bytes());
        out.extend_from_slice(comment.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_key_value_comments() {
        let data = build_comments("Lavf61", &[("prompt", "{\"a\":1}"), ("k", "x=y")]);
        let mut out = Vec::new();
        parse_comments(&data, "flac", &mut out).unwrap();
        assert_eq!(
            out,
            vec![
                ("prompt".to_string(), "{\"a\":1}".to_string()),
                ("k".to_string(), "x=y".to_string())
            ]
        );
    }

    #[test]
    fn huge_counts_and_lengths_fail_cleanly() {
        let mut data = build_comments("v", &[]);
        let n = data.len();
        data[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        let err = parse_comments(&data, "flac", &mut Vec::new()).unwrap_err();
        assert_eq!(err.code(), "INVALID_MEDIA");
        let err = parse_comments(&u32::MAX.to_le_bytes(), "ogg", &mut Vec::new()).unwrap_err();
        assert_eq!(err.code(), "INVALID_MEDIA");
    }
}
