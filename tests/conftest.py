"""Shared fixtures: the shipped corpora, gensim's bundled test data and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO / "corpora"


@pytest.fixture
def corpora_dir() -> Path:
    """The folder of real public-domain texts that ships with textprune."""
    return CORPORA


@pytest.fixture
def runner() -> CliRunner:
    """A Click runner that keeps stderr apart from stdout."""
    return CliRunner()


@pytest.fixture
def gensim_datapath():
    """gensim's ``datapath``, which names the test files in gensim's wheel."""
    from gensim.test.utils import datapath

    return datapath
