"""scikit-learn's predict_proba on an in-memory matrix the size `rebuy bench-score` scores:
prints the best time of five and the rows per second.

    python scoring_sklearn.py ROWS FEATURES
"""
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression


def main():
    rows, features = int(sys.argv[1]), int(sys.argv[2])
    rng = np.random.default_rng(5)
    x = rng.random((rows, features)) * 100
    model = LogisticRegression().fit(x[:2000], (x[:2000, 0] > 50).astype(int))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        model.predict_proba(x)
        best = min(best, time.perf_counter() - start)
    print(f"{best} {rows / best}")


if __name__ == "__main__":
    main()
