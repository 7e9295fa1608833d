"""Word-similarity and analogy benchmarks: the shipped sets and their file readers.

A word-similarity file has one pair a line, ``word1 word2 score``, separated by tabs
(or by spaces when a line has no tab). An analogy file has ``a b c d`` questions
("a is to b as c is to d") grouped under ``: section`` lines, as in word2vec's
``questions-words.txt``. Both readers accept CRLF line endings, a UTF-8 byte order
mark, blank lines and ``#`` comments; a similarity file may also start with a header
line such as ``Word 1<TAB>Word 2<TAB>Human (mean)``.

The shipped sets live in ``textprune/data``; :data:`SHIPPED` lists each with its
size, what it measures and where it comes from. Any other file in the same shape is
accepted by path.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from textprune._io import PathLike, display_name, iter_text_lines
from textprune.errors import InputFormatError, TextpruneError

logger = logging.getLogger(__name__)

SIMILARITY = "similarity"
ANALOGY = "analogy"


@dataclass(frozen=True)
class BenchmarkInfo:
    """A benchmark that ships with textprune.

    Parameters
    ----------
    name : str
        The name that ``--benchmark`` accepts (case-insensitive).
    kind : {"similarity", "analogy"}
        Word-pair similarity scores or analogy questions.
    filename : str
        The file under ``textprune/data/<kind folder>/``.
    size : int
        Number of pairs or questions in the file.
    measures : str
        What the human judgements rate.
    source : str
        Authors and year of the dataset.
    """

    name: str
    kind: str
    filename: str
    size: int
    measures: str
    source: str

    @property
    def package_path(self) -> str:
        """The data file's path inside the package, the same on every machine."""
        folder = "word_sim" if self.kind == SIMILARITY else "analogy"
        return f"textprune/data/{folder}/{self.filename}"

    @property
    def path(self) -> Path:
        """Location of the data file in the installed package."""
        root = resources.files("textprune").joinpath(*self.package_path.split("/")[1:])
        return Path(str(root))


# The word-similarity collection is the one distributed with the MIT-licensed
# eval-word-vectors scripts (Faruqui and Dyer, 2014); the analogy set is word2vec's
# (Mikolov et al., 2013) as shipped in gensim's test data. Sizes are the rows in
# each file: EN-MTurk-287 has 287 rows and EN-VERB-143 has 144.
SHIPPED: dict[str, BenchmarkInfo] = {
    info.name: info
    for info in [
        BenchmarkInfo(
            "EN-WS-353-ALL",
            SIMILARITY,
            "EN-WS-353-ALL.txt",
            353,
            "relatedness and similarity",
            "Finkelstein et al., 2002",
        ),
        BenchmarkInfo(
            "EN-WS-353-SIM",
            SIMILARITY,
            "EN-WS-353-SIM.txt",
            203,
            "similarity (WordSim-353 split)",
            "Agirre et al., 2009",
        ),
        BenchmarkInfo(
            "EN-WS-353-REL",
            SIMILARITY,
            "EN-WS-353-REL.txt",
            252,
            "relatedness (WordSim-353 split)",
            "Agirre et al., 2009",
        ),
        BenchmarkInfo(
            "EN-SIMLEX-999",
            SIMILARITY,
            "EN-SIMLEX-999.txt",
            999,
            "similarity, not relatedness",
            "Hill et al., 2015",
        ),
        BenchmarkInfo(
            "EN-MEN-TR-3k",
            SIMILARITY,
            "EN-MEN-TR-3k.txt",
            3000,
            "relatedness",
            "Bruni et al., 2014",
        ),
        BenchmarkInfo(
            "EN-RG-65",
            SIMILARITY,
            "EN-RG-65.txt",
            65,
            "similarity",
            "Rubenstein and Goodenough, 1965",
        ),
        BenchmarkInfo(
            "EN-MC-30",
            SIMILARITY,
            "EN-MC-30.txt",
            30,
            "similarity",
            "Miller and Charles, 1991",
        ),
        BenchmarkInfo(
            "EN-MTurk-287",
            SIMILARITY,
            "EN-MTurk-287.txt",
            287,
            "relatedness",
            "Radinsky et al., 2011",
        ),
        BenchmarkInfo(
            "EN-YP-130",
            SIMILARITY,
            "EN-YP-130.txt",
            130,
            "verb similarity",
            "Yang and Powers, 2006",
        ),
        BenchmarkInfo(
            "EN-VERB-143",
            SIMILARITY,
            "EN-VERB-143.txt",
            144,
            "verb similarity",
            "Baker et al., 2014",
        ),
        BenchmarkInfo(
            "EN-GOOGLE-ANALOGY",
            ANALOGY,
            "questions-words.txt",
            19544,
            "analogies, 5 semantic and 9 syntactic sections",
            "Mikolov et al., 2013 (word2vec, via gensim)",
        ),
    ]
}

ANALOGY_DEFAULT = "EN-GOOGLE-ANALOGY"


@dataclass
class SimilarityBenchmark:
    """Word pairs with human similarity or relatedness scores.

    Parameters
    ----------
    name : str
        Shipped name, or the file name for a user file.
    pairs : list of tuple of (str, str)
        The word pairs, in file order.
    scores : numpy.ndarray of shape (n_pairs,)
        The human score of each pair, on the dataset's own scale.
    path : str
        The file the pairs were read from.
    """

    name: str
    pairs: list[tuple[str, str]]
    scores: np.ndarray
    path: str

    def __len__(self) -> int:
        return len(self.pairs)


@dataclass
class AnalogyBenchmark:
    """Analogy questions ``a : b :: c : d`` grouped into named sections.

    Parameters
    ----------
    name : str
        Shipped name, or the file name for a user file.
    sections : list of tuple of (str, list of tuple of (str, str, str, str))
        Each section's name and its questions, in file order.
    path : str
        The file the questions were read from.
    """

    name: str
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = field(
        default_factory=list
    )
    path: str = ""

    def __len__(self) -> int:
        return sum(len(questions) for _, questions in self.sections)


Benchmark = SimilarityBenchmark | AnalogyBenchmark


def _split_fields(line: str) -> list[str]:
    if "\t" in line:
        return [part.strip() for part in line.split("\t")]
    return line.split()


def _parse_score(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_similarity_pairs(
    path: PathLike, name: str | None = None
) -> SimilarityBenchmark:
    """Read a word-similarity file of ``word1 word2 score`` rows.

    The first row that is neither blank nor a ``#`` comment is taken as a header and
    skipped when its score field is not a number.

    Parameters
    ----------
    path : str or os.PathLike
        The file; gzip, bzip2 and xz files are read transparently.
    name : str, default=None
        The benchmark's name; defaults to the file name without its extension.

    Raises
    ------
    InputFormatError
        If a row does not have three fields, a score does not parse as a finite
        number, or the file has no pairs; the message names the file and line.
    """
    shown = display_name(path)
    pairs: list[tuple[str, str]] = []
    scores: list[float] = []
    first_row = True
    for number, line in iter_text_lines(path):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = _split_fields(stripped)
        is_first, first_row = first_row, False
        if is_first and _parse_score(fields[-1]) is None:
            logger.debug("Skipping the header line of %s: %r", shown, stripped)
            continue
        if len(fields) != 3 or not fields[0] or not fields[1]:
            raise InputFormatError(
                f"expected 'word1 word2 score' separated by tabs, got {len(fields)} "
                f"fields in {stripped!r}; fix or remove the row",
                path=shown,
                line=number,
            )
        score = _parse_score(fields[2])
        if score is None:
            raise InputFormatError(
                f"the score {fields[2]!r} is not a number; each row must end with "
                "a numeric score",
                path=shown,
                line=number,
            )
        pairs.append((fields[0], fields[1]))
        scores.append(score)
    if not pairs:
        raise InputFormatError(
            "no word pairs found; expected rows of 'word1<TAB>word2<TAB>score'",
            path=shown,
        )
    label = name or _stem(path)
    return SimilarityBenchmark(
        label, pairs, np.asarray(scores, dtype=np.float64), shown
    )


def read_analogies(path: PathLike, name: str | None = None) -> AnalogyBenchmark:
    """Read an analogy file: ``: section`` lines, each followed by ``a b c d`` rows.

    Parameters
    ----------
    path : str or os.PathLike
        The file; gzip, bzip2 and xz files are read transparently.
    name : str, default=None
        The benchmark's name; defaults to the file name without its extension.

    Raises
    ------
    InputFormatError
        If a question comes before the first section line, a row does not have four
        words, or the file has no questions; the message names the file and line.
    """
    shown = display_name(path)
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    for number, line in iter_text_lines(path):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(":"):
            sections.append((stripped[1:].strip(), []))
            continue
        fields = stripped.split()
        if len(fields) != 4:
            raise InputFormatError(
                f"expected four words 'a b c d', got {len(fields)} in {stripped!r}; "
                "fix or remove the row",
                path=shown,
                line=number,
            )
        if not sections:
            raise InputFormatError(
                "a question comes before the first ': section' line; add a "
                "section line at the top",
                path=shown,
                line=number,
            )
        sections[-1][1].append((fields[0], fields[1], fields[2], fields[3]))
    sections = [section for section in sections if section[1]]
    if not sections:
        raise InputFormatError(
            "no analogy questions found; expected ': section' lines followed by "
            "rows of four words",
            path=shown,
        )
    return AnalogyBenchmark(name or _stem(path), sections, shown)


def _stem(path: PathLike) -> str:
    text = display_name(path)
    base = os.path.basename(text)
    for suffix in (".gz", ".bz2", ".xz"):
        base = base.removesuffix(suffix)
    return os.path.splitext(base)[0] or base


def _is_analogy_file(path: PathLike) -> bool:
    for _, line in iter_text_lines(path):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped.startswith(":")
    return False


def find_shipped(name: str) -> BenchmarkInfo | None:
    """Return the shipped benchmark called ``name`` (case-insensitive), if any."""
    folded = name.casefold()
    for key, info in SHIPPED.items():
        if key.casefold() == folded:
            return info
    return None


def load_benchmark(name_or_path: str | os.PathLike[str]) -> Benchmark:
    """Load a shipped benchmark by name, or a user file by path.

    A file whose first row starts with ``:`` is read as analogies, any other file
    as word-similarity pairs.

    Raises
    ------
    TextpruneError
        If ``name_or_path`` is neither a shipped name nor an existing file.
    InputFormatError
        If the file does not parse.
    """
    info = find_shipped(os.fspath(name_or_path))
    if info is not None:
        benchmark: Benchmark
        if info.kind == ANALOGY:
            benchmark = read_analogies(info.path, name=info.name)
        else:
            benchmark = read_similarity_pairs(info.path, name=info.name)
        # Reports then show the same path on every machine.
        benchmark.path = info.package_path
        return benchmark
    path = Path(name_or_path)
    if not path.is_file():
        names = ", ".join(SHIPPED)
        raise TextpruneError(
            f"no shipped benchmark is called {os.fspath(name_or_path)!r} and no "
            f"such file exists; use one of {names}, or a file path"
        )
    if _is_analogy_file(path):
        return read_analogies(path)
    return read_similarity_pairs(path)


def default_similarity_benchmarks() -> list[str]:
    """Return the names of every shipped word-similarity set, in listing order."""
    return [name for name, info in SHIPPED.items() if info.kind == SIMILARITY]


__all__ = [
    "ANALOGY_DEFAULT",
    "SHIPPED",
    "AnalogyBenchmark",
    "Benchmark",
    "BenchmarkInfo",
    "SimilarityBenchmark",
    "default_similarity_benchmarks",
    "find_shipped",
    "load_benchmark",
    "read_analogies",
    "read_similarity_pairs",
]
