"""Money is stored in whole yuan; people, policy and spreadsheets speak 万元."""

from decimal import Decimal, InvalidOperation

YUAN_PER_WAN = 10000


def yuan_to_wan(yuan: int | None) -> Decimal | None:
    if yuan is None:
        return None
    wan = Decimal(yuan).scaleb(-4)
    return wan.quantize(Decimal(1)) if wan == wan.to_integral_value() else wan.normalize()


def wan_to_yuan(wan: Decimal) -> int:
    """Raise ValueError unless the amount is a whole number of yuan (at most 4 decimals in 万元)."""
    try:
        yuan = wan * YUAN_PER_WAN
    except InvalidOperation as exc:
        raise ValueError(str(wan)) from exc
    if yuan != yuan.to_integral_value():
        raise ValueError(str(wan))
    return int(yuan)
