"""Decoding: BOMs, legacy Chinese/Vietnamese encodings chosen by score, normalization."""

from __future__ import annotations

import unicodedata

import pytest

from pipeline.text.decode import (
    DecodeError,
    decode_bytes,
    normalize_text,
    sniff_binary,
    strip_stray_tags,
)

VI = "Mỹ và Nga đã thiết lập một đường dây nóng để tránh tính toán sai lầm."
ZH = "美国国防部长奥斯汀与俄罗斯国防部长绍伊古进行了通话，双方讨论了乌克兰问题。"
ZH_TW = "美國國防部長奧斯汀與俄羅斯國防部長紹伊古通電話，這是俄烏衝突以來兩人的首次通話。"
TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Encode like a Windows-1258 editor: precomposed bases, combining tone marks."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out += (base + "".join(c for c in parts if c in TONES)).encode("cp1258")
    return bytes(out)


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (VI.encode("utf-8"), "utf-8", VI),
        (b"\xef\xbb\xbf" + VI.encode("utf-8"), "utf-8-sig", VI),  # Notepad's UTF-8 BOM
        ("\ufeff".encode("utf-16-le") + VI.encode("utf-16-le"), "utf-16", VI),
        ("\ufeff".encode("utf-16-be") + ZH.encode("utf-16-be"), "utf-16", ZH),
        (ZH.encode("gb18030"), "gb18030", ZH),
        (ZH.encode("gbk"), "gb18030", ZH),  # GBK is a subset of GB18030
        (ZH_TW.encode("big5"), "big5", ZH_TW),  # Taiwanese/Hong Kong sites
        (cp1258(VI), "cp1258", VI),  # old Vietnamese sites: tone marks decode as combining
    ],
)
def test_decodes_supported_encodings(data: bytes, encoding: str, text: str) -> None:
    decoded = decode_bytes(data)
    assert decoded.encoding == encoding
    assert decoded.text == text
    assert unicodedata.is_normalized("NFC", decoded.text)


def test_cp1258_really_gives_combining_marks_before_nfc() -> None:
    raw = cp1258(VI).decode("cp1258")
    assert not unicodedata.is_normalized("NFC", raw)
    assert decode_bytes(cp1258(VI)).text == VI


def test_invalid_in_every_encoding_is_an_error() -> None:
    with pytest.raises(DecodeError, match="not UTF-8"):
        decode_bytes(b"abc \x81\x8d\x80\xff def")


def test_implausible_decoding_is_an_error() -> None:
    # Valid GB18030 and cp1258 byte soup, but neither reads as Chinese or Vietnamese.
    soup = bytes(range(0xA1, 0xFE)) * 3
    with pytest.raises(DecodeError):
        decode_bytes(soup)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("từ một số\xa0quốc gia khác\xa0vốn", "từ một số quốc gia khác vốn"),  # seed 000
        ("a\u200bb\ufeffc\u00add", "abcd"),  # zero-width and soft hyphen
        ("x\u3000y\u2009z\r\nw", "x y z\nw"),
    ],
)
def test_normalize_text(raw: str, clean: str) -> None:
    assert normalize_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("30 lần.< /span>", "30 lần."),  # seed 004
        ("x<span class='a'>y</span>", "xy"),
        ("a < b > c", "a < b > c"),  # not a tag: left alone
        ("1 <p 2", "1 <p 2"),
    ],
)
def test_strip_stray_tags(raw: str, clean: str) -> None:
    assert strip_stray_tags(raw) == clean


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
        (b"PK\x03\x04rest", "zip archive"),
        (b"\xff\xd8\xff\xe0", "JPEG image"),
        (b"text\x00with nul", "binary data (contains NUL bytes)"),
        ("\ufeffhi".encode("utf-16-le"), None),  # NULs, but a UTF-16 BOM
        (b"plain text", None),
    ],
)
def test_sniff_binary(data: bytes, kind: str | None) -> None:
    assert sniff_binary(data) == kind


@pytest.mark.parametrize(
    ("text", "decoded"),
    [
        # IWSLT'15 writes quotes as entities; decoded once, at ingest
        ("nói , &quot; Tôi sẽ đi &quot; .", 'nói , " Tôi sẽ đi " .'),
        ("Nói &apos; không &apos; .", "Nói ' không ' ."),
        ("&amp;quot; stays &quot; once", '&quot; stays " once'),
        ("AT&T, R&D, &copy without a semicolon", "AT&T, R&D, &copy without a semicolon"),
        ("a&nbsp;b &#x4E2D;&#25991;", "a b 中文"),
    ],
)
def test_entities_in_plain_text_are_decoded_once(text: str, decoded: str) -> None:
    from pipeline.text.decode import decode_entities

    assert decode_entities(text) == decoded
