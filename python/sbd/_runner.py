"""Runs one Python feature function for `sbd calculate` (libsbd starts this module with
/usr/bin/python3 or $SBD_PYTHON):

    python3 -m sbd._runner REPOSITORY MODULE:FUNCTION OUTPUT.parquet

The repository folder is put first on sys.path, so MODULE is found beside sbd.yaml. The function is
called with the FeatureStore of the repository when it takes an argument, with nothing otherwise,
and must return a pandas DataFrame indexed by the group's key (or holding it as a column). Its
rows are written to OUTPUT.parquet through libsbd; libsbd joins them with the group's SQL results.
A failure prints one line naming the function and exits 1; the traceback follows for the author.
"""
import importlib
import inspect
import sys
import traceback


def main(argv):
    if len(argv) != 4:
        print("usage: python3 -m sbd._runner REPOSITORY MODULE:FUNCTION OUTPUT.parquet", file=sys.stderr)
        return 2
    repo, target, output = argv[1], argv[2], argv[3]
    sys.path.insert(0, repo)
    module_name, _, func_name = target.partition(":")
    try:
        import pandas as pd

        import sbd
        from sbd.store import FeatureStore

        module = importlib.import_module(module_name)
        func = module
        for part in func_name.split("."):
            func = getattr(func, part)
        params = [p for p in inspect.signature(func).parameters.values()
                  if p.default is inspect.Parameter.empty and p.kind in
                  (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        result = func(FeatureStore(repo)) if params else func()
        if not isinstance(result, pd.DataFrame):
            raise TypeError(f"returned {type(result).__name__}, not a pandas DataFrame")
        sbd.write(result, output)
    except Exception as exc:  # the message libsbd shows, then the details
        print(f"python feature function {target}: {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
