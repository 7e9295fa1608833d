"""Tests of the vocabulary pruner and ``textprune prune`` on the shipped corpora."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from textprune.cli.main import main
from textprune.counts import FrequencyDictionary, read_counts
from textprune.errors import EmptyResultError
from textprune.prune import VocabularyPruner, load_stop_words

WORD = re.compile(r"\w+(?:'\w+)*")


@pytest.fixture(scope="module")
def kjv_counts(tmp_path_factory) -> FrequencyDictionary:
    """Counts of the New Testament, one verse per document, lowercased."""
    counts = FrequencyDictionary(settings={"lowercase": True})
    path = Path(__file__).resolve().parent.parent / "corpora" / "kjv-new-testament.txt"
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            counts.add_document(WORD.findall(line.lower()))
    return counts


@pytest.fixture
def counts_file(kjv_counts, tmp_path) -> Path:
    path = tmp_path / "counts.tsv"
    kjv_counts.save(path)
    return path


def test_pruner_min_count_keeps_frequent_words(kjv_counts):
    pruner = VocabularyPruner(min_count=5).fit(kjv_counts)
    expected = {w for w, c in kjv_counts.counts.items() if c >= 5}
    assert set(pruner.vocabulary_) == expected
    assert pruner.reports_["min_count"].types == len(kjv_counts) - len(expected)


def test_pruner_df_int_and_fraction_agree(kjv_counts):
    n_docs = kjv_counts.n_documents
    by_fraction = VocabularyPruner(max_df=0.25).fit(kjv_counts).vocabulary_
    by_count = VocabularyPruner(max_df=int(0.25 * n_docs)).fit(kjv_counts).vocabulary_
    assert "the" not in by_fraction
    assert set(by_count) <= set(by_fraction)
    expected = {w for w, d in kjv_counts.doc_freqs.items() if d <= 0.25 * n_docs}
    assert set(by_fraction) == expected


def test_pruner_min_df_fraction(kjv_counts):
    pruner = VocabularyPruner(min_df=0.01).fit(kjv_counts)
    threshold = 0.01 * kjv_counts.n_documents
    assert all(kjv_counts.doc_freqs[w] >= threshold for w in pruner.vocabulary_)
    assert all(kjv_counts.doc_freqs[w] < threshold for w in pruner.reports_["min_df"].words)


def test_pruner_coverage_is_shortest_prefix(kjv_counts):
    pruner = VocabularyPruner(coverage=0.9).fit(kjv_counts)
    total = kjv_counts.n_tokens
    kept_tokens = sum(kjv_counts.counts[w] for w in pruner.vocabulary_)
    assert kept_tokens >= 0.9 * total
    last = pruner.vocabulary_[-1]
    assert kept_tokens - kjv_counts.counts[last] < 0.9 * total
    assert pruner.vocabulary_ == kjv_counts.sorted_tokens()[: len(pruner.vocabulary_)]


def test_pruner_max_size_and_keep(kjv_counts):
    rare = kjv_counts.sorted_tokens()[-1]
    pruner = VocabularyPruner(max_size=100, keep=[rare]).fit(kjv_counts)
    assert len(pruner.vocabulary_) == 101
    assert rare in pruner.vocabulary_
    assert pruner.vocabulary_[:100] == kjv_counts.sorted_tokens()[:100]


def test_pruner_spacy_stop_words(kjv_counts):
    stop = load_stop_words("en")
    pruner = VocabularyPruner(stop_words=stop).fit(kjv_counts)
    assert "the" in stop
    assert "the" not in pruner.vocabulary_
    assert "the" in pruner.reports_["stop_words"].words
    assert "jesus" in pruner.vocabulary_


def test_pruner_reports_add_up(kjv_counts):
    pruner = VocabularyPruner(
        stop_words=load_stop_words("en"), min_count=3, max_df=0.5, max_size=2000
    ).fit(kjv_counts)
    dropped = sum(r.types for r in pruner.reports_.values())
    assert dropped + len(pruner.vocabulary_) == len(kjv_counts)
    shares = [share for _, _, share in pruner.summary_rows()]
    assert sum(shares) == pytest.approx(1.0)


def test_pruner_everything_dropped_names_rule(kjv_counts):
    with pytest.raises(EmptyResultError, match="min_count.*--min-count"):
        VocabularyPruner(min_count=10**9).fit(kjv_counts)


@pytest.mark.parametrize(
    ("setting", "value"),
    [("min_df", 1.5), ("max_df", -1), ("coverage", 0.0), ("min_count", -2)],
)
def test_pruner_rejects_out_of_range(kjv_counts, setting, value):
    with pytest.raises(ValueError, match=setting):
        VocabularyPruner(**{setting: value}).fit(kjv_counts)


def test_pruner_tie_order_is_by_word():
    counts = FrequencyDictionary(Counter(b=2, a=2, c=2), Counter(b=1, a=1, c=1), 1)
    assert VocabularyPruner(max_size=2).fit(counts).vocabulary_ == ["a", "b"]


def test_cli_prune_writes_same_format(runner, counts_file, tmp_path, kjv_counts):
    out = tmp_path / "vocab.tsv"
    result = runner.invoke(
        main,
        ["prune", str(counts_file), "--min-count", "5", "--max-df", "0.3", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "min_count" in result.stderr
    assert "kept" in result.stderr
    pruned = read_counts(out)
    assert pruned.n_documents == kjv_counts.n_documents
    assert all(pruned.counts[w] == kjv_counts.counts[w] for w in pruned.counts)
    assert pruned.settings["prune"]["min_count"] == 5
    again = tmp_path / "again.tsv"
    result = runner.invoke(main, ["prune", str(out), "--max-size", "10", "-o", str(again)])
    assert result.exit_code == 0, result.output
    assert list(read_counts(again).counts) == pruned.sorted_tokens()[:10]


def test_cli_prune_output_is_deterministic(runner, counts_file, tmp_path):
    outputs = []
    for name in ("a.tsv", "b.tsv"):
        out = tmp_path / name
        result = runner.invoke(
            main, ["prune", str(counts_file), "--coverage", "0.8", "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_cli_prune_dropped_file_lists_rules(runner, counts_file, tmp_path):
    out = tmp_path / "vocab.tsv"
    dropped = tmp_path / "dropped.tsv"
    result = runner.invoke(
        main,
        [
            "prune", str(counts_file), "--stop-words", "en", "--min-count", "2",
            "-o", str(out), "--dropped", str(dropped),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in dropped.read_text().splitlines()[1:]]
    rules = {row[3] for row in rows}
    assert rules == {"stop_words", "min_count"}
    kept = set(read_counts(out).counts)
    assert not kept & {row[0] for row in rows}


def test_cli_prune_stop_words_file(runner, counts_file, tmp_path):
    stop = tmp_path / "stop.txt"
    stop.write_text("jesus\nchrist\n", encoding="utf-8")
    out = tmp_path / "vocab.tsv"
    result = runner.invoke(
        main, ["prune", str(counts_file), "--stop-words", str(stop), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    kept = read_counts(out).counts
    assert "jesus" not in kept
    assert "the" in kept


def test_cli_prune_everything_is_an_error(runner, counts_file, tmp_path):
    out = tmp_path / "vocab.tsv"
    result = runner.invoke(
        main, ["prune", str(counts_file), "--min-count", "999999999", "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "Error:" in result.stderr
    assert "--min-count" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
    assert list(tmp_path.glob(".vocab*")) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-df", "1.5"], "must be in (0, 1]"),
        (["--min-df", "abc"], "not an integer"),
        (["--coverage", "0"], "--coverage"),
        (["--stop-words", "xx-unknown"], "neither a file nor a language"),
    ],
)
def test_cli_prune_bad_options(runner, counts_file, tmp_path, args, message):
    out = tmp_path / "vocab.tsv"
    result = runner.invoke(main, ["prune", str(counts_file), *args, "-o", str(out)])
    assert result.exit_code in (1, 2)
    assert message in result.stderr
    assert not out.exists()


def test_cli_prune_bad_row_names_line(runner, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("# textprune-counts 1\nthe\t10\t5\nand\tmany\t3\n", encoding="utf-8")
    result = runner.invoke(main, ["prune", str(bad), "-o", str(tmp_path / "out.tsv")])
    assert result.exit_code == 1
    assert f"{bad}, line 3" in result.stderr
    assert "not an integer" in result.stderr


def test_cli_prune_missing_file(runner, tmp_path):
    result = runner.invoke(
        main, ["prune", str(tmp_path / "nope.tsv"), "-o", str(tmp_path / "out.tsv")]
    )
    assert result.exit_code == 1
    assert "file not found" in result.stderr


def test_cli_prune_output_equal_to_input(runner, counts_file):
    before = counts_file.read_bytes()
    result = runner.invoke(
        main, ["prune", str(counts_file), "--min-count", "3", "-o", str(counts_file)]
    )
    assert result.exit_code == 1
    assert "also an input" in result.stderr
    assert counts_file.read_bytes() == before


def test_cli_prune_plot_writes_charts(runner, counts_file, tmp_path):
    charts = tmp_path / "charts"
    result = runner.invoke(
        main,
        ["prune", str(counts_file), "--min-count", "2", "-o", str(tmp_path / "v.tsv"),
         "--plot", str(charts)],
    )
    assert result.exit_code == 0, result.output
    for name in ("rank-frequency.png", "coverage.png"):
        data = (charts / name).read_bytes()
        assert data.startswith(b"\x89PNG")
        assert len(data) > 10_000


@pytest.mark.parametrize("option", ["--keep", "--stop-words"])
def test_cli_prune_never_overwrites_word_lists(runner, counts_file, tmp_path, option):
    words = tmp_path / "words.txt"
    words.write_text("jesus\nchrist\n", encoding="utf-8")
    result = runner.invoke(
        main, ["prune", str(counts_file), option, str(words), "-o", str(words)]
    )
    assert result.exit_code == 1
    assert "also an input" in result.stderr
    assert words.read_text(encoding="utf-8") == "jesus\nchrist\n"


def test_cli_prune_dropped_equal_to_output(runner, counts_file, tmp_path):
    out = tmp_path / "v.tsv"
    result = runner.invoke(
        main, ["prune", str(counts_file), "-o", str(out), "--dropped", str(out)]
    )
    assert result.exit_code == 2
    assert "--dropped and --output name the same file" in result.stderr
    assert not out.exists()


def test_cli_prune_coverage_nan(runner, counts_file, tmp_path):
    result = runner.invoke(
        main, ["prune", str(counts_file), "--coverage", "nan", "-o", str(tmp_path / "v")]
    )
    assert result.exit_code == 2
    assert "NaN" in result.stderr
    assert "Traceback" not in result.output


def test_cli_prune_missing_keep_file(runner, counts_file, tmp_path):
    result = runner.invoke(
        main,
        ["prune", str(counts_file), "--keep", str(tmp_path / "no.txt"),
         "-o", str(tmp_path / "v.tsv")],
    )
    assert result.exit_code == 1
    assert "no.txt: file not found" in result.stderr
