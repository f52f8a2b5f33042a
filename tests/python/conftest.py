"""pytest setup: the binding from python/ of this tree, over build/libsbd.so (or $SBD_LIBRARY, which
tests/run sets to the library of the build under test)."""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
