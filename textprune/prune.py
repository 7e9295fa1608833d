"""Pruning a vocabulary: drop rare, too common and stop words, and report what went.

:class:`VocabularyPruner` applies its rules in a fixed order and charges each dropped
word to the first rule that drops it:

1. ``stop_words``: words in a stop list (matched after lowercasing);
2. ``min_count``: words that occur fewer than ``min_count`` times;
3. ``min_df``: words found in fewer documents than ``min_df``;
4. ``max_df``: words found in more documents than ``max_df``;
5. ``coverage``: of the words left, the most frequent ones that together cover that
   share of all tokens are kept;
6. ``max_size``: of the words left, only the ``max_size`` most frequent are kept.

Words in ``keep`` are never dropped. For ``min_df`` and ``max_df`` an int is a number
of documents and a float in (0, 1] a fraction of all documents, as in scikit-learn's
``CountVectorizer``. Ranking ties are broken by the word, so results are deterministic.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path

from textprune.counts import FrequencyDictionary, read_vocabulary
from textprune.errors import EmptyResultError, TextpruneError

logger = logging.getLogger(__name__)

RULES = ("stop_words", "min_count", "min_df", "max_df", "coverage", "max_size")

# The option that relaxes each rule, named in the error when nothing is left.
_RELAX = {
    "stop_words": "--stop-words none",
    "min_count": "a lower --min-count",
    "min_df": "a lower --min-df",
    "max_df": "a higher --max-df",
    "coverage": "a higher --coverage",
    "max_size": "a higher --max-size",
}


@dataclass
class RuleReport:
    """Words, types and tokens that one rule dropped."""

    rule: str
    words: list[str] = field(default_factory=list)
    tokens: int = 0

    @property
    def types(self) -> int:
        """Number of distinct words dropped."""
        return len(self.words)


def load_stop_words(spec: str | Path | None) -> frozenset[str]:
    """Return a stop list from a spaCy language code, a word-list file, or ``"none"``.

    A value that names an existing file is read as one word per line, and a
    frequency dictionary works too. Any other value is a spaCy language code such
    as ``en``.

    Raises
    ------
    TextpruneError
        If the value is neither a readable file nor a language spaCy knows.
    """
    if spec is None or str(spec).lower() == "none":
        return frozenset()
    path = Path(spec)
    if path.exists():
        return frozenset(word.lower() for word in read_vocabulary(path))
    import spacy.util

    try:
        language = spacy.util.get_lang_class(str(spec))
    except (ImportError, KeyError) as exc:
        raise TextpruneError(
            f"stop words {str(spec)!r} is neither a file nor a language code that "
            "spaCy knows; give a code such as 'en' or 'de', a file, or 'none'"
        ) from exc
    return frozenset(word.lower() for word in language.Defaults.stop_words)


def _check_threshold(name: str, value: float | None, allow_fraction: bool) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, Integral):
        if value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value}")
    elif not allow_fraction or not 0.0 < float(value) <= 1.0:
        raise ValueError(
            f"{name} as a fraction must be in (0, 1], got {value}; "
            "pass an integer for a number of documents"
        )


class VocabularyPruner:
    """Select the words of a :class:`FrequencyDictionary` to keep.

    Parameters
    ----------
    min_count : int, default=None
        Drop words that occur fewer times than this.
    min_df : int or float, default=None
        Drop words found in fewer documents: an int is a document count, a float in
        (0, 1] a fraction of all documents.
    max_df : int or float, default=None
        Drop words found in more documents, with the same meaning of int and float.
    max_size : int, default=None
        Keep at most this many words, the most frequent first.
    coverage : float, default=None
        Keep the most frequent words that together cover this share, in (0, 1], of
        all tokens in the dictionary.
    stop_words : iterable of str, default=None
        Words to drop, compared in lowercase.
    keep : iterable of str, default=None
        Words that no rule drops.

    Attributes
    ----------
    vocabulary_ : list of str
        The kept words, by count descending and ties by word.
    reports_ : dict of str to RuleReport
        What each rule dropped, in the order the rules run.
    total_tokens_ : int
        Tokens in the dictionary that was fitted.

    Examples
    --------
    >>> from collections import Counter
    >>> from textprune.counts import FrequencyDictionary
    >>> counts = FrequencyDictionary(Counter(a=5, b=2, c=1), Counter(a=3, b=2, c=1), 3)
    >>> VocabularyPruner(min_count=2).fit(counts).vocabulary_
    ['a', 'b']
    """

    def __init__(
        self,
        min_count: int | None = None,
        min_df: float | None = None,
        max_df: float | None = None,
        max_size: int | None = None,
        coverage: float | None = None,
        stop_words: Iterable[str] | None = None,
        keep: Iterable[str] | None = None,
    ) -> None:
        self.min_count = min_count
        self.min_df = min_df
        self.max_df = max_df
        self.max_size = max_size
        self.coverage = coverage
        self.stop_words = stop_words
        self.keep = keep

    def _validate(self) -> None:
        for name in ("min_count", "max_size"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, Integral) or value < 0
            ):
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        _check_threshold("min_df", self.min_df, allow_fraction=True)
        _check_threshold("max_df", self.max_df, allow_fraction=True)
        if self.coverage is not None and not 0.0 < float(self.coverage) <= 1.0:
            raise ValueError(f"coverage must be in (0, 1], got {self.coverage}")

    @staticmethod
    def _documents(value: float, n_documents: int) -> float:
        if isinstance(value, Integral):
            return float(value)
        return float(value) * n_documents

    def fit(self, counts: FrequencyDictionary) -> VocabularyPruner:
        """Decide which words of ``counts`` to keep.

        Raises
        ------
        ValueError
            If a setting is out of range.
        EmptyResultError
            If the rules drop every word; the message names the rule to relax.
        """
        self._validate()
        if not counts.counts:
            raise EmptyResultError("the frequency dictionary has no words to prune")
        stop = frozenset(word.lower() for word in (self.stop_words or ()))
        keep = frozenset(self.keep or ())
        self.total_tokens_ = counts.n_tokens
        self.reports_ = {rule: RuleReport(rule) for rule in RULES}

        remaining = counts.sorted_tokens()
        filters = {
            "stop_words": lambda w: w.lower() not in stop,
            "min_count": lambda w: self.min_count is None
            or counts.counts[w] >= self.min_count,
            "min_df": lambda w: self.min_df is None
            or counts.doc_freqs[w] >= self._documents(self.min_df, counts.n_documents),
            "max_df": lambda w: self.max_df is None
            or counts.doc_freqs[w] <= self._documents(self.max_df, counts.n_documents),
        }
        for rule, passes in filters.items():
            remaining = self._apply(rule, remaining, counts, keep, passes)
        remaining = self._apply_ranked(
            "coverage", remaining, counts, keep, self._coverage_size(remaining, counts)
        )
        remaining = self._apply_ranked(
            "max_size", remaining, counts, keep, self.max_size
        )
        self.vocabulary_ = remaining
        self._log()
        return self

    def _apply(self, rule, words, counts, keep, passes) -> list[str]:  # noqa: ANN001
        kept = []
        report = self.reports_[rule]
        for word in words:
            if word in keep or passes(word):
                kept.append(word)
            else:
                report.words.append(word)
                report.tokens += counts.counts[word]
        self._check_not_empty(rule, kept)
        return kept

    def _coverage_size(self, words: list[str], counts: FrequencyDictionary) -> int | None:
        if self.coverage is None:
            return None
        target = float(self.coverage) * self.total_tokens_
        covered = 0
        for size, word in enumerate(words, start=1):
            covered += counts.counts[word]
            # A small tolerance keeps coverage=1.0 from failing on float rounding.
            if covered >= target - 1e-9 * self.total_tokens_:
                return size
        return len(words)

    def _apply_ranked(self, rule, words, counts, keep, size) -> list[str]:  # noqa: ANN001
        if size is None:
            return words
        ranked = set(words[:size])
        return self._apply(rule, words, counts, keep, lambda w: w in ranked)

    def _check_not_empty(self, rule: str, kept: list[str]) -> None:
        if kept:
            return
        dropped = ", ".join(
            f"{name} {report.types}" for name, report in self.reports_.items()
            if report.types
        )
        raise EmptyResultError(
            f"pruning dropped every word (words dropped by rule: {dropped}); "
            f"the {rule} rule removed the last ones, so try {_RELAX[rule]}"
        )

    def _log(self) -> None:
        for report in self.reports_.values():
            if report.types:
                logger.info(
                    "%s dropped %d words (%d tokens), for example %s",
                    report.rule,
                    report.types,
                    report.tokens,
                    ", ".join(report.words[:5]),
                )
        logger.info("Kept %d words", len(self.vocabulary_))

    def transform(self, counts: FrequencyDictionary) -> FrequencyDictionary:
        """Return the rows of ``counts`` that were kept, with the pruning settings
        added to its recorded settings."""
        result = counts.subset(self.vocabulary_)
        result.settings["prune"] = self.get_params()
        return result

    def fit_transform(self, counts: FrequencyDictionary) -> FrequencyDictionary:
        """Fit on ``counts`` and return the kept rows."""
        return self.fit(counts).transform(counts)

    def get_params(self) -> dict[str, object]:
        """Return the settings, in a form that can be stored as JSON."""
        return {
            "min_count": self.min_count,
            "min_df": self.min_df,
            "max_df": self.max_df,
            "max_size": self.max_size,
            "coverage": self.coverage,
            "stop_words": len(set(self.stop_words or ())),
            "keep": len(set(self.keep or ())),
        }

    def summary_rows(self) -> list[tuple[str, int, float]]:
        """Return ``(rule, types, share of tokens)`` for each rule that dropped words,
        then ``("kept", types, share)``."""
        total = self.total_tokens_ or 1
        rows = [
            (report.rule, report.types, report.tokens / total)
            for report in self.reports_.values()
            if report.types
        ]
        dropped_tokens = sum(report.tokens for report in self.reports_.values())
        rows.append(("kept", len(self.vocabulary_), 1.0 - dropped_tokens / total))
        return rows


def format_summary(pruner: VocabularyPruner) -> str:
    """Render the per-rule summary as an aligned text table."""
    lines = [f"{'rule':<12}{'types':>10}{'token share':>13}"]
    for rule, types, share in pruner.summary_rows():
        label = rule if rule == "kept" else f"-{rule}"
        lines.append(f"{label:<12}{types:>10,}{share:>13.2%}")
    return "\n".join(lines)


def parse_document_threshold(text: str) -> int | float:
    """Parse ``--min-df``/``--max-df``: digits are a document count, anything with
    a decimal point or exponent a fraction."""
    value: int | float
    if text.strip().isdigit():
        value = int(text)
    else:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
    return value


def write_dropped(
    pruner: VocabularyPruner, counts: FrequencyDictionary, path: str | Path
) -> None:
    """Write ``word<TAB>count<TAB>documents<TAB>rule`` for every dropped word."""
    from textprune._io import atomic_output

    with atomic_output(path) as handle:
        handle.write("# textprune-dropped 1\n")
        for report in pruner.reports_.values():
            for word in report.words:
                handle.write(
                    f"{word}\t{counts.counts[word]}\t{counts.doc_freqs[word]}"
                    f"\t{report.rule}\n"
                )
