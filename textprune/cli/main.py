"""The ``textprune`` command group: global options, logging and error reporting.

Each command lives in its own module, imported only when that command runs, so
``textprune --help`` starts without importing spaCy, gensim or scikit-learn.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import math
import sys
from typing import Any

import click

from textprune import __version__
from textprune.errors import TextpruneError

# Command name -> module that defines a click command named ``command``.
COMMANDS: dict[str, str] = {
    "count": "textprune.cli.count",
    "clean": "textprune.cli.clean",
    "merge": "textprune.cli.merge",
    "prune": "textprune.cli.prune",
    "compress": "textprune.cli.compress",
    "convert": "textprune.cli.convert",
    "evaluate": "textprune.cli.evaluate",
    "benchmarks": "textprune.cli.benchmarks",
    "demo": "textprune.cli.demo",
}

# Exit status of ``textprune evaluate`` when the quality gate fails; 1 is an error
# and 2 a usage mistake, so a pipeline can tell the three apart.
EXIT_GATE_FAILED = 3


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [
            name
            for name, module in COMMANDS.items()
            if importlib.util.find_spec(module) is not None
        ]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None or importlib.util.find_spec(module_name) is None:
            return None
        module = importlib.import_module(module_name)
        return module.command  # type: ignore[no-any-return]

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TextpruneError as exc:
            logging.getLogger("textprune").debug("Error details", exc_info=True)
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("Aborted: interrupted; no output file was written.", err=True)
            sys.exit(130)
        except MemoryError as exc:
            raise click.ClickException(
                "out of memory; use --limit or a smaller vocabulary"
            ) from exc


def configure_logging(verbosity: int) -> None:
    """Send textprune's log records to stderr at a level set by ``-v``/``-q``."""
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(
        verbosity, logging.DEBUG
    )
    logger = logging.getLogger("textprune")
    for handler in list(logger.handlers):
        if getattr(handler, "_textprune_cli", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._textprune_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="textprune")
@click.option(
    "-q", "--quiet", is_flag=True, help="Print only results and errors, no progress."
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log each step on stderr; repeat (-vv) for debug detail.",
)
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: int) -> None:
    """Shrink vocabularies and word vectors, and measure what it cost.

    \b
    Stages, each usable alone:
      count, clean, merge   preprocess a corpus and count its tokens
      prune                 drop words from a frequency dictionary
      compress, convert     shrink, quantize and convert word vectors
      evaluate, benchmarks  score vectors on word-similarity benchmarks
      demo                  run all four on the data textprune ships

    \b
    Example:
      textprune count corpora/*.txt -o counts.tsv
      textprune prune counts.tsv --min-count 5 -o vocab.tsv
    """
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together.")
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet
    ctx.obj["verbose"] = verbose
    configure_logging(-1 if quiet else verbose)


def reject_nan(
    ctx: click.Context, param: click.Parameter, value: float | None
) -> float | None:
    """Click callback that rejects NaN, which passes every FloatRange bound."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("must be a number, not NaN", ctx=ctx, param=param)
    return value


def is_quiet(ctx: click.Context) -> bool:
    """Return True when ``--quiet`` was given to the group."""
    root = ctx.find_root()
    return bool(root.obj and root.obj.get("quiet"))


def report(ctx: click.Context, message: str) -> None:
    """Print a progress or summary message on stderr unless ``--quiet`` is set."""
    if not is_quiet(ctx):
        click.echo(message, err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
