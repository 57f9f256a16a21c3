"""Reference values from scikit-learn for Rebuy's logistic regression and evaluator.

Writes Tests/Fixtures/logistic_reference.json, tree_reference.json, forest_reference.json and
metrics_reference.json with the
inputs, the parameters, the outputs and the library versions. The Swift tests compare with them.

    python Notebooks/oracles/sklearn_reference.py            # rewrite the fixtures
    python Notebooks/oracles/sklearn_reference.py --check    # fail if a fixture is out of date
"""
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (mean_absolute_error, root_mean_squared_error, accuracy_score, average_precision_score, brier_score_loss, confusion_matrix,
                             f1_score, log_loss, precision_recall_curve, precision_score, recall_score,
                             roc_auc_score, roc_curve)
from sklearn.preprocessing import StandardScaler
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
import features_pandas  # noqa: E402
import fixtures  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = {"python": sys.version.split()[0], "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "pandas": pd.__version__}


def nan_to_none(values):
    return [None if (isinstance(v, float) and np.isnan(v)) else float(v) for v in values]


def logistic_reference():
    """Features of the bundled dataset (the pandas oracle's), imputed by the median and
    standardised, fitted by scikit-learn's LogisticRegression for several C, with and without
    balanced class weights: by lbfgs (tol 1e-14), and by the exact newton-cholesky solver."""
    tx = features_pandas.read_transactions(ROOT / "Datasets" / "transactions.csv")
    f = features_pandas.features(tx, "2024-06-30", 90)
    names = [c for c in f.columns if c != "repurchase"]
    x = f[names].to_numpy(dtype=float)
    y = f["repurchase"].to_numpy(dtype=int)
    imputer = SimpleImputer(strategy="median")
    scaler = StandardScaler()
    z = scaler.fit_transform(imputer.fit_transform(x))
    fits = []
    for c in (0.01, 1.0, 100.0):
        for class_weight in (None, "balanced"):
            model = LogisticRegression(C=c, class_weight=class_weight, solver="lbfgs", tol=1e-14, max_iter=100_000)
            model.fit(z, y)
            # A second, exact solver: the fixture is only trusted when both agree closely.
            check = LogisticRegression(C=c, class_weight=class_weight, solver="newton-cholesky", tol=1e-14,
                                       max_iter=1000).fit(z, y)
            gap = np.max(np.abs(np.r_[model.coef_[0], model.intercept_] - np.r_[check.coef_[0], check.intercept_]))
            scale = np.max(np.abs(np.r_[check.coef_[0], check.intercept_]))
            # lbfgs stops on a relative objective change of 64·eps (scikit-learn's ftol), which can
            # leave coefficients a few 1e-6 from the optimum; the exact solver is the reference.
            assert gap <= 1e-4 * max(1.0, scale), f"lbfgs and newton-cholesky disagree by {gap} at C={c}"
            fits.append({
                "c": c, "class_weight": class_weight or "none",
                "intercept": float(model.intercept_[0]), "coefficients": [float(v) for v in model.coef_[0]],
                "lbfgs_gap": float(gap), "exact_intercept": float(check.intercept_[0]), "exact_coefficients": [float(v) for v in check.coef_[0]],
                "probabilities_first_100": [float(v) for v in check.predict_proba(z[:100])[:, 1]],
            })
    return {
        "generated_by": "Notebooks/oracles/sklearn_reference.py", "versions": VERSIONS,
        "description": "pandas-oracle features of Datasets/transactions.csv at 2024-06-30, horizon 90; "
                       "SimpleImputer(median) + StandardScaler + LogisticRegression(lbfgs, tol 1e-14)",
        "feature_names": names,
        "x": [nan_to_none(row) for row in x], "y": [int(v) for v in y],
        "impute": [float(v) for v in imputer.statistics_], "mean": [float(v) for v in scaler.mean_],
        "scale": [float(v) for v in scaler.scale_],
        "fits": fits,
    }


def lift_table(y, scores):
    """Deciles of the ranking, highest score first, ties in row order (a stable sort)."""
    order = np.argsort(-scores, kind="stable")
    n, total = len(y), y.sum()
    rows, cumulative = [], 0
    for d in range(1, 11):
        part = y[order[(d - 1) * n // 10: d * n // 10]]
        cumulative += int(part.sum())
        rate = float(part.mean()) if len(part) else None
        rows.append({"decile": d, "rows": int(len(part)), "positives": int(part.sum()), "rate": rate,
                     "lift": rate / (total / n) if rate is not None and total > 0 else None,
                     "cumulative_gain": cumulative / total if total > 0 else None})
    return rows


def metrics_case(name, y, scores, threshold):
    predicted = (scores >= threshold).astype(int)
    precision, recall, pr_thresholds = precision_recall_curve(y, scores)
    # Best F1 over the curve's thresholds; on ties, the highest threshold.
    f1s = np.where(precision[:-1] + recall[:-1] > 0,
                   2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-300), 0.0)
    best = max(range(len(pr_thresholds)), key=lambda k: (f1s[k], pr_thresholds[k]))
    reaching = [k for k in range(len(pr_thresholds)) if recall[k] >= 0.8 - 1e-12]
    fpr, tpr, roc_thresholds = roc_curve(y, scores, drop_intermediate=False)
    prob_true, prob_pred = calibration_curve(y, scores, n_bins=10, strategy="uniform")
    tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel()
    top_k = max(1, len(y) // 10)
    order = np.argsort(-scores, kind="stable")
    return {
        "name": name, "labels": [int(v) for v in y], "scores": [float(v) for v in scores], "threshold": threshold,
        "confusion": {"tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn)},
        "precision": float(precision_score(y, predicted, zero_division=0)) if predicted.sum() else None,
        "recall": float(recall_score(y, predicted)), "f1": float(f1_score(y, predicted, zero_division=0)),
        "accuracy": float(accuracy_score(y, predicted)),
        "roc_auc": float(roc_auc_score(y, scores)), "average_precision": float(average_precision_score(y, scores)),
        "log_loss": float(log_loss(y, np.clip(scores, 0, 1))), "brier": float(brier_score_loss(y, np.clip(scores, 0, 1))),
        "roc_fpr": [float(v) for v in fpr], "roc_tpr": [float(v) for v in tpr],
        "pr_precision": [float(v) for v in precision[:-1][::-1]], "pr_recall": [float(v) for v in recall[:-1][::-1]],
        "pr_thresholds": [float(v) for v in pr_thresholds[::-1]],
        "best_f1_threshold": float(pr_thresholds[best]), "best_f1": float(f1s[best]),
        "threshold_for_recall_80": float(max(pr_thresholds[k] for k in reaching)),
        "calibration_fraction_positive": [float(v) for v in prob_true],
        "calibration_mean_predicted": [float(v) for v in prob_pred],
        "top_k": top_k, "precision_at_top_k": float(y[order[:top_k]].mean()),
        "lift": lift_table(y, scores),
    }


def bundled_split(drop=()):
    """The bundled dataset's features at 2024-06-30 (training) and 2024-09-30 (test), horizon 90,
    both imputed with the training medians, as the tree fixtures use them: the feature names,
    x, y, x_test, y_test and the test customers' ids. `drop` leaves features out."""
    tx = features_pandas.read_transactions(ROOT / "Datasets" / "transactions.csv")
    train = features_pandas.features(tx, "2024-06-30", 90)
    test = features_pandas.features(tx, "2024-09-30", 90)
    names = [c for c in train.columns if c != "repurchase" and c not in drop]
    imputer = SimpleImputer(strategy="median").fit(train[names].to_numpy(dtype=float))
    x = imputer.transform(train[names].to_numpy(dtype=float))
    x_test = imputer.transform(test[names].to_numpy(dtype=float))
    return (names, x, train["repurchase"].to_numpy(dtype=int), x_test, test["repurchase"].to_numpy(dtype=int),
            test.index.tolist())


def tree_reference():
    """scikit-learn's DecisionTreeClassifier on the bundled dataset's features at 2024-06-30
    (median-imputed, without `frequency`, which is `orders - 1` and so ties every split on
    `orders`), in four settings: the tree's arrays, its feature importances, and P(repurchase)
    for the customers at 2024-09-30 (imputed with the training medians)."""
    names, x, y, x_test, _, test_customers = bundled_split(drop=("frequency",))
    settings = [
        {"criterion": "gini", "max_depth": 4},
        {"criterion": "entropy", "max_depth": 6, "min_samples_leaf": 20},
        {"criterion": "gini", "max_depth": 8, "min_samples_leaf": 50, "class_weight": "balanced"},
        {"criterion": "gini", "max_depth": None, "min_samples_split": 40, "min_impurity_decrease": 0.0005},
    ]
    trees = []
    for setting in settings:
        model = DecisionTreeClassifier(random_state=0, **setting).fit(x, y)
        t = model.tree_
        trees.append({
            "settings": setting,
            "left": t.children_left.tolist(), "right": t.children_right.tolist(),
            "feature": [int(f) if f >= 0 else -1 for f in t.feature],
            "threshold": [float(v) if f >= 0 else 0.0 for f, v in zip(t.feature, t.threshold)],
            "samples": t.n_node_samples.tolist(),
            "value": (t.value[:, 0, 1] / t.value[:, 0, :].sum(axis=1)).tolist(),
            "impurity": t.impurity.tolist(),
            "importances": model.feature_importances_.tolist(),
            "test_probability": model.predict_proba(x_test)[:, 1].tolist(),
        })
    return {"generated_by": "Notebooks/oracles/sklearn_reference.py", "versions": VERSIONS, "features": names,
            "train_cutoff": "2024-06-30", "test_cutoff": "2024-09-30", "horizon": 90,
            "test_customers": test_customers, "trees": trees}


def forest_reference():
    """scikit-learn's RandomForestClassifier (100 trees, max_features="sqrt", bootstrap, seeded) on
    the bundled dataset's features at 2024-06-30 (median-imputed), in two settings: its ROC-AUC
    for the customers at 2024-09-30 and its out-of-bag accuracy. Forests from different random
    draws differ tree by tree, so Rebuy is compared on these figures, not on trees."""
    names, x, y, x_test, y_test, _ = bundled_split()
    forests = []
    for setting in ({"max_depth": None, "min_samples_leaf": 1}, {"max_depth": 8, "min_samples_leaf": 20}):
        model = RandomForestClassifier(n_estimators=100, max_features="sqrt", bootstrap=True, oob_score=True,
                                       random_state=0, **setting).fit(x, y)
        forests.append({"settings": setting, "test_roc_auc": float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1])),
                        "oob_accuracy": float(model.oob_score_)})
    return {"generated_by": "Notebooks/oracles/sklearn_reference.py", "versions": VERSIONS, "features": names,
            "train_cutoff": "2024-06-30", "test_cutoff": "2024-09-30", "horizon": 90, "forests": forests}


def count_case():
    """Expected against actual purchase counts: scikit-learn's MAE and RMSE, pandas' group means
    by past frequency (0..6, then 7 or more)."""
    rng = np.random.default_rng(7)
    n = 3000
    frequency = rng.poisson(2.0, n)
    expected = rng.gamma(1.5, 0.4 + 0.3 * frequency)
    actual = rng.poisson(expected).astype(float)
    groups = pd.DataFrame({"g": np.minimum(frequency, 7), "e": expected, "a": actual}).groupby("g")
    return {
        "frequency": frequency.astype(float).tolist(), "expected": expected.tolist(), "actual": actual.tolist(),
        "mean_absolute_error": float(mean_absolute_error(actual, expected)),
        "root_mean_squared_error": float(root_mean_squared_error(actual, expected)),
        "groups": [{"frequency": int(g), "customers": int(len(d)), "mean_expected": float(d["e"].mean()),
                    "mean_actual": float(d["a"].mean())} for g, d in groups],
    }


def metrics_reference():
    rng = np.random.default_rng(20261123)
    n = 2000
    y = (rng.random(n) < 0.3).astype(int)
    # Scores that carry signal, rounded to two places so that many tie.
    scores = np.clip(np.round(0.25 + 0.35 * y + 0.25 * rng.standard_normal(n), 2), 0.0, 1.0)
    few = np.array([0, 1, 1, 0, 1, 0, 0, 1, 0, 0])
    few_scores = np.array([0.1, 0.9, 0.4, 0.4, 0.65, 0.2, 0.9, 0.3, 0.0, 1.0])
    return {
        "generated_by": "Notebooks/oracles/sklearn_reference.py", "versions": VERSIONS,
        "cases": [metrics_case("random_ties", y, scores, 0.5), metrics_case("ten_rows", few, few_scores, 0.4)],
        "counts": count_case(),
    }


def main():
    # Coefficients from an iterative solver may move in the last digits between machines.
    fixtures.write_or_check(__doc__, [("logistic_reference", logistic_reference), ("metrics_reference", metrics_reference),
                                      ("tree_reference", tree_reference), ("forest_reference", forest_reference)],
                            "Notebooks/oracles/sklearn_reference.py", tolerance=1e-9)


if __name__ == "__main__":
    main()
