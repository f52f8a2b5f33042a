"""`pip install ./python` works offline into a virtual environment and the installed package runs
libsbd from its own copy of the library."""
import os
import subprocess
import sys

from conftest import ROOT


def test_pip_install_offline(tmp_path):
    env_dir = tmp_path / "venv"
    # No pip inside the environment (bootstrapping one is slow): the system's pip installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(env_dir)],
                   check=True)
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install", "-q",
         os.path.join(ROOT, "python")],
        check=True,
        env=env,
        cwd=tmp_path,
    )
    env.pop("SBD_LIBRARY", None)
    out = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c",
         "import sbd, sbd._lib as l; print(l._find()); print(int(sbd.query('SELECT 6 * 7 AS x')['x'][0]))"],
        check=True, env=env, cwd=tmp_path, capture_output=True, text=True,
    ).stdout.split()
    assert out[0].startswith(str(env_dir)) and out[0].endswith("sbd/libsbd.so")
    assert out[1] == "42"
