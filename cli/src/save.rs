//! `run --out DIR`: each output file goes to `DIR/<subfolder>/<filename>` as the server laid it
//! out (files of type `temp`, previews, under `DIR/temp/`), so two outputs with the same name in
//! different subfolders both survive. A server names these paths, so each component is checked:
//! nothing can climb out of DIR, and an existing file is never replaced unless asked.

use std::io::Write;
use std::path::{Path, PathBuf};

use comfywire::protocol::FileRef;

/// Why a path component from the server is refused, if it is.
fn refusal(component: &str) -> Option<&'static str> {
    if component.is_empty() {
        Some("an empty name")
    } else if component == "." || component == ".." {
        Some("a `.` or `..` component")
    } else if component.contains('\0') {
        Some("a NUL byte")
    } else if component.contains(':') {
        Some("a drive letter or `:`")
    } else if component.contains(['/', '\\']) {
        Some("a path separator inside a name")
    } else {
        None
    }
}

/// Where `file` goes under `dir`, or why it cannot be saved.
pub(crate) fn local_path(dir: &Path, file: &FileRef) -> Result<PathBuf, String> {
    let mut path = dir.to_path_buf();
    match file.kind.as_str() {
        "" | "output" => {}
        other => {
            if let Some(why) = refusal(other) {
                return Err(format!("type `{other}` has {why}"));
            }
            path.push(other);
        }
    }
    if file.subfolder.starts_with(['/', '\\']) {
        return Err(format!("subfolder `{}` is absolute", file.subfolder));
    }
    for component in file.subfolder.split(['/', '\\']).filter(|c| !c.is_empty()) {
        if let Some(why) = refusal(component) {
            return Err(format!("subfolder `{}` has {why}", file.subfolder));
        }
        path.push(component);
    }
    if let Some(why) = refusal(&file.filename) {
        return Err(format!("file name `{}` has {why}", file.filename));
    }
    path.push(&file.filename);
    Ok(path)
}

/// Writes `bytes` to `path`, creating its folders; an existing file is an error unless
/// `overwrite`.
pub(crate) fn write(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!("{} exists (pass --overwrite to replace it)", path.display())
        } else {
            format!("cannot write {}: {e}", path.display())
        }
    })?;
    file.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(subfolder: &str, filename: &str, kind: &str) -> FileRef {
        FileRef {
            filename: filename.into(),
            subfolder: subfolder.into(),
            kind: kind.into(),
        }
    }

    #[test]
    fn the_servers_layout_is_kept_and_temp_files_apart() {
        let dir = Path::new("out");
        assert_eq!(
            local_path(dir, &file("cwA", "same_00001_.png", "output")).unwrap(),
            dir.join("cwA").join("same_00001_.png")
        );
        assert_eq!(
            local_path(dir, &file("a/b", "x.png", "temp")).unwrap(),
            dir.join("temp").join("a").join("b").join("x.png")
        );
    }

    #[test]
    fn nothing_a_server_names_climbs_out_of_the_folder() {
        let dir = Path::new("out");
        for (subfolder, filename, kind) in [
            ("..", "x.png", "output"),
            ("a/../..", "x.png", "output"),
            ("/etc", "passwd", "output"),
            ("\\\\host\\share", "x.png", "output"),
            ("C:", "x.png", "output"),
            ("", "..", "output"),
            ("", "a/b.png", "output"),
            ("", "a\\b.png", "output"),
            ("", "x\0.png", "output"),
            ("", "", "output"),
            ("", "x.png", "../up"),
        ] {
            assert!(
                local_path(dir, &file(subfolder, filename, kind)).is_err(),
                "{subfolder:?} {filename:?} {kind:?}"
            );
        }
    }
}
