"""Exceptions raised by the sbd binding.

Every failure of libsbd becomes one of these, carrying libsbd's own message (which names the file,
line, column or value at fault). The class follows libsbd's status code; SQLError is raised for a
query libsbd refuses before reading any row (syntax, names, types).
"""


class Error(Exception):
    """Base class of every error sbd raises. `status` is libsbd's status code."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class InputError(Error):
    """Bad input data: a malformed record, a value that does not fit its type."""


class UsageError(Error, ValueError):
    """Bad usage: an unknown option, a bad argument."""


class SbdIOError(Error, OSError):
    """The operating system refused a read, write or rename."""


class SbdMemoryError(Error, MemoryError):
    """Out of memory inside libsbd."""


class LimitError(Error):
    """A configured cap was passed (line length, memory limit)."""


class UnsupportedError(Error):
    """A feature of the input or of the SQL that sbd does not support."""


class NotFound(Error, LookupError):
    """A file, column, group, feature or version that does not exist."""


class InternalError(Error):
    """A bug in sbd: please report it with the message."""


class SQLError(Error):
    """A query libsbd refused: a syntax error, an unknown column or table, a type error."""


_BY_STATUS = {
    1: InputError,
    2: UsageError,
    3: SbdIOError,
    4: SbdMemoryError,
    5: LimitError,
    6: UnsupportedError,
    7: NotFound,
    8: InternalError,
}


def error_for(status, message, sql=False):
    """The exception for a libsbd status and message (SQLError for a refused query)."""
    if sql and status in (1, 2, 6):
        cls = SQLError
    else:
        cls = _BY_STATUS.get(status, Error)
    return cls(message, status)
