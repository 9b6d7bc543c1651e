//! `run --out DIR`: each output file goes to `DIR/<subfolder>/<filename>` as the server laid it
//! out (files of type `temp`, previews, under `DIR/temp/`), so two outputs with the same name in
//! different subfolders both survive. A server names these paths, so each component is checked:
//! nothing can climb out of DIR, no symbolic link under DIR is followed, an existing file is
//! never replaced unless asked, and a file name that cannot be a file gets a safe one.

use std::io::Write;
use std::path::{Path, PathBuf};

use comfywire::protocol::FileRef;

/// Longest file name most file systems take, in bytes.
const MAX_NAME_BYTES: usize = 255;

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
    } else if component.len() > MAX_NAME_BYTES {
        Some("more than 255 bytes")
    } else if component.chars().any(char::is_control) {
        Some("a control character")
    } else {
        None
    }
}

/// A file name that can be one: unusable characters become `_`, an empty, `.` or `..` name
/// becomes `output`, and a long one is cut (keeping its extension).
fn safe_file_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if out.is_empty() || out == "." || out == ".." {
        out = "output".into();
    }
    if out.len() > MAX_NAME_BYTES {
        let ext = Path::new(&out)
            .extension()
            .and_then(|e| e.to_str())
            .filter(|e| e.len() <= 16)
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        let mut cut = MAX_NAME_BYTES - ext.len();
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out = format!("{}{ext}", &out[..cut]);
    }
    out
}

/// A server-chosen name as it may be printed: control characters (newlines, ANSI escapes) shown
/// escaped, not sent to the terminal.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Where `file` goes under `dir`, and a warning when its name had to be changed; or why it
/// cannot be saved (a type or subfolder that would leave `dir`).
pub(crate) fn local_path(dir: &Path, file: &FileRef) -> Result<(PathBuf, Option<String>), String> {
    let mut path = dir.to_path_buf();
    match file.kind.as_str() {
        "" | "output" => {}
        other => {
            if let Some(why) = refusal(other) {
                return Err(format!("type `{}` has {why}", printable(other)));
            }
            path.push(other);
        }
    }
    if file.subfolder.starts_with(['/', '\\']) {
        return Err(format!(
            "subfolder `{}` is absolute",
            printable(&file.subfolder)
        ));
    }
    for component in file.subfolder.split(['/', '\\']).filter(|c| !c.is_empty()) {
        if let Some(why) = refusal(component) {
            return Err(format!(
                "subfolder `{}` has {why}",
                printable(&file.subfolder)
            ));
        }
        path.push(component);
    }
    let mut warning = None;
    if let Some(why) = refusal(&file.filename) {
        let safe = safe_file_name(&file.filename);
        warning = Some(format!(
            "file name `{}` has {why}: saved as {safe}",
            printable(&file.filename)
        ));
        path.push(safe);
    } else {
        path.push(&file.filename);
    }
    Ok((path, warning))
}

/// `path` with ` (n)` before its extension.
fn numbered(path: &Path, n: usize) -> PathBuf {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("output");
    let name = match path.extension().and_then(|e| e.to_str()) {
        Some(ext) => format!("{stem} ({n}).{ext}"),
        None => format!("{stem} ({n})"),
    };
    path.with_file_name(name)
}

/// The folders from `dir` down to `path`'s parent, created where missing; a symbolic link or
/// a file on the way is refused (the write would land outside `dir`, or fail).
fn make_folders(dir: &Path, path: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let Some(parent) = path.parent() else {
        return Ok(());
    };
    let inside = parent
        .strip_prefix(dir)
        .map_err(|_| format!("{} is not under {}", path.display(), dir.display()))?;
    let mut at = dir.to_path_buf();
    for component in inside.components() {
        at.push(component);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!("{} is a symbolic link: not followed", at.display()));
            }
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(format!("{} is a file, not a folder", at.display())),
            Err(_) => std::fs::create_dir(&at)
                .map_err(|e| format!("cannot create {}: {e}", at.display()))?,
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` under `dir`, creating its folders; an existing file is an error
/// unless `overwrite`, and never a symbolic link. A renamed file (`renamed`) takes the next
/// free ` (n)` name instead. Returns where it was written.
pub(crate) fn write(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    overwrite: bool,
    renamed: bool,
) -> Result<PathBuf, String> {
    make_folders(dir, path)?;
    let mut target = path.to_path_buf();
    for n in 2..=1000 {
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!(
                "{} is a symbolic link: not followed",
                target.display()
            ));
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true);
        if overwrite && !renamed {
            options.create(true).truncate(true);
        } else {
            options.create_new(true);
        }
        match options.open(&target) {
            Ok(mut file) => {
                file.write_all(bytes)
                    .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
                return Ok(target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && renamed => {
                target = numbered(path, n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(format!(
                    "{} exists (pass --overwrite to replace it)",
                    target.display()
                ));
            }
            Err(e) => return Err(format!("cannot write {}: {e}", target.display())),
        }
    }
    Err(format!("no free name for {}", path.display()))
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
            local_path(dir, &file("cwA", "same_00001_.png", "output"))
                .unwrap()
                .0,
            dir.join("cwA").join("same_00001_.png")
        );
        assert_eq!(
            local_path(dir, &file("a/b", "x.png", "temp")).unwrap().0,
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
            ("", "x.png", "../up"),
        ] {
            assert!(
                local_path(dir, &file(subfolder, filename, kind)).is_err(),
                "{subfolder:?} {filename:?} {kind:?}"
            );
        }
    }

    #[test]
    fn a_name_that_cannot_be_a_file_gets_a_safe_one_inside_the_folder() {
        let dir = Path::new("out");
        let long = format!("{}.png", "a".repeat(300));
        for (name, expected) in [
            ("", "output"),
            (".", "output"),
            ("..", "output"),
            ("a/b.png", "a_b.png"),
            ("a\\b.png", "a_b.png"),
            ("x\0.png", "x_.png"),
            ("C:evil.png", "C_evil.png"),
            ("line\nbreak\u{1b}[31m.png", "line_break_[31m.png"),
        ] {
            let (path, warning) = local_path(dir, &file("", name, "output")).unwrap();
            assert_eq!(path, dir.join(expected), "{name:?}");
            let warning = warning.expect("a renamed file is reported");
            assert!(
                !warning.contains('\n') && !warning.contains('\u{1b}'),
                "{warning}"
            );
        }
        let (path, _) = local_path(dir, &file("", &long, "output")).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(name.len() <= 255 && name.ends_with(".png"), "{name}");
    }

    #[cfg(unix)]
    #[test]
    fn no_symbolic_link_under_the_folder_is_followed() {
        let base = std::env::temp_dir().join(format!("comfywire-save-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let (dir, outside) = (base.join("out"), base.join("outside"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("sub")).unwrap();
        std::os::unix::fs::symlink(outside.join("target.png"), dir.join("file.png")).unwrap();
        let err = write(&dir, &dir.join("sub").join("x.png"), b"x", true, false).unwrap_err();
        assert!(err.contains("symbolic link"), "{err}");
        let err = write(&dir, &dir.join("file.png"), b"x", true, false).unwrap_err();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(
            std::fs::read_dir(&outside).unwrap().count(),
            0,
            "nothing written outside"
        );
        // A renamed file takes the next free name instead of failing.
        let first = write(&dir, &dir.join("output"), b"1", false, true).unwrap();
        let second = write(&dir, &dir.join("output"), b"2", false, true).unwrap();
        assert_eq!(
            (first.file_name().unwrap(), second.file_name().unwrap()),
            ("output".as_ref(), "output (2)".as_ref())
        );
        std::fs::remove_dir_all(&base).unwrap();
    }
}
