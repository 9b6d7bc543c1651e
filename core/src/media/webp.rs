//! WebP: the RIFF `EXIF` chunk. `SaveAnimatedWEBP` stores `"prompt:" + json` in tag 0x0110 (Model)
//! and `"<key>:" + json` for each `extra_pnginfo` key in 0x010F (Make), 0x010E, … of IFD0. Like the
//! editor, the first `EXIF` chunk is read, an `Exif\0\0` prefix is skipped, and every ASCII string
//! is split at its first `:` into key and value.

use super::bytes::{Cursor, invalid, len, utf8_lossy};
use crate::error::Result;

const CONTAINER: &str = "webp";
/// IFDs followed through the "next IFD" links (IFD0 is the one writers use).
const MAX_IFDS: usize = 8;
const TIFF_ASCII: u16 = 2;

pub(super) fn is_webp(bytes: &[u8]) -> bool {
    bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP"
}

pub(super) fn extract(bytes: &[u8]) -> Result<Vec<(String, String)>> {
    let mut cur = Cursor::new(bytes, CONTAINER);
    cur.skip(12, "RIFF header")?;
    let mut out = Vec::new();
    while !cur.is_empty() {
        let fourcc: [u8; 4] = cur.array("chunk header")?;
        let size = len(cur.u32_le("chunk size")?);
        let name = String::from_utf8_lossy(&fourcc).into_owned();
        let data = cur.take(size, &format!("{name} chunk"))?;
        if &fourcc == b"EXIF" {
            let tiff = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
            parse_tiff(tiff, &mut out)?;
            break;
        }
        // RIFF pads odd-sized chunks with one byte (tolerate a missing pad at the very end).
        if size % 2 == 1 && !cur.is_empty() {
            cur.skip(1, "chunk padding")?;
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
struct Tiff<'a> {
    data: &'a [u8],
    little: bool,
}

impl Tiff<'_> {
    fn at<const N: usize>(&self, offset: usize, what: &str) -> Result<[u8; N]> {
        let mut cur = Cursor::new(self.data, CONTAINER);
        cur.skip(offset, what)?;
        cur.array(what)
    }

    fn u16(&self, offset: usize, what: &str) -> Result<u16> {
        let b = self.at(offset, what)?;
        Ok(if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32(&self, offset: usize, what: &str) -> Result<u32> {
        let b = self.at(offset, what)?;
        Ok(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }
}

/// Reads the ASCII strings of IFD0 (and the IFDs chained after it) from a TIFF structure.
fn parse_tiff(data: &[u8], out: &mut Vec<(String, String)>) -> Result<()> {
    let little = match data.get(..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => {
            return Err(invalid(
                CONTAINER,
                "EXIF data without a TIFF byte-order mark",
            ));
        }
    };
    let tiff = Tiff { data, little };
    if tiff.u16(2, "TIFF header")? != 42 {
        return Err(invalid(CONTAINER, "EXIF data with a bad TIFF magic number"));
    }
    let mut offset = len(tiff.u32(4, "TIFF header")?);
    let mut seen = Vec::new();
    while offset != 0 && seen.len() < MAX_IFDS && !seen.contains(&offset) {
        seen.push(offset);
        let count = usize::from(tiff.u16(offset, "IFD entry count")?);
        let entries = offset + 2;
        // All entries and the next-IFD link must fit before anything is read.
        if entries + count * 12 + 4 > data.len() {
            return Err(invalid(
                CONTAINER,
                format!("truncated IFD at offset {offset}: {count} entries declared"),
            ));
        }
        for i in 0..count {
            let entry = entries + i * 12;
            if tiff.u16(entry + 2, "IFD entry")? != TIFF_ASCII {
                continue;
            }
            let count = len(tiff.u32(entry + 4, "IFD entry")?);
            let bytes = if count <= 4 {
                &data[entry + 8..entry + 8 + count]
            } else {
                let at = len(tiff.u32(entry + 8, "IFD entry")?);
                data.get(at..)
                    .and_then(|rest| rest.get(..count))
                    .ok_or_else(|| {
                        invalid(
                            CONTAINER,
                            format!(
                                "EXIF string of {count} bytes at offset {at} runs past the end"
                            ),
                        )
                    })?
            };
            // ASCII values end with NUL (the count includes it).
            let bytes = bytes.split(|&b| b == 0).next().unwrap_or_default();
            if let Some(colon) = bytes.iter().position(|&b| b == b':') {
                out.push((utf8_lossy(&bytes[..colon]), utf8_lossy(&bytes[colon + 1..])));
            }
        }
        offset = len(tiff.u32(entries + count * 12, "next IFD offset")?);
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::media::{self, MediaKind};

    /// A TIFF structure with one IFD of ASCII entries `(tag, text)`, strings stored after the IFD.
    pub(crate) fn build_tiff(little: bool, entries: &[(u16, &str)]) -> Vec<u8> {
        let u16b = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let u32b = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let mut out = if little {
            b"II".to_vec()
        } else {
            b"MM".to_vec()
        };
        out.extend(u16b(42));
        out.extend(u32b(8));
        out.extend(u16b(entries.len() as u16));
        let mut heap_at = 8 + 2 + entries.len() * 12 + 4;
        let mut heap = Vec::new();
        for (tag, text) in entries {
            let mut value = text.as_bytes().to_vec();
            value.push(0);
            out.extend(u16b(*tag));
            out.extend(u16b(TIFF_ASCII));
            out.extend(u32b(value.len() as u32));
            if value.len() <= 4 {
                value.resize(4, 0);
                out.extend(value);
            } else {
                out.extend(u32b(heap_at as u32));
                heap_at += value.len();
                heap.extend(value);
            }
        }
        out.extend(u32b(0));
        out.extend(heap);
        out
    }

    /// A WebP RIFF file with a VP8L-ish first chunk and an `EXIF` chunk.
    pub(crate) fn build_webp(exif: &[u8]) -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        body.extend_from_slice(b"VP8L");
        body.extend_from_slice(&5u32.to_le_bytes());
        body.extend_from_slice(&[0x2f, 0, 0, 0, 0, 0]); // 5 bytes + pad
        body.extend_from_slice(b"EXIF");
        body.extend_from_slice(&(exif.len() as u32).to_le_bytes());
        body.extend_from_slice(exif);
        if exif.len() % 2 == 1 {
            body.push(0);
        }
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    const PROMPT: &str =
        r#"{"9": {"class_type": "SaveAnimatedWEBP", "inputs": {"fps": Infinity}}}"#;
    const WORKFLOW: &str = r#"{"nodes": [], "links": []}"#;

    #[test]
    fn reads_comfy_exif_both_byte_orders() {
        for little in [true, false] {
            for prefix in [&b""[..], b"Exif\0\0"] {
                let mut exif = prefix.to_vec();
                exif.extend(build_tiff(
                    little,
                    &[
                        (0x010e, "extra:{\"a\": [1, 2]}"),
                        (0x010f, &format!("workflow:{WORKFLOW}")),
                        (0x0110, &format!("prompt:{PROMPT}")),
                        (0x0131, "abc"), // no colon: ignored
                        (0x0132, "a:b"), // inline (4 bytes with NUL)
                    ],
                ));
                let webp = build_webp(&exif);
                assert_eq!(media::detect(&webp), Some(MediaKind::Webp));
                let meta = media::extract(&webp).unwrap();
                assert_eq!(
                    meta.prompt.unwrap()["9"]["inputs"]["fps"],
                    serde_json::Value::Null
                );
                assert_eq!(meta.workflow.unwrap()["links"], serde_json::json!([]));
                assert_eq!(
                    meta.other,
                    [
                        ("extra".to_string(), "{\"a\": [1, 2]}".to_string()),
                        ("a".to_string(), "b".to_string())
                    ]
                );
            }
        }
    }

    #[test]
    fn capitalised_keys_are_accepted() {
        // The editor reads `workflow || Workflow` from WebP (a custom node writes capitals).
        let webp = build_webp(&build_tiff(true, &[(0x010f, "Workflow:{\"nodes\": []}")]));
        assert!(media::extract(&webp).unwrap().workflow.is_some());
    }

    #[test]
    fn webp_without_exif_has_no_metadata() {
        let mut webp = build_webp(b"");
        webp.truncate(webp.len() - 8); // drop the empty EXIF chunk header
        let meta = media::extract(&webp).unwrap();
        assert_eq!(meta, media::EmbeddedMetadata::default());
    }

    #[test]
    fn corrupt_exif_is_a_typed_error() {
        let good = build_tiff(true, &[(0x0110, "prompt:{}")]);
        let mut bad_offset = good.clone();
        bad_offset[18..22].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut many_entries = good.clone();
        many_entries[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
        let mut bad_ifd = good.clone();
        bad_ifd[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut loop_ifd = good.clone();
        loop_ifd[22..26].copy_from_slice(&8u32.to_le_bytes());
        for exif in [
            b"XX*\0".to_vec(),
            b"II\0\0".to_vec(),
            bad_offset,
            many_entries,
            bad_ifd,
        ] {
            let err = media::extract(&build_webp(&exif)).unwrap_err();
            assert_eq!(err.code(), "INVALID_MEDIA", "{err}");
        }
        // A next-IFD link back to itself is followed once.
        assert!(
            media::extract(&build_webp(&loop_ifd))
                .unwrap()
                .prompt
                .is_some()
        );
        // A chunk size past the end of the file.
        let mut webp = build_webp(&good);
        webp[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(media::extract(&webp).unwrap_err().code(), "INVALID_MEDIA");
    }
}
