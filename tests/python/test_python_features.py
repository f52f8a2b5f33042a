"""Python feature functions (`- python: module:function` in sbd.yaml) beside SQL queries: run by
`sbd calculate` from the command line and by FeatureGroup.calculate, joined on the key with the
SQL results, recalculated when the module changes, and failing with the function's error named
at its sbd.yaml line while the previous version stays the latest."""
import os
import subprocess

import pandas as pd
import pytest

import sbd
from sbd import FeatureStore

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SBD = os.path.abspath(os.environ.get("SBD", os.path.join(ROOT, "build", "sbd")))

MODULE = '''
import pandas as pd


def spend(fs):
    orders = fs.query("SELECT customer_id AS id, amount FROM orders")
    by = orders.groupby("id")["amount"]
    out = pd.DataFrame({"max_amount": by.max(), "n_orders_py": by.count()})
    out.index.name = "id"
    return out


def loyal():
    return pd.DataFrame({"id": [1, 2, 100000], "loyal": [True, False, True]})


def raises():
    raise ValueError("the model is not trained")


def not_a_frame():
    return [1, 2, 3]
'''

GROUP = '''  spend:
    features:
      - sql: SELECT id, age FROM customers
      - python: feats.orders:spend
      - python: feats.orders:loyal
'''


def make_repo(path, group=GROUP):
    subprocess.run([SBD, "init", "--example", str(path)], check=True, capture_output=True)
    os.makedirs(path / "feats")
    (path / "feats" / "__init__.py").write_text("")
    (path / "feats" / "orders.py").write_text(MODULE)
    with open(path / "sbd.yaml", "a") as f:
        f.write(group)
    return path


def calculate_cli(path, *args):
    return subprocess.run([SBD, "calculate", *args], cwd=path, capture_output=True, text=True)


def check_values(fs, frame):
    want = fs.query("SELECT customer_id AS id, max(amount) AS m, count(*) AS n FROM orders "
                    "GROUP BY customer_id ORDER BY customer_id").set_index("id")
    assert frame["max_amount"].dropna().to_dict() == pytest.approx(want["m"].to_dict())
    assert frame["n_orders_py"].dropna().astype(int).to_dict() == want["n"].to_dict()
    ages = fs.query("SELECT id, age FROM customers ORDER BY id").set_index("id")["age"]
    assert frame["age"].dropna().astype(int).to_dict() == ages.to_dict()
    # The outer join keeps a key only a Python function returns (100000, no customer).
    assert frame.loc[100000, "loyal"] == True and pd.isna(frame.loc[100000, "age"])
    assert frame.loc[1, "loyal"] == True and frame.loc[2, "loyal"] == False
    assert pd.isna(frame.loc[3, "loyal"])
    assert len(frame) == 1001


def test_mixed_group_from_cli(tmp_path):
    path = make_repo(tmp_path / "repo")
    done = calculate_cli(path, "spend")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "spend: wrote version 1\n"
    fs = FeatureStore(str(path))
    frame = fs.get_group("spend").to_pandas()
    assert list(frame.columns) == ["age", "max_amount", "n_orders_py", "loyal"]
    check_values(fs, frame)
    assert calculate_cli(path, "spend").stdout == "spend: up to date (version 1)\n"
    # Editing the module makes the group out of date.
    with open(path / "feats" / "orders.py", "a") as f:
        f.write("\n# edited\n")
    assert calculate_cli(path, "spend").stdout == "spend: wrote version 2\n"
    assert "feats/orders.py xxh3:" in fs.get_group("spend").versions()["sources"].iloc[-1]


def test_mixed_group_from_python(tmp_path):
    path = make_repo(tmp_path / "repo")
    fs = FeatureStore(str(path))
    group = fs.get_group("spend")
    assert group.calculate() == 1
    assert group.calculate() == 1
    frame = group.get_features().compute()
    check_values(fs, frame)
    assert "python: feats.orders:loyal" in group.describe()


@pytest.mark.parametrize("target, message", [
    ("feats.orders:raises", "python feature function feats.orders:raises: ValueError: the model is "
                            "not trained"),
    ("feats.orders:not_a_frame", "python feature function feats.orders:not_a_frame: TypeError: "
                                 "returned list, not a pandas DataFrame"),
    ("feats.missing:f", "python feature function feats.missing:f: ModuleNotFoundError: No module "
                        "named 'feats.missing'"),
])
def test_failing_function_keeps_previous_version(tmp_path, target, message):
    path = make_repo(tmp_path / "repo")
    fs = FeatureStore(str(path))
    assert fs.get_group("spend").calculate() == 1
    text = (path / "sbd.yaml").read_text().replace("feats.orders:loyal", target)
    (path / "sbd.yaml").write_text(text)
    line = text.splitlines().index(f"      - python: {target}") + 1
    fs = FeatureStore(str(path))
    with pytest.raises(sbd.InputError) as err:
        fs.get_group("spend").calculate()
    assert str(err.value).endswith(f"sbd.yaml:{line}: group 'spend': {message}")
    done = calculate_cli(path, "spend")
    assert done.returncode == 1
    assert done.stderr.splitlines()[0].endswith(f"sbd.yaml:{line}: group 'spend': {message}")
    assert fs.get_group("spend").versions()["version"].tolist() == [1]
    assert sorted(os.listdir(path / "store" / "spend")) == ["version=1"]
    assert len(fs.get_group("spend").to_pandas()) == 1001


def test_bad_import_string(tmp_path):
    path = make_repo(tmp_path / "repo", GROUP.replace("feats.orders:loyal", "feats/orders.py"))
    with pytest.raises(sbd.InputError, match=r"sbd.yaml:\d+: python 'feats/orders.py' is not "
                                              r"MODULE:FUNCTION"):
        FeatureStore(str(path))
