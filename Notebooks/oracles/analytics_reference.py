"""Reference values for Rebuy's customer analytics: RFM segments and lifecycle stages (pandas),
cohorts, churn and purchase cycles (pandas), k-means and silhouette (scikit-learn), association
rules (mlxtend's fpgrowth + association_rules) and sequential rules (pandas).

Each is an independent implementation of the definitions in the README's "Customer analytics"
section, on the bundled dataset (and, for product-level rules on orders, on
Tests/Fixtures/baskets.csv, which this script writes: a seeded log with order ids, products,
returns and lines without a product). Writes Tests/Fixtures/analytics_reference.json with the
library versions.

    python Notebooks/oracles/analytics_reference.py [--check]
"""
import hashlib
import sys
from pathlib import Path

import mlxtend
import numpy as np
import pandas as pd
import sklearn
from mlxtend.frequent_patterns import association_rules, fpgrowth
from mlxtend.preprocessing import TransactionEncoder
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
import features_pandas  # noqa: E402
import fixtures  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BASKETS = ROOT / "Tests" / "Fixtures" / "baskets.csv"

# R (rows 1..5) × FM (columns 1..5), as in the README.
GRID = [
    ["Lost", "Hibernating", "At Risk", "Can't Lose Them", "Can't Lose Them"],
    ["Hibernating", "About to Sleep", "At Risk", "At Risk", "Can't Lose Them"],
    ["About to Sleep", "Need Attention", "Need Attention", "Loyal", "Loyal"],
    ["Promising", "Potential Loyalist", "Potential Loyalist", "Loyal", "Champions"],
    ["New", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"],
]


def purchase_days(tx):
    """One row per customer and purchase day (lines with amount >= 0), with the day's value."""
    buys = tx[tx["amount"] >= 0]
    return (buys.groupby(["customer_id", "day"])["amount"].sum().reset_index(name="value")
            .sort_values(["customer_id", "day"]))


def quintile(values, higher_is_better):
    """1 + floor(5 * (strictly worse) / n), ties sharing: pandas' min rank counts the worse."""
    n = len(values)
    worse = (values if higher_is_better else -values).rank(method="min") - 1
    return (1 + (5 * worse.astype(int)) // n).astype(int)


def segments(tx, as_of, horizon):
    c = pd.Timestamp(as_of)
    days = purchase_days(tx[tx["day"] <= c])
    days["gap"] = days.groupby("customer_id")["day"].diff().dt.days
    by = days.groupby("customer_id", sort=False)
    f = pd.DataFrame({
        "recency_days": (c - by["day"].max()).dt.days,
        "orders": by.size(),
        "monetary_total": by["value"].sum(),
        "usual_gap": by["gap"].median(),
    })
    typical = float(days["gap"].dropna().median())
    f["r"] = quintile(f["recency_days"], False)
    f["f"] = quintile(f["orders"], True)
    f["m"] = quintile(f["monetary_total"].round(6), True)
    f["fm"] = (f["f"] + f["m"] + 1) // 2
    f["segment"] = [GRID[r - 1][fm - 1] for r, fm in zip(f["r"], f["fm"])]
    f["overdue"] = f["recency_days"] / f["usual_gap"].fillna(typical)
    f["stage"] = np.select(
        [f["overdue"] > 3, f["overdue"] > 1.5, f["orders"] == 1], ["lapsed", "at risk", "new"], "active")
    end = c + pd.Timedelta(days=horizon)
    future = tx[(tx["day"] > c) & (tx["day"] <= end) & (tx["amount"] >= 0)]
    f["bought"] = f.index.isin(set(future["customer_id"])).astype(int)

    def summary(column, names):
        total = f["monetary_total"].sum()
        out = []
        for name in names:
            g = f[f[column] == name]
            out.append({"name": name, "customers": int(len(g)), "share": len(g) / len(f),
                        "revenue_share": float(g["monetary_total"].sum() / total),
                        "repeat_rate": float((g["orders"] >= 2).mean()) if len(g) else None,
                        "repurchase_rate": float(g["bought"].mean()) if len(g) else None})
        return out

    segment_names = ["Champions", "Loyal", "Potential Loyalist", "New", "Promising", "Need Attention",
                     "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost"]
    return {
        "as_of": as_of, "horizon": horizon, "typical_gap": typical,
        "customer_id": list(f.index),
        "r": f["r"].tolist(), "f": f["f"].tolist(), "m": f["m"].tolist(), "fm": f["fm"].tolist(),
        "segment": f["segment"].tolist(), "stage": f["stage"].tolist(),
        "usual_gap": [None if pd.isna(v) else float(v) for v in f["usual_gap"]],
        "overdue_ratio": f["overdue"].astype(float).tolist(),
        "segments": summary("segment", segment_names),
        "stages": summary("stage", ["new", "active", "at risk", "lapsed"]),
    }


def gap_stats(gaps):
    g = np.asarray(gaps, dtype=float)
    if len(g) == 0:
        return {"count": 0}
    return {"count": int(len(g)), "mean": float(g.mean()),
            **{k: float(np.quantile(g, q)) for k, q in (("p10", .1), ("p25", .25), ("median", .5),
                                                          ("p75", .75), ("p90", .9))}}


def cohorts(tx, period, churn_days):
    last = tx["day"].max()
    days = purchase_days(tx)
    freq = "M" if period == "month" else "W-SUN"
    days["p"] = days["day"].dt.to_period(freq)
    first = days.groupby("customer_id")["day"].transform("min")
    days["cohort"] = first.dt.to_period(freq)
    days["k"] = [(p - c).n for p, c in zip(days["p"], days["cohort"])]
    days["gap"] = days.groupby("customer_id")["day"].diff().dt.days
    sizes = days.groupby("cohort")["customer_id"].nunique()
    active = days.groupby(["cohort", "k"])["customer_id"].nunique()
    revenue = days.groupby(["cohort", "k"])["value"].sum()
    last_period = last.to_period(freq)
    table = []
    for cohort in sorted(sizes.index):
        periods = (last_period - cohort).n + 1
        label = str(cohort) if period == "month" else cohort.start_time.strftime("%Y-%m-%d")
        table.append({
            "cohort": label, "customers": int(sizes[cohort]),
            "active": [int(active.get((cohort, k), 0)) for k in range(periods)],
            "revenue": [float(revenue.get((cohort, k), 0.0)) for k in range(periods)],
            "complete": [bool((cohort + k).end_time.normalize() <= last) for k in range(periods)],
        })
    per = days.groupby("customer_id").agg(first=("day", "min"), last=("day", "max"), n=("day", "size"))
    start = last - pd.Timedelta(days=churn_days)
    base = per[per["first"] <= start]
    out = {
        "period": period, "churn_days": churn_days, "cohorts": table,
        "customers": int(len(per)), "repeat_customers": int((per["n"] >= 2).sum()),
        "churn_base": int(len(base)), "churned": int((base["last"] <= start).sum()),
        "gaps": gap_stats(days["gap"].dropna()),
    }
    if period == "month":
        out["cohort_gaps"] = [gap_stats(days[days["cohort"] == c]["gap"].dropna()) for c in sorted(sizes.index)]
        buys = tx[(tx["amount"] >= 0) & (tx["category"] != "")]
        cat = buys[["customer_id", "category", "day"]].drop_duplicates().sort_values(["customer_id", "category", "day"])
        cat["gap"] = cat.groupby(["customer_id", "category"])["day"].diff().dt.days
        out["category_gaps"] = {name: gap_stats(g["gap"].dropna()) for name, g in cat.groupby("category")}
    return out


def clustering(tx):
    f = features_pandas.features(tx, "2024-12-31")
    names = ["recency_days", "orders", "monetary_mean", "tenure_days"]
    x = np.log1p(f[names].to_numpy(dtype=float))
    means, scales = x.mean(axis=0), x.std(axis=0, ddof=0)
    z = (x - means) / scales
    rng = np.random.default_rng(11)
    start = sorted(int(i) for i in rng.choice(len(z), size=5, replace=False))
    km = KMeans(n_clusters=5, init=z[start], n_init=1, tol=0.0, max_iter=1000, algorithm="lloyd").fit(z)
    best = KMeans(n_clusters=5, init="k-means++", n_init=10, random_state=0).fit(z)
    return {
        "as_of": "2024-12-31", "features": names, "customer_id": list(f.index),
        "means": means.tolist(), "scales": scales.tolist(), "first_rows": z[:20].tolist(),
        "start_rows": start, "inertia": float(km.inertia_), "labels": km.labels_.tolist(),
        "iterations": int(km.n_iter_), "silhouette": float(silhouette_score(z, km.labels_)),
        "plus_plus_best_inertia": float(best.inertia_),
    }


def make_baskets_csv():
    """A seeded product-level log: orders (some lines without an order id: customer-day
    baskets), products with pair structure, returns, and lines without a product."""
    rng = np.random.default_rng(5)
    products = [f"P{i:03d}" for i in range(40)]
    lines = ["customer_id,date,amount,product,order_id"]
    order = 1000
    for customer in range(600):
        for _ in range(rng.integers(1, 8)):
            day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 366)))
            basket = set(rng.choice(40, size=int(rng.integers(1, 6)), replace=False, p=np.linspace(2, 1, 40) / 60))
            if 3 in basket and rng.random() < 0.7:
                basket.add(4)  # P003 sells with P004
            if 10 in basket and rng.random() < 0.5:
                basket.update({11, 12})
            with_id = rng.random() < 0.8
            order += 1
            for item in sorted(basket):
                amount = round(float(rng.uniform(0, 40)), 2)
                if rng.random() < 0.03:
                    amount = 0.0
                lines.append(f"K{customer:04d},{day:%Y-%m-%d},{amount},{products[item]},{f'O{order}' if with_id else ''}")
                if rng.random() < 0.02:
                    lines.append(f"K{customer:04d},{day:%Y-%m-%d},{-amount},{products[item]},{f'O{order}' if with_id else ''}")
            if rng.random() < 0.05:
                lines.append(f"K{customer:04d},{day:%Y-%m-%d},5.00,,{f'O{order}' if with_id else ''}")
    return "\n".join(lines) + "\n"


def basket_sets(tx, item):
    buys = tx[(tx["amount"] >= 0) & (tx[item] != "")].copy()
    has_order = "order_id" in buys.columns
    key = np.where(buys["order_id"] != "", "o:" + buys["order_id"], "c:" + buys["customer_id"] + ":" + buys["date"]) \
        if has_order else ("c:" + buys["customer_id"] + ":" + buys["date"])
    buys["basket"] = key
    return [sorted(set(g)) for _, g in buys.groupby("basket")[item]]


def mlxtend_rules(baskets, min_support, max_len, min_confidence):
    encoder = TransactionEncoder()
    onehot = pd.DataFrame(encoder.fit(baskets).transform(baskets), columns=encoder.columns_)
    frequent = fpgrowth(onehot, min_support=min_support, use_colnames=True, max_len=max_len)
    rules = association_rules(frequent, num_itemsets=len(baskets), metric="confidence", min_threshold=min_confidence)
    out = []
    for _, r in rules.iterrows():
        out.append({"antecedents": sorted(r["antecedents"]), "consequents": sorted(r["consequents"]),
                    **{k: float(r[k]) for k in ("antecedent support", "consequent support", "support",
                                                "confidence", "lift", "leverage")},
                    "conviction": None if np.isinf(r["conviction"]) else float(r["conviction"])})
    out.sort(key=lambda r: ("|".join(r["antecedents"]), "|".join(r["consequents"])))
    return {"baskets": len(baskets), "itemsets": int(len(frequent)), "min_support": min_support,
            "max_len": max_len, "min_confidence": min_confidence, "rules": out}


def sequential(tx, within, min_support, min_confidence):
    last = tx["day"].max()
    buys = tx[(tx["amount"] >= 0) & (tx["category"] != "")][["customer_id", "category", "day"]].drop_duplicates()
    customers = buys["customer_id"].nunique()
    # Base rate of Y: customers whose window after their first purchase day lies in the data,
    # and of them those who bought Y inside it.
    f0 = buys.groupby("customer_id")["day"].min()
    f0 = f0[f0 + pd.Timedelta(days=within) <= last]
    after = buys[buys["customer_id"].isin(f0.index)].copy()
    after["f0"] = after["customer_id"].map(f0)
    after = after[(after["day"] > after["f0"]) & (after["day"] <= after["f0"] + pd.Timedelta(days=within))]
    base = after.groupby("category")["customer_id"].nunique() / len(f0)
    first = buys.groupby(["customer_id", "category"])["day"].min().reset_index(name="first")
    eligible = first[first["first"] + pd.Timedelta(days=within) <= last]
    n_eligible = eligible.groupby("category").size()
    pairs = eligible.merge(buys, on="customer_id", suffixes=("_x", "_y"))
    pairs = pairs[(pairs["category_x"] != pairs["category_y"]) & (pairs["day"] > pairs["first"])
                  & (pairs["day"] <= pairs["first"] + pd.Timedelta(days=within))]
    counts = pairs.groupby(["category_x", "category_y"])["customer_id"].nunique()
    out = []
    for (x, y), n in counts.items():
        support, confidence = n / customers, n / n_eligible[x]
        if support >= min_support and confidence >= min_confidence:
            out.append({"first": x, "then": y, "eligible": int(n_eligible[x]), "customers": int(n),
                        "support": support, "confidence": confidence,
                        "lift": confidence / base[y]})
    out.sort(key=lambda r: (r["first"], r["then"]))
    return {"within": within, "min_support": min_support, "min_confidence": min_confidence,
            "customers": int(customers), "rules": out}


def reference():
    tx = features_pandas.read_transactions(ROOT / "Datasets" / "transactions.csv")
    text = make_baskets_csv()
    if "--check" not in sys.argv:
        BASKETS.write_text(text)
    products = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    products["amount"] = products["amount"].astype(float)
    return {
        "generated_by": "Notebooks/oracles/analytics_reference.py",
        "versions": {"python": sys.version.split()[0], "pandas": pd.__version__, "numpy": np.__version__,
                     "scikit-learn": sklearn.__version__, "mlxtend": mlxtend.__version__},
        "segments": segments(tx, "2024-09-30", 90),
        "cohorts_month": cohorts(tx, "month", 90),
        "cohorts_week": cohorts(tx, "week", 60),
        "kmeans": clustering(tx),
        "category_rules": mlxtend_rules(basket_sets(tx, "category"), 0.005, 3, 0.05),
        "baskets_csv_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "product_rules": mlxtend_rules(basket_sets(products, "product"), 0.02, 3, 0.1),
        "sequential_rules": sequential(tx, 60, 0.001, 0.0),
    }


def main():
    fixtures.write_or_check(__doc__, [("analytics_reference", reference)],
                            "Notebooks/oracles/analytics_reference.py", tolerance=1e-9)


if __name__ == "__main__":
    main()
