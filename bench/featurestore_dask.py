"""bench/featurestore_dask.py CUSTOMERS.csv ORDERS.jsonl OUTDIR: the demo's feature groups
computed with Dask the way its users do it: the JSON Lines read with dask.bag.read_text, parsed
with json.loads and made a dataframe, grouped by customer, outer-joined with the customers CSV,
then the segment derived from the result. Dask's default schedulers (threads for dataframes).
Debian's python has no Parquet engine (pyarrow, fastparquet), so the groups are written as CSV.
Prints the rows of each group so that bench/featurestore can check them.
"""
import json
import sys

import dask.bag as db
import dask.dataframe as dd
import numpy as np
import pandas as pd


def main():
    customers_csv, orders_jsonl, out = sys.argv[1:4]
    meta = pd.DataFrame({"order_id": pd.Series(dtype="int64"),
                         "customer_id": pd.Series(dtype="int64"),
                         "ts": pd.Series(dtype="object"),
                         "amount": pd.Series(dtype="float64"),
                         "distance": pd.Series(dtype="float64"),
                         "category": pd.Series(dtype="object")})
    orders = db.read_text(orders_jsonl, blocksize="64MiB").map(json.loads).to_dataframe(meta=meta)
    per_customer = orders.groupby("customer_id").agg(
        distance=("distance", "mean"), n_orders=("order_id", "count"),
        total_amount=("amount", "sum"), last_order=("ts", "max"))
    customers = dd.read_csv(customers_csv, usecols=["id", "gender", "age", "city", "signup_date"],
                            blocksize="64MiB")
    customer = customers.merge(per_customer, left_on="id", right_index=True, how="outer")
    customer["distance"] = customer["distance"].round(2)
    customer["total_amount"] = customer["total_amount"].round(2)
    customer = customer.compute()
    customer.to_csv(f"{out}/customer.csv", index=False)
    segment = pd.DataFrame({
        "id": customer["id"],
        "segment": np.where(customer["total_amount"] >= 1000, "high",
                            np.where(customer["total_amount"] >= 300, "medium", "low"))})
    segment.to_csv(f"{out}/customer_segment.csv", index=False)
    print(len(customer), len(segment))


if __name__ == "__main__":
    main()
