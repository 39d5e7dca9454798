"""Output files (plan --out, import): only ever a regular file, never a catalog file (issue 8, hole 8)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kgov.errors import KgovError
from kgov.outfile import check_new_file, check_output_file, write_atomically


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    (root / "topics").mkdir(parents=True)
    (root / "kgov.yaml").write_text("version: 1\n", "utf-8")
    return root


def refused(path: Path, catalog_root: Path | None = None) -> str:
    with pytest.raises(KgovError) as info:
        check_output_file(path, catalog_root)
    return info.value.message


def test_a_new_file_and_a_regular_file_outside_the_catalog_are_fine(tmp_path: Path, catalog: Path) -> None:
    check_output_file(tmp_path / "plan.json", catalog)
    check_output_file(tmp_path / "new" / "plan.json", catalog)  # the folder is made when writing
    (tmp_path / "old.json").write_text("{}", "utf-8")
    check_output_file(tmp_path / "old.json", catalog)
    check_output_file(tmp_path / "catalog2" / "plan.json", catalog)  # a sibling with the same prefix


@pytest.mark.parametrize(
    "inside",
    ["kgov.yaml", "plan.json", "topics/plan.json", "../catalog/kgov.yaml", "topics/../kgov.yaml"],
)
def test_a_path_in_the_catalog_is_refused(catalog: Path, inside: str) -> None:
    assert "inside the catalog folder" in refused(catalog / inside, catalog)
    assert (catalog / "kgov.yaml").read_text("utf-8") == "version: 1\n"


def test_a_path_into_the_catalog_through_a_symlinked_folder_is_refused(tmp_path: Path, catalog: Path) -> None:
    (tmp_path / "alias").symlink_to(catalog)
    assert "inside the catalog folder" in refused(tmp_path / "alias" / "kgov.yaml", catalog)


def test_a_relative_catalog_path_is_compared_as_the_real_folder(
    tmp_path: Path, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert "inside the catalog folder" in refused(Path("catalog/kgov.yaml"), Path("catalog"))
    check_output_file(Path("plan.json"), Path("catalog"))


def test_a_symlink_is_refused_even_to_a_harmless_file(tmp_path: Path) -> None:
    target = tmp_path / "secret"
    target.write_text("s3cret", "utf-8")
    (tmp_path / "plan.json").symlink_to(target)
    (tmp_path / "dangling.json").symlink_to(tmp_path / "nowhere")
    assert "it is a symbolic link" in refused(tmp_path / "plan.json")
    assert "it is a symbolic link" in refused(tmp_path / "dangling.json")
    assert target.read_text("utf-8") == "s3cret"


def test_a_folder_a_fifo_and_a_device_are_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    assert "it is a FIFO" in refused(tmp_path / "fifo")  # and checking it does not block
    assert "it is a folder" in refused(tmp_path / "folder")
    assert "it is a character device" in refused(Path(os.devnull))


def test_write_creates_the_file_and_its_folder_with_usual_permissions(tmp_path: Path) -> None:
    path = tmp_path / "out" / "plan.json"
    write_atomically(path, "{}\n")
    assert path.read_text("utf-8") == "{}\n"
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert os.listdir(path.parent) == ["plan.json"]  # no temporary file left


def test_write_replaces_a_regular_file_keeping_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("old", "utf-8")
    path.chmod(0o600)
    write_atomically(path, "new")
    assert path.read_text("utf-8") == "new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_write_refuses_a_target_that_became_a_symlink_after_the_check(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    check_output_file(path)
    target = tmp_path / "victim"
    target.write_text("keep me", "utf-8")
    path.symlink_to(target)  # swapped in between the check and the write
    with pytest.raises(KgovError) as info:
        write_atomically(path, "overwrite")
    assert "it is a symbolic link" in info.value.message
    assert target.read_text("utf-8") == "keep me"
    assert path.is_symlink()
    assert sorted(os.listdir(tmp_path)) == ["plan.json", "victim"]  # the temporary file is gone


def test_a_write_that_cannot_happen_is_a_kgov_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", "utf-8")
    with pytest.raises(KgovError) as info:
        write_atomically(tmp_path / "file" / "plan.json", "{}")
    assert info.value.message.startswith(f"cannot write {tmp_path / 'file' / 'plan.json'}: ")


def test_a_new_file_for_import_must_not_exist_in_any_form(tmp_path: Path) -> None:
    topics = tmp_path / "out" / "topics"
    topics.mkdir(parents=True)
    check_new_file(topics / "orders.yaml", tmp_path / "out")
    (topics / "orders.yaml").write_text("x", "utf-8")
    (topics / "users.yaml").symlink_to(tmp_path / "nowhere")  # dangling: exists() says False
    for name, says in (("orders.yaml", "refusing to overwrite"), ("users.yaml", "it is a symbolic link")):
        with pytest.raises(KgovError) as info:
            check_new_file(topics / name, tmp_path / "out")
        assert says in info.value.message
    assert not (tmp_path / "nowhere").exists()


def test_a_new_file_for_import_must_stay_in_its_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "topics").symlink_to(elsewhere)
    with pytest.raises(KgovError) as info:
        check_new_file(tmp_path / "out" / "topics" / "orders.yaml", tmp_path / "out")
    assert "leads out of" in info.value.message
