//! The `prompt` / `workflow` JSON that ComfyUI embeds in the files it writes, read from (and, for
//! PNG, written into) byte slices — no I/O.
//!
//! | writer | container | where |
//! |---|---|---|
//! | `SaveImage`, `PreviewImage` | PNG | `tEXt` chunks `prompt`, `workflow` (any `extra_pnginfo` key) |
//! | `SaveAnimatedPNG` | APNG | private `comf` chunks after the frames, `keyword\0json` |
//! | `SaveAnimatedWEBP` | WebP | `EXIF` chunk, IFD0 strings `"prompt:{…}"`, `"workflow:{…}"` |
//! | `SaveAudio` (FLAC), Opus, Vorbis | FLAC / Ogg | Vorbis comments `prompt=…`, `workflow=…` |
//! | `SaveAudioMP3` | MP3 | ID3v2 `TXXX` frames, description `prompt` / `workflow` |
//!
//! The JSON comes from Python's `json.dumps`, which may write bare `NaN`/`Infinity`; it is read with
//! [`parse_json_lenient`], like the editor's `parseJsonWithNonFinite`.
//!
//! Untrusted input is safe: every length is checked against the bytes that are left, there is no
//! recursion on file structure, and decompressed text is capped at [`MAX_INFLATED_BYTES`] per file.
//! Broken structure is reported as [`Error::InvalidMedia`], never a panic.

mod bytes;
mod flac;
mod lenient;
mod mp3;
mod ogg;
mod png;
mod vorbis;
mod webp;

use indexmap::IndexMap;
use serde_json::Value;

use crate::error::{Error, Result};

pub use lenient::parse_json_lenient;

/// The most decompressed text (zTXt, compressed iTXt, compressed ID3 frames) one file may produce.
pub const MAX_INFLATED_BYTES: usize = 64 << 20;

/// What a media file carries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbeddedMetadata {
    /// The API-format prompt (`prompt` key), parsed.
    pub prompt: Option<Value>,
    /// The UI-format workflow (`workflow` key), parsed.
    pub workflow: Option<Value>,
    /// Every other text entry, raw, in file order (a repeated key keeps its first position and its
    /// last value). A `prompt` or `workflow` whose text is not JSON is kept here too.
    pub other: Vec<(String, String)>,
}

impl EmbeddedMetadata {
    /// `self` if it carries a workflow or a prompt, else [`Error::NoEmbeddedWorkflow`]. (Like the
    /// editor, prefer `workflow` and fall back to `prompt`.)
    pub fn require(self) -> Result<Self> {
        if self.workflow.is_none() && self.prompt.is_none() {
            return Err(Error::NoEmbeddedWorkflow);
        }
        Ok(self)
    }
}

/// A container the reader knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaKind {
    Png,
    Webp,
    Flac,
    Ogg,
    Mp3,
}

impl MediaKind {
    /// Lower-case name, as used in [`Error::InvalidMedia`]'s `container`.
    pub fn name(self) -> &'static str {
        match self {
            MediaKind::Png => "png",
            MediaKind::Webp => "webp",
            MediaKind::Flac => "flac",
            MediaKind::Ogg => "ogg",
            MediaKind::Mp3 => "mp3",
        }
    }
}

/// Recognises a container from its first bytes (an ID3v2 tag in front of `fLaC` counts as FLAC).
pub fn detect(bytes: &[u8]) -> Option<MediaKind> {
    if bytes.starts_with(png::SIGNATURE) {
        Some(MediaKind::Png)
    } else if webp::is_webp(bytes) {
        Some(MediaKind::Webp)
    } else if bytes.starts_with(b"OggS") {
        Some(MediaKind::Ogg)
    } else if flac::stream_start(bytes).is_some() {
        Some(MediaKind::Flac)
    } else if bytes.starts_with(b"ID3") || mp3::is_mpeg_frame(bytes) {
        Some(MediaKind::Mp3)
    } else {
        None
    }
}

/// Reads the embedded `prompt`, `workflow` and other text entries of a PNG, WebP, FLAC, Ogg or MP3
/// file. Keys match exactly in PNG (as in the editor) and ASCII-case-insensitively elsewhere (an
/// exact match wins over e.g. `Workflow`); the last entry of a key wins. A file without metadata
/// gives empty fields; see [`EmbeddedMetadata::require`].
///
/// Errors: [`Error::UnsupportedMedia`] if [`detect`] knows no container, [`Error::InvalidMedia`]
/// for broken structure (truncation, impossible lengths, corrupt or oversized compressed text).
pub fn extract(bytes: &[u8]) -> Result<EmbeddedMetadata> {
    let kind = detect(bytes).ok_or(Error::UnsupportedMedia)?;
    let mut budget = bytes::InflateBudget::new(MAX_INFLATED_BYTES);
    let entries = match kind {
        MediaKind::Png => png::extract(bytes, &mut budget)?,
        MediaKind::Webp => webp::extract(bytes)?,
        MediaKind::Flac => flac::extract(bytes)?,
        MediaKind::Ogg => ogg::extract(bytes)?,
        MediaKind::Mp3 => mp3::extract(bytes, &mut budget)?,
    };
    Ok(assemble(entries, kind != MediaKind::Png))
}

/// Returns a copy of `png` with a text chunk per entry inserted before `IEND`, after removing every
/// existing text chunk (`tEXt`, `zTXt`, `iTXt`, `comf`) with one of those keywords. ASCII values go
/// in `tEXt` (as the server writes them); others in an uncompressed `iTXt`, which is UTF-8 for every
/// reader. CRCs are computed; all other bytes are copied unchanged.
///
/// Errors: [`Error::InvalidMedia`] if `png` is not a complete PNG, a keyword is not 1–79 Latin-1
/// characters, or a keyword or value contains NUL.
pub fn write_png_text(png: &[u8], entries: &[(&str, &str)]) -> Result<Vec<u8>> {
    png::write_text(png, entries)
}

const KEYS: [&str; 2] = ["prompt", "workflow"];

/// Sorts raw entries into prompt / workflow / other.
fn assemble(entries: Vec<(String, String)>, case_insensitive: bool) -> EmbeddedMetadata {
    // Per key: (exact match?, key as written, text). An exact key beats a case variant.
    let mut found: [Option<(bool, String, String)>; 2] = [None, None];
    let mut other: IndexMap<String, String> = IndexMap::new();
    for (key, text) in entries {
        let slot = KEYS
            .iter()
            .position(|k| key == *k || (case_insensitive && key.eq_ignore_ascii_case(k)));
        match slot {
            Some(i) => {
                let exact = key == KEYS[i];
                if found[i]
                    .as_ref()
                    .is_none_or(|(was_exact, ..)| exact || !was_exact)
                {
                    found[i] = Some((exact, key, text));
                }
            }
            None => {
                other.insert(key, text);
            }
        }
    }
    let mut parsed = found.map(|entry| {
        let (_, key, text) = entry?;
        match parse_json_lenient(&text) {
            Ok(value) => Some(value),
            Err(_) => {
                other.insert(key, text);
                None
            }
        }
    });
    EmbeddedMetadata {
        prompt: parsed[0].take(),
        workflow: parsed[1].take(),
        other: other.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_bytes_are_unsupported() {
        for bytes in [
            &b""[..],
            b"GIF89a",
            b"\x89PN",
            b"RIFF\0\0\0\0WAVE",
            b"{\"prompt\": {}}",
        ] {
            assert_eq!(detect(bytes), None);
            assert_eq!(extract(bytes).unwrap_err(), Error::UnsupportedMedia);
        }
        assert_eq!(Error::UnsupportedMedia.code(), "UNSUPPORTED_MEDIA");
    }

    #[test]
    fn assemble_prefers_exact_keys_and_keeps_bad_json_raw() {
        let entries = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let meta = assemble(
            entries(&[
                ("workflow", "{\"a\": 1}"),
                ("Workflow", "{\"a\": 2}"),
                ("Prompt", "{\"p\": 1}"),
                ("x", "1"),
                ("y", "2"),
                ("x", "3"),
            ]),
            true,
        );
        assert_eq!(meta.workflow, Some(serde_json::json!({"a": 1})));
        assert_eq!(meta.prompt, Some(serde_json::json!({"p": 1})));
        let other: Vec<(&str, &str)> = meta
            .other
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(other, [("x", "3"), ("y", "2")]);

        // Case variants do not count in PNG; unparseable JSON stays in `other`.
        let meta = assemble(
            entries(&[("Prompt", "{}"), ("workflow", "{not json")]),
            false,
        );
        assert_eq!((meta.prompt, meta.workflow), (None, None));
        assert_eq!(
            meta.other,
            entries(&[("Prompt", "{}"), ("workflow", "{not json")])
        );
        let err = assemble(vec![], false).require().unwrap_err();
        assert_eq!(err.code(), "NO_EMBEDDED_WORKFLOW");
    }

    /// xorshift64*: deterministic pseudo-random bytes without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    fn check_no_panic(bytes: &[u8]) {
        match extract(bytes) {
            Ok(_) => {}
            Err(err) => assert!(
                matches!(err.code(), "INVALID_MEDIA" | "UNSUPPORTED_MEDIA"),
                "{err:?}"
            ),
        }
        let _ = write_png_text(bytes, &[("prompt", "{}"), ("workflow", "é")]);
    }

    #[test]
    fn random_and_mutated_input_never_panics() {
        let valid: Vec<Vec<u8>> = vec![
            write_png_text(&png::tests::build_png(&[]), &[("prompt", "{}")]).unwrap(),
            webp::tests::build_webp(&webp::tests::build_tiff(
                true,
                &[(0x0110, "prompt:{}"), (0x010f, "workflow:{}")],
            )),
            webp::tests::build_webp(&webp::tests::build_tiff(false, &[(0x0110, "prompt:{}")])),
            flac::tests::build_flac(&[("prompt", "{}"), ("workflow", "{}")]),
            ogg::tests::build_opus(&[("prompt", "{}"), ("workflow", "{}")]),
            mp3::tests::build_mp3(
                4,
                0,
                &[("TXXX", 0, mp3::tests::txxx_payload(1, "prompt", "{}"))],
            ),
            mp3::tests::build_mp3(
                3,
                0x80,
                &[("TXXX", 0, mp3::tests::txxx_payload(0, "prompt", "{}"))],
            ),
        ];
        let prefixes: [&[u8]; 9] = [
            png::SIGNATURE,
            b"RIFF\0\0\0\0WEBPEXIF",
            b"RIFF\0\0\0\0WEBP",
            b"fLaC",
            b"OggS\0",
            b"ID3\x03\0",
            b"ID3\x04\0\0",
            b"\xff\xfb",
            b"",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for i in 0..10_000 {
            let bytes = if i % 2 == 0 {
                // A signature followed by noise.
                let mut bytes = prefixes[rng.below(prefixes.len())].to_vec();
                let n = rng.below(300);
                bytes.extend(rng.bytes(n));
                bytes
            } else {
                // A valid file with a few bytes changed, then maybe cut short.
                let mut bytes = valid[rng.below(valid.len())].clone();
                for _ in 0..=rng.below(4) {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
                let cut = rng.below(bytes.len() + 1);
                bytes.truncate(if rng.below(2) == 0 { cut } else { bytes.len() });
                bytes
            };
            check_no_panic(&bytes);
        }
        for file in &valid {
            assert!(
                extract(file).unwrap().require().is_ok(),
                "{:?}",
                detect(file)
            );
            for cut in 0..file.len() {
                check_no_panic(&file[..cut]);
            }
        }
    }
}
