"""The features of DESIGN.md computed by pandas (the oracle's code in
Notebooks/oracles/features_pandas.py), for the benchmark: read, aggregate, write CSV.

    python features_pandas.py tx.csv 2024-09-30 90 out.csv

Prints the in-process seconds (after imports) on standard error.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Notebooks" / "oracles"))
import features_pandas as oracle  # noqa: E402


def main():
    path, cutoff, horizon, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    start = time.perf_counter()
    f = oracle.features(oracle.read_transactions(path), cutoff, horizon)
    f.insert(0, "cutoff", cutoff)
    f.to_csv(out)
    print(f"{time.perf_counter() - start:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
