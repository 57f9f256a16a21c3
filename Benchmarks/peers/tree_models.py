"""scikit-learn's DecisionTreeClassifier or RandomForestClassifier, or LightGBM's LGBMClassifier,
on the same feature table as `rebuy train --features --model tree|forest|boosted`: median
imputation, then the fit (timed together, as Rebuy's fit time includes its imputation; the
forest and LightGBM on 2 threads). Prints the seconds on standard error; with a Rebuy model
file, for a tree the share of training rows both trees give the same probability (1e-12) and
both node counts, for the others both models' ROC-AUC on the training rows (Rebuy's computed
here from its model file's trees).

    python tree_models.py tree|forest|boosted features.csv [rebuy-model.json]
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score


def leaf_values(nodes, x):
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


def rebuy_probabilities(model, x):
    if model["kind"] == "decision_tree":
        return leaf_values(model["parameters"]["nodes"], x)
    trees = model["parameters"]["trees"]
    total = sum(leaf_values(nodes, x) for nodes in trees)
    if model["kind"] == "random_forest":
        return total / len(trees)
    return 1 / (1 + np.exp(-(model["parameters"]["initial_score"] + total)))


def main():
    kind, path = sys.argv[1], sys.argv[2]
    frame = pd.read_csv(path, dtype={"customer_id": str})
    names = [c for c in frame.columns if c not in ("customer_id", "cutoff", "repurchase")]
    x = frame[names].to_numpy(dtype=float)
    y = frame["repurchase"].to_numpy(dtype=int)
    start = time.perf_counter()
    imputed = SimpleImputer(strategy="median").fit_transform(x)
    if kind == "tree":
        from sklearn.tree import DecisionTreeClassifier
        model = DecisionTreeClassifier(max_depth=8, min_samples_leaf=50, random_state=0).fit(imputed, y)
    elif kind == "forest":
        from sklearn.ensemble import RandomForestClassifier
        model = RandomForestClassifier(n_estimators=20, max_depth=12, min_samples_leaf=20, max_features="sqrt",
                                       oob_score=True, n_jobs=2, random_state=0).fit(imputed, y)
    else:
        import lightgbm
        model = lightgbm.LGBMClassifier(n_estimators=100, learning_rate=0.1, num_leaves=31, min_child_samples=20,
                                        max_bin=255, n_jobs=2, verbose=-1, random_state=0).fit(imputed, y)
    print(f"{time.perf_counter() - start:.3f}", file=sys.stderr)
    if len(sys.argv) > 3:
        rebuy = json.load(open(sys.argv[3]))
        if kind == "tree":
            same = np.mean(np.abs(rebuy_probabilities(rebuy, imputed) - model.predict_proba(imputed)[:, 1]) <= 1e-12)
            print(f"{100 * same:.2f}% of training rows get the same probability; nodes: scikit-learn "
                  f"{model.tree_.node_count}, Rebuy {len(rebuy['parameters']['nodes']['left'])}")
            return
        ours = roc_auc_score(y, rebuy_probabilities(rebuy, imputed))
        theirs = roc_auc_score(y, model.predict_proba(imputed)[:, 1])
        print(f"training ROC-AUC: Rebuy {ours:.4f}, peer {theirs:.4f}")


if __name__ == "__main__":
    main()
