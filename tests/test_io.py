"""Tests of the shared input and output plumbing."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import subprocess
import sys
import textwrap

import pytest

from textprune._io import atomic_output, check_output_differs, iter_text_lines
from textprune.errors import OutputError, TextpruneError

TEXT = "first line\r\nsecond line\nthird\n"


@pytest.mark.parametrize(
    ("suffix", "opener"),
    [(".txt", open), (".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)],
)
def test_iter_text_lines_reads_compressed(tmp_path, suffix, opener):
    path = tmp_path / f"sample{suffix}"
    with opener(path, "wb") as handle:
        handle.write(b"\xef\xbb\xbf" + TEXT.encode())
    lines = [line for _, line in iter_text_lines(path)]
    assert lines == ["first line", "second line", "third"]


def test_iter_text_lines_detects_by_content(tmp_path):
    path = tmp_path / "looks-plain.txt"
    path.write_bytes(gzip.compress(TEXT.encode()))
    assert [line for _, line in iter_text_lines(path)][0] == "first line"


def test_iter_text_lines_bad_byte_names_line_and_offset(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok\nalso ok\nbad \xff here\n")
    with pytest.raises(TextpruneError) as info:
        list(iter_text_lines(path))
    assert info.value.line == 3
    assert info.value.offset == len(b"ok\nalso ok\nbad ")
    assert "0xff" in str(info.value)


def test_iter_text_lines_truncated_gzip(tmp_path):
    path = tmp_path / "cut.gz"
    text = "".join(f"line {number} {number * 7919 % 10007}\n" for number in range(5000))
    data = gzip.compress(text.encode())
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(TextpruneError, match="truncated or corrupt"):
        list(iter_text_lines(path))


def test_iter_text_lines_missing_and_directory(tmp_path):
    with pytest.raises(TextpruneError, match="file not found"):
        list(iter_text_lines(tmp_path / "missing.txt"))
    with pytest.raises(TextpruneError, match="is a directory"):
        list(iter_text_lines(tmp_path))


def test_atomic_output_replaces_only_on_success(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as handle:
            handle.write("new and partial")
            raise RuntimeError("fails midway")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]
    with atomic_output(target) as handle:
        handle.write("new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_atomic_output_missing_folder(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        with atomic_output(tmp_path / "no" / "out.txt") as handle:
            handle.write("x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_atomic_output_readonly_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="writable folder"):
            with atomic_output(folder / "out.txt") as handle:
                handle.write("x")
    finally:
        folder.chmod(0o700)


def test_atomic_output_full_disk_leaves_nothing(tmp_path):
    target = tmp_path / "big.bin"
    target.write_bytes(b"old")
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        from textprune._io import atomic_output
        from textprune.errors import OutputError
        try:
            with atomic_output({str(target)!r}, "wb") as handle:
                for _ in range(100):
                    handle.write(b"x" * 1024)
        except OutputError as exc:
            print(exc)
            sys.exit(1)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stderr
    assert "writing failed" in result.stdout
    assert target.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["big.bin"]


def test_check_output_differs(tmp_path):
    path = tmp_path / "same.txt"
    path.write_text("x")
    with pytest.raises(TextpruneError, match="also an input"):
        check_output_differs(tmp_path / "." / "same.txt", [path])
    check_output_differs(tmp_path / "other.txt", [path])
    check_output_differs("-", ["-"])
