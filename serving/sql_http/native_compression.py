"""ClickHouse's own compressed blocks (`compress=1`), what the JDBC driver asks for by default: per block a
CityHash128 (v1.0.2, the version ClickHouse froze) of the rest, method 0x82 (LZ4), sizes, the LZ4 block."""

from __future__ import annotations

import struct

import lz4.block  # type: ignore[import-untyped]

_MASK = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F
_K3 = 0xC949D7C7509E6557
_KMUL = 0x9DDFEA08EB382D69
_LZ4 = 0x82
_HEADER = 9
# ClickHouse's max_compress_block_size
_BLOCK = 1024 * 1024


def compress(data: bytes) -> bytes:
    """`data` as ClickHouse's compressed blocks."""
    out = bytearray()
    for start in range(0, max(len(data), 1), _BLOCK):
        raw = data[start : start + _BLOCK]
        packed = lz4.block.compress(raw, store_size=False)
        block = struct.pack("<BII", _LZ4, len(packed) + _HEADER, len(raw)) + packed
        low, high = cityhash128(block)
        out += struct.pack("<QQ", low, high) + block
    return bytes(out)


def _f64(s: bytes, i: int) -> int:
    return int(struct.unpack_from("<Q", s, i)[0])


def _f32(s: bytes, i: int) -> int:
    return int(struct.unpack_from("<I", s, i)[0])


def _rot(v: int, shift: int) -> int:
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _MASK


def _mix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int) -> int:
    a = ((u ^ v) * _KMUL) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * _KMUL) & _MASK
    b ^= b >> 47
    return (b * _KMUL) & _MASK


def _len0to16(s: bytes, off: int, n: int) -> int:
    if n > 8:
        a = _f64(s, off)
        b = _f64(s, off + n - 8)
        return _len16(a, _rot((b + n) & _MASK, n)) ^ b
    if n >= 4:
        a = _f32(s, off)
        return _len16((n + (a << 3)) & _MASK, _f32(s, off + n - 4))
    if n > 0:
        a, b, c = s[off], s[off + (n >> 1)], s[off + n - 1]
        y = (a + (b << 8)) & 0xFFFFFFFF
        z = (n + (c << 2)) & 0xFFFFFFFF
        return (_mix(((y * _K2) ^ (z * _K3)) & _MASK) * _K2) & _MASK
    return _K2


def _weak32(s: bytes, off: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = _f64(s, off), _f64(s, off + 8), _f64(s, off + 16), _f64(s, off + 24)
    a = (a + w) & _MASK
    b = _rot((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rot(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def _murmur(s: bytes, off: int, n: int, seed: tuple[int, int]) -> tuple[int, int]:
    a, b = seed
    left = n - 16
    if left <= 0:
        a = (_mix((a * _K1) & _MASK) * _K1) & _MASK
        c = (b * _K1 + _len0to16(s, off, n)) & _MASK
        d = _mix((a + (_f64(s, off) if n >= 8 else c)) & _MASK)
    else:
        c = _len16((_f64(s, off + n - 8) + _K1) & _MASK, a)
        d = _len16((b + n) & _MASK, (c + _f64(s, off + n - 16)) & _MASK)
        a = (a + d) & _MASK
        while True:
            a ^= (_mix((_f64(s, off) * _K1) & _MASK) * _K1) & _MASK
            a = (a * _K1) & _MASK
            b ^= a
            c ^= (_mix((_f64(s, off + 8) * _K1) & _MASK) * _K1) & _MASK
            c = (c * _K1) & _MASK
            d ^= c
            off += 16
            left -= 16
            if left <= 0:
                break
    a = _len16(a, c)
    b = _len16(d, b)
    return a ^ b, _len16(b, a)


def _with_seed(s: bytes, off: int, n: int, seed: tuple[int, int]) -> tuple[int, int]:
    if n < 128:
        return _murmur(s, off, n, seed)
    x, y = seed
    z = (n * _K1) & _MASK
    v0 = (_rot(y ^ _K1, 49) * _K1 + _f64(s, off)) & _MASK
    v1 = (_rot(v0, 42) * _K1 + _f64(s, off + 8)) & _MASK
    w0 = (_rot((y + z) & _MASK, 35) * _K1 + x) & _MASK
    w1 = (_rot((x + _f64(s, off + 88)) & _MASK, 53) * _K1) & _MASK
    while True:
        for _ in range(2):
            x = (_rot((x + y + v0 + _f64(s, off + 16)) & _MASK, 37) * _K1) & _MASK
            y = (_rot((y + v1 + _f64(s, off + 48)) & _MASK, 42) * _K1) & _MASK
            x ^= w1
            y ^= v0
            z = _rot(z ^ w0, 33)
            v0, v1 = _weak32(s, off, (v1 * _K1) & _MASK, (x + w0) & _MASK)
            w0, w1 = _weak32(s, off + 32, (z + w1) & _MASK, y)
            z, x = x, z
            off += 64
        n -= 128
        if n < 128:
            break
    y = (y + _rot(w0, 37) * _K0 + z) & _MASK
    x = (x + _rot((v0 + z) & _MASK, 49) * _K0) & _MASK
    done = 0
    while done < n:
        done += 32
        y = (_rot((y - x) & _MASK, 42) * _K0 + v1) & _MASK
        w0 = (w0 + _f64(s, off + n - done + 16)) & _MASK
        x = (_rot(x, 49) * _K0 + w0) & _MASK
        w0 = (w0 + v0) & _MASK
        v0, v1 = _weak32(s, off + n - done, v0, v1)
    x = _len16(x, v0)
    y = _len16(y, w0)
    return (_len16((x + v1) & _MASK, w1) + y) & _MASK, _len16((x + w1) & _MASK, (y + v1) & _MASK)


def cityhash128(s: bytes) -> tuple[int, int]:
    """CityHash128 v1.0.2 of `s`, as (low, high) 64-bit halves."""
    n = len(s)
    if n >= 16:
        return _with_seed(s, 16, n - 16, (_f64(s, 0) ^ _K3, _f64(s, 8)))
    if n >= 8:
        return _with_seed(b"", 0, 0, (_f64(s, 0) ^ ((n * _K0) & _MASK), _f64(s, n - 8) ^ _K1))
    return _with_seed(s, 0, n, (_K0, _K1))
