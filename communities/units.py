"""Money is stored in whole yuan; people, policy and spreadsheets speak 万元."""

from decimal import Decimal, InvalidOperation
from typing import overload

YUAN_PER_WAN = 10000


def yuan_to_wan(yuan: int | None) -> Decimal | None:
    if yuan is None:
        return None
    return plain_decimal(Decimal(yuan).scaleb(-4))


@overload
def plain_decimal(value: None) -> None: ...
@overload
def plain_decimal(value: Decimal | int | str) -> Decimal: ...
def plain_decimal(value: Decimal | int | str | None) -> Decimal | None:
    """A Decimal without trailing zeros or exponent: 1018.00 → 1018, 4.0 → 4, 0.850 → 0.85."""
    if value is None:
        return None
    normalized = Decimal(value).normalize()
    if normalized == normalized.to_integral_value():
        return normalized.quantize(Decimal(1))
    return normalized


def wan_to_yuan(wan: Decimal) -> int:
    """Raise ValueError unless the amount is a whole number of yuan (at most 4 decimals in 万元)."""
    try:
        yuan = wan * YUAN_PER_WAN
    except InvalidOperation as exc:
        raise ValueError(str(wan)) from exc
    if yuan != yuan.to_integral_value():
        raise ValueError(str(wan))
    return int(yuan)
