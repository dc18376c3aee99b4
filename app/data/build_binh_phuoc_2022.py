"""Regenerate binh_phuoc_2022.csv from the legacy (three-tier) list of `vietnam-provinces`.

The shipped CSV was produced once with:

    pip download --no-deps vietnam-provinces==0.6.0 -d /tmp/vp
    unzip -o /tmp/vp/vietnam_provinces-0.6.0-py3-none-any.whl -d /tmp/vp
    python app/data/build_binh_phuoc_2022.py /tmp/vp/vietnam_provinces/data/nested-divisions.json

Release 0.6.0 is the last one holding the 2022 list (63 provinces, districts, communes); the
2025 releases hold only the two-tier list. Official codes are zero-padded: province 2 digits,
district 3, commune 5.
"""

import csv
import json
import sys
from pathlib import Path

PROVINCE_CODE = 70
OUTPUT = Path(__file__).with_name("binh_phuoc_2022.csv")


def build_rows(divisions: list[dict]) -> list[dict[str, str]]:
    province = next(p for p in divisions if p["code"] == PROVINCE_CODE)
    province_code = f"{province['code']:02d}"
    rows = [
        {"code": province_code, "name": province["name"], "kind": "province", "parent_code": ""}
    ]
    for district in province["districts"]:
        district_code = f"{district['code']:03d}"
        rows.append(
            {
                "code": district_code,
                "name": district["name"],
                "kind": "district",
                "parent_code": province_code,
            }
        )
        rows.extend(
            {
                "code": f"{ward['code']:05d}",
                "name": ward["name"],
                "kind": "commune",
                "parent_code": district_code,
            }
            for ward in district["wards"]
        )
    return rows


def main(nested_divisions_json: str) -> None:
    rows = build_rows(json.loads(Path(nested_divisions_json).read_text(encoding="utf-8")))
    with OUTPUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["code", "name", "kind", "parent_code"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{OUTPUT.name}: {len(rows)} units")


if __name__ == "__main__":
    main(sys.argv[1])
