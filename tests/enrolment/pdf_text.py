"""The visible text of a PDF that WeasyPrint wrote, read with the standard library only.

WeasyPrint embeds subset fonts addressed by two-byte glyph ids, each font with a ToUnicode CMap.
This reads every CMap (bfchar and bfrange), then decodes the hex strings shown between BT and ET in
the page content streams, one line per text object. Enough to check what an invoice says; not a
general PDF parser.
"""

from __future__ import annotations

import re
import zlib


def _streams(data: bytes) -> list[tuple[bytes, bytes]]:
    found = []
    for match in re.finditer(rb"<<((?:(?!>>\s*stream).)*?)>>\s*stream\r?\n", data, re.S):
        header = match.group(1)
        length = re.search(rb"/Length (\d+)", header)
        if length is None:
            continue
        raw = data[match.end(): match.end() + int(length.group(1))]
        found.append((header, zlib.decompress(raw) if b"FlateDecode" in header else raw))
    return found


def pdf_text(data: bytes) -> str:
    cmap: dict[bytes, str] = {}
    contents = []
    for _header, body in _streams(data):
        if b"begincmap" in body:
            for block in re.findall(rb"beginbfchar(.*?)endbfchar", body, re.S):
                for source, target in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                    text = bytes.fromhex(target.decode()).decode("utf-16-be")
                    # Every font is a subset of the same family: one glyph id must mean one character.
                    assert cmap.get(source.lower(), text) == text, f"glyph {source!r} maps to two characters"
                    cmap[source.lower()] = text
            for block in re.findall(rb"beginbfrange(.*?)endbfrange", body, re.S):
                for first, last, target in re.findall(
                    rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
                ):
                    for glyph in range(int(first, 16), int(last, 16) + 1):
                        cmap[b"%04x" % glyph] = chr(int(target, 16) + glyph - int(first, 16))
        elif b"BT" in body:
            contents.append(body)
    lines = []
    for body in contents:
        for block in re.findall(rb"BT(.*?)ET", body, re.S):
            glyphs = b"".join(g.lower() for g in re.findall(rb"<([0-9a-fA-F]+)>", block))
            lines.append("".join(cmap.get(glyphs[i:i + 4], "\ufffd") for i in range(0, len(glyphs), 4)))
    return "\n".join(lines)
