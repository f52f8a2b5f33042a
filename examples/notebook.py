"""The whole feature-store flow from Python, as a script (or paste it cell by cell into a notebook).

Run from the sbd source tree after `make`:
    PYTHONPATH=python /usr/bin/python3 examples/notebook.py [REPOSITORY]
It makes the example repository (`sbd init --example`) in REPOSITORY (default demo/notebook) unless
it exists, then calculates, browses and retrieves features with pandas and Dask.
"""
import os
import subprocess
import sys

import sbd
from sbd import FeatureStore

repo = sys.argv[1] if len(sys.argv) > 1 else "demo/notebook"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if not os.path.exists(os.path.join(repo, "sbd.yaml")):
    subprocess.run([os.path.join(root, "build", "sbd"), "init", "--example", repo], check=True)

# %% Open the repository and calculate a group: a new immutable version, or the current one.
fs = FeatureStore(repo)
print(fs.groups()[["group", "key", "latest", "rows"]])
group = fs.get_group("customer")
version = group.calculate()
print(f"customer is at version {version}")
print(group.versions()[["version", "rows", "duration_s"]])

# %% The feature set a model reads: two features, rows of customers aged 30 or more.
f_set = group.get_features(["distance", "gender"], exclude=["*"], filters=["age >= 30"])
print(f"{f_set.npartitions} partition(s); columns {list(f_set.columns)}; index {f_set.index.name}")
frame = f_set.compute()
print(frame.head())

# %% The same as pandas directly, and the statistics recorded for each feature.
same = group.to_pandas(["distance", "gender"], exclude=["*"], filters=["age >= 30"])
assert same.equals(frame), "to_pandas and get_features(...).compute() differ"
print(fs.features("customer")[["feature", "type", "count", "nulls", "mean"]])

# %% SQL over the repository: sources and groups are tables.
print(fs.query("SELECT gender, count(*) AS n, avg(age) AS age FROM customer GROUP BY gender ORDER BY gender"))

# %% Errors are exceptions with libsbd's message.
try:
    fs.query("SELECT agee FROM customer")
except sbd.SQLError as err:
    print(f"SQLError: {err}")
