"""Error types that carry a message fit to show a user.

Messages never contain personal data (phone numbers, id numbers, names, addresses): they name
the file, row and field, and say what is wrong, not what the value was.
"""

from __future__ import annotations


class QinglangError(Exception):
    """Base of every error qinglang raises on purpose; `http_status` serves the API."""

    http_status = 400
    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidValue(QinglangError):
    """A single value (a phone number, an id number, a date…) cannot be cleaned."""

    code = "invalid_value"


class InputError(QinglangError):
    """A whole input file cannot be read (unknown kind, encoding, missing required column…)."""

    code = "invalid_input"


class ConfigError(QinglangError):
    """Settings are missing or contradictory."""

    http_status = 500
    code = "config"
