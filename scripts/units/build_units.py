#!/usr/bin/env python3
"""Builds the bundled list of Vietnam's administrative units (before and after the
reform of 1 July 2025) and the old -> new correspondence, as CSV files in
crates/server/units/.

Source: the national list of administrative units (danh mục đơn vị hành chính, General
Statistics Office) as carried by the PyPI package vietnamadminunits 1.0.4 (MIT,
Copyright (c) 2025 Tran Ngoc Minh Hieu). The wheel is fetched with pip, checked against
its SHA-256 and read with the standard library only (zipfile, sqlite3, json, csv).

    python3 scripts/units/build_units.py            # fetch with pip, build, verify
    python3 scripts/units/build_units.py --wheel X  # use an already downloaded wheel

Output is deterministic: sorted rows, UTF-8 without BOM, NFC text, LF line endings.

How the correspondence is read (as vietnamadminunits/converter/converter_2025.py does):
an old commune is named by the key "<provinceKey>_<districtKey>_<wardKey>" of its row in
admin_units_legacy (wardKey empty for the five island districts that had no commune
level). Its new province is the key of DICT_PROVINCE whose list holds its old province
key. The converter looks the old key up first in DICT_PROVINCE_WARD_NO_DIVIDED[newProv]
(the new ward whose list holds it: the commune went whole to that unit), then in
DICT_PROVINCE_WARD_DIVIDED[newProv][oldKey] (the commune was divided; the entry with
isDefaultNewWard is the one it converts to without a street address). A new ward key is
then resolved inside its new province (admin_units, provinceKey + wardKey). The script
asserts that every key resolves to exactly one row, so the mapping to codes is exact.
"""

import argparse
import csv
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

PACKAGE = "vietnamadminunits"
VERSION = "1.0.4"
WHEEL = f"{PACKAGE}-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "737ee3662e877290386c1c45ed4d71f2e5fae34ab6fb9c64bfb4cb74b216ea35"

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "server" / "units"


def nfc(s):
    return unicodedata.normalize("NFC", s) if s is not None else ""


def coord(x):
    """At most 5 decimals, no trailing zeros; empty when unknown."""
    if x is None:
        return ""
    s = f"{float(x):.5f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fetch_wheel(tmp):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", f"{PACKAGE}=={VERSION}", "--no-deps",
         "--only-binary=:all:", "--disable-pip-version-check", "-d", str(tmp)],
        check=True, stdout=sys.stderr)
    return Path(tmp) / WHEEL


def write_csv(path, header, rows):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", help="a downloaded vietnamadminunits-1.0.4 wheel (else pip download)")
    ap.add_argument("--out", default=str(OUT), help="output folder (default crates/server/units)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    tmp = Path(tempfile.mkdtemp(prefix="vau-"))
    try:
        wheel = Path(args.wheel) if args.wheel else fetch_wheel(tmp)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            sys.exit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}")
        with zipfile.ZipFile(wheel) as z:
            (tmp / "dataset.db").write_bytes(z.read(f"{PACKAGE}/data/dataset.db"))
            conv = json.loads(z.read(f"{PACKAGE}/data/converter_2025.json"))
            licence = z.read(f"{PACKAGE}-{VERSION}.dist-info/licenses/LICENSE")
        db = sqlite3.connect(tmp / "dataset.db")
        db.row_factory = sqlite3.Row
        new_rows = [dict(r) for r in db.execute("SELECT * FROM admin_units")]
        old_rows = [dict(r) for r in db.execute("SELECT * FROM admin_units_legacy")]
        db.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # ---- 2025 units, keyed as the converter names them ----
    new_by_key = {}
    for r in new_rows:
        k = (r["provinceKey"], r["wardKey"])
        assert k not in new_by_key, f"duplicated 2025 key {k}"
        new_by_key[k] = r
    assert len({r["wardCode"] for r in new_rows}) == len(new_rows), "duplicated 2025 code"

    # ---- pre-2025 units ----
    old_by_key = {}
    for r in old_rows:
        k = f'{r["provinceKey"]}_{r["districtKey"]}_{r["wardKey"] or ""}'
        assert k.count("_") == 2 and k not in old_by_key, f"bad or duplicated legacy key {k}"
        old_by_key[k] = r
    codes = [r["wardCode"] for r in old_rows if r["wardCode"]]
    assert len(set(codes)) == len(codes), "duplicated legacy code"

    # ---- correspondence ----
    prov_of = {}
    for newp, olds in conv["DICT_PROVINCE"].items():
        for oldp in olds:
            assert oldp not in prov_of, f"old province {oldp} in two new provinces"
            prov_of[oldp] = newp
    succ = defaultdict(list)  # old key -> [(new key, main)]
    for newp, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for neww, olds in wards.items():
            for o in olds:
                succ[o].append(((newp, neww), True, "whole"))
    for newp, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for o, news in olds.items():
            assert sum(1 for n in news if n["isDefaultNewWard"]) == 1, f"{o}: not one default"
            for n in news:
                succ[o].append(((newp, n["newWardKey"]), bool(n["isDefaultNewWard"]), "divided"))
    assert set(succ) == set(old_by_key), "converter and legacy table name different communes"
    reform = []
    for o, lst in succ.items():
        kinds = {k for _, _, k in lst}
        assert len(kinds) == 1, f"{o} both whole and divided"
        if kinds == {"whole"}:
            assert len(lst) == 1, f"{o} merged whole into several units"
        assert len({n for n, _, _ in lst}) == len(lst), f"{o}: a successor listed twice"
        r = old_by_key[o]
        for n, main, _ in lst:
            assert n[0] == prov_of[r["provinceKey"]], f"{o} -> {n}: not in its new province"
            nr = new_by_key[n]  # KeyError if a new key does not resolve
            reform.append((r, nr, main))

    # ---- write ----
    write_csv(out / "units-2025.csv",
              ["province_code", "province_name", "code", "name", "level_name", "lat", "lon"],
              sorted(([r["provinceCode"], nfc(r["province"]), r["wardCode"], nfc(r["ward"]),
                       nfc(r["wardType"]), coord(r["wardLat"]), coord(r["wardLon"])]
                      for r in new_rows), key=lambda x: (x[0], x[2])))
    write_csv(out / "units-legacy.csv",
              ["province_code", "province_name", "district_code", "district_name",
               "district_level", "code", "name", "level_name", "lat", "lon"],
              sorted(([r["provinceCode"], nfc(r["province"]), r["districtCode"],
                       nfc(r["district"]), nfc(r["districtType"]), r["wardCode"] or "",
                       nfc(r["ward"]), nfc(r["wardType"]),
                       coord(r["wardLat"] if r["wardCode"] else r["districtLat"]),
                       coord(r["wardLon"] if r["wardCode"] else r["districtLon"])]
                      for r in old_rows), key=lambda x: (x[0], x[2], x[5])))
    write_csv(out / "reform-2025.csv",
              ["old_code", "old_name", "new_code", "new_name", "main",
               "old_province_code", "new_province_code", "old_district_code"],
              sorted(([r["wardCode"] or "", nfc(r["ward"] or r["district"]), n["wardCode"],
                       nfc(n["ward"]), "1" if main else "0", r["provinceCode"],
                       n["provinceCode"], r["districtCode"]] for r, n, main in reform),
                     key=lambda x: (x[0], x[7], x[4] != "1", x[2])))
    (out / "LICENSE-vietnamadminunits").write_bytes(licence.replace(b"\r\n", b"\n"))

    verify(new_rows, old_rows, reform)


def verify(new_rows, old_rows, reform):
    """Prints the counts the README quotes; exits non-zero if one is off."""
    fails = []

    def check(label, found, expected):
        ok = found == expected
        print(f"{'ok  ' if ok else 'FAIL'} {label}: {found} (expected {expected})")
        if not ok:
            fails.append(label)

    communes = [r for r in old_rows if r["wardCode"]]
    islands = [r for r in old_rows if not r["wardCode"]]
    oid = lambda r: (r["districtCode"], r["wardCode"])  # island rows: district only
    check("2025 provinces", len({r["provinceCode"] for r in new_rows}), 34)
    check("2025 units", len(new_rows), 3321)
    check("2025 units by type", dict(sorted(Counter(r["wardType"] for r in new_rows).items())),
          {"Phường": 687, "Xã": 2621, "Đặc khu": 13})
    check("pre-2025 provinces", len({r["provinceCode"] for r in old_rows}), 63)
    check("pre-2025 districts", len({r["districtCode"] for r in old_rows}), 696)
    check("pre-2025 rows (communes + island districts without communes)", len(old_rows), 10040)
    check("pre-2025 communes", len(communes), 10035)
    check("island districts without communes", sorted(r["district"] for r in islands),
          ["Huyện Bạch Long Vĩ", "Huyện Côn Đảo", "Huyện Cồn Cỏ", "Huyện Hoàng Sa", "Huyện Lý Sơn"])
    rows_per = Counter(oid(r) for r, _, _ in reform)
    mains_per = Counter(oid(r) for r, _, m in reform if m)
    check("pre-2025 rows absent from reform", sum(1 for r in old_rows if oid(r) not in rows_per), 0)
    check("pre-2025 rows without exactly one main", sum(1 for r in old_rows if mains_per[oid(r)] != 1), 0)
    check("2025 units absent from reform", len({r["wardCode"] for r in new_rows} - {n["wardCode"] for _, n, _ in reform}), 0)
    check("reform rows", len(reform), 10602)
    old_codes = {r["wardCode"] for r in communes}
    check("2025 codes that were a pre-2025 commune's code",
          sum(1 for r in new_rows if r["wardCode"] in old_codes), 3316)
    check("pre-2025 communes divided between 2+ units", sum(1 for v in rows_per.values() if v > 1), 471)

    nb_old = [r for r in old_rows if r["provinceCode"] in ("35", "36", "37")]
    nb = [(r, n, m) for r, n, m in reform if n["provinceCode"] == "37"]
    nb_rows = Counter(oid(r) for r, _, _ in nb)
    check("Ninh Bình: old provinces merged", sorted({r["province"] for r, _, _ in nb}),
          ["Tỉnh Hà Nam", "Tỉnh Nam Định", "Tỉnh Ninh Bình"])
    check("Ninh Bình: old communes", len(nb_old), 398)
    check("Ninh Bình: new units", len({n["wardCode"] for _, n, _ in nb}), 129)
    check("Ninh Bình: new units in units-2025", sum(1 for r in new_rows if r["provinceCode"] == "37"), 129)
    check("Ninh Bình: divided old communes", sum(1 for v in nb_rows.values() if v > 1), 6)
    print("Ninh Bình, divided old communes (main successor first):")
    for key in sorted(k for k, v in nb_rows.items() if v > 1):
        lst = sorted([x for x in nb if oid(x[0]) == key], key=lambda x: (not x[2], x[1]["wardCode"]))
        r = lst[0][0]
        succ = "; ".join(f'{n["wardCode"]} {n["ward"]}{" (main)" if m else ""}' for _, n, m in lst)
        print(f'  {r["wardCode"]} {r["ward"]}, {r["district"]}, {r["province"]} -> {succ}')
    if fails:
        sys.exit(f"{len(fails)} check(s) failed: {', '.join(fails)}")


if __name__ == "__main__":
    main()
