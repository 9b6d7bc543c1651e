//! What nodes compute, as far as a client can tell: image sizes, colours and batch counts flow
//! through the graph (so a SaveImage writes as many files as the real one would), primitives
//! and strings carry their values (so PreviewAny shows the real text), and output nodes report
//! the `ui` dicts the server reports. Everything else produces a placeholder of its output type.

use std::hash::{Hash, Hasher};

use comfywire::catalog::NodeDef;
use indexmap::IndexMap;
use serde_json::Value;

use crate::files::{Dirs, annotation, inside};
use crate::image::{Sniffed, rgb_of, sniff};
use crate::pyjson;

/// Images, masks and latents are described by size, batch and one colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Img {
    pub width: u64,
    pub height: u64,
    pub batch: u64,
    pub rgb: [u8; 3],
}

impl Default for Img {
    fn default() -> Self {
        Img {
            width: 64,
            height: 64,
            batch: 1,
            rgb: [128, 128, 128],
        }
    }
}

/// One output value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Image(Img),
    Mask(Img),
    Latent(Img),
    /// INT, FLOAT, STRING, BOOLEAN and other plain values.
    Json(Value),
    /// Anything the emulator does not model (MODEL, CLIP, CONDITIONING…): its type name.
    Opaque(String),
}

impl Val {
    /// `str()` of the value as the server would print it in `current_inputs`.
    pub fn describe(&self) -> String {
        match self {
            Val::Image(i) | Val::Mask(i) | Val::Latent(i) => format!(
                "tensor(<emulated {} {}x{}x{}>)",
                self.type_name(),
                i.batch,
                i.height,
                i.width
            ),
            Val::Json(v) => pyjson::py_str(v),
            Val::Opaque(t) => format!("<emulated {t}>"),
        }
    }

    fn type_name(&self) -> &str {
        match self {
            Val::Image(_) => "IMAGE",
            Val::Mask(_) => "MASK",
            Val::Latent(_) => "LATENT",
            Val::Json(_) => "value",
            Val::Opaque(t) => t,
        }
    }

    fn as_img(&self) -> Option<Img> {
        match self {
            Val::Image(i) | Val::Mask(i) | Val::Latent(i) => Some(*i),
            _ => None,
        }
    }
}

/// An input as a node receives it.
#[derive(Debug, Clone)]
pub enum Input {
    Literal(Value),
    Linked(Val),
}

impl Input {
    fn json(&self) -> Option<&Value> {
        match self {
            Input::Literal(v) | Input::Linked(Val::Json(v)) => Some(v),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Input::Literal(v) => pyjson::py_str(v),
            Input::Linked(v) => v.describe(),
        }
    }
}

/// What an output node does besides computing values.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    /// SaveImage: `prefix_NNNNN_.png` per batch item in `output/`.
    SaveImages {
        images: Img,
        prefix: String,
    },
    /// PreviewImage and other image outputs: `ComfyUI_temp_xxxxx_NNNNN_.png` in `temp/`.
    PreviewImages(Img),
    /// SaveAnimatedPNG: one file for the batch, `"animated": [true]`.
    AnimatedPng {
        images: Img,
        prefix: String,
    },
    /// SaveImageWebsocket: each image sent as a binary PNG frame with a progress step, no ui.
    WebsocketImages(Img),
    /// PreviewAny: `{"text": [...]}`.
    Text(String),
}

/// A node's results.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub outputs: Vec<Val>,
    pub effect: Effect,
    /// Text the node shows on its UI (a binary type-3 frame), e.g. GetImageSize's.
    pub progress_text: Option<String>,
}

/// A Python exception raised by a node.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: String,
    pub exception_type: String,
}

/// Classes that report sampling progress (and send latent previews).
pub fn is_sampler(class_type: &str) -> bool {
    matches!(
        class_type,
        "KSampler" | "KSamplerAdvanced" | "SamplerCustom" | "SamplerCustomAdvanced"
    )
}

/// The number of steps a sampler reports: the knob, else its literal `steps` input, else 20.
pub fn sampler_steps(inputs: &IndexMap<String, Input>, knob: Option<u64>) -> u64 {
    knob.or_else(|| int(inputs, "steps"))
        .unwrap_or(20)
        .clamp(1, 10_000)
}

fn int(inputs: &IndexMap<String, Input>, name: &str) -> Option<u64> {
    let v = inputs.get(name)?.json()?;
    v.as_u64().or_else(|| v.as_f64().map(|f| f.max(0.0) as u64))
}

fn float(inputs: &IndexMap<String, Input>, name: &str) -> Option<f64> {
    inputs.get(name)?.json()?.as_f64()
}

fn string(inputs: &IndexMap<String, Input>, name: &str) -> Option<String> {
    inputs.get(name)?.json().map(pyjson::py_str)
}

/// The first image-like input, in input order.
fn first_img(inputs: &IndexMap<String, Input>) -> Option<Img> {
    inputs.values().find_map(|i| match i {
        Input::Linked(v) => v.as_img(),
        Input::Literal(_) => None,
    })
}

fn first_of(inputs: &IndexMap<String, Input>, pick: fn(&Val) -> Option<Img>) -> Option<Img> {
    inputs.values().find_map(|i| match i {
        Input::Linked(v) => pick(v),
        Input::Literal(_) => None,
    })
}

/// A colour that depends on `seed` (samplers with other seeds make other pictures).
fn colour_of(seed: &Value) -> [u8; 3] {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    seed.to_string().hash(&mut h);
    let x = h.finish();
    [(x >> 16) as u8, (x >> 8) as u8, x as u8]
}

/// Runs one node.
pub fn evaluate(
    class_type: &str,
    def: Option<&NodeDef>,
    inputs: &IndexMap<String, Input>,
    dirs: &Dirs,
) -> Result<Evaluated, Failure> {
    let mut special: Option<Vec<Val>> = None;
    let mut progress_text = None;
    match class_type {
        "EmptyImage" => {
            special = Some(vec![Val::Image(Img {
                width: int(inputs, "width").unwrap_or(512),
                height: int(inputs, "height").unwrap_or(512),
                batch: int(inputs, "batch_size").unwrap_or(1),
                rgb: rgb_of(int(inputs, "color").unwrap_or(0)),
            })]);
        }
        c if c.starts_with("Empty") && c.contains("Latent") => {
            special = Some(vec![Val::Latent(Img {
                width: int(inputs, "width").unwrap_or(512),
                height: int(inputs, "height").unwrap_or(512),
                batch: int(inputs, "batch_size").unwrap_or(1),
                ..Img::default()
            })]);
        }
        "LoadImage" | "LoadImageMask" => {
            let img = load_image(inputs, dirs)?;
            special = Some(if class_type == "LoadImage" {
                vec![Val::Image(img), Val::Mask(img)]
            } else {
                vec![Val::Mask(img)]
            });
        }
        "ImageScale" => {
            if let Some(mut img) = first_img(inputs) {
                let (w, h) = (
                    int(inputs, "width").unwrap_or(0),
                    int(inputs, "height").unwrap_or(0),
                );
                // 0 keeps the aspect ratio from the other side, as the node does.
                match (w, h) {
                    (0, 0) => {}
                    (0, h) => {
                        img.width = (img.width * h / img.height.max(1)).max(1);
                        img.height = h;
                    }
                    (w, 0) => {
                        img.height = (img.height * w / img.width.max(1)).max(1);
                        img.width = w;
                    }
                    (w, h) => (img.width, img.height) = (w, h),
                }
                special = Some(vec![Val::Image(img)]);
            }
        }
        "ImageScaleBy" => {
            if let Some(mut img) = first_img(inputs) {
                let s = float(inputs, "scale_by").unwrap_or(1.0).max(0.0);
                img.width = ((img.width as f64 * s) as u64).max(1);
                img.height = ((img.height as f64 * s) as u64).max(1);
                special = Some(vec![Val::Image(img)]);
            }
        }
        "ImageInvert" => {
            if let Some(mut img) = first_img(inputs) {
                img.rgb = img.rgb.map(|c| 255 - c);
                special = Some(vec![Val::Image(img)]);
            }
        }
        "GetImageSize" => {
            let img = first_img(inputs).unwrap_or_default();
            progress_text = Some(format!(
                "width: {}, height: {}\n batch size: {}",
                img.width, img.height, img.batch
            ));
            special = Some(vec![
                Val::Json(img.width.into()),
                Val::Json(img.height.into()),
                Val::Json(img.batch.into()),
            ]);
        }
        "StringConcatenate" => {
            let a = string(inputs, "string_a").unwrap_or_default();
            let b = string(inputs, "string_b").unwrap_or_default();
            let d = string(inputs, "delimiter").unwrap_or_default();
            special = Some(vec![Val::Json(Value::String(format!("{a}{d}{b}")))]);
        }
        c if is_sampler(c) => {
            let mut latent = first_of(inputs, |v| match v {
                Val::Latent(i) => Some(*i),
                _ => None,
            })
            .unwrap_or_default();
            let seed = ["seed", "noise_seed"]
                .iter()
                .find_map(|k| inputs.get(*k).and_then(Input::json).cloned())
                .unwrap_or(Value::Null);
            latent.rgb = colour_of(&seed);
            special = Some(vec![Val::Latent(latent), Val::Latent(latent)]);
        }
        _ => {}
    }
    let outputs = match special {
        Some(v) => v,
        None => generic_outputs(def, inputs),
    };
    Ok(Evaluated {
        effect: effect(class_type, def, inputs),
        outputs,
        progress_text,
    })
}

/// Outputs by declared type, taken from inputs of a matching kind where there are some.
fn generic_outputs(def: Option<&NodeDef>, inputs: &IndexMap<String, Input>) -> Vec<Val> {
    let Some(def) = def else {
        return Vec::new();
    };
    let kind = |want: fn(&Val) -> Option<Img>| first_of(inputs, want);
    def.outputs
        .iter()
        .map(|o| match o.output_type.as_str() {
            "IMAGE" => Val::Image(
                kind(|v| match v {
                    Val::Image(i) => Some(*i),
                    _ => None,
                })
                .or_else(|| first_img(inputs))
                .unwrap_or_default(),
            ),
            "LATENT" => Val::Latent(
                kind(|v| match v {
                    Val::Latent(i) => Some(*i),
                    _ => None,
                })
                .or_else(|| first_img(inputs))
                .unwrap_or_default(),
            ),
            "MASK" => Val::Mask(
                kind(|v| match v {
                    Val::Mask(i) => Some(*i),
                    _ => None,
                })
                .or_else(|| first_img(inputs))
                .unwrap_or_default(),
            ),
            t @ ("INT" | "FLOAT" | "STRING" | "BOOLEAN") => {
                let matches = |v: &Value| match t {
                    "INT" => v.as_i64().is_some() || v.as_u64().is_some(),
                    "FLOAT" => v.is_number(),
                    "STRING" => v.is_string(),
                    _ => v.is_boolean(),
                };
                let found = inputs
                    .values()
                    .filter_map(Input::json)
                    .find(|v| matches(v))
                    .cloned();
                Val::Json(found.unwrap_or_else(|| match t {
                    "INT" => 0.into(),
                    "FLOAT" => pyjson::float_value(0.0),
                    "STRING" => "".into(),
                    _ => false.into(),
                }))
            }
            other => Val::Opaque(other.to_string()),
        })
        .collect()
}

fn effect(class_type: &str, def: Option<&NodeDef>, inputs: &IndexMap<String, Input>) -> Effect {
    let images = || first_img(inputs).unwrap_or_default();
    let prefix = || string(inputs, "filename_prefix").unwrap_or_else(|| "ComfyUI".into());
    match class_type {
        "SaveImage" => Effect::SaveImages {
            images: images(),
            prefix: prefix(),
        },
        "PreviewImage" | "MaskPreview" => Effect::PreviewImages(images()),
        "SaveAnimatedPNG" => Effect::AnimatedPng {
            images: images(),
            prefix: prefix(),
        },
        "SaveImageWebsocket" => Effect::WebsocketImages(images()),
        "PreviewAny" => Effect::Text(preview_text(inputs.get("source"))),
        _ if def.is_some_and(|d| d.output_node) && first_img(inputs).is_some() => {
            Effect::PreviewImages(images())
        }
        _ => Effect::None,
    }
}

/// PreviewAny's text: strings as they are, numbers and booleans by `str()`, other values as
/// JSON.
fn preview_text(source: Option<&Input>) -> String {
    match source {
        None => "None".into(),
        Some(Input::Literal(v)) | Some(Input::Linked(Val::Json(v))) => match v {
            Value::String(s) => s.clone(),
            Value::Null => "None".into(),
            Value::Number(_) | Value::Bool(_) => pyjson::py_str(v),
            other => pyjson::dumps(other),
        },
        Some(Input::Linked(v)) => v.describe(),
    }
}

/// LoadImage: the file must be an image PIL can open.
fn load_image(inputs: &IndexMap<String, Input>, dirs: &Dirs) -> Result<Img, Failure> {
    let name = string(inputs, "image").unwrap_or_default();
    let (file, kind) = annotation(&name);
    let base = dirs
        .of_type(kind.unwrap_or("input"))
        .expect("annotations name known folders");
    let path = inside(&base, file);
    let bytes = path.as_ref().and_then(|p| std::fs::read(p).ok());
    let shown = path.unwrap_or_else(|| base.join(file));
    let Some(bytes) = bytes else {
        return Err(Failure {
            message: format!("[Errno 2] No such file or directory: '{}'", shown.display()),
            exception_type: "FileNotFoundError".into(),
        });
    };
    match sniff(&bytes) {
        Sniffed::Png(w, h) => Ok(Img {
            width: w.into(),
            height: h.into(),
            ..Img::default()
        }),
        Sniffed::OtherImage => Ok(Img::default()),
        Sniffed::NotImage => Err(Failure {
            message: format!("cannot identify image file '{}'", shown.display()),
            exception_type: "PIL.UnidentifiedImageError".into(),
        }),
    }
}
