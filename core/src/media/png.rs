//! PNG: text chunks `tEXt`, `zTXt`, `iTXt` and the private `comf` chunk `SaveAnimatedPNG` writes
//! after the frames (`keyword\0json`). `SaveImage`/`PreviewImage` write one `tEXt` chunk per key:
//! `prompt`, then each key of `extra_pnginfo` (`workflow`).

use super::bytes::{Cursor, InflateBudget, invalid, len, split_nul, utf8_lossy, utf8_or_latin1};
use crate::error::Result;

pub(super) const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
const CONTAINER: &str = "png";
/// The PNG specification's limit for a chunk length (and a keyword's).
const MAX_CHUNK_LEN: u32 = 0x7fff_ffff;
const MAX_KEYWORD_LEN: usize = 79;

/// One chunk, located in the file.
#[derive(Debug, Clone, Copy)]
struct Chunk<'a> {
    /// Offset of the length field.
    start: usize,
    kind: [u8; 4],
    data: &'a [u8],
}

impl Chunk<'_> {
    fn is_text(&self) -> bool {
        matches!(&self.kind, b"tEXt" | b"zTXt" | b"iTXt" | b"comf")
    }

    /// The keyword of a text chunk (bytes before the first NUL).
    fn keyword(&self) -> Option<&[u8]> {
        if !self.is_text() {
            return None;
        }
        split_nul(self.data).map(|(keyword, _)| keyword)
    }
}

/// Walks the chunks from the signature up to and including `IEND`; anything after `IEND` is not
/// looked at. A chunk that runs past the end, or a file without `IEND`, is an error.
fn chunks(png: &[u8]) -> Result<Vec<Chunk<'_>>> {
    let mut cur = Cursor::new(png, CONTAINER);
    if cur.take(8, "signature")? != SIGNATURE {
        return Err(invalid(CONTAINER, "missing PNG signature"));
    }
    let mut out = Vec::new();
    loop {
        if cur.is_empty() {
            return Err(invalid(CONTAINER, "truncated: no IEND chunk"));
        }
        let start = cur.pos();
        let length = cur.u32_be("chunk length")?;
        if length > MAX_CHUNK_LEN {
            return Err(invalid(
                CONTAINER,
                format!("chunk length {length} at offset {start} exceeds 2^31-1"),
            ));
        }
        let kind: [u8; 4] = cur.array("chunk type")?;
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(invalid(
                CONTAINER,
                format!("invalid chunk type {kind:02x?} at offset {start}"),
            ));
        }
        let name = String::from_utf8_lossy(&kind).into_owned();
        let data = cur.take(len(length), &format!("{name} chunk"))?;
        cur.skip(4, &format!("{name} chunk CRC"))?;
        out.push(Chunk { start, kind, data });
        if &kind == b"IEND" {
            return Ok(out);
        }
    }
}

/// Reads every text entry in chunk order (a later chunk with the same keyword wins later on).
pub(super) fn extract(png: &[u8], budget: &mut InflateBudget) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in chunks(png)?.iter().filter(|c| c.is_text()) {
        if let Some(entry) = text_entry(chunk, budget)? {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Decodes one text chunk; `None` for an `iTXt` compressed with an unknown method (skipped, as the
/// editor does).
fn text_entry(chunk: &Chunk<'_>, budget: &mut InflateBudget) -> Result<Option<(String, String)>> {
    let name = String::from_utf8_lossy(&chunk.kind).into_owned();
    let (keyword, rest) = split_nul(chunk.data).ok_or_else(|| {
        invalid(
            CONTAINER,
            format!(
                "{name} chunk at offset {} has no keyword terminator",
                chunk.start
            ),
        )
    })?;
    let keyword = utf8_or_latin1(keyword);
    let what = format!("{name} chunk `{keyword}`");
    let text = match &chunk.kind {
        b"tEXt" => utf8_or_latin1(rest),
        b"comf" => utf8_lossy(rest),
        b"zTXt" => {
            let (&method, compressed) = rest
                .split_first()
                .ok_or_else(|| invalid(CONTAINER, format!("{what}: missing compression method")))?;
            if method != 0 {
                return Err(invalid(
                    CONTAINER,
                    format!("{what}: unknown compression method {method}"),
                ));
            }
            utf8_or_latin1(&budget.inflate_zlib(compressed, CONTAINER, &what)?)
        }
        _ => {
            // iTXt: flag, method, language tag\0, translated keyword\0, UTF-8 text.
            let mut cur = Cursor::new(rest, CONTAINER);
            let compressed = cur.u8(&what)? != 0;
            let method = cur.u8(&what)?;
            for field in ["language tag", "translated keyword"] {
                cur.take_until_nul()
                    .ok_or_else(|| invalid(CONTAINER, format!("{what}: unterminated {field}")))?;
            }
            if !compressed {
                utf8_lossy(cur.rest())
            } else if method == 0 {
                utf8_lossy(&budget.inflate_zlib(cur.rest(), CONTAINER, &what)?)
            } else {
                return Ok(None);
            }
        }
    };
    Ok(Some((keyword, text)))
}

/// Encodes one chunk: length, type, data, CRC-32 of type and data.
pub(super) fn encode_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 12);
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// A keyword as PNG stores it: 1–79 Latin-1 bytes, no NUL.
fn keyword_bytes(keyword: &str) -> Result<Vec<u8>> {
    let bytes: Option<Vec<u8>> = keyword
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok().filter(|&b| b != 0))
        .collect();
    match bytes {
        Some(bytes) if !bytes.is_empty() && bytes.len() <= MAX_KEYWORD_LEN => Ok(bytes),
        _ => Err(invalid(
            CONTAINER,
            format!(
                "cannot write text keyword {keyword:?}: it must be 1-{MAX_KEYWORD_LEN} Latin-1 characters without NUL"
            ),
        )),
    }
}

/// See [`super::write_png_text`].
pub(super) fn write_text(png: &[u8], entries: &[(&str, &str)]) -> Result<Vec<u8>> {
    // Validate and de-duplicate the entries first (a later entry with the same keyword wins).
    let mut new: Vec<(Vec<u8>, &str)> = Vec::with_capacity(entries.len());
    for &(keyword, value) in entries {
        let keyword = keyword_bytes(keyword)?;
        if value.contains('\0') {
            return Err(invalid(
                CONTAINER,
                format!(
                    "cannot write text `{}`: the value contains a NUL character",
                    String::from_utf8_lossy(&keyword)
                ),
            ));
        }
        match new.iter_mut().find(|(k, _)| *k == keyword) {
            Some(slot) => slot.1 = value,
            None => new.push((keyword, value)),
        }
    }

    let chunks = chunks(png)?;
    let (iend, body) = chunks.split_last().expect("chunks() ends with IEND");
    let extra: usize = new.iter().map(|(k, v)| k.len() + v.len() + 17).sum();
    let mut out = Vec::with_capacity(png.len() + extra);
    out.extend_from_slice(SIGNATURE);
    for (i, chunk) in body.iter().enumerate() {
        let replaced = chunk
            .keyword()
            .is_some_and(|keyword| new.iter().any(|(k, _)| k == keyword));
        if !replaced {
            let end = chunks[i + 1].start;
            out.extend_from_slice(&png[chunk.start..end]);
        }
    }
    for (keyword, value) in &new {
        let mut data = keyword.clone();
        data.push(0);
        if value.is_ascii() {
            // ASCII is valid Latin-1 (the tEXt encoding) and UTF-8 (what the editor decodes).
            data.extend_from_slice(value.as_bytes());
            out.extend(encode_chunk(b"tEXt", &data));
        } else {
            // Uncompressed iTXt, empty language and translated keyword: UTF-8 for everyone.
            data.extend_from_slice(&[0, 0, 0, 0]);
            data.extend_from_slice(value.as_bytes());
            out.extend(encode_chunk(b"iTXt", &data));
        }
    }
    // IEND and whatever followed it, byte for byte.
    out.extend_from_slice(&png[iend.start..]);
    Ok(out)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::media::{self, MediaKind};

    /// A valid 1×1 grey PNG carrying the given extra chunks between IHDR and IDAT.
    pub(crate) fn build_png(extra: &[Vec<u8>]) -> Vec<u8> {
        let mut png = SIGNATURE.to_vec();
        let ihdr = [0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0];
        png.extend(encode_chunk(b"IHDR", &ihdr));
        for chunk in extra {
            png.extend_from_slice(chunk);
        }
        let idat = miniz_oxide::deflate::compress_to_vec_zlib(&[0, 0x80], 6);
        png.extend(encode_chunk(b"IDAT", &idat));
        png.extend(encode_chunk(b"IEND", &[]));
        png
    }

    fn text(kind: &[u8; 4], keyword: &str, body: &[u8]) -> Vec<u8> {
        let mut data = keyword.as_bytes().to_vec();
        data.push(0);
        data.extend_from_slice(body);
        encode_chunk(kind, &data)
    }

    fn itxt(keyword: &str, compressed: bool, value: &str) -> Vec<u8> {
        let mut body = vec![u8::from(compressed), 0];
        body.extend_from_slice(b"en\0Prompt\0");
        if compressed {
            body.extend(miniz_oxide::deflate::compress_to_vec_zlib(
                value.as_bytes(),
                9,
            ));
        } else {
            body.extend_from_slice(value.as_bytes());
        }
        text(b"iTXt", keyword, &body)
    }

    /// Checks every chunk's CRC and returns the (type, data) list.
    fn checked_chunks(png: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
        let list = chunks(png).unwrap();
        for chunk in &list {
            let end = chunk.start + 8 + chunk.data.len();
            let crc = u32::from_be_bytes(png[end..end + 4].try_into().unwrap());
            assert_eq!(crc, crc32fast::hash(&png[chunk.start + 4..end]));
        }
        list.iter().map(|c| (c.kind, c.data.to_vec())).collect()
    }

    const REAL_RUN: &[u8] = include_bytes!("../../../tests/fixtures/media/view_output_of_run.png");
    const REAL_EXTRA: &[u8] =
        include_bytes!("../../../tests/fixtures/media/view_output_extra_data.png");

    #[test]
    fn reads_text_ztxt_itxt_and_comf() {
        let ztxt_body = {
            let mut body = vec![0];
            body.extend(miniz_oxide::deflate::compress_to_vec_zlib(b"z value", 6));
            body
        };
        let png = build_png(&[
            text(
                b"tEXt",
                "prompt",
                br#"{"1": {"class_type": "A", "inputs": {}}}"#,
            ),
            text(b"zTXt", "zk", &ztxt_body),
            itxt("ik", false, "grüße"),
            itxt("workflow", true, r#"{"nodes": [], "x": NaN}"#),
            text(b"comf", "anim", br#"{"a": 1}"#),
            text(b"tEXt", "latin", b"caf\xe9"),
        ]);
        assert_eq!(media::detect(&png), Some(MediaKind::Png));
        let meta = media::extract(&png).unwrap();
        assert_eq!(meta.prompt.unwrap()["1"]["class_type"], "A");
        assert_eq!(meta.workflow.unwrap()["x"], serde_json::Value::Null);
        let other: Vec<(&str, &str)> = meta
            .other
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            other,
            [
                ("zk", "z value"),
                ("ik", "grüße"),
                ("anim", r#"{"a": 1}"#),
                ("latin", "café")
            ]
        );
    }

    #[test]
    fn comf_chunk_of_animated_png() {
        // SaveAnimatedPNG: `comf` chunks after the frames, `keyword\0json`.
        let mut png = build_png(&[]);
        let iend = png.len() - 12;
        let mut comf = text(
            b"comf",
            "prompt",
            br#"{"5": {"class_type": "SaveAnimatedPNG"}}"#,
        );
        comf.extend(text(b"comf", "workflow", br#"{"nodes": [], "links": []}"#));
        png.splice(iend..iend, comf);
        let meta = media::extract(&png).unwrap();
        assert_eq!(meta.prompt.unwrap()["5"]["class_type"], "SaveAnimatedPNG");
        assert_eq!(meta.workflow.unwrap()["links"], serde_json::json!([]));
    }

    #[test]
    fn write_round_trip_replaces_same_keyword() {
        let png = build_png(&[
            text(b"tEXt", "prompt", b"{\"old\": true}"),
            itxt("workflow", true, "{\"old\": true}"),
            text(b"tEXt", "keep", b"me"),
        ]);
        let prompt = r#"{"1": {"class_type": "KSampler", "inputs": {"cfg": NaN}}}"#;
        let workflow = r#"{"nodes": [], "note": "日本語"}"#;
        let out =
            media::write_png_text(&png, &[("prompt", prompt), ("workflow", workflow)]).unwrap();
        let list = checked_chunks(&out);
        let kinds: Vec<&[u8; 4]> = list.iter().map(|(k, _)| k).collect();
        assert_eq!(
            kinds,
            [b"IHDR", b"tEXt", b"IDAT", b"tEXt", b"iTXt", b"IEND"]
        );
        let meta = media::extract(&out).unwrap();
        assert_eq!(
            meta.prompt.unwrap()["1"]["inputs"]["cfg"],
            serde_json::Value::Null
        );
        assert_eq!(meta.workflow.unwrap()["note"], "日本語");
        assert_eq!(meta.other, [("keep".to_string(), "me".to_string())]);
        // Writing again is idempotent.
        let again =
            media::write_png_text(&out, &[("prompt", prompt), ("workflow", workflow)]).unwrap();
        assert_eq!(again, out);
    }

    #[test]
    fn write_rejects_bad_keywords_and_values() {
        let png = build_png(&[]);
        for (keyword, value) in [("", "x"), ("a\0b", "x"), ("日本", "x"), ("k", "a\0b")] {
            let err = media::write_png_text(&png, &[(keyword, value)]).unwrap_err();
            assert_eq!(err.code(), "INVALID_MEDIA", "{keyword:?}");
        }
        let long = "k".repeat(80);
        assert!(media::write_png_text(&png, &[(&long, "x")]).is_err());
        assert!(media::write_png_text(&png, &[(&long[..79], "x")]).is_ok());
        let err = media::write_png_text(b"GIF89a", &[("k", "v")]).unwrap_err();
        assert_eq!(err.code(), "INVALID_MEDIA");
        let err = media::write_png_text(&png[..png.len() - 12], &[("k", "v")]).unwrap_err();
        assert_eq!(err.code(), "INVALID_MEDIA");
    }

    #[test]
    fn write_keeps_bytes_after_iend() {
        let mut png = build_png(&[]);
        png.extend_from_slice(b"trailer");
        let out = media::write_png_text(&png, &[("k", "v")]).unwrap();
        assert!(out.ends_with(b"IEND\xae\x42\x60\x82trailer"));
    }

    #[test]
    fn corrupt_png_is_a_typed_error() {
        let bomb = {
            // 1 MiB of zeros per chunk, 70 chunks: over the shared 64 MiB budget.
            let mut body = vec![0];
            body.extend(miniz_oxide::deflate::compress_to_vec_zlib(
                &vec![b'a'; 1 << 20],
                9,
            ));
            text(b"zTXt", "bomb", &body)
        };
        let bombs: Vec<Vec<u8>> = (0..70).map(|_| bomb.clone()).collect();
        let err = media::extract(&build_png(&bombs)).unwrap_err();
        assert!(err.to_string().contains("64 MiB"), "{err}");

        let cases = [
            build_png(&[text(b"zTXt", "k", b"\x00not zlib")]),
            build_png(&[text(b"zTXt", "k", b"\x01x")]),
            build_png(&[encode_chunk(b"tEXt", b"no separator")]),
            build_png(&[text(b"iTXt", "k", b"\x00\x00no terminators")]),
            build_png(&[text(b"iTXt", "k", b"")]),
            // Length field of 2^31: over the spec limit.
            build_png(&[b"\x80\x00\x00\x00tEXt".to_vec()]),
            // Length field that runs past the end.
            build_png(&[b"\x00\x10\x00\x00tEXt".to_vec()]),
            build_png(&[b"\x00\x00\x00\x00t\x00Xt\x00\x00\x00\x00".to_vec()]),
        ];
        for png in cases {
            let err = media::extract(&png).unwrap_err();
            assert_eq!(err.code(), "INVALID_MEDIA", "{err}");
        }
        // An iTXt compressed with an unknown method is skipped, as in the editor.
        let png = build_png(&[text(b"iTXt", "k", b"\x01\x07\0\0data")]);
        assert!(media::extract(&png).unwrap().other.is_empty());
    }

    /// The prompt `POST /prompt` sent in `run_invert_save_post.json`, which the server saved as
    /// `clienttest/invert_00001_.png` (`view_output_of_run.png`).
    const RUN_PROMPT: &str = r#"{"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 3368601}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "clienttest/invert"}}}"#;

    /// `run_extra_data_post.json`: the same graph with `color` 255 and prefix `clienttest/extra`,
    /// and `extra_data.extra_pnginfo.workflow`; saved as `view_output_extra_data.png`.
    const EXTRA_WORKFLOW: &str =
        r#"{"nodes": [], "links": [], "version": 0.4, "note": "client-test"}"#;

    fn class_types(prompt: &serde_json::Value) -> Vec<&str> {
        let mut types: Vec<&str> = prompt
            .as_object()
            .unwrap()
            .values()
            .map(|node| node["class_type"].as_str().unwrap())
            .collect();
        types.sort_unstable();
        types
    }

    #[test]
    fn real_server_png_without_extra_pnginfo() {
        assert_eq!(media::detect(REAL_RUN), Some(MediaKind::Png));
        let meta = media::extract(REAL_RUN).unwrap();
        let prompt = meta.prompt.clone().unwrap();
        assert_eq!(prompt, crate::json::parse(RUN_PROMPT).unwrap());
        assert_eq!(
            class_types(&prompt),
            ["EmptyImage", "ImageInvert", "SaveImage"]
        );
        // Key order is the server's (json.dumps of the validated prompt).
        let ids: Vec<&String> = prompt.as_object().unwrap().keys().collect();
        assert_eq!(ids, ["1", "2", "3"]);
        assert_eq!(meta.workflow, None);
        assert!(meta.other.is_empty());
        assert_eq!(meta.require().unwrap().workflow, None);
        let empty = media::extract(&build_png(&[])).unwrap();
        assert_eq!(empty.require().unwrap_err().code(), "NO_EMBEDDED_WORKFLOW");
    }

    #[test]
    fn real_server_png_with_workflow() {
        let meta = media::extract(REAL_EXTRA).unwrap();
        let prompt = meta.prompt.clone().unwrap();
        assert_eq!(
            class_types(&prompt),
            ["EmptyImage", "ImageInvert", "SaveImage"]
        );
        assert_eq!(prompt["1"]["inputs"]["color"], 255);
        assert_eq!(prompt["3"]["inputs"]["filename_prefix"], "clienttest/extra");
        assert_eq!(
            meta.workflow,
            Some(crate::json::parse(EXTRA_WORKFLOW).unwrap())
        );
        assert!(meta.other.is_empty());
    }

    #[test]
    fn real_server_png_round_trips() {
        // Rewriting the server's own text: the chunks move after IDAT (before IEND) but carry the
        // same bytes (`json.dumps` output is ASCII, so they stay tEXt).
        let raw = |png: &[u8]| -> Vec<(String, String)> {
            extract(png, &mut InflateBudget::new(1 << 20)).unwrap()
        };
        let texts = raw(REAL_EXTRA);
        let entries: Vec<(&str, &str)> = texts
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let out = media::write_png_text(REAL_EXTRA, &entries).unwrap();
        checked_chunks(&out);
        assert_eq!(raw(&out), texts);
        assert_eq!(
            media::extract(&out).unwrap(),
            media::extract(REAL_EXTRA).unwrap()
        );

        // Embedding a new workflow into the run's PNG.
        let out = media::write_png_text(REAL_RUN, &[("workflow", EXTRA_WORKFLOW)]).unwrap();
        checked_chunks(&out);
        let meta = media::extract(&out).unwrap();
        assert_eq!(meta.prompt, Some(crate::json::parse(RUN_PROMPT).unwrap()));
        assert_eq!(
            meta.workflow,
            Some(crate::json::parse(EXTRA_WORKFLOW).unwrap())
        );
        // And replacing the prompt keeps a single prompt chunk.
        let out = media::write_png_text(&out, &[("prompt", "{}")]).unwrap();
        let prompts = raw(&out).into_iter().filter(|(k, _)| k == "prompt").count();
        assert_eq!(prompts, 1);
        assert_eq!(
            media::extract(&out).unwrap().prompt,
            Some(serde_json::json!({}))
        );
    }

    #[test]
    fn every_truncation_of_a_real_png_fails_cleanly() {
        for real in [REAL_RUN, REAL_EXTRA] {
            for cut in 0..real.len() {
                let head = &real[..cut];
                if let Err(err) = media::extract(head) {
                    assert!(
                        matches!(err.code(), "INVALID_MEDIA" | "UNSUPPORTED_MEDIA"),
                        "{cut}: {err}"
                    );
                }
                let _ = media::write_png_text(head, &[("prompt", "{}")]);
            }
        }
    }
}
