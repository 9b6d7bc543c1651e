//! Choice lists that depend on the server's folders: model files in `models/<folder>` for the
//! loaders' combos, image files in `input/` for LoadImage. The real server lists them on every
//! `GET /object_info` and validates against those lists; so does the emulator. The captured
//! catalog was taken with no models, so a model name validates only once a file (an empty one
//! will do) is in `models/` — put there by `--model checkpoints/x.safetensors` or by a test.

use std::path::Path;
use std::sync::Arc;

use comfywire::Catalog;
use serde_json::Value;

use crate::files::Dirs;

/// Which loader input lists which model folder.
const MODEL_INPUTS: &[(&str, &str, &str)] = &[
    ("CheckpointLoaderSimple", "ckpt_name", "checkpoints"),
    ("CheckpointLoader", "ckpt_name", "checkpoints"),
    ("unCLIPCheckpointLoader", "ckpt_name", "checkpoints"),
    ("ImageOnlyCheckpointLoader", "ckpt_name", "checkpoints"),
    ("CreateHookModelAsLora", "ckpt_name", "checkpoints"),
    ("CreateHookModelAsLoraModelOnly", "ckpt_name", "checkpoints"),
    ("LoraLoader", "lora_name", "loras"),
    ("LoraLoaderModelOnly", "lora_name", "loras"),
    ("CreateHookLora", "lora_name", "loras"),
    ("CreateHookLoraModelOnly", "lora_name", "loras"),
    ("VAELoader", "vae_name", "vae"),
    ("CLIPLoader", "clip_name", "text_encoders"),
    ("DualCLIPLoader", "clip_name1", "text_encoders"),
    ("DualCLIPLoader", "clip_name2", "text_encoders"),
    ("TripleCLIPLoader", "clip_name1", "text_encoders"),
    ("TripleCLIPLoader", "clip_name2", "text_encoders"),
    ("TripleCLIPLoader", "clip_name3", "text_encoders"),
    ("QuadrupleCLIPLoader", "clip_name1", "text_encoders"),
    ("QuadrupleCLIPLoader", "clip_name2", "text_encoders"),
    ("QuadrupleCLIPLoader", "clip_name3", "text_encoders"),
    ("QuadrupleCLIPLoader", "clip_name4", "text_encoders"),
    ("CLIPVisionLoader", "clip_name", "clip_vision"),
    ("UNETLoader", "unet_name", "diffusion_models"),
    ("ControlNetLoader", "control_net_name", "controlnet"),
    ("DiffControlNetLoader", "control_net_name", "controlnet"),
    ("StyleModelLoader", "style_model_name", "style_models"),
    ("GLIGENLoader", "gligen_name", "gligen"),
    ("HypernetworkLoader", "hypernetwork_name", "hypernetworks"),
    ("UpscaleModelLoader", "model_name", "upscale_models"),
    ("PhotoMakerLoader", "photomaker_model_name", "photomaker"),
    ("ModelPatchLoader", "name", "model_patches"),
    ("AudioEncoderLoader", "audio_encoder_name", "audio_encoders"),
];

/// Extensions the server counts as model files.
const MODEL_EXTENSIONS: [&str; 9] = [
    "ckpt",
    "pt",
    "pt2",
    "bin",
    "pth",
    "safetensors",
    "pkl",
    "sft",
    "gguf",
];

/// Model files under `models/<folder>`, as relative `/` paths, sorted.
pub fn model_files(dirs: &Dirs, folder: &str) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>, depth: usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && depth < 8 {
                walk(root, &path, out, depth + 1);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| MODEL_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
                && let Ok(rel) = path.strip_prefix(root)
            {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let root = dirs.models().join(folder);
    let mut out = Vec::new();
    walk(&root, &root, &mut out, 0);
    out.sort();
    out
}

/// The folder listings the catalog depends on, in `MODEL_INPUTS` order of first use.
fn listings(dirs: &Dirs) -> Listing {
    let mut out: Listing = Vec::new();
    for (_, _, folder) in MODEL_INPUTS {
        if !out.iter().any(|(f, _)| f == folder) {
            out.push((folder, model_files(dirs, folder)));
        }
    }
    out
}

/// Writes the current listings into an `/object_info` document (the whole catalog or a part).
pub fn patch(doc: &mut Value, dirs: &Dirs) {
    let listing = listings(dirs);
    for (class, input, folder) in MODEL_INPUTS {
        let Some(files) = listing.iter().find(|(f, _)| f == folder).map(|(_, l)| l) else {
            continue;
        };
        if files.is_empty() {
            continue;
        }
        for section in ["required", "optional"] {
            let Some(spec) = doc.pointer_mut(&format!("/{class}/input/{section}/{input}")) else {
                continue;
            };
            // Legacy combo: the list is the type. V3 combo: `options`. Entries that are not
            // files (VAELoader's "pixel_space") stay after the files, as the server lists them.
            let list = match spec.get(0).map(Value::is_array) {
                Some(true) => spec.get_mut(0),
                _ => spec.pointer_mut("/1/options"),
            };
            if let Some(Value::Array(list)) = list {
                let extra: Vec<Value> = list
                    .iter()
                    .filter(|v| v.as_str().is_some_and(|s| !files.iter().any(|f| f == s)))
                    .cloned()
                    .collect();
                *list = files
                    .iter()
                    .cloned()
                    .map(Value::String)
                    .chain(extra)
                    .collect();
            }
        }
    }
    let images: Vec<Value> = dirs.input_images().into_iter().map(Value::String).collect();
    for name in ["LoadImage", "LoadImageMask"] {
        if let Some(choices) = doc.pointer_mut(&format!("/{name}/input/required/image/0"))
            && choices.is_array()
        {
            *choices = Value::Array(images.clone());
        }
    }
    // The training loaders list every folder under input/ (recursively, sorted). Load3D's
    // INPUT_TYPES creates input/3d whenever it is listed, which in the whole catalog is after
    // them: a fresh server's first catalog has no "3d" folder, the next ones do.
    let folders: Vec<Value> = dirs
        .input_subfolders()
        .into_iter()
        .map(Value::String)
        .collect();
    for name in [
        "LoadImageSetFromFolderNode",
        "LoadImageTextSetFromFolderNode",
    ] {
        if let Some(choices) = doc.pointer_mut(&format!("/{name}/input/required/folder/0"))
            && choices.is_array()
        {
            *choices = Value::Array(folders.clone());
        }
    }
    if doc.get("Load3D").is_some() {
        let _ = std::fs::create_dir_all(dirs.input().join("3d"));
    }
}

/// Model listings by folder.
type Listing = Vec<(&'static str, Vec<String>)>;

/// The catalog validation uses: the base one while `models/` is empty, else one rebuilt with
/// the current model lists (kept until the listing changes).
#[derive(Debug)]
pub struct ValidationCatalog {
    base: Arc<Catalog>,
    cached: std::sync::Mutex<Option<(Listing, Arc<Catalog>)>>,
}

impl ValidationCatalog {
    pub fn new(base: Catalog) -> ValidationCatalog {
        ValidationCatalog {
            base: Arc::new(base),
            cached: std::sync::Mutex::new(None),
        }
    }

    pub fn base(&self) -> &Catalog {
        &self.base
    }

    pub fn current(&self, object_info: &Value, dirs: &Dirs) -> Arc<Catalog> {
        let listing = listings(dirs);
        if listing.iter().all(|(_, files)| files.is_empty()) {
            return self.base.clone();
        }
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((key, catalog)) = cached.as_ref()
            && *key == listing
        {
            return catalog.clone();
        }
        let mut doc = object_info.clone();
        patch(&mut doc, dirs);
        let catalog = match Catalog::from_value(&doc) {
            Ok(c) => Arc::new(c),
            Err(_) => self.base.clone(),
        };
        *cached = Some((listing, catalog.clone()));
        catalog
    }
}

/// The model files a prompt loads, as `folder/name` (for `--models-for`: an emulator that has
/// exactly what a workflow needs, so a demo run validates like on a server that has them).
pub fn models_needed(prompt: &comfywire::Prompt) -> Vec<String> {
    let mut out = Vec::new();
    for node in prompt.nodes.values() {
        let class = node.class_type.as_deref().unwrap_or("");
        for (loader, input, folder) in MODEL_INPUTS {
            if *loader != class {
                continue;
            }
            if let Some(Value::String(name)) = node.inputs.get(*input) {
                let file = format!("{folder}/{name}");
                if !out.contains(&file) {
                    out.push(file);
                }
            }
        }
    }
    out
}
