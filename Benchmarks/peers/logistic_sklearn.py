"""scikit-learn's LogisticRegression (lbfgs) on the same feature table as `rebuy train
--features`: median imputation and standardisation, then the fit. Prints the fit seconds (the
preprocessing and fit together, as Rebuy's fit time includes its preprocessing) on standard
error, and the largest coefficient difference from a Rebuy model file when one is given.

    python logistic_sklearn.py features.csv [rebuy-model.json [tol]]
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def main():
    frame = pd.read_csv(sys.argv[1], dtype={"customer_id": str})
    names = [c for c in frame.columns if c not in ("customer_id", "cutoff", "repurchase")]
    x = frame[names].to_numpy(dtype=float)
    y = frame["repurchase"].to_numpy(dtype=int)
    start = time.perf_counter()
    z = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(x))
    model = LogisticRegression(C=1.0, solver="lbfgs", tol=float(sys.argv[3]) if len(sys.argv) > 3 else 1e-10, max_iter=10_000).fit(z, y)
    print(f"{time.perf_counter() - start:.3f}", file=sys.stderr)
    if len(sys.argv) > 2:
        rebuy = json.load(open(sys.argv[2]))
        ours = np.array(rebuy["parameters"]["coefficients"] + [rebuy["parameters"]["intercept"]])
        theirs = np.r_[model.coef_[0], model.intercept_]
        print(f"largest coefficient difference from Rebuy {np.max(np.abs(ours - theirs)):.2e} (largest coefficient {np.max(np.abs(ours)):.2f})")


if __name__ == "__main__":
    main()
