"""The job of `rebuy score model.json tx.csv --as-of D -o scores.csv`, done by polars (features)
and scikit-learn (probabilities), for the benchmark: the same columns, values and reasons.

    python score_polars_sklearn.py model.json tx.csv 2024-12-31 out.csv
"""
import json
import sys
import time

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import features_polars  # noqa: E402


def main():
    model_path, data, as_of, out = sys.argv[1:5]
    start = time.perf_counter()
    model = json.load(open(model_path))
    names = [f["name"] for f in model["features"]]
    schema = {"customer_id": pl.String, "date": pl.String, "amount": pl.Float64}
    table = features_polars.plan(pl.scan_csv(data, schema_overrides=schema), as_of, 1).collect()
    x = table.select(names).to_numpy().astype(np.float64)
    impute = np.array([f["impute"] for f in model["features"]])
    mean = np.array([f["mean"] for f in model["features"]])
    scale = np.array([f["scale"] for f in model["features"]])
    z = (np.where(np.isnan(x), impute, x) - mean) / scale
    classifier = LogisticRegression()
    classifier.classes_ = np.array([0, 1])
    classifier.coef_ = np.array([model["parameters"]["coefficients"]])
    classifier.intercept_ = np.array([model["parameters"]["intercept"]])
    probability = classifier.predict_proba(z)[:, 1]
    order = np.lexsort((np.arange(len(probability)), -probability))
    decile = np.empty(len(probability), dtype=np.int64)
    decile[order] = np.arange(len(probability)) * 10 // len(probability) + 1
    contributions = z * classifier.coef_[0]
    top = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :3]
    columns = {"customer_id": table["customer_id"], "probability": probability,
               "predicted": (probability >= model["threshold"]).astype(np.int64), "decile": decile}
    for k in range(3):
        j = top[:, k]
        value = x[np.arange(len(x)), j]
        columns[f"reason_{k + 1}"] = [
            f"{names[jj]}={'missing' if np.isnan(v) else (str(int(v)) if v == round(v) else f'{v:.2f}')} ({c:+.2f})"
            for jj, v, c in zip(j, value, contributions[np.arange(len(x)), j])]
    pl.DataFrame(columns).write_csv(out)
    print(f"{time.perf_counter() - start:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
