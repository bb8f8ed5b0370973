"""The HTML report: its Chinese readable on any machine (a subset of the CJK font inside the page),
tables with readable columns and missing values shown empty.

The Chromium tests render the page with a fontconfig that knows one Latin font only, so every
Chinese glyph on the screen must come from the page itself; they skip when Chromium is not
installed (Debian: ``apt-get install -y chromium``).
"""
import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from unitynlp.analyze import Analysis, fonts
from unitynlp.analyze.report import CUT, report_html, table_html

TITLE = "工作报告分析"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-headless-shell")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                    "(apt-get install -y chromium)")


def _font_available() -> bool:
    try:
        import fontTools  # noqa: F401
        fonts.cjk_font_path()
    except (ImportError, fonts.FontUnavailable):
        return False
    return True


needs_font = pytest.mark.skipif(not _font_available(), reason='needs fontTools and mplfonts (unitynlp[plot])')


@pytest.fixture(scope="module")
def page() -> str:
    """The report of the bundled corpus (no figures: they are pictures, not text)."""
    from unitynlp import read_corpus
    from unitynlp.analyze import analyze

    return report_html(analyze(read_corpus()), {}, title=TITLE)


class _Text(HTMLParser):
    """The text a browser shows of a page (not its styles)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], False

    def handle_starttag(self, tag, attrs):
        self._skip = tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip = False

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def shown_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "".join(parser.parts)


def cjk(text: str) -> str:
    """The distinct wide (East Asian) characters of ``text``, in order: what a Latin font cannot draw."""
    return "".join(sorted({c for c in text if unicodedata.east_asian_width(c) in "WF" and c.isprintable()}))


def embedded_font(page: str):
    from fontTools.ttLib import TTFont

    found = re.search(r'@font-face\{font-family:"([^"]+)";.*?base64,([A-Za-z0-9+/=]+)\) format\("(woff2?)"\)', page)
    assert found, "no @font-face with an inline font"
    family, data, flavor = found.groups()
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    assert font.flavor == flavor
    return family, font, len(base64.b64decode(data))


def cells(page: str) -> list[str]:
    return [c for c in re.findall(r"<td[^>]*>(.*?)</td>", page, flags=re.S)]


# --- the page ------------------------------------------------------------------------------------

@needs_font
def test_the_embedded_font_has_a_glyph_for_every_character_the_page_shows(page):
    family, font, size = embedded_font(page)
    text = shown_text(page)
    assert TITLE in text and "民族团结进步" in text
    covered = set(map(chr, font.getBestCmap()))
    lacking = {c for c in text if not c.isspace()} - covered
    assert not lacking, f"characters the page shows but the font lacks: {''.join(sorted(lacking))}"
    body = re.search(r"body\{font-family:([^;]+);", page).group(1)
    assert body.startswith(f'"{family}",'), "the embedded font comes first"
    assert body.endswith("sans-serif"), "then the system's fonts"


@needs_font
def test_the_embedded_font_is_cut_to_the_page(page):
    _, font, size = embedded_font(page)
    characters = len({c for c in shown_text(page) + fonts.BASIC if c.isprintable()})
    assert len(font.getGlyphOrder()) <= characters + 1  # .notdef
    assert size < 100_000, f"{size} bytes of font for {characters} characters"


def test_no_table_shows_na_nan_none_or_a_whole_number_with_point_zero(page):
    shown = cells(page)
    assert len(shown) > 500
    assert not {"&lt;NA&gt;", "<NA>", "nan", "NaN", "None", "NaT", "null"} & set(shown)
    assert not [c for c in shown if re.fullmatch(r"-?\d+\.0", c)]


def test_columns_are_classed_by_what_they_hold(page):
    documents = re.search(r"<h2>documents</h2>.*?</table></div>", page, flags=re.S).group(0)
    kinds = {name: kind for kind, name in re.findall(r"<th class='(\w+)'>(\w+)</th>", documents)}
    assert kinds["title"] == "short" and kinds["year"] == "num" and kinds["source"] == "text"
    assert "<div class='table'><table>" in documents  # scrolls sideways in its own box


@pytest.mark.parametrize("values, shown", [
    (pd.Series([2019, None], dtype="Int64"), ["2019", ""]),          # the year of the issue: not <NA>
    (pd.Series([1.0, np.nan]), ["1", ""]),                             # ints made float by a gap
    (pd.Series([28.571428571, 1e-7, -0.5]), ["28.5714", "1e-07", "-0.5"]),
    (pd.Series([np.float32(2.5), np.float32(np.nan)]), ["2.5", ""]),
    (pd.Series(["民族", None], dtype=object), ["民族", ""]),
    (pd.Series(["民族", pd.NA], dtype="string"), ["民族", ""]),
    (pd.Series(["", "a"]), ["", "a"]),
    (pd.Series([True, None], dtype="boolean"), ["True", ""]),
    (pd.Series([pd.Timestamp("2020-01-02"), pd.NaT]), ["2020-01-02 00:00:00", ""]),
    (pd.Series([[1, 2], None], dtype=object), ["[1, 2]", ""]),
    (pd.Series(["<b>&", "x"]), ["&lt;b&gt;&amp;", "x"]),
])
def test_cells_show_values_as_a_reader_expects(values, shown):
    assert cells(table_html(values.to_frame("v"))) == shown


@pytest.mark.parametrize("values, kind", [
    (pd.Series([1, 2]), "num"), (pd.Series([0.5, np.nan]), "num"), (pd.Series([2019, None], dtype="Int64"), "num"),
    (pd.Series(["推進民族團結進步"]), "short"), (pd.Series([True, False]), "short"),
    (pd.Series(["/work/main/unitynlp/corpora/seed/seed-1.txt"]), "text"), (pd.Series([None, "x" * 21]), "text"),
])
def test_columns_are_kept_on_one_line_unless_their_text_is_long(values, kind):
    html = table_html(values.to_frame("v"))
    assert f"<th class='{kind}'>v</th>" in html and f"<td class='{kind}'>" in html


def test_long_text_is_cut_in_tables_but_not_in_the_summary():
    long = "团" * (CUT + 5)
    analysis = Analysis({"summary": pd.DataFrame({"item": ["note"], "value": [long]}),
                         "facts": pd.DataFrame({"sentence": [long]})})
    shown = cells(report_html(analysis, {}, title="t"))
    assert shown == ["note", long, "团" * CUT + "…"]


def test_notes_written_after_the_summary_show_in_the_report():
    analysis = Analysis({"summary": pd.DataFrame({"item": ["note"], "value": ["in the summary"]})},
                        notes=["in the summary", "figures skipped: no matplotlib"])
    page = report_html(analysis, {}, title="t")
    assert "<p class='note'>figures skipped: no matplotlib</p>" in page
    assert "<p class='note'>in the summary</p>" not in page


@pytest.mark.parametrize("missing", ["font file", "fontTools"])
def test_without_the_font_the_report_is_written_in_system_fonts_and_says_so(monkeypatch, missing):
    if missing == "font file":
        monkeypatch.setattr(fonts, "FONT_FILE", "NoSuchFont.otf")
    else:
        monkeypatch.setitem(sys.modules, "fontTools", None)  # import fails
    fonts.subset.cache_clear()
    try:
        analysis = Analysis({"summary": pd.DataFrame({"item": ["documents"], "value": ["1"]}),
                             "documents": pd.DataFrame({"title": ["民族团结"], "year": pd.array([None], "Int64")})})
        page = report_html(analysis, {}, title=TITLE)
    finally:
        fonts.subset.cache_clear()
    assert "@font-face" not in page and fonts.FAMILY not in page
    assert "body{font-family:\"Noto Sans CJK SC\"" in page
    note = re.search(r"Chinese text is shown in the system's fonts \(no CJK font embedded: ([^)]*)\)",
                     shown_text(page))
    assert note and ("NoSuchFont.otf is missing" in note.group(1) if missing == "font file"
                     else "fontTools is not installed" in note.group(1))
    assert cells(page)[-2:] == ["民族团结", ""]


@needs_font
def test_characters_the_font_lacks_are_named_in_a_note():
    rule, notes = fonts.font_face("民族\u0915")  # Devanagari: not in Noto Sans CJK
    assert rule.startswith('@font-face{font-family:"unitynlp CJK"')
    assert notes == ["1 characters are not in the embedded font and need a system font: \u0915"]


@needs_font
def test_the_embedded_font_is_the_same_bytes_in_every_process():
    code = ("from unitynlp.analyze.fonts import font_face; import hashlib, sys; "
            "sys.stdout.write(hashlib.sha256(font_face('民族团结进步 2019年')[0].encode()).hexdigest())")
    runs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "2")]  # side by side
    digests = {run.communicate(timeout=120)[0] for run in runs}
    assert [run.returncode for run in runs] == [0, 0] and len(digests) == 1


# --- rendered by Chromium without any CJK font on the machine -------------------------------------

@pytest.fixture
def latin_only(tmp_path) -> dict:
    """An environment whose fontconfig knows one Latin font (DejaVu Sans, where installed) and no other."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    for found in sorted(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"))[:1]:
        shutil.copy(found, folder)
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{folder}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>
""", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def chromium(url: str, env: dict, profile: Path, *options: str) -> str:
    """Run headless Chromium on ``url`` (a fresh profile, nothing fetched from outside); its stdout."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--hide-scrollbars", "--force-device-scale-factor=1", *options, url]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=True).stdout


GRID, COLUMNS = 56, 20  # each character drawn alone in a 56-pixel square, 20 to a row


def glyph_grid(style: str, characters: str) -> str:
    """A page with the report's styles that draws each character alone at a known place."""
    boxes = "".join(f"<div style='position:absolute;left:{i % COLUMNS * GRID}px;top:{i // COLUMNS * GRID}px;"
                    f"width:{GRID}px;height:{GRID}px;font-size:40px;line-height:{GRID}px;text-align:center;"
                    f"overflow:hidden'>{c}</div>" for i, c in enumerate(characters))
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{style}</head><body>{boxes}</body></html>"


def glyph_pictures(page: str, characters: str, tmp_path: Path, env: dict, name: str) -> list[bytes]:
    from PIL import Image

    file, shot = tmp_path / f"{name}.html", tmp_path / f"{name}.png"
    file.write_text(page, encoding="utf-8")
    rows = -(-len(characters) // COLUMNS)
    chromium(file.as_uri(), env, tmp_path / f"profile-{name}", f"--window-size={COLUMNS * GRID},{rows * GRID}",
             f"--screenshot={shot}")
    image = Image.open(shot).convert("L")
    return [image.crop((i % COLUMNS * GRID, i // COLUMNS * GRID, (i % COLUMNS + 1) * GRID,
                        (i // COLUMNS + 1) * GRID)).tobytes() for i in range(len(characters))]


@needs_chromium
@needs_font
def test_chromium_draws_every_chinese_character_of_the_report_from_the_page_alone(page, tmp_path, latin_only):
    pytest.importorskip("PIL")
    style = re.search(r"<style>.*?</style>", page, flags=re.S).group(0)
    characters = cjk(shown_text(page))
    assert len(characters) > 300
    blank = bytes([255]) * GRID * GRID
    # the check is sound: without the page's font this machine draws no Chinese, only one box for all
    stripped = glyph_pictures(glyph_grid(re.sub(r"@font-face\{[^}]*\}", "", style), characters), characters,
                              tmp_path, latin_only, "stripped")
    assert len(set(stripped)) == 1, "a CJK font is visible to Chromium: the test is not hermetic"
    embedded = glyph_pictures(glyph_grid(style, characters), characters, tmp_path, latin_only, "embedded")
    assert blank not in embedded
    assert stripped[0] not in embedded, "some characters are drawn as boxes"
    same = len(characters) - len(set(embedded))
    assert same == 0, f"{same} characters are drawn alike"


PROBE = """<script>
document.fonts.ready.then(() => {
  const found = {fonts: [...document.fonts].map(f => f.family + " " + f.status), cells: []};
  for (const td of document.querySelectorAll("td")) {
    const range = document.createRange();
    range.selectNodeContents(td);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    found.cells.push([td.className, td.textContent, lines, td.getBoundingClientRect().width]);
  }
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(found);
  document.body.append(out);
});
</script>"""


@needs_chromium
@needs_font
def test_chromium_lays_the_tables_out_readably_in_the_embedded_font(page, tmp_path, latin_only):
    file = tmp_path / "report.html"
    file.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium(file.as_uri(), latin_only, tmp_path / "profile", "--window-size=1280,1000",
                   "--virtual-time-budget=10000", "--dump-dom")
    found = json.loads(re.search(r'<pre id="probe">(.*?)</pre>', dom, flags=re.S).group(1).replace("&amp;", "&")
                       .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"'))
    assert found["fonts"] == [f"{fonts.FAMILY} loaded"]
    wrapped = [(text, lines) for kind, text, lines, _ in found["cells"] if kind in ("short", "num") and lines > 1]
    assert not wrapped, f"short values broken over lines: {wrapped[:5]}"
    titles = [(text, width) for kind, text, _, width in found["cells"] if "團結" in text and kind == "short"]
    assert titles and all(width > len(text) * 10 for text, width in titles)  # not one character wide
    long = [width for kind, _, _, width in found["cells"] if kind == "text"]
    assert min(long) >= 16 * 0.85 * 16 - 1, "long text keeps a readable width (16em of the table's font)"
