"""ClickHouse's compressed blocks (compress=1): CityHash128 v1.0.2 as the JDBC driver's own ClickHouseCityHash
computes it, and blocks that LZ4 unpacks to the original."""

from __future__ import annotations

import struct

import lz4.block  # type: ignore[import-untyped]
import pytest

from serving.sql_http.native_compression import cityhash128, compress

# (length, low, high) of bytes (i * 31 + 7) & 0xFF, from com.clickhouse.data.ClickHouseCityHash.cityHash128
# (clickhouse-data 0.10.0): every branch, short, 16..127 and the 128-byte loop with its tails.
VECTORS = [
    (0, 4463240938071824939, 4374473821787594281),
    (3, 16431346795443974804, 736915870427115965),
    (8, 17700494842309719712, 4455281980757960107),
    (15, 15660711748109445909, 10818713577742105459),
    (16, 4556009452579028808, 13009257177468814859),
    (31, 11204837013653744995, 15440279066858163563),
    (63, 3899470056668700944, 5890549979394749893),
    (100, 5314680370992360942, 1045210863014302675),
    (128, 13440496162066080582, 2643990098441148170),
    (129, 2559619116051653361, 7820985801821864203),
    (200, 7473100867072553547, 13015672622754047111),
    (300, 781323921264632517, 505198341990501618),
    (1000, 6449142114242702718, 9167539574455406817),
    (4096, 2004417187070633871, 8231823811872437179),
]


@pytest.mark.parametrize(("length", "low", "high"), VECTORS)
def test_cityhash128_matches_the_java_driver(length: int, low: int, high: int) -> None:
    assert cityhash128(bytes((i * 31 + 7) & 0xFF for i in range(length))) == (low, high)


@pytest.mark.parametrize("size", [0, 5, 1024 * 1024, 2 * 1024 * 1024 + 17])
def test_blocks_carry_their_checksum_and_unpack_to_the_data(size: int) -> None:
    data = bytes((i * 7) % 251 for i in range(size))
    out, at = bytearray(), 0
    packed = compress(data)
    while at < len(packed):
        low, high, method, with_header, raw_size = struct.unpack_from("<QQBII", packed, at)
        block = packed[at + 16 : at + 16 + with_header]
        assert method == 0x82 and cityhash128(block) == (low, high)
        out += lz4.block.decompress(block[9:], uncompressed_size=raw_size)
        at += 16 + with_header
    assert bytes(out) == data
