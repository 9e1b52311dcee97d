"""The fonts a certificate is set in, shipped by PyPI packages, and a font configuration that knows no other font.

Source Serif Pro and Source Sans Pro (SIL Open Font License) come from the ``font-source-serif-pro`` and
``font-source-sans-pro`` packages, so ``pip install`` brings them and no host font is ever used.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from importlib.resources import files
from pathlib import Path

from weasyprint.text.ffi import ffi, fontconfig, pangoft2
from weasyprint.text.fonts import FontConfiguration

FONT_SCHEME = "microcred-font"

# (name in CSS URLs, CSS family, weight, style, package, file)
FONT_FACES: tuple[tuple[str, str, int, str, str, str], ...] = (
    ("serif-regular", "Certificate Serif", 400, "normal", "font_source_serif_pro", "SourceSerifPro-Regular.ttf"),
    ("serif-italic", "Certificate Serif", 400, "italic", "font_source_serif_pro", "SourceSerifPro-It.ttf"),
    ("serif-semibold", "Certificate Serif", 600, "normal", "font_source_serif_pro", "SourceSerifPro-Semibold.ttf"),
    ("sans-regular", "Certificate Sans", 400, "normal", "font_source_sans_pro", "SourceSansPro-Regular.ttf"),
    ("sans-italic", "Certificate Sans", 400, "italic", "font_source_sans_pro", "SourceSansPro-It.ttf"),
    ("sans-semibold", "Certificate Sans", 600, "normal", "font_source_sans_pro", "SourceSansPro-Semibold.ttf"),
    ("sans-bold", "Certificate Sans", 700, "normal", "font_source_sans_pro", "SourceSansPro-Bold.ttf"),
)


def font_files() -> dict[str, Path]:
    """The font files the fetcher may serve, by the name CSS asks for them with."""
    return {name: Path(str(files(package) / "files" / filename)) for name, _, _, _, package, filename in FONT_FACES}


def font_face_css() -> str:
    """@font-face rules for every face, pointing at the fetcher's private font URLs."""
    rules = [
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{FONT_SCHEME}:{name}"); }}'
        for name, family, weight, style, _, _ in FONT_FACES
    ]
    return "\n".join(rules)


def _fontconfig_library() -> ctypes.CDLL:
    for name in ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll"):
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    found = ctypes.util.find_library("fontconfig")
    if found is None:
        raise OSError("fontconfig, which WeasyPrint itself loads, could not be found")
    return ctypes.CDLL(found)


class OwnFontsOnly(FontConfiguration):
    """A WeasyPrint font configuration that starts empty: only @font-face fonts exist, never the host's.

    With the host's fonts gone, a character our fonts lack prints as a missing-glyph box instead of silently
    pulling in whatever font the server happens to have, so every server prints the same certificate.
    """

    def __init__(self) -> None:
        super().__init__()
        # WeasyPrint's bindings do not declare FcConfigCreate; call it through ctypes on the same library.
        library = _fontconfig_library()
        library.FcConfigCreate.restype = ctypes.c_void_p
        address = library.FcConfigCreate()
        if not address:
            raise MemoryError("fontconfig could not create an empty configuration")
        empty = ffi.cast("FcConfig *", address)
        pangoft2.pango_fc_font_map_set_config(ffi.cast("PangoFcFontMap *", self.font_map), empty)
        # The font map now holds its own reference, as it did for the configuration it replaces.
        fontconfig.FcConfigDestroy(empty)
        self._config = empty
