"""The current (two-tier, since 1 July 2025) unit list of one province, from `vietnam-provinces`."""

from flask_babel import gettext as _
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from app.units.importing import UnitRow


class UnknownProvinceError(Exception):
    pass


def current_province_rows(province_code: str) -> list[UnitRow]:
    """The province and its communes (xã, phường, đặc khu) as import rows, codes zero-padded."""
    valid_codes = sorted(code.value for code in ProvinceCode)
    try:
        province = Province.from_code(ProvinceCode(int(province_code)))
    except ValueError:
        raise UnknownProvinceError(
            _(
                "No province has code “%(code)s” in the current list. Valid codes: %(codes)s.",
                code=province_code,
                codes=", ".join(f"{code:02d}" for code in valid_codes),
            )
        ) from None
    code = f"{province.code.value:02d}"
    rows = [UnitRow(1, code, _official_province_name(province), "province", None)]
    wards = sorted(Ward.iter_by_province(province.code), key=lambda ward: ward.code.value)
    rows.extend(
        UnitRow(line, f"{ward.code.value:05d}", ward.name, "commune", code)
        for line, ward in enumerate(wards, start=2)
    )
    return rows


def _official_province_name(province: Province) -> str:
    # The package writes "Thành phố Hà Nội" but plain "Cao Bằng" for a tỉnh.
    if province.division_type == VietNamDivisionType.TINH and not province.name.startswith("Tỉnh"):
        return f"Tỉnh {province.name}"
    return province.name
