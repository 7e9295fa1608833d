"""Analogy accuracy with 3CosAdd and 3CosMul, following gensim's evaluation rules.

For a question ``a : b :: c : d`` the answer is the row, among the first
``restrict_vocab`` rows, that maximizes

- 3CosAdd: ``cos(x, b) - cos(x, a) + cos(x, c)`` (Mikolov et al., 2013), computed as
  gensim 4.4's ``most_similar`` does: the cosine of ``x`` with the normalized mean of
  the unit vectors of ``b``, ``c`` and ``-a``;
- 3CosMul: ``cos'(x, b) * cos'(x, c) / (cos'(x, a) + 1e-6)`` with
  ``cos' = (1 + cos) / 2`` (Levy and Goldberg, 2014), as gensim's
  ``most_similar_cosmul`` computes it.

The rules follow gensim's ``evaluate_word_analogies``. Only the first
``restrict_vocab`` rows are looked up and searched, and the rows of ``a``, ``b`` and
``c`` are excluded. Among the five best remaining rows, the prediction is the first
whose word (case-folded when ``lowercase``) is not one of the question words.
Aliases are not used, because an alias points at another word's row.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field

import numpy as np

from textprune._stats import bootstrap, make_rng, percentile_interval
from textprune.benchmarks import AnalogyBenchmark
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

METHODS = ("3cosadd", "3cosmul")

# gensim checks this many best rows for a prediction outside the question words.
_TOP_N = 5

# Questions are scored in batches whose score matrix stays near this many floats.
_BATCH_FLOATS = 1 << 23

# The cosines of all rows with a chunk's distinct question words stay near this
# many floats (256 MB), which fits most sections of the Google set for 300,000 rows.
# NOTE: the time grows with questions times rows. On 300,000 rows of 50 dimensions,
# the Google set took roughly a minute per method on a shared 2-core machine.
_COSINE_FLOATS = 1 << 26


@dataclass
class AnalogySection:
    """Accuracy on one section of an analogy set.

    Parameters
    ----------
    name : str
        The section's name from its ``:`` line.
    questions : int
        Questions in the section.
    answered : int
        Questions whose four words are all known; the others are skipped, or count
        as wrong under the ``zero`` and ``mean`` unknown-word policies.
    correct : int
        Questions answered with the expected word.
    """

    name: str
    questions: int
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Share of the scored questions answered correctly (NaN if none)."""
        return self.correct / self.answered if self.answered else float("nan")


@dataclass
class AnalogyScore:
    """Analogy accuracy of one vector table on one analogy set with one method.

    Parameters
    ----------
    benchmark : str
        The analogy set's name.
    method : {"3cosadd", "3cosmul"}
        How the answer is chosen.
    restrict_vocab : int
        Only the first this many rows were looked up and searched.
    oov : str
        The unknown-word policy: ``skip`` drops questions with unknown words,
        ``zero`` and ``mean`` count them as wrong.
    sections : list of AnalogySection
        Per-section counts, in file order.
    accuracy_ci : tuple of (float, float)
        Bootstrap interval of the overall accuracy.
    outcomes : numpy.ndarray
        1 for a correct answer, 0 for a wrong one, -1 for a skipped question, in
        file order.
    known : numpy.ndarray
        True for each question whose four words were all found; two tables are
        compared on the questions both know.
    """

    benchmark: str
    method: str
    restrict_vocab: int
    oov: str
    sections: list[AnalogySection]
    accuracy_ci: tuple[float, float]
    outcomes: np.ndarray = field(repr=False)
    known: np.ndarray = field(repr=False)

    @property
    def questions(self) -> int:
        """Questions in the set."""
        return sum(section.questions for section in self.sections)

    @property
    def answered(self) -> int:
        """Questions scored under the unknown-word policy."""
        return sum(section.answered for section in self.sections)

    @property
    def correct(self) -> int:
        """Questions answered correctly."""
        return sum(section.correct for section in self.sections)

    @property
    def accuracy(self) -> float:
        """Share of the scored questions answered correctly (NaN if none)."""
        return self.correct / self.answered if self.answered else float("nan")


def _restricted_index(
    words: list[str], lowercase: bool
) -> tuple[dict[str, int], list[str]]:
    folded = [word.lower() if lowercase else word for word in words]
    index: dict[str, int] = {}
    for row, word in enumerate(folded):
        index.setdefault(word, row)
    return index, folded


def _question_rows(
    benchmark: AnalogyBenchmark, index: dict[str, int], lowercase: bool
) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Return the four rows of each question (-1 if unknown) and its folded words."""
    rows = []
    folded_questions = []
    for _, questions in benchmark.sections:
        for question in questions:
            folded = tuple(word.lower() if lowercase else word for word in question)
            folded_questions.append(folded)
            rows.append([index.get(word, -1) for word in folded])
    return np.asarray(rows, dtype=np.int64).reshape(-1, 4), folded_questions


def _chunks(abc: np.ndarray, starts: list[int], max_words: int) -> list[np.ndarray]:
    """Split question indices into runs with at most ``max_words`` distinct rows.

    Runs never cross a section boundary (``starts``), because sections share few
    words, and consecutive questions of a section share most of theirs.
    """
    chunks = []
    bounds = [*starts, len(abc)]
    for begin, end in itertools.pairwise(bounds):
        current: list[int] = []
        words: set[int] = set()
        for number in range(begin, end):
            new_words = words.union(abc[number].tolist())
            if current and len(new_words) > max_words:
                chunks.append(np.array(current))
                current, new_words = [], set(abc[number].tolist())
            current.append(number)
            words = new_words
        if current:
            chunks.append(np.array(current))
    return chunks


def _predict(
    method: str,
    vectors: np.ndarray,
    rows: np.ndarray,
    section_starts: list[int],
    folded_words: list[str],
    questions: list[tuple[str, ...]],
) -> np.ndarray:
    """Return 1 for each question answered correctly, else 0.

    The cosines of every row with each distinct question word of a chunk are
    computed once, as gensim computes them (``vectors @ unit / norms``), and each
    question's objective combines three of those cosine rows. 3CosAdd ranks rows
    by ``cos(x, b) + cos(x, c) - cos(x, a)``, which orders them as gensim's cosine
    with the normalized mean vector does, up to float32 rounding.
    """
    norms = np.linalg.norm(vectors, axis=1).astype(np.float32)
    safe_norms = np.where(norms > 0, norms, np.float32(1.0))
    unit = vectors / safe_norms[:, None]
    n_rows = len(vectors)
    max_words = max(3, _COSINE_FLOATS // n_rows)
    batch = max(1, _BATCH_FLOATS // n_rows)
    top = min(_TOP_N, n_rows)
    abc = rows[:, :3]
    outcomes = np.zeros(len(rows), dtype=np.int8)
    for chunk in _chunks(abc, section_starts, max_words):
        distinct, inverse = np.unique(abc[chunk], return_inverse=True)
        inverse = inverse.reshape(len(chunk), 3)
        cosines = (unit[distinct] @ vectors.T) / safe_norms
        if method == "3cosmul":
            cosines += 1
            cosines /= 2
        for begin in range(0, len(chunk), batch):
            part = inverse[begin : begin + batch]
            if method == "3cosadd":
                scores = cosines[part[:, 1]] + cosines[part[:, 2]]
                scores -= cosines[part[:, 0]]
            else:
                scores = cosines[part[:, 1]] * cosines[part[:, 2]]
                scores /= cosines[part[:, 0]] + 0.000001
            numbers = chunk[begin : begin + batch]
            positions = np.arange(len(numbers))
            for column in range(3):
                scores[positions, abc[numbers, column]] = -np.inf
            for position, number in enumerate(numbers):
                question = questions[number]
                predicted = _first_allowed(
                    scores[position], folded_words, set(question[:3]), top
                )
                outcomes[number] = int(predicted == question[3])
    return outcomes


def _first_allowed(
    scores: np.ndarray, folded_words: list[str], ignore: set[str], top: int
) -> str | None:
    """Return the folded word of the best row that is not a question word.

    Only the ``top`` best rows are tried. When all of them are question words (case
    variants of ``a``, ``b`` or ``c``), the last one tried is returned, which is
    gensim's behaviour. An argmax per try is much faster than sorting the row.
    """
    predicted = None
    for _ in range(top):
        best = int(np.argmax(scores))
        predicted = folded_words[best]
        if predicted not in ignore:
            break
        scores[best] = -np.inf
    return predicted


def evaluate_analogies(
    table: WordVectors,
    benchmark: AnalogyBenchmark,
    method: str = "3cosadd",
    restrict_vocab: int | None = 300_000,
    lowercase: bool = True,
    oov: str = "skip",
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> AnalogyScore:
    """Score ``table`` on analogy questions, per section.

    Parameters
    ----------
    table : WordVectors
        The vectors, most frequent words first if ``restrict_vocab`` is to make sense.
    benchmark : AnalogyBenchmark
        The questions.
    method : {"3cosadd", "3cosmul"}, default="3cosadd"
        How the answer is chosen.
    restrict_vocab : int or None, default=300000
        Use only the first this many rows, as gensim's ``evaluate_word_analogies``
        does with the same default; None uses every row.
    lowercase : bool, default=True
        Fold the case of question words and row words.
    oov : {"skip", "zero", "mean"}, default="skip"
        ``skip`` drops questions with an unknown word; ``zero`` and ``mean`` count
        them as wrong (gensim's ``dummy4unknown=True``).
    n_resamples : int, default=1000
        Bootstrap resamples over questions for the accuracy interval.
    confidence : float, default=0.95
        Coverage of the interval.
    seed : int, default=0
        Seed of the bootstrap.

    Returns
    -------
    AnalogyScore
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    limit = len(table) if restrict_vocab is None else min(restrict_vocab, len(table))
    words = table.words[:limit]
    vectors = table.vectors[:limit]
    index, folded_words = _restricted_index(words, lowercase)
    rows, questions = _question_rows(benchmark, index, lowercase)
    known = (rows >= 0).all(axis=1)
    outcomes = np.full(len(rows), -1, dtype=np.int8)
    if known.any() and limit > 0:
        known_numbers = np.flatnonzero(known)
        sizes = [len(section) for _, section in benchmark.sections]
        section_ids = np.repeat(np.arange(len(sizes)), sizes)[known]
        starts = [0, *(np.flatnonzero(np.diff(section_ids)) + 1).tolist()]
        outcomes[known] = _predict(
            method,
            vectors,
            rows[known],
            starts,
            folded_words,
            [questions[number] for number in known_numbers],
        )
    if oov != "skip":
        outcomes[~known] = 0
    logger.info(
        "%s %s: %d of %d questions have all four words in the first %d rows",
        benchmark.name,
        method,
        int(known.sum()),
        len(rows),
        limit,
    )

    sections = []
    start = 0
    for name, section_questions in benchmark.sections:
        part = outcomes[start : start + len(section_questions)]
        start += len(section_questions)
        sections.append(
            AnalogySection(
                name,
                len(section_questions),
                int((part >= 0).sum()),
                int((part == 1).sum()),
            )
        )

    scored = outcomes[outcomes >= 0].astype(np.float64)
    interval = (float("nan"), float("nan"))
    if scored.size:
        rng = make_rng(seed, "analogy", benchmark.name, method)
        draws = bootstrap(
            scored.size, n_resamples, rng, lambda idx: scored[idx].mean(axis=1)
        )
        interval = percentile_interval(draws, confidence)
    return AnalogyScore(
        benchmark.name, method, limit, oov, sections, interval, outcomes, known
    )


@dataclass
class AnalogyComparison:
    """Baseline and candidate accuracy on the questions both answer.

    Parameters
    ----------
    benchmark, method : str
        The analogy set and the method.
    common : int
        Questions whose words both tables know (within ``restrict_vocab``).
    coverage_lost : int
        Questions the baseline answers and the candidate cannot.
    baseline_accuracy, candidate_accuracy : float
        Accuracy on the common questions.
    difference : float
        ``candidate_accuracy - baseline_accuracy``.
    difference_ci : tuple of (float, float)
        Paired bootstrap interval of the difference.
    """

    benchmark: str
    method: str
    common: int
    coverage_lost: int
    baseline_accuracy: float
    candidate_accuracy: float
    difference: float
    difference_ci: tuple[float, float]


def compare_analogies(
    baseline: AnalogyScore,
    candidate: AnalogyScore,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> AnalogyComparison:
    """Compare two tables' analogy results on the questions both know.

    Both scores must come from the same benchmark and method. A question counts
    when all four words are known to both tables, whatever the unknown-word policy.
    """
    common = baseline.known & candidate.known
    base = baseline.outcomes[common].astype(np.float64)
    cand = candidate.outcomes[common].astype(np.float64)
    lost = int((baseline.known & ~candidate.known).sum())
    if base.size == 0:
        nan = float("nan")
        return AnalogyComparison(
            baseline.benchmark, baseline.method, 0, lost, nan, nan, nan, (nan, nan)
        )
    rng = make_rng(seed, "analogy-difference", baseline.benchmark, baseline.method)
    draws = bootstrap(
        base.size,
        n_resamples,
        rng,
        lambda idx: cand[idx].mean(axis=1) - base[idx].mean(axis=1),
    )
    return AnalogyComparison(
        baseline.benchmark,
        baseline.method,
        int(base.size),
        lost,
        float(base.mean()),
        float(cand.mean()),
        float(cand.mean() - base.mean()),
        percentile_interval(draws, confidence),
    )
