//! Where a karmada-eks command may write: it replaces or removes only what karmada-eks wrote itself.
//!
//! - A directory output ([`write_dir`], synth's cloud assembly) is written when it does not exist, is empty, or
//!   holds an earlier output the caller recognises as its own (the assembly by its manifest). Entries karmada-eks
//!   did not write beside an earlier output are kept. A non-empty directory of anything else, a regular file, a
//!   symlink or a device is refused before anything is written; no option overrides that.
//! - A file output ([`write_file`], `init`'s config, the kubeconfig) is created when absent; an existing regular
//!   file is replaced only with `force` or when the caller recognises it as a file it wrote. A symlink, a
//!   directory or a device is never written through nor replaced. The new content goes to a temporary file in the
//!   same directory that is renamed over the path, so the file is never half written.
//! - Staging directories carry [`MARKER`]. A leftover of a killed run (`.<name>.tmp-<pid>`,
//!   `.<name>.old-<pid>`, `.karmada-eks.tmp-<pid>`) is removed only when it carries the marker or is an output
//!   karmada-eks wrote, and then only the regular files karmada-eks put there; the directory itself goes only when
//!   that leaves it empty.
//!
//! Every replacement is a `rename` (POSIX `rename()`, which `std::fs::rename` calls on Unix): it swaps the
//! directory entry at the new path, so it never writes into the file a symlink there points to, and it replaces
//! a directory only when that directory is empty. The checks before it look at the final component of a path
//! without following it (`symlink_metadata`).

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The file that marks a directory karmada-eks created for staging; it holds exactly [`MARKER_TEXT`].
pub const MARKER: &str = ".karmada-eks-staging";
const MARKER_TEXT: &str = "staging directory of karmada-eks: it removes this directory on its next run\n";
/// The staging directory's name inside an output directory that is written in place.
const INNER_PREFIX: &str = ".karmada-eks.";
/// How many entries a refusal names before it says how many more there are.
const NAMED: usize = 5;
/// How many bytes of an existing file a [`FileWrite::owned`] check sees.
const OWNED_PREFIX: u64 = 4096;

/// A write refused because it would destroy something karmada-eks did not write. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[error("{} {found}", path.display())]
pub struct Refused {
    pub path: PathBuf,
    /// What is at the path, as the rest of the sentence after it ("is a regular file, ...").
    pub found: String,
    pub hint: String,
}

impl super::hints::Hints for Refused {
    fn hints(&self) -> Vec<String> {
        vec![self.hint.clone()]
    }
}

/// Why an output was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{0}")]
    Refused(#[from] Refused),
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl super::hints::Hints for OutputError {
    fn hints(&self) -> Vec<String> {
        match self {
            OutputError::Refused(r) => super::hints::Hints::hints(r),
            _ => Vec::new(),
        }
    }
}

/// Recognises an output directory karmada-eks wrote and returns the names of the files it wrote there.
pub type Owned<'a> = &'a dyn Fn(&Path) -> Option<BTreeSet<String>>;

/// What is at a path, looked at without following a symlink there.
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    Nothing,
    File,
    Dir,
    Symlink(PathBuf),
    /// A device, named pipe or socket.
    Special(&'static str),
}

impl Found {
    pub fn at(path: &Path) -> io::Result<Found> {
        let meta = match fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Nothing),
            other => other?,
        };
        let t = meta.file_type();
        Ok(if t.is_symlink() {
            Found::Symlink(fs::read_link(path).unwrap_or_default())
        } else if t.is_dir() {
            Found::Dir
        } else if t.is_file() {
            Found::File
        } else {
            Found::Special(special_kind(&t))
        })
    }

    fn describe(&self) -> String {
        match self {
            Found::Nothing => "does not exist".into(),
            Found::File => "is a regular file".into(),
            Found::Dir => "is a directory".into(),
            Found::Symlink(target) => format!("is a symbolic link to {}", target.display()),
            Found::Special(kind) => format!("is a {kind}"),
        }
    }
}

#[cfg(unix)]
fn special_kind(t: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_block_device() {
        "block device"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_fifo() {
        "named pipe"
    } else if t.is_socket() {
        "socket"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "special file"
}

/// How [`write_dir`] writes a directory, decided from what is there before anything is written.
#[derive(Clone, Debug, PartialEq)]
pub enum DirPlan {
    /// Nothing is there: build a sibling staging directory and rename it into place.
    Create,
    /// Only the files of an earlier output (`earlier`): build a sibling staging directory and swap the two, so
    /// the whole directory changes at once.
    Swap { earlier: BTreeSet<String> },
    /// An empty directory, an earlier output beside entries karmada-eks did not write, or a directory that cannot
    /// be swapped (the working directory or one of its parents): stage inside it, rename the new files into
    /// place, remove the `earlier` files the new output lacks, the last file (the commit) last.
    Merge { earlier: BTreeSet<String> },
}

/// Decides how `files` (names in the directory) may be written to `dir`, or refuses.
pub fn plan_dir(dir: &Path, files: &BTreeSet<String>, owned: Owned) -> Result<DirPlan, OutputError> {
    let found = Found::at(dir)?;
    match found {
        Found::Nothing if dir.file_name().is_some() => return Ok(DirPlan::Create),
        Found::Dir => {}
        Found::Nothing => {
            return Err(refused_dir(dir, "does not name a directory that can be created".into()));
        }
        other => {
            return Err(refused_dir(dir, format!("{}, not a directory karmada-eks wrote", other.describe())));
        }
    }
    let entries = fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    // A run killed while renaming its files in left its staging directory with the new manifest: the files it
    // lists that were renamed in already are karmada-eks's too.
    let mut listed = owned(dir).unwrap_or_default();
    let mut leftovers = BTreeSet::new();
    for entry in &entries {
        let path = entry.path();
        if entry.file_type()?.is_dir()
            && is_leftover_name(&entry.file_name(), INNER_PREFIX).is_some()
            && is_ours(&path, owned)
        {
            leftovers.insert(entry.file_name());
            listed.extend(owned(&path).unwrap_or_default());
        }
    }
    let mut earlier = BTreeSet::new();
    let mut foreign = Vec::new();
    for entry in entries.iter().filter(|e| !leftovers.contains(&e.file_name())) {
        let kind = entry.file_type()?;
        let name = entry.file_name();
        match name.to_str() {
            Some(n) if kind.is_file() && listed.contains(n) => {
                earlier.insert(n.to_string());
            }
            _ => foreign.push((name.to_string_lossy().into_owned(), kind.is_dir())),
        }
    }
    if earlier.is_empty() && !foreign.is_empty() {
        foreign.sort();
        let mut names: Vec<String> =
            foreign.iter().take(NAMED).map(|(n, d)| if *d { format!("{n}/") } else { n.clone() }).collect();
        if foreign.len() > NAMED {
            names.push(format!("and {} more", foreign.len() - NAMED));
        }
        return Err(refused_dir(
            dir,
            format!("is a directory holding entries karmada-eks did not write: {}", names.join(", ")),
        ));
    }
    if let Some((name, _)) = foreign.iter().find(|(n, _)| files.contains(n)) {
        return Err(Refused {
            path: dir.join(name),
            found: "was not written by karmada-eks, and the new output has a file of that name".into(),
            hint: format!("rename or remove {} yourself, or choose another directory", dir.join(name).display()),
        }
        .into());
    }
    Ok(if foreign.is_empty() && leftovers.is_empty() && !earlier.is_empty() && swappable(dir) {
        DirPlan::Swap { earlier }
    } else {
        DirPlan::Merge { earlier }
    })
}

fn refused_dir(dir: &Path, found: String) -> OutputError {
    Refused {
        path: dir.to_path_buf(),
        found,
        hint: format!(
            "choose another directory (a new or empty one, or one karmada-eks wrote before), or remove {} yourself",
            dir.display()
        ),
    }
    .into()
}

/// A directory can be renamed away unless it is the working directory or holds it (renaming it would move the
/// shell that ran us), or has no name of its own (`.`, `..`, `/`).
fn swappable(dir: &Path) -> bool {
    let (Some(_), Ok(cwd), Ok(dir)) = (dir.file_name(), std::env::current_dir(), fs::canonicalize(dir)) else {
        return false;
    };
    !cwd.starts_with(dir)
}

/// Writes `files` (name, content) as the directory `dir`, after [`plan_dir`] allowed it. The last file is the
/// commit (the manifest): a reader that finds it finds the files it lists. A failure or a kill leaves what was
/// there intact (Create, Swap) or, while a Merge renames files in, the earlier commit file beside some new files
/// (the assembly's reader refuses that: a template's SHA-256 is not the recorded one); the next run finishes.
pub fn write_dir(dir: &Path, files: &[(String, &str)], owned: Owned) -> Result<DirPlan, OutputError> {
    let _turn = take_turn(dir);
    let names: BTreeSet<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let plan = plan_dir(dir, &names, owned)?;
    match &plan {
        DirPlan::Create => write_beside(dir, files, None, owned)?,
        DirPlan::Swap { earlier } => match write_beside(dir, files, Some(earlier), owned) {
            // A mount point (a container volume, say) cannot be renamed (EBUSY); nothing moved yet.
            Err(e) if e.kind() == io::ErrorKind::ResourceBusy => {
                write_inside(dir, files, &names, earlier, owned)?;
                return Ok(DirPlan::Merge { earlier: earlier.clone() });
            }
            other => other?,
        },
        DirPlan::Merge { earlier } => write_inside(dir, files, &names, earlier, owned)?,
    }
    Ok(plan)
}

/// Two runs writing the same directory at once take turns: an exclusive `flock` on the parent directory (no file
/// is created for it), held until the returned handle drops. Each run then plans against what the other left. A
/// parent that does not exist yet, or a file system without locks, goes without.
fn take_turn(dir: &Path) -> Option<fs::File> {
    let parent = fs::File::open(parent_of(dir)).ok()?;
    parent.lock().ok()?;
    Some(parent)
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn write_beside(dir: &Path, files: &[(String, &str)], swap: Option<&BTreeSet<String>>, owned: Owned) -> io::Result<()> {
    let parent = parent_of(dir);
    let created = create_parents(&parent)?;
    let base = dir.file_name().map(OsStr::to_string_lossy).unwrap_or_default();
    let prefix = format!(".{base}.");
    let staging = parent.join(format!("{prefix}tmp-{}", std::process::id()));
    make_staging(&staging, owned)?;
    let result =
        write_staged(&staging, files).and_then(|()| fs::remove_file(staging.join(MARKER))).and_then(|()| match swap {
            Some(_) => {
                swap_into_place(&staging, dir, &parent.join(format!("{prefix}old-{}", std::process::id())), owned)
            }
            None => fs::rename(&staging, dir),
        });
    if result.is_err() {
        remove_leftover(&staging, owned);
        for dir in &created {
            let _ = fs::remove_dir(dir);
        }
    } else {
        remove_leftovers(&parent, &prefix, owned);
    }
    result
}

/// Creates `dir` and its missing parents; returns those it created, deepest first, for removal after a failure.
fn create_parents(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(path) = at.filter(|p| !p.as_os_str().is_empty() && Found::at(p).is_ok_and(|f| f == Found::Nothing)) {
        missing.push(path.to_path_buf());
        at = path.parent();
    }
    fs::create_dir_all(dir)?;
    Ok(missing)
}

fn swap_into_place(staging: &Path, dir: &Path, old: &Path, owned: Owned) -> io::Result<()> {
    if Found::at(old)? != Found::Nothing && !remove_leftover(old, owned) {
        return Err(io::Error::other(format!("{} is in the way and was not written by karmada-eks", old.display())));
    }
    fs::rename(dir, old)?;
    if let Err(e) = fs::rename(staging, dir) {
        let _ = fs::rename(old, dir);
        return Err(e);
    }
    remove_leftover(old, owned);
    Ok(())
}

fn write_inside(
    dir: &Path,
    files: &[(String, &str)],
    names: &BTreeSet<String>,
    earlier: &BTreeSet<String>,
    owned: Owned,
) -> io::Result<()> {
    let staging = dir.join(format!("{INNER_PREFIX}tmp-{}", std::process::id()));
    make_staging(&staging, owned)?;
    let result = write_staged(&staging, files).and_then(|()| {
        let Some(((commit, _), rest)) = files.split_last() else { return Ok(()) };
        for (name, _) in rest {
            fs::rename(staging.join(name), dir.join(name))?;
        }
        for name in earlier.difference(names) {
            match fs::remove_file(dir.join(name)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        fs::rename(staging.join(commit), dir.join(commit))
    });
    remove_leftover(&staging, owned);
    if result.is_ok() {
        remove_leftovers(dir, INNER_PREFIX, owned);
    }
    result
}

/// Creates `staging` with its marker; a directory already there (a killed run's, same process ID) is removed
/// first when it is a leftover of karmada-eks, else the write fails naming it.
fn make_staging(staging: &Path, owned: Owned) -> io::Result<()> {
    if let Err(e) = fs::create_dir(staging) {
        if e.kind() != io::ErrorKind::AlreadyExists || !remove_leftover(staging, owned) {
            return Err(io::Error::new(
                e.kind(),
                format!("cannot create the staging directory {}: {e}", staging.display()),
            ));
        }
        fs::create_dir(staging)?;
    }
    fs::write(staging.join(MARKER), MARKER_TEXT)
}

fn write_staged(staging: &Path, files: &[(String, &str)]) -> io::Result<()> {
    for (name, content) in files {
        fs::write(staging.join(name), content)?;
    }
    Ok(())
}

/// A directory karmada-eks staged (it carries [`MARKER`]) or an output it wrote.
fn is_ours(dir: &Path, owned: Owned) -> bool {
    is_marked(dir) || owned(dir).is_some()
}

/// A kill while the marker was being written leaves a part of its text, which counts.
fn is_marked(dir: &Path) -> bool {
    let marker = dir.join(MARKER);
    Found::at(&marker).is_ok_and(|f| f == Found::File)
        && fs::read(&marker).is_ok_and(|t| MARKER_TEXT.as_bytes().starts_with(&t))
}

/// Removes the leftover directory `dir` when karmada-eks made it: the marker and every regular file of a marked
/// directory, the listed files of an output it wrote, then the directory if that emptied it (an empty directory
/// holds nothing to lose, so one killed before its marker was written goes too). True when `dir` is gone.
pub fn remove_leftover(dir: &Path, owned: Owned) -> bool {
    match Found::at(dir) {
        Ok(Found::Nothing) => return true,
        Ok(Found::Dir) => {}
        _ => return false,
    }
    let marked = is_marked(dir);
    let listed = owned(dir).unwrap_or_default();
    if !marked && listed.is_empty() {
        return fs::remove_dir(dir).is_ok();
    }
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let ours = marked || name.to_str().is_some_and(|n| listed.contains(n));
            if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    fs::remove_dir(dir).is_ok()
}

/// The process ID in `<prefix>tmp-<pid>` or `<prefix>old-<pid>`.
fn is_leftover_name(name: &OsStr, prefix: &str) -> Option<u32> {
    let rest = name.to_str()?.strip_prefix(prefix)?;
    rest.strip_prefix("tmp-").or_else(|| rest.strip_prefix("old-"))?.parse().ok()
}

/// Removes the leftovers in `parent` named `<prefix>tmp-<pid>` or `<prefix>old-<pid>` whose process is gone (a
/// killed run) and that karmada-eks made.
fn remove_leftovers(parent: &Path, prefix: &str, owned: Owned) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let Some(pid) = is_leftover_name(&entry.file_name(), prefix) else { continue };
        if is_gone(pid) {
            remove_leftover(&entry.path(), owned);
        }
    }
}

/// The process is not running (or is this one). Where liveness cannot be checked (no `/proc`), only this one.
fn is_gone(pid: u32) -> bool {
    let proc = Path::new("/proc");
    pid == std::process::id() || (proc.is_dir() && !proc.join(pid.to_string()).exists())
}

/// How [`write_file`] treats an existing file.
pub struct FileWrite<'a> {
    /// Permission bits of the written file (Unix; the umask applies).
    pub mode: u32,
    /// Replace a regular file karmada-eks did not write (the command's `--force`).
    pub force: bool,
    /// Whether the command has a `--force` for a refusal's hint to name.
    pub offers_force: bool,
    /// Recognises a file the command wrote earlier, which it replaces without `force`; its killed runs'
    /// temporary files are recognised the same way unless `leftovers` says otherwise.
    pub owned: Option<OwnFile<'a>>,
    /// Recognises a killed run's temporary file (`.<name>.tmp-<pid>`, its process gone), which is removed; for a
    /// command whose own files are not recognisable once written (`init`'s config is the user's to edit).
    pub leftovers: Option<&'a Recognise<'a>>,
    /// The end of a refusal's hint: how to write elsewhere ("give another path").
    pub elsewhere: &'a str,
}

/// True for the first bytes (up to 4 KiB) of a file a command wrote.
pub type Recognise<'a> = dyn Fn(&[u8]) -> bool + 'a;

/// How a command recognises a file it wrote earlier.
pub struct OwnFile<'a> {
    /// True for the first bytes (up to 4 KiB) of such a file.
    pub recognise: &'a Recognise<'a>,
    /// Such a file, for a refusal: "a kubeconfig karmada-eks saved".
    pub what: &'a str,
}

/// Writes `content` to the file `path` as [`FileWrite`] allows: through a new temporary file in the same
/// directory (created with `mode`, never an existing one) renamed over `path`.
pub fn write_file(path: &Path, content: &[u8], how: &FileWrite) -> Result<(), OutputError> {
    check_file(path, how)?;
    let dir = parent_of(path);
    let name = path.file_name().map(OsStr::to_string_lossy).unwrap_or_default();
    let (tmp, mut file) = create_temporary(&dir, &name, how.mode)?;
    let result = file.write_all(content).and_then(|()| file.sync_all()).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    } else if let Some(recognise) = how.leftovers.or(how.owned.as_ref().map(|o| o.recognise)) {
        remove_temporaries(&dir, &name, recognise);
    }
    Ok(result?)
}

/// Removes the temporary files `.<name>.tmp-<pid>[-<n>]` that killed runs left in `dir` (a kubeconfig holds a
/// credential), only when the command recognises them as its own.
fn remove_temporaries(dir: &Path, name: &str, recognise: &Recognise<'_>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let prefix = format!(".{name}.tmp-");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if !is_gone(pid) || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let mut head = Vec::new();
        let read = fs::File::open(entry.path()).and_then(|f| f.take(OWNED_PREFIX).read_to_end(&mut head));
        if read.is_ok() && recognise(&head) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether [`write_file`] would write `path` as `how` allows, without writing: for a command that must know before
/// its work that it may write its output afterwards.
pub fn check_file(path: &Path, how: &FileWrite) -> Result<(), OutputError> {
    let refuse = |found: String, hint: String| Err(Refused { path: path.to_path_buf(), found, hint }.into());
    match Found::at(path)? {
        Found::Nothing if path.file_name().is_some() => Ok(()),
        Found::File if how.force => Ok(()),
        Found::File => {
            if let Some(own) = &how.owned {
                let mut head = Vec::new();
                fs::File::open(path)?.take(OWNED_PREFIX).read_to_end(&mut head)?;
                if (own.recognise)(&head) {
                    return Ok(());
                }
            }
            let found = match &how.owned {
                Some(own) => format!("already exists and is not {}", own.what),
                None => "already exists".into(),
            };
            let overwrite = if how.offers_force { "pass --force to overwrite it" } else { "remove it yourself" };
            refuse(found, format!("{overwrite}, or {}", how.elsewhere))
        }
        Found::Symlink(target) => refuse(
            format!("is a symbolic link to {}; karmada-eks never writes through a link", target.display()),
            format!("name the file itself instead of the link, or {}", how.elsewhere),
        ),
        Found::Nothing => refuse("does not name a file".into(), how.elsewhere.to_string()),
        other => refuse(format!("{}, not a regular file", other.describe()), how.elsewhere.to_string()),
    }
}

/// A new file `.<name>.tmp-<pid>[-<n>]` in `dir`; a name already taken is skipped, never reused.
fn create_temporary(dir: &Path, name: &str, mode: u32) -> io::Result<(PathBuf, fs::File)> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let pid = std::process::id();
    let mut last = None;
    for n in 0..16 {
        let tmp = dir.join(if n == 0 { format!(".{name}.tmp-{pid}") } else { format!(".{name}.tmp-{pid}-{n}") });
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}
