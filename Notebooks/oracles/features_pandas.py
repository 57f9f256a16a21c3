"""Independent pandas implementation of Rebuy's features and labels (DESIGN.md).

Written from the definitions, not from the Swift code, so that the Swift tests can compare
every value of every customer against it. Also imported by the benchmark.

    python Notebooks/oracles/features_pandas.py            # rewrite the fixtures
    python Notebooks/oracles/features_pandas.py --check    # fail if a fixture is out of date
"""
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = [30, 90, 180, 365]

FEATURES = [
    "recency_days", "tenure_days", "orders", "frequency", "monetary_total", "monetary_mean",
    "monetary_repeat_mean", "gap_mean_days", "gap_std_days", "overdue_ratio",
    *[f"{kind}_{w}d" for w in WINDOWS for kind in ("orders", "spend")],
    "trend_90d", "returns_total", "return_rate",
]

# The fixtures: (name, input CSV relative to the repository, cutoffs, horizon).
FIXTURES = [
    ("features_bundled", "Datasets/transactions.csv", ["2024-03-31", "2024-09-30"], 90),
    ("features_messy", "Tests/Fixtures/messy.csv", ["2024-03-31", "2024-06-30"], 30),
]


def read_transactions(path):
    """Reads a transactions CSV with ids and categories kept as text (no 'NA' guessing)."""
    tx = pd.read_csv(path, dtype=str, keep_default_na=False)
    tx["amount"] = tx["amount"].astype(float)
    tx["day"] = pd.to_datetime(tx["date"].str.slice(0, 10), format="%Y-%m-%d")
    return tx


def features(tx, cutoff, horizon=None, window_counts=False):
    """Features as of `cutoff` for customers with a purchase line on or before it; the label
    `repurchase` when `horizon` is given (and with `window_counts`, `window_purchase_days`: the
    purchase days in the label window). Returns a DataFrame indexed by customer_id."""
    c = pd.Timestamp(cutoff)
    past = tx[tx["day"] <= c]
    returns = (past.assign(returned=np.where(past["amount"] < 0, -past["amount"], 0.0))
               .groupby("customer_id")["returned"].sum())
    buys = past[past["amount"] >= 0]
    daily = (buys.groupby(["customer_id", "day"])["amount"].sum()
             .reset_index(name="value").sort_values(["customer_id", "day"]))
    daily["age"] = (c - daily["day"]).dt.days
    daily["gap"] = daily.groupby("customer_id")["day"].diff().dt.days
    daily["rank"] = daily.groupby("customer_id").cumcount()
    by = daily.groupby("customer_id")

    f = pd.DataFrame(index=by.size().index)
    f["recency_days"] = by["age"].min()
    f["tenure_days"] = by["age"].max()
    f["orders"] = by.size()
    f["frequency"] = f["orders"] - 1
    f["monetary_total"] = by["value"].sum()
    f["monetary_mean"] = f["monetary_total"] / f["orders"]
    f["monetary_repeat_mean"] = daily[daily["rank"] > 0].groupby("customer_id")["value"].mean()
    f["gap_mean_days"] = by["gap"].mean()
    f["gap_std_days"] = by["gap"].std(ddof=1)
    f["overdue_ratio"] = f["recency_days"] / f["gap_mean_days"]
    for w in WINDOWS:
        inside = daily[daily["age"] < w].groupby("customer_id")["value"]
        f[f"orders_{w}d"] = inside.size().reindex(f.index, fill_value=0)
        f[f"spend_{w}d"] = inside.sum().reindex(f.index, fill_value=0.0)
    s1 = f["spend_90d"]
    s0 = (daily[(daily["age"] >= 90) & (daily["age"] < 180)].groupby("customer_id")["value"].sum()
          .reindex(f.index, fill_value=0.0))
    total = s1 + s0
    f["trend_90d"] = np.where(total == 0, 0.0, (s1 - s0) / total.where(total != 0, 1.0))
    f["returns_total"] = returns.reindex(f.index)
    # By value: returns_total / monetary_total; 0 without returns, undefined (NaN) when returns
    # meet a zero purchase total.
    f["return_rate"] = np.where(
        f["returns_total"] == 0, 0.0,
        f["returns_total"] / f["monetary_total"].where(f["monetary_total"] > 0, np.nan))
    for column, feature in (("category", "categories"), ("channel", "channels")):
        if column in tx.columns:
            seen = buys[buys[column] != ""]
            f[feature] = seen.groupby("customer_id")[column].nunique().reindex(f.index, fill_value=0)
    if horizon is not None:
        end = c + pd.Timedelta(days=horizon)
        future = tx[(tx["day"] > c) & (tx["day"] <= end) & (tx["amount"] >= 0)]
        f["repurchase"] = f.index.isin(set(future["customer_id"])).astype(int)
        if window_counts:
            f["window_purchase_days"] = future.groupby("customer_id")["day"].nunique().reindex(f.index, fill_value=0)
    return f


def fixture(name, relative_path, cutoffs, horizon):
    tx = read_transactions(ROOT / relative_path)
    columns = list(FEATURES)
    for column, feature in (("category", "categories"), ("channel", "channels")):
        if column in tx.columns:
            columns.append(feature)
    rows = []
    for cutoff in cutoffs:
        f = features(tx, cutoff, horizon, window_counts=True)
        for customer, values in f.iterrows():
            row = [customer, cutoff]
            for column in columns:
                v = values[column]
                row.append(None if pd.isna(v) else float(v))
            row.append(int(values["repurchase"]))
            row.append(int(values["window_purchase_days"]))
            rows.append(row)
    return {
        "name": name,
        "generated_by": "Notebooks/oracles/features_pandas.py",
        "versions": {"python": sys.version.split()[0], "pandas": pd.__version__, "numpy": np.__version__},
        "input": relative_path,
        "cutoffs": cutoffs,
        "horizon": horizon,
        "columns": ["customer_id", "cutoff", *columns, "repurchase", "window_purchase_days"],
        "rows": rows,
    }


def main():
    makers = [(name, lambda n=name, p=path, c=cutoffs, h=horizon: fixture(n, p, c, h))
              for name, path, cutoffs, horizon in FIXTURES]
    fixtures.write_or_check(__doc__, makers, "Notebooks/oracles/features_pandas.py", tolerance=1e-12)


if __name__ == "__main__":
    main()
