"""Installs the sbd binding with the libsbd.so of this source tree (build it first with `make`).

Offline by design: no dependency is downloaded (pandas, numpy and, for get_features, dask come
from the system, e.g. Debian's python3-pandas and python3-dask). In a virtual environment:
    python3 -m venv --system-site-packages env && env/bin/pip install ./python
"""
import os
import shutil

from setuptools import setup
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.environ.get("SBD_LIBRARY") or os.path.join(HERE, "..", "build", "libsbd.so")
if not os.path.exists(LIB):
    raise SystemExit(f"python/setup.py: {LIB} does not exist: run `make` first")
shutil.copyfile(LIB, os.path.join(HERE, "sbd", "libsbd.so"))


class BinaryDistribution(Distribution):
    """The wheel carries a native library, so it is tagged for this platform."""

    def has_ext_modules(self):
        return True


setup(
    name="sbd",
    version="0.1.0",
    description="sbd: a data engine and offline-first feature store (binding over libsbd.so)",
    packages=["sbd"],
    package_data={"sbd": ["libsbd.so"]},
    distclass=BinaryDistribution,
    python_requires=">=3.9",
)
