"""Runs Rebuy's benchmarks side by side with their peers and rewrites BENCHMARKS.md.

    Benchmarks/run                      # every stage (1,000,000 customers, about 10 million rows)
    Benchmarks/run --stages logistic    # some stages; the others keep their last results
    Benchmarks/run --quick              # a smoke run on a small file; asserts nothing about time

Stages: features (rebuy features against polars and pandas), features-dated (the same on the
rows sorted by date, as real logs come), logistic (the fit of rebuy train
against scikit-learn on the same feature table), tree, forest and boosted (the same for a decision
tree, a random forest against scikit-learn, gradient-boosted trees against LightGBM), scoring (rows per second from an in-memory
matrix against scikit-learn's predict_proba), forest-scoring (the same for a 100-tree forest),
score (rebuy score from raw transactions against polars + scikit-learn doing the same job),
btyd (the BG/NBD and Gamma-Gamma fits against lifetimes), segment and cohorts (rebuy segment
and rebuy cohorts against polars doing the same aggregations), rules (rebuy rules against
mlxtend on product-level baskets). Each stage's results are kept in
Benchmarks/results/STAGE.json, from which BENCHMARKS.md is written.

Each stage runs every tool as its own process, alternating tools round by round, and reports
the median wall time, the ratio to Rebuy, and the peak resident memory (from wait4). Before
timing, the outputs are checked to agree, so that every tool is timed doing the same job.
"""
import argparse
import csv
import json
import os
import re
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REBUY = ROOT / ".build" / "release" / "rebuy"
PYTHON = sys.executable


def run(command, out_path=None):
    """Runs a command; returns (seconds, peak RSS in MiB). Fails loudly on a non-zero exit."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"benchmark: {' '.join(map(str, command))} failed:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024


def read_features(path):
    """A features CSV as {(customer_id, cutoff): {column: float or None}}."""
    rows = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row.pop("customer_id"), row.pop("cutoff"))
            rows[key] = {k: (float(v) if v not in ("", "nan", "NaN") else None) for k, v in row.items()}
    return rows


def check_same_features(reference_path, other_path, name):
    """Every value of every customer equal to 1e-9 relative; exits if not."""
    a, b = read_features(reference_path), read_features(other_path)
    if a.keys() != b.keys():
        sys.exit(f"benchmark: {name} has {len(b)} rows, Rebuy {len(a)}; they must agree before timing")
    for key, row in a.items():
        for column, u in row.items():
            v = b[key].get(column)
            if (u is None) != (v is None) or (u is not None and abs(u - v) > 1e-9 * max(abs(u), abs(v), 1.0)):
                sys.exit(f"benchmark: {name} differs from Rebuy at {key} {column}: {u} vs {v}")
    return len(a)


def read_keyed(path, keys):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        rows = {tuple(row[k] for k in keys): row for row in reader}
        return reader.fieldnames, rows


def check_same_csv(reference_path, other_path, keys, name, boundary=None):
    """The same header, the same rows (by the key columns), every cell equal as text or, when
    numeric, to 1e-9 relative (sums in another order differ in the last digits); exits if not.
    With `boundary` (column, threshold), a row whose value sits on the threshold to 1e-9 may be in
    one output only: which side of it the rounding falls is each tool's own."""
    header_a, a = read_keyed(reference_path, keys)
    header_b, b = read_keyed(other_path, keys)
    if header_a != header_b:
        sys.exit(f"benchmark: {name} writes columns {header_b}, Rebuy {header_a}")
    if boundary is not None:
        column, threshold = boundary
        on_edge = lambda row: abs(float(row[column]) - threshold) <= 1e-9  # noqa: E731
        for key in set(a) ^ set(b):
            if on_edge(a.get(key) or b.get(key)):
                a.pop(key, None)
                b.pop(key, None)
    if a.keys() != b.keys():
        sys.exit(f"benchmark: {name} has {len(b)} rows, Rebuy {len(a)}; they must agree before timing")
    for key, row in a.items():
        for column, u in row.items():
            v = b[key][column]
            if u == v:
                continue
            try:
                x, y = float(u), float(v)
            except ValueError:
                sys.exit(f"benchmark: {name} differs from Rebuy at {key} {column}: {u!r} vs {v!r}")
            if not (x == y or abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1.0)):
                sys.exit(f"benchmark: {name} differs from Rebuy at {key} {column}: {u} vs {v}")
    return len(a)


def side_by_side(tools, rounds, check=None):
    """Runs each tool (name → command) `rounds` times, alternating the order round by round;
    after the first round, `check()` must confirm the outputs agree. Returns the rows of a
    stage table: name, median seconds, runs, ratio (filled in later), median peak MiB."""
    times = {name: [] for name in tools}
    memory = {name: [] for name in tools}
    for round_index in range(rounds):
        for name in (list(tools) if round_index % 2 == 0 else list(reversed(list(tools)))):
            seconds, rss = run(tools[name])
            times[name].append(seconds)
            memory[name].append(rss)
            print(f"  round {round_index + 1}: {name}: {seconds:.2f} s, {rss:.0f} MiB", file=sys.stderr)
        if round_index == 0 and check is not None:
            check()
    return [[name, statistics.median(times[name]), times[name], None, round(statistics.median(memory[name]))]
            for name in tools]


def compare_in_child(reference, other, keys, name, boundary=None):
    """`check_same_csv` in a child process, so that loading the outputs does not grow this one
    (a child's peak memory starts from its parent's size at fork)."""
    extra = ["--boundary", boundary[0], str(boundary[1])] if boundary else []
    checked = subprocess.run([PYTHON, __file__, "--compare-csv", str(reference), str(other), ",".join(keys), name, *extra],
                             capture_output=True, text=True)
    if checked.returncode != 0:
        sys.exit(checked.stderr or checked.stdout)
    print(f"  outputs agree: {int(checked.stdout):,} rows", file=sys.stderr)
    return int(checked.stdout)


def segment_stage(data, rounds, out_dir):
    as_of, horizon = "2024-09-30", "90"
    ours, theirs = out_dir / "segments-rebuy.csv", out_dir / "segments-polars.csv"
    tools = {
        "rebuy segment": [str(REBUY), "segment", str(data), "--as-of", as_of, "--horizon", horizon, "-o", str(ours)],
        "polars": [PYTHON, str(ROOT / "Benchmarks/peers/analytics_polars.py"), "segment", str(data), as_of, horizon, str(theirs)],
    }
    checked = {}
    rows = side_by_side(tools, rounds, lambda: checked.update(n=compare_in_child(ours, theirs, ["customer_id"], "polars")))
    return {
        "title": "RFM segments and lifecycle stages",
        "command": " ".join(tools["rebuy segment"]).replace(str(ROOT) + "/", ""),
        "text": f"Recency, orders and spend as of {as_of}, quintile scores with shared ties, the named segment, the usual "
                f"gap (median), overdue ratio and stage, and who bought in the next {horizon} days, for every customer, "
                f"written to CSV, plus the per-segment and per-stage tables. Checked before timing: the same "
                f"{checked['n']:,} customers, every cell equal (sums to 1e-9).",
        "columns": ["tool", "median (s)", "runs (s)", "× Rebuy's time", "peak memory (MiB)"],
        "rows": rows,
    }


def cohorts_stage(data, rounds, out_dir):
    ours = (out_dir / "cohorts-rebuy.csv", out_dir / "cycles-rebuy.csv")
    theirs = (out_dir / "cohorts-polars.csv", out_dir / "cycles-polars.csv")
    tools = {
        "rebuy cohorts": [str(REBUY), "cohorts", str(data), "-o", str(ours[0]), "--cycles", str(ours[1])],
        "polars": [PYTHON, str(ROOT / "Benchmarks/peers/analytics_polars.py"), "cohorts", str(data), str(theirs[0]), str(theirs[1])],
    }
    checked = {}

    def check():
        checked["cells"] = compare_in_child(ours[0], theirs[0], ["cohort", "period"], "polars")
        checked["cycles"] = compare_in_child(ours[1], theirs[1], ["group", "name"], "polars")

    rows = side_by_side(tools, rounds, check)
    return {
        "title": "Cohorts, churn and purchase cycles",
        "command": " ".join(tools["rebuy cohorts"]).replace(str(ROOT) + "/", ""),
        "text": "Monthly acquisition cohorts × months since: active customers, retention and revenue; churn over 90 days; "
                "the days between purchase days overall, by cohort and by category (count, mean, five quantiles). "
                f"Checked before timing: the same {checked['cells']:,} cohort-month cells and {checked['cycles']} cycle "
                "rows, every cell equal (sums to 1e-9).",
        "columns": ["tool", "median (s)", "runs (s)", "× Rebuy's time", "peak memory (MiB)"],
        "rows": rows,
    }


def make_baskets(path, orders, products, seed):
    """A product-level log with order ids: `orders` orders of 1 + Poisson(3.5) lines from
    `products` products of Zipf-like popularity, 100 planted bundles of two or three products (in
    40% of orders), 1% return lines. Written once, then reused. (numpy and pandas are imported
    here only: a module-level import would make every child's peak memory start from theirs.)"""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    weights = 1.0 / (np.arange(products) + 10.0) ** 1.1
    weights /= weights.sum()
    sizes = 1 + rng.poisson(3.5, orders)
    order_of_line = np.repeat(np.arange(orders), sizes)
    product = rng.choice(products, size=len(order_of_line), p=weights)
    bundles = rng.choice(products, size=(100, 3), replace=True)
    with_bundle = np.flatnonzero(rng.random(orders) < 0.4)
    chosen = bundles[rng.integers(0, 100, len(with_bundle))]
    length = np.where(rng.random(len(with_bundle)) < 0.5, 2, 3)
    extra_orders = np.concatenate([with_bundle, with_bundle, with_bundle[length == 3]])
    extra_products = np.concatenate([chosen[:, 0], chosen[:, 1], chosen[length == 3, 2]])
    order_of_line = np.concatenate([order_of_line, extra_orders])
    product = np.concatenate([product, extra_products])
    sort = np.argsort(order_of_line, kind="stable")
    order_of_line, product = order_of_line[sort], product[sort]
    customer = rng.integers(0, orders // 3, orders)[order_of_line]
    day = (np.datetime64("2024-01-01") + rng.integers(0, 366, orders))[order_of_line]
    amount = np.round(rng.uniform(1, 50, len(product)), 2)
    returns = rng.random(len(product)) < 0.01
    frame = pd.DataFrame({"customer_id": [f"K{c:07d}" for c in customer], "date": day.astype(str),
                          "amount": np.where(returns, -amount, amount), "product": [f"P{p:05d}" for p in product],
                          "order_id": [f"O{o:07d}" for o in order_of_line]})
    frame.to_csv(path, index=False)


def rules_stage(rounds, out_dir, quick):
    """rebuy rules against mlxtend on a product-level log: side by side where mlxtend fits
    (the smaller file), then Rebuy alone on the large one, where mlxtend's one-hot table does not."""
    products = 3_000 if quick else 30_000
    sizes = (20_000, 50_000) if quick else (100_000, 1_000_000)
    support, confidence, max_len = "0.001", "0.1", "3"
    files = {}
    for orders in sizes:
        files[orders] = ROOT / "Benchmarks" / "data" / f"baskets-{orders}.csv"
        if not files[orders].exists():
            # In a child process: this one would keep the generator's memory, and every later
            # child's peak memory (ru_maxrss) starts from its parent's size at fork.
            print(f"generating {files[orders].name}", file=sys.stderr)
            subprocess.run([PYTHON, __file__, "--make-baskets", str(files[orders]), str(orders), str(products)], check=True)

    def commands(orders):
        ours, theirs = out_dir / f"rules-rebuy-{orders}.csv", out_dir / f"rules-mlxtend-{orders}.csv"
        rebuy = [str(REBUY), "rules", str(files[orders]), "--item-col", "product", "--min-support", support,
                 "--min-confidence", confidence, "--max-len", max_len, "-o", str(ours)]
        # The address space is capped at 16 GiB so that a table too large fails with MemoryError
        # instead of swapping the machine.
        peer = [PYTHON, str(ROOT / "Benchmarks/peers/rules_mlxtend.py"), str(files[orders]), support, confidence, max_len,
                str(theirs), "--memory-limit", "16"]
        return rebuy, peer, ours, theirs

    small, large = sizes
    rebuy, peer, ours, theirs = commands(small)
    checked = {}
    rows = side_by_side({f"rebuy rules ({small:,} orders)": rebuy, f"mlxtend ({small:,} orders)": peer}, rounds,
                        lambda: checked.update(n=compare_in_child(ours, theirs, ["antecedents", "consequents"], "mlxtend",
                                                                  ("confidence", float(confidence)))))
    rebuy, peer, ours, _ = commands(large)
    rows += side_by_side({f"rebuy rules ({large:,} orders)": rebuy}, rounds)
    attempt = subprocess.run(peer, capture_output=True, text=True)
    note = attempt.stdout.strip().splitlines()[-1] if attempt.stdout.strip() else attempt.stderr.strip()[-300:]
    print(f"  mlxtend ({large:,} orders): exit {attempt.returncode}: {note}", file=sys.stderr)
    with open(ours) as f:
        large_rules = sum(1 for _ in f) - 1
    rows[2][4] = f"{rows[2][4]:,} MiB; {large_rules:,} rules"
    rows.append([f"mlxtend ({large:,} orders)", float("nan"), [], None,
                 f"ran out of memory — {note}" if attempt.returncode == 3 else f"exit {attempt.returncode}: {note}"])
    for row in rows[:2]:
        row[4] = f"{row[4]:,} MiB"
    return {
        "title": "Basket rules (FP-growth)",
        "command": " ".join(rebuy).replace(str(ROOT) + "/", ""),
        "text": f"Product-level logs with order ids ({products:,} products of Zipf-like popularity, 100 planted bundles, 1% "
                "returns; `Benchmarks/bench.py` writes them once, seed 42): frequent itemsets of up to "
                f"{max_len} products with support ≥ {support}, and the rules with confidence ≥ {confidence}, written to CSV. "
                f"On {small:,} orders, checked before timing: the same {checked['n']:,} rules, every metric to 1e-9 (a rule "
                "whose confidence is the threshold itself may fall on either side: Rebuy divides the counts, mlxtend the "
                "rounded supports). mlxtend takes a one-hot basket × item table, and even from its sparse form computes "
                "the item supports on the dense matrix; "
                + (f"on {large:,} orders that matrix does not fit (16 GiB address-space cap)." if attempt.returncode == 3
                   else f"on {large:,} orders it still fits.") + " Ratios compare each pair of rows.",
        "columns": ["tool", "median (s)", "runs (s)", "× Rebuy's time", "peak memory"],
        "rows": rows,
        "paired": True,
    }


def features_stage(data, rounds, out_dir, title="Features and labels from transactions", peers=None):
    cutoff, horizon = "2024-09-30", "90"
    tools = {
        "rebuy features": [str(REBUY), "features", str(data), "--cutoff", cutoff, "--horizon", horizon,
                           "-o", str(out_dir / "rebuy.csv")],
        "polars (eager)": [PYTHON, str(ROOT / "Benchmarks/peers/features_polars.py"), str(data), cutoff, horizon,
                           str(out_dir / "polars-eager.csv")],
        "polars (lazy)": [PYTHON, str(ROOT / "Benchmarks/peers/features_polars.py"), str(data), cutoff, horizon,
                          str(out_dir / "polars-lazy.csv"), "--lazy"],
        "pandas": [PYTHON, str(ROOT / "Benchmarks/peers/features_pandas.py"), str(data), cutoff, horizon,
                   str(out_dir / "pandas.csv")],
    }
    if peers is not None:
        tools = {name: command for name, command in tools.items() if name == "rebuy features" or name in peers}
    times = {name: [] for name in tools}
    memory = {name: [] for name in tools}
    for round_index in range(rounds):
        order = list(tools) if round_index % 2 == 0 else list(reversed(tools))
        for name in order:
            seconds, rss = run(tools[name])
            times[name].append(seconds)
            memory[name].append(rss)
            print(f"  round {round_index + 1}: {name}: {seconds:.2f} s, {rss:.0f} MiB", file=sys.stderr)
        if round_index == 0:
            # In a child process: loading the outputs here would grow this process, and a child's
            # peak memory (ru_maxrss) starts from its parent's size at fork.
            for name, path in (("polars (eager)", "polars-eager.csv"), ("polars (lazy)", "polars-lazy.csv"),
                               ("pandas", "pandas.csv")):
                if name not in tools:
                    continue
                checked = subprocess.run([PYTHON, __file__, "--compare", str(out_dir / "rebuy.csv"), str(out_dir / path), name],
                                         capture_output=True, text=True)
                if checked.returncode != 0:
                    sys.exit(checked.stderr or checked.stdout)
                rows = int(checked.stdout)
            print(f"  outputs agree: {rows:,} rows, every value", file=sys.stderr)
    return {
        "title": title,
        "command": " ".join(tools["rebuy features"]).replace(str(ROOT) + "/", ""),
        "text": f"All outputs were checked equal to Rebuy's before timing ({rows:,} rows, every value to 1e-9).",
        "columns": ["tool", "median (s)", "runs (s)", "× Rebuy's time", "peak memory (MiB)"],
        "rows": [[name, statistics.median(times[name]), times[name], None, round(statistics.median(memory[name]))]
                 for name in tools],
    }


def logistic_stage(features_csv, rounds, out_dir):
    """Fit time inside `rebuy train` (its own report) against scikit-learn's preprocessing +
    lbfgs fit (timed in-process), on the same feature table and C = 1."""
    model = out_dir / "logistic.json"
    rebuy = [str(REBUY), "train", "--features", str(features_csv), "--horizon", "90", "--test-fraction", "0",
             "-o", str(model)]
    peers = {f"scikit-learn lbfgs, tol {tol}": [PYTHON, str(ROOT / "Benchmarks/peers/logistic_sklearn.py"),
                                               str(features_csv), str(model), tol]
             for tol in ("1e-4", "1e-10")}
    times = {name: [] for name in ["rebuy train (fit)", *peers]}
    notes = {}
    for round_index in range(rounds):
        order = ["rebuy", *peers] if round_index % 2 == 0 else [*reversed(list(peers)), "rebuy"]
        for name in order:
            command = rebuy if name == "rebuy" else peers[name]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(f"benchmark: {' '.join(command)} failed:\n{result.stderr}")
            if name == "rebuy":
                seconds = float(re.search(r"Fit: .*\(([0-9.]+) s\)", result.stderr).group(1))
                times["rebuy train (fit)"].append(seconds)
                notes["rebuy train (fit)"] = re.search(r"Fit: (.*) \(", result.stderr).group(1)
            else:
                times[name].append(float(result.stderr.strip().splitlines()[-1]))
                notes[name] = result.stdout.strip()
            print(f"  round {round_index + 1}: {name}: {times['rebuy train (fit)' if name == 'rebuy' else name][-1]:.2f} s",
                  file=sys.stderr)
    return {
        "title": "Logistic regression fit",
        "command": " ".join(rebuy).replace(str(ROOT) + "/", ""),
        "text": "The same feature table (the features stage's output), C = 1, median imputation and standardisation "
                "included in both times. Rebuy fits to convergence (Newton); the differences from Rebuy's "
                "coefficients show how far each lbfgs run stopped from the optimum.",
        "columns": ["tool", "median (s)", "runs (s)", "× Rebuy's time", "note"],
        "rows": [[name, statistics.median(t), t, None, notes.get(name, "")] for name, t in times.items()],
    }


def scoring_stage(rows_count, rounds):
    """Rows per second scoring an in-memory matrix of 23 features, best of five per run."""
    rebuy = [str(REBUY), "bench-score", "--rows", str(rows_count), "--features", "23"]
    peer = [PYTHON, str(ROOT / "Benchmarks/peers/scoring_sklearn.py"), str(rows_count), "23"]
    rates = {"rebuy (one core)": [], "scikit-learn predict_proba": []}
    for round_index in range(rounds):
        for name, command in (("rebuy (one core)", rebuy), ("scikit-learn predict_proba", peer)):
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(f"benchmark: {' '.join(command)} failed:\n{result.stderr}")
            rates[name].append(float(result.stdout.split()[1]) / 1e6)
            print(f"  round {round_index + 1}: {name}: {rates[name][-1]:.1f} M rows/s", file=sys.stderr)
    return {
        "title": "Scoring from an in-memory matrix",
        "command": " ".join(rebuy).replace(str(ROOT) + "/", ""),
        "text": f"{rows_count:,} rows × 23 features of doubles already in memory; the best of five passes per run. "
                "Rebuy folds imputation and standardisation into the weights and scores on one core.",
        "columns": ["tool", "median (M rows/s)", "runs (M rows/s)", "× Rebuy's rate", ""],
        "rows": [[name, statistics.median(r), r, None, ""] for name, r in rates.items()],
    }


def forest_scoring_stage(features_csv, rounds, out_dir, quick):
    """Rows per second scoring a 100-tree forest (depth 12) from memory: rebuy bench-score
    --forest against scikit-learn's predict_proba on a forest with the same settings, both
    fitted (untimed) on the same first rows of the features stage's table."""
    rows, sample_rows, trees, depth, leaf = (200_000, 20_000, 20, 12, 5) if quick else (2_000_000, 100_000, 100, 12, 5)
    sample, model = out_dir / "forest-sample.csv", out_dir / "forest-scoring.json"
    with open(features_csv) as source, open(sample, "w") as target:
        for index, line in enumerate(source):
            if index > sample_rows:
                break
            target.write(line)
    trained = subprocess.run([str(REBUY), "train", "--features", str(sample), "--horizon", "90", "--test-fraction", "0",
                              "--model", "forest", "--trees", str(trees), "--max-depth", str(depth), "--min-samples-leaf",
                              str(leaf), "-o", str(model)], capture_output=True, text=True)
    if trained.returncode != 0:
        sys.exit(f"benchmark: training the forest failed:\n{trained.stderr}")
    rebuy = [str(REBUY), "bench-score", "--forest", str(model), "--table", str(features_csv), "--rows", str(rows)]
    peer = [PYTHON, str(ROOT / "Benchmarks/peers/forest_scoring_sklearn.py"), str(sample), str(features_csv), str(rows),
            str(trees), str(depth), str(leaf)]
    ours, theirs = "rebuy (two cores)", "scikit-learn predict_proba (n_jobs=2)"
    rates = {ours: [], theirs: []}
    notes = {}
    for round_index in range(rounds):
        order = [(ours, rebuy), (theirs, peer)]
        for name, command in (order if round_index % 2 == 0 else reversed(order)):
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(f"benchmark: {' '.join(command)} failed:\n{result.stderr}")
            fields = result.stdout.split()
            rates[name].append(float(fields[1]) / 1e6)
            if name == theirs:
                notes[name] = f"deepest tree {fields[2]}"
            print(f"  round {round_index + 1}: {name}: {rates[name][-1]:.2f} M rows/s", file=sys.stderr)
    return {
        "title": "Scoring a random forest",
        "command": " ".join(rebuy).replace(str(ROOT) + "/", ""),
        "text": f"{trees} trees, depth {depth}, at least {leaf} rows a leaf, √p features a split, fitted on the first "
                f"{sample_rows:,} rows of the features stage's table (untimed); then the table's rows, repeated to {rows:,}, "
                "scored from memory, best of five passes per run. Rebuy stores each tree breadth first (leaves loop to "
                "themselves) and scores blocks of rows branch-free, tree by tree, on both cores; its probabilities equal "
                "walking each tree.",
        "columns": ["tool", "median (M rows/s)", "runs (M rows/s)", "× Rebuy's rate", "note"],
        "rows": [[name, statistics.median(r), r, None, notes.get(name, "")] for name, r in rates.items()],
    }


# Per tree model: Rebuy's options, the peer, the title, and what the settings are.
TREE_MODELS = {
    "tree": (["--max-depth", "8", "--min-samples-leaf", "50"], "scikit-learn DecisionTreeClassifier", "Decision tree fit",
             "Gini, depth 8, at least 50 rows a leaf; median imputation included in both times. The trees differ only "
             "where two splits tie exactly (scikit-learn breaks ties by a random feature order, Rebuy by column order) or "
             "scikit-learn's float32 copy of the features merges values; the note gives the share of rows both trees score "
             "alike."),
    "forest": (["--trees", "20", "--max-depth", "12", "--min-samples-leaf", "20"], "scikit-learn RandomForestClassifier",
               "Random forest fit",
               "20 trees, depth 12, at least 20 rows a leaf, √p features a split, bootstrap, out-of-bag score; median "
               "imputation included in both times, two threads each. Different random draws make different forests; the "
               "note compares how well each fits the training rows."),
    "boosted": (["--rounds", "100", "--learning-rate", "0.1", "--max-leaves", "31", "--min-samples-leaf", "20"],
                "LightGBM LGBMClassifier", "Gradient-boosted trees fit",
                "100 rounds, learning rate 0.1, at most 31 leaves, at least 20 rows a leaf, 255 bins; median imputation "
                "included in both times, two threads each. Different binning makes different models; the note compares how "
                "well each fits the training rows."),
}


def tree_model_stage(kind, features_csv, rounds, out_dir):
    """Fit time inside `rebuy train --model tree|forest|boosted` (its own report) against
    scikit-learn's tree or forest or LightGBM (timed in-process, imputation included), on the
    same feature table."""
    options, peer_name, title, settings = TREE_MODELS[kind]
    model = out_dir / f"{kind}.json"
    rebuy = [str(REBUY), "train", "--features", str(features_csv), "--horizon", "90", "--test-fraction", "0",
             "--model", kind, *options, "-o", str(model)]
    peer = [PYTHON, str(ROOT / "Benchmarks/peers/tree_models.py"), kind, str(features_csv), str(model)]
    ours = f"rebuy train --model {kind} (fit)"
    times = {ours: [], peer_name: []}
    notes = {}
    for round_index in range(rounds):
        order = [("rebuy", rebuy), ("peer", peer)]
        for name, command in (order if round_index % 2 == 0 else reversed(order)):
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(f"benchmark: {' '.join(command)} failed:\n{result.stderr}")
            if name == "rebuy":
                times[ours].append(float(re.search(r"Fit: .*\(([0-9.]+) s\)", result.stderr).group(1)))
                notes[ours] = re.search(r"Fit: (.*) after", result.stderr).group(1)
            else:
                times[peer_name].append(float(result.stderr.strip().splitlines()[-1]))
                notes[peer_name] = result.stdout.strip()
            key = ours if name == "rebuy" else peer_name
            print(f"  round {round_index + 1}: {key}: {times[key][-1]:.2f} s", file=sys.stderr)
    return {
        "title": title,
        "command": " ".join(rebuy).replace(str(ROOT) + "/", ""),
        "text": f"The same feature table (the features stage's output), {settings}",
        "columns": ["tool", "median (s)", "runs (s)", "× Rebuy's time", "note"],
        "rows": [[name, statistics.median(t), t, None, notes.get(name, "")] for name, t in times.items()],
    }


def btyd_stage(features_csv, rounds):
    """BG/NBD and Gamma-Gamma fits on the features stage's histories: rebuy bench-btyd against
    lifetimes' BetaGeoFitter and GammaGammaFitter, each timed in-process after reading. The
    parameters must agree to 1e-4 relative before any time counts."""
    rebuy = [str(REBUY), "bench-btyd", str(features_csv)]
    peer = [PYTHON, str(ROOT / "Benchmarks/peers/btyd_lifetimes.py"), str(features_csv)]
    results = {"rebuy": [], "lifetimes": []}
    for round_index in range(rounds):
        order = [("rebuy", rebuy), ("lifetimes", peer)]
        for name, command in (order if round_index % 2 == 0 else reversed(order)):
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(f"benchmark: {' '.join(command)} failed:\n{result.stderr}")
            results[name].append(json.loads(result.stdout.strip().splitlines()[-1]))
            print(f"  round {round_index + 1}: {name}: BG/NBD {results[name][-1]['bgnbd_seconds']:.2f} s, "
                  f"Gamma-Gamma {results[name][-1]['gamma_gamma_seconds']:.2f} s", file=sys.stderr)
    ours, theirs = results["rebuy"][-1], results["lifetimes"][-1]
    difference = max(abs(ours[k] - theirs[k]) / abs(theirs[k]) for k in ("r", "alpha", "a", "b", "p", "q", "v"))
    if difference > 1e-4:
        sys.exit(f"benchmark: BG/NBD parameters differ from lifetimes' by {difference:.1e} (relative)")
    customers = int(ours["customers"])
    rows = []
    for model, key in (("BG/NBD", "bgnbd_seconds"), ("Gamma-Gamma", "gamma_gamma_seconds")):
        for name in ("rebuy", "lifetimes"):
            times = [r[key] for r in results[name]]
            rows.append([f"{name}: {model}", statistics.median(times), times, None, ""])
    # Ratios are against Rebuy's time for the same model.
    rows[1][3], rows[3][3] = "lifetimes / rebuy", "lifetimes / rebuy"
    rows[0][4] = f"r {ours['r']:.4f}, α {ours['alpha']:.3f}, a {ours['a']:.4f}, b {ours['b']:.4f}"
    rows[1][4] = f"largest relative parameter difference from Rebuy's {difference:.1e}"
    rows[2][4] = f"p {ours['p']:.4f}, q {ours['q']:.4f}, ν {ours['v']:.3f} ({int(ours['repeat_customers']):,} repeat customers)"
    return {
        "title": "BG/NBD and Gamma-Gamma fits",
        "command": " ".join(rebuy).replace(str(ROOT) + "/", ""),
        "text": f"The histories of the features stage's table ({customers:,} customers; x, tₓ, T in days), read first, then "
                "each fit timed inside its process: Rebuy's BFGS with analytic gradients against lifetimes 0.11.3 "
                "(scipy's BFGS with autograd gradients, its default tolerance). Parameters were checked to agree to 1e-4 "
                "relative; the ratio column compares each model's times.",
        "columns": ["tool", "median (s)", "runs (s)", "× Rebuy's time", "note"],
        "rows": rows,
        "paired": True,
    }


def score_stage(data, model, rounds, out_dir):
    """End-to-end scoring from raw transactions: rebuy score against polars + scikit-learn."""
    as_of = "2024-12-31"
    tools = {
        "rebuy score": [str(REBUY), "score", str(model), str(data), "--as-of", as_of, "-o", str(out_dir / "scores-rebuy.csv")],
        "polars + scikit-learn": [PYTHON, str(ROOT / "Benchmarks/peers/score_polars_sklearn.py"), str(model), str(data), as_of,
                                  str(out_dir / "scores-peer.csv")],
    }
    times = {name: [] for name in tools}
    memory = {name: [] for name in tools}
    for round_index in range(rounds):
        for name in (tools if round_index % 2 == 0 else reversed(list(tools))):
            seconds, rss = run(tools[name])
            times[name].append(seconds)
            memory[name].append(rss)
            print(f"  round {round_index + 1}: {name}: {seconds:.2f} s, {rss:.0f} MiB", file=sys.stderr)
        if round_index == 0:
            checked = subprocess.run([PYTHON, __file__, "--compare-scores", str(out_dir / "scores-rebuy.csv"),
                                      str(out_dir / "scores-peer.csv")], capture_output=True, text=True)
            if checked.returncode != 0:
                sys.exit(checked.stderr or checked.stdout)
            rows = int(checked.stdout)
            print(f"  outputs agree: {rows:,} customers", file=sys.stderr)
    return {
        "title": "Scoring from raw transactions",
        "command": " ".join(tools["rebuy score"]).replace(str(ROOT) + "/", ""),
        "text": f"Features as of {as_of}, probabilities, predictions, deciles and the top three reasons for every customer, "
                f"written to CSV. Checked before timing: the same {rows:,} customers, probabilities to 1e-9, the same "
                "predictions and deciles.",
        "columns": ["tool", "median (s)", "runs (s)", "× Rebuy's time", "peak memory (MiB)"],
        "rows": [[name, statistics.median(times[name]), times[name], None, round(statistics.median(memory[name]))]
                 for name in tools],
    }


def check_same_scores(rebuy_path, peer_path):
    def read(path):
        with open(path, newline="") as f:
            return {row["customer_id"]: row for row in csv.DictReader(f)}
    a, b = read(rebuy_path), read(peer_path)
    if a.keys() != b.keys():
        sys.exit(f"benchmark: the peer scored {len(b)} customers, Rebuy {len(a)}")
    # Deciles are compared per distinct probability: rows that tie may fall either side of a
    # decile boundary, depending on each tool's row order.
    ours, theirs = {}, {}
    for key, row in a.items():
        other = b[key]
        u, v = float(row["probability"]), float(other["probability"])
        if abs(u - v) > 1e-9 or row["predicted"] != other["predicted"]:
            sys.exit(f"benchmark: scores differ for {key}: {row} vs {other}")
        ours.setdefault(row["probability"], []).append(row["decile"])
        theirs.setdefault(row["probability"], []).append(other["decile"])  # grouped by Rebuy's value
    for probability, deciles in ours.items():
        if sorted(deciles) != sorted(theirs[probability]):
            sys.exit(f"benchmark: deciles differ at probability {probability}: {sorted(deciles)} vs {sorted(theirs[probability])}")
    return len(a)


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    versions = {"swift": swift[0] if swift else "unknown", "python": platform.python_version()}
    for module in ("polars", "pandas", "numpy", "sklearn", "lifetimes", "scipy", "lightgbm", "mlxtend"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = "not installed"
    rebuy = subprocess.run([str(REBUY), "--version"], capture_output=True, text=True).stdout.strip()
    return cpu, os.cpu_count(), memory, versions, rebuy


def write_report(path, stages, data, customers, quick):
    cpu, cores, memory, versions, rebuy = machine()
    size = data.stat().st_size
    lines = sum(1 for _ in open(data, "rb")) - 1
    out = ["# Benchmarks", "",
           "Written by `Benchmarks/run`" + (" --quick (a smoke run: figures mean nothing)" if quick else "")
           + f" on {time.strftime('%Y-%m-%d')}. Each tool runs as its own process, tools alternating round by round;",
           "the tables give medians and the ratio of each median to Rebuy's. Peers run in Python (about 1.5 s",
           "of imports for polars); where a stage times work inside a process, it says so.", "",
           "## Machine", "",
           f"- CPU: {cpu}, {cores} cores; memory: {memory}; {platform.system()} {platform.release()}",
           f"- Rebuy {rebuy}, release build; {versions['swift']}",
           f"- Python {versions['python']}, polars {versions['polars']}, pandas {versions['pandas']}, "
           f"numpy {versions['numpy']}, scikit-learn {versions['sklearn']}, lifetimes {versions['lifetimes']}, scipy {versions['scipy']}, "
           f"LightGBM {versions['lightgbm']}, mlxtend {versions['mlxtend']}",
           f"- Data: `rebuy generate --customers {customers} --seed 42` → {lines:,} rows, {size / 1e6:.0f} MB", ""]
    for stage in stages:
        reference = stage["rows"][0][1]
        out += [f"## {stage['title']}", "", f"`{stage['command']}`", "", stage["text"], "",
                "| " + " | ".join(stage["columns"]) + " |",
                "| --- | ---: | --- | ---: | --- |"]
        for index, (name, median, runs, _, extra) in enumerate(stage["rows"]):
            # A paired stage compares each row with the Rebuy row just above it.
            base = stage["rows"][index - index % 2][1] if stage.get("paired") else reference
            ratio = median / base if base else float("nan")
            runs_text = ", ".join(f"{r:.2f}" for r in runs)
            if median != median:  # did not run to the end (see its note)
                out.append(f"| {name} | – | – | – | {extra} |")
            else:
                out.append(f"| {name} | {median:.2f} | {runs_text} | {ratio:.2f} | {extra} |")
        out.append("")
    path.write_text("\n".join(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small smoke run (20,000 customers, one round)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per stage (default 3, 1 with --quick)")
    parser.add_argument("--stages", default="features,features-dated,logistic,tree,forest,boosted,scoring,score,btyd,"
                        "forest-scoring,segment,cohorts,rules",
                        help="comma-separated stages to run")
    parser.add_argument("--compare-scores", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--compare", nargs=3, metavar=("REBUY_CSV", "OTHER_CSV", "NAME"), help=argparse.SUPPRESS)
    parser.add_argument("--compare-csv", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--boundary", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--make-baskets", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_baskets:
        make_baskets(Path(args.make_baskets[0]), int(args.make_baskets[1]), int(args.make_baskets[2]), seed=42)
        return
    if args.compare_csv:
        reference, other, keys, name = args.compare_csv
        boundary = (args.boundary[0], float(args.boundary[1])) if args.boundary else None
        print(check_same_csv(Path(reference), Path(other), keys.split(","), name, boundary))
        return
    if args.compare_scores:
        print(check_same_scores(Path(args.compare_scores[0]), Path(args.compare_scores[1])))
        return
    if args.compare:
        print(check_same_features(Path(args.compare[0]), Path(args.compare[1]), args.compare[2]))
        return
    customers = 20_000 if args.quick else 1_000_000
    rounds = args.rounds or (1 if args.quick else 3)
    stages = args.stages.split(",")
    data_dir = ROOT / "Benchmarks" / "data"
    out_dir = ROOT / "Benchmarks" / "out"
    results_dir = out_dir / "results-quick" if args.quick else ROOT / "Benchmarks" / "results"
    for folder in (data_dir, out_dir, results_dir):
        folder.mkdir(parents=True, exist_ok=True)
    data = data_dir / f"tx-{customers}.csv"
    if not data.exists():
        print(f"generating {data.name}", file=sys.stderr)
        run([str(REBUY), "generate", "--customers", str(customers), "--seed", "42", "-o", str(data)])
    if "features" in stages or not (out_dir / "rebuy.csv").exists():
        print("features:", file=sys.stderr)
        result = features_stage(data, rounds, out_dir)
        (results_dir / "features.json").write_text(json.dumps(result, indent=1))
    if "features-dated" in stages:
        # Real logs come in date order, not customer by customer as the generator writes them.
        dated = data_dir / f"tx-{customers}-by-date.csv"
        if not dated.exists():
            print(f"sorting {data.name} by date", file=sys.stderr)
            with open(data) as source, open(dated, "w") as target:
                target.write(source.readline())
            subprocess.run(f"tail -n +2 '{data}' | LC_ALL=C sort -t, -k2,2 -s -S 2G >> '{dated}'", shell=True, check=True)
        print("features (date-ordered input):", file=sys.stderr)
        result = features_stage(dated, rounds, out_dir, title="Features and labels from date-ordered transactions",
                                peers=("polars (eager)", "polars (lazy)"))
        result["text"] += (" The same rows sorted by date (stable), as real logs come; the generator writes customer by "
                           "customer. pandas is left out of this stage to keep the run short.")
        (results_dir / "features-dated.json").write_text(json.dumps(result, indent=1))
    if "logistic" in stages:
        print("logistic:", file=sys.stderr)
        (results_dir / "logistic.json").write_text(json.dumps(logistic_stage(out_dir / "rebuy.csv", rounds, out_dir), indent=1))
    if "scoring" in stages:
        print("scoring:", file=sys.stderr)
        result = scoring_stage(200_000 if args.quick else 10_000_000, rounds)
        (results_dir / "scoring.json").write_text(json.dumps(result, indent=1))
    if "score" in stages:
        print("score:", file=sys.stderr)
        model = out_dir / "logistic.json"
        if not model.exists():
            logistic_stage(out_dir / "rebuy.csv", 1, out_dir)
        (results_dir / "score.json").write_text(json.dumps(score_stage(data, model, rounds, out_dir), indent=1))
    for kind in TREE_MODELS:
        if kind in stages:
            print(f"{kind}:", file=sys.stderr)
            result = tree_model_stage(kind, out_dir / "rebuy.csv", rounds, out_dir)
            (results_dir / f"{kind}.json").write_text(json.dumps(result, indent=1))
    if "btyd" in stages:
        print("btyd:", file=sys.stderr)
        (results_dir / "btyd.json").write_text(json.dumps(btyd_stage(out_dir / "rebuy.csv", rounds), indent=1))
    if "forest-scoring" in stages:
        print("forest-scoring:", file=sys.stderr)
        result = forest_scoring_stage(out_dir / "rebuy.csv", rounds, out_dir, args.quick)
        (results_dir / "forest-scoring.json").write_text(json.dumps(result, indent=1))
    if "segment" in stages:
        print("segment:", file=sys.stderr)
        (results_dir / "segment.json").write_text(json.dumps(segment_stage(data, rounds, out_dir), indent=1))
    if "cohorts" in stages:
        print("cohorts:", file=sys.stderr)
        (results_dir / "cohorts.json").write_text(json.dumps(cohorts_stage(data, rounds, out_dir), indent=1))
    if "rules" in stages:
        print("rules:", file=sys.stderr)
        (results_dir / "rules.json").write_text(json.dumps(rules_stage(rounds, out_dir, args.quick), indent=1))
    ordered = [json.loads((results_dir / f"{name}.json").read_text())
               for name in ("features", "features-dated", "logistic", "tree", "forest", "boosted", "scoring",
                            "forest-scoring", "score", "btyd", "segment", "cohorts", "rules")
               if (results_dir / f"{name}.json").exists()]
    report = ROOT / ("Benchmarks/out/BENCHMARKS-quick.md" if args.quick else "BENCHMARKS.md")
    write_report(report, ordered, data, customers, args.quick)
    print(f"wrote {report.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
