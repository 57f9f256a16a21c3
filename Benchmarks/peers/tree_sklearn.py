"""scikit-learn's DecisionTreeClassifier on the same feature table as `rebuy train --features
--model tree`: median imputation, then the fit (timed together, as Rebuy's fit time includes its
imputation). Prints the seconds on standard error; with a Rebuy model file, the share of
training rows both trees give the same probability (1e-12), and both trees' node counts.

    python tree_sklearn.py features.csv max_depth min_samples_leaf [rebuy-model.json]
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.tree import DecisionTreeClassifier


def rebuy_probabilities(model, x):
    nodes = model["parameters"]["nodes"]
    left, right = np.array(nodes["left"]), np.array(nodes["right"])
    feature, threshold, value = np.array(nodes["feature"]), np.array(nodes["threshold"]), np.array(nodes["value"])
    at = np.zeros(len(x), dtype=int)
    while True:
        inner = left[at] >= 0
        if not inner.any():
            return value[at]
        rows = np.nonzero(inner)[0]
        goes_left = x[rows, feature[at[rows]]] <= threshold[at[rows]]
        at[rows] = np.where(goes_left, left[at[rows]], right[at[rows]])


def main():
    frame = pd.read_csv(sys.argv[1], dtype={"customer_id": str})
    names = [c for c in frame.columns if c not in ("customer_id", "cutoff", "repurchase")]
    x = frame[names].to_numpy(dtype=float)
    y = frame["repurchase"].to_numpy(dtype=int)
    depth, leaf = int(sys.argv[2]), int(sys.argv[3])
    start = time.perf_counter()
    imputed = SimpleImputer(strategy="median").fit_transform(x)
    model = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf, random_state=0).fit(imputed, y)
    print(f"{time.perf_counter() - start:.3f}", file=sys.stderr)
    if len(sys.argv) > 4:
        rebuy = json.load(open(sys.argv[4]))
        ours = rebuy_probabilities(rebuy, imputed)
        theirs = model.predict_proba(imputed)[:, 1]
        same = np.mean(np.abs(ours - theirs) <= 1e-12)
        print(f"{100 * same:.2f}% of training rows get the same probability; nodes: scikit-learn {model.tree_.node_count}, "
              f"Rebuy {len(rebuy['parameters']['nodes']['left'])}")


if __name__ == "__main__":
    main()
