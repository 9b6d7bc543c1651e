#![no_main]
//! Any bytes as a PNG/WebP/FLAC/Ogg/MP3 written by ComfyUI: extraction answers the embedded
//! metadata or a typed error, never panics; PNG text written back is read back.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let kind = comfywire::media::detect(data);
    let extracted = comfywire::media::extract(data);
    if kind.is_none() {
        assert!(
            extracted.is_err(),
            "extracted metadata from an unknown container"
        );
    }
    let readable = extracted.is_ok();
    if let Ok(meta) = extracted {
        let _ = meta.require();
    }
    let _ = comfywire::js::extract(data);
    // Rewriting keeps every other chunk as it was, so only a PNG that read back before must read
    // back after.
    if readable && kind == Some(comfywire::media::MediaKind::Png) {
        if let Ok(png) = comfywire::media::write_png_text(data, &[("prompt", "{\"1\": 2}")]) {
            let meta = comfywire::media::extract(&png).expect("a PNG we wrote reads back");
            assert_eq!(meta.prompt, Some(serde_json::json!({"1": 2})));
        }
    }
});
