"""bench/dedup_pandas.py ACCOUNTS.csv MAPPING.csv: the exact-key clustering of bench/dedup in
pandas (run with /usr/bin/python3): the e-mail and phone normalizers of sbd as vectorized string
operations, the same placeholders, then label propagation iterated to convergence (each record
takes the smallest label among the records sharing one of its keys: groupby-min per key, until no
label changes), and the mapping record_id,entity_id written as CSV. Prints the iterations."""
import sys

import numpy as np
import pandas as pd

PLACEHOLDERS = ["n/a", "test@test.com", "none@none.com", "0000000000"]


def norm_email(s):
    e = s.str.strip().str.lower()
    has_at = e.str.contains("@", regex=False).fillna(False)
    parts = e.str.split("@", n=1)
    local = parts.str[0].str.replace(r"^(.+?)\+.*$", r"\1", regex=True)
    domain = parts.str[1]
    gmail = domain.isin(["gmail.com", "googlemail.com"])
    local = local.where(~gmail, local.str.replace(".", "", regex=False))
    domain = domain.where(~gmail, "gmail.com")
    out = e.where(~has_at, local + "@" + domain)
    return out.where(out != "")


def norm_phone(s):
    digits = s.str.replace(r"[^0-9]", "", regex=True)
    plus = s.str.match(r"^[^0-9]*\+").fillna(False)
    n = digits.str.len()
    out = np.select(
        [digits.isna() | (digits == ""), plus,
         (n > 2) & digits.str.startswith("00").fillna(False),
         (n > 10) & digits.str.startswith("1").fillna(False),
         digits.str.startswith("0").fillna(False)],
        [None, "+" + digits, "+" + digits.str[2:], "+" + digits, "+1" + digits.str[1:]],
        default="+1" + digits)
    return pd.Series(out, index=s.index, dtype=object)


def main():
    if len(sys.argv) != 3:
        print("usage: bench/dedup_pandas.py ACCOUNTS.csv MAPPING.csv", file=sys.stderr)
        sys.exit(2)
    df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, na_values=[""],
                     usecols=["record_id", "email", "phone"])
    ph = pd.Series(PLACEHOLDERS, dtype=object)
    keys = []
    for col, norm in (("email", norm_email), ("phone", norm_phone)):
        k = norm(df[col])
        k = k.where(~k.isin(set(norm(ph).dropna())))
        codes, _ = pd.factorize(k)  # -1 for missing
        keys.append(codes)
    lbl = np.arange(len(df), dtype=np.int64)
    iterations = 0
    while True:
        iterations += 1
        new = lbl.copy()
        for codes in keys:
            m = codes >= 0
            grp = pd.Series(new[m]).groupby(codes[m]).transform("min").to_numpy()
            new[m] = np.minimum(new[m], grp)
        changed = np.count_nonzero(new != lbl)
        lbl = new
        if changed == 0:
            break
    pd.DataFrame({"record_id": df["record_id"], "entity_id": lbl}).to_csv(sys.argv[2], index=False)
    print(iterations)


if __name__ == "__main__":
    main()
