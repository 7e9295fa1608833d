"""Malformed, hostile and awkward inputs and outputs.

Every case either loads correctly or ends in ``Error: ...`` with exit status 1,
naming the file and the line or byte offset, with no traceback and no output file.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textprune.cli.main import main
from textprune.errors import OutputError, TextpruneError
from textprune.formats import read_vectors, write_vectors, write_word2vec
from textprune.vectors import WordVectors

REPO = Path(__file__).resolve().parent.parent

SMALL = WordVectors(
    ["the", "of", "and", "to"],
    np.array([[0.5, -1.0], [0.25, 2.0], [1.5, 0.0], [-0.125, 3.0]], np.float32),
)


def binary_bytes(table: WordVectors = SMALL) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.bin"
        write_word2vec(table, path, binary=True)
        return path.read_bytes()


def text_bytes(table: WordVectors = SMALL) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.txt"
        write_word2vec(table, path)
        return path.read_bytes()


def npy_bytes(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def corrupt_middle(data: bytes) -> bytes:
    middle = len(data) // 2
    return (
        data[:middle]
        + bytes(b ^ 0x5A for b in data[middle : middle + 8])
        + data[middle + 8 :]
    )


def junk(size: int = 3000) -> bytes:
    return np.random.default_rng(7).integers(0, 256, size, dtype=np.uint8).tobytes()


BIG_TEXT = text_bytes(
    WordVectors(
        [f"w{i}" for i in range(3000)],
        np.random.default_rng(3).standard_normal((3000, 20)).astype(np.float32),
    )
)

# name, file name, content, fragments the error message must contain.
FAILING = [
    ("count-rows", "v.txt", b"3 2\na 1 2\nb 3 4\n", ["line 1", "announces 3 rows"]),
    (
        "count-dims",
        "v.txt",
        b"2 3\na 1 2\nb 3 4\n",
        ["line 2", "expected a word and 3"],
    ),
    ("short-row", "v.txt", b"a 1 2\nb 3\nc 5 6\n", ["line 2", "got 1 value;"]),
    ("long-row", "v.txt", b"a 1 2\nb 3 4 5\n", ["line 2", "got 3 values"]),
    ("bad-value", "v.txt", b"a 1 2\nb 3 x\n", ["line 2", "'x'", "not a number"]),
    ("comma-decimal", "v.vec", b"1 2\na 1,5 2\n", ["line 2", "'1,5'"]),
    ("nan", "v.txt", b"a 1 2\nb nan 4\n", ["line 2", "NaN or infinity"]),
    ("infinity", "v.txt", b"a inf 2\n", ["line 1", "NaN or infinity"]),
    (
        "duplicate",
        "v.txt",
        b"a 1 2\nb 3 4\na 5 6\n",
        ["line 3", "at line 1", "--duplicates"],
    ),
    ("empty", "v.txt", b"", ["no vectors found"]),
    ("count-line-alone", "v.txt", b"5 2\n", ["no vectors found"]),
    ("blank-lines", "v.txt", b"\n \r\n\n", ["no vectors found"]),
    ("word-without-values", "v.txt", b"lonely\n", ["line 1", "no values"]),
    (
        "not-utf8",
        "v.txt",
        b"a 1 2\ncaf\xe9 3 4\n",
        ["line 2", "not valid UTF-8", "--unicode-errors"],
    ),
    ("huge-dims", "v.txt", b"1 999999999\na 1 2\n", ["line 1", "999999999 dimensions"]),
    ("truncated-binary", "v.bin", binary_bytes()[:-5], ["byte offset", "truncated"]),
    (
        "binary-extra-rows",
        "v.bin",
        binary_bytes().replace(b"4 2", b"3 2", 1),
        ["more data follows"],
    ),
    (
        "binary-nan",
        "v.bin",
        binary_bytes().replace(b"\x00\x00\x00?", b"\x00\x00\xc0\x7f", 1),
        ["NaN or infinity", "byte offset"],
    ),
    (
        "junk-named-txt",
        "v.txt",
        b"\x00" + junk(),
        ["byte offset 0", "not a word2vec binary"],
    ),
    (
        "corrupt-gzip",
        "v.txt.gz",
        corrupt_middle(gzip.compress(BIG_TEXT, mtime=0)),
        ["corrupt"],
    ),
    (
        "truncated-gzip",
        "v.txt.gz",
        gzip.compress(BIG_TEXT, mtime=0)[:-2000],
        ["truncated"],
    ),
    ("truncated-bz2", "v.txt.bz2", bz2.compress(BIG_TEXT)[:-2000], ["truncated"]),
    ("truncated-xz", "v.txt.xz", lzma.compress(BIG_TEXT)[:-2000], ["truncated"]),
    ("gzip-header-only", "v.txt.gz", b"\x1f\x8b\x08\x00", ["corrupt"]),
    ("gensim-pickle", "v.kv", b"\x80\x04\x95gensim", ["pickle", "--allow-pickle"]),
    (
        "npy-truncated",
        "v.npy",
        npy_bytes(np.zeros((1000, 50), np.float32))[:300],
        ["truncated"],
    ),
    (
        "npy-bad-header",
        "v.npy",
        b"\x93NUMPY\x01\x00\x10\x00{'descr': 1}    \n",
        ["invalid .npy header"],
    ),
    (
        "npy-objects",
        "v.npy",
        npy_bytes(np.array([["a", "b"]], dtype=object)),
        ["2-d matrix of numbers"],
    ),
    (
        "fasttext-model",
        "model.bin",
        b"\xba\x16\x4f\x2f" + junk(200),
        ["fastText model"],
    ),
]


def run_convert(runner, *args: str):
    return runner.invoke(main, ["convert", *args])


def assert_clean_error(result, path: Path, fragments: list[str]) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: "), result.output
    assert str(path) in result.output
    for fragment in fragments:
        assert fragment in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("file_name", "content", "fragments"),
    [case[1:] for case in FAILING],
    ids=[case[0] for case in FAILING],
)
def test_hostile_input_fails_cleanly(runner, tmp_path, file_name, content, fragments):
    source = tmp_path / file_name
    source.write_bytes(content)
    output = tmp_path / "out.txt"

    result = run_convert(runner, str(source), str(output))

    assert_clean_error(result, source, fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == [file_name]


@pytest.mark.parametrize(
    ("file_name", "content", "words"),
    [
        ("bom-crlf.txt", b"\xef\xbb\xbf2 2\r\na 1 2\r\nb 3 4\r\n", ["a", "b"]),
        ("bom-crlf-glove.txt", b"\xef\xbb\xbfa 1 2\r\nb 3 4\r\n", ["a", "b"]),
        ("binary-named.txt", binary_bytes(), SMALL.words),
        ("gzip-named.txt", gzip.compress(text_bytes(), mtime=0), SMALL.words),
        ("xz-named.bin", lzma.compress(binary_bytes()), SMALL.words),
    ],
)
def test_awkward_input_loads(runner, tmp_path, file_name, content, words):
    source = tmp_path / file_name
    source.write_bytes(content)
    output = tmp_path / "out.txt"

    result = run_convert(runner, str(source), str(output))

    assert result.exit_code == 0, result.output
    assert read_vectors(output).words == words


def test_directory_input(runner, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    result = run_convert(runner, str(folder), str(tmp_path / "out.txt"))
    assert_clean_error(result, folder, ["is a directory"])


def test_missing_input(runner, tmp_path):
    missing = tmp_path / "nope.txt"
    result = run_convert(runner, str(missing), str(tmp_path / "out.txt"))
    assert_clean_error(result, missing, ["not found"])


@pytest.mark.parametrize("spelling", ["same", "relative", "dotted"])
def test_output_equal_to_input(runner, tmp_path, monkeypatch, spelling):
    source = tmp_path / "v.txt"
    source.write_bytes(text_bytes())
    before = source.read_bytes()
    monkeypatch.chdir(tmp_path)
    output = {"same": str(source), "relative": "v.txt", "dotted": "./sub/../v.txt"}[
        spelling
    ]
    (tmp_path / "sub").mkdir()

    result = run_convert(runner, str(source), output)

    assert result.exit_code == 1
    assert "the output path is also an input" in result.output
    assert source.read_bytes() == before


def test_output_is_directory(runner, tmp_path):
    source = tmp_path / "v.txt"
    source.write_bytes(text_bytes())
    result = run_convert(runner, str(source), str(tmp_path))
    assert_clean_error(result, tmp_path, ["is a directory"])


def test_output_folder_missing(runner, tmp_path):
    source = tmp_path / "v.txt"
    source.write_bytes(text_bytes())
    output = tmp_path / "no" / "out.txt"
    result = run_convert(runner, str(source), str(output))
    assert_clean_error(result, output, ["does not exist"])


def test_output_folder_not_writable():
    """Runs the write in a forked child; as root, the child drops to 'nobody',
    because root may write into any folder."""
    folder = Path(tempfile.mkdtemp(prefix="textprune-readonly-"))
    try:
        output = folder / "out.txt"
        output.write_bytes(b"old output\n")
        folder.chmod(0o555)
        output.chmod(0o644)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through the pipe
            status = 2
            try:
                os.close(read_end)
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                write_vectors(SMALL, output)
                status = 0
            except OutputError as exc:
                os.write(write_end, str(exc).encode())
                status = 1
            finally:
                os._exit(status)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            message = pipe.read().decode()
        _, status = os.waitpid(pid, 0)

        assert os.waitstatus_to_exitcode(status) == 1
        assert str(output) in message
        assert "choose a writable folder" in message
        assert output.read_bytes() == b"old output\n"
        assert sorted(p.name for p in folder.iterdir()) == ["out.txt"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def cli_subprocess(args: list[str], **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "textprune", "convert", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def _limit_file_size() -> None:  # pragma: no cover - runs in the child
    import resource

    # Without this, the kernel kills the process with SIGXFSZ instead of failing
    # the write with EFBIG.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))


def test_full_disk_keeps_old_output(tmp_path):
    source = tmp_path / "v.txt"
    source.write_bytes(BIG_TEXT)
    output = tmp_path / "out.txt"
    output.write_bytes(b"old output\n")

    process = cli_subprocess([str(source), str(output)], preexec_fn=_limit_file_size)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 1, stderr
    message = stderr.decode()
    assert message.startswith("Error: ")
    assert "writing failed" in message
    assert "Traceback" not in message
    assert output.read_bytes() == b"old output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "v.txt"]


def test_interrupt_during_write_keeps_old_output(tmp_path):
    rng = np.random.default_rng(0)
    table = WordVectors(
        [f"w{i}" for i in range(20000)],
        rng.standard_normal((20000, 100)).astype(np.float32),
    )
    source = tmp_path / "v.bin"
    write_word2vec(table, source, binary=True)
    output = tmp_path / "out.txt.xz"
    output.write_bytes(b"old output\n")

    process = cli_subprocess([str(source), str(output)])
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.txt.xz.*.tmp")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert output.read_bytes() == b"old output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt.xz", "v.bin"]


# -- property-based: random and mutated files ---------------------------------------

SEEDS = {
    "text": text_bytes(),
    "glove": text_bytes().split(b"\n", 1)[1],
    "binary": binary_bytes(),
    "gzip-text": gzip.compress(text_bytes(), mtime=0),
    "headless-binary": binary_bytes().split(b"\n", 1)[1],
    "xz-binary": lzma.compress(binary_bytes()),
    "npy": npy_bytes(SMALL.vectors),
}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """A folder for generated files, with the word list that .npy seeds need."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "mutated.txt.words.txt").write_text("\n".join(SMALL.words) + "\n")
    return folder


def read_or_documented_error(path: Path, **options) -> None:
    """Read ``path``; success and TextpruneError are fine, anything else fails."""
    try:
        table = read_vectors(path, **options)
    except TextpruneError as exc:
        assert exc.path is not None or "limit" in str(exc)
        return
    assert len(table) > 0
    assert np.isfinite(table.vectors).all()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=600))
def test_random_bytes(scratch, content):
    path = scratch / "random.vec"
    path.write_bytes(content)
    read_or_documented_error(path)


@st.composite
def mutated(draw):
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[position:]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[position : position + draw(st.integers(1, 8))]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=mutated(), duplicates=st.sampled_from(["error", "first", "last"]))
def test_mutated_files(scratch, content, duplicates):
    path = scratch / "mutated.txt"
    path.write_bytes(content)
    read_or_documented_error(path, duplicates=duplicates, unicode_errors="strict")


TOKENS = [
    "a",
    "b",
    "the",
    "1",
    "2",
    "-0.5",
    "1e3",
    "nan",
    "inf",
    "x",
    "\u00e9",
    "\t",
    " ",
    "",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.lists(st.sampled_from(TOKENS), max_size=5).map(" ".join), max_size=8
    ),
    newline=st.sampled_from(["\n", "\r\n"]),
    fmt=st.sampled_from([None, "word2vec-text", "glove", "word2vec-binary"]),
)
def test_random_text_rows(scratch, lines, newline, fmt):
    path = scratch / "rows.txt"
    path.write_bytes(newline.join(lines).encode())
    read_or_documented_error(path, format=fmt)


def test_npy_header_unclosed_brace(tmp_path):
    # numpy parses .npy headers as Python literals; this header fails in the
    # tokenizer, not the parser.
    header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }"
    header = header.replace(b"}", b" ").ljust(118) + b"\n"
    path = tmp_path / "bad.npy"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header)
    (tmp_path / "bad.words.txt").write_text("a\nb\nc\nd\n", encoding="utf-8")
    with pytest.raises(TextpruneError, match="invalid .npy header"):
        read_vectors(path)
