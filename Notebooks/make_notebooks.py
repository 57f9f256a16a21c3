"""Writes the notebooks in Notebooks/ from the cells below, without outputs.

The notebooks are documents first: edit them here (or in Jupyter, then bring the change back
here) and run `python Notebooks/make_notebooks.py`. `Notebooks/checks/notebooks_check.py`
checks that the committed files are what this script writes, then executes each one.

    python Notebooks/make_notebooks.py [--check]
"""
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

SETUP = '''import json, os, shutil, subprocess
from io import StringIO
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

# The repository (notebooks run from Notebooks/), the rebuy binary, and a folder for outputs.
ROOT = Path(os.environ.get("REBUY_ROOT", Path.cwd().parent)).resolve()
REBUY = os.environ.get("REBUY") or shutil.which("rebuy") or str(ROOT / ".build" / "debug" / "rebuy")
WORK = Path(os.environ.get("REBUY_WORK", "out")).resolve()
WORK.mkdir(parents=True, exist_ok=True)
TX = ROOT / "Datasets" / "transactions.csv"


def rebuy(*args, show=True):
    """Runs rebuy; prints what it says to people (standard error), returns its data (standard output)."""
    result = subprocess.run([REBUY, *map(str, args)], capture_output=True, text=True)
    if show and result.stderr.strip():
        print(result.stderr.rstrip())
    if result.returncode != 0:
        raise RuntimeError(f"rebuy {' '.join(map(str, args))} exited with {result.returncode}")
    return result.stdout


def curves(labels, scores):
    """ROC and precision-recall points of scores against 0/1 labels (ties kept together)."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    y, s = np.asarray(labels)[order], np.asarray(scores)[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp, fp = np.cumsum(y)[last], np.cumsum(1 - y)[last]
    fpr, tpr = np.r_[0, fp / fp[-1]], np.r_[0, tp / tp[-1]]
    precision, recall = tp / (tp + fp), tp / tp[-1]
    return fpr, tpr, recall, precision


print("rebuy:", REBUY)
print(rebuy("--version", show=False).strip())'''

QUICKSTART = [
    ("markdown", """# Rebuy quickstart

From a log of purchases to a model that says who will buy again within 90 days, how good it is,
and who to contact first. Every step is a `rebuy` command; Python only reads what Rebuy writes
(CSV and JSON) and draws it. The data is the bundled dataset: 5,000 customers' purchases from
2022 to 2024 (how it was made: `Datasets/README.md`)."""),
    ("code", SETUP),
    ("markdown", """## The purchase log

One row per purchase line: who, when, how much (negative amounts are returns), and optionally
an order, a category and a channel."""),
    ("code", """tx = pd.read_csv(TX, dtype={"customer_id": str})
print(f"{len(tx):,} rows, {tx.customer_id.nunique():,} customers, {tx.date.min()} to {tx.date.max()}")
tx.head()"""),
    ("markdown", """## Features and labels as of a cutoff

Features use only what happened on or before the cutoff; the label `repurchase` says whether the
customer bought again in the 90 days after it. Nothing after the cutoff leaks into a feature."""),
    ("code", """rebuy("features", TX, "--cutoff", "2024-06-30", "--horizon", 90, "-o", WORK / "features.csv")
features = pd.read_csv(WORK / "features.csv", dtype={"customer_id": str})
features[["recency_days", "frequency", "monetary_total", "gap_mean_days", "repurchase"]].describe().round(2)"""),
    ("code", """fig, axes = plt.subplots(1, 3, figsize=(13, 3.5))
for ax, column in zip(axes, ["recency_days", "frequency", "monetary_total"]):
    for label, group in features.groupby("repurchase"):
        ax.hist(group[column].clip(upper=group[column].quantile(0.98)), bins=40, alpha=0.6,
                label="bought again" if label else "did not")
    ax.set_title(column)
axes[0].legend()
plt.tight_layout()"""),
    ("markdown", """## Train, out of time

Three cutoffs 90 days apart: the model learns on the two earlier snapshots and is judged on the
latest, as it will be used — on a future it has not seen. The report compares it with two
baselines: always predicting the majority class, and ranking by recency alone."""),
    ("code", """rebuy("train", TX, "--cutoff", "2024-09-30", "--snapshots", 3, "--every", 90, "--horizon", 90,
      "--threshold", "best-f1", "-o", WORK / "model.json");"""),
    ("markdown", """## How good is it?

`rebuy evaluate --json` gives every number; the curves below are drawn from the probabilities
`rebuy score` writes for the validation cutoff's customers, joined with their labels."""),
    ("code", """report = json.loads(rebuy("evaluate", WORK / "model.json", TX, "--cutoff", "2024-09-30", "--json", show=False))
r = report["report"]
print(f"ROC-AUC {r['roc_auc']:.3f} (recency alone {report['baselines']['recency_roc_auc']:.3f}), "
      f"PR-AUC {r['pr_auc']:.3f}, F1 {r['f1']:.3f} at threshold {r['threshold']:.3f}")
rebuy("features", TX, "--cutoff", "2024-09-30", "--horizon", 90, "-o", WORK / "validation.csv", show=False)
validation = pd.read_csv(WORK / "validation.csv", dtype={"customer_id": str})
scored = pd.read_csv(StringIO(rebuy("score", WORK / "model.json", "--features", WORK / "validation.csv", show=False)),
                     dtype={"customer_id": str}).merge(validation[["customer_id", "repurchase", "recency_days"]])
fpr, tpr, recall, precision = curves(scored.repurchase, scored.probability)
rfpr, rtpr, rrecall, rprecision = curves(scored.repurchase, -scored.recency_days)
deciles = pd.DataFrame(r["lift"]["deciles"])
bins = pd.DataFrame(r["calibration"]["bins"]).query("rows > 0")

fig, axes = plt.subplots(1, 4, figsize=(16, 3.8))
axes[0].plot(fpr, tpr, label="model"); axes[0].plot(rfpr, rtpr, label="recency only"); axes[0].plot([0, 1], [0, 1], ":k")
axes[0].set(title="ROC", xlabel="false positive rate", ylabel="true positive rate"); axes[0].legend()
axes[1].plot(recall, precision, label="model"); axes[1].plot(rrecall, rprecision, label="recency only")
axes[1].set(title="Precision-recall", xlabel="recall", ylabel="precision"); axes[1].legend()
axes[2].bar(deciles.decile, deciles.lift); axes[2].axhline(1, color="k", ls=":")
axes[2].set(title="Lift by decile", xlabel="decile (1 = highest scores)")
axes[3].plot(bins.mean_predicted, bins.fraction_positive, "o-"); axes[3].plot([0, 1], [0, 1], ":k")
axes[3].set(title="Calibration", xlabel="mean predicted", ylabel="fraction who bought")
plt.tight_layout()"""),
    ("markdown", """## Score everyone as of today

`rebuy score` builds the model's features as of a date and writes, per customer, the
probability, the prediction, the decile and the three features that move the score most."""),
    ("code", """scores = pd.read_csv(StringIO(rebuy("score", WORK / "model.json", TX, "--as-of", "2024-12-31")), dtype={"customer_id": str})
print(scores.predicted.value_counts().rename({1: "predicted to buy again", 0: "not"}).to_string())
scores.sort_values("probability", ascending=False).head(10)"""),
    ("markdown", """## What the model learned

Coefficients are on the standardised scale: each is the change in log-odds when the feature
rises by one standard deviation."""),
    ("code", """model = json.loads(rebuy("inspect", WORK / "model.json", "--json", show=False))
coefficients = pd.Series(model["parameters"]["coefficients"], index=[f["name"] for f in model["features"]])
coefficients.reindex(coefficients.abs().sort_values().index).plot.barh(figsize=(7, 6), title="Coefficients (standardised)")
plt.tight_layout()"""),
]

COMPARISON = [
    ("markdown", """# Every model on one out-of-time split

`rebuy train --model all` fits every model Rebuy has on the same split — the logistic
regression, the logistic regression with BG/NBD's P(alive) and expected purchases as extra
features, and BG/NBD itself — and ranks them next to the baselines. Here we read the
leaderboard, then draw each model's curves from its own scores on the validation cutoff."""),
    ("code", SETUP),
    ("code", """rebuy("train", TX, "--cutoff", "2024-09-30", "--snapshots", 3, "--every", 90, "--horizon", 90,
      "--model", "all", "--btyd-features", "-o", WORK / "models")
leaderboard = pd.read_csv(WORK / "models" / "leaderboard.csv")
leaderboard"""),
    ("code", """rebuy("features", TX, "--cutoff", "2024-09-30", "--horizon", 90, "-o", WORK / "validation.csv", show=False)
validation = pd.read_csv(WORK / "validation.csv", dtype={"customer_id": str})
models = [name for name in leaderboard.model if (WORK / "models" / f"{name}.json").exists()]
scores = {}
for name in models:
    out = rebuy("score", WORK / "models" / f"{name}.json", "--features", WORK / "validation.csv", show=False)
    scores[name] = pd.read_csv(StringIO(out), dtype={"customer_id": str}).merge(validation[["customer_id", "repurchase"]])
scores["recency only"] = validation.assign(probability=-validation.recency_days)

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for name, frame in scores.items():
    fpr, tpr, recall, precision = curves(frame.repurchase, frame.probability)
    axes[0].plot(fpr, tpr, label=name); axes[1].plot(recall, precision, label=name)
axes[0].plot([0, 1], [0, 1], ":k")
axes[0].set(title="ROC", xlabel="false positive rate", ylabel="true positive rate"); axes[0].legend()
axes[1].set(title="Precision-recall", xlabel="recall", ylabel="precision"); axes[1].legend()
plt.tight_layout()"""),
    ("markdown", """## Calibration

A probability of 0.3 should mean that about 30% of such customers buy. BG/NBD's probabilities
come from its model of the purchase process, not from fitting the labels, so calibration is a
real test of it."""),
    ("code", """fig, ax = plt.subplots(figsize=(5.5, 5))
for name in models:
    report = json.loads(rebuy("evaluate", WORK / "models" / f"{name}.json", TX, "--cutoff", "2024-09-30", "--json", show=False))
    bins = pd.DataFrame(report["report"]["calibration"]["bins"]).query("rows > 0")
    ax.plot(bins.mean_predicted, bins.fraction_positive, "o-", label=name)
ax.plot([0, 1], [0, 1], ":k"); ax.set(xlabel="mean predicted", ylabel="fraction who bought", title="Calibration"); ax.legend()
plt.tight_layout()"""),
    ("markdown", """## BG/NBD's purchase counts

BG/NBD predicts how many purchases, not only whether. Grouped by repeat purchases before the
cutoff, the expected and actual purchase days in the 90-day window should match."""),
    ("code", """report = json.loads(rebuy("evaluate", WORK / "models" / "bgnbd.json", TX, "--cutoff", "2024-09-30", "--json", show=False))
counts = report["counts"]
print(f"per customer MAE {counts['mean_absolute_error']:.3f}, RMSE {counts['root_mean_squared_error']:.3f}; "
      f"in total {counts['total_expected']:.0f} expected against {counts['total_actual']:.0f}")
groups = pd.DataFrame(counts["by_frequency"])
groups["label"] = groups.frequency.astype(str) + np.where(groups.or_more, "+", "")
groups.rename(columns={"mean_expected": "expected", "mean_actual": "actual"}).plot.bar(x="label", y=["expected", "actual"], figsize=(8, 3.8), rot=0,
                xlabel="repeat purchases before the cutoff", ylabel="purchase days in the window")
plt.tight_layout()"""),
]

ANALYTICS = [
    ("markdown", """# Customer analytics

Who the customers are, how they buy and what they are worth: RFM segments and lifecycle stages
(`rebuy segment`), acquisition cohorts and purchase cycles (`rebuy cohorts`), behaviour
clusters (`rebuy cluster`), cross-sell rules (`rebuy rules`), and P(alive) and lifetime value
(`rebuy clv`). Every number comes from a `rebuy` command; Python only reads and plots."""),
    ("code", SETUP),
    ("markdown", """## Segments and stages

`rebuy segment` scores R, F and M 1–5 by quintile (ties share a score), names the segment from R
and FM (the grid is in the README) and places each customer against their *own* purchase cycle:
at risk once more than 1.5 usual gaps have passed, lapsed after 3. As of 2024-09-30 with a
90-day horizon, so we can see who actually came back."""),
    ("code", """rebuy("segment", TX, "--as-of", "2024-09-30", "--horizon", 90, "-o", WORK / "segments.csv",
      "--summary", WORK / "segment-summary.csv")
segments = pd.read_csv(WORK / "segments.csv", dtype={"customer_id": str})
summary = pd.read_csv(WORK / "segment-summary.csv")"""),
    ("code", """fig, axes = plt.subplots(1, 2, figsize=(13, 4.2))
seg = summary[summary.group == "segment"].set_index("name")
seg[["share", "revenue_share"]].plot.barh(ax=axes[0]).invert_yaxis()
axes[0].set(title="Customers and revenue by segment", xlabel="share")
table = segments.pivot_table(index="f", columns="r", values="bought_next_90d", aggfunc="mean")
image = axes[1].imshow(table.values, origin="lower", cmap="viridis")
axes[1].set(xticks=range(len(table.columns)), xticklabels=table.columns, yticks=range(len(table.index)),
            yticklabels=table.index, xlabel="R score (5 = most recent)", ylabel="F score",
            title="Bought again within 90 days")
for (i, j), v in np.ndenumerate(table.values):
    axes[1].text(j, i, f"{v:.2f}", ha="center", va="center", color="w")
fig.colorbar(image, ax=axes[1])
plt.tight_layout()
stage = summary[summary.group == "stage"].set_index("name")
print(stage[["customers", "share", "bought_next_90d_rate"]])"""),
    ("markdown", """## Cohorts and purchase cycles

Each month's new customers, and the share of them buying in each month since. The purchase
cycle is the days between consecutive purchase days — overall and for each category (the same
customer buying the same category again)."""),
    ("code", """rebuy("cohorts", TX, "-o", WORK / "cohorts.csv", "--cycles", WORK / "cycles.csv", "--max-columns", 6)
cohorts = pd.read_csv(WORK / "cohorts.csv")
cycles = pd.read_csv(WORK / "cycles.csv")"""),
    ("code", """fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
grid = cohorts[cohorts.complete & (cohorts.period > 0)].pivot(index="cohort", columns="period", values="retention")
image = axes[0].imshow(grid.values, aspect="auto", cmap="viridis")
axes[0].set(yticks=range(0, len(grid), 6), yticklabels=grid.index[::6], xticks=range(0, grid.shape[1], 5),
            xticklabels=grid.columns[::5], xlabel="months since first purchase", title="Retention by monthly cohort")
fig.colorbar(image, ax=axes[0])
items = cycles[cycles.group == "item"].sort_values("median_days")
axes[1].barh(items.name, items.median_days, xerr=[items.median_days - items.p25_days, items.p75_days - items.median_days])
axes[1].set(title="Days between purchases of a category (median, quartiles)", xlabel="days")
plt.tight_layout()"""),
    ("markdown", """## Behaviour clusters

k-means on log-scaled, standardised recency, orders, mean spend and tenure. First the sweep —
inertia always falls with k; the silhouette says how well separated the clusters are — then
the profiles of one choice."""),
    ("code", """sweep = pd.read_csv(StringIO(rebuy("cluster", TX, "--as-of", "2024-12-31", "--k", "2..8", "--silhouette-sample", 3000)))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(sweep.k, sweep.inertia, "o-"); ax.set(xlabel="k", ylabel="inertia")
ax2 = ax.twinx(); ax2.plot(sweep.k, sweep.silhouette, "s--", color="C1"); ax2.set(ylabel="silhouette")
plt.tight_layout()"""),
    ("code", """clusters = pd.read_csv(StringIO(rebuy("cluster", TX, "--as-of", "2024-12-31", "--k", 4)), dtype={"customer_id": str})
rebuy("features", TX, "--cutoff", "2024-12-31", "-o", WORK / "today.csv", show=False)
today = pd.read_csv(WORK / "today.csv", dtype={"customer_id": str}).merge(clusters)
fig, ax = plt.subplots(figsize=(6, 4.5))
for c, group in today.groupby("cluster"):
    ax.scatter(group.recency_days, group.orders, s=4, label=f"cluster {c}")
ax.set(yscale="log", xlabel="days since last purchase", ylabel="purchase days", title="Clusters")
ax.legend(markerscale=4)
plt.tight_layout()"""),
    ("markdown", """## Cross-sell rules

Baskets are customer-days here (the bundled file has no order ids); items are categories. The
generator draws categories independently, so lifts sit near 1 — on real data the strong pairs
stand out. The sequential form asks what customers buy in the 60 days after first buying X."""),
    ("code", """rules = pd.read_csv(StringIO(rebuy("rules", TX, "--min-support", 0.01, "--min-confidence", 0.05, "--top", 5)))
after = pd.read_csv(StringIO(rebuy("rules", TX, "--sequential", "--within", 60, "--min-support", 0.01, "--top", 5)))
print(rules.head(8).to_string(index=False))
fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(rules.support, rules.confidence, c=rules.lift, cmap="coolwarm", s=20)
ax.set(xlabel="support", ylabel="confidence", title="Basket rules (colour: lift)")
plt.tight_layout()"""),
    ("markdown", """## Alive or gone, and what they are worth

`rebuy clv` fits BG/NBD and Gamma-Gamma. P(alive) is the probability a customer has not
quietly left; CLV is the discounted value of their next 12 months. Customers who bought only
once sit at P(alive) = 1: BG/NBD lets customers drop out only right after a purchase, so a
one-time buyer cannot have left yet by the model's assumptions — their low expected purchases
and CLV carry the information instead."""),
    ("code", """rebuy("clv", TX, "--as-of", "2024-12-31", "-o", WORK / "clv.csv")
clv = pd.read_csv(WORK / "clv.csv", dtype={"customer_id": str}).merge(today[["customer_id", "recency_days", "frequency"]])
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
points = axes[0].scatter(clv.recency_days, clv.frequency, c=clv.p_alive, s=6, cmap="viridis")
axes[0].set(xlabel="days since last purchase", ylabel="repeat purchases", title="P(alive)")
fig.colorbar(points, ax=axes[0])
ordered = clv.clv.sort_values(ascending=False).reset_index(drop=True)
axes[1].plot(np.arange(1, len(ordered) + 1) / len(ordered), ordered.cumsum() / ordered.sum())
axes[1].set(xlabel="share of customers (highest CLV first)", ylabel="share of expected value", title="Where the value is")
plt.tight_layout()
top = (ordered.cumsum() / ordered.sum() <= 0.5).mean()
print(f"{100 * top:.1f}% of customers hold half of the expected 12-month value")"""),
]


def notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    nb.cells = [nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text)
                for kind, text in cells]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    return nbformat.writes(nb) + "\n"


NOTEBOOKS = {"quickstart.ipynb": QUICKSTART, "model-comparison.ipynb": COMPARISON, "customer-analytics.ipynb": ANALYTICS}


def main():
    check = "--check" in sys.argv
    stale = []
    for name, cells in NOTEBOOKS.items():
        text = notebook(cells)
        path = HERE / name
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
            print(f"wrote Notebooks/{name}")
    if stale:
        sys.exit(f"out of date (run python Notebooks/make_notebooks.py): {', '.join(stale)}")


if __name__ == "__main__":
    main()
