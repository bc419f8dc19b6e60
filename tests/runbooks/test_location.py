"""Where runbooks come from: runbooks_dir next to the policy file, else the runbooks packaged with Firebell."""

import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from firebell.config import load_policy, policy_from_mapping
from firebell.domain.policy import Policy
from firebell.runbooks.location import SHIPPED, describe, runbooks_dir

REPO = Path(__file__).resolve().parents[2]
SHIPPED_NAMES = {
    "database-primary-failover.md",
    "http-5xx-after-deploy.md",
    "message-queue-backlog.md",
    "third-party-dependency-outage.md",
    "tls-certificate-expiry.md",
    "traffic-flood-ddos.md",
}


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory that is not the policy file's folder, with a `my-runbooks` of its own."""
    cwd = tmp_path / "cwd"
    (cwd / "my-runbooks").mkdir(parents=True)
    monkeypatch.chdir(cwd)
    return cwd


def test_a_relative_runbooks_dir_is_next_to_the_policy_file_not_the_working_directory(
    tmp_path: Path, elsewhere: Path
) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "firebell.yaml").write_text("runbooks_dir: my-runbooks\n")
    policy = load_policy(Path("../etc/firebell.yaml"))
    assert policy.runbooks_dir == tmp_path / "etc" / "my-runbooks"
    assert runbooks_dir(policy) == tmp_path / "etc" / "my-runbooks"


def test_an_absolute_runbooks_dir_is_kept(tmp_path: Path, elsewhere: Path) -> None:
    (tmp_path / "firebell.yaml").write_text(f"runbooks_dir: {elsewhere / 'my-runbooks'}\n")
    assert load_policy(tmp_path / "firebell.yaml").runbooks_dir == elsewhere / "my-runbooks"


def test_the_policy_files_folder_is_taken_as_named_not_through_symlinks(tmp_path: Path, elsewhere: Path) -> None:
    # How a Kubernetes ConfigMap is mounted: the file is a link into a folder that is replaced on each update.
    (tmp_path / "..data").mkdir()
    (tmp_path / "..data" / "firebell.yaml").write_text("runbooks_dir: my-runbooks\n")
    (tmp_path / "mount").mkdir()
    (tmp_path / "mount" / "firebell.yaml").symlink_to(tmp_path / "..data" / "firebell.yaml")
    assert load_policy(tmp_path / "mount" / "firebell.yaml").runbooks_dir == tmp_path / "mount" / "my-runbooks"


@pytest.mark.parametrize("document", ["channel_prefix: inc\n", "runbooks_dir:\n", "runbooks_dir: ''\n", ""])
def test_no_runbooks_dir_means_the_packaged_runbooks(tmp_path: Path, elsewhere: Path, document: str) -> None:
    (tmp_path / "firebell.yaml").write_text(document)
    policy = load_policy(tmp_path / "firebell.yaml")
    assert policy.runbooks_dir is None
    assert runbooks_dir(policy) == SHIPPED


def test_no_policy_file_means_the_packaged_runbooks(elsewhere: Path) -> None:
    assert runbooks_dir(load_policy(None)) == SHIPPED
    assert runbooks_dir(Policy()) == SHIPPED


def test_a_policy_not_read_from_a_file_keeps_its_paths() -> None:
    assert policy_from_mapping({"runbooks_dir": "guides"}, source="demo").runbooks_dir == Path("guides")


def test_the_example_policy_file_uses_the_packaged_runbooks() -> None:
    # docker-compose mounts config/ alone, so a runbooks_dir there would have to be mounted too.
    assert runbooks_dir(load_policy(REPO / "config" / "firebell.yaml")) == SHIPPED


def test_describe_says_whether_the_runbooks_are_the_packaged_ones(tmp_path: Path) -> None:
    assert describe(SHIPPED) == f"{SHIPPED} (packaged)"
    assert describe(tmp_path) == f"{tmp_path} (policy runbooks_dir)"


def test_importlib_resources_finds_the_packaged_runbooks() -> None:
    shipped = resources.files("firebell.runbooks").joinpath("shipped")
    names = {entry.name for entry in shipped.iterdir() if entry.name.endswith(".md")}
    assert names == {*SHIPPED_NAMES, "README.md"}
    assert Path(str(shipped)) == SHIPPED


def test_a_built_wheel_carries_the_packaged_runbooks(tmp_path: Path) -> None:
    # Built from a copy, so no build/ left in the checkout can add files the package data does not declare.
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, project / name)
    shutil.copytree(REPO / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(project)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("firebell-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = {Path(name).name for name in archive.namelist() if name.startswith("firebell/runbooks/shipped/")}
    assert packaged == {*SHIPPED_NAMES, "README.md"}
