"""scikit-learn's RandomForestClassifier.predict_proba on the rows `rebuy bench-score --forest`
scores: a forest with the same settings, fitted (untimed) on the same training sample, then the
best of five predictions over the table's rows repeated to ROWS. Prints the seconds and rows per
second.

    python forest_scoring_sklearn.py SAMPLE.csv TABLE.csv ROWS TREES DEPTH LEAF
"""
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier


def main():
    sample, table, rows, trees, depth, leaf = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    train = pd.read_csv(sample, dtype={"customer_id": str})
    names = [c for c in train.columns if c not in ("customer_id", "cutoff", "repurchase")]
    x_train = train[names].to_numpy(dtype=float)
    x_train = np.where(np.isnan(x_train), np.nanmedian(x_train, axis=0), x_train)
    forest = RandomForestClassifier(n_estimators=trees, max_depth=depth, min_samples_leaf=leaf, max_features="sqrt",
                                    random_state=0, n_jobs=2).fit(x_train, train["repurchase"].to_numpy())
    x = pd.read_csv(table, dtype={"customer_id": str})[names].to_numpy(dtype=float)
    x = np.where(np.isnan(x), np.nanmedian(x_train, axis=0), x)
    x = np.resize(x, (rows, x.shape[1]))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        forest.predict_proba(x)
        best = min(best, time.perf_counter() - start)
    depths = [e.get_depth() for e in forest.estimators_]
    print(f"{best} {rows / best} {max(depths)}")


if __name__ == "__main__":
    main()
