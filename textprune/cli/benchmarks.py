"""``textprune benchmarks``: list the benchmarks that ship with textprune."""

from __future__ import annotations

import click


@click.command(name="benchmarks")
def command() -> None:
    """List the shipped benchmarks: name, pairs, what it measures and its source.

    Pass a name to 'textprune evaluate --benchmark'. A file path in the same
    format works too (see docs/evaluation.md).

    \b
    Examples:
      textprune benchmarks
      textprune evaluate vectors.bin --benchmark EN-SIMLEX-999
    """
    from textprune.benchmarks import SHIPPED
    from textprune.reports import render_rows

    rows = [
        [info.name, info.kind, f"{info.size:,}", info.measures, info.source]
        for info in SHIPPED.values()
    ]
    header = ["name", "kind", "pairs or questions", "measures", "source"]
    click.echo("\n".join(render_rows(header, rows, right_aligned={2})))
