//! MP3: ID3v2 `TXXX` user text frames, description = key (`SaveAudioMP3` through FFmpeg writes
//! `prompt` and `workflow` this way). ID3v2.2 (`TXX`), v2.3 and v2.4 are read, with
//! unsynchronisation, extended headers, zlib-compressed frames and all four text encodings.

use super::bytes::{Cursor, InflateBudget, invalid, latin1, len, utf8_lossy};
use crate::error::Result;

const CONTAINER: &str = "mp3";
const HEADER_LEN: usize = 10;

/// `ID3` + version + a plausible syncsafe size.
fn id3v2_header(bytes: &[u8]) -> Option<(u8, u8, usize)> {
    let h = bytes.get(..HEADER_LEN)?;
    if &h[..3] != b"ID3" || h[3] == 0xff || h[4] == 0xff || h[6..10].iter().any(|b| b & 0x80 != 0) {
        return None;
    }
    Some((h[3], h[5], syncsafe([h[6], h[7], h[8], h[9]])))
}

/// The whole tag's length (header, body and footer) as declared, if `bytes` starts with one.
pub(super) fn id3v2_total_len(bytes: &[u8]) -> Option<usize> {
    let (_, flags, size) = id3v2_header(bytes)?;
    let footer = if flags & 0x10 != 0 { 10 } else { 0 };
    Some(HEADER_LEN + size + footer)
}

/// An MPEG audio frame sync: 11 set bits, and a layer other than the reserved `00` (which also
/// keeps ADTS AAC out).
pub(super) fn is_mpeg_frame(bytes: &[u8]) -> bool {
    matches!(bytes, [0xff, b, ..] if b & 0xe0 == 0xe0 && b & 0x06 != 0)
}

fn syncsafe(b: [u8; 4]) -> usize {
    b.iter()
        .fold(0, |acc, &x| (acc << 7) | usize::from(x & 0x7f))
}

/// Removes the `00` that unsynchronisation inserts after every `FF`.
fn unsynchronise(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut prev_ff = false;
    for &b in data {
        if !(prev_ff && b == 0) {
            out.push(b);
        }
        prev_ff = b == 0xff;
    }
    out
}

pub(super) fn extract(bytes: &[u8], budget: &mut InflateBudget) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let Some((version, flags, size)) = id3v2_header(bytes) else {
        // A bare MPEG stream (or an ID3v1 tag only): nothing to read.
        if bytes.starts_with(b"ID3") {
            return Err(invalid(CONTAINER, "malformed ID3v2 header"));
        }
        return Ok(out);
    };
    if !(2..=4).contains(&version) {
        return Err(invalid(
            CONTAINER,
            format!("unsupported ID3v2 version 2.{version}"),
        ));
    }
    let mut cur = Cursor::new(bytes, CONTAINER);
    cur.skip(HEADER_LEN, "ID3v2 header")?;
    let body = cur.take(size, "ID3v2 tag")?;
    if version == 2 && flags & 0x40 != 0 {
        // v2.2 "compression" has no defined scheme; the spec says to ignore such a tag.
        return Ok(out);
    }
    // v2.2 and v2.3 unsynchronise the whole tag; v2.4 marks it per frame.
    let whole_unsync = flags & 0x80 != 0;
    let body = if whole_unsync && version < 4 {
        unsynchronise(body)
    } else {
        body.to_vec()
    };
    let mut cur = Cursor::new(&body, CONTAINER);
    if flags & 0x40 != 0 {
        // Extended header: v2.3 size excludes its own 4 bytes, v2.4 (syncsafe) includes them.
        if version == 3 {
            let ext = len(cur.u32_be("extended header size")?);
            cur.skip(ext, "extended header")?;
        } else {
            let ext = syncsafe(cur.array("extended header size")?);
            cur.skip(ext.saturating_sub(4), "extended header")?;
        }
    }
    let header_len = if version == 2 { 6 } else { 10 };
    while cur.remaining() >= header_len && cur.rest()[0] != 0 {
        let (id, size, frame_flags) = if version == 2 {
            let h: [u8; 6] = cur.array("frame header")?;
            let size = (usize::from(h[3]) << 16) | (usize::from(h[4]) << 8) | usize::from(h[5]);
            (h[..3].to_vec(), size, 0u16)
        } else {
            let h: [u8; 10] = cur.array("frame header")?;
            let raw = [h[4], h[5], h[6], h[7]];
            let size = if version == 4 {
                syncsafe(raw)
            } else {
                len(u32::from_be_bytes(raw))
            };
            (h[..4].to_vec(), size, u16::from_be_bytes([h[8], h[9]]))
        };
        let frame = cur.take(size, "ID3v2 frame")?;
        if id != b"TXXX" && id != b"TXX" {
            continue;
        }
        if let Some(data) = frame_payload(frame, version, frame_flags, whole_unsync, budget)? {
            // An empty frame has nothing to say; skip it.
            out.extend(parse_txxx(&data));
        }
    }
    Ok(out)
}

/// Undoes the per-frame format flags; `None` for an encrypted frame (skipped).
fn frame_payload(
    frame: &[u8],
    version: u8,
    flags: u16,
    whole_unsync: bool,
    budget: &mut InflateBudget,
) -> Result<Option<Vec<u8>>> {
    let mut cur = Cursor::new(frame, CONTAINER);
    let what = "TXXX frame";
    let (compressed, unsync) = match version {
        3 => {
            let compressed = flags & 0x0080 != 0;
            if compressed {
                cur.skip(4, what)?; // decompressed size
            }
            if flags & 0x0040 != 0 {
                return Ok(None); // encrypted
            }
            if flags & 0x0020 != 0 {
                cur.skip(1, what)?; // group id
            }
            (compressed, false)
        }
        4 => {
            if flags & 0x0040 != 0 {
                cur.skip(1, what)?; // group id
            }
            if flags & 0x0004 != 0 {
                return Ok(None); // encrypted
            }
            if flags & 0x0001 != 0 {
                cur.skip(4, what)?; // data length indicator
            }
            (flags & 0x0008 != 0, flags & 0x0002 != 0 || whole_unsync)
        }
        _ => (false, false),
    };
    let data = if unsync {
        unsynchronise(cur.rest())
    } else {
        cur.rest().to_vec()
    };
    if compressed {
        return budget.inflate_zlib(&data, CONTAINER, what).map(Some);
    }
    Ok(Some(data))
}

/// `encoding, description NUL value`; the value ends at its first terminator, if any.
fn parse_txxx(data: &[u8]) -> Option<(String, String)> {
    let (&encoding, rest) = data.split_first()?;
    let (description, value) = split_terminated(rest, encoding);
    let (value, _) = split_terminated(value, encoding);
    Some((decode(description, encoding), decode(value, encoding)))
}

/// Splits at the encoding's terminator (one NUL, or an aligned NUL pair for UTF-16).
fn split_terminated(data: &[u8], encoding: u8) -> (&[u8], &[u8]) {
    if matches!(encoding, 1 | 2) {
        let mut i = 0;
        while i + 1 < data.len() {
            if data[i] == 0 && data[i + 1] == 0 {
                return (&data[..i], &data[i + 2..]);
            }
            i += 2;
        }
        (data, &[])
    } else {
        match data.iter().position(|&b| b == 0) {
            Some(at) => (&data[..at], &data[at + 1..]),
            None => (data, &[]),
        }
    }
}

fn decode(data: &[u8], encoding: u8) -> String {
    match encoding {
        0 => latin1(data),
        1 | 2 => {
            let (big, data) = match data {
                [0xfe, 0xff, rest @ ..] => (true, rest),
                [0xff, 0xfe, rest @ ..] => (false, rest),
                // Encoding 2 is UTF-16BE; a BOM-less encoding 1 string is taken as big-endian too.
                _ => (true, data),
            };
            let units = data.chunks_exact(2).map(|p| {
                if big {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            });
            char::decode_utf16(units)
                .map(|c| c.unwrap_or('\u{fffd}'))
                .collect()
        }
        _ => utf8_lossy(data),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::media::{self, MediaKind};

    fn syncsafe_bytes(n: usize) -> [u8; 4] {
        [
            (n >> 21) as u8 & 0x7f,
            (n >> 14) as u8 & 0x7f,
            (n >> 7) as u8 & 0x7f,
            n as u8 & 0x7f,
        ]
    }

    fn encode(text: &str, encoding: u8) -> Vec<u8> {
        match encoding {
            0 => text.chars().map(|c| c as u8).collect(),
            1 => {
                let mut out = vec![0xff, 0xfe];
                text.encode_utf16()
                    .for_each(|u| out.extend(u.to_le_bytes()));
                out
            }
            2 => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            _ => text.as_bytes().to_vec(),
        }
    }

    pub(crate) fn txxx_payload(encoding: u8, key: &str, value: &str) -> Vec<u8> {
        let nul: &[u8] = if matches!(encoding, 1 | 2) {
            &[0, 0]
        } else {
            &[0]
        };
        let mut out = vec![encoding];
        out.extend(encode(key, encoding));
        out.extend_from_slice(nul);
        out.extend(encode(value, encoding));
        out
    }

    /// An ID3v2.`version` tag of `(id, flags, payload)` frames, followed by an MPEG frame header.
    pub(crate) fn build_mp3(
        version: u8,
        tag_flags: u8,
        frames: &[(&str, u16, Vec<u8>)],
    ) -> Vec<u8> {
        let mut body = Vec::new();
        for (id, flags, payload) in frames {
            body.extend_from_slice(id.as_bytes());
            if version == 4 {
                body.extend(syncsafe_bytes(payload.len()));
            } else {
                body.extend((payload.len() as u32).to_be_bytes());
            }
            body.extend(flags.to_be_bytes());
            body.extend_from_slice(payload);
        }
        body.extend_from_slice(&[0; 16]); // padding
        let mut out = b"ID3".to_vec();
        out.extend_from_slice(&[version, 0, tag_flags]);
        out.extend(syncsafe_bytes(body.len()));
        out.extend(body);
        out.extend_from_slice(&[0xff, 0xfb, 0x90, 0x64]);
        out
    }

    const PROMPT: &str = r#"{"1": {"class_type": "SaveAudioMP3", "inputs": {"q": "V0"}}}"#;

    #[test]
    fn reads_txxx_in_v23_and_v24_with_every_encoding() {
        for version in [3, 4] {
            for encoding in 0..4 {
                let mp3 = build_mp3(
                    version,
                    0,
                    &[
                        ("TIT2", 0, b"\x03title".to_vec()),
                        ("TXXX", 0, txxx_payload(encoding, "prompt", PROMPT)),
                        (
                            "TXXX",
                            0,
                            txxx_payload(encoding, "workflow", "{\"nodes\": [NaN]}"),
                        ),
                        ("TXXX", 0, txxx_payload(encoding, "note", "é")),
                    ],
                );
                assert_eq!(media::detect(&mp3), Some(MediaKind::Mp3));
                let meta = media::extract(&mp3).unwrap();
                assert_eq!(
                    meta.prompt.unwrap()["1"]["class_type"],
                    "SaveAudioMP3",
                    "{encoding}"
                );
                assert_eq!(meta.workflow.unwrap()["nodes"][0], serde_json::Value::Null);
                assert_eq!(meta.other, [("note".to_string(), "é".to_string())]);
            }
        }
    }

    #[test]
    fn reads_v22_unsync_extended_header_and_compressed_frames() {
        // v2.2: 3-byte ids and sizes.
        let payload = txxx_payload(0, "prompt", PROMPT);
        let mut body = b"TXX".to_vec();
        body.extend_from_slice(&(payload.len() as u32).to_be_bytes()[1..]);
        body.extend(payload);
        let mut v22 = b"ID3\x02\x00\x00".to_vec();
        v22.extend(syncsafe_bytes(body.len()));
        v22.extend(body);
        assert!(media::extract(&v22).unwrap().prompt.is_some());

        // v2.3 whole-tag unsynchronisation: frame sizes count the original bytes, and every FF
        // in the tag is followed by an inserted 00.
        let original = txxx_payload(0, "k", "a\u{ff}b");
        let mut mp3 = build_mp3(3, 0x80, &[("TXXX", 0, original.clone())]);
        let ff = mp3.iter().position(|&b| b == 0xff).unwrap();
        mp3.insert(ff + 1, 0);
        let size = syncsafe(mp3[6..10].try_into().unwrap()) + 1;
        mp3[6..10].copy_from_slice(&syncsafe_bytes(size));
        assert_eq!(
            media::extract(&mp3).unwrap().other,
            [("k".into(), "a\u{ff}b".into())]
        );
        let mut payload = original;
        let ff = payload.iter().position(|&b| b == 0xff).unwrap();
        payload.insert(ff + 1, 0);
        // v2.4 per-frame unsynchronisation, group id and data length indicator.
        let mut framed = vec![7, 0, 0, 0, 9];
        framed.extend(payload);
        let mp3 = build_mp3(4, 0, &[("TXXX", 0x0043, framed)]);
        assert_eq!(
            media::extract(&mp3).unwrap().other,
            [("k".into(), "a\u{ff}b".into())]
        );

        // v2.3 compressed frame (zlib, 4-byte decompressed size first) and an extended header.
        let plain = txxx_payload(3, "prompt", PROMPT);
        let mut compressed = (plain.len() as u32).to_be_bytes().to_vec();
        compressed.extend(miniz_oxide::deflate::compress_to_vec_zlib(&plain, 6));
        let mut mp3 = build_mp3(3, 0x40, &[("TXXX", 0x0080, compressed)]);
        mp3.splice(10..10, [0, 0, 0, 6, 0, 0, 0, 0, 0, 0]);
        let size = syncsafe(mp3[6..10].try_into().unwrap()) + 10;
        mp3[6..10].copy_from_slice(&syncsafe_bytes(size));
        assert!(media::extract(&mp3).unwrap().prompt.is_some());
        // An encrypted frame is skipped.
        let mp3 = build_mp3(4, 0, &[("TXXX", 0x0004, txxx_payload(0, "prompt", "{}"))]);
        assert_eq!(
            media::extract(&mp3).unwrap(),
            media::EmbeddedMetadata::default()
        );
    }

    #[test]
    fn bare_mpeg_stream_has_no_metadata() {
        let mp3 = [0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0];
        assert_eq!(media::detect(&mp3), Some(MediaKind::Mp3));
        assert_eq!(
            media::extract(&mp3).unwrap(),
            media::EmbeddedMetadata::default()
        );
        assert_eq!(media::detect(&[0xff, 0xf1, 0x50, 0x80]), None); // ADTS AAC
    }

    #[test]
    fn corrupt_id3_is_a_typed_error() {
        let good = build_mp3(4, 0, &[("TXXX", 0, txxx_payload(3, "prompt", "{}"))]);
        let mut frame_too_long = good.clone();
        frame_too_long[14..18].copy_from_slice(&[0x7f; 4]);
        let mut tag_too_long = good.clone();
        tag_too_long[6..10].copy_from_slice(&[0x7f; 4]);
        let bad_version = build_mp3(5, 0, &[]);
        let bad_zlib = build_mp3(3, 0, &[("TXXX", 0x0080, vec![0, 0, 0, 9, 1, 2, 3])]);
        for mp3 in [frame_too_long, tag_too_long, bad_version, bad_zlib] {
            let err = media::extract(&mp3).unwrap_err();
            assert_eq!(err.code(), "INVALID_MEDIA", "{err}");
        }
        // An empty TXXX frame is skipped.
        let empty_txxx = build_mp3(3, 0, &[("TXXX", 0, vec![])]);
        assert_eq!(
            media::extract(&empty_txxx).unwrap(),
            media::EmbeddedMetadata::default()
        );
        // A header with a non-syncsafe size byte is not a valid tag.
        let err = media::extract(b"ID3\x04\x00\x00\x80\x00\x00\x00").unwrap_err();
        assert_eq!(err.code(), "INVALID_MEDIA");
    }
}
