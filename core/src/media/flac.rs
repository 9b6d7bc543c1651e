//! FLAC: Vorbis comments in metadata block type 4 (`SaveAudio` writes `prompt=…`, `workflow=…`).
//! An ID3v2 tag in front of `fLaC` (some taggers add one) is skipped.

use super::bytes::{Cursor, invalid};
use super::{mp3, vorbis};
use crate::error::Result;

const CONTAINER: &str = "flac";
const VORBIS_COMMENT: u8 = 4;

/// Where `fLaC` starts: 0, or right after a leading ID3v2 tag.
pub(super) fn stream_start(bytes: &[u8]) -> Option<usize> {
    let start = mp3::id3v2_total_len(bytes).unwrap_or(0);
    (bytes.get(start..start + 4)? == b"fLaC").then_some(start)
}

pub(super) fn extract(bytes: &[u8]) -> Result<Vec<(String, String)>> {
    let start = stream_start(bytes).ok_or_else(|| invalid(CONTAINER, "missing fLaC marker"))?;
    let mut cur = Cursor::new(&bytes[start + 4..], CONTAINER);
    let mut out = Vec::new();
    loop {
        let header = cur.u32_be("metadata block header")?;
        let last = header & 0x8000_0000 != 0;
        let kind = ((header >> 24) & 0x7f) as u8;
        let size = (header & 0x00ff_ffff) as usize;
        let block = cur.take(size, "metadata block")?;
        if kind == VORBIS_COMMENT {
            vorbis::parse_comments(block, CONTAINER, &mut out)?;
        } else if kind == 127 {
            return Err(invalid(CONTAINER, "invalid metadata block type 127"));
        }
        if last {
            return Ok(out);
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::media::{self, MediaKind};

    fn block(kind: u8, last: bool, data: &[u8]) -> Vec<u8> {
        let mut out = vec![kind | if last { 0x80 } else { 0 }];
        out.extend_from_slice(&(data.len() as u32).to_be_bytes()[1..]);
        out.extend_from_slice(data);
        out
    }

    /// `fLaC`, STREAMINFO, a VORBIS_COMMENT block, PADDING (last), then a fake frame.
    pub(crate) fn build_flac(comments: &[(&str, &str)]) -> Vec<u8> {
        let mut out = b"fLaC".to_vec();
        out.extend(block(0, false, &[0x12; 34]));
        out.extend(block(
            4,
            false,
            &vorbis::build_comments("Lavf61.7.100", comments),
        ));
        out.extend(block(1, true, &[0; 8]));
        out.extend_from_slice(&[0xff, 0xf8, 0x69, 0x08]);
        out
    }

    #[test]
    fn reads_vorbis_comments_case_insensitively() {
        let flac = build_flac(&[
            (
                "PROMPT",
                r#"{"1": {"class_type": "SaveAudio", "inputs": {"x": -Infinity}}}"#,
            ),
            ("workflow", r#"{"nodes": []}"#),
            ("encoder", "Lavf61"),
        ]);
        assert_eq!(media::detect(&flac), Some(MediaKind::Flac));
        let meta = media::extract(&flac).unwrap();
        assert_eq!(
            meta.prompt.unwrap()["1"]["inputs"]["x"],
            serde_json::Value::Null
        );
        assert_eq!(meta.workflow.unwrap(), serde_json::json!({"nodes": []}));
        assert_eq!(meta.other, [("encoder".to_string(), "Lavf61".to_string())]);
    }

    #[test]
    fn id3_tag_before_flac_is_skipped() {
        let mut file = b"ID3\x04\x00\x00\x00\x00\x00\x0a".to_vec();
        file.extend_from_slice(&[0; 10]);
        file.extend(build_flac(&[("prompt", "{}")]));
        assert_eq!(media::detect(&file), Some(MediaKind::Flac));
        assert_eq!(
            media::extract(&file).unwrap().prompt,
            Some(serde_json::json!({}))
        );
    }

    #[test]
    fn corrupt_flac_is_a_typed_error() {
        let good = build_flac(&[("prompt", "{}")]);
        let mut bad_size = good.clone();
        bad_size[4 + 38 + 1..4 + 38 + 4].copy_from_slice(&[0xff, 0xff, 0xff]);
        let mut bad_type = good.clone();
        bad_type[4] = 127;
        for flac in [&good[..4], &good[..50], &bad_size[..], &bad_type[..]] {
            let err = media::extract(flac).unwrap_err();
            assert_eq!(err.code(), "INVALID_MEDIA", "{err}");
        }
    }
}
