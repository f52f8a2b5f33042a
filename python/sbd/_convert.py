"""Batches from libsbd into pandas: the Arrow C Data Interface buffers of each batch are viewed by
numpy in place (no copy per value) and concatenated once per column.

Types: INT64 -> int64 (pandas' nullable Int64 when the column has NULLs), DOUBLE -> float64 (NULL
as NaN), BOOL -> bool (nullable boolean with NULLs), DATE and TIMESTAMP -> datetime64[ns] (NULL as
NaT; sbd's timestamps are UTC and come out as naive UTC times, as DuckDB's TIMESTAMP does; a value
outside pandas' nanosecond range, years 1678 to 2261, makes the column hold Python objects
instead), STRING -> object (str, NULL as None).
"""
import ctypes

import numpy as np
import pandas as pd

from ._lib import ArrowArray, ArrowSchema, lib

BOOL, INT64, DOUBLE, STRING, DATE, TIMESTAMP = 1, 2, 3, 4, 5, 6
_NS_PER_DAY = 86_400 * 10**9
# The days and microseconds that fit in datetime64[ns].
_MIN_NS = np.iinfo(np.int64).min + 1


def _view(address, dtype, n):
    """A numpy array over n values of dtype at address (no copy; valid while the batch lives)."""
    if n == 0 or not address:
        return np.empty(0, dtype=dtype)
    size = n * np.dtype(dtype).itemsize
    return np.frombuffer((ctypes.c_char * size).from_address(address), dtype=dtype)


def _bits(address, n):
    """n bits (LSB first) at address as a bool array."""
    packed = _view(address, np.uint8, (n + 7) // 8)
    return np.unpackbits(packed, bitorder="little")[:n].astype(bool)


def _valid(child):
    n = child.length
    if child.null_count == 0 or not child.buffers[0]:
        return None
    return _bits(child.buffers[0], n)


def _strings(child):
    n = child.length
    offsets = _view(child.buffers[1], np.int64, n + 1)
    end = int(offsets[-1]) if n else 0
    data = ctypes.string_at(child.buffers[2], end) if end else b""
    valid = _valid(child)
    out = np.empty(n, dtype=object)
    text = data.decode("utf-8")
    starts = offsets[:-1].tolist()
    ends = offsets[1:].tolist()
    if len(text) == len(data):
        # ASCII only: byte offsets are character offsets, so slice the decoded text.
        out[:] = [text[a:b] for a, b in zip(starts, ends)]
    else:
        out[:] = [data[a:b].decode("utf-8") for a, b in zip(starts, ends)]
    if valid is not None:
        out[~valid] = None
    return out


def _column(sbd_type, children, nullable=False):
    """One pandas-ready array from the same column of every batch; nullable gives INT64 and BOOL
    pandas' nullable dtypes even without NULLs (so that Dask partitions agree on dtypes)."""
    if sbd_type == STRING:
        parts = [_strings(c) for c in children]
        return np.concatenate(parts) if parts else np.empty(0, dtype=object)
    masks = [_valid(c) for c in children]
    has_nulls = any(m is not None for m in masks) or (nullable and sbd_type in (BOOL, INT64))
    if has_nulls:
        valid = np.concatenate(
            [m if m is not None else np.ones(c.length, dtype=bool) for m, c in zip(masks, children)]
            or [np.empty(0, dtype=bool)]
        )
    if sbd_type == BOOL:
        values = np.concatenate([_bits(c.buffers[1], c.length) for c in children]) if children else np.empty(0, bool)
        return pd.arrays.BooleanArray(values, ~valid) if has_nulls else values
    dtype = {INT64: np.int64, DOUBLE: np.float64, DATE: np.int32, TIMESTAMP: np.int64}[sbd_type]
    values = (
        np.concatenate([_view(c.buffers[1], dtype, c.length) for c in children])
        if children
        else np.empty(0, dtype=dtype)
    )
    if sbd_type == INT64:
        return pd.arrays.IntegerArray(values, ~valid) if has_nulls else values
    if sbd_type == DOUBLE:
        if has_nulls:
            values[~valid] = np.nan
        return values
    # DATE (days) and TIMESTAMP (microseconds) to nanoseconds, or objects when out of range.
    unit = _NS_PER_DAY if sbd_type == DATE else 1000
    wide = values.astype(np.int64)
    live = wide[valid] if has_nulls else wide
    limit = np.iinfo(np.int64).max // unit
    if live.size and (live.max() > limit or live.min() < _MIN_NS // unit):
        return _objects(sbd_type, wide, valid if has_nulls else None)
    ns = wide * unit
    if has_nulls:
        ns[~valid] = np.iinfo(np.int64).min  # NaT
    return ns.view("datetime64[ns]")


def _objects(sbd_type, values, valid):
    import datetime

    epoch_day = datetime.date(1970, 1, 1)
    epoch = datetime.datetime(1970, 1, 1)
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values.tolist()):
        if valid is not None and not valid[i]:
            out[i] = None
        elif sbd_type == DATE:
            out[i] = epoch_day + datetime.timedelta(days=v)
        else:
            out[i] = epoch + datetime.timedelta(microseconds=v)
    return out


def collect_batches(ctx, reader):
    """Reads the whole sbd_reader (closing it) into exported Arrow arrays: (names, types,
    arrays). The caller releases the arrays (release_batches) once converted."""
    try:
        schema = lib.sbd_reader_schema(reader)
        ncols = lib.sbd_schema_ncols(schema)
        names = [lib.sbd_schema_name(schema, i).decode("utf-8") for i in range(ncols)]
        types = [lib.sbd_schema_type(schema, i) for i in range(ncols)]
        arrays = []
        try:
            batch = ctypes.c_void_p()
            while True:
                ctx.check(lib.sbd_reader_next(reader, ctypes.byref(batch)))
                if not batch.value:
                    break
                array, aschema = ArrowArray(), ArrowSchema()
                status = lib.sbd_batch_export(ctx.ptr, batch, ctypes.byref(array), ctypes.byref(aschema))
                lib.sbd_batch_free(batch)  # the exported array keeps its own reference
                ctx.check(status)
                aschema.release(ctypes.byref(aschema))
                arrays.append(array)
        except BaseException:
            release_batches(arrays)
            raise
    finally:
        lib.sbd_reader_close(reader)
    return names, types, arrays


def release_batches(arrays):
    for a in arrays:
        if a.release:
            a.release(ctypes.byref(a))


def batches_to_pandas(names, types, arrays, index=None, nullable=False):
    """The DataFrame of collected batches (the conversion alone; the arrays stay the caller's)."""
    cols = [_column(types[c], [a.children[c].contents for a in arrays], nullable and names[c] != index)
            for c in range(len(names))]
    frame = pd.DataFrame({i: col for i, col in enumerate(cols)}, copy=False)
    frame.columns = names
    if index is not None:
        frame = frame.set_index(index)
    return frame


def reader_to_pandas(ctx, reader, index=None, nullable=False):
    """Reads the whole sbd_reader (closing it) into a pandas DataFrame; index names a column to
    make the index (it is kept out of the columns); nullable as in _column, except for index."""
    names, types, arrays = collect_batches(ctx, reader)
    try:
        return batches_to_pandas(names, types, arrays, index=index, nullable=nullable)
    finally:
        release_batches(arrays)
