"""Checks `rebuy export --format onnx` against `rebuy score` with onnxruntime.

For each model (the example logistic, BG/NBD and tree models, and a BG/NBD churn model in weeks
a deep tree, a 30-tree forest and 40 boosted trees made on the spot): export it, validate the ONNX file with onnx's full checker, build the features
of the bundled dataset with `rebuy features`, score them with `rebuy score --features`, run the
ONNX model in onnxruntime on the same rows (one double input per feature, NaN for a missing
value), and require every probability to agree to 1e-6 and every prediction to agree.

    python Notebooks/checks/onnx_check.py [path/to/rebuy]
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
MODELS = [ROOT / "Models" / "example-logistic.json", ROOT / "Models" / "example-bgnbd.json",
          ROOT / "Models" / "example-tree.json"]


def main():
    rebuy = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build" / "debug" / "rebuy")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        features = tmp / "features.csv"
        subprocess.run([rebuy, "features", str(ROOT / "Datasets" / "transactions.csv"), "--cutoff", "2024-12-31",
                        "-o", str(features)], check=True, capture_output=True)
        table = pd.read_csv(features, dtype={"customer_id": str})
        # A churn model too: its graph ends in 1 − P(purchase).
        churn = tmp / "bgnbd-churn.json"
        subprocess.run([rebuy, "train", str(ROOT / "Datasets" / "transactions.csv"), "--cutoff", "2024-06-30",
                        "--horizon", "60", "--model", "bgnbd", "--target", "churn", "--time-unit", "weeks",
                        "-o", str(churn)], check=True, capture_output=True)
        # A deep tree with missing values on its paths (entropy, no depth limit).
        deep = tmp / "tree-deep.json"
        subprocess.run([rebuy, "train", str(ROOT / "Datasets" / "transactions.csv"), "--cutoff", "2024-06-30",
                        "--horizon", "90", "--model", "tree", "--criterion", "entropy", "--max-depth", "0",
                        "--min-samples-leaf", "5", "-o", str(deep)], check=True, capture_output=True)
        # A random forest (the mean of 30 tree graphs).
        forest = tmp / "forest.json"
        subprocess.run([rebuy, "train", str(ROOT / "Datasets" / "transactions.csv"), "--cutoff", "2024-06-30",
                        "--horizon", "90", "--model", "forest", "--trees", "30", "-o", str(forest)], check=True,
                       capture_output=True)
        # Boosted trees (σ of the initial score plus 40 trees' leaf scores).
        boosted = tmp / "boosted.json"
        subprocess.run([rebuy, "train", str(ROOT / "Datasets" / "transactions.csv"), "--cutoff", "2024-06-30",
                        "--horizon", "90", "--model", "boosted", "--rounds", "40", "-o", str(boosted)], check=True,
                       capture_output=True)
        for model in MODELS + [churn, deep, forest, boosted]:
            exported = tmp / (model.stem + ".onnx")
            subprocess.run([rebuy, "export", str(model), "--format", "onnx", "-o", str(exported)], check=True,
                           capture_output=True)
            onnx.checker.check_model(onnx.load(str(exported)), full_check=True)
            scores = subprocess.run([rebuy, "score", str(model), "--features", str(features)], check=True,
                                    capture_output=True, text=True).stdout
            expected = pd.read_csv(pd.io.common.StringIO(scores), dtype={"customer_id": str})
            session = onnxruntime.InferenceSession(str(exported), providers=["CPUExecutionProvider"])
            inputs = {i.name: table[i.name].to_numpy(dtype=np.float64).reshape(-1, 1) for i in session.get_inputs()}
            probability, predicted = session.run(["probability", "predicted"], inputs)
            difference = np.max(np.abs(probability[:, 0] - expected["probability"].to_numpy()))
            mismatched = int(np.sum(predicted[:, 0].astype(int) != expected["predicted"].to_numpy()))
            worst = max(worst, difference)
            print(f"{model.name}: {len(table):,} rows, {len(inputs)} inputs; largest probability difference "
                  f"{difference:.2e}; predictions differing: {mismatched}")
            if difference > 1e-6 or mismatched:
                sys.exit(f"onnx check failed for {model.name}")
    print(f"onnx check passed (onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__})")


if __name__ == "__main__":
    main()
