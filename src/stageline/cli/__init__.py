"""The ``stageline`` command line: a thin shell over the library."""

from stageline.cli.main import main

__all__ = ["main"]
