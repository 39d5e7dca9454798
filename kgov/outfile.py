"""Files kgov writes on request (`plan --out`, `import --out`): checked first, then written whole.

A path on the command line can come from a script or a pull request: it must never replace a
symlink, a FIFO, a device or a folder, nor a file of the catalog kgov reads (`catalog/kgov.yaml`).
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path

from kgov.errors import KgovError

_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _refuse_unless_regular(path: Path) -> os.stat_result | None:
    """The target's own status (a symlink is not followed), None if nothing is there yet."""
    try:
        status = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KgovError(f"cannot write {path}: {exc.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a regular file")
        raise KgovError(
            f"refusing to write {path}: it is {kind}, and kgov replaces only regular files",
            hint="choose another path, or remove what is there first",
        )
    return status


def _inside(path: Path, folder: Path) -> bool:
    # The real folder of the path (symlinks and '..' resolved), and the file's own name.
    real = Path(os.path.realpath(path.parent)) / path.name
    return real.is_relative_to(Path(os.path.realpath(folder)))


def check_output_file(path: Path, catalog_root: Path | None = None) -> None:
    """Refuse a path that is anything but a regular file or nothing yet, or that lies in the catalog.

    Call it before any work (and before connecting to a cluster), so a refusal costs nothing."""
    if catalog_root is not None and _inside(path, catalog_root):
        raise KgovError(
            f"refusing to write {path}: it is inside the catalog folder {catalog_root}",
            hint="write plans outside the catalog, e.g. --out plan.json in the repository's root",
        )
    _refuse_unless_regular(path)
    _check_writable(path)


def check_new_file(path: Path, folder: Path) -> None:
    """Refuse a path where anything exists (a dangling symlink too), that a symlinked folder on the
    way leads out of `folder` (import writes `<out>/topics/<service>.yaml`, never elsewhere), or
    that cannot be written (a name too long, a file where a folder must be, a read-only folder):
    checked for every file before the first is written, so nothing is written half."""
    _check_writable(path)
    if os.path.lexists(path):
        _refuse_unless_regular(path)  # says what else it is
        raise KgovError(
            f"refusing to overwrite {path}", hint="write into an empty folder and merge the files by hand"
        )
    if not _inside(path, folder):
        raise KgovError(
            f"refusing to write {path}: a symbolic link on the way leads out of {folder}",
            hint="write into a plain folder",
        )


def _check_writable(path: Path) -> None:
    """What makes writing `path` fail, found without writing: its name's and its path's lengths,
    and the nearest folder on the way that exists (a folder, writable: the rest is created)."""
    name_max, path_max = _limits(path)
    if len(os.fsencode(path.name)) > name_max:
        raise KgovError(
            f"cannot write {path}: its name is longer than {name_max} bytes, the longest this file "
            "system takes; nothing was written",
            hint="rename what it is named after (a service name from a topic name: see policy.topic_name)",
        )
    if len(os.fsencode(os.path.abspath(path))) >= path_max:
        raise KgovError(f"cannot write {path}: its path is longer than {path_max} bytes; nothing was written")
    existing = Path(os.path.abspath(path.parent))
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():  # follows a symlink to a folder: `_inside` judges where it leads
        raise KgovError(f"cannot write {path}: {existing} is not a folder; nothing was written")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise KgovError(f"cannot write {path}: the folder {existing} is not writable; nothing was written")


def _limits(path: Path) -> tuple[int, int]:
    """NAME_MAX and PATH_MAX of the file system the path is on (255 and 4096 when it cannot say)."""
    existing = Path(os.path.abspath(path))
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    limits = []
    for name, default in (("PC_NAME_MAX", 255), ("PC_PATH_MAX", 4096)):
        try:
            limits.append(os.pathconf(existing, name) or default)
        except (OSError, ValueError):
            limits.append(default)
    return limits[0], limits[1]


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all: a temporary file in the same folder, then a rename.

    The rename replaces the directory entry and never writes through a symlink; a target that is no
    longer a regular file when the text is ready is refused all the same. Permissions of a replaced
    file are kept; a new file gets the usual ones (0666 less the umask)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A short temporary name: the target's own name may be as long as the file system allows.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kgov-", suffix=".tmp")
    except OSError as exc:
        raise KgovError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        before = _refuse_unless_regular(path)
        os.chmod(tmp, stat.S_IMODE(before.st_mode) if before else 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        raise KgovError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        with suppress(FileNotFoundError):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it
    os.umask(mask)
    return mask
