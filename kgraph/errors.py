"""Errors that speak to the user: what was wrong, where, and what was expected.

The command line turns these into a message and an exit status instead of a traceback:
2 when input cannot be read at all, 1 when it was read but is not valid data.
"""


class KgraphError(Exception):
    """Base of the errors the command line reports without a traceback."""

    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])

    def __str__(self) -> str:
        text = self.args[0]
        if self.problems:
            text += "\n\n" + "\n\n".join(self.problems)
        return text


class InputError(KgraphError):
    """A file or folder could not be read: missing, malformed YAML or Turtle."""

    exit_code = 2


class DataError(KgraphError):
    """The input was read but breaks the data format: each problem is one paragraph."""

    exit_code = 1


class QueryError(KgraphError):
    """A query could not be parsed, found or run safely."""

    exit_code = 2


class QueryTimeout(QueryError):
    """A query was stopped at its time limit."""


class QueryOutOfMemory(QueryError):
    """A query was stopped at its memory limit."""


class DataWarning(UserWarning):
    """Data that is read but probably not what was meant (an empty file), or a choice that
    will cost much (a large in-memory build). The command line prints it on standard error."""


class UnknownNameError(KgraphError):
    """An option names a class, channel, relation or entity that the graph does not hold."""

    exit_code = 2
