"""Checks that the package metadata ships every part of textprune."""

from __future__ import annotations

import configparser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _listed_packages() -> set[str]:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    return {line.strip() for line in config["options"]["packages"].splitlines() if line}


def test_setup_lists_every_subpackage():
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "textprune").rglob("__init__.py")
    }
    missing = found - _listed_packages()
    assert not missing, f"add these packages to setup.cfg [options] packages: {missing}"


def test_setup_ships_corpora_and_data():
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    assert "textprune.corpora" in _listed_packages()
    assert config["options"]["package_dir"].split("=")[1].strip() == "corpora"
    package_data = config["options.package_data"]["textprune"]
    for folder in ("word_sim", "analogy"):
        assert f"data/{folder}/" in package_data
        assert list((REPO / "textprune" / "data" / folder).glob("*.txt"))


def test_plain_install_runs_demo_parts(tmp_path):
    """A non-editable install must carry every module and the corpora."""
    import os
    import subprocess
    import sys

    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
         "--target", str(target), str(REPO)],
        capture_output=True, text=True, check=False,
    )
    assert install.returncode == 0, install.stderr
    script = (
        "import textprune, textprune.compress, textprune.formats\n"
        "from textprune.demo import corpus_files\n"
        "print(textprune.__file__)\n"
        "print(len(corpus_files()))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True,
        cwd=tmp_path, env=environment, check=False,
    )
    assert result.returncode == 0, result.stderr
    module_path, count = result.stdout.split()
    assert module_path.startswith(str(target))
    assert count == "2"
