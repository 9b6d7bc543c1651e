//! What `GET /view` does to an image before sending it: `preview=webp;90` or `preview=jpeg;80`
//! re-encodes it, `channel=rgb` drops its alpha, `channel=a` keeps only its alpha (as a black
//! RGBA image). The server decodes any format PIL knows; the emulator decodes PNG (what it
//! writes and what tests upload) and sends other files unchanged. Its WebP is lossless (the
//! server's is lossy at the given quality): the same format and pixels, other bytes.

use std::collections::HashMap;

/// How `/view`'s query asks for the file to be converted, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    Preview {
        format: PreviewFormat,
        quality: u8,
        drop_alpha: bool,
    },
    Rgb,
    Alpha,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewFormat {
    Webp,
    Jpeg,
}

impl Conversion {
    /// The server's reading of the query: a `preview` wins over `channel`; a preview format other
    /// than webp or jpeg, or any channel containing `a`, previews as webp; the quality is the
    /// last `;` part when it is all digits, else 90; JPEG and `channel=rgb` drop the alpha.
    pub fn from_query(query: &HashMap<String, String>) -> Option<Conversion> {
        let channel = query.get("channel").map_or("", String::as_str);
        if let Some(preview) = query.get("preview") {
            let parts: Vec<&str> = preview.split(';').collect();
            let format = match parts[0] {
                "jpeg" if !channel.contains('a') => PreviewFormat::Jpeg,
                _ => PreviewFormat::Webp,
            };
            let last = parts[parts.len() - 1];
            let quality = if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
                last.parse::<u32>().unwrap_or(100).clamp(1, 100) as u8
            } else {
                90
            };
            return Some(Conversion::Preview {
                format,
                quality,
                drop_alpha: format == PreviewFormat::Jpeg || channel == "rgb",
            });
        }
        match channel {
            "rgb" => Some(Conversion::Rgb),
            "a" => Some(Conversion::Alpha),
            _ => None,
        }
    }
}

/// 8-bit RGBA pixels, and whether the file had an alpha channel.
struct Pixels {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
    has_alpha: bool,
}

fn decode_png(bytes: &[u8]) -> Option<Pixels> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let frame = reader.next_frame(&mut buf).ok()?;
    let data = &buf[..frame.buffer_size()];
    let (rgba, has_alpha): (Vec<u8>, bool) = match frame.color_type {
        png::ColorType::Rgba => (data.to_vec(), true),
        png::ColorType::Rgb => (
            data.chunks(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            false,
        ),
        png::ColorType::GrayscaleAlpha => (
            data.chunks(2)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect(),
            true,
        ),
        png::ColorType::Grayscale => (data.iter().flat_map(|&g| [g, g, g, 255]).collect(), false),
        png::ColorType::Indexed => return None,
    };
    Some(Pixels {
        width: frame.width,
        height: frame.height,
        rgba,
        has_alpha,
    })
}

fn rgb_of(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
}

fn encode_png(width: u32, height: u32, data: &[u8], color: png::ColorType) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header().ok()?.write_image_data(data).ok()?;
    Some(out)
}

/// The converted file and its content type, or `None` when the emulator cannot decode it
/// (then it is sent as stored).
pub fn convert(bytes: &[u8], conversion: Conversion) -> Option<(Vec<u8>, &'static str)> {
    let img = decode_png(bytes)?;
    let (w, h) = (img.width, img.height);
    match conversion {
        Conversion::Preview {
            format: PreviewFormat::Jpeg,
            quality,
            ..
        } => {
            let mut out = Vec::new();
            jpeg_encoder::Encoder::new(&mut out, quality)
                .encode(
                    &rgb_of(&img.rgba),
                    u16::try_from(w).ok()?,
                    u16::try_from(h).ok()?,
                    jpeg_encoder::ColorType::Rgb,
                )
                .ok()?;
            Some((out, "image/jpeg"))
        }
        Conversion::Preview {
            format: PreviewFormat::Webp,
            drop_alpha,
            ..
        } => {
            let mut out = Vec::new();
            let encoder = image_webp::WebPEncoder::new(&mut out);
            if img.has_alpha && !drop_alpha {
                encoder.encode(&img.rgba, w, h, image_webp::ColorType::Rgba8)
            } else {
                encoder.encode(&rgb_of(&img.rgba), w, h, image_webp::ColorType::Rgb8)
            }
            .ok()?;
            Some((out, "image/webp"))
        }
        Conversion::Rgb => Some((
            encode_png(w, h, &rgb_of(&img.rgba), png::ColorType::Rgb)?,
            "image/png",
        )),
        Conversion::Alpha => {
            // PIL: a black, fully transparent RGBA image whose alpha is put in (255 without one).
            let alpha: Vec<u8> = img
                .rgba
                .chunks(4)
                .flat_map(|p| [0, 0, 0, if img.has_alpha { p[3] } else { 255 }])
                .collect();
            Some((encode_png(w, h, &alpha, png::ColorType::Rgba)?, "image/png"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_query_is_read_as_the_server_reads_it() {
        let preview = |format, quality, drop_alpha| {
            Some(Conversion::Preview {
                format,
                quality,
                drop_alpha,
            })
        };
        use PreviewFormat::*;
        assert_eq!(
            Conversion::from_query(&query(&[("preview", "webp;50")])),
            preview(Webp, 50, false)
        );
        assert_eq!(
            Conversion::from_query(&query(&[("preview", "jpeg;80")])),
            preview(Jpeg, 80, true)
        );
        assert_eq!(
            Conversion::from_query(&query(&[("preview", "jpeg")])),
            preview(Jpeg, 90, true)
        );
        assert_eq!(
            Conversion::from_query(&query(&[("preview", "gif;7")])),
            preview(Webp, 7, false)
        );
        assert_eq!(
            Conversion::from_query(&query(&[("preview", "jpeg;80"), ("channel", "a")])),
            preview(Webp, 80, false)
        );
        assert_eq!(
            Conversion::from_query(&query(&[("preview", "webp;x"), ("channel", "rgb")])),
            preview(Webp, 90, true)
        );
        assert_eq!(
            Conversion::from_query(&query(&[("channel", "rgb")])),
            Some(Conversion::Rgb)
        );
        assert_eq!(
            Conversion::from_query(&query(&[("channel", "a")])),
            Some(Conversion::Alpha)
        );
        assert_eq!(Conversion::from_query(&query(&[("channel", "rgba")])), None);
        assert_eq!(Conversion::from_query(&query(&[])), None);
    }

    #[test]
    fn alpha_and_rgb_channels_split_an_rgba_png() {
        let rgba = [10, 20, 30, 40, 50, 60, 70, 80];
        let png = encode_png(2, 1, &rgba, png::ColorType::Rgba).unwrap();
        let (alpha, ct) = convert(&png, Conversion::Alpha).unwrap();
        assert_eq!(ct, "image/png");
        assert_eq!(decode_png(&alpha).unwrap().rgba, [0, 0, 0, 40, 0, 0, 0, 80]);
        let (rgb, _) = convert(&png, Conversion::Rgb).unwrap();
        let rgb = decode_png(&rgb).unwrap();
        assert!(!rgb.has_alpha);
        assert_eq!(rgb.rgba, [10, 20, 30, 255, 50, 60, 70, 255]);
        let (webp, ct) = convert(
            &png,
            Conversion::Preview {
                format: PreviewFormat::Webp,
                quality: 90,
                drop_alpha: false,
            },
        )
        .unwrap();
        assert_eq!(
            (ct, &webp[..4], &webp[8..12]),
            ("image/webp", &b"RIFF"[..], &b"WEBP"[..])
        );
        let (jpeg, ct) = convert(
            &png,
            Conversion::Preview {
                format: PreviewFormat::Jpeg,
                quality: 80,
                drop_alpha: true,
            },
        )
        .unwrap();
        assert_eq!((ct, &jpeg[..2]), ("image/jpeg", &[0xff, 0xd8][..]));
        assert!(convert(b"not a png", Conversion::Rgb).is_none());
    }
}
