"""pandas into libsbd: each column is described to libsbd as an Arrow C Data Interface array over
numpy's own buffers (strings are encoded into one offsets array and one bytes buffer per column),
and sbd_batch_import copies 64 Ki-row slices of them into batches.

Missing values become NULL the way pandas sees them: NaN in float columns, NaT, None, pd.NA and
the masks of nullable dtypes. A named index (a feature function's key) is written as a column.
"""
import ctypes
import datetime

import numpy as np
import pandas as pd

from ._lib import ArrowArray, ArrowSchema, _ARRAY_RELEASE, _SCHEMA_RELEASE, encode, lib
from .errors import UsageError

BATCH_ROWS = 65536

# A release callback that does nothing: the buffers belong to numpy objects this module keeps
# alive until libsbd has copied them.
_NO_ARRAY_RELEASE = _ARRAY_RELEASE(lambda p: None)
_NO_SCHEMA_RELEASE = _SCHEMA_RELEASE(lambda p: None)

_INT_FORMATS = {
    np.dtype(np.int8): b"c", np.dtype(np.int16): b"s", np.dtype(np.int32): b"i",
    np.dtype(np.int64): b"l", np.dtype(np.uint8): b"C", np.dtype(np.uint16): b"S",
    np.dtype(np.uint32): b"I", np.dtype(np.uint64): b"L",
}


def _bitmap(valid):
    """A little-endian bitmap of a bool array (None when every value is valid)."""
    if valid is None or valid.all():
        return None
    return np.packbits(valid, bitorder="little")


def _column(name, series):
    """(format, null_count, [buffers as numpy arrays or None]) of one column."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        series = series.astype(object)
        dtype = series.dtype
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and hasattr(series.array, "_mask"):
        # pandas' nullable Int*, UInt*, Float*, boolean: values and a mask of missing rows.
        values = np.asarray(series.array._data)
        valid = ~np.asarray(series.array._mask)
        if values.dtype == np.bool_:
            return b"b", int((~valid).sum()), [_bitmap(valid), np.packbits(values, bitorder="little")]
        if values.dtype.kind == "f":
            valid = valid & ~np.isnan(values)
            return b"g", int((~valid).sum()), [_bitmap(valid), values.astype(np.float64, copy=False)]
        return _INT_FORMATS[values.dtype], int((~valid).sum()), [_bitmap(valid), values]
    if dtype.kind in "iu":
        return _INT_FORMATS[dtype], 0, [None, np.ascontiguousarray(series.to_numpy())]
    if dtype.kind == "f":
        values = np.ascontiguousarray(series.to_numpy(dtype=np.float64))
        valid = ~np.isnan(values)
        return b"g", int((~valid).sum()), [_bitmap(valid), values]
    if dtype.kind == "b":
        return b"b", 0, [None, np.packbits(series.to_numpy(), bitorder="little")]
    if dtype.kind == "M":
        if getattr(dtype, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        values = np.ascontiguousarray(series.to_numpy(dtype="datetime64[ns]").view(np.int64))
        valid = values != np.iinfo(np.int64).min
        return b"tsn:", int((~valid).sum()), [_bitmap(valid), values]
    if dtype.kind == "O" or isinstance(dtype, pd.StringDtype):
        return _objects(name, series)
    raise UsageError(f"sbd: column '{name}': pandas dtype {dtype} cannot be written")


def _objects(name, series):
    values = series.to_numpy(dtype=object)
    missing = pd.isna(values)
    live = values[~missing]
    if live.size and all(type(v) is datetime.date for v in live):
        days = np.zeros(len(values), dtype=np.int32)
        epoch = datetime.date(1970, 1, 1)
        days[~missing] = [(v - epoch).days for v in live]
        return b"tdD", int(missing.sum()), [_bitmap(~missing), days]
    encoded = []
    for v in values:
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            encoded.append(b"")
        elif isinstance(v, str):
            encoded.append(v.encode("utf-8"))
        else:
            raise UsageError(
                f"sbd: column '{name}': {type(v).__name__} value {v!r} in a column of strings"
            )
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = np.frombuffer(b"".join(encoded) or b"\0", dtype=np.uint8)
    return b"U", int(missing.sum()), [_bitmap(~missing), offsets, data]


def _address(buf):
    return None if buf is None else buf.ctypes.data


class _Exported:
    """The Arrow structs of a DataFrame, and the numpy buffers they point at kept alive."""

    def __init__(self, frame):
        if not isinstance(frame, pd.DataFrame):
            raise UsageError(f"sbd: expected a pandas DataFrame, got {type(frame).__name__}")
        if any(n is not None for n in frame.index.names) and not isinstance(frame.index, pd.RangeIndex):
            frame = frame.reset_index()
        names = [str(c) for c in frame.columns]
        if len(set(names)) != len(names):
            raise UsageError(f"sbd: duplicate column names in {names}")
        n = len(frame)
        self.keep = []
        self.names = [encode(c) for c in names]
        k = len(names)
        self.child_arrays = (ArrowArray * k)()
        self.child_schemas = (ArrowSchema * k)()
        self.array_ptrs = (ctypes.POINTER(ArrowArray) * k)()
        self.schema_ptrs = (ctypes.POINTER(ArrowSchema) * k)()
        for i, col in enumerate(names):
            fmt, nulls, bufs = _column(col, frame.iloc[:, i])
            buffers = (ctypes.c_void_p * len(bufs))(*[_address(b) for b in bufs])
            self.keep += [fmt, bufs, buffers]
            a = self.child_arrays[i]
            a.length, a.null_count, a.offset = n, nulls, 0
            a.n_buffers, a.n_children = len(bufs), 0
            a.buffers = buffers
            a.release = _NO_ARRAY_RELEASE
            s = self.child_schemas[i]
            s.format, s.name, s.flags = fmt, self.names[i], 2
            s.release = _NO_SCHEMA_RELEASE
            self.array_ptrs[i] = ctypes.pointer(a)
            self.schema_ptrs[i] = ctypes.pointer(s)
        self.array = ArrowArray(length=n, null_count=0, offset=0, n_buffers=0, n_children=k)
        self.array.children = self.array_ptrs
        self.array.release = _NO_ARRAY_RELEASE
        self.schema = ArrowSchema(format=b"+s", name=b"", flags=0, n_children=k)
        self.schema.children = self.schema_ptrs
        self.schema.release = _NO_SCHEMA_RELEASE
        self.nrows = n

    def batches(self, ctx):
        """Yields sbd_batch pointers (the caller frees each with sbd_batch_free)."""
        start = 0
        while True:
            take = min(BATCH_ROWS, self.nrows - start)
            batch = ctypes.c_void_p()
            ctx.check(lib.sbd_batch_import(ctx.ptr, ctypes.byref(self.array), ctypes.byref(self.schema),
                                           start, take, ctypes.byref(batch)))
            yield batch
            start += take
            if start >= self.nrows:
                return


def write_frame(ctx, frame, path, opts):
    """Writes frame to path (format from the options or the extension) through a libsbd writer:
    under a temporary name, renamed into place only when every row is written."""
    exported = _Exported(frame)
    writer = ctypes.c_void_p()
    try:
        for batch in exported.batches(ctx):
            try:
                if not writer.value:
                    schema = lib.sbd_batch_schema(batch)
                    ctx.check(lib.sbd_writer_open(ctx.ptr, encode(path), schema, opts.ptr,
                                                  ctypes.byref(writer)))
                ctx.check(lib.sbd_writer_write(writer, batch))
            finally:
                lib.sbd_batch_free(batch)
    except BaseException:
        if writer.value:
            lib.sbd_writer_abort(writer)
        raise
    w, writer = writer, None
    ctx.check(lib.sbd_writer_close(w))
