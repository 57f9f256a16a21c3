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
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures  # noqa: E402
import sklearn_reference  # noqa: E402

SETTINGS = [
    {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 31, "min_child_samples": 20, "reg_lambda": 0.0},
    {"n_estimators": 200, "learning_rate": 0.05, "num_leaves": 15, "max_depth": 4, "min_child_samples": 40,
     "reg_lambda": 1.0, "subsample": 0.8, "subsample_freq": 1, "colsample_bytree": 0.8},
]


def reference():
    names, x, y, x_test, y_test, _ = sklearn_reference.bundled_split()
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
