"""The frozen records that travel between stages, one JSONL line each.

Every record has ``to_dict`` (JSON-ready, tuples become lists) and
``from_dict`` (validates required fields and types, ignores unknown keys so
files written by newer versions or by other tools still load). Validation
raises ``ValueError`` naming the field and the value.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

ROLES = ("title", "body", "caption", "byline", "boilerplate")
DOC_STATUSES = ("ok", "skipped", "error")
TRANSLATION_STATUSES = ("translated", "identity", "untranslated")


class Record:
    """Mixin giving a frozen dataclass JSON conversion and validation.

    Each subclass gets its own encoder and decoder, generated as Python code on
    first use from its fields and type hints (as ``dataclasses`` builds
    ``__init__``): a JSONL file of 50,000 records is decoded without asking
    ``typing`` about every field of every record again.
    """

    # Fields holding a tuple of records: name -> record class.
    _nested: ClassVar[dict[str, type[Record]]] = {}

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain JSON-ready data."""
        encode = _ENCODERS.get(type(self)) or _compile(type(self), _encoder_source, _ENCODERS)
        return encode(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build a record from a mapping, checking required fields and types.

        Args:
            data: one decoded JSON object.

        Returns:
            The record.

        Raises:
            ValueError: a required field is missing or a value has the wrong type.
        """
        decode = _DECODERS.get(cls) or _compile(cls, _decoder_source, _DECODERS)
        return decode(data)


_DECODERS: dict[type, Callable[[Any], Any]] = {}
_ENCODERS: dict[type, Callable[[Any], Any]] = {}
_SCALARS = frozenset((str, int, float, bool, type(None)))


def _compile(cls: type, source: Callable[..., str], table: dict[type, Any]) -> Any:
    """Generate, compile and remember one class's encoder or decoder."""
    namespace: dict[str, Any] = {"cls": cls, "Mapping": Mapping, "MISSING": dataclasses.MISSING}
    namespace["plain"] = _plain
    exec(source(cls, typing.get_type_hints(cls), namespace), namespace)
    table[cls] = namespace["codec"]
    return table[cls]


def _decoder_source(cls: type, hints: dict[str, Any], namespace: dict[str, Any]) -> str:
    """A decoder checking each field in order; each error names the field and the value."""
    owner = cls.__name__
    lines = [
        "def codec(data):",
        "    if type(data) is not dict and not isinstance(data, Mapping):",
        f"        raise ValueError(f'{owner}: expected an object, got {{type(data).__name__}}')",
    ]
    nested: dict[str, type[Record]] = getattr(cls, "_nested", {})
    for n, f in enumerate(dataclasses.fields(cls)):
        v, where = f"v{n}", f"{owner}.{f.name}"
        lines += [f"    {v} = data.get({f.name!r}, MISSING)", f"    if {v} is MISSING:"]
        namespace[f"d{n}"] = f.default
        if f.default_factory is not dataclasses.MISSING:
            namespace[f"d{n}"] = f.default_factory
            lines.append(f"        {v} = d{n}()")
        elif f.default is not dataclasses.MISSING:
            lines.append(f"        {v} = d{n}")
        else:
            lines.append(f"        raise ValueError({f'{owner}: missing field {f.name!r}'!r})")
        lines.append("    else:")
        if f.name in nested:
            namespace[f"r{n}"] = nested[f.name].from_dict
            lines += _check(v, "(list, tuple)", where, "expected a list, got", "        ")
            lines.append(f"        {v} = tuple([r{n}(item) for item in {v}])")
        else:
            lines += _field_check(v, hints[f.name], where) or ["        pass"]
    args = ", ".join(f"{f.name}=v{n}" for n, f in enumerate(dataclasses.fields(cls)))
    return "\n".join([*lines, f"    return cls({args})"])


def _field_check(v: str, hint: Any, where: str) -> list[str]:
    """Check and convert one value: ``X | None`` admits None, other unions are not supported."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return _simple_check(v, hint, where, "", "        ")
    inner = [a for a in args if a is not type(None)]
    if len(inner) != 1 or len(args) != 2:
        raise TypeError(f"{where}: records support X | None unions only, not {hint}")
    body = _simple_check(v, inner[0], where, "unexpected value", "            ")
    return [f"        if {v} is not None:", *body] if body else []


def _simple_check(v: str, hint: Any, where: str, message: str, pad: str) -> list[str]:
    origin = typing.get_origin(hint)
    if origin is tuple:
        lines = _check(v, "(list, tuple)", where, message or "expected a list, got", pad)
        return [*lines, f"{pad}{v} = tuple({v})"]
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        lines = _check(v, "Mapping", where, message or "expected an object, got", pad)
        return [*lines, f"{pad}{v} = dict({v})"]
    if hint is float:
        bad = f"isinstance({v}, bool) or not isinstance({v}, (int, float))"
        lines = _check(v, "", where, message or "expected a number, got", pad + "    ", bad)
        return [f"{pad}if type({v}) is not float:", *lines, f"{pad}    {v} = float({v})"]
    if hint in (int, bool, str):
        bad = f"not isinstance({v}, {hint.__name__})"
        bad += f" or isinstance({v}, bool)" if hint is int else ""
        return _check(v, "", where, message or f"expected {hint.__name__}, got", pad, bad)
    return []  # any other hint (Any, a class): taken as it is


def _check(v: str, kinds: str, where: str, message: str, pad: str, bad: str = "") -> list[str]:
    return [
        f"{pad}if {bad or f'not isinstance({v}, {kinds})'}:",
        f"{pad}    raise ValueError(f'{where}: {message} {{{v}!r:.80}}')",
    ]


def _encoder_source(cls: type, hints: dict[str, Any], namespace: dict[str, Any]) -> str:
    """An encoder copying scalar fields and making the others plain."""
    items = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        scalar = set(typing.get_args(hint) if union else (hint,)) <= _SCALARS
        items.append(f"{f.name!r}: " + (f"self.{f.name}" if scalar else f"plain(self.{f.name})"))
    return f"def codec(self):\n    return {{{', '.join(items)}}}"


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if isinstance(value, Record):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def check_choice(owner: str, name: str, value: str, choices: tuple[str, ...]) -> None:
    """Raise ``ValueError`` naming the field when ``value`` is not one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{owner}.{name}: {value!r} is not one of {', '.join(choices)}")


@dataclass(frozen=True)
class Paragraph(Record):
    """One line block of a cleaned document, with the role the cleaner gave it.

    ``scores`` keeps the numbers the decision was made from (position, length,
    punctuation density, repetition, marker hits...), so a reviewer can see why.
    """

    index: int
    role: str
    text: str
    lang: str = "und"
    lang_confidence: float = 0.0
    scores: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_choice("Paragraph", "role", self.role, ROLES)


@dataclass(frozen=True)
class Document(Record):
    """One input file after ingest and clean (and detect)."""

    _nested: ClassVar[dict[str, type[Record]]] = {"paragraphs": Paragraph}

    doc_id: str
    path: str
    sha256: str | None
    status: str
    error: str | None = None
    encoding: str | None = None
    bidi_removed: int = 0  # bidirectional control characters stripped at ingest
    lang: str = "und"
    lang_confidence: float = 0.0
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    byline: str | None = None
    size_bytes: int = 0
    duplicate_of: str | None = None
    paragraphs: tuple[Paragraph, ...] = ()

    def __post_init__(self) -> None:
        check_choice("Document", "status", self.status, DOC_STATUSES)
        if not self.doc_id:
            raise ValueError("Document.doc_id: must not be empty")


@dataclass(frozen=True)
class Segment(Record):
    """One sentence of a document. ``seg_id`` is opaque to every later stage."""

    doc_id: str
    seg_id: str
    index: int
    paragraph: int
    role: str
    lang: str
    lang_confidence: float
    text: str

    def __post_init__(self) -> None:
        check_choice("Segment", "role", self.role, ROLES)
        if not self.seg_id:
            raise ValueError("Segment.seg_id: must not be empty")


@dataclass(frozen=True)
class Translation(Record):
    """One segment and its English translation.

    ``status`` is ``translated`` (a model ran or the cache answered),
    ``identity`` (already English) or ``untranslated`` (``reason`` says why).
    ``flags`` are names of quality warnings; ``quality`` holds the raw numbers
    behind them so thresholds can change without retranslating.
    """

    doc_id: str
    seg_id: str
    index: int
    role: str
    src_lang: str
    tgt_lang: str
    source: str
    translation: str | None
    model: str
    flags: tuple[str, ...] = ()
    quality: Mapping[str, float] = field(default_factory=dict)
    status: str = "translated"
    reason: str | None = None
    pieces: int = 1

    def __post_init__(self) -> None:
        check_choice("Translation", "status", self.status, TRANSLATION_STATUSES)


@dataclass(frozen=True)
class Fact(Record):
    """One normalized fact found in a claim.

    ``slot`` is what the fact answers (``when``, ``who``, ``where``,
    ``amount``, ``source``); ``key`` is the normalized value facts are compared
    on (an ISO date, ``3.8e9 USD``, a name key); ``surface`` is the text it was
    read from and ``origin`` says whether that was the ``source`` or the
    ``translation``.
    """

    slot: str
    key: str
    surface: str
    origin: str = "source"
    display: str | None = None
    approx: bool = False
    value: float | None = None
    unit: str | None = None
