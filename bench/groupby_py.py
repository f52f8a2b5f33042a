"""The pandas and Dask side of bench/groupby: one process per tool, source and round, so that
bench/groupby reads that tool's own peak RSS with /usr/bin/time. Run with Debian's python
(/usr/bin/python3), which has pandas and Dask:

  /usr/bin/python3 bench/groupby_py.py TOOL SOURCE FILE QUESTIONS q1 [q2 ...]

  TOOL       pandas or dask
  SOURCE     csv: FILE is loaded into memory first, timed apart ("load"), with db-benchmark's
               dtypes (id1..id3 category, id4..id6, v1, v2 int32, v3 float64): pandas read_csv;
               Dask read_csv then persist
             parquet: each question would read FILE itself; neither pandas nor Dask can read
               Parquet here (that needs pyarrow or fastparquet, which Debian does not package),
               so every question prints "n/a" with that reason
  QUESTIONS  bench/groupby_questions.tsv: the columns summed for the check (the questions are
             spelled in pandas code below, after db-benchmark's groupby-pandas.py and
             groupby-dask.py)

Dask runs on its local threaded scheduler with 2 workers (threads, in this one process, so the
RSS measured is all of Dask's). Each question runs once and is timed alone (pandas: the answer
DataFrame; Dask: .compute() into a pandas DataFrame); then, untimed, the check: the answer's row
count and the sum of each check column. Printed on stdout, one line each:
  load SECONDS ROWS
  qN SECONDS ROWS SUM1 [SUM2 ...]
  qN failed MESSAGE
  qN n/a MESSAGE        (the tool cannot run it here)
A failed question does not stop the others.
"""

import sys
import time

DTYPES = {
    "id1": "category",
    "id2": "category",
    "id3": "category",
    "id4": "int32",
    "id5": "int32",
    "id6": "int32",
    "v1": "int32",
    "v2": "int32",
    "v3": "float64",
}
DASK_WORKERS = 2
# The groupby options db-benchmark passes: no sorting of the groups, only the categories seen.
GB = {"sort": False, "observed": True}


def read_questions(path):
    """name -> list of check columns, from the questions file."""
    questions = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 4:
                raise ValueError(f"{path}: a question line needs 4 tab-separated fields: {line!r}")
            questions[fields[0]] = fields[2].split(",")
    return questions


def pandas_questions(pd):
    """Each question on a pandas DataFrame x, returning the answer DataFrame."""

    def q6(x):
        ans = x.groupby(["id4", "id5"], as_index=False, **GB).agg(
            median_v3=("v3", "median"), sd_v3=("v3", "std"))
        return ans

    def q7(x):
        ans = x.groupby("id3", as_index=False, **GB).agg(v1=("v1", "max"), v2=("v2", "min"))
        ans["range_v1_v2"] = ans["v1"] - ans["v2"]
        return ans[["id3", "range_v1_v2"]]

    def q8(x):
        top = x[~x["v3"].isna()][["id6", "v3"]].sort_values("v3", ascending=False)
        ans = top.groupby("id6", **GB).head(2)
        return ans.rename(columns={"v3": "largest2_v3"})

    def q9(x):
        ans = x[["id2", "id4", "v1", "v2"]].groupby(["id2", "id4"], **GB).apply(
            lambda g: pd.Series({"r2": g["v1"].corr(g["v2"]) ** 2}))
        return ans.reset_index()

    return {
        "q1": lambda x: x.groupby("id1", as_index=False, **GB).agg(v1=("v1", "sum")),
        "q2": lambda x: x.groupby(["id1", "id2"], as_index=False, **GB).agg(v1=("v1", "sum")),
        "q3": lambda x: x.groupby("id3", as_index=False, **GB).agg(
            v1=("v1", "sum"), v3=("v3", "mean")),
        "q4": lambda x: x.groupby("id4", as_index=False, **GB).agg(
            v1=("v1", "mean"), v2=("v2", "mean"), v3=("v3", "mean")),
        "q5": lambda x: x.groupby("id6", as_index=False, **GB).agg(
            v1=("v1", "sum"), v2=("v2", "sum"), v3=("v3", "sum")),
        "q6": q6,
        "q7": q7,
        "q8": q8,
        "q9": q9,
        "q10": lambda x: x.groupby(["id1", "id2", "id3", "id4", "id5", "id6"], as_index=False,
                                   **GB).agg(v3=("v3", "sum"), count=("v1", "size")),
    }


def dask_questions(pd):
    """Each question on a Dask DataFrame x, returning the computed pandas DataFrame."""

    def q6(x):
        # Dask's groupby has no exact median: the rows are shuffled so that each group sits
        # whole in one partition, then pandas answers each partition.
        ans = x[["id4", "id5", "v3"]].shuffle(["id4", "id5"]).map_partitions(
            lambda d: d.groupby(["id4", "id5"], as_index=False, **GB).agg(
                median_v3=("v3", "median"), sd_v3=("v3", "std")),
            meta={"id4": "int32", "id5": "int32", "median_v3": "float64", "sd_v3": "float64"})
        return ans.compute()

    def q7(x):
        ans = x.groupby("id3", **GB).agg({"v1": "max", "v2": "min"}).compute()
        ans["range_v1_v2"] = ans["v1"] - ans["v2"]
        return ans[["range_v1_v2"]].reset_index()

    def q8(x):
        # The same shuffle, on id6, then pandas' sort and head(2) per partition (a groupby
        # apply of nlargest would call Python once per group: minutes at 1e7 rows).
        ans = x[~x["v3"].isna()][["id6", "v3"]].shuffle("id6").map_partitions(
            lambda d: d.sort_values("v3", ascending=False).groupby("id6", **GB).head(2),
            meta={"id6": "int32", "v3": "float64"})
        return ans.compute().rename(columns={"v3": "largest2_v3"})

    def q9(x):
        ans = x[["id2", "id4", "v1", "v2"]].groupby(["id2", "id4"], **GB).apply(
            lambda g: pd.Series({"r2": g["v1"].corr(g["v2"]) ** 2}), meta={"r2": "float64"})
        return ans.compute().reset_index()

    def q10(x):
        ans = x.groupby(["id1", "id2", "id3", "id4", "id5", "id6"], **GB).agg(
            {"v3": "sum", "v1": "size"}).compute()
        return ans.rename(columns={"v1": "count"}).reset_index()

    return {
        "q1": lambda x: x.groupby("id1", **GB).agg({"v1": "sum"}).compute().reset_index(),
        "q2": lambda x: x.groupby(["id1", "id2"], **GB).agg({"v1": "sum"}).compute().reset_index(),
        "q3": lambda x: x.groupby("id3", **GB).agg({"v1": "sum", "v3": "mean"}).compute()
        .reset_index(),
        "q4": lambda x: x.groupby("id4", **GB).agg({"v1": "mean", "v2": "mean", "v3": "mean"})
        .compute().reset_index(),
        "q5": lambda x: x.groupby("id6", **GB).agg({"v1": "sum", "v2": "sum", "v3": "sum"})
        .compute().reset_index(),
        "q6": q6,
        "q7": q7,
        "q8": q8,
        "q9": q9,
        "q10": q10,
    }


def main(argv):
    if len(argv) < 5 or argv[0] not in ("pandas", "dask") or argv[1] not in ("csv", "parquet"):
        print("usage: /usr/bin/python3 bench/groupby_py.py pandas|dask csv|parquet FILE QUESTIONS "
              "q1 ...", file=sys.stderr)
        return 2
    tool, source, path, questions_path, names = argv[0], argv[1], argv[2], argv[3], argv[4:]
    questions = read_questions(questions_path)
    for name in names:
        if name not in questions:
            print(f"bench/groupby_py.py: {questions_path} has no question {name!r}", file=sys.stderr)
            return 2

    if source == "parquet":
        for name in names:
            print(f"{name} n/a {tool} has no Parquet reader here (it needs pyarrow or "
                  "fastparquet, which Debian does not package)", flush=True)
        return 0

    import pandas as pd

    start = time.perf_counter()
    if tool == "pandas":
        x = pd.read_csv(path, dtype=DTYPES)
        rows = len(x)
        code = pandas_questions(pd)
    else:
        import dask
        import dask.dataframe as dd

        dask.config.set(scheduler="threads", num_workers=DASK_WORKERS)
        x = dd.read_csv(path, dtype=DTYPES).persist()
        rows = len(x)
        code = dask_questions(pd)
    took = time.perf_counter() - start
    print(f"load {took:.6f} {rows}", flush=True)

    for name in names:
        try:
            start = time.perf_counter()
            ans = code[name](x)
            took = time.perf_counter() - start
            sums = [repr(float(ans[c].astype("float64").sum())) for c in questions[name]]
            print(f"{name} {took:.6f} {len(ans)} {' '.join(sums)}", flush=True)
        except Exception as err:  # a question the tool cannot answer is reported, not fatal
            message = str(err).split("\n")[0] or type(err).__name__
            print(f"{name} failed {type(err).__name__}: {message}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
