//! Tiny solid-colour images: the PNG files output nodes write and the previews samplers send.
//!
//! Real outputs are full-size renders; the emulator keeps their shape (a valid PNG per batch
//! item, with the same metadata chunks) and caps the size so tests stay fast.

/// Largest side of an image the emulator writes; bigger requests are scaled down.
pub const MAX_SIDE: u32 = 256;

/// The size to draw for a requested size: aspect kept, no side above [`MAX_SIDE`] or below 1.
pub fn capped(width: u64, height: u64) -> (u32, u32) {
    let (w, h) = (width.max(1), height.max(1));
    let longest = w.max(h);
    if longest <= MAX_SIDE as u64 {
        return (w as u32, h as u32);
    }
    let scale = |x: u64| ((x * MAX_SIDE as u64) / longest).max(1) as u32;
    (scale(w), scale(h))
}

/// An 8-bit RGB PNG filled with one colour.
pub fn solid_png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let row: Vec<u8> = std::iter::once(0u8) // filter type None
        .chain((0..width).flat_map(|_| rgb))
        .collect();
    let raw: Vec<u8> = (0..height).flat_map(|_| row.iter().copied()).collect();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // depth 8, colour type RGB, deflate, no filter, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6),
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// A baseline JPEG filled with one colour (what latent previews are sent as).
pub fn solid_jpeg(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height).flat_map(|_| rgb).collect();
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, 80);
    encoder
        .encode(
            &pixels,
            width as u16,
            height as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("encoding a small RGB buffer into memory cannot fail");
    out
}

/// What a file holds, as far as loading it as an image goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A PNG with its size.
    Png(u32, u32),
    /// Another format PIL opens (JPEG, GIF, WebP, BMP, TIFF); size not read.
    OtherImage,
    /// Not an image: loading it raises `PIL.UnidentifiedImageError`.
    NotImage,
}

pub fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() >= 24 && &bytes[12..16] == b"IHDR" {
        let w = u32::from_be_bytes(bytes[16..20].try_into().expect("4 bytes"));
        let h = u32::from_be_bytes(bytes[20..24].try_into().expect("4 bytes"));
        return Sniffed::Png(w, h);
    }
    let image = bytes.starts_with(&[0xff, 0xd8, 0xff])
        || bytes.starts_with(b"GIF8")
        || (bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP")
        || bytes.starts_with(b"BM")
        || bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*");
    if image {
        Sniffed::OtherImage
    } else {
        Sniffed::NotImage
    }
}

/// `0xRRGGBB` (the `color` input of EmptyImage) as bytes.
pub fn rgb_of(color: u64) -> [u8; 3] {
    [(color >> 16) as u8, (color >> 8) as u8, color as u8]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_is_readable_by_the_core() {
        let png = solid_png(4, 3, [1, 2, 3]);
        assert_eq!(sniff(&png), Sniffed::Png(4, 3));
        let tagged = comfywire::media::write_png_text(&png, &[("prompt", "{}")]).unwrap();
        let meta = comfywire::media::extract(&tagged).unwrap();
        assert_eq!(meta.prompt, Some(serde_json::json!({})));
    }

    #[test]
    fn jpeg_and_sizes() {
        let jpeg = solid_jpeg(8, 8, [10, 20, 30]);
        assert!(jpeg.starts_with(&[0xff, 0xd8, 0xff]));
        assert_eq!(sniff(&jpeg), Sniffed::OtherImage);
        assert_eq!(sniff(b"not an image"), Sniffed::NotImage);
        assert_eq!(capped(1024, 512), (256, 128));
        assert_eq!(capped(64, 0), (64, 1));
        assert_eq!(rgb_of(0x336699), [0x33, 0x66, 0x99]);
    }
}
