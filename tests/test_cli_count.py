"""Tests of ``textprune count``, ``clean`` and ``merge`` through Click's runner."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from textprune.cli.main import main
from textprune.counts import read_counts


@pytest.fixture
def verses(corpora_dir: Path, tmp_path: Path) -> Path:
    """The first 2,000 verses of the New Testament."""
    lines = (corpora_dir / "kjv-new-testament.txt").read_text().splitlines()
    path = tmp_path / "verses.txt"
    path.write_text("\n".join(lines[:2000]) + "\n")
    return path


def run(runner: CliRunner, *args: str, stdin: bytes | None = None):
    return runner.invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_count_writes_tsv(runner: CliRunner, verses: Path, tmp_path: Path) -> None:
    output = tmp_path / "counts.tsv"
    result = run(runner, "count", str(verses), "-o", str(output))
    assert result.exit_code == 0, result.output
    lines = output.read_text().splitlines()
    assert lines[0] == "# textprune-counts 1"
    assert lines[1] == "# documents 2000"
    settings = json.loads(lines[3].removeprefix("# settings "))
    assert settings["lowercase"] is True
    assert settings["tokenizer"] == "regex"
    rows = [line.split("\t") for line in lines[4:]]
    keys = [(-int(count), token) for token, count, _ in rows]
    assert keys == sorted(keys)
    assert all(int(count) >= int(documents) for _, count, documents in rows)
    assert "Counted" in result.stderr


def test_count_stdout_and_stdin(
    runner: CliRunner, verses: Path, tmp_path: Path
) -> None:
    output = tmp_path / "counts.tsv"
    run(runner, "count", str(verses), "-o", str(output))
    result = run(
        runner, "-q", "count", "-", "-o", "-", stdin=gzip.compress(verses.read_bytes())
    )
    assert result.exit_code == 0
    assert result.stdout == output.read_text()
    assert result.stderr == ""


def test_count_jobs_identical_bytes(
    runner: CliRunner, verses: Path, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.tsv", tmp_path / "two.tsv"
    run(runner, "count", str(verses), "-o", str(one))
    result = run(
        runner,
        "count",
        str(verses),
        "--jobs",
        "2",
        "--chunk-size",
        "0.05",
        "-o",
        str(two),
    )
    assert result.exit_code == 0
    assert two.read_bytes() == one.read_bytes()


def test_count_records_cleaning_settings(
    runner: CliRunner, verses: Path, tmp_path: Path
) -> None:
    output = tmp_path / "counts.tsv"
    with open(verses, "a") as handle:
        handle.write(
            "In 1611 the translators, see https://example.org, wrote 3.5 parts\n"
        )

    args = [
        "count",
        str(verses),
        "-o",
        str(output),
        "--no-lowercase",
        "--numbers",
        "replace",
        "--urls",
        "drop",
        "--emails",
        "replace",
        "--punctuation",
        "--min-length",
        "2",
        "--max-length",
        "12",
        "--strip-accents",
        "--no-nfkc",
    ]
    assert run(runner, *args).exit_code == 0

    counts = read_counts(output)
    assert counts.settings == {
        "document": "line",
        "emails": "replace",
        "encoding": "utf-8",
        "encoding_errors": "strict",
        "jsonl_field": None,
        "lowercase": False,
        "max_length": 12,
        "min_length": 2,
        "nfkc": False,
        "numbers": "replace",
        "punctuation": True,
        "strip_accents": True,
        "tokenizer": "regex",
        "urls": "drop",
    }
    assert "The" in counts
    assert counts.counts["<num>"] == 2
    assert "https" not in counts
    # Punctuation tokens are one character, so --min-length 2 drops them.
    assert "," not in counts
    assert all(2 <= len(token) <= 12 or token == "<num>" for token in counts.counts)


def test_count_folder_glob_jsonl(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "x.jsonl").write_text(
        '{"text": "Red fish"}\n{"text": "blue fish"}\n'
    )
    (folder / "notes.txt").write_text("not read\n")
    result = run(
        runner,
        "count",
        str(folder),
        "--glob",
        "*.jsonl",
        "--jsonl-field",
        "text",
        "-o",
        "-",
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[4:] == ["fish\t2\t2", "blue\t1\t1", "red\t1\t1"]


def test_count_spacy_tokenizer(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "de.txt"
    path.write_text("Wir treffen uns z.B. im Café.\n")
    result = run(
        runner, "count", str(path), "--tokenizer", "spacy", "--lang", "de", "-o", "-"
    )
    assert result.exit_code == 0
    rows = [line.split("\t")[0] for line in result.stdout.splitlines()[4:]]
    assert "z.b." in rows
    assert '"lang": "de"' in result.stdout


def test_count_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "counts.tsv"
    result = run(runner, "count", str(tmp_path / "nope.txt"), "-o", str(output))
    assert result.exit_code == 1
    assert "Error:" in result.stderr
    assert "nope.txt: file not found" in result.stderr
    assert not output.exists()


def test_count_bad_byte_leaves_no_output(
    runner: CliRunner, verses: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(verses.read_bytes() + b"caf\xe9\n")
    output = tmp_path / "counts.tsv"
    result = run(runner, "count", str(bad), "-o", str(output))
    assert result.exit_code == 1
    offset = len(verses.read_bytes()) + 3
    assert (
        f"bad.txt, line 2001, byte offset {offset}: cannot decode byte 0xe9"
        in result.stderr
    )
    assert "Traceback" not in result.output
    assert list(tmp_path.glob("counts*")) == []
    assert list(tmp_path.glob(".counts*")) == []


def test_count_replace_reports(runner: CliRunner, verses: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 \xff\n" + verses.read_bytes())
    result = run(runner, "count", str(bad), "--encoding-errors", "replace", "-o", "-")
    assert result.exit_code == 0
    assert "replaced 2 invalid byte sequences" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
        (["--tokenizer", "bpe"], "Invalid value for '--tokenizer'"),
        (["--jobs", "0"], "Invalid value for '-j' / '--jobs'"),
        (["--min-length", "0"], "Invalid value for '--min-length'"),
    ],
)
def test_count_usage_errors(
    runner: CliRunner, verses: Path, args: list[str], message: str
) -> None:
    result = run(runner, "count", str(verses), "-o", "-", *args)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "zz", "--tokenizer", "spacy"], "language 'zz'"),
        (["--encoding", "utf-16"], "not supported"),
        (["--document", "file", "--jsonl-field", "text"], "cannot be combined"),
        (["--max-length", "1", "--min-length", "2"], "max_length must be at least"),
    ],
)
def test_count_option_errors(
    runner: CliRunner, verses: Path, args: list[str], message: str
) -> None:
    result = run(runner, "count", str(verses), "-o", "-", *args)
    assert result.exit_code == 1
    assert message in result.stderr


def test_count_output_is_input(runner: CliRunner, verses: Path) -> None:
    result = run(runner, "count", str(verses), "-o", str(verses))
    assert result.exit_code == 1
    assert "also an input" in result.stderr


def test_merge_adds_parts(runner: CliRunner, corpora_dir: Path, tmp_path: Path) -> None:
    old, new = (
        corpora_dir / "kjv-old-testament.txt",
        corpora_dir / "kjv-new-testament.txt",
    )
    for name, path in (("old", old), ("new", new)):
        run(runner, "count", str(path), "-o", str(tmp_path / f"{name}.tsv"))
    run(runner, "count", str(old), str(new), "-o", str(tmp_path / "both.tsv"))
    result = run(
        runner,
        "merge",
        str(tmp_path / "old.tsv"),
        str(tmp_path / "new.tsv"),
        "-o",
        str(tmp_path / "merged.tsv"),
    )
    assert result.exit_code == 0
    assert (tmp_path / "merged.tsv").read_bytes() == (
        tmp_path / "both.tsv"
    ).read_bytes()


def test_merge_settings_mismatch(
    runner: CliRunner, verses: Path, tmp_path: Path
) -> None:
    run(runner, "count", str(verses), "-o", str(tmp_path / "a.tsv"))
    run(runner, "count", str(verses), "--no-lowercase", "-o", str(tmp_path / "b.tsv"))
    paths = [str(tmp_path / "a.tsv"), str(tmp_path / "b.tsv")]
    result = run(runner, "merge", *paths, "-o", str(tmp_path / "m.tsv"))
    assert result.exit_code == 1
    assert "differing: lowercase" in result.stderr
    assert not (tmp_path / "m.tsv").exists()
    forced = run(
        runner, "merge", *paths, "--ignore-settings", "-o", str(tmp_path / "m.tsv")
    )
    assert forced.exit_code == 0
    assert "lowercase" not in read_counts(tmp_path / "m.tsv").settings


def test_merge_to_gensim(runner: CliRunner, verses: Path, tmp_path: Path) -> None:
    from gensim.corpora import Dictionary

    run(runner, "count", str(verses), "-o", str(tmp_path / "c.tsv"))
    result = run(
        runner,
        "merge",
        str(tmp_path / "c.tsv"),
        "--to",
        "gensim",
        "-o",
        str(tmp_path / "d.txt"),
    )
    assert result.exit_code == 0
    dictionary = Dictionary.load_from_text(str(tmp_path / "d.txt"))
    counts = read_counts(tmp_path / "c.tsv")
    assert dictionary.num_docs == counts.n_documents
    assert len(dictionary) == len(counts)
    assert dictionary.dfs[dictionary.token2id["jesus"]] == counts.doc_freqs["jesus"]


def test_merge_invalid_counts(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "broken.tsv"
    path.write_text("the\t12\t3\nand\tmany\t2\n")
    result = run(runner, "merge", str(path), "-o", "-")
    assert result.exit_code == 1
    assert "broken.tsv, line 2" in result.stderr


def test_clean_writes_tokens(runner: CliRunner, verses: Path, tmp_path: Path) -> None:
    output = tmp_path / "clean.txt"
    result = run(
        runner, "clean", str(verses), "--numbers", "replace", "-o", str(output)
    )
    assert result.exit_code == 0
    lines = output.read_text().splitlines()
    assert len(lines) == 2000
    assert lines[0].startswith("the book of the generation of jesus christ")
    assert all(token == token.lower() for token in lines[0].split())


def test_clean_vocab_unk(runner: CliRunner, verses: Path, tmp_path: Path) -> None:
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("the\nof\n")
    result = run(
        runner, "clean", str(verses), "--vocab", str(vocab), "--unk", "<unk>", "-o", "-"
    )
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0].split()
    assert set(first) == {"the", "of", "<unk>"}
    assert "outside the vocabulary replaced by <unk>" in result.stderr


def test_clean_unk_needs_vocab(runner: CliRunner, verses: Path) -> None:
    result = run(runner, "clean", str(verses), "--unk", "<unk>", "-o", "-")
    assert result.exit_code == 2
    assert "--unk needs --vocab" in result.stderr


@pytest.mark.parametrize("name", ["count", "clean", "merge"])
def test_help_has_example(runner: CliRunner, name: str) -> None:
    result = run(runner, name, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"textprune {name}" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--chunk-size", "nan"],
        ["--chunk-size", "inf"],
        ["--jobs", "99999999999999999999"],
        ["--jobs", "2147483648"],
    ],
)
def test_count_rejects_unusable_numbers(tmp_path, args):
    from click.testing import CliRunner

    source = tmp_path / "in.txt"
    source.write_text("one line\n", encoding="utf-8")
    out = tmp_path / "out.tsv"
    result = CliRunner().invoke(main, ["count", str(source), *args, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_count_plot_writes_charts(tmp_path):
    from click.testing import CliRunner

    corpus = Path(__file__).resolve().parent.parent / "corpora" / "kjv-new-testament.txt"
    charts = tmp_path / "charts"
    result = CliRunner().invoke(
        main,
        ["count", str(corpus), "-o", str(tmp_path / "c.tsv"), "--plot", str(charts)],
    )
    assert result.exit_code == 0, result.output
    for name in ("rank-frequency.png", "coverage.png"):
        data = (charts / name).read_bytes()
        assert data.startswith(b"\x89PNG")
        assert len(data) > 10_000
