"""sbd: a data engine and offline-first feature store, from Python.

Every byte of work is done by libsbd (C) through ctypes; this package turns its results into
pandas and Dask. See docs/python.md.
"""
import ctypes

from . import _lib
from ._convert import reader_to_pandas
from .errors import (
    Error,
    InputError,
    InternalError,
    LimitError,
    NotFound,
    SbdIOError,
    SbdMemoryError,
    SQLError,
    UnsupportedError,
    UsageError,
)

from .store import FeatureGroup, FeatureStore

__version__ = "0.1.0"


def query(sql):
    """Runs a SQL query (docs/sql.md) and returns its result as a pandas DataFrame."""
    ctx = _lib.context()
    reader = ctypes.c_void_p()
    ctx.check(_lib.lib.sbd_query(ctx.ptr, _lib.encode(sql), ctypes.byref(reader)), sql=True)
    return reader_to_pandas(ctx, reader)


def read(paths, **options):
    """Reads CSV, JSON Lines or Parquet files (a path, a glob or a list of them) into pandas.
    options are the reader options of docs/formats.md (format, schema, delim, header, ...)."""
    if isinstance(paths, str):
        paths = [paths]
    ctx = _lib.context()
    opts = _lib.Options(options)
    arr = (ctypes.c_char_p * len(paths))(*[_lib.encode(p) for p in paths])
    reader = ctypes.c_void_p()
    ctx.check(_lib.lib.sbd_reader_open(ctx.ptr, arr, len(paths), opts.ptr, ctypes.byref(reader)))
    return reader_to_pandas(ctx, reader)


def write(frame, path, **options):
    """Writes a pandas DataFrame to CSV, JSON Lines or Parquet through libsbd (format from the
    extension or format=...; writer options as in docs/formats.md, e.g. compression='zstd').
    The file appears only when complete. NaN, NaT, None and pandas' NA are written as NULL; a
    named index (a key) is written as a column."""
    from ._export import write_frame

    write_frame(_lib.context(), frame, path, _lib.Options(options))


__all__ = [
    "FeatureStore",
    "FeatureGroup",
    "write",
    "query",
    "read",
    "Error",
    "InputError",
    "InternalError",
    "LimitError",
    "NotFound",
    "SbdIOError",
    "SbdMemoryError",
    "SQLError",
    "UnsupportedError",
    "UsageError",
]
