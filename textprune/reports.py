"""Rendering an :class:`~textprune.evaluate.EvaluationReport` as text, JSON or Markdown.

The plain-text table is for a terminal, the Markdown for a pull request or a model
card, and the JSON contains every number of the report, intervals included. NaN (a
score with fewer than two pairs) is written as ``null`` in JSON and ``n/a`` in text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from textprune._io import PathLike, atomic_output

if TYPE_CHECKING:
    from textprune.evaluate import (
        AnalogyScore,
        EvaluationReport,
        GateResult,
        VectorsReport,
        VectorsSummary,
    )

JSON_FORMAT = "textprune-evaluation 1"


def _number(value: float, digits: int = 4, sign: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _interval(values: Sequence[float], digits: int = 4, sign: bool = False) -> str:
    low, high = values
    if not (math.isfinite(low) and math.isfinite(high)):
        return "n/a"
    return f"[{_number(low, digits, sign)}, {_number(high, digits, sign)}]"


def _size(summary: VectorsSummary) -> str:
    megabytes = summary.size_bytes / 1_000_000
    where = "on disk" if summary.size_kind == "file" else "as float32"
    return f"{megabytes:,.1f} MB {where}"


def describe_table(summary: VectorsSummary) -> str:
    """Return a one-line description: label, rows, keys, dimensions and size."""
    return (
        f"{summary.label} ({summary.rows:,} rows, {summary.keys:,} keys, "
        f"{summary.dims} dims, {_size(summary)})"
    )


def render_rows(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    right_aligned: set[int] | None = None,
) -> list[str]:
    """Align columns; by default the first is left-aligned and the rest right-aligned.

    ``right_aligned`` names the right-aligned columns by position instead.
    """
    if right_aligned is None:
        right_aligned = set(range(1, len(header)))
    widths = [len(cell) for cell in header]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if number in right_aligned else cell.ljust(width)
            for number, (cell, width) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    return [line(header)] + [line(row) for row in rows]


def _settings_line(report: EvaluationReport) -> str:
    settings = report.settings
    case = "lowercased" if settings.lowercase else "case-sensitive"
    percent = round(settings.confidence * 100)
    return (
        f"Unknown words: {settings.oov.value}. Words {case}. Intervals: {percent}% "
        f"percentile bootstrap, {settings.n_resamples} resamples, seed {settings.seed}."
    )


def _score_rows(report: VectorsReport) -> list[list[str]]:
    rows = [
        [
            score.benchmark,
            f"{score.found}/{score.total}",
            _number(score.spearman),
            _interval(score.spearman_ci),
            _number(score.pearson),
            _interval(score.pearson_ci),
        ]
        for score in report.similarity
    ]
    if len(report.similarity) > 1:
        rows.append(["mean", "", _number(report.mean_spearman), "", "", ""])
    return rows


_SCORE_HEADER = ["benchmark", "found/total", "spearman", "CI", "pearson", "CI"]
_COMPARE_HEADER = [
    "benchmark",
    "common",
    "lost",
    "baseline",
    "candidate",
    "difference",
    "CI of difference",
]


def _comparison_rows(report: VectorsReport) -> list[list[str]]:
    rows = [
        [
            c.benchmark,
            str(c.common),
            str(c.coverage_lost),
            _number(c.baseline_spearman),
            _number(c.candidate_spearman),
            _number(c.difference, sign=True),
            _interval(c.difference_ci, sign=True),
        ]
        for c in report.comparisons
    ]
    mean = report.mean_comparison
    if mean is not None and len(report.comparisons) > 1:
        rows.append(
            [
                f"mean of {mean.benchmarks}",
                "",
                "",
                _number(mean.baseline_spearman),
                _number(mean.candidate_spearman),
                _number(mean.difference, sign=True),
                _interval(mean.difference_ci, sign=True),
            ]
        )
    return rows


def _analogy_rows(scores: Sequence[AnalogyScore]) -> tuple[list[str], list[list[str]]]:
    """Return one row per section and a total, with a column per method."""
    header = ["section", "answered/questions"] + [score.method for score in scores]
    first = scores[0]
    rows = []
    for number, section in enumerate(first.sections):
        row = [section.name, f"{section.answered}/{section.questions}"]
        row += [_number(score.sections[number].accuracy) for score in scores]
        rows.append(row)
    total = ["total", f"{first.answered}/{first.questions}"]
    total += [
        f"{_number(score.accuracy)} {_interval(score.accuracy_ci)}" for score in scores
    ]
    rows.append(total)
    return header, rows


def _group_analogies(scores: Sequence[AnalogyScore]) -> list[list[AnalogyScore]]:
    groups: dict[str, list[AnalogyScore]] = {}
    for score in scores:
        groups.setdefault(score.benchmark, []).append(score)
    return list(groups.values())


def _agreement_lines(report: VectorsReport) -> list[str]:
    agreement = report.agreement
    if agreement is None or agreement.queries == 0:
        return []
    return [
        f"Agreement with the baseline over {agreement.common_words:,} shared words:",
        (
            f"  top-{agreement.k} neighbour overlap {_number(agreement.topk_overlap)} "
            f"{_interval(agreement.topk_overlap_ci)} over {agreement.queries} query words"
        ),
        (
            f"  cosine rank correlation {_number(agreement.cosine_spearman)} "
            f"{_interval(agreement.cosine_spearman_ci)} over {agreement.pairs} random pairs"
        ),
    ]


def _analogy_comparison_rows(report: VectorsReport) -> list[list[str]]:
    return [
        [
            f"{c.benchmark} {c.method}",
            str(c.common),
            str(c.coverage_lost),
            _number(c.baseline_accuracy),
            _number(c.candidate_accuracy),
            _number(c.difference, sign=True),
            _interval(c.difference_ci, sign=True),
        ]
        for c in report.analogy_comparisons
    ]


def gate_lines(gate: GateResult) -> list[str]:
    """Return the gate's verdict and one line per failed check."""
    scope = "on the mean over benchmarks" if gate.scope == "mean" else "per benchmark"
    if gate.passed:
        return [f"Quality gate passed: no drop larger than {gate.max_drop} {scope}."]
    lines = [f"Quality gate FAILED: max drop {gate.max_drop} {scope}."]
    for check in gate.failures:
        if check.benchmark == "all":
            lines.append(
                f"  {check.candidate}: no benchmark pair is covered by both tables, "
                "so no drop could be measured; use benchmarks that the candidate's "
                "vocabulary covers"
            )
            continue
        unit = "%" if check.relative else ""
        digits = 2 if check.relative else 4
        lines.append(
            f"  {check.candidate}: {check.benchmark} dropped from "
            f"{_number(check.baseline)} to {_number(check.candidate_score)} "
            f"(drop {_number(check.drop, digits)}{unit} > {check.limit:g}{unit}; "
            f"difference CI {_interval(check.difference_ci, sign=True)})"
        )
    return lines


def format_table(report: EvaluationReport) -> str:
    """Return the report as aligned plain-text tables."""
    lines = [_settings_line(report), ""]
    tables = ([("Baseline", report.baseline)] if report.baseline else []) + [
        ("Candidate" if report.baseline else "Vectors", item)
        for item in report.candidates
    ]
    for role, item in tables:
        lines.append(f"{role}: {describe_table(item.summary)}")
        if item.similarity:
            lines += render_rows(_SCORE_HEADER, _score_rows(item))
        for group in _group_analogies(item.analogies):
            first = group[0]
            lines.append(
                f"Analogies {first.benchmark} (first {first.restrict_vocab:,} rows):"
            )
            header, rows = _analogy_rows(group)
            lines += render_rows(header, rows)
        lines.append("")
    if report.baseline is not None:
        for item in report.candidates:
            lines.append(
                f"{item.summary.label} against the baseline, Spearman on the pairs "
                "both cover (lost: pairs only the baseline covers):"
            )
            rows = _comparison_rows(item) + _analogy_comparison_rows(item)
            lines += render_rows(_COMPARE_HEADER, rows)
            lines += _agreement_lines(item)
            lines.append("")
    if report.gate is not None:
        lines += gate_lines(report.gate)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    align = ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def format_markdown(report: EvaluationReport) -> str:
    """Return the report as Markdown sections with pipe tables."""
    lines = ["# Word-vector evaluation", "", _settings_line(report), ""]
    tables = ([("Baseline", report.baseline)] if report.baseline else []) + [
        ("Candidate" if report.baseline else "Vectors", item)
        for item in report.candidates
    ]
    for role, item in tables:
        lines += [
            f"## {role}: `{item.summary.label}`",
            "",
            describe_table(item.summary),
        ]
        if item.similarity:
            lines += ["", *_markdown_table(_SCORE_HEADER, _score_rows(item))]
        for group in _group_analogies(item.analogies):
            header, rows = _analogy_rows(group)
            lines += [
                "",
                f"Analogies {group[0].benchmark}, first {group[0].restrict_vocab:,} rows:",
                "",
                *_markdown_table(header, rows),
            ]
        lines.append("")
    if report.baseline is not None:
        for item in report.candidates:
            lines += [
                f"## `{item.summary.label}` against the baseline",
                "",
                (
                    "Spearman on the pairs both tables cover; *lost* counts the pairs "
                    "only the baseline covers."
                ),
                "",
                *_markdown_table(
                    _COMPARE_HEADER,
                    _comparison_rows(item) + _analogy_comparison_rows(item),
                ),
            ]
            agreement = _agreement_lines(item)
            if agreement:
                lines += ["", agreement[0]] + [
                    "- " + line.strip() for line in agreement[1:]
                ]
            lines.append("")
    if report.gate is not None:
        gate = gate_lines(report.gate)
        lines += ["## Quality gate", "", gate[0]] + ["- " + g.strip() for g in gate[1:]]
    return "\n".join(lines).rstrip() + "\n"


def _clean(value: Any) -> Any:
    """Replace NaN and infinity by None and tuples by lists, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def _vectors_dict(item: VectorsReport) -> dict[str, Any]:
    analogies = []
    for score in item.analogies:
        analogies.append(
            {
                "benchmark": score.benchmark,
                "method": score.method,
                "restrict_vocab": score.restrict_vocab,
                "oov": score.oov,
                "questions": score.questions,
                "answered": score.answered,
                "correct": score.correct,
                "accuracy": score.accuracy,
                "accuracy_ci": list(score.accuracy_ci),
                "sections": [
                    {**asdict(section), "accuracy": section.accuracy}
                    for section in score.sections
                ],
            }
        )
    comparisons = []
    for comparison in item.comparisons:
        entry = asdict(comparison)
        entry.pop("difference_draws")
        comparisons.append(entry)
    return {
        "vectors": asdict(item.summary),
        "mean_spearman": item.mean_spearman,
        "similarity": [asdict(score) for score in item.similarity],
        "analogies": analogies,
        "comparisons": comparisons,
        "mean_comparison": (
            asdict(item.mean_comparison) if item.mean_comparison else None
        ),
        "analogy_comparisons": [asdict(c) for c in item.analogy_comparisons],
        "agreement": asdict(item.agreement) if item.agreement else None,
    }


def report_to_dict(report: EvaluationReport) -> dict[str, Any]:
    """Return the report as JSON-ready values (NaN becomes None)."""
    settings = asdict(report.settings)
    settings["oov"] = report.settings.oov.value
    gate = None
    if report.gate is not None:
        gate = {
            "max_drop": report.gate.max_drop,
            "scope": report.gate.scope,
            "passed": report.gate.passed,
            "checks": [asdict(check) for check in report.gate.checks],
        }
    result = {
        "format": JSON_FORMAT,
        "settings": settings,
        "benchmarks": report.benchmarks,
        "baseline": _vectors_dict(report.baseline) if report.baseline else None,
        "candidates": [_vectors_dict(item) for item in report.candidates],
        "gate": gate,
    }
    return _clean(result)


def format_json(report: EvaluationReport) -> str:
    """Return the report as indented JSON with sorted keys."""
    return json.dumps(report_to_dict(report), indent=2, sort_keys=True) + "\n"


def write_json(report: EvaluationReport, path: PathLike) -> None:
    """Write :func:`format_json` to ``path`` atomically."""
    text = format_json(report)
    with atomic_output(path) as handle:
        handle.write(text)


def write_markdown(report: EvaluationReport, path: PathLike) -> None:
    """Write :func:`format_markdown` to ``path`` atomically."""
    text = format_markdown(report)
    with atomic_output(path) as handle:
        handle.write(text)


__all__ = [
    "JSON_FORMAT",
    "describe_table",
    "format_json",
    "format_markdown",
    "format_table",
    "gate_lines",
    "render_rows",
    "report_to_dict",
    "write_json",
    "write_markdown",
]
