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


def _scores(
    method: str,
    vectors: np.ndarray,
    norms: np.ndarray,
    unit: np.ndarray,
    abc: np.ndarray,
) -> np.ndarray:
    """Return the (batch, rows) objective for questions whose a, b, c rows are given."""
    safe_norms = np.where(norms > 0, norms, np.float32(1.0))
    if method == "3cosadd":
        mean = (unit[abc[:, 1]] + unit[abc[:, 2]] - unit[abc[:, 0]]).astype(np.float64)
        mean /= 3.0
        lengths = np.linalg.norm(mean, axis=1, keepdims=True)
        mean = (mean / np.where(lengths > 0, lengths, 1.0)).astype(np.float32)
        return (mean @ vectors.T) / safe_norms
    # Each distinct question word's cosines are computed once per batch.
    distinct, inverse = np.unique(abc, return_inverse=True)
    inverse = inverse.reshape(abc.shape)
    shifted = ((unit[distinct] @ vectors.T) / safe_norms + 1) / 2
    scores = shifted[inverse[:, 1]] * shifted[inverse[:, 2]]
    scores /= shifted[inverse[:, 0]] + 0.000001
    return scores


def _predict(
    method: str,
    vectors: np.ndarray,
    rows: np.ndarray,
    folded_words: list[str],
    questions: list[tuple[str, ...]],
) -> np.ndarray:
    """Return 1 for each question answered correctly, else 0."""
    norms = np.linalg.norm(vectors, axis=1).astype(np.float32)
    unit = vectors / np.where(norms > 0, norms, np.float32(1.0))[:, None]
    n_rows = len(vectors)
    batch = max(1, _BATCH_FLOATS // max(n_rows, 1))
    top = min(_TOP_N, n_rows)
    outcomes = np.zeros(len(rows), dtype=np.int8)
    for start in range(0, len(rows), batch):
        abc = rows[start : start + batch, :3]
        scores = _scores(method, vectors, norms, unit, abc)
        for column in range(3):
            scores[np.arange(len(abc)), abc[:, column]] = -np.inf
        best = np.argpartition(-scores, top - 1, axis=1)[:, :top]
        order = np.argsort(-np.take_along_axis(scores, best, axis=1), axis=1)
        best = np.take_along_axis(best, order, axis=1)
        for offset, candidates in enumerate(best):
            number = start + offset
            question = questions[number]
            ignore = set(question[:3])
            predicted = None
            for row in candidates:
                predicted = folded_words[row]
                if predicted not in ignore:
                    break
            outcomes[number] = int(predicted == question[3])
    return outcomes


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
        outcomes[known] = _predict(
            method,
            vectors,
            rows[known],
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
