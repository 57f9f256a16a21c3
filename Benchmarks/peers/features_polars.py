"""The features of DESIGN.md computed by polars, for the benchmark: the same job as
`rebuy features tx.csv --cutoff C --horizon H -o out.csv` (read, aggregate, write CSV).

    python features_polars.py tx.csv 2024-09-30 90 out.csv [--lazy]

Prints the in-process seconds (after imports) on standard error.
"""
import sys
import time
from datetime import date, timedelta

import polars as pl

WINDOWS = [30, 90, 180, 365]


def plan(frame, cutoff, horizon):
    c = date.fromisoformat(cutoff)
    end = c + timedelta(days=horizon)
    tx = frame.with_columns(pl.col("date").str.slice(0, 10).str.to_date("%Y-%m-%d").alias("day"))
    past = tx.filter(pl.col("day") <= c)
    lines = past.group_by("customer_id").agg(
        returns_total=(-pl.col("amount").filter(pl.col("amount") < 0)).sum())
    buys = past.filter(pl.col("amount") >= 0)
    daily = (buys.group_by(["customer_id", "day"]).agg(value=pl.col("amount").sum())
             .with_columns(age=(pl.lit(c) - pl.col("day")).dt.total_days())
             .sort(["customer_id", "day"])
             .with_columns(gap=pl.col("day").diff().dt.total_days().over("customer_id"),
                           rank=pl.col("day").rank("ordinal").over("customer_id")))
    aggregations = [
        pl.col("age").min().alias("recency_days"),
        pl.col("age").max().alias("tenure_days"),
        pl.len().alias("orders"),
        pl.col("value").sum().alias("monetary_total"),
        pl.col("value").filter(pl.col("rank") > 1).mean().alias("monetary_repeat_mean"),
        pl.col("gap").mean().alias("gap_mean_days"),
        pl.col("gap").std(ddof=1).alias("gap_std_days"),
        pl.col("value").filter((pl.col("age") >= 90) & (pl.col("age") < 180)).sum().alias("spend_prev_90d"),
    ]
    for w in WINDOWS:
        aggregations.append((pl.col("age") < w).sum().alias(f"orders_{w}d"))
        aggregations.append(pl.col("value").filter(pl.col("age") < w).sum().alias(f"spend_{w}d"))
    f = daily.group_by("customer_id").agg(aggregations)
    seen = []
    for column, name in (("category", "categories"), ("channel", "channels")):
        if column in frame.collect_schema().names():
            seen.append(buys.filter(pl.col(column).is_not_null() & (pl.col(column) != ""))
                        .group_by("customer_id").agg(pl.col(column).n_unique().alias(name)))
    future = (tx.filter((pl.col("day") > c) & (pl.col("day") <= end) & (pl.col("amount") >= 0))
              .select("customer_id").unique().with_columns(repurchase=pl.lit(1)))
    f = f.join(lines, on="customer_id", how="left")
    for s in seen:
        f = f.join(s, on="customer_id", how="left")
    f = f.join(future, on="customer_id", how="left")
    total = pl.col("spend_90d") + pl.col("spend_prev_90d")
    f = f.with_columns(
        frequency=pl.col("orders") - 1,
        monetary_mean=pl.col("monetary_total") / pl.col("orders"),
        overdue_ratio=pl.col("recency_days") / pl.col("gap_mean_days"),
        trend_90d=pl.when(total == 0).then(0.0).otherwise((pl.col("spend_90d") - pl.col("spend_prev_90d")) / total),
        return_rate=pl.when(pl.col("returns_total") == 0).then(0.0)
        .when(pl.col("monetary_total") > 0).then(pl.col("returns_total") / pl.col("monetary_total"))
        .otherwise(None),
        repurchase=pl.col("repurchase").fill_null(0),
        cutoff=pl.lit(cutoff),
    )
    columns = ["customer_id", "cutoff", "recency_days", "tenure_days", "orders", "frequency", "monetary_total",
               "monetary_mean", "monetary_repeat_mean", "gap_mean_days", "gap_std_days", "overdue_ratio"]
    columns += [f"{k}_{w}d" for w in WINDOWS for k in ("orders", "spend")]
    columns += ["trend_90d", "returns_total", "return_rate"]
    columns += [name for name in ("categories", "channels") if any(name in s.collect_schema().names() for s in seen)]
    return f.select(columns + ["repurchase"])


def main():
    path, cutoff, horizon, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    lazy = "--lazy" in sys.argv
    start = time.perf_counter()
    schema = {"customer_id": pl.String, "date": pl.String, "amount": pl.Float64}
    if lazy:
        plan(pl.scan_csv(path, schema_overrides=schema), cutoff, horizon).sink_csv(out)
    else:
        plan(pl.read_csv(path, schema_overrides=schema).lazy(), cutoff, horizon).collect().write_csv(out)
    print(f"{time.perf_counter() - start:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
