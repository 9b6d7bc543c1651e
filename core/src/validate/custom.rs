//! The node classes of ComfyUI 0.3.64 that define their own input validation (`VALIDATE_INPUTS`
//! on V1 nodes, an overridden `validate_inputs` on V3 nodes), and offline stand-ins for what those
//! functions check. The catalog cannot say which classes have one, so they are listed here.

use super::py::{Py, PyErr, float_repr, py_int};
use super::traceback as tb;

/// What a node's own validation function checks.
#[derive(Debug, Clone, Copy)]
pub(super) enum Check {
    /// `folder_paths.exists_annotated_filepath(value)`, else `"Invalid {what} file: {value}"`.
    FileExists {
        what: &'static str,
        frame: &'static str,
    },
    /// `validate_aspect_ratio` between 1:4 and 4:1 (Flux 1.1 Ultra).
    AspectRatio,
    /// At least one non-zero camera movement (Kling).
    CameraControls,
    /// The type linked to `original_model_task_id` is one of the Tripo task ids.
    TripoTaskType,
}

/// One class's validation function.
#[derive(Debug, Clone, Copy)]
pub(super) struct Validator {
    /// `inspect.getfullargspec(...).args`, the bound `cls`/`s` included.
    pub(super) args: &'static [&'static str],
    /// `Class.method` as Python names it in "missing argument" errors.
    pub(super) qualname: &'static str,
    pub(super) v3: bool,
    pub(super) check: Check,
}

const IMAGE: Check = Check::FileExists {
    what: "image",
    frame: tb::LOAD_IMAGE_CHECK,
};

pub(super) fn validator(class_type: &str) -> Option<Validator> {
    let v = |args, qualname, v3, check| {
        Some(Validator {
            args,
            qualname,
            v3,
            check,
        })
    };
    match class_type {
        "LoadImage" => v(&["s", "image"], "LoadImage.VALIDATE_INPUTS", false, IMAGE),
        // Inherits LoadImage's function.
        "LoadImageOutput" => v(&["s", "image"], "LoadImage.VALIDATE_INPUTS", false, IMAGE),
        "LoadImageMask" => v(
            &["s", "image"],
            "LoadImageMask.VALIDATE_INPUTS",
            false,
            Check::FileExists {
                what: "image",
                frame: tb::LOAD_IMAGE_MASK_CHECK,
            },
        ),
        "LoadLatent" => v(
            &["s", "latent"],
            "LoadLatent.VALIDATE_INPUTS",
            false,
            Check::FileExists {
                what: "latent",
                frame: tb::LOAD_LATENT_CHECK,
            },
        ),
        "LoadAudio" => v(
            &["s", "audio"],
            "LoadAudio.VALIDATE_INPUTS",
            false,
            Check::FileExists {
                what: "audio",
                frame: tb::LOAD_AUDIO_CHECK,
            },
        ),
        "LoadVideo" => v(
            &["s", "file"],
            "LoadVideo.validate_inputs",
            true,
            Check::FileExists {
                what: "video",
                frame: tb::LOAD_VIDEO_CHECK,
            },
        ),
        "FluxProUltraImageNode" => v(
            &["cls", "aspect_ratio"],
            "FluxProUltraImageNode.validate_inputs",
            true,
            Check::AspectRatio,
        ),
        "KlingCameraControls" => v(
            &[
                "cls",
                "horizontal_movement",
                "vertical_movement",
                "pan",
                "tilt",
                "roll",
                "zoom",
            ],
            "KlingCameraControls.validate_inputs",
            true,
            Check::CameraControls,
        ),
        "TripoConversionNode" => v(
            &["cls", "input_types"],
            "TripoConversionNode.VALIDATE_INPUTS",
            false,
            Check::TripoTaskType,
        ),
        _ => None,
    }
}

/// An exception escaping a validation function, with the traceback entries below the caller.
#[derive(Debug)]
pub(super) struct Raised {
    pub(super) err: PyErr,
    pub(super) frames: Vec<&'static str>,
}

/// Answers "does this file exist?" for the file-loading nodes.
pub(super) trait FileLookup {
    /// `folder` is `input`, `output` or `temp`; `name` is relative to it (annotation removed).
    /// `listing` is what the catalog's combo offers for the input (the input folder as the
    /// server listed it), when it offers one.
    fn exists(&self, folder: &str, name: &str, listing: Option<&[Py]>) -> bool;
}

/// `folder_paths.annotated_filepath`: `"x.png [output]"` → (`output`, `"x.png"`). Python slices a
/// fixed length off, so a missing space eats the name's last character, exactly as there.
pub(super) fn split_annotation(name: &str) -> (&'static str, String) {
    let chars: Vec<char> = name.chars().collect();
    let cut = |n: usize| chars[..chars.len().saturating_sub(n)].iter().collect();
    if name.ends_with("[output]") {
        ("output", cut(9))
    } else if name.ends_with("[input]") {
        ("input", cut(8))
    } else if name.ends_with("[temp]") {
        ("temp", cut(7))
    } else {
        ("input", name.to_string())
    }
}

/// Runs `check` on the arguments the server would pass (`args`: name → value, in call order).
/// `Ok(None)` is `True`; `Ok(Some(msg))` is a returned message. `lead` holds the traceback
/// entries from the server's call down to the function itself.
pub(super) fn run(
    check: Check,
    args: &[(String, Py)],
    listing: Option<&[Py]>,
    files: &dyn FileLookup,
    lead: &[&'static str],
) -> Result<Option<String>, Raised> {
    let arg = |name: &str| args.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let raised = |err: PyErr, tail: &[&'static str]| {
        let mut frames = lead.to_vec();
        frames.extend_from_slice(tail);
        Raised { err, frames }
    };
    match check {
        Check::FileExists { what, frame } => {
            let value = args.first().map(|(_, v)| v).unwrap_or(&Py::None);
            let Py::Str(name) = value else {
                return Err(raised(
                    PyErr::new(
                        "AttributeError",
                        format!("'{}' object has no attribute 'endswith'", value.type_name()),
                    ),
                    &[frame, tb::EXISTS_ANNOTATED, tb::ANNOTATED],
                ));
            };
            let (folder, rel) = split_annotation(name);
            Ok((!files.exists(folder, &rel, listing))
                .then(|| format!("Invalid {what} file: {name}")))
        }
        Check::AspectRatio => Ok(aspect_ratio(arg("aspect_ratio").unwrap_or(&Py::None))),
        Check::CameraControls => {
            let names = [
                "horizontal_movement",
                "vertical_movement",
                "pan",
                "tilt",
                "roll",
                "zoom",
            ];
            // `any(not math.isclose(v, 0.0) for v in values)`: FLOAT inputs arrive as floats, or
            // as `None` when linked; only zero itself is close to zero (NaN never is).
            for name in names {
                match arg(name) {
                    Some(Py::Float(f)) if *f == 0.0 => {}
                    Some(Py::Float(_)) => return Ok(None),
                    other => {
                        let kind = other.map_or("NoneType", Py::type_name);
                        return Err(raised(
                            PyErr::type_error(format!("must be real number, not {kind}")),
                            &[tb::KLING_CHECK, tb::KLING_ANY, tb::KLING_GENEXPR],
                        ));
                    }
                }
            }
            Ok(Some(
                "Invalid camera control configs: at least one of the values must be non-zero"
                    .into(),
            ))
        }
        Check::TripoTaskType => {
            let types = arg("input_types");
            match types.and_then(|t| t.dict_get("original_model_task_id")) {
                None => Err(raised(
                    PyErr::key_error(&Py::Str("original_model_task_id".into())),
                    &[tb::TRIPO_CHECK],
                )),
                Some(t) => {
                    let ok = matches!(
                        t.as_str(),
                        Some("MODEL_TASK_ID" | "RIG_TASK_ID" | "RETARGET_TASK_ID")
                    );
                    Ok((!ok).then(|| {
                        "original_model_task_id must be MODEL_TASK_ID, RIG_TASK_ID or RETARGET_TASK_ID type"
                            .to_string()
                    }))
                }
            }
        }
    }
}

/// `validate_aspect_ratio(value, 1/4, 4/1, "1:4", "4:1")` with every exception turned into its
/// message, as the node does.
fn aspect_ratio(value: &Py) -> Option<String> {
    let Py::Str(text) = value else {
        return Some(format!(
            "'{}' object has no attribute 'split'",
            value.type_name()
        ));
    };
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() != 2 {
        return Some(format!(
            "Aspect ratio must be in the format X:Y, such as 16:9, but was {text}."
        ));
    }
    let (Ok(num), Ok(den)) = (
        py_int(&Py::Str(parts[0].into())),
        py_int(&Py::Str(parts[1].into())),
    ) else {
        return Some(format!(
            "Aspect ratio must contain numbers separated by ':', such as 16:9, but was {text}."
        ));
    };
    if den.is_zero() {
        return Some("division by zero".into());
    }
    // Python's int / int is correctly rounded; f64 division is too while both fit 2^53.
    let (n, d) = (
        num.to_f64().unwrap_or(f64::INFINITY),
        den.to_f64().unwrap_or(f64::INFINITY),
    );
    let ratio = n / d;
    if ratio < 0.25 {
        return Some(format!(
            "Aspect ratio cannot reduce to any less than 1:4 (0.25), but was {text} ({}).",
            float_repr(ratio)
        ));
    }
    if ratio > 4.0 {
        return Some(format!(
            "Aspect ratio cannot reduce to any greater than 4:1 (4.0), but was {text} ({}).",
            float_repr(ratio)
        ));
    }
    None
}
