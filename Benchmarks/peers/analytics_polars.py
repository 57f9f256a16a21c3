"""rebuy segment and rebuy cohorts computed by polars, for the benchmark: the same job (read,
aggregate, write the same CSVs) with the definitions of the README's "Customer analytics".

    python analytics_polars.py segment tx.csv 2024-09-30 90 out.csv
    python analytics_polars.py cohorts tx.csv out.csv cycles.csv

Prints the in-process seconds (after imports) on standard error.
"""
import sys
import time
from datetime import date, timedelta

import polars as pl

GRID = [
    ["Lost", "Hibernating", "At Risk", "Can't Lose Them", "Can't Lose Them"],
    ["Hibernating", "About to Sleep", "At Risk", "At Risk", "Can't Lose Them"],
    ["About to Sleep", "Need Attention", "Need Attention", "Loyal", "Loyal"],
    ["Promising", "Potential Loyalist", "Potential Loyalist", "Loyal", "Champions"],
    ["New", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"],
]
SCHEMA = {"customer_id": pl.String, "date": pl.String, "amount": pl.Float64, "category": pl.String}


def read(path, columns):
    tx = pl.read_csv(path, schema_overrides=SCHEMA, columns=columns)
    return tx.with_columns(pl.col("date").str.slice(0, 10).str.to_date("%Y-%m-%d").alias("day"))


def gap_within(*keys):
    """Days since the previous row of the same keys, on rows sorted by keys then day: a shifted
    difference masked where the keys change (faster than a window over string keys)."""
    same = pl.lit(True)
    for key in keys:
        same = same & (pl.col(key) == pl.col(key).shift())
    return pl.when(same).then(pl.col("day").diff().dt.total_days())


def quintile(column, higher_is_better):
    n = pl.len()
    worse = (pl.col(column) if higher_is_better else -pl.col(column)).rank("min") - 1
    return (1 + (5 * worse) // n).cast(pl.Int64)


def segment(path, as_of, horizon, out):
    c = date.fromisoformat(as_of)
    end = c + timedelta(days=horizon)
    tx = read(path, ["customer_id", "date", "amount"])
    buys = tx.filter(pl.col("amount") >= 0)
    daily = (buys.filter(pl.col("day") <= c).group_by(["customer_id", "day"]).agg(value=pl.col("amount").sum())
             .sort(["customer_id", "day"])
             .with_columns(gap=gap_within("customer_id")))
    typical = daily["gap"].drop_nulls().median()
    future = (buys.filter((pl.col("day") > c) & (pl.col("day") <= end)).select("customer_id").unique()
              .with_columns(bought=pl.lit(1)))
    grid = pl.DataFrame({"r": [r for r in range(1, 6) for _ in range(5)], "fm": [fm for _ in range(5) for fm in range(1, 6)],
                         "segment": [GRID[r][fm] for r in range(5) for fm in range(5)]})
    f = (daily.group_by("customer_id", maintain_order=True)
         .agg(recency_days=(pl.lit(c) - pl.col("day").max()).dt.total_days(), orders=pl.len(),
              monetary_total=pl.col("value").sum(), usual_gap_days=pl.col("gap").median())
         .with_columns(monetary_rounded=pl.col("monetary_total").round(6))
         .with_columns(r=quintile("recency_days", False), f=quintile("orders", True), m=quintile("monetary_rounded", True))
         .with_columns(fm=(pl.col("f") + pl.col("m") + 1) // 2)
         .join(grid, on=["r", "fm"], how="left")
         .with_columns(overdue_ratio=pl.col("recency_days") / pl.col("usual_gap_days").fill_null(typical))
         .with_columns(stage=pl.when(pl.col("overdue_ratio") > 3).then(pl.lit("lapsed"))
                       .when(pl.col("overdue_ratio") > 1.5).then(pl.lit("at risk"))
                       .when(pl.col("orders") == 1).then(pl.lit("new")).otherwise(pl.lit("active")))
         .join(future, on="customer_id", how="left")
         .with_columns(pl.col("bought").fill_null(0).alias(f"bought_next_{horizon}d")))
    f.select(["customer_id", "recency_days", "orders", "monetary_total", "r", "f", "m", "fm", "segment", "usual_gap_days",
              "overdue_ratio", "stage", f"bought_next_{horizon}d"]).write_csv(out)
    # The tables printed by rebuy segment.
    for column in ("segment", "stage"):
        f.group_by(column).agg(customers=pl.len(), revenue=pl.col("monetary_total").sum(),
                               repeat=(pl.col("orders") >= 2).mean(), bought=pl.col("bought").mean())


def cohorts(path, out, cycles, churn_days=90):
    tx = read(path, ["customer_id", "date", "amount", "category"])
    last = tx["day"].max()
    buys = tx.filter(pl.col("amount") >= 0)
    daily = (buys.group_by(["customer_id", "day"]).agg(value=pl.col("amount").sum()).sort(["customer_id", "day"])
             .with_columns(gap=gap_within("customer_id"))
             .with_columns(first=pl.when(pl.col("gap").is_null()).then(pl.col("day")).forward_fill())
             .with_columns(p=pl.col("day").dt.year() * 12 + pl.col("day").dt.month() - 1,
                           cohort=pl.col("first").dt.year() * 12 + pl.col("first").dt.month() - 1)
             .with_columns(k=pl.col("p") - pl.col("cohort")))
    last_period = last.year * 12 + last.month - 1
    last_complete = last_period if (last + timedelta(days=1)).month != last.month else last_period - 1
    sizes = daily.group_by("cohort").agg(cohort_customers=pl.col("customer_id").n_unique())
    cells = daily.group_by(["cohort", "k"]).agg(active_customers=pl.col("customer_id").n_unique(), revenue=pl.col("value").sum())
    grid = (sizes.with_columns(k=pl.int_ranges(0, last_period - pl.col("cohort") + 1)).explode("k")
            .join(cells, on=["cohort", "k"], how="left")
            .with_columns(pl.col("active_customers").fill_null(0), pl.col("revenue").fill_null(0.0))
            .sort(["cohort", "k"])
            .with_columns(cohort=pl.format("{}-{}", pl.col("cohort") // 12, (pl.col("cohort") % 12 + 1).cast(pl.String).str.zfill(2)),
                          retention=pl.col("active_customers") / pl.col("cohort_customers"),
                          revenue_per_customer=pl.col("revenue") / pl.col("cohort_customers")))
    grid = grid.with_columns(complete=pl.col("k") + pl.col("cohort").str.slice(0, 4).cast(pl.Int64) * 12
                             + pl.col("cohort").str.slice(5, 2).cast(pl.Int64) - 1 <= last_complete)
    grid.select(["cohort", pl.col("k").alias("period"), "cohort_customers", "active_customers", "retention", "revenue",
                 "revenue_per_customer", "complete"]).write_csv(out)
    per = daily.group_by("customer_id").agg(first=pl.col("day").min(), last=pl.col("day").max(), n=pl.len())
    start = last - timedelta(days=churn_days)
    base = per.filter(pl.col("first") <= start)
    _ = (len(per), per.filter(pl.col("n") >= 2).height, base.height, base.filter(pl.col("last") <= start).height)

    def stats(frame, by):
        g = pl.col("gap").drop_nulls()
        aggregations = [g.count().alias("gaps"), g.mean().alias("mean_days")] + [
            g.quantile(q, interpolation="linear").alias(name)
            for q, name in ((.1, "p10_days"), (.25, "p25_days"), (.5, "median_days"), (.75, "p75_days"), (.9, "p90_days"))]
        return frame.group_by(by).agg(aggregations) if by else frame.select(aggregations)

    overall = stats(daily, None).with_columns(group=pl.lit("all"), name=pl.lit("all"))
    by_cohort = (stats(daily.with_columns(name=pl.format("{}-{}", pl.col("cohort") // 12,
                                                         (pl.col("cohort") % 12 + 1).cast(pl.String).str.zfill(2))), "name")
                 .sort("name").with_columns(group=pl.lit("cohort")))
    cat = (buys.filter(pl.col("category").is_not_null() & (pl.col("category") != ""))
           .select(["customer_id", "category", "day"]).unique().sort(["customer_id", "category", "day"])
           .with_columns(gap=gap_within("customer_id", "category")))
    by_category = stats(cat.rename({"category": "name"}), "name").sort("name").with_columns(group=pl.lit("item"))
    columns = ["group", "name", "gaps", "mean_days", "p10_days", "p25_days", "median_days", "p75_days", "p90_days"]
    pl.concat([overall.select(columns), by_cohort.select(columns), by_category.select(columns)], how="vertical_relaxed").write_csv(cycles)


def main():
    start = time.perf_counter()
    if sys.argv[1] == "segment":
        segment(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        cohorts(sys.argv[2], sys.argv[3], sys.argv[4])
    print(f"{time.perf_counter() - start:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
