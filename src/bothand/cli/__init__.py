"""The command line: ``commands`` parses arguments and runs one use-case; ``session`` is the
guided session (``bothand start``); ``terminal`` renders results as plain text."""

from bothand.cli.commands import main

__all__ = ["main"]
