"""The one error the toolkit raises for bad input: a file, a key, a line and what was expected, shown to people
without a traceback. An error about a parameter (a function's argument, a command's option, a request's field)
comes from `REQUEST` and is keyed by the parameter's name; the command line names its option, the service its
field."""

from __future__ import annotations

from pathlib import Path

REQUEST = "request"  # the source of an error about a parameter of a call, a command or a service request


class InputError(Exception):
    """Bad user input: a message meant for people, shown without a traceback."""

    def __init__(self, file: str | Path, message: str, key: str | None = None, line: int | None = None):
        self.file, self.key, self.line, self.detail = str(file), key, line, message
        where = self.file + (f", line {line}" if line else "") + (f", at '{key}'" if key else "")
        super().__init__(f"{where}: {message}")
