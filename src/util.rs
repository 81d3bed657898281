//! Small helpers shared by the CLI and the exporters.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a rename,
/// so a failed run never leaves a half-written output.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// An output folder written as a whole: the files go into a temporary folder
/// beside it, which replaces the folder at [`OutputDir::commit`]. A folder
/// therefore always holds one plan, complete (never a new `plan.json` beside
/// an old plan's itineraries, nor half a set after a failure). Made before
/// the solve, so that an output that cannot be written fails at once.
pub struct OutputDir {
    target: std::path::PathBuf,
    tmp: std::path::PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Checks that `target` can take a plan and makes the temporary folder.
    /// `marker` is the file every earlier output holds (`plan.json`): a
    /// folder with files but without it is not replaced.
    pub fn prepare(target: &Path, marker: &str) -> Result<OutputDir> {
        if target.is_file() {
            return Err(Error::invalid(
                target,
                "exists and is a file: `--out` names a folder to write the plan into",
            ));
        }
        if target.is_dir() {
            let mut entries = std::fs::read_dir(target).map_err(|e| Error::io(target, e))?;
            let empty = entries.next().is_none();
            if !empty && !target.join(marker).is_file() {
                return Err(Error::invalid(
                    target,
                    format!(
                        "holds files but no `{marker}`: it is not an earlier output of arcplan, \
                         and would be replaced whole; choose a new or empty folder"
                    ),
                ));
            }
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = parent.join(format!(".{name}.{}.partial", std::process::id()));
        if tmp.exists() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        std::fs::create_dir(&tmp).map_err(|e| {
            Error::invalid(
                target,
                format!(
                    "cannot be written: its folder {} refuses a new folder ({e})",
                    parent.display()
                ),
            )
        })?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            tmp,
            committed: false,
        })
    }

    /// Where the files go until the commit.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The folder named by the user.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the new folder in place of the old one (if any).
    pub fn commit(mut self) -> Result<()> {
        let old = self.tmp.with_extension("old");
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, e));
        }
        self.committed = true;
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}
