"""Read the catalog as it is at a git ref, through git alone: never a checkout into the working tree.

`git ls-tree` lists the catalog's files at the ref (with their sizes, so limits apply before any
byte is read), `git cat-file --batch` reads them in one process, and the blobs are written into a
private temporary folder that the ordinary loader then reads. Only regular files are taken: a
symbolic link (mode 120000) or a submodule in the catalog is refused, so a ref cannot make kgov
read anything outside the repository.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kgov.errors import KgovError
from kgov.readfile import Unreadable, read_regular

MAX_FILES = 50_000
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
GIT_TIMEOUT_S = 120

# What the loader reads: kgov.yaml and the files directly inside these folders.
_FOLDERS = ("topics", "acls", "schemas", "cluster")
_SETTINGS = "kgov.yaml"
_REGULAR = ("100644", "100755")
_ANCESTRY = re.compile(r"^(?P<base>.+?)(?P<steps>(?:~\d*|\^\d*)+)$")


class GitError(KgovError):
    """git could not give the catalog at a ref (no repository, unknown ref, shallow clone, limits)."""


@dataclass(frozen=True)
class TreeFile:
    path: str  # relative to the catalog folder, POSIX
    sha: str
    size: int


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args],
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (kgov reads the base catalog through git)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT_S}s") from None


def _text(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stdout.decode("utf-8", "replace").strip()


def repository_of(folder: Path) -> tuple[Path, str]:
    """The top of the git working tree holding `folder`, and `folder`'s path inside it."""
    start = folder if folder.is_dir() else folder.parent
    proc = _git(start if start.is_dir() else Path.cwd(), "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        raise GitError(
            f"{folder} is not in a git repository; --base compares with the catalog at a git ref",
            hint="run kgov from a clone of the catalog's repository",
        )
    top = Path(_text(proc)).resolve()
    try:
        inside = folder.resolve().relative_to(top)
    except ValueError:
        raise GitError(f"{folder} is outside the git working tree {top}") from None
    return top, inside.as_posix() if str(inside) != "." else ""


def resolve_commit(top: Path, ref: str) -> str:
    """The commit `ref` names, or a GitError saying how to get it (fetch depth in a shallow clone)."""
    if not ref or ref.startswith("-") or "\0" in ref or "\n" in ref:
        raise GitError(f"'{ref}' is not a git ref")
    proc = _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if proc.returncode == 0:
        return _text(proc)
    shallow = _text(_git(top, "rev-parse", "--is-shallow-repository")) == "true"
    match = _ANCESTRY.match(ref)
    if (
        not shallow
        and match is not None
        and _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", match.group("base")).returncode
        == 0
    ):
        raise GitError(f"git ref '{ref}' does not exist: {match.group('base')} has fewer ancestors")
    if not shallow:
        raise GitError(
            f"unknown git ref '{ref}' (not a branch, tag or commit of this repository)",
            hint=f"fetch it first: git fetch origin {_fetchable(ref)}",
        )
    depth = _text(_git(top, "rev-list", "--count", "HEAD")) or "?"
    needed, what = _needed_depth(top, ref)
    raise GitError(
        f"git ref '{ref}' is not in this clone: this clone is shallow (depth {depth}); "
        f"fetch the base: git fetch --depth={needed} origin {what}",
        hint="in GitHub Actions, fetch the pull request's base branch before kgov diff/plan --base "
        "(or check out with fetch-depth: 0)",
    )


def _fetchable(ref: str) -> str:
    for prefix in ("refs/remotes/origin/", "remotes/origin/", "origin/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def _needed_depth(top: Path, ref: str) -> tuple[int, str]:
    """How deep to fetch, and what: `main` needs its tip only (depth 1); `X~3` needs 4 commits of X."""
    match = _ANCESTRY.match(ref)
    if match is None:
        return 1, _fetchable(ref)
    steps = 0
    for step in re.findall(r"[~^]\d*", match.group("steps")):
        count = int(step[1:]) if step[1:] else 1
        steps += count if step[0] == "~" else 1
    base = match.group("base")
    if base == "HEAD" or base == "@":  # a remote cannot name our HEAD: fetch its commit
        base = _text(_git(top, "rev-parse", "HEAD")) or base
    return steps + 1, _fetchable(base)


def list_catalog(top: Path, commit: str, inside: str) -> list[TreeFile]:
    """The catalog's files at `commit`: regular blobs only, bounded in count and size."""
    prefix = f"{inside}/" if inside else ""
    spec = [f"{prefix}{_SETTINGS}", *(f"{prefix}{f}/" for f in _FOLDERS)]
    proc = _git(top, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", *spec)
    if proc.returncode != 0:
        raise GitError(f"git ls-tree failed at {commit[:12]}: {proc.stderr.decode('utf-8', 'replace')[:300]}")
    files: list[TreeFile] = []
    total = 0
    for record in proc.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha, size = meta.decode("ascii", "replace").split(maxsplit=3)
        path = raw_path.decode("utf-8", "replace")
        rel = path[len(prefix) :]
        if not _wanted(rel):
            continue
        if mode == "120000":
            raise GitError(
                f"{path} is a symbolic link at {commit[:12]}; kgov reads only regular files from git",
                hint="replace the link with the file it points to",
            )
        if kind != "blob" or mode not in _REGULAR:
            raise GitError(f"{path} is not a regular file at {commit[:12]} (git mode {mode})")
        blob = TreeFile(rel, sha, int(size))
        if blob.size > MAX_FILE_BYTES:
            raise GitError(
                f"{path} is {blob.size} bytes at {commit[:12]}; catalog files are limited to "
                f"{MAX_FILE_BYTES // 2**20} MiB"
            )
        total += blob.size
        files.append(blob)
        if len(files) > MAX_FILES or total > MAX_TOTAL_BYTES:
            raise GitError(
                f"the catalog at {commit[:12]} has more than {MAX_FILES} files or "
                f"{MAX_TOTAL_BYTES // 2**20} MiB; kgov refuses to read it"
            )
    return files


def _wanted(rel: str) -> bool:
    parts = tuple(rel.split("/")) if _plain(rel) else PurePosixPath(rel).parts  # the same parts
    if any(p in ("", ".", "..", ".git") or "\\" in p for p in parts):
        return False
    return parts == (_SETTINGS,) or (len(parts) == 2 and parts[0] in _FOLDERS)


def read_blobs(top: Path, files: list[TreeFile]) -> dict[str, bytes]:
    """Every file's bytes, read in one `git cat-file --batch` (sizes checked against the listing)."""
    if not files:
        return {}
    request = "".join(f"{f.sha}\n" for f in files).encode()
    proc = _git(top, "cat-file", "--batch", stdin=request)
    if proc.returncode != 0:
        raise GitError(f"git cat-file failed: {proc.stderr.decode('utf-8', 'replace')[:300]}")
    data = proc.stdout
    pos = 0
    blobs: dict[str, bytes] = {}
    for f in files:
        end = data.index(b"\n", pos)
        header = data[pos:end].decode("ascii", "replace").split()
        if len(header) != 3 or header[0] != f.sha or header[1] != "blob" or int(header[2]) != f.size:
            raise GitError(f"git cat-file answered '{' '.join(header)[:120]}' for {f.path}")
        start = end + 1
        blobs[f.path] = data[start : start + f.size]
        pos = start + f.size + 1  # the content is followed by a newline
    return blobs


@dataclass(frozen=True)
class AtRef:
    root: Path  # a private folder holding the catalog files as they are at `commit`
    commit: str
    unchanged: frozenset[str] = frozenset()  # with changed_only: files left out, same as the working tree


def blob_id(content: bytes, hex_length: int) -> str:
    """git's object id of a blob with this content (SHA-1, or SHA-256 in a sha256 repository)."""
    algorithm = hashlib.sha256 if hex_length == 64 else hashlib.sha1
    return algorithm(b"blob %d\0" % len(content) + content).hexdigest()


def same_in_working_tree(catalog_dir: Path, files: list[TreeFile]) -> set[str]:
    """The paths whose working-tree file has exactly the bytes of the blob at the ref."""
    same = set()
    folder = str(catalog_dir)
    for f in files:
        path = _joined(catalog_dir, folder, f.path)
        try:  # no symlink, a regular file of the blob's size: read without blocking (kgov/readfile.py)
            content = read_regular(path, f.size, follow_symlinks=False)
        except Unreadable:
            continue
        if len(content) == f.size and blob_id(content, len(f.sha)) == f.sha:
            same.add(f.path)
    return same


def _joined(catalog_dir: Path, folder: str, rel: str) -> Path | str:
    """`catalog_dir.joinpath(*PurePosixPath(rel).parts)`, as text without pathlib for the usual git
    path (relative, no empty or `.` part, where pathlib would change nothing): 3,000 Paths were a
    quarter of the time of this check."""
    if _plain(rel) and folder not in ("/", "."):
        return f"{folder}/{rel}"
    return catalog_dir.joinpath(*PurePosixPath(rel).parts)


def _plain(rel: str) -> bool:
    """True for a path whose parts are `rel.split("/")` to pathlib too: relative, without an empty
    part (a doubled or trailing slash) or a `.` part, which pathlib drops."""
    return bool(rel) and rel[0] != "/" and rel[-1] != "/" and "//" not in rel and not _DOT_PART.search(rel)


_DOT_PART = re.compile(r"(?:^|/)\.(?:/|$)")


@contextmanager
def catalog_at(ref: str, catalog_dir: Path, *, changed_only: bool = False) -> Iterator[AtRef]:
    """The catalog of `catalog_dir` as it is at `ref`, in a private folder (removed on exit).

    With `changed_only`, only kgov.yaml and the files whose bytes differ from the working tree are
    written (`AtRef.unchanged` names the others): a caller can reuse what it loaded already.
    """
    top, inside = repository_of(catalog_dir)
    commit = resolve_commit(top, ref)
    files = list_catalog(top, commit, inside)
    unchanged = same_in_working_tree(catalog_dir, files) - {_SETTINGS} if changed_only else set()
    if not any(f.path == _SETTINGS for f in files):
        where = f"{inside}/{_SETTINGS}" if inside else _SETTINGS
        raise GitError(
            f"there is no catalog at '{ref}': {where} does not exist in {commit[:12]}",
            hint="check --catalog and --base (the catalog folder must exist at both)",
        )
    blobs = read_blobs(top, [f for f in files if f.path not in unchanged])
    root = Path(tempfile.mkdtemp(prefix="kgov-base-"))
    try:
        for rel, content in blobs.items():
            target = root.joinpath(*PurePosixPath(rel).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:  # never through an existing file or link
                handle.write(content)
        yield AtRef(root, commit, frozenset(unchanged))
    finally:
        shutil.rmtree(root, ignore_errors=True)
