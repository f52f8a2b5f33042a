"""The whole feature-store flow from Python, as a script (or paste it cell by cell into a notebook).

Run from the sbd source tree after `make`:
    PYTHONPATH=python /usr/bin/python3 examples/notebook.py [REPOSITORY]
It makes the example repository (`sbd init --example`) in REPOSITORY (default demo/notebook) unless
it exists, then calculates, browses and retrieves features with pandas and Dask, and adds a group
with a Python feature function beside a SQL query.
"""
import os
import subprocess
import sys

import sbd
from sbd import FeatureStore

repo = sys.argv[1] if len(sys.argv) > 1 else "demo/notebook"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if not os.path.exists(os.path.join(repo, "sbd.yaml")):
    sbd_cli = os.environ.get("SBD", os.path.join(root, "build", "sbd"))
    subprocess.run([sbd_cli, "init", "--example", repo], check=True)

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

# %% A Python feature function beside SQL: a module in the repository, named in sbd.yaml.
with open(os.path.join(repo, "notebook_features.py"), "w") as f:
    f.write(
        "import pandas as pd\n\n\n"
        "def spend(fs):\n"
        "    orders = fs.query('SELECT customer_id AS id, amount FROM orders')\n"
        "    out = orders.groupby('id')['amount'].agg(['max', 'median'])\n"
        "    return out.rename(columns={'max': 'max_amount', 'median': 'median_amount'})\n"
    )
with open(os.path.join(repo, "sbd.yaml")) as f:
    text = f.read()
if "notebook_spend:" not in text:
    with open(os.path.join(repo, "sbd.yaml"), "a") as f:
        f.write("  notebook_spend:\n"
                "    features:\n"
                "      - sql: SELECT id, age FROM customers\n"
                "      - python: notebook_features:spend\n")
fs = FeatureStore(repo)  # reopened: sbd.yaml changed
spend = fs.get_group("notebook_spend")
print(f"notebook_spend is at version {spend.calculate()}")
print(spend.to_pandas(filters=["age < 25"]).head())
