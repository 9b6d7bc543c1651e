//! The emulator's folders (`input/`, `output/`, `temp/`, `models/`) and the server's rules for
//! naming, finding and refusing files.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

/// Model folder names, in the order `GET /models` lists them.
pub const MODEL_FOLDERS: [&str; 20] = [
    "checkpoints",
    "configs",
    "loras",
    "vae",
    "text_encoders",
    "diffusion_models",
    "clip_vision",
    "style_models",
    "embeddings",
    "diffusers",
    "vae_approx",
    "controlnet",
    "gligen",
    "upscale_models",
    "custom_nodes",
    "hypernetworks",
    "photomaker",
    "classifiers",
    "model_patches",
    "audio_encoders",
];

/// Extensions the server counts as images when listing `input/` for LoadImage.
const IMAGE_EXTENSIONS: [&str; 10] = [
    "png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff", "avif", "ico",
];

/// Where the emulator keeps files.
#[derive(Debug)]
pub struct Dirs {
    pub root: PathBuf,
    /// Remove `root` when the emulator stops (it made a temporary one).
    pub owned: bool,
}

impl Dirs {
    /// Uses `dir`, or makes a fresh temporary folder (removed on exit). Creates the folders, puts
    /// `example.png` in `input/` as a fresh ComfyUI has it, and empties `temp/` as the server
    /// does at start.
    pub fn create(dir: Option<PathBuf>) -> io::Result<Dirs> {
        let (root, owned) = match dir {
            Some(d) => (d, false),
            None => {
                remove_stale_temp_dirs();
                let name = format!(
                    "comfywire-emulator.{}.{}",
                    std::process::id(),
                    uuid::Uuid::new_v4().simple()
                );
                (std::env::temp_dir().join(name), true)
            }
        };
        let dirs = Dirs { root, owned };
        for sub in ["input", "output", "temp"] {
            std::fs::create_dir_all(dirs.root.join(sub))?;
        }
        for folder in MODEL_FOLDERS {
            std::fs::create_dir_all(dirs.root.join("models").join(folder))?;
        }
        let example = dirs.input().join("example.png");
        if !example.exists() {
            std::fs::write(example, crate::image::solid_png(64, 64, [128, 128, 128]))?;
        }
        dirs.wipe_temp();
        Ok(dirs)
    }

    pub fn input(&self) -> PathBuf {
        self.root.join("input")
    }

    pub fn output(&self) -> PathBuf {
        self.root.join("output")
    }

    pub fn temp(&self) -> PathBuf {
        self.root.join("temp")
    }

    pub fn models(&self) -> PathBuf {
        self.root.join("models")
    }

    /// The folder of a file type (`input`, `output`, `temp`).
    pub fn of_type(&self, kind: &str) -> Option<PathBuf> {
        match kind {
            "input" => Some(self.input()),
            "output" => Some(self.output()),
            "temp" => Some(self.temp()),
            _ => None,
        }
    }

    /// Creates an empty model file `folder/name` under `models/` (a placeholder: the emulator
    /// never reads models).
    pub fn add_model(&self, spec: &str) -> io::Result<()> {
        let invalid = |why: &str| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("model {spec:?}: {why}"),
            )
        };
        let (folder, name) = spec
            .split_once('/')
            .ok_or_else(|| invalid("expected FOLDER/NAME, e.g. checkpoints/model.safetensors"))?;
        if !MODEL_FOLDERS.contains(&folder) {
            return Err(invalid(&format!(
                "unknown folder (one of {})",
                MODEL_FOLDERS.join(", ")
            )));
        }
        let path = inside(&self.models().join(folder), name)
            .filter(|_| !name.is_empty())
            .ok_or_else(|| invalid("the name must stay inside the folder"))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if !path.exists() {
            std::fs::write(path, b"")?;
        }
        Ok(())
    }

    pub fn wipe_temp(&self) {
        let temp = self.temp();
        let _ = std::fs::remove_dir_all(&temp);
        let _ = std::fs::create_dir_all(&temp);
    }

    /// Image files directly in `input/`, sorted: LoadImage's choices.
    pub fn input_images(&self) -> Vec<String> {
        let mut names: Vec<String> = top_level_files(&self.input())
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| {
                Path::new(name)
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            })
            .collect();
        names.sort();
        names
    }

    /// Every folder under `input/`, recursively, as `/` paths, sorted (Python's string order,
    /// which for UTF-8 is byte order): the training loaders' `folder` choices.
    pub fn input_subfolders(&self) -> Vec<String> {
        fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                    continue;
                }
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = format!("{prefix}{name}");
                walk(&entry.path(), &format!("{path}/"), out);
                out.push(path);
            }
        }
        let mut out = Vec::new();
        walk(&self.input(), "", &mut out);
        out.sort();
        out
    }

    /// `GET /internal/files/{type}`: file names, newest first.
    pub fn newest_first(&self, kind: &str) -> Option<Vec<String>> {
        let mut files = top_level_files(&self.of_type(kind)?);
        files.sort_by_key(|f| std::cmp::Reverse(f.1));
        Some(files.into_iter().map(|(n, _)| n).collect())
    }

    /// Whether `name` (a path inside the folder of `kind`) is an existing file. Paths that leave
    /// the folder count as missing.
    pub fn file_exists(&self, kind: &str, name: &str) -> bool {
        self.of_type(kind)
            .and_then(|base| inside(&base, name))
            .is_some_and(|p| p.is_file())
    }
}

impl Dirs {
    /// Removes the folder if the emulator made it (idempotent).
    pub fn cleanup(&self) {
        if self.owned {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

impl Drop for Dirs {
    fn drop(&mut self) {
        self.cleanup();
    }
}

/// Temporary folders of emulators that were killed (SIGKILL leaves no chance to clean up): the
/// process id in the name is no longer running. Linux only, where `/proc` tells.
fn remove_stale_temp_dirs() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix("comfywire-emulator."))
        else {
            continue;
        };
        let Some(pid) = rest.split('.').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn top_level_files(dir: &Path) -> Vec<(String, SystemTime)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            if !meta.is_file() {
                return None;
            }
            let name = e.file_name().into_string().ok()?;
            Some((name, meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)))
        })
        .collect()
}

/// `base/rel` if it stays inside `base` once `.` and `..` are resolved (lexically, as Python's
/// `os.path.normpath` + `commonpath` check does); `None` if it escapes or is absolute.
pub fn inside(base: &Path, rel: &str) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(p) => parts.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    let mut out = base.to_path_buf();
    out.extend(parts);
    Some(out)
}

/// Python's `os.path.splitext`: the extension starts at the last dot that is not leading.
pub fn splitext(name: &str) -> (&str, &str) {
    let stem_start = name.rfind('/').map_or(0, |i| i + 1);
    let base = &name[stem_start..];
    let leading_dots = base.len() - base.trim_start_matches('.').len();
    match base.rfind('.') {
        Some(i) if i >= leading_dots => name.split_at(stem_start + i),
        _ => (name, ""),
    }
}

/// A file name annotated with its folder, `"a.png [output]"` → (`a.png`, `Some("output")`).
pub fn annotation(name: &str) -> (&str, Option<&'static str>) {
    for kind in ["input", "output", "temp"] {
        let suffix = format!(" [{kind}]");
        if let Some(stripped) = name.strip_suffix(&suffix) {
            return (stripped, Some(kind));
        }
    }
    (name, None)
}

/// Where a SaveImage-style node writes: `prefix` `"clienttest/invert"` → subfolder
/// `clienttest`, base name `invert`, and the next free counter for that name in that folder.
pub struct SavePath {
    pub folder: PathBuf,
    pub subfolder: String,
    pub base: String,
    pub counter: u64,
}

/// Resolves `filename_prefix` in `root` as the server's `get_save_image_path` does; `Err` with
/// the server's message when the prefix leaves the folder.
pub fn save_path(root: &Path, prefix: &str) -> Result<SavePath, String> {
    let (sub, base) = match prefix.rfind('/') {
        Some(i) => (&prefix[..i], &prefix[i + 1..]),
        None => ("", prefix),
    };
    let folder = inside(root, sub).ok_or_else(|| {
        format!(
            "**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: {}\n         output_dir: {}",
            root.join(sub).display(),
            root.display()
        )
    })?;
    let subfolder = folder
        .strip_prefix(root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    // The counter continues after the highest `base_NNNNN_` already in the folder.
    let highest = std::fs::read_dir(&folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let rest = name.strip_prefix(base)?.strip_prefix('_')?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if digits.len() == 5 && rest[5..].starts_with('_') {
                digits.parse::<u64>().ok()
            } else {
                None
            }
        })
        .max()
        .unwrap_or(0);
    Ok(SavePath {
        folder,
        subfolder,
        base: base.to_string(),
        counter: highest + 1,
    })
}

/// `Content-Type` for `/view`, from the extension; active content is never served as such.
pub fn content_type(name: &str) -> &'static str {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "svg" => "image/svg+xml",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "wav" => "audio/x-wav",
        "ogg" | "opus" => "audio/ogg",
        "json" => "application/json",
        "txt" => "text/plain",
        "glb" => "model/gltf-binary",
        _ => "application/octet-stream",
    }
}

/// An HTTP date (`Sun, 22 Nov 2026 08:01:33 GMT`).
pub fn http_date(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[days.rem_euclid(7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_path_rules() {
        assert_eq!(splitext("client_test.png"), ("client_test", ".png"));
        assert_eq!(splitext("a.b.c"), ("a.b", ".c"));
        assert_eq!(splitext(".hidden"), (".hidden", ""));
        assert_eq!(splitext("noext"), ("noext", ""));
        assert_eq!(annotation("a.png [output]"), ("a.png", Some("output")));
        assert_eq!(annotation("a.png"), ("a.png", None));
        let base = Path::new("/data/output");
        assert_eq!(
            inside(base, "a/../b"),
            Some(PathBuf::from("/data/output/b"))
        );
        assert_eq!(inside(base, "../../etc"), None);
        assert_eq!(inside(base, "/etc"), None);
        assert_eq!(inside(base, ""), Some(base.to_path_buf()));
    }

    #[test]
    fn http_dates() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_795_334_493);
        assert_eq!(http_date(t), "Sun, 22 Nov 2026 08:01:33 GMT");
        assert_eq!(
            http_date(SystemTime::UNIX_EPOCH),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }
}
