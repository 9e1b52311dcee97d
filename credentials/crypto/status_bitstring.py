"""W3C Bitstring Status List v1.0: the bitstring behind a ``BitstringStatusListCredential``.

- §3.1 / §3.3: a list holds at least 16 KB (131,072 bits) so that one credential hides among many ("herd privacy");
  every bit starts at 0.
- §3.3: index 0 is the left-most bit of the bitstring, i.e. the most significant bit of the first byte.
- §2.1 / §3.3: ``encodedList`` is the Multibase base64url (no padding, prefix ``u``) of the GZIP-compressed bitstring.

The gzip member is written with mtime 0 and no file name so that the same bits always encode to the same text: a
republished list then changes only when a status changes. Decoding caps the uncompressed size, because the
``encodedList`` of a status list we did not issue is untrusted input and gzip can expand about a thousandfold.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import re
import zlib

MIN_BITS = 131_072
MAX_UNCOMPRESSED_BYTES = 16 * 1024 * 1024
MAX_ENCODED_LENGTH = 4 * 1024 * 1024
MULTIBASE_BASE64URL = "u"
BASE64URL_NO_PAD = re.compile(r"[A-Za-z0-9_-]*")


class StatusListError(ValueError):
    """A status list that is malformed, too small, too large, or an index outside it; the message is for a person."""


class StatusBitstring:
    """A fixed-length list of status bits, index 0 being the high bit of the first byte."""

    __slots__ = ("_bytes",)

    def __init__(self, length: int = MIN_BITS) -> None:
        """A list of ``length`` bits, all 0; ``length`` is a multiple of 8 and at least 131,072."""
        check_length(length)
        self._bytes = bytearray(length // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> StatusBitstring:
        """A list over a copy of raw bitstring bytes (already decompressed)."""
        check_length(len(data) * 8)
        bitstring = cls.__new__(cls)
        bitstring._bytes = bytearray(data)
        return bitstring

    @classmethod
    def decode(cls, encoded_list: str, *, max_bytes: int = MAX_UNCOMPRESSED_BYTES) -> StatusBitstring:
        """The list an ``encodedList`` value describes (§3.4 Bitstring Expansion), refusing oversized data."""
        return cls.from_bytes(decode_encoded_list(encoded_list, max_bytes=max_bytes))

    def __len__(self) -> int:
        return len(self._bytes) * 8

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatusBitstring):
            return NotImplemented
        return self._bytes == other._bytes

    __hash__ = None  # type: ignore[assignment]  # mutable, so not hashable

    def __repr__(self) -> str:
        return f"StatusBitstring(length={len(self)}, set={self.count()})"

    def get(self, index: int) -> bool:
        """Whether the bit at ``index`` is set."""
        byte, mask = self._locate(index)
        return bool(self._bytes[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        """Set the bit at ``index`` (or clear it with ``value=False``)."""
        byte, mask = self._locate(index)
        if value:
            self._bytes[byte] |= mask
        else:
            self._bytes[byte] &= ~mask & 0xFF

    def clear(self, index: int) -> None:
        """Clear the bit at ``index``."""
        self.set(index, False)

    def count(self) -> int:
        """How many bits are set."""
        return int.from_bytes(self._bytes, "big").bit_count()

    def set_indices(self) -> list[int]:
        """The indices of every set bit, in ascending order."""
        found = []
        for byte_index, byte in enumerate(self._bytes):
            if byte:
                found.extend(byte_index * 8 + bit for bit in range(8) if byte & (0x80 >> bit))
        return found

    def to_bytes(self) -> bytes:
        """The raw (uncompressed) bitstring."""
        return bytes(self._bytes)

    def encode(self) -> str:
        """The ``encodedList`` value: ``u`` + base64url (no padding) of the gzip of the bitstring; deterministic."""
        return encode_bytes(bytes(self._bytes))

    def _locate(self, index: int) -> tuple[int, int]:
        # bool is an int subclass; a True index is a caller's bug, not bit 1.
        if not isinstance(index, int) or isinstance(index, bool):
            raise StatusListError(f"a status list index must be an integer, not {type(index).__name__}")
        if not 0 <= index < len(self):
            raise StatusListError(f"status list index {index} is outside the list (0 to {len(self) - 1})")
        return index // 8, 0x80 >> (index % 8)


def check_length(length: int) -> None:
    """Refuse a bit length that is not a whole number of bytes or is below the 131,072-bit minimum (§3.1)."""
    if not isinstance(length, int) or isinstance(length, bool):
        raise StatusListError("a status list length must be an integer number of bits")
    if length < MIN_BITS:
        raise StatusListError(
            f"a status list must hold at least {MIN_BITS:,} bits (16 KB) for herd privacy; this one has {length:,}"
        )
    if length % 8:
        raise StatusListError(f"a status list length must be a multiple of 8 bits, not {length:,}")


def encode_bytes(data: bytes) -> str:
    """``u`` + base64url without padding of a deterministic gzip of ``data``."""
    buffer = io.BytesIO()
    # mtime=0 and no filename: identical input gives identical output, whatever the clock says.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as stream:
        stream.write(data)
    return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(buffer.getvalue()).rstrip(b"=").decode("ascii")


def decode_encoded_list(encoded_list: str, *, max_bytes: int = MAX_UNCOMPRESSED_BYTES) -> bytes:
    """The raw bitstring of an ``encodedList``; ``StatusListError`` if malformed or inflating past ``max_bytes``."""
    if not isinstance(encoded_list, str) or not encoded_list:
        raise StatusListError("encodedList must be a non-empty string")
    if len(encoded_list) > MAX_ENCODED_LENGTH:
        raise StatusListError(f"encodedList is longer than {MAX_ENCODED_LENGTH:,} characters")
    if not encoded_list.startswith(MULTIBASE_BASE64URL):
        raise StatusListError(f"encodedList must be multibase base64url, starting with 'u', not {encoded_list[:1]!r}")
    body = encoded_list[1:]
    # Checked up front: the standard decoder would also accept '+' and '/', which base64url does not use.
    if not BASE64URL_NO_PAD.fullmatch(body):
        raise StatusListError("encodedList must be base64url without padding (A-Z, a-z, 0-9, '-', '_')")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as error:
        raise StatusListError("encodedList is not valid base64url") from error
    return gunzip_capped(compressed, max_bytes)


def gunzip_capped(compressed: bytes, max_bytes: int) -> bytes:
    """Inflate one gzip member, stopping as soon as the output would pass ``max_bytes`` (a gzip bomb guard)."""
    # wbits 16 + MAX_WBITS: expect a gzip header and trailer (checked CRC-32 and length), not raw zlib.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        # max_length bounds the work done: a bomb is refused after inflating max_bytes + 1 bytes, not all of it.
        data = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as error:
        raise StatusListError(f"encodedList is not valid GZIP data ({error})") from error
    if len(data) > max_bytes:
        raise StatusListError(
            f"encodedList inflates to more than {max_bytes:,} bytes; refusing it as a possible compression bomb"
        )
    if not inflater.eof:
        raise StatusListError("encodedList is truncated: the GZIP data ends early")
    if inflater.unused_data:
        # A second gzip member or trailing bytes: readers could disagree about the list, so refuse it.
        raise StatusListError("encodedList has data after the end of the GZIP stream")
    return data
