"""A satisfaction rate as every page and workbook shows it: in percent with one decimal, rounded
half up, beside its 95 % Wilson interval (samples are small: 20 to 60 questionnaires)."""

import math
from decimal import ROUND_HALF_UP, Decimal

# The 97.5 % quantile of the standard normal distribution: a two-sided 95 % interval.
Z95 = 1.959963984540054


ONE_DECIMAL = Decimal("0.1")


def wilson_interval(satisfied: int, valid: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for satisfied/valid; unlike the textbook p ± z·√(p(1−p)/n)
    it stays inside 0..1 and is honest for small samples and rates near 100 %."""
    if valid <= 0:
        return None
    p = satisfied / valid
    z2 = z * z
    denominator = 1 + z2 / valid
    centre = (p + z2 / (2 * valid)) / denominator
    half = z * math.sqrt(p * (1 - p) / valid + z2 / (4 * valid * valid)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def percent(fraction: float | Decimal) -> Decimal:
    """A fraction as a percentage with one decimal, rounded half up: 0.8875 → 88.8."""
    return (Decimal(str(fraction)) * 100).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def rate_percent(satisfied: int, valid: int) -> Decimal | None:
    return percent(satisfied / valid) if valid else None


def interval_percent(satisfied: int, valid: int) -> tuple[Decimal, Decimal] | None:
    bounds = wilson_interval(satisfied, valid)
    return None if bounds is None else (percent(bounds[0]), percent(bounds[1]))


def sample_text(satisfied: int | None, valid: int | None, sample_size: int | None = None) -> str:
    """The rate as every page, table and workbook shows it, never without its sample:
    "93.3%（有效问卷30份，95%区间 78.7%–98.2%）", and "样本不足" when the valid questionnaires
    fall short of the required sample size."""
    from django.utils.translation import gettext as _

    if not valid:
        return _("无有效问卷")
    rate = rate_percent(satisfied or 0, valid)
    low, high = interval_percent(satisfied or 0, valid) or (rate, rate)
    if sample_size and valid < sample_size:
        sample = _("有效问卷%(valid)d份，少于规定%(size)d份，样本不足") % {
            "valid": valid,
            "size": sample_size,
        }
    else:
        sample = _("有效问卷%(valid)d份") % {"valid": valid}
    return _("%(rate)s%%（%(sample)s；95%%区间 %(low)s%%–%(high)s%%）") % {
        "rate": rate,
        "sample": sample,
        "low": low,
        "high": high,
    }
