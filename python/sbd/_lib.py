"""Loads libsbd.so and declares the C functions the binding calls (ctypes, no compiled extension).

The library is found, in order: $SBD_LIBRARY; build/libsbd.so of the source tree this package
sits in (for PYTHONPATH=python after `make`); libsbd.so installed beside this package (what
`pip install ./python` does). ctypes releases the GIL around every call into a CDLL, so other
Python threads run while libsbd reads, computes or writes.
"""
import ctypes
import os
import threading

from .errors import error_for

_HERE = os.path.dirname(os.path.abspath(__file__))


def _find():
    env = os.environ.get("SBD_LIBRARY")
    if env:
        return env
    for path in (
        os.path.join(_HERE, "..", "..", "build", "libsbd.so"),
        os.path.join(_HERE, "libsbd.so"),
    ):
        if os.path.exists(path):
            return os.path.abspath(path)
    raise ImportError(
        "sbd: libsbd.so not found (run `make` in the sbd source tree, install with "
        "`pip install ./python`, or set SBD_LIBRARY to its path)"
    )


class ArrowSchema(ctypes.Structure):
    pass


class ArrowArray(ctypes.Structure):
    pass


_SCHEMA_RELEASE = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowSchema))
_ARRAY_RELEASE = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArray))

ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p),
    ("name", ctypes.c_char_p),
    ("metadata", ctypes.c_char_p),
    ("flags", ctypes.c_int64),
    ("n_children", ctypes.c_int64),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowSchema))),
    ("dictionary", ctypes.POINTER(ArrowSchema)),
    ("release", _SCHEMA_RELEASE),
    ("private_data", ctypes.c_void_p),
]
ArrowArray._fields_ = [
    ("length", ctypes.c_int64),
    ("null_count", ctypes.c_int64),
    ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64),
    ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowArray))),
    ("dictionary", ctypes.POINTER(ArrowArray)),
    ("release", _ARRAY_RELEASE),
    ("private_data", ctypes.c_void_p),
]

P = ctypes.c_void_p
I = ctypes.c_int
I64 = ctypes.c_int64
S = ctypes.c_char_p

lib = ctypes.CDLL(_find())


def _declare(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


_declare("sbd_ctx_new", P)
_declare("sbd_ctx_free", None, P)
_declare("sbd_errmsg", S, P)
_declare("sbd_ctx_set_threads", I, P, I)
_declare("sbd_options_new", P)
_declare("sbd_options_free", None, P)
_declare("sbd_options_set", I, P, S, S)
_declare("sbd_schema_ncols", I, P)
_declare("sbd_schema_name", S, P, I)
_declare("sbd_schema_type", I, P, I)
_declare("sbd_batch_nrows", I64, P)
_declare("sbd_batch_free", None, P)
_declare("sbd_batch_export", I, P, P, ctypes.POINTER(ArrowArray), ctypes.POINTER(ArrowSchema))
_declare("sbd_reader_open", I, P, ctypes.POINTER(S), I, P, ctypes.POINTER(P))
_declare("sbd_reader_schema", P, P)
_declare("sbd_reader_next", I, P, ctypes.POINTER(P))
_declare("sbd_reader_close", None, P)
_declare("sbd_query", I, P, S, ctypes.POINTER(P))
_declare("sbd_batch_schema", P, P)
_declare("sbd_batch_import", I, P, ctypes.POINTER(ArrowArray), ctypes.POINTER(ArrowSchema), I64, I64,
         ctypes.POINTER(P))
_declare("sbd_writer_open", I, P, S, P, P, ctypes.POINTER(P))
_declare("sbd_writer_write", I, P, P)
_declare("sbd_writer_close", I, P)
_declare("sbd_writer_abort", None, P)


def encode(text):
    return text.encode("utf-8") if isinstance(text, str) else text


class Context:
    """A libsbd context (error messages, threads). One per thread: libsbd's contexts are used by
    one thread at a time, so each Python thread gets its own through context()."""

    def __init__(self, threads=0):
        self.ptr = lib.sbd_ctx_new()
        if not self.ptr:
            raise MemoryError("sbd: out of memory creating a context")
        if threads:
            self.check(lib.sbd_ctx_set_threads(self.ptr, int(threads)))

    def errmsg(self):
        msg = lib.sbd_errmsg(self.ptr)
        return msg.decode("utf-8", "replace") if msg else ""

    def check(self, status, sql=False):
        if status != 0:
            raise error_for(status, self.errmsg(), sql=sql)

    def __del__(self):
        ptr, self.ptr = getattr(self, "ptr", None), None
        if ptr and lib is not None:
            lib.sbd_ctx_free(ptr)


_local = threading.local()


def context():
    ctx = getattr(_local, "ctx", None)
    if ctx is None:
        ctx = _local.ctx = Context()
    return ctx


class Options:
    """sbd_options built from a dict of key -> value (values turned into text)."""

    def __init__(self, mapping=None):
        self.ptr = lib.sbd_options_new()
        if not self.ptr:
            raise MemoryError("sbd: out of memory")
        for key, value in (mapping or {}).items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            if lib.sbd_options_set(self.ptr, encode(str(key)), encode(str(value))) != 0:
                raise MemoryError("sbd: out of memory")

    def __del__(self):
        ptr, self.ptr = getattr(self, "ptr", None), None
        if ptr and lib is not None:
            lib.sbd_options_free(ptr)
