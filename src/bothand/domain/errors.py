"""The one error hierarchy of Bothand.

    BothandError
     ├── InputError      bad input from a person or a calling system: names the field
     ├── ContentError    the knowledge base (content/) is invalid: names the file and place
     ├── NotFoundError   no such record for this user (another clinic's, not shared): a 404
     └── NotAllowedError the user's role does not allow this: a 403

Code that presents errors (the command line, the web app) catches ``BothandError`` and shows
``str(error)``, which is always one line and never holds the person's answers.
"""

from __future__ import annotations


class BothandError(Exception):
    """Base of every error Bothand raises on purpose."""


class InputError(BothandError):
    """Input that cannot be used. ``field`` is a dotted path such as ``concerns[0].answers``."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class NotFoundError(BothandError):
    """No such record for this user: it does not exist, belongs to another clinic, or is not
    shared with them. Indistinguishable on purpose; shown as 404 everywhere."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(f"{kind} not found")


class NotAllowedError(BothandError):
    """The user's role does not allow this (an admin who is not a clinician opening a
    patient's answers, a clinician opening the users page)."""


class ContentError(BothandError):
    """The knowledge base is inconsistent: a missing id, a gap in score bands, a bad value."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


def within(prefix: str, error: InputError) -> InputError:
    """The error with its field under ``prefix``: ``answers[2]`` → ``concerns[0].answers[2]``."""
    return InputError(f"{prefix}.{error.field}" if prefix else error.field, error.problem)
