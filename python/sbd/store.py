"""The feature store's consumer API over libsbd's sbd_repo_* functions (docs/python.md):

    fs = FeatureStore()                      # the repository in the current folder
    group = fs.get_group('customer')
    group.calculate()                        # the new version, or the current one when up to date
    f_set = group.get_features(['distance', 'gender'], exclude=['*'], filters=['age >= 30'])

get_features returns a Dask DataFrame with one partition per Parquet part of the version, each
read by libsbd in the process that computes it (so it runs on a dask.distributed cluster whose
workers see the repository's folder); to_pandas returns the same rows as pandas.
"""
import ctypes
import os
import sys

import pandas as pd

from . import _lib
from ._convert import reader_to_pandas
from ._lib import encode, lib
from .errors import NotFound, UsageError

_P = ctypes.c_void_p
_NOTICE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)


class _GetRequest(ctypes.Structure):
    _fields_ = [
        ("group", ctypes.c_char_p),
        ("features", ctypes.POINTER(ctypes.c_char_p)),
        ("nfeatures", ctypes.c_int),
        ("exclude", ctypes.POINTER(ctypes.c_char_p)),
        ("nexclude", ctypes.c_int),
        ("filters", ctypes.POINTER(ctypes.c_char_p)),
        ("nfilters", ctypes.c_int),
        ("version", ctypes.c_int64),
        ("part", ctypes.c_int64),
    ]


def _declare_repo():
    d = _lib._declare
    pp = ctypes.POINTER(_P)
    d("sbd_repo_open", ctypes.c_int, _P, ctypes.c_char_p, pp)
    d("sbd_repo_close", None, _P)
    d("sbd_free", None, _P)
    d("sbd_repo_set_notice", None, _P, _NOTICE, _P)
    d("sbd_repo_calculate", ctypes.c_int, _P, ctypes.c_char_p, ctypes.c_int, ctypes.c_double,
      ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int))
    d("sbd_repo_group_names", ctypes.c_int, _P, ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
      ctypes.POINTER(ctypes.c_int))
    d("sbd_repo_get", ctypes.c_int, _P, ctypes.POINTER(_GetRequest), pp)
    d("sbd_repo_parts", ctypes.c_int, _P, ctypes.c_char_p, ctypes.c_int64,
      ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64))
    d("sbd_repo_query", ctypes.c_int, _P, ctypes.c_char_p, pp)
    d("sbd_repo_groups", ctypes.c_int, _P, pp)
    d("sbd_repo_features", ctypes.c_int, _P, ctypes.c_char_p, pp)
    d("sbd_repo_versions", ctypes.c_int, _P, ctypes.c_char_p, pp)
    d("sbd_repo_describe", ctypes.c_int, _P, ctypes.c_char_p, ctypes.POINTER(_P))


_declare_repo()


@_NOTICE
def _print_notice(arg, message):
    print(f"sbd: {message.decode('utf-8', 'replace')}", file=sys.stderr, flush=True)


def _strings(items, what):
    if items is None:
        return None, 0
    if isinstance(items, str):
        items = [items]
    items = list(items)
    for x in items:
        if not isinstance(x, str):
            raise UsageError(f"sbd: {what} must be strings, got {x!r}")
    return (ctypes.c_char_p * max(len(items), 1))(*[encode(x) for x in items]), len(items)


class _Repo:
    """An open sbd_repo and the context it reports on (one per thread of use)."""

    def __init__(self, path):
        self.ctx = _lib.Context()
        self.ptr = _P()
        self.ctx.check(lib.sbd_repo_open(self.ctx.ptr, encode(path), ctypes.byref(self.ptr)))
        lib.sbd_repo_set_notice(self.ptr, _print_notice, None)

    def close(self):
        ptr, self.ptr = self.ptr, None
        if ptr and ptr.value:
            lib.sbd_repo_close(ptr)

    def __del__(self):
        if lib is not None:
            self.close()

    def text(self, fn, *args):
        out = _P()
        self.ctx.check(fn(self.ptr, *args, ctypes.byref(out)))
        try:
            return ctypes.string_at(out.value).decode("utf-8") if out.value else ""
        finally:
            lib.sbd_free(out)

    def frame(self, fn, *args, sql=False, index=None, nullable=False):
        reader = _P()
        self.ctx.check(fn(self.ptr, *args, ctypes.byref(reader)), sql=sql)
        return reader_to_pandas(self.ctx, reader, index=index, nullable=nullable)

    def schema_frame(self, fn, *args, index=None, nullable=False):
        """The result's columns and dtypes with no rows: the reader is planned, never read."""
        from ._convert import batches_to_pandas

        reader = _P()
        self.ctx.check(fn(self.ptr, *args, ctypes.byref(reader)), sql=True)
        try:
            schema = lib.sbd_reader_schema(reader)
            n = lib.sbd_schema_ncols(schema)
            names = [lib.sbd_schema_name(schema, i).decode("utf-8") for i in range(n)]
            types = [lib.sbd_schema_type(schema, i) for i in range(n)]
        finally:
            lib.sbd_reader_close(reader)
        return batches_to_pandas(names, types, [], index=index, nullable=nullable)

    def get(self, group, features, exclude, filters, version, part, index, nullable=False,
            schema_only=False):
        feats, nf = _strings(features, "features")
        excl, ne = _strings(exclude, "exclude globs")
        filt, nfl = _strings(filters, "filters")
        _check_version(version)
        req = _GetRequest(encode(group), feats, nf, excl, ne, filt, nfl, int(version or 0), part)
        if schema_only:
            return self.schema_frame(lib.sbd_repo_get, ctypes.byref(req), index=index,
                                     nullable=nullable)
        return self.frame(lib.sbd_repo_get, ctypes.byref(req), sql=True, index=index,
                          nullable=nullable)


def _check_version(version):
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)
                                or version < 1):
        raise UsageError(f"sbd: version {version!r}: versions are whole numbers from 1", 2)


def _read_part(task):
    """One Dask partition: part `part` of the pinned version, read by libsbd where it runs.
    task is (path, group, features, exclude, filters, version, part, index)."""
    path, group, features, exclude, filters, version, part, index = task
    repo = _Repo(path)
    try:
        return repo.get(group, features, exclude, filters, version, part, index, nullable=True)
    finally:
        repo.close()


class FeatureGroup:
    """A feature group of a repository (fs.get_group(name))."""

    def __init__(self, store, name):
        self.store = store
        self.name = name

    def __repr__(self):
        return f"FeatureGroup({self.name!r})"

    def calculate(self, force=False, wait=None):
        """Calculates the group as `sbd calculate` does and returns the new version, or the current
        one when neither the definition nor the sources changed (force=True recomputes). wait is
        how long to wait, in seconds, for a calculation of the group running elsewhere (None:
        as long as it takes)."""
        # The group's Python feature functions run in child processes that import this package
        # from where it is now.
        os.environ["SBD_PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        repo = self.store._repo()
        version = ctypes.c_int64()
        written = ctypes.c_int()
        repo.ctx.check(lib.sbd_repo_calculate(repo.ptr, encode(self.name), 1 if force else 0,
                                              -1.0 if wait is None else float(wait),
                                              ctypes.byref(version), ctypes.byref(written)))
        return version.value

    def _key(self):
        groups = self.store.groups()
        row = groups[groups["group"] == self.name]
        return [k.strip() for k in str(row["key"].iloc[0]).split(",")] if len(row) else ["id"]

    def to_pandas(self, features=None, exclude=None, filters=None, version=None):
        """The feature set as a pandas DataFrame indexed by the key (see get_features)."""
        keys = self._key()
        index = keys[0] if len(keys) == 1 else None
        repo = self.store._repo()
        if any(":" in f for f in (_listed(features) or [])):
            return repo.get(self.name, features, exclude, filters, version, -1, index=index)
        _check_version(version)
        # One group: its parts are key ranges in order, each stored sorted, so reading them one
        # after the other gives the key order without sorting the whole version.
        v = ctypes.c_int64()
        nparts = ctypes.c_int64()
        repo.ctx.check(lib.sbd_repo_parts(repo.ptr, encode(self.name), int(version or 0),
                                          ctypes.byref(v), ctypes.byref(nparts)))
        frames = [repo.get(self.name, features, exclude, filters, v.value, p, index=index)
                  for p in range(nparts.value)]
        if len(frames) == 1:
            return frames[0]
        return pd.concat(frames, copy=False)

    def get_features(self, features=None, exclude=None, filters=None, version=None):
        """The key and the features selected by name or glob (default: all), less those matching
        an exclude glob unless named exactly, on the rows where every filter (a SQL predicate over
        any feature of the group) holds; 'other:feature' takes a feature of another group, joined
        on the key. A Dask DataFrame, one partition per Parquet part of the version (the latest
        unless version pins one, fixed when this is called), indexed by the key."""
        import dask.dataframe as dd

        repo = self.store._repo()
        v = ctypes.c_int64()
        nparts = ctypes.c_int64()
        repo.ctx.check(lib.sbd_repo_parts(repo.ptr, encode(self.name), int(version or 0),
                                          ctypes.byref(v), ctypes.byref(nparts)))
        keys = self._key()
        index = keys[0] if len(keys) == 1 else None
        args = (self.store.path, self.name, _listed(features), _listed(exclude), _listed(filters),
                v.value)
        # The frame's columns and dtypes: the request planned, not run (which validates it).
        meta = repo.get(self.name, features, exclude, filters, v.value, -1, index, nullable=True,
                        schema_only=True)
        parts = list(range(nparts.value))
        return dd.from_map(_read_part, [(*args, p, index) for p in parts], meta=meta,
                           enforce_metadata=False, label=f"sbd-{self.name}")

    def versions(self):
        """The versions of the group: version, created, rows, bytes, duration_s, definition,
        sources."""
        return self.store._repo().frame(lib.sbd_repo_versions, encode(self.name))

    def describe(self):
        """The group's definition, features and their latest statistics, versions and runs."""
        return self.store._repo().text(lib.sbd_repo_describe, encode(self.name))


def _listed(items):
    if items is None:
        return None
    return [items] if isinstance(items, str) else list(items)


class FeatureStore:
    """A feature repository: the folder holding sbd.yaml (default: the current folder)."""

    def __init__(self, path=None):
        self.path = os.path.abspath(path or os.getcwd())
        if not os.path.exists(os.path.join(self.path, "sbd.yaml")):
            raise NotFound(f"sbd: no sbd.yaml in {self.path} (create one with `sbd init`)", 7)
        self._repo()  # parses and checks sbd.yaml now, so errors show here

    def _repo(self):
        # libsbd's repositories are used by one thread at a time: one per thread.
        import threading

        local = self.__dict__.setdefault("_local", threading.local())
        repo = getattr(local, "repo", None)
        if repo is None:
            repo = local.repo = _Repo(self.path)
        return repo

    def __getstate__(self):
        return {"path": self.path}

    def __setstate__(self, state):
        self.path = state["path"]

    def __repr__(self):
        return f"FeatureStore({self.path!r})"

    def get_group(self, name):
        """The group called name (NotFound, naming the closest, when there is none)."""
        repo = self._repo()
        names = ctypes.POINTER(ctypes.c_char_p)()
        n = ctypes.c_int()
        repo.ctx.check(lib.sbd_repo_group_names(repo.ptr, ctypes.byref(names), ctypes.byref(n)))
        known = [names[i].decode("utf-8") for i in range(n.value)]
        if name not in known:
            import difflib

            near = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise NotFound(f"sbd: no group '{name}' in {self.path}/sbd.yaml{hint}", 7)
        return FeatureGroup(self, name)

    def groups(self):
        """The groups: group, description, owner, key, latest, rows, features, created."""
        return self._repo().frame(lib.sbd_repo_groups)

    def features(self, group=None):
        """The features of every group (or one): group, feature, type, description and the latest
        version's statistics."""
        return self._repo().frame(lib.sbd_repo_features, encode(group) if group else None)

    def query(self, sql):
        """SQL where the repository's sources and groups are tables (a group is its latest
        version, 'group@3' version 3), as pandas."""
        return self._repo().frame(lib.sbd_repo_query, encode(sql), sql=True)

    def get_features(self, features, exclude=None, filters=None):
        """Features of several groups joined on the key: ['customer:distance', 'orders:*']; the
        first group named is the main one. A Dask DataFrame as FeatureGroup.get_features."""
        features = _listed(features)
        first = next((f for f in features if ":" in f), None)
        if first is None:
            raise UsageError("sbd: name features as GROUP:FEATURE (or GROUP:*) to read across groups")
        group = first.split(":", 1)[0]
        own = [f.split(":", 1)[1] if f.startswith(group + ":") else f for f in features]
        return self.get_group(group).get_features(own, exclude=exclude, filters=filters)
