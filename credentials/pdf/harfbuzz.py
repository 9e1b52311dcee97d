"""Whether WeasyPrint can subset fonts with HarfBuzz (fast) or must fall back to fontTools (about 6 times slower)."""

from __future__ import annotations

import ctypes
import ctypes.util

# The names WeasyPrint itself tries, for Linux, macOS and Windows.
SUBSET_LIBRARIES = ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll")
HARFBUZZ_LIBRARIES = ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")
# WeasyPrint uses the HarfBuzz subsetter only from this version on (it needs hb_set_add_sorted_array).
MINIMUM_VERSION = (4, 1, 0)


def _load(names: tuple[str, ...], short_name: str) -> ctypes.CDLL | None:
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    # Last, the linker's own search (it runs ldconfig, so only when the usual names failed).
    found = ctypes.util.find_library(short_name)
    try:
        return ctypes.CDLL(found) if found else None
    except OSError:
        return None


def harfbuzz_subset_available() -> bool:
    """True when libharfbuzz-subset loads and HarfBuzz is recent enough for WeasyPrint to use it."""
    # Checked with ctypes, not by importing WeasyPrint, so that the answer comes without WeasyPrint's own warning.
    if _load(SUBSET_LIBRARIES, "harfbuzz-subset") is None:
        return False
    harfbuzz = _load(HARFBUZZ_LIBRARIES, "harfbuzz")
    if harfbuzz is None:
        return False
    harfbuzz.hb_version_atleast.argtypes = [ctypes.c_uint, ctypes.c_uint, ctypes.c_uint]
    harfbuzz.hb_version_atleast.restype = ctypes.c_int
    return bool(harfbuzz.hb_version_atleast(*MINIMUM_VERSION))
