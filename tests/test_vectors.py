"""Tests of the in-memory WordVectors table."""

from __future__ import annotations

import numpy as np
import pytest

from textprune.compress.remap import select_vocabulary
from textprune.vectors import WordVectors


@pytest.fixture
def table() -> WordVectors:
    vectors = np.array([[1, 0], [0, 1], [1, 1], [-1, 0]], dtype=np.float32)
    aliases = {"King": 0, "monarch": 0, "Queen": 1, "ROYAL": 2}
    return WordVectors(["king", "queen", "royal", "peasant"], vectors, aliases)


def test_select_keeps_requested_keys_only(table):
    small = table.select(["queen", "king", "nobody"])
    assert small.words == ["king", "queen"]
    assert small.aliases == {}
    np.testing.assert_array_equal(small["queen"], [0, 1])


def test_select_alias_names_its_row(table):
    small = table.select(["monarch", "ROYAL", "King"])
    assert small.words == ["monarch", "ROYAL"]
    assert small.aliases == {"King": 0}
    np.testing.assert_array_equal(small["King"], small["monarch"])
    assert len(small.vectors) == 2


def test_select_prefers_row_word_as_name(table):
    small = table.select(["monarch", "king"])
    assert small.words == ["king"]
    assert small.aliases == {"monarch": 0}


def test_select_vocabulary_without_remap(table):
    result = select_vocabulary(table, ["king", "royal"])
    assert result.table.words == ["king", "royal"]
    assert result.table.aliases == {}
    assert "Queen" not in result.table


def test_select_vocabulary_remap_keeps_every_key(table):
    result = select_vocabulary(table, ["king", "royal"], remap=True)
    kept = result.table
    assert kept.words == ["king", "royal"]
    # queen (0, 1) is nearest to royal (1, 1); peasant (-1, 0) to royal too, by cosine.
    assert kept.row("queen") == kept.row("royal")
    assert kept.row("Queen") == kept.row("royal")
    assert kept.row("King") == kept.row("king")
    assert result.scores["King"] == 1.0
    assert result.scores["queen"] == pytest.approx(1 / np.sqrt(2), rel=1e-6)
    for key in ("king", "queen", "royal", "peasant", "King", "monarch", "Queen", "ROYAL"):
        assert key in kept


def test_words_must_be_distinct():
    with pytest.raises(ValueError, match="distinct"):
        WordVectors(["a", "a"], np.zeros((2, 3)))
