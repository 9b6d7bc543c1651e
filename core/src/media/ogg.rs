//! Ogg: the comment header of the first logical stream — `\x03vorbis` (Vorbis), `OpusTags` (Opus,
//! what `SaveAudioOpus` writes) or a VORBIS_COMMENT metadata block (Ogg FLAC). Pages are walked and
//! packets reassembled only until that header is complete.

use super::bytes::{Cursor, invalid};
use super::vorbis;
use crate::error::Result;

const CONTAINER: &str = "ogg";
/// Header packets looked at before giving up (Ogg FLAC may carry several metadata blocks).
const MAX_HEADER_PACKETS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Vorbis,
    Opus,
    Flac,
}

pub(super) fn extract(bytes: &[u8]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut cur = Cursor::new(bytes, CONTAINER);
    let mut serial = None;
    let mut codec = None;
    let mut packet = Vec::new();
    let mut index = 0;
    while !cur.is_empty() {
        let at = cur.pos();
        if cur.take(4, "page header")? != b"OggS" {
            return Err(invalid(CONTAINER, format!("lost page sync at offset {at}")));
        }
        let header: [u8; 23] = cur.array("page header")?;
        if header[0] != 0 {
            return Err(invalid(
                CONTAINER,
                format!("unknown page version {}", header[0]),
            ));
        }
        let page_serial = u32::from_le_bytes([header[10], header[11], header[12], header[13]]);
        let lacing = cur.take(usize::from(header[22]), "segment table")?;
        let body_len: usize = lacing.iter().map(|&l| usize::from(l)).sum();
        let body = cur.take(body_len, "page body")?;
        if *serial.get_or_insert(page_serial) != page_serial {
            continue; // another logical stream
        }
        let mut pos = 0;
        for &l in lacing {
            let l = usize::from(l);
            packet.extend_from_slice(&body[pos..pos + l]);
            pos += l;
            if l == 255 {
                continue; // the packet goes on
            }
            let done = match codec {
                None => {
                    codec = identify(&packet);
                    codec.is_none()
                }
                Some(c) => comment_packet(c, &packet, &mut out)?,
            };
            if done || index >= MAX_HEADER_PACKETS {
                return Ok(out);
            }
            index += 1;
            packet.clear();
        }
    }
    Ok(out)
}

/// The codec of the stream from its first packet; `None` for codecs without Vorbis comments.
fn identify(packet: &[u8]) -> Option<Codec> {
    if packet.starts_with(b"\x01vorbis") {
        Some(Codec::Vorbis)
    } else if packet.starts_with(b"OpusHead") {
        Some(Codec::Opus)
    } else if packet.starts_with(b"\x7fFLAC") {
        Some(Codec::Flac)
    } else {
        None
    }
}

/// Reads the comments if `packet` is the comment header; `true` when there is nothing more to look
/// for.
fn comment_packet(codec: Codec, packet: &[u8], out: &mut Vec<(String, String)>) -> Result<bool> {
    match codec {
        Codec::Vorbis | Codec::Opus => {
            let magic: &[u8] = if codec == Codec::Vorbis {
                b"\x03vorbis"
            } else {
                b"OpusTags"
            };
            // The comment header is the second packet; anything else means there is none.
            if let Some(comments) = packet.strip_prefix(magic) {
                vorbis::parse_comments(comments, CONTAINER, out)?;
            }
            Ok(true)
        }
        Codec::Flac => {
            // Each further header packet is one FLAC metadata block.
            let mut cur = Cursor::new(packet, CONTAINER);
            let header = cur.u32_be("FLAC metadata block header")?;
            if (header >> 24) & 0x7f == 4 {
                let block = cur.take((header & 0x00ff_ffff) as usize, "FLAC metadata block")?;
                vorbis::parse_comments(block, CONTAINER, out)?;
                return Ok(true);
            }
            Ok(header & 0x8000_0000 != 0)
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::media::{self, MediaKind};

    /// One page carrying whole `packets` (the last one may continue on the next page when
    /// `continues`).
    fn page(serial: u32, seq: u32, packets: &[&[u8]], continues: bool) -> Vec<u8> {
        let mut lacing = Vec::new();
        let mut body = Vec::new();
        for (i, p) in packets.iter().enumerate() {
            let mut n = p.len();
            while n >= 255 {
                lacing.push(255);
                n -= 255;
            }
            if !(continues && i == packets.len() - 1) {
                lacing.push(n as u8);
            } else {
                assert_eq!(
                    n, 0,
                    "a continued packet must be a multiple of 255 bytes here"
                );
            }
            body.extend_from_slice(p);
        }
        let mut out = b"OggS\0".to_vec();
        out.push(if seq == 0 { 2 } else { 0 });
        out.extend_from_slice(&[0; 8]);
        out.extend(serial.to_le_bytes());
        out.extend(seq.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // CRC (not checked)
        out.push(lacing.len() as u8);
        out.extend(lacing);
        out.extend(body);
        out
    }

    fn opus_tags(comments: &[(&str, &str)]) -> Vec<u8> {
        let mut out = b"OpusTags".to_vec();
        out.extend(vorbis::build_comments("Lavf61.7.100", comments));
        out
    }

    pub(crate) fn build_opus(comments: &[(&str, &str)]) -> Vec<u8> {
        let head = b"OpusHead\x01\x01\x38\x01\x80\xbb\0\0\0\0\0";
        let mut out = page(0x1234, 0, &[head], false);
        out.extend(page(0x1234, 1, &[&opus_tags(comments)], false));
        out.extend(page(0x1234, 2, &[b"\xfc\xff\xfe"], false));
        out
    }

    const PROMPT: &str = r#"{"3": {"class_type": "SaveAudioOpus", "inputs": {"t": NaN}}}"#;

    #[test]
    fn reads_opus_tags() {
        let ogg = build_opus(&[("prompt", PROMPT), ("Workflow", r#"{"nodes": []}"#)]);
        assert_eq!(media::detect(&ogg), Some(MediaKind::Ogg));
        let meta = media::extract(&ogg).unwrap();
        assert_eq!(
            meta.prompt.unwrap()["3"]["inputs"]["t"],
            serde_json::Value::Null
        );
        assert!(meta.workflow.is_some());
    }

    #[test]
    fn reads_vorbis_comment_spanning_pages_and_skips_other_streams() {
        let id = b"\x01vorbis\0\0\0\0\x02\x44\xac\0\0";
        let long = format!(
            r#"{{"1": {{"class_type": "Note", "inputs": {{"text": "{}"}}}}}}"#,
            "x".repeat(600)
        );
        let mut comment = b"\x03vorbis".to_vec();
        comment.extend(vorbis::build_comments("Xiph", &[("PROMPT", &long)]));
        comment.push(1); // framing bit
        assert!(comment.len() > 510 && comment.len() < 765);
        let mut ogg = page(7, 0, &[id], false);
        ogg.extend(page(99, 0, &[b"\x80theora"], false)); // another stream, interleaved
        ogg.extend(page(7, 1, &[&comment[..510]], true)); // lacing 255, 255: continued
        ogg.extend(page(99, 1, &[b"\x81theora"], false));
        ogg.extend(page(7, 2, &[&comment[510..]], false));
        let meta = media::extract(&ogg).unwrap();
        assert_eq!(
            meta.prompt.unwrap()["1"]["inputs"]["text"]
                .as_str()
                .unwrap()
                .len(),
            600
        );
    }

    #[test]
    fn reads_ogg_flac_comment_block() {
        let mut first = b"\x7fFLAC\x01\x00\x00\x02fLaC".to_vec();
        first.extend_from_slice(&[0, 0, 0, 34]);
        first.extend_from_slice(&[0x12; 34]);
        let comments = vorbis::build_comments("ref", &[("prompt", "{\"1\": {}}")]);
        let mut block = vec![0x84];
        block.extend_from_slice(&(comments.len() as u32).to_be_bytes()[1..]);
        block.extend(comments);
        let mut ogg = page(1, 0, &[&first], false);
        ogg.extend(page(1, 1, &[b"\x01\x00\x00\x04abcd", &block], false));
        assert_eq!(
            media::extract(&ogg).unwrap().prompt,
            Some(serde_json::json!({"1": {}}))
        );
    }

    #[test]
    fn other_codecs_have_no_metadata() {
        let ogg = page(5, 0, &[b"\x80theora", b"\x81theora"], false);
        assert_eq!(
            media::extract(&ogg).unwrap(),
            media::EmbeddedMetadata::default()
        );
    }

    #[test]
    fn corrupt_ogg_is_a_typed_error() {
        let good = build_opus(&[("prompt", "{}")]);
        let first_page = 27 + 1 + 19;
        let mut bad_sync = good.clone();
        bad_sync[first_page] = b'X';
        let mut bad_version = good.clone();
        bad_version[4] = 1;
        let mut bad_count = good.clone();
        let count_at = first_page + 28 + 8 + 4 + 12;
        bad_count[count_at..count_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        for ogg in [
            &good[..20],
            &good[..60],
            &bad_sync[..],
            &bad_version[..],
            &bad_count[..],
        ] {
            let err = media::extract(ogg).unwrap_err();
            assert_eq!(err.code(), "INVALID_MEDIA", "{err}");
        }
    }
}
