"""Reference values from LightGBM for Rebuy's gradient-boosted trees.

LightGBM's LGBMClassifier on the bundled dataset's features at 2024-06-30 (the pandas oracle's,
median-imputed as Rebuy imputes), in two settings; written: each setting and the ROC-AUC of its
probabilities for the customers at 2024-09-30, with the versions. Boosted trees from different
libraries differ in detail (binning, tie-breaking, sampling), so Rebuy is compared on quality.

    python Notebooks/oracles/lightgbm_reference.py [--check]
"""
import sys
from pathlib import Path

import lightgbm
import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
import features_pandas  # noqa: E402
import fixtures  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

SETTINGS = [
    {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 31, "min_child_samples": 20, "reg_lambda": 0.0},
    {"n_estimators": 200, "learning_rate": 0.05, "num_leaves": 15, "max_depth": 4, "min_child_samples": 40,
     "reg_lambda": 1.0, "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8},
]


def reference():
    tx = features_pandas.read_transactions(ROOT / "Datasets" / "transactions.csv")
    train = features_pandas.features(tx, "2024-06-30", 90)
    test = features_pandas.features(tx, "2024-09-30", 90)
    names = [c for c in train.columns if c != "repurchase"]
    imputer = SimpleImputer(strategy="median").fit(train[names].to_numpy(dtype=float))
    x = imputer.transform(train[names].to_numpy(dtype=float))
    y = train["repurchase"].to_numpy(dtype=int)
    x_test = imputer.transform(test[names].to_numpy(dtype=float))
    y_test = test["repurchase"].to_numpy(dtype=int)
    results = []
    for setting in SETTINGS:
        model = lightgbm.LGBMClassifier(max_bin=255, random_state=0, deterministic=True, verbose=-1, n_jobs=1, **setting)
        model.fit(x, y)
        results.append({"settings": setting,
                        "test_roc_auc": float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))})
    return {"generated_by": "Notebooks/oracles/lightgbm_reference.py",
            "versions": {"python": sys.version.split()[0], "lightgbm": lightgbm.__version__, "numpy": np.__version__,
                         "pandas": pd.__version__},
            "features": names, "train_cutoff": "2024-06-30", "test_cutoff": "2024-09-30", "horizon": 90,
            "boosted": results}


if __name__ == "__main__":
    fixtures.write_or_check(__doc__, [("boosted_reference", reference)], "Notebooks/oracles/lightgbm_reference.py",
                            tolerance=1e-9)
