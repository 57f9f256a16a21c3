"""Reference values from the `lifetimes` library for Rebuy's BG/NBD and Gamma-Gamma models.

The customers' (x, t_x, T) in days come from the pandas feature oracle on the bundled dataset at
2024-06-30: x = frequency, T = tenure_days, t_x = tenure_days - recency_days. Writes
Tests/Fixtures/btyd_reference.json with the inputs, the fitted parameters, the log-likelihood,
P(alive), the expected purchases in the next 90 days, and Gamma-Gamma's parameters and
expected spend, with the library versions.

    python Notebooks/oracles/lifetimes_reference.py [--check]
"""
import sys
from pathlib import Path

import lifetimes
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import features_pandas  # noqa: E402
import fixtures  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def reference():
    tx = features_pandas.read_transactions(ROOT / "Datasets" / "transactions.csv")
    f = features_pandas.features(tx, "2024-06-30", None)
    x = f["frequency"].to_numpy(dtype=float)
    T = f["tenure_days"].to_numpy(dtype=float)
    t_x = T - f["recency_days"].to_numpy(dtype=float)
    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(x, t_x, T, tol=1e-10)
    repeat = (x > 0) & (f["monetary_repeat_mean"].to_numpy(dtype=float) > 0)
    spend = f["monetary_repeat_mean"].to_numpy(dtype=float)
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf.fit(x[repeat], spend[repeat])  # a tighter tol fails with "precision loss" in lifetimes
    return {
        "generated_by": "Notebooks/oracles/lifetimes_reference.py",
        "versions": {"python": sys.version.split()[0], "lifetimes": lifetimes.__version__, "numpy": np.__version__,
                     "pandas": pd.__version__},
        "x": x.tolist(), "t_x": t_x.tolist(), "T": T.tolist(),
        "bgnbd": {name: float(bgf.params_[name]) for name in ("r", "alpha", "a", "b")},
        # lifetimes fits on rescaled times; the log-likelihood is recomputed in days at its parameters.
        "bgnbd_log_likelihood": -float(BetaGeoFitter._negative_log_likelihood(
            np.log([bgf.params_[k] for k in ("r", "alpha", "a", "b")]), x, t_x, T, np.ones(len(x)), 0.0)) * len(x),
        "p_alive": bgf.conditional_probability_alive(x, t_x, T).tolist(),
        "expected_purchases_90": bgf.conditional_expected_number_of_purchases_up_to_time(90, x, t_x, T).tolist(),
        "spend": spend[repeat].tolist(), "spend_frequency": x[repeat].tolist(),
        "gamma_gamma": {name: float(ggf.params_[name]) for name in ("p", "q", "v")},
        "expected_spend": ggf.conditional_expected_average_profit(pd.Series(x[repeat]), pd.Series(spend[repeat])).tolist(),
        # CLV over 12 months of 30 days at 1% a month, for every customer (mean repeat spend 0
        # for one-time buyers: their expected spend is the population's).
        "clv_mean_spend": np.nan_to_num(spend).tolist(),
        "clv_12_months": ggf.customer_lifetime_value(
            bgf, pd.Series(x), pd.Series(t_x), pd.Series(T), pd.Series(np.nan_to_num(spend)), time=12, discount_rate=0.01,
            freq="D").tolist(),
    }


if __name__ == "__main__":
    fixtures.write_or_check(__doc__, [("btyd_reference", reference)], "Notebooks/oracles/lifetimes_reference.py", tolerance=1e-6)
