"""The CJK font inside the HTML report: the glyphs a page uses, cut from the bundled Noto Sans CJK.

The report is one file that must show its Chinese on a machine without any CJK font, as its
figures do. :func:`font_face` cuts the font the plots use (Noto Sans CJK SC, shipped by the
``mplfonts`` package, see :mod:`unitynlp.plot`) down to the characters of a page with fontTools,
and returns it as a CSS ``@font-face`` rule with the font inline: WOFF2 where ``brotli`` is
installed, else WOFF. The page of the bundled corpus uses about 400 characters: 65-75 KB of font.
"""
from __future__ import annotations

import base64
import importlib.util
import io
import string
from functools import lru_cache
from pathlib import Path

from ..errors import UnityNLPError
from ..plot import FONT_FILE

FAMILY = "unitynlp CJK"
#: always in the font, whatever the page holds: printable ASCII and the common Chinese punctuation
BASIC = string.printable.strip() + " ，。、：；！？（）《》〈〉“”‘’「」『』【】…—–·％～"


class FontUnavailable(UnityNLPError):
    """The CJK font cannot be embedded: fontTools or the font file is missing."""


def cjk_font_path() -> Path:
    """The Noto Sans CJK SC file of ``mplfonts``, found without importing it (that imports matplotlib)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or spec.origin is None:
        raise FontUnavailable('mplfonts is not installed: pip install "unitynlp[plot]"')
    path = Path(spec.origin).parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise FontUnavailable(f"{path} is missing: reinstall mplfonts (pip install --force-reinstall mplfonts)")
    return path


def font_face(text: str) -> tuple[str, list[str]]:
    """A CSS ``@font-face`` rule of :data:`FAMILY` with the glyphs of ``text``, and notes on what it lacks.

    Raises :class:`FontUnavailable` when the font or fontTools is missing.
    """
    chars = "".join(sorted({c for c in text + BASIC if c.isprintable()}))
    data, flavor, missing = subset(chars)
    rule = (f'@font-face{{font-family:"{FAMILY}";font-display:block;'
            f'src:url(data:font/{flavor};base64,{base64.b64encode(data).decode("ascii")}) format("{flavor}")}}')
    notes = [f"{len(missing)} characters are not in the embedded font and need a system font: "
             + " ".join(missing[:40]) + (" …" if len(missing) > 40 else "")] if missing else []
    return rule, notes


@lru_cache(maxsize=8)
def subset(chars: str) -> tuple[bytes, str, str]:
    """The font cut to ``chars``: its bytes, their format ("woff2" or "woff") and the characters it lacks."""
    try:
        from fontTools import subset as cut
    except ImportError:
        raise FontUnavailable('fontTools is not installed: pip install "unitynlp[plot]"') from None
    # no layout features (they double the size, and CJK text needs none), no hinting; subroutines
    # inlined, which compresses better
    options = cut.Options(layout_features=[], name_IDs=[1, 2], hinting=False, desubroutinize=True,
                          flavor=_flavor())
    font = cut.load_font(str(cjk_font_path()), options)
    covered = font.getBestCmap()
    subsetter = cut.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buffer = io.BytesIO()
    cut.save_font(font, buffer, options)
    return buffer.getvalue(), options.flavor, "".join(c for c in chars if ord(c) not in covered)


def _flavor() -> str:
    try:
        import brotli  # noqa: F401  (fontTools compresses WOFF2 with it)
    except ImportError:
        return "woff"
    return "woff2"
