"""The feature store from Python (sbd.FeatureStore) on the example repository of `sbd init
--example`: the consumer snippet of issue 6 verbatim, results compared value by value with what
`sbd get` writes, one Dask partition per Parquet part (a small part_rows), a dask.distributed
cluster of two worker processes, the listings, and each error class from bad input."""
import math
import os
import subprocess

import pandas as pd
import pytest

import sbd
from sbd import FeatureStore

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SBD = os.path.abspath(os.environ.get("SBD", os.path.join(ROOT, "build", "sbd")))


def run_sbd(*args, cwd):
    return subprocess.run([SBD, *args], cwd=cwd, check=True, capture_output=True, text=True)


def make_repo(path, part_rows=None):
    run_sbd("init", "--example", str(path), cwd=os.path.dirname(str(path)))
    if part_rows:
        with open(os.path.join(path, "sbd.yaml"), "a") as f:
            f.write(f"part_rows: {part_rows}\n")
    return str(path)


def sbd_get_csv(repo, *args):
    """What `sbd get ARGS -o x.csv` writes, as pandas (strings kept as text, '' as missing)."""
    out = os.path.join(repo, "expected.csv")
    run_sbd("get", *args, "-o", out, cwd=repo)
    return pd.read_csv(out, keep_default_na=False, na_values=[""], dtype=str)


def cells(frame):
    """The frame with its index as columns, every value as comparable text (NULL as None)."""
    frame = frame.reset_index()
    out = {}
    for name in frame.columns:
        col = frame[name]
        values = []
        for v in col.tolist():
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
                values.append(None)
            elif isinstance(v, pd.Timestamp):
                values.append(str(v.date()) if v == v.normalize() and "date" in name else str(v))
            elif isinstance(v, float):
                values.append(repr(round(v, 9)))
            elif isinstance(v, (bool,)) or str(type(v)).endswith("bool_'>"):
                values.append("true" if v else "false")
            else:
                values.append(str(v))
        out[name] = values
    return out


def csv_cells(frame):
    out = {}
    for name in frame.columns:
        values = []
        for v in frame[name].tolist():
            if not isinstance(v, str):
                values.append(None)
                continue
            try:
                as_float = float(v)
                values.append(repr(round(as_float, 9)) if "." in v or "e" in v else v)
            except ValueError:
                values.append(v)
        out[name] = values
    return out


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    path = make_repo(tmp_path_factory.mktemp("store") / "repo")
    fs = FeatureStore(path)
    fs.get_group("customer").calculate()
    fs.get_group("customer_segment").calculate()
    return path


@pytest.fixture(scope="module")
def parted(tmp_path_factory):
    """The example with part_rows: 300, so customer's 1000 rows are four parts."""
    path = make_repo(tmp_path_factory.mktemp("parted") / "repo", part_rows=300)
    fs = FeatureStore(path)
    fs.get_group("customer").calculate()
    fs.get_group("customer_segment").calculate()
    return path


def test_consumer_snippet_verbatim(tmp_path, monkeypatch):
    path = make_repo(tmp_path / "demo")
    monkeypatch.chdir(path)
    # The snippet of issue 6, item 1, as written there.
    from sbd import FeatureStore
    fs = FeatureStore()                      # the repository in the current folder, or FeatureStore(path)
    group = fs.get_group('customer')
    group.calculate()                        # as `sbd calculate customer`; returns the new version (or the
                                             # current one when up to date); force=True to recompute
    f_set = group.get_features(['distance', 'gender'], exclude=['*'], filters=['age >= 30'])

    import dask.dataframe as dd

    assert isinstance(f_set, dd.DataFrame)
    assert f_set.npartitions == 1
    got = f_set.compute()
    assert got.index.name == "id"
    assert list(got.columns) == ["distance", "gender"]
    assert str(got.dtypes["distance"]) == "float64"
    want = sbd_get_csv(path, "customer", "--features", "distance,gender", "--exclude", "*",
                       "--filter", "age >= 30")
    assert len(got) == len(want) > 0
    assert cells(got) == csv_cells(want)
    assert group.calculate() == 1  # up to date
    assert group.calculate(force=True) == 2


def test_parts_are_partitions(parted):
    fs = FeatureStore(parted)
    group = fs.get_group("customer")
    f_set = group.get_features()
    assert f_set.npartitions == 4
    meta = f_set._meta
    sizes = []
    for k in range(f_set.npartitions):
        part = f_set.get_partition(k).compute()
        assert list(part.columns) == list(meta.columns)
        assert part.dtypes.astype(str).tolist() == meta.dtypes.astype(str).tolist()
        assert part.index.name == "id"
        sizes.append(len(part))
    assert sizes == [300, 300, 300, 100]
    got = f_set.compute()
    assert got.index.is_monotonic_increasing and got.index.is_unique
    want = sbd_get_csv(parted, "customer")
    assert cells(got) == csv_cells(want)
    # to_pandas: the same rows and values (plain numpy dtypes where there are no NULLs).
    whole = group.to_pandas()
    assert cells(whole) == cells(got)
    assert str(whole.dtypes["age"]) == "int64" and str(got.dtypes["age"]) == "Int64"
    # A filter drops rows inside parts; the partitions still come out in key order.
    old = group.get_features(["age", "city"], filters=["age < 30", "city <> 'Paris'"]).compute()
    want = sbd_get_csv(parted, "customer", "--features", "age,city", "--filter", "age < 30",
                       "--filter", "city <> 'Paris'")
    assert cells(old) == csv_cells(want)


def test_across_groups(parted):
    fs = FeatureStore(parted)
    got = fs.get_features(["customer:distance", "customer_segment:segment"])
    assert got.npartitions == 4
    want = sbd_get_csv(parted, "customer", "--features", "distance,customer_segment:segment")
    assert cells(got.compute()) == csv_cells(want)
    got = fs.get_group("customer").get_features(["customer_segment:*"], exclude=["*"],
                                                filters=["segment = 'high'"]).compute()
    want = sbd_get_csv(parted, "customer", "--features", "customer_segment:*", "--exclude", "*",
                       "--filter", "segment = 'high'")
    assert cells(got) == csv_cells(want)


def test_pinned_version(repo):
    fs = FeatureStore(repo)
    group = fs.get_group("customer_segment")
    assert group.calculate(force=True) == 2
    v1 = group.get_features(version=1).compute()
    v2 = group.to_pandas(version=2)
    assert cells(v1) == cells(v2)
    assert group.versions()["version"].tolist() == [1, 2]


def test_listings(repo):
    fs = FeatureStore(repo)
    groups = fs.groups()
    assert groups["group"].tolist() == ["customer", "customer_segment"]
    assert groups["key"].tolist() == ["id", "id"]
    feats = fs.features()
    assert {"group", "feature", "type", "description", "count", "nulls", "mean"} <= set(feats.columns)
    mine = fs.features("customer")
    assert set(mine["group"]) == {"customer"}
    row = mine[mine["feature"] == "age"].iloc[0]
    assert row["type"] == "INT64" and row["count"] == 1000
    want = fs.query("SELECT count(*) AS n, min(age) AS lo FROM customer")
    assert int(want["n"][0]) == 1000 and int(want["lo"][0]) == int(row["min"])
    described = fs.get_group("customer").describe()
    assert "group:       customer" in described and "age" in described
    versions = fs.get_group("customer").versions()
    assert versions["rows"].tolist()[-1] == 1000


def test_distributed_cluster(parted, tmp_path):
    distributed = pytest.importorskip("distributed")
    # The workers are new processes: they find the package and the library under test this way.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(ROOT, "python")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    os.environ.setdefault("SBD_LIBRARY", sbd._lib._find())
    fs = FeatureStore(parted)
    f_set = fs.get_group("customer").get_features(["distance", "gender"], exclude=["*"],
                                                  filters=["age >= 30"])
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, local_directory=str(tmp_path)) as cluster:
        with distributed.Client(cluster) as client:
            on_cluster = client.compute(f_set).result()
            pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids
    local = fs.get_group("customer").to_pandas(["distance", "gender"], exclude=["*"],
                                               filters=["age >= 30"])
    assert cells(on_cluster) == cells(local)
    assert len(local) > 0


def test_errors(repo, tmp_path):
    fs = FeatureStore(repo)
    group = fs.get_group("customer")
    with pytest.raises(sbd.NotFound, match="no group 'custmer'.*did you mean 'customer'"):
        fs.get_group("custmer")
    with pytest.raises(sbd.NotFound, match="has no feature 'distanse'.*did you mean 'distance'"):
        group.get_features(["distanse"])
    with pytest.raises(sbd.NotFound, match="has no feature 'nope'"):
        group.to_pandas(["nope"])
    with pytest.raises(sbd.NotFound, match="has no version 9"):
        group.get_features(version=9)
    with pytest.raises(sbd.NotFound, match="no group 'other'"):
        fs.get_features(["other:x"])
    with pytest.raises(sbd.SQLError, match="nope"):
        group.get_features(filters=["nope > 1"])
    with pytest.raises(sbd.SQLError):
        group.to_pandas(filters=["age >>> 1"])
    with pytest.raises(sbd.SQLError):
        fs.query("SELEC 1")
    with pytest.raises(sbd.UsageError, match="features must be strings"):
        group.get_features([1])
    with pytest.raises(sbd.UsageError, match="GROUP:FEATURE"):
        fs.get_features(["distance"])
    with pytest.raises(sbd.UsageError, match="versions are whole numbers from 1"):
        group.to_pandas(version=-2)
    with pytest.raises(sbd.NotFound, match="no sbd.yaml"):
        FeatureStore(str(tmp_path))
    (tmp_path / "sbd.yaml").write_text("groups:\n  g:\n    fetures: []\n")
    with pytest.raises(sbd.InputError, match=r"sbd.yaml:3: unknown key 'fetures'"):
        FeatureStore(str(tmp_path))
    (tmp_path / "sbd.yaml").write_text(
        "groups:\n  g:\n    features:\n      - sql: SELECT 1 AS id, nope FROM (SELECT 1)\n")
    fresh = FeatureStore(str(tmp_path))
    with pytest.raises(sbd.Error, match="sbd.yaml:4"):
        fresh.get_group("g").calculate()
    with pytest.raises(sbd.NotFound, match="has no version yet"):
        fresh.get_group("g").get_features()
    (tmp_path / "sbd.yaml").write_text(
        "groups:\n  g:\n    features:\n      - sql: SELECT 1 AS id UNION ALL SELECT 1\n")
    with pytest.raises(sbd.InputError, match="more than once"):
        FeatureStore(str(tmp_path)).get_group("g").calculate()


def test_notebook_example_runs(tmp_path):
    """examples/notebook.py, as docs/python.md shows it, runs start to end."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "python")] +
                                        [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.setdefault("SBD_LIBRARY", sbd._lib._find())
    done = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "examples", "notebook.py"),
                           str(tmp_path / "nb")], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "customer is at version 1" in done.stdout
    assert "SQLError: SQL: no column 'agee' in 'customer' (did you mean 'age'?)" in done.stdout
    assert "notebook_spend is at version 1" in done.stdout
