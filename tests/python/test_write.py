"""sbd.write: pandas through the Arrow C Data Interface into libsbd's writers, read back."""
import datetime

import numpy as np
import pandas as pd
import pytest

import sbd


def frame():
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "f": [1.5, np.nan, -3.0],
            "ni": pd.array([1, None, 3], dtype="Int64"),
            "b": [True, False, True],
            "nb": pd.array([True, None, False], dtype="boolean"),
            "s": ["a", None, "é,\"q\""],
            "ts": pd.to_datetime(["2024-01-01 00:00:01.5", None, "1969-12-31 23:59:59.999999"]),
            "d": [datetime.date(2024, 2, 29), None, datetime.date(1900, 1, 1)],
            "u8": np.array([1, 2, 255], dtype=np.uint8),
            "i32": np.array([-5, 0, 2**31 - 1], dtype=np.int32),
            "cat": pd.Categorical(["x", "y", "x"]),
        }
    ).set_index("id")


@pytest.mark.parametrize("ext", ["parquet", "csv", "jsonl"])
def test_round_trip(tmp_path, ext):
    path = str(tmp_path / f"f.{ext}")
    sbd.write(frame(), path)
    opts = {"schema": "id:INT64,f:DOUBLE,ni:INT64,b:BOOL,nb:BOOL,s:STRING,ts:TIMESTAMP,d:DATE,"
                      "u8:INT64,i32:INT64,cat:STRING"} if ext != "parquet" else {}
    got = sbd.read(path, **opts)
    assert got["id"].tolist() == [1, 2, 3]
    assert got["f"][0] == 1.5 and np.isnan(got["f"][1]) and got["f"][2] == -3.0
    assert got["ni"].isna().tolist() == [False, True, False]
    assert got["b"].tolist() == [True, False, True]
    assert pd.isna(got["nb"][1]) and got["nb"][0] and not got["nb"][2]
    assert got["s"].tolist() == ["a", None, "é,\"q\""]
    assert got["ts"][0] == pd.Timestamp("2024-01-01 00:00:01.5") and pd.isna(got["ts"][1])
    assert got["ts"][2] == pd.Timestamp("1969-12-31 23:59:59.999999")
    assert got["d"][0] == pd.Timestamp("2024-02-29") and pd.isna(got["d"][1])
    assert got["u8"].tolist() == [1, 2, 255]
    assert got["i32"].tolist() == [-5, 0, 2**31 - 1]
    assert got["cat"].tolist() == ["x", "y", "x"]


def test_many_batches(tmp_path):
    n = 300_000
    df = pd.DataFrame({"x": np.arange(n, dtype=np.int64), "s": [f"v{i % 7}" for i in range(n)]})
    path = str(tmp_path / "big.parquet")
    sbd.write(df, path, compression="zstd")
    got = sbd.query(f"SELECT count(*) AS n, sum(x) AS sx, count(DISTINCT s) AS ds FROM '{path}'")
    assert got["n"][0] == n and got["sx"][0] == n * (n - 1) // 2 and got["ds"][0] == 7


def test_errors_leave_nothing(tmp_path):
    path = tmp_path / "out.parquet"
    with pytest.raises(sbd.UsageError, match="column 'bad'"):
        sbd.write(pd.DataFrame({"bad": ["a", 3]}), str(path))
    with pytest.raises(sbd.UsageError, match="compresion"):
        sbd.write(pd.DataFrame({"x": [1]}), str(path), compresion="zstd")
    with pytest.raises(sbd.InputError, match="does not fit INT64"):
        sbd.write(pd.DataFrame({"x": np.array([2**63], dtype=np.uint64)}), str(path))
    assert list(tmp_path.iterdir()) == []
