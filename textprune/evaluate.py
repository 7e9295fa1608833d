"""Scoring word vectors on benchmarks, comparing them with a baseline, and gating.

The main entry points:

- :func:`evaluate_files` reads vector files through :func:`textprune.formats.read_vectors`
  and returns an :class:`EvaluationReport`; :func:`evaluate_vectors` does the same for
  tables already in memory. The report renders as a table, JSON or Markdown.
- :func:`evaluate_similarity` scores one table on one word-similarity set:
  Spearman's rho and Pearson's r between cosine similarities and human scores, with
  seeded bootstrap intervals over pairs.
- :func:`compare_similarity` scores a baseline and a candidate on the pairs both
  cover, with a paired bootstrap interval of the difference. Pairs the candidate
  lost are counted apart, as coverage loss.
- :func:`evaluate_analogies` (3CosAdd, 3CosMul) and :func:`neighbour_agreement`
  (top-k overlap and cosine rank correlation with the baseline).
- :func:`check_gate` applies ``--max-drop``.

Unknown words follow an explicit policy (:class:`OOVPolicy`): ``skip`` scores only the
pairs whose two words are known; ``zero`` gives a pair with an unknown word a cosine
of 0 (gensim's ``dummy4unknown``); ``mean`` replaces an unknown word by the mean of
all rows, so a pair of two unknown words gets a cosine of 1.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from textprune._agreement import NeighbourAgreement, neighbour_agreement
from textprune._analogy import (
    METHODS,
    AnalogyComparison,
    AnalogyScore,
    AnalogySection,
    compare_analogies,
    evaluate_analogies,
)
from textprune._io import PathLike, display_name
from textprune._lookup import WordLookup
from textprune._stats import (
    ResampledSpearman,
    bootstrap,
    make_rng,
    pearson,
    pearson_rows,
    percentile_interval,
    spearman,
)
from textprune.benchmarks import (
    ANALOGY_DEFAULT,
    AnalogyBenchmark,
    Benchmark,
    SimilarityBenchmark,
    default_similarity_benchmarks,
    load_benchmark,
)
from textprune.errors import TextpruneError
from textprune.vectors import WordVectors

logger = logging.getLogger(__name__)

Interval = tuple[float, float]
_NAN_INTERVAL: Interval = (math.nan, math.nan)


class OOVPolicy(str, Enum):
    """Policy for pairs with an unknown word in a similarity score."""

    SKIP = "skip"
    ZERO = "zero"
    MEAN = "mean"


class GateScope(str, Enum):
    """Whether ``--max-drop`` applies to each benchmark or to their mean."""

    EACH = "each"
    MEAN = "mean"


@dataclass
class SimilarityScore:
    """One table's correlation with the human scores of one word-similarity set.

    Parameters
    ----------
    benchmark : str
        The set's name.
    total : int
        Pairs in the set.
    found : int
        Pairs whose two words are both known.
    scored : int
        Pairs that entered the correlation: ``found`` under ``skip``, ``total``
        under ``zero`` and ``mean``.
    oov : str
        The unknown-word policy.
    spearman, pearson : float
        Correlations between cosine similarity and human score (NaN with fewer
        than two scored pairs or constant values).
    spearman_ci, pearson_ci : tuple of (float, float)
        Percentile bootstrap intervals over pairs.
    """

    benchmark: str
    total: int
    found: int
    scored: int
    oov: str
    spearman: float
    spearman_ci: Interval
    pearson: float
    pearson_ci: Interval


@dataclass
class SimilarityComparison:
    """Baseline and candidate scores of one set on the pairs both cover.

    Parameters
    ----------
    benchmark : str
        The set's name.
    total : int
        Pairs in the set.
    baseline_found, candidate_found : int
        Pairs each table covers.
    common : int
        Pairs both tables cover; the quality scores below use only these.
    coverage_lost : int
        Pairs the baseline covers and the candidate does not: the cost of a
        smaller vocabulary, kept apart from the quality difference.
    baseline_spearman, candidate_spearman : float
        Spearman's rho of each table on the common pairs.
    baseline_ci, candidate_ci : tuple of (float, float)
        Bootstrap intervals of those scores.
    difference : float
        ``candidate_spearman - baseline_spearman``; negative is a loss.
    difference_ci : tuple of (float, float)
        Paired bootstrap interval of the difference: both tables are scored on the
        same resampled pairs.
    """

    benchmark: str
    total: int
    baseline_found: int
    candidate_found: int
    common: int
    coverage_lost: int
    baseline_spearman: float
    baseline_ci: Interval
    candidate_spearman: float
    candidate_ci: Interval
    difference: float
    difference_ci: Interval
    difference_draws: np.ndarray = field(repr=False)


@dataclass
class MeanComparison:
    """The mean over benchmarks of the common-pair scores and their difference.

    The interval combines each benchmark's paired bootstrap draws, which are
    independent across benchmarks.
    """

    benchmarks: int
    baseline_spearman: float
    candidate_spearman: float
    difference: float
    difference_ci: Interval


@dataclass
class VectorsSummary:
    """Source and size of an evaluated table.

    Parameters
    ----------
    label : str
        The name shown in reports (the path as given).
    rows : int
        Distinct vectors.
    keys : int
        Words and aliases that can be looked up.
    dims : int
        Dimensions per vector.
    size_bytes : int
        The file's size on disk, or ``rows * dims * 4`` for tables that are not a
        single file (spaCy pipelines, tables passed in memory).
    size_kind : {"file", "float32"}
        Which of the two ``size_bytes`` is.
    """

    label: str
    rows: int
    keys: int
    dims: int
    size_bytes: int
    size_kind: str


@dataclass
class VectorsReport:
    """Every result for one table: own scores, and comparisons with the baseline."""

    summary: VectorsSummary
    similarity: list[SimilarityScore] = field(default_factory=list)
    analogies: list[AnalogyScore] = field(default_factory=list)
    comparisons: list[SimilarityComparison] = field(default_factory=list)
    mean_comparison: MeanComparison | None = None
    analogy_comparisons: list[AnalogyComparison] = field(default_factory=list)
    agreement: NeighbourAgreement | None = None

    @property
    def mean_spearman(self) -> float:
        """Unweighted mean of the table's own Spearman scores (NaN if none)."""
        values = [s.spearman for s in self.similarity if math.isfinite(s.spearman)]
        return float(np.mean(values)) if values else math.nan


@dataclass
class GateCheck:
    """One comparison of a candidate's drop with the ``--max-drop`` limit.

    Parameters
    ----------
    candidate : str
        The candidate's label.
    benchmark : str
        The benchmark, or ``"mean"`` for the mean over benchmarks.
    baseline, candidate_score : float
        Spearman's rho on the pairs both cover.
    drop : float
        ``baseline - candidate_score`` in Spearman units, or in percent of
        ``|baseline|`` when the limit is relative.
    limit : float
        The allowed drop, in the same unit.
    relative : bool
        Whether ``drop`` and ``limit`` are percentages of ``|baseline|``.
    difference_ci : tuple of (float, float)
        Paired bootstrap interval of ``candidate_score - baseline``, to tell a
        real drop from noise.
    passed : bool
        Whether ``drop <= limit``. A benchmark with no common pairs passes and is
        reported as skipped, but a candidate with no scored benchmark at all gets
        one failed check with benchmark ``"all"``, because nothing was compared.
    """

    candidate: str
    benchmark: str
    baseline: float
    candidate_score: float
    drop: float
    limit: float
    relative: bool
    difference_ci: Interval
    passed: bool


@dataclass
class GateResult:
    """The outcome of ``--max-drop`` over every candidate."""

    max_drop: str
    scope: str
    checks: list[GateCheck]

    @property
    def passed(self) -> bool:
        """True when no check failed."""
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[GateCheck]:
        """The checks that failed."""
        return [check for check in self.checks if not check.passed]


@dataclass
class EvaluationSettings:
    """The settings every number in a report depends on.

    Parameters
    ----------
    oov : OOVPolicy, default="skip"
        Unknown-word policy for similarity sets (and analogies: ``zero`` and
        ``mean`` count questions with unknown words as wrong).
    lowercase : bool, default=True
        Fold the case of benchmark words and table keys.
    seed : int, default=0
        Seed of every bootstrap and sample.
    n_resamples : int, default=1000
        Bootstrap resamples per interval.
    confidence : float, default=0.95
        Coverage of the intervals.
    restrict_vocab : int or None, default=300000
        Rows searched for analogy answers, as in gensim.
    analogy_methods : tuple of str, default=("3cosadd", "3cosmul")
        Analogy methods to run.
    k : int, default=10
        Neighbours compared by the agreement measure.
    n_queries : int, default=1000
        Query words of the agreement measure.
    n_pairs : int, default=10000
        Random pairs of the cosine rank correlation.
    """

    oov: OOVPolicy = OOVPolicy.SKIP
    lowercase: bool = True
    seed: int = 0
    n_resamples: int = 1000
    confidence: float = 0.95
    restrict_vocab: int | None = 300_000
    analogy_methods: tuple[str, ...] = METHODS
    k: int = 10
    n_queries: int = 1000
    n_pairs: int = 10000

    def __post_init__(self) -> None:
        self.oov = OOVPolicy(self.oov)
        _check_range("n_resamples", self.n_resamples, 1, None)
        _check_range("k", self.k, 1, None)
        _check_range("n_queries", self.n_queries, 1, None)
        _check_range("n_pairs", self.n_pairs, 2, None)
        if not 0.0 < self.confidence < 1.0:
            raise TextpruneError(
                f"confidence must be between 0 and 1 (exclusive), got {self.confidence}"
            )
        if self.restrict_vocab is not None:
            _check_range("restrict_vocab", self.restrict_vocab, 1, None)
        for method in self.analogy_methods:
            if method not in METHODS:
                raise TextpruneError(
                    f"analogy method must be one of {', '.join(METHODS)}, got {method!r}"
                )


def _check_range(name: str, value: int, low: int, high: int | None) -> None:
    if value < low or (high is not None and value > high):
        allowed = f"at least {low}" if high is None else f"between {low} and {high}"
        raise TextpruneError(f"{name} must be {allowed}, got {value}")


@dataclass
class EvaluationReport:
    """Results for the baseline (if any) and every candidate, with the gate.

    Render it with :meth:`to_table`, :meth:`to_markdown` or :meth:`to_dict` (the
    JSON content).
    """

    settings: EvaluationSettings
    benchmarks: list[dict[str, Any]]
    candidates: list[VectorsReport]
    baseline: VectorsReport | None = None
    gate: GateResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return every number of the report as JSON-ready values."""
        from textprune.reports import report_to_dict

        return report_to_dict(self)

    def to_table(self) -> str:
        """Return the report as a plain-text table for a terminal."""
        from textprune.reports import format_table

        return format_table(self)

    def to_markdown(self) -> str:
        """Return the report as Markdown, for a pull request or a model card."""
        from textprune.reports import format_markdown

        return format_markdown(self)


def _pair_rows(
    lookup: WordLookup, benchmark: SimilarityBenchmark
) -> tuple[np.ndarray, np.ndarray]:
    """Return the two rows of each pair, -1 for an unknown word."""
    first = np.array([_row_or_missing(lookup, a) for a, _ in benchmark.pairs])
    second = np.array([_row_or_missing(lookup, b) for _, b in benchmark.pairs])
    return first, second


def _row_or_missing(lookup: WordLookup, word: str) -> int:
    row = lookup.get(word)
    return -1 if row is None else row


def pair_cosines(
    lookup: WordLookup, benchmark: SimilarityBenchmark, oov: OOVPolicy | str
) -> tuple[np.ndarray, np.ndarray]:
    """Return the cosine of each pair and a mask of the pairs whose words are known.

    Under ``skip`` the cosine of a pair with an unknown word is NaN, under ``zero``
    it is 0, and under ``mean`` the unknown word is replaced by the mean row.
    """
    oov = OOVPolicy(oov)
    first, second = _pair_rows(lookup, benchmark)
    found = (first >= 0) & (second >= 0)
    vectors = lookup.table.vectors
    if oov is OOVPolicy.MEAN:
        mean = vectors.astype(np.float64).mean(axis=0, keepdims=True)
        vectors = np.vstack([vectors.astype(np.float64), mean])
        first = np.where(first >= 0, first, len(vectors) - 1)
        second = np.where(second >= 0, second, len(vectors) - 1)
        return _cosines(vectors, first, second), found
    cosines = np.full(len(first), np.nan)
    cosines[found] = _cosines(vectors, first[found], second[found])
    if oov is OOVPolicy.ZERO:
        cosines[~found] = 0.0
    return cosines, found


def _cosines(vectors: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Return the cosine of each row pair in float64; 0 when a row is all zeros."""
    left = vectors[first].astype(np.float64)
    right = vectors[second].astype(np.float64)
    norms = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    products = np.einsum("ij,ij->i", left, right)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosines = np.where(norms > 0, products / norms, 0.0)
    return np.clip(cosines, -1.0, 1.0)


def _correlation_interval(
    gold: np.ndarray,
    model: np.ndarray,
    settings: EvaluationSettings,
    *labels: str,
) -> tuple[Interval, Interval]:
    """Return bootstrap intervals of Spearman's rho and Pearson's r."""
    if len(gold) < 2:
        return _NAN_INTERVAL, _NAN_INTERVAL
    rng = make_rng(settings.seed, *labels)
    resampled_rho = ResampledSpearman(gold, model)
    rho: list[np.ndarray] = []
    r: list[np.ndarray] = []

    def both(indices: np.ndarray) -> np.ndarray:
        rho.append(resampled_rho(indices))
        r.append(pearson_rows(gold[indices], model[indices]))
        return rho[-1]

    bootstrap(len(gold), settings.n_resamples, rng, both)
    return (
        percentile_interval(np.concatenate(rho), settings.confidence),
        percentile_interval(np.concatenate(r), settings.confidence),
    )


def evaluate_similarity(
    table: WordVectors | WordLookup,
    benchmark: SimilarityBenchmark,
    settings: EvaluationSettings | None = None,
) -> SimilarityScore:
    """Correlate a table's cosine similarities with one set's human scores.

    Parameters
    ----------
    table : WordVectors or WordLookup
        The vectors; pass a :class:`WordLookup` to reuse its index across sets.
    benchmark : SimilarityBenchmark
        The word pairs and their scores.
    settings : EvaluationSettings, default=None
        Unknown-word policy, case folding and bootstrap settings; defaults to
        ``EvaluationSettings()``.

    Returns
    -------
    SimilarityScore
    """
    settings = settings or EvaluationSettings()
    lookup = _as_lookup(table, settings)
    cosines, found = pair_cosines(lookup, benchmark, settings.oov)
    used = np.isfinite(cosines)
    gold = benchmark.scores[used]
    model = cosines[used]
    spearman_ci, pearson_ci = _correlation_interval(
        gold, model, settings, "similarity", benchmark.name
    )
    if found.sum() < len(found):
        missing = [pair for pair, known in zip(benchmark.pairs, found) if not known][:5]
        logger.info(
            "%s: %d of %d pairs have an unknown word, such as %s",
            benchmark.name,
            len(found) - int(found.sum()),
            len(found),
            missing,
        )
    return SimilarityScore(
        benchmark=benchmark.name,
        total=len(benchmark),
        found=int(found.sum()),
        scored=int(used.sum()),
        oov=settings.oov.value,
        spearman=spearman(gold, model),
        spearman_ci=spearman_ci,
        pearson=pearson(gold, model),
        pearson_ci=pearson_ci,
    )


def _as_lookup(
    table: WordVectors | WordLookup, settings: EvaluationSettings
) -> WordLookup:
    if isinstance(table, WordLookup):
        if table.lowercase != settings.lowercase:
            return WordLookup(table.table, settings.lowercase)
        return table
    return WordLookup(table, settings.lowercase)


def compare_similarity(
    baseline: WordVectors | WordLookup,
    candidate: WordVectors | WordLookup,
    benchmark: SimilarityBenchmark,
    settings: EvaluationSettings | None = None,
) -> SimilarityComparison:
    """Score a baseline and a candidate on the pairs of ``benchmark`` both cover.

    The unknown-word policy plays no part here: only pairs whose four lookups
    succeed are compared. The difference's interval comes from a paired bootstrap,
    in which both tables are scored on the same resampled pairs.

    Returns
    -------
    SimilarityComparison
    """
    settings = settings or EvaluationSettings()
    base_lookup = _as_lookup(baseline, settings)
    cand_lookup = _as_lookup(candidate, settings)
    base_cos, base_found = pair_cosines(base_lookup, benchmark, OOVPolicy.SKIP)
    cand_cos, cand_found = pair_cosines(cand_lookup, benchmark, OOVPolicy.SKIP)
    common = base_found & cand_found
    gold = benchmark.scores[common]
    base = base_cos[common]
    cand = cand_cos[common]

    base_rho = spearman(gold, base)
    cand_rho = spearman(gold, cand)
    intervals = {"baseline": _NAN_INTERVAL, "candidate": _NAN_INTERVAL}
    draws = np.full(settings.n_resamples, np.nan)
    if len(gold) >= 2:
        rng = make_rng(settings.seed, "difference", benchmark.name)
        base_resampled = ResampledSpearman(gold, base)
        cand_resampled = ResampledSpearman(gold, cand)
        base_draws: list[np.ndarray] = []
        cand_draws: list[np.ndarray] = []

        def paired(indices: np.ndarray) -> np.ndarray:
            base_draws.append(base_resampled(indices))
            cand_draws.append(cand_resampled(indices))
            return cand_draws[-1] - base_draws[-1]

        draws = bootstrap(len(gold), settings.n_resamples, rng, paired)
        intervals["baseline"] = percentile_interval(
            np.concatenate(base_draws), settings.confidence
        )
        intervals["candidate"] = percentile_interval(
            np.concatenate(cand_draws), settings.confidence
        )
    return SimilarityComparison(
        benchmark=benchmark.name,
        total=len(benchmark),
        baseline_found=int(base_found.sum()),
        candidate_found=int(cand_found.sum()),
        common=int(common.sum()),
        coverage_lost=int((base_found & ~cand_found).sum()),
        baseline_spearman=base_rho,
        baseline_ci=intervals["baseline"],
        candidate_spearman=cand_rho,
        candidate_ci=intervals["candidate"],
        difference=cand_rho - base_rho,
        difference_ci=percentile_interval(draws, settings.confidence),
        difference_draws=draws,
    )


def mean_comparison(
    comparisons: Sequence[SimilarityComparison], confidence: float = 0.95
) -> MeanComparison | None:
    """Average the common-pair scores over the benchmarks where both are defined."""
    usable = [
        c
        for c in comparisons
        if math.isfinite(c.baseline_spearman) and math.isfinite(c.candidate_spearman)
    ]
    if not usable:
        return None
    draws = np.mean([c.difference_draws for c in usable], axis=0)
    base = float(np.mean([c.baseline_spearman for c in usable]))
    cand = float(np.mean([c.candidate_spearman for c in usable]))
    return MeanComparison(
        len(usable), base, cand, cand - base, percentile_interval(draws, confidence)
    )


def parse_max_drop(text: str | float) -> tuple[float, bool]:
    """Parse a ``--max-drop`` value into ``(limit, relative)``.

    ``"0.02"`` allows an absolute drop of 0.02 in Spearman's rho; ``"5%"`` allows
    a drop of 5 percent of the baseline's ``|rho|``.

    Raises
    ------
    TextpruneError
        If the value is not a number, is negative, or is an absolute drop of 1 or
        more. Rho lies in [-1, 1], so such a limit is most likely a percentage or
        points on a 0-100 scale given by mistake.
    """
    raw = str(text).strip()
    relative = raw.endswith("%")
    number = raw[:-1].strip() if relative else raw
    try:
        value = float(number)
    except ValueError:
        raise TextpruneError(
            f"invalid --max-drop {raw!r}; give a drop in Spearman's rho such as "
            "0.02, or a relative drop such as 5%"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise TextpruneError(f"--max-drop must be 0 or more, got {raw!r}")
    if not relative and value >= 1:
        raise TextpruneError(
            f"--max-drop {raw!r} is too large for an absolute drop in Spearman's "
            "rho, which lies in [-1, 1]; write 0.02 for two points, or 2% for a "
            "relative drop"
        )
    return value, relative


def _gate_check(
    label: str,
    benchmark: str,
    scores: tuple[float, float],
    difference_ci: Interval,
    limit: float,
    relative: bool,
) -> GateCheck:
    base, cand = scores
    if not (math.isfinite(base) and math.isfinite(cand)):
        return GateCheck(
            label, benchmark, base, cand, math.nan, limit, relative, difference_ci, True
        )
    drop = base - cand
    if relative:
        if base != 0:
            drop = drop / abs(base) * 100.0
        else:
            drop = math.inf if drop > 0 else 0.0
    # A tolerance keeps a drop equal to the limit from failing on rounding.
    passed = drop <= limit + 1e-12
    return GateCheck(
        label, benchmark, base, cand, drop, limit, relative, difference_ci, passed
    )


def check_gate(
    candidates: Sequence[VectorsReport],
    max_drop: str | float,
    scope: GateScope | str = GateScope.EACH,
) -> GateResult:
    """Check every candidate's drop from the baseline against ``max_drop``.

    The drop is measured on the pairs both tables cover (the quality loss);
    coverage loss is reported but not gated.

    Parameters
    ----------
    candidates : sequence of VectorsReport
        Reports that carry comparisons with a baseline.
    max_drop : str or float
        ``"0.02"`` (absolute, Spearman units) or ``"5%"`` (relative to the baseline).
    scope : {"each", "mean"}, default="each"
        ``each`` fails when any benchmark drops further than the limit; ``mean``
        fails when the mean over benchmarks does.

    Returns
    -------
    GateResult
    """
    limit, relative = parse_max_drop(max_drop)
    scope = GateScope(scope)
    checks: list[GateCheck] = []
    for report in candidates:
        label = report.summary.label
        compared = [
            c
            for c in report.comparisons
            if math.isfinite(c.baseline_spearman) and math.isfinite(c.candidate_spearman)
        ]
        if not compared:
            # A gate that compared nothing must not report a pass.
            checks.append(
                GateCheck(
                    label, "all", math.nan, math.nan, math.nan, limit, relative,
                    (math.nan, math.nan), False,
                )
            )
            continue
        if scope is GateScope.MEAN:
            mean = report.mean_comparison
            if mean is not None:
                checks.append(
                    _gate_check(
                        label,
                        "mean",
                        (mean.baseline_spearman, mean.candidate_spearman),
                        mean.difference_ci,
                        limit,
                        relative,
                    )
                )
            continue
        for comparison in report.comparisons:
            checks.append(
                _gate_check(
                    label,
                    comparison.benchmark,
                    (comparison.baseline_spearman, comparison.candidate_spearman),
                    comparison.difference_ci,
                    limit,
                    relative,
                )
            )
    return GateResult(str(max_drop), scope.value, checks)


def summarize_table(
    label: str, table: WordVectors, path: PathLike | None = None
) -> VectorsSummary:
    """Describe a table for reports; ``path`` gives the on-disk size when a file."""
    rows, dims = table.vectors.shape
    keys = len(table.words) + len(table.aliases)
    if path is not None and os.path.isfile(os.fspath(path)):
        return VectorsSummary(label, rows, keys, dims, os.path.getsize(path), "file")
    return VectorsSummary(label, rows, keys, dims, rows * dims * 4, "float32")


BenchmarkSpec = str | os.PathLike[str] | SimilarityBenchmark | AnalogyBenchmark


def load_benchmarks(
    names: Iterable[BenchmarkSpec] | None = None, analogies: bool = False
) -> list[Benchmark]:
    """Load benchmarks by name or path, defaulting to every shipped similarity set.

    Benchmark objects are passed through. With ``analogies`` the shipped analogy
    set is added unless one is already in the list.
    """
    chosen = list(names) if names else list(default_similarity_benchmarks())
    loaded = [
        item
        if isinstance(item, SimilarityBenchmark | AnalogyBenchmark)
        else load_benchmark(item)
        for item in chosen
    ]
    if analogies and not any(isinstance(b, AnalogyBenchmark) for b in loaded):
        loaded.append(load_benchmark(ANALOGY_DEFAULT))
    return loaded


def _score_table(
    lookup: WordLookup,
    summary: VectorsSummary,
    benchmarks: Sequence[Benchmark],
    settings: EvaluationSettings,
) -> VectorsReport:
    report = VectorsReport(summary)
    for benchmark in benchmarks:
        if isinstance(benchmark, SimilarityBenchmark):
            report.similarity.append(evaluate_similarity(lookup, benchmark, settings))
            continue
        for method in settings.analogy_methods:
            report.analogies.append(
                evaluate_analogies(
                    lookup.table,
                    benchmark,
                    method=method,
                    restrict_vocab=settings.restrict_vocab,
                    lowercase=settings.lowercase,
                    oov=settings.oov.value,
                    n_resamples=settings.n_resamples,
                    confidence=settings.confidence,
                    seed=settings.seed,
                )
            )
    return report


def _compare_tables(
    baseline: WordLookup,
    baseline_report: VectorsReport,
    candidate: WordLookup,
    report: VectorsReport,
    benchmarks: Sequence[Benchmark],
    settings: EvaluationSettings,
) -> None:
    for benchmark in benchmarks:
        if isinstance(benchmark, SimilarityBenchmark):
            report.comparisons.append(
                compare_similarity(baseline, candidate, benchmark, settings)
            )
    report.mean_comparison = mean_comparison(report.comparisons, settings.confidence)
    for base_score, cand_score in zip(baseline_report.analogies, report.analogies):
        report.analogy_comparisons.append(
            compare_analogies(
                base_score,
                cand_score,
                n_resamples=settings.n_resamples,
                confidence=settings.confidence,
                seed=settings.seed,
            )
        )
    report.agreement = neighbour_agreement(
        baseline.table,
        candidate.table,
        k=settings.k,
        n_queries=settings.n_queries,
        n_pairs=settings.n_pairs,
        n_resamples=settings.n_resamples,
        confidence=settings.confidence,
        seed=settings.seed,
    )


def evaluate_vectors(
    candidates: Mapping[str, WordVectors] | WordVectors,
    baseline: WordVectors | None = None,
    benchmarks: Iterable[str | os.PathLike[str]] | None = None,
    analogies: bool = False,
    settings: EvaluationSettings | None = None,
    max_drop: str | float | None = None,
    gate_scope: GateScope | str = GateScope.EACH,
    summaries: Mapping[str, VectorsSummary] | None = None,
    baseline_summary: VectorsSummary | None = None,
) -> EvaluationReport:
    """Evaluate one or more tables in memory, optionally against a baseline.

    Parameters
    ----------
    candidates : WordVectors or mapping of str to WordVectors
        The tables to evaluate, by label; a single table is labelled
        ``"candidate"``.
    baseline : WordVectors, default=None
        The original table. With it, each candidate is also scored on the pairs
        both cover, compared on analogies, and measured for neighbour agreement.
    benchmarks : iterable of str, path or benchmark, default=None
        Shipped names, files or loaded benchmarks; defaults to every shipped
        word-similarity set.
    analogies : bool, default=False
        Add the shipped analogy set unless ``benchmarks`` already has one.
    settings : EvaluationSettings, default=None
        Policies and bootstrap settings.
    max_drop : str or float, default=None
        The quality gate (see :func:`check_gate`); needs ``baseline``.
    gate_scope : {"each", "mean"}, default="each"
        Whether the gate applies to each benchmark or to the mean.
    summaries : mapping of str to VectorsSummary, default=None
        Sizes and labels for the report, by candidate label; computed from the
        tables when missing.
    baseline_summary : VectorsSummary, default=None
        The same for the baseline.

    Returns
    -------
    EvaluationReport

    Examples
    --------
    >>> report = evaluate_vectors({"small": small}, baseline=original,
    ...                           max_drop="0.02")  # doctest: +SKIP
    >>> print(report.to_table())  # doctest: +SKIP
    """
    settings = settings or EvaluationSettings()
    if isinstance(candidates, WordVectors):
        candidates = {"candidate": candidates}
    if not candidates:
        raise TextpruneError("no vectors to evaluate; pass at least one table")
    if max_drop is not None and baseline is None:
        raise TextpruneError("the quality gate needs a baseline; pass --baseline")
    if max_drop is not None:
        parse_max_drop(max_drop)
    summaries = dict(summaries or {})
    loaded = load_benchmarks(benchmarks, analogies)

    base_lookup = None
    base_report = None
    if baseline is not None:
        base_lookup = WordLookup(baseline, settings.lowercase)
        summary = baseline_summary or summarize_table("baseline", baseline)
        base_report = _score_table(base_lookup, summary, loaded, settings)

    reports = []
    for label, table in candidates.items():
        lookup = WordLookup(table, settings.lowercase)
        summary = summaries.get(label) or summarize_table(label, table)
        report = _score_table(lookup, summary, loaded, settings)
        if base_lookup is not None and base_report is not None:
            _compare_tables(base_lookup, base_report, lookup, report, loaded, settings)
        reports.append(report)
        logger.info("Evaluated %s: mean Spearman %.4f", label, report.mean_spearman)

    gate = None
    if max_drop is not None:
        gate = check_gate(reports, max_drop, gate_scope)
    return EvaluationReport(
        settings=settings,
        benchmarks=[_describe(benchmark) for benchmark in loaded],
        candidates=reports,
        baseline=base_report,
        gate=gate,
    )


def _describe(benchmark: Benchmark) -> dict[str, Any]:
    kind = "analogy" if isinstance(benchmark, AnalogyBenchmark) else "similarity"
    return {
        "name": benchmark.name,
        "kind": kind,
        "size": len(benchmark),
        "path": benchmark.path,
    }


def evaluate_files(
    candidates: Sequence[PathLike],
    baseline: PathLike | None = None,
    benchmarks: Iterable[str | os.PathLike[str]] | None = None,
    analogies: bool = False,
    settings: EvaluationSettings | None = None,
    max_drop: str | float | None = None,
    gate_scope: GateScope | str = GateScope.EACH,
) -> EvaluationReport:
    """Read vector files with :func:`~textprune.formats.read_vectors` and evaluate them.

    Every file is read in full. Labels are the paths as given; a path given twice
    is read once. Parameters are those of :func:`evaluate_vectors`.

    Returns
    -------
    EvaluationReport
    """
    from textprune.formats import read_vectors

    if max_drop is not None:
        parse_max_drop(max_drop)
    if max_drop is not None and baseline is None:
        raise TextpruneError("the quality gate needs a baseline; pass --baseline")
    # Benchmarks load first, so a wrong name fails before the vectors are read.
    loaded = load_benchmarks(benchmarks, analogies)
    tables: dict[str, WordVectors] = {}
    summaries: dict[str, VectorsSummary] = {}
    for path in candidates:
        label = display_name(path)
        if label in tables:
            continue
        tables[label] = read_vectors(path)
        summaries[label] = summarize_table(label, tables[label], path)
    base_table = None
    baseline_summary = None
    if baseline is not None:
        base_table = read_vectors(baseline)
        baseline_summary = summarize_table(display_name(baseline), base_table, baseline)
    return evaluate_vectors(
        tables,
        baseline=base_table,
        benchmarks=loaded,
        settings=settings,
        max_drop=max_drop,
        gate_scope=gate_scope,
        summaries=summaries,
        baseline_summary=baseline_summary,
    )


__all__ = [
    "AnalogyComparison",
    "AnalogyScore",
    "AnalogySection",
    "EvaluationReport",
    "EvaluationSettings",
    "GateCheck",
    "GateResult",
    "GateScope",
    "MeanComparison",
    "NeighbourAgreement",
    "OOVPolicy",
    "SimilarityComparison",
    "SimilarityScore",
    "VectorsReport",
    "VectorsSummary",
    "WordLookup",
    "check_gate",
    "compare_analogies",
    "compare_similarity",
    "evaluate_analogies",
    "evaluate_files",
    "evaluate_similarity",
    "evaluate_vectors",
    "load_benchmarks",
    "mean_comparison",
    "neighbour_agreement",
    "pair_cosines",
    "parse_max_drop",
    "summarize_table",
]
