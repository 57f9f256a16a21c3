"""rebuy rules computed by mlxtend (fpgrowth + association_rules), for the benchmark: the same
job as `rebuy rules tx.csv --item-col product --min-support S --min-confidence C --max-len L`
(read, group lines into baskets by order, mine, write the rules CSV).

    python rules_mlxtend.py tx.csv S C L out.csv [--dense] [--memory-limit GB]

mlxtend needs a one-hot DataFrame of baskets × items. By default it is sparse (pandas'
SparseDtype, which mlxtend's fpgrowth accepts; mlxtend 0.25 still computes the item supports
from its dense values); --dense builds the ordinary dense one, as mlxtend's examples do. --memory-limit caps the address space (RLIMIT_AS) so that a dense matrix
too large for the machine fails with MemoryError instead of swapping; the script then prints
how large the matrix would have been and exits with status 3.

Prints the in-process seconds (after imports) on standard error.
"""
import resource
import sys
import time

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import association_rules, fpgrowth
from mlxtend.preprocessing import TransactionEncoder


def main():
    path, support, confidence, max_len, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    dense = "--dense" in sys.argv
    if "--memory-limit" in sys.argv:
        limit = int(float(sys.argv[sys.argv.index("--memory-limit") + 1]) * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    start = time.perf_counter()
    tx = pd.read_csv(path, dtype={"customer_id": str, "date": str, "product": str, "order_id": str}, keep_default_na=False)
    buys = tx[(tx["amount"] >= 0) & (tx["product"] != "")]
    baskets = buys.groupby("order_id")["product"].agg(lambda s: sorted(set(s))).tolist()
    items = buys["product"].nunique()
    try:
        encoder = TransactionEncoder()
        encoder.fit(baskets)
        if dense:
            onehot = pd.DataFrame(encoder.transform(baskets), columns=encoder.columns_)
        else:
            onehot = pd.DataFrame.sparse.from_spmatrix(encoder.transform(baskets, sparse=True), columns=encoder.columns_)
        frequent = fpgrowth(onehot, min_support=support, use_colnames=True, max_len=max_len)
        rules = association_rules(frequent, num_itemsets=len(baskets), metric="confidence", min_threshold=confidence)
    except MemoryError:
        print(f"MemoryError: the dense one-hot matrix is {len(baskets):,} baskets × {items:,} items = "
              f"{len(baskets) * items / 2**30:.1f} GiB", file=sys.stdout)
        sys.exit(3)
    join = lambda s: "|".join(sorted(s))  # noqa: E731
    table = pd.DataFrame({
        "antecedents": rules["antecedents"].map(join), "consequents": rules["consequents"].map(join),
        "antecedent_support": rules["antecedent support"], "consequent_support": rules["consequent support"],
        "support": rules["support"], "confidence": rules["confidence"], "lift": rules["lift"],
        "leverage": rules["leverage"], "conviction": rules["conviction"].replace(np.inf, np.inf)})
    table.to_csv(out, index=False)
    print(f"{len(baskets)} baskets, {len(frequent)} itemsets, {len(rules)} rules")
    print(f"{time.perf_counter() - start:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
