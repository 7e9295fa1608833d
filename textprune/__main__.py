"""Run the command line with ``python -m textprune``."""

from textprune.cli.main import main

main(prog_name="textprune")
