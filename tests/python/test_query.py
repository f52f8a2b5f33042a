"""sbd.query and sbd.read: values, dtypes and NULLs as pandas holds them, and errors as exceptions."""
import datetime
import threading

import numpy as np
import pandas as pd
import pytest

import sbd


def test_types_and_nulls():
    df = sbd.query(
        "SELECT 1 AS i, NULL::BIGINT AS ni, 1.5 AS f, DATE '2024-02-29' AS d, "
        "TIMESTAMP '2024-01-02 03:04:05.25' AS ts, true AS b, NULL::BOOLEAN AS nb, 'é' AS s "
        "UNION ALL SELECT 2, 7, NULL::DOUBLE, NULL::DATE, NULL::TIMESTAMP, false, true, NULL::VARCHAR"
    )
    assert list(df.columns) == ["i", "ni", "f", "d", "ts", "b", "nb", "s"]
    assert str(df.dtypes["i"]) == "int64"
    assert str(df.dtypes["ni"]) == "Int64"
    assert str(df.dtypes["f"]) == "float64"
    assert str(df.dtypes["d"]) == "datetime64[ns]"
    assert str(df.dtypes["ts"]) == "datetime64[ns]"
    assert str(df.dtypes["b"]) == "bool"
    assert str(df.dtypes["nb"]) == "boolean"
    assert df["ni"].isna().tolist() == [True, False]
    assert df["ni"][1] == 7
    assert df["f"][0] == 1.5 and np.isnan(df["f"][1])
    assert df["d"][0] == pd.Timestamp("2024-02-29") and pd.isna(df["d"][1])
    assert df["ts"][0] == pd.Timestamp("2024-01-02 03:04:05.25") and pd.isna(df["ts"][1])
    assert df["b"].tolist() == [True, False]
    assert pd.isna(df["nb"][0]) and df["nb"][1]
    assert df["s"].tolist() == ["é", None]


def test_many_batches_and_strings(tmp_path):
    n = 200_000  # several 64 Ki-row batches
    path = tmp_path / "x.csv"
    with open(path, "w") as f:
        f.write("id,name,v\n")
        for i in range(n):
            f.write(f"{i},n{i % 97},{i * 0.5}\n")
    df = sbd.read(str(path))
    assert len(df) == n
    assert df["id"].tolist() == list(range(n))
    assert df["name"][n - 1] == f"n{(n - 1) % 97}"
    assert df["v"].sum() == pytest.approx(sum(i * 0.5 for i in range(n)))
    agg = sbd.query(f"SELECT name, count(*) AS c FROM '{path}' GROUP BY name ORDER BY name")
    assert agg["c"].sum() == n and len(agg) == 97


def test_out_of_range_dates_become_objects():
    df = sbd.query("SELECT DATE '9999-12-31' AS d UNION ALL SELECT NULL::DATE")
    assert df["d"][0] == datetime.date(9999, 12, 31)
    assert df["d"][1] is None


def test_empty_result_keeps_columns():
    df = sbd.query("SELECT 1 AS a, 'x' AS b WHERE false")
    assert list(df.columns) == ["a", "b"] and len(df) == 0


def test_errors():
    with pytest.raises(sbd.SQLError, match="syntax error"):
        sbd.query("SELEC 1")
    with pytest.raises(sbd.SQLError, match="did you mean"):
        sbd.query("SELECT nmae FROM (SELECT 1 AS name)")
    with pytest.raises(sbd.Error):
        sbd.query("SELECT * FROM '/nonexistent/x.csv'")
    with pytest.raises(sbd.InputError, match="overflow"):
        sbd.query("SELECT 9223372036854775807 + a FROM (SELECT 1 AS a)")
    with pytest.raises(sbd.UsageError, match="delimx"):
        sbd.read("/dev/null", format="csv", delimx=";")


def test_bad_input_names_the_place(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(sbd.InputError, match="bad.csv:3"):
        sbd.read(str(path))


def test_threads_run_concurrently(tmp_path):
    # Each thread has its own libsbd context; results do not mix.
    out = {}

    def work(k):
        out[k] = sbd.query(f"SELECT {k} AS k, count(*) AS n FROM (SELECT 1 AS x UNION ALL SELECT 2)")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(int(df["k"][0]) for df in out.values()) == [0, 1, 2, 3]
    assert all(int(df["n"][0]) == 2 for df in out.values())
