"""Reference values from the `lifetimes` library for Rebuy's BG/NBD and Gamma-Gamma models.

The customers' (x, t_x, T) in days come from the pandas feature oracle on the bundled dataset at
2024-06-30: x = frequency, T = tenure_days, t_x = tenure_days - recency_days. Writes
Tests/Fixtures/btyd_reference.json with the inputs, the fitted parameters, the log-likelihood,
P(alive), the expected purchases in the next 90 days, the probability of n purchases for a new
customer, and Gamma-Gamma's parameters and expected spend, with the library versions. Also:
the fit with times in weeks (lifetimes' own fit on t_x/7, T/7), and penalised fits. lifetimes
applies its penalizer to parameters of rescaled times, so the penalised BG/NBD reference is the
minimum of lifetimes' own objective (`_negative_log_likelihood`, penalty included) in weeks, found
by scipy's BFGS with autograd's gradient; the penalised Gamma-Gamma is lifetimes' own fit.

    python Notebooks/oracles/lifetimes_reference.py [--check]
"""
import sys
from pathlib import Path

import lifetimes
import numpy as np
import pandas as pd
import scipy
from autograd import value_and_grad
from lifetimes import BetaGeoFitter, GammaGammaFitter
from scipy.optimize import minimize

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
    weeks = BetaGeoFitter(penalizer_coef=0.0)
    weeks.fit(x, t_x / 7, T / 7, tol=1e-10)
    penalty = 0.01
    spend_penalty = 1e-4  # spend is in currency units: ν² is about 1,000 here
    ones = np.ones(len(x))

    def penalised(log_params):
        return BetaGeoFitter._negative_log_likelihood(log_params, x, t_x / 7, T / 7, ones, penalty)

    start = np.log([weeks.params_[k] for k in ("r", "alpha", "a", "b")])
    best = minimize(value_and_grad(penalised), start, jac=True, method="BFGS", options={"gtol": 1e-11, "maxiter": 10000})
    ggf_penalised = GammaGammaFitter(penalizer_coef=spend_penalty)
    ggf_penalised.fit(x[repeat], spend[repeat])
    return {
        "generated_by": "Notebooks/oracles/lifetimes_reference.py",
        "versions": {"python": sys.version.split()[0], "lifetimes": lifetimes.__version__, "numpy": np.__version__,
                     "pandas": pd.__version__, "scipy": scipy.__version__},
        "x": x.tolist(), "t_x": t_x.tolist(), "T": T.tolist(),
        "bgnbd": {name: float(bgf.params_[name]) for name in ("r", "alpha", "a", "b")},
        # lifetimes fits on rescaled times; the log-likelihood is recomputed in days at its parameters.
        "bgnbd_log_likelihood": -float(BetaGeoFitter._negative_log_likelihood(
            np.log([bgf.params_[k] for k in ("r", "alpha", "a", "b")]), x, t_x, T, np.ones(len(x)), 0.0)) * len(x),
        "p_alive": bgf.conditional_probability_alive(x, t_x, T).tolist(),
        "expected_purchases_90": bgf.conditional_expected_number_of_purchases_up_to_time(90, x, t_x, T).tolist(),
        # P(N(t) = n) for a new customer, t = 90 days, n = 0..15.
        "new_customer_count_probability_90": [float(bgf.probability_of_n_purchases_up_to_time(90, n)) for n in range(16)],
        "bgnbd_weeks": {name: float(weeks.params_[name]) for name in ("r", "alpha", "a", "b")},
        "penalty": penalty,
        "bgnbd_weeks_penalised": dict(zip(("r", "alpha", "a", "b"), np.exp(best.x).tolist())),
        "bgnbd_weeks_penalised_gradient_norm": float(np.abs(best.jac).max()),
        "spend_penalty": spend_penalty,
        "gamma_gamma_penalised": {name: float(ggf_penalised.params_[name]) for name in ("p", "q", "v")},
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
