"""lifetimes' BetaGeoFitter and GammaGammaFitter on the same feature table as `rebuy
bench-btyd`: x = frequency, T = tenure_days, t_x = tenure_days - recency_days (days); Gamma-Gamma
on repeat customers with a positive monetary_repeat_mean. The fits are timed in-process (after
reading); prints one JSON line with the times and parameters.

    python btyd_lifetimes.py features.csv [tol]
"""
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter


def main():
    frame = pd.read_csv(sys.argv[1], dtype={"customer_id": str},
                        usecols=["customer_id", "frequency", "recency_days", "tenure_days", "monetary_repeat_mean"])
    tol = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-7  # lifetimes' default
    x = frame["frequency"].to_numpy(dtype=float)
    T = frame["tenure_days"].to_numpy(dtype=float)
    t_x = T - frame["recency_days"].to_numpy(dtype=float)
    spend = frame["monetary_repeat_mean"].to_numpy(dtype=float)
    repeat = (x > 0) & (spend > 0)
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    bgf = BetaGeoFitter(penalizer_coef=0.0).fit(x, t_x, T, tol=tol)
    bgnbd_seconds = time.perf_counter() - start
    start = time.perf_counter()
    ggf = GammaGammaFitter(penalizer_coef=0.0).fit(x[repeat], spend[repeat])
    spend_seconds = time.perf_counter() - start
    result = {"bgnbd_seconds": bgnbd_seconds, "gamma_gamma_seconds": spend_seconds,
              **{k: float(bgf.params_[k]) for k in ("r", "alpha", "a", "b")},
              **{k: float(ggf.params_[k]) for k in ("p", "q", "v")}}
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
