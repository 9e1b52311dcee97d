"""Bitstring Status List v1.0: bit order, encoding, round trips and hostile encodedList values."""

import base64
import gzip
import random
import time
import zlib

import pytest

from credentials.crypto.status_bitstring import (
    MAX_UNCOMPRESSED_BYTES,
    MIN_BITS,
    StatusBitstring,
    StatusListError,
    decode_encoded_list,
)

# The encodedList of an empty minimum-size list, pinned: re-encoding must give these exact characters every time.
EMPTY_LIST_PREFIX = "uH4sIAAAAAAAC_-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def test_index_zero_is_the_high_bit_of_the_first_byte():
    bits = StatusBitstring()
    bits.set(0)
    assert bits.to_bytes()[:2] == b"\x80\x00"
    bits.set(7)
    bits.set(8)
    assert bits.to_bytes()[:2] == b"\x81\x80"
    assert [bits.get(i) for i in range(10)] == [True, False, False, False, False, False, False, True, True, False]


def test_set_clear_get_and_count():
    bits = StatusBitstring()
    assert len(bits) == MIN_BITS == 131_072
    assert len(bits.to_bytes()) == 16 * 1024
    bits.set(MIN_BITS - 1)
    bits.set(42)
    bits.set(42)  # setting twice is harmless
    assert bits.count() == 2 and bits.set_indices() == [42, MIN_BITS - 1]
    bits.clear(42)
    bits.set(MIN_BITS - 1, False)
    assert not bits.get(42) and bits.count() == 0
    assert bits.to_bytes()[-1] == 0


@pytest.mark.parametrize("index", [-1, MIN_BITS, 10**9])
def test_index_outside_the_list_is_refused(index):
    with pytest.raises(StatusListError, match="outside the list"):
        StatusBitstring().get(index)


@pytest.mark.parametrize("index", [True, 1.0, "3"])
def test_index_must_be_an_integer(index):
    with pytest.raises(StatusListError, match="must be an integer"):
        StatusBitstring().set(index)


@pytest.mark.parametrize("length", [0, 8, MIN_BITS - 8, MIN_BITS + 1])
def test_lengths_below_the_herd_privacy_minimum_or_not_whole_bytes_are_refused(length):
    with pytest.raises(StatusListError, match=r"at least 131,072 bits|multiple of 8"):
        StatusBitstring(length)


def test_empty_list_encodes_to_a_fixed_value():
    encoded = StatusBitstring().encode()
    assert encoded.startswith(EMPTY_LIST_PREFIX)
    assert encoded == StatusBitstring().encode()
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded


def test_encoding_is_multibase_base64url_of_gzip_with_mtime_zero():
    bits = StatusBitstring()
    bits.set(3)
    encoded = bits.encode()
    assert encoded[0] == "u"
    compressed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert compressed[:3] == b"\x1f\x8b\x08"  # gzip magic and deflate
    assert compressed[4:8] == b"\0\0\0\0"  # mtime 0: the same bits always give the same text
    assert gzip.decompress(compressed) == bits.to_bytes()


def test_round_trip_of_random_bits():
    rng = random.Random(20250601)
    bits = StatusBitstring()
    chosen = sorted(rng.sample(range(MIN_BITS), 1000))
    for index in chosen:
        bits.set(index)
    decoded = StatusBitstring.decode(bits.encode())
    assert decoded == bits
    assert decoded.set_indices() == chosen
    assert decoded.encode() == bits.encode()


def test_larger_lists_round_trip():
    bits = StatusBitstring(MIN_BITS * 4)
    bits.set(MIN_BITS * 4 - 1)
    decoded = StatusBitstring.decode(bits.encode())
    assert len(decoded) == MIN_BITS * 4 and decoded.get(MIN_BITS * 4 - 1)


def test_list_from_another_implementation_decodes():
    # Built independently with the standard library's gzip (with a timestamp and a name, unlike ours).
    raw = bytearray(MIN_BITS // 8)
    raw[0] = 0b0100_0000  # index 1
    raw[1250] = 0b0000_0001  # index 10,007
    compressed = gzip.compress(bytes(raw), mtime=1_700_000_000)
    decoded = StatusBitstring.decode("u" + b64url(compressed))
    assert decoded.set_indices() == [1, 10_007]


def test_gzip_bomb_is_refused_quickly():
    # 256 MiB of zeros compresses to about 250 KB; decoding must stop at the 16 MiB cap, not inflate it all.
    compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    bomb = b"".join(compressor.compress(chunk) for _ in range(256)) + compressor.flush()
    assert len(bomb) < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(StatusListError, match="compression bomb"):
        StatusBitstring.decode("u" + b64url(bomb))
    assert time.perf_counter() - started < 2.0


def test_cap_is_adjustable_and_exact():
    encoded = StatusBitstring().encode()
    assert len(decode_encoded_list(encoded, max_bytes=16 * 1024)) == 16 * 1024
    with pytest.raises(StatusListError, match="more than 16,383 bytes"):
        decode_encoded_list(encoded, max_bytes=16 * 1024 - 1)
    assert MAX_UNCOMPRESSED_BYTES == 16 * 1024 * 1024


@pytest.mark.parametrize(
    ("encoded_list", "message"),
    [
        ("", "non-empty string"),
        ("z" + b64url(gzip.compress(bytes(16 * 1024))), "starting with 'u'"),
        (b64url(gzip.compress(bytes(16 * 1024))), "starting with 'u'"),
        ("u" + base64.b64encode(gzip.compress(bytes(16 * 1024), mtime=0)).decode(), "base64url"),
        ("u@@@@", "base64url without padding"),
        ("uA", "not valid base64url"),
        ("u" + b64url(b"not gzip at all"), "not valid GZIP"),
        ("u" + b64url(gzip.compress(bytes(16 * 1024))[:-12]), "truncated"),
        ("u" + b64url(gzip.compress(bytes(16 * 1024)) + b"junk"), "after the end"),
        ("u" + b64url(gzip.compress(bytes(1024))), "at least 131,072 bits"),
        ("u" + "A" * (5 * 1024 * 1024), "longer than"),
    ],
    # Named ids: gzip stamps the current time into its output, so ids made from the values differed between
    # pytest-xdist workers that collected a second apart, and xdist refuses a suite collected differently.
    ids=[
        "empty",
        "multibase-z",
        "no-multibase-prefix",
        "padded-base64",
        "not-base64url",
        "one-character",
        "not-gzip",
        "truncated-gzip",
        "junk-after-gzip",
        "too-short",
        "too-long",
    ],
)
def test_malformed_encoded_lists_are_refused(encoded_list, message):
    with pytest.raises(StatusListError, match=message):
        StatusBitstring.decode(encoded_list)


def test_errors_are_value_errors_and_repr_hides_nothing_secret():
    assert issubclass(StatusListError, ValueError)
    bits = StatusBitstring()
    bits.set(5)
    assert repr(bits) == "StatusBitstring(length=131072, set=1)"
