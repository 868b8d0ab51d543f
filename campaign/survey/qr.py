"""QR codes for the printed survey cards, drawn by segno as inline SVG: sharp at any print
size, no image files, no JavaScript."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    # Error correction M survives a crease or a smudge; the URL holds no user input but our
    # own token, and segno escapes nothing we pass, so marking it safe is sound.
    code = segno.make(url, error="m", micro=False)
    return mark_safe(code.svg_inline(scale=3, border=2, omitsize=True))
