"""Install the Traditional Chinese font at set-up (issue #10 item 1; no runtime downloads).

Fontsource's Noto Sans TC (SIL Open Font License 1.1) comes from the npm registry, pinned by
version and checked against the registry's sha512 integrity. Two things are made of it, under
static/vendor/noto-sans-tc/ (not in git):

- for pages: Fontsource's own stylesheets and the woff2 slices they name; each slice has a
  `unicode-range`, so a browser downloads only the slices a page's characters need;
- for PDFs: one TrueType file merged from the regular-weight slices (12,000 glyphs, including
  the full-width punctuation the "chinese-traditional" slice lacks). WeasyPrint would load every
  slice of a unicode-range stylesheet for every document (over 20 s a PDF); one file loads once.

Usage: python tools/fetch_cjk_font.py [static/vendor/noto-sans-tc]   (idempotent)
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

VERSION = "5.3.0"
LAYOUT = "3"  # bump when what is made of the package changes: a re-run rebuilds it
URL = f"https://registry.npmjs.org/@fontsource/noto-sans-tc/-/noto-sans-tc-{VERSION}.tgz"
INTEGRITY = (
    "sha512-+0MguVH2vIxkVJLiaMHVKHk+yJZmZvMU9d8z88JdUx8C2CgMLOtm7WNloi3HYlvCN"
    "y7TpuvjIUvh5iiGp6INxQ=="
)
WEIGHTS = ("400", "700")
# The numbered slices are the CJK characters; named ones (latin, cyrillic…) the rest.
SLICE = re.compile(r"^package/files/noto-sans-tc-([a-z0-9-]+?)-(\d00)-normal\.woff2$")
PDF_FONT = "NotoSansTC-Regular.ttf"
# The stylesheets name a .woff fallback after each .woff2; every browser the portal supports
# reads woff2, and a stylesheet naming files that are not installed breaks collectstatic.
WOFF_FALLBACK = re.compile(r",\s*url\(\./files/[^)]+\.woff\)\s*format\('woff'\)")


def download() -> bytes:
    print(  # noqa: T201 (a set-up tool reports to its terminal)
        f"Fetching Noto Sans TC {VERSION} from the npm registry…", flush=True
    )
    with urllib.request.urlopen(URL, timeout=300) as response:  # a fixed https URL
        body = response.read()
    algorithm, expected = INTEGRITY.split("-", 1)
    digest = base64.b64encode(hashlib.new(algorithm, body).digest()).decode()
    if digest != expected:
        sys.exit(f"Noto Sans TC {VERSION}: the download does not match its {algorithm} integrity")
    return body


def install(target: Path) -> None:
    done = target / ".version"
    if (
        done.exists()
        and done.read_text().strip() == f"{VERSION}/{LAYOUT}"
        and (target / PDF_FONT).exists()
    ):
        return
    (target / "files").mkdir(parents=True, exist_ok=True)
    regular_slices: list[tuple[int, bytes]] = []
    with tarfile.open(fileobj=io.BytesIO(download()), mode="r:gz") as archive:
        for member in archive.getmembers():
            name = member.name
            match = SLICE.match(name)
            if match and match.group(2) in WEIGHTS:
                data = archive.extractfile(member).read()
                (target / "files" / Path(name).name).write_bytes(data)
                if match.group(2) == "400" and match.group(1).isdigit():
                    regular_slices.append((int(match.group(1)), data))
            elif name in {f"package/{weight}.css" for weight in WEIGHTS}:
                css = archive.extractfile(member).read().decode()
                (target / Path(name).name).write_text(WOFF_FALLBACK.sub("", css))
            elif name == "package/LICENSE":
                (target / Path(name).name).write_bytes(archive.extractfile(member).read())
    merge_for_pdf(sorted(regular_slices), target / PDF_FONT)
    done.write_text(f"{VERSION}/{LAYOUT}\n")
    print(  # noqa: T201 (a set-up tool reports to its terminal)
        f"Noto Sans TC {VERSION} installed in {target}", flush=True
    )


def merge_for_pdf(slices: list[tuple[int, bytes]], path: Path) -> None:
    """The slices are cut from one font, so their glyphs merge into one cmap; the layout tables
    (vertical metrics, OpenType features across slices) are dropped: a PDF of horizontal text
    needs neither."""
    from fontTools.merge import Merger, Options  # noqa: PLC0415 (a set-up tool's dependency)
    from fontTools.ttLib import TTFont  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        parts = []
        for number, data in slices:
            font = TTFont(io.BytesIO(data))
            font.flavor = None
            part = Path(folder) / f"{number}.ttf"
            font.save(part)
            parts.append(str(part))
        merged = Merger(
            options=Options(drop_tables=["vhea", "vmtx", "VORG", "GSUB", "GPOS", "GDEF"])
        ).merge(parts)
        merged["name"].setName("Noto Sans TC", 1, 3, 1, 0x409)
        merged.save(path)


if __name__ == "__main__":
    install(Path(sys.argv[1] if len(sys.argv) > 1 else "static/vendor/noto-sans-tc"))
