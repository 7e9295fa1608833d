"""The ``textprune`` command line: one module per command, on top of the library."""
