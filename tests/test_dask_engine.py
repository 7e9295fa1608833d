"""Tests of the dask engine on a two-worker local cluster bound to loopback."""

from __future__ import annotations

import bz2
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from textprune.cli.main import main
from textprune.corpus import CorpusOptions
from textprune.counting import CountOptions, count_corpus
from textprune.counts import write_counts
from textprune.errors import TextpruneError
from textprune.text import CleaningOptions


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """Address of a LocalCluster with 2 workers in this process, on 127.0.0.1."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def tsv(inputs: list[Path], options: CountOptions | None = None, **kwargs) -> str:
    handle = io.StringIO()
    write_counts(count_corpus(inputs, options, **kwargs).counts, handle)
    return handle.getvalue()


def test_dask_equals_local(scheduler: str, corpora_dir: Path) -> None:
    paths = sorted(corpora_dir.glob("kjv-*.txt"))
    local = tsv(paths)
    distributed = tsv(paths, engine="dask", scheduler=scheduler, chunk_size=300_000)
    assert distributed == local


def test_dask_compressed_and_file_documents(
    scheduler: str, corpora_dir: Path, tmp_path: Path
) -> None:
    packed = tmp_path / "nt.txt.bz2"
    packed.write_bytes(
        bz2.compress((corpora_dir / "kjv-new-testament.txt").read_bytes())
    )
    plain = corpora_dir / "kjv-old-testament.txt"
    for options in (
        CountOptions(),
        CountOptions(
            CleaningOptions(numbers="replace"), CorpusOptions(document="file")
        ),
    ):
        local = tsv([plain, packed], options)
        distributed = tsv(
            [plain, packed],
            options,
            engine="dask",
            scheduler=scheduler,
            chunk_size=500_000,
        )
        assert distributed == local


def test_dask_first_bad_byte(scheduler: str, corpora_dir: Path, tmp_path: Path) -> None:
    raw = (corpora_dir / "kjv-new-testament.txt").read_bytes()
    bad = tmp_path / "bad.txt"
    middle = raw.index(b"\n", len(raw) // 2) + 1
    bad.write_bytes(raw[:middle] + b"\xff" + raw[middle:] + b"\xfe\n")
    line = raw[:middle].count(b"\n") + 1
    expected = rf"bad.txt, line {line}, byte offset {middle}: cannot decode byte 0xff"
    with pytest.raises(TextpruneError, match=expected):
        count_corpus([bad], engine="dask", scheduler=scheduler, chunk_size=50_000)


def test_dask_rejects_stdin(scheduler: str) -> None:
    with pytest.raises(TextpruneError, match="cannot read standard input"):
        count_corpus(["-"], engine="dask", scheduler=scheduler)


def test_dask_cli_scheduler(scheduler: str, corpora_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    path = str(corpora_dir / "kjv-new-testament.txt")
    local, remote = tmp_path / "local.tsv", tmp_path / "dask.tsv"
    runner.invoke(main, ["count", path, "-o", str(local)], catch_exceptions=False)
    result = runner.invoke(
        main,
        [
            "count",
            path,
            "--engine",
            "dask",
            "--scheduler",
            scheduler,
            "-o",
            str(remote),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert remote.read_bytes() == local.read_bytes()


def test_dask_unreachable_scheduler(
    corpora_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import textprune.counting

    monkeypatch.setattr(textprune.counting, "SCHEDULER_TIMEOUT", 1)
    # Port 9 on loopback: nothing listens there in the test environment.
    with pytest.raises(TextpruneError, match="cannot connect to the Dask scheduler"):
        count_corpus(
            [corpora_dir / "kjv-new-testament.txt"],
            engine="dask",
            scheduler="tcp://127.0.0.1:9",
        )
