"""A gzip body compressed once, with per-response values spliced in at fixed gaps.

A cached public page seen by a signed-in visitor is the same for everyone with the same role except for the CSRF
token of its sign-out form (pagecache.py; an anonymous visitor's page has no gap at all and is compressed once
whole). Compressing the whole page again on every hit only to change those few bytes would cost most of a hit.
Instead the parts between the gaps are compressed once, each ending on a *full flush*: the compressor's state is
reset there, so no later part refers back across a gap. On a hit the per-response values go into the gaps as
*stored* (uncompressed) deflate blocks, and the gzip trailer (CRC-32 and length of the whole text) is computed over
the parts and the values — a few microseconds instead of a compression. The result is one ordinary gzip stream
(RFC 1951/1952), which every browser and ``gzip.decompress`` read.

Brotli cannot be spliced safely (its literal context depends on the preceding bytes, the secret ones included), so
such hits are sent as gzip.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, no mtime, best compression, unknown OS


@dataclass(frozen=True, slots=True)
class Spliced:
    """The parts of a text around its gaps: raw (for the CRC) and compressed (ready to send)."""

    raw: tuple[bytes, ...]
    deflated: tuple[bytes, ...]

    @property
    def gaps(self) -> int:
        return len(self.raw) - 1


def compress_parts(parts: list[bytes], level: int = 9) -> Spliced:
    """Compress ``parts`` (the text cut at its gaps) once. Every part but the last ends on a full flush, which
    also leaves the stream byte-aligned, so a stored block can follow."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
    deflated = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        deflated.append(compressor.compress(part) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH))
    return Spliced(raw=tuple(parts), deflated=tuple(deflated))


def _stored_block(data: bytes) -> bytes:
    """A non-final stored deflate block holding ``data`` (at most 65,535 bytes: a nonce or a token is ~100)."""
    length = len(data)
    return b"\x00" + struct.pack("<HH", length, length ^ 0xFFFF) + data


def splice(spliced: Spliced, values: list[bytes]) -> bytes:
    """The gzip stream of the parts with ``values[i]`` in gap ``i``."""
    if len(values) != spliced.gaps:
        raise ValueError(f"{spliced.gaps} gaps, {len(values)} values")
    out = [_GZIP_HEADER]
    crc = 0
    size = 0
    for index, part in enumerate(spliced.raw):
        out.append(spliced.deflated[index])
        crc = zlib.crc32(part, crc)
        size += len(part)
        if index < len(values):
            value = values[index]
            out.append(_stored_block(value))
            crc = zlib.crc32(value, crc)
            size += len(value)
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)
