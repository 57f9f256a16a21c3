"""Scores customers with Rebuy inside Apache Spark (local mode) and checks the results against a
single `rebuy score` run, row for row.

1. `RDD.pipe`: the transactions are partitioned by customer (every row of a customer in one
   partition), each partition is written as CSV with the header and piped through
   `rebuy score MODEL - --as-of DATE` (standard input to standard output), and the outputs are
   gathered. Every column must equal the single-process output except `decile`, which each
   partition computes among its own customers.
2. `mapInPandas` + onnxruntime: the model exported with `rebuy export --format onnx` scores the
   feature table from `rebuy features` inside Spark; probabilities must equal `rebuy score
   --features` to 1e-12.

    python Notebooks/checks/spark_check.py [path/to/rebuy] [--data tx.csv] [--partitions N]

Prints the row counts and times.
"""
import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2024-12-31"


def csv_partition(header):
    """A function for mapPartitions: the partition's rows as CSV lines, the header first (none
    for an empty partition, which would be an error for rebuy)."""
    def lines(rows):
        first = True
        for row in rows:
            if first:
                yield header
                first = False
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(["" if v is None else v for v in row])
            yield buffer.getvalue()
    return lines


def onnx_scorer(model_path, inputs):
    """A function for mapInPandas: probabilities from the ONNX model, one input per feature."""
    def score(batches):
        import onnxruntime
        session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"])
        for batch in batches:
            feeds = {name: batch[name].to_numpy(dtype=np.float64).reshape(-1, 1) for name in inputs}
            probability = session.run(["probability"], feeds)[0][:, 0]
            yield pd.DataFrame({"customer_id": batch["customer_id"], "probability": probability})
    return score


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rebuy", nargs="?", default=str(ROOT / ".build" / "debug" / "rebuy"))
    parser.add_argument("--data", default=str(ROOT / "Datasets" / "transactions.csv"))
    parser.add_argument("--model", default=str(ROOT / "Models" / "example-logistic.json"))
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    # Absolute: Spark's workers may run elsewhere.
    args.rebuy, args.model, args.data = (str(Path(p).resolve()) for p in (args.rebuy, args.model, args.data))

    # Spark's Python workers run the same interpreter (and packages) as this script.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession
    import onnxruntime

    spark = (SparkSession.builder.master("local[2]").appName("rebuy-check")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", str(args.partitions))
             .config("spark.driver.memory", "4g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        single = subprocess.run([args.rebuy, "score", args.model, args.data, "--as-of", AS_OF, "--quiet"],
                                check=True, capture_output=True, text=True).stdout
        single_seconds = time.perf_counter() - start
        expected = pd.read_csv(io.StringIO(single), dtype=str).set_index("customer_id")

        # 1. RDD.pipe, partitioned by customer.
        start = time.perf_counter()
        transactions = spark.read.csv(args.data, header=True, inferSchema=False)  # every column as text
        header = ",".join(transactions.columns)
        piped = (transactions.repartition(args.partitions, "customer_id").rdd
                 .mapPartitions(csv_partition(header))
                 .pipe(f"{args.rebuy} score {args.model} - --as-of {AS_OF} --quiet", checkCode=True)
                 .filter(lambda line: not line.startswith("customer_id,"))
                 .collect())
        pipe_seconds = time.perf_counter() - start
        reader = csv.reader(piped)
        got = pd.DataFrame(list(reader), columns=expected.reset_index().columns).set_index("customer_id")
        assert len(got) == len(expected) and got.index.is_unique, f"{len(got)} rows from Spark, {len(expected)} from rebuy"
        got = got.loc[expected.index]
        differing = (got.drop(columns="decile") != expected.drop(columns="decile")).any(axis=1).sum()
        if differing:
            sys.exit(f"RDD.pipe: {differing} rows differ from rebuy score")
        print(f"RDD.pipe: {len(got):,} customers in {args.partitions} partitions, every column but decile equal to "
              f"rebuy score ({pipe_seconds:.1f} s in Spark, {single_seconds:.1f} s in one rebuy process)")

        # 2. The ONNX export inside Spark.
        features = tmp / "features.csv"
        onnx_model = tmp / "model.onnx"
        subprocess.run([args.rebuy, "features", args.data, "--cutoff", AS_OF, "--quiet", "-o", str(features)], check=True)
        subprocess.run([args.rebuy, "export", args.model, "--format", "onnx", "-o", str(onnx_model)], check=True,
                       capture_output=True)
        inputs = [i.name for i in onnxruntime.InferenceSession(str(onnx_model), providers=["CPUExecutionProvider"]).get_inputs()]
        scored = subprocess.run([args.rebuy, "score", args.model, "--features", str(features), "--quiet"],
                                check=True, capture_output=True, text=True).stdout
        reference = pd.read_csv(io.StringIO(scored), dtype={"customer_id": str}).set_index("customer_id")
        start = time.perf_counter()
        table = spark.read.csv(str(features), header=True, inferSchema=True).select("customer_id", *inputs)
        onnx_scores = (table.mapInPandas(onnx_scorer(str(onnx_model), inputs), schema="customer_id string, probability double")
                       .toPandas().set_index("customer_id"))
        onnx_seconds = time.perf_counter() - start
        onnx_scores = onnx_scores.loc[reference.index]
        worst = float(np.max(np.abs(onnx_scores.probability.to_numpy() - reference.probability.to_numpy())))
        if worst > 1e-12:
            sys.exit(f"mapInPandas + onnxruntime: probabilities differ from rebuy score by up to {worst:.1e}")
        print(f"mapInPandas + onnxruntime: {len(onnx_scores):,} customers, largest difference from rebuy score {worst:.1e} "
              f"({onnx_seconds:.1f} s in Spark)")
    spark.stop()
    print("spark check passed")


if __name__ == "__main__":
    main()
