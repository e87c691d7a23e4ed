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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

ROLES = ("title", "body", "caption", "byline", "boilerplate")
DOC_STATUSES = ("ok", "skipped", "error")
TRANSLATION_STATUSES = ("translated", "identity", "untranslated")


class Record:
    """Mixin giving a frozen dataclass JSON conversion and validation."""

    # Fields holding a tuple of records: name -> record class.
    _nested: ClassVar[dict[str, type[Record]]] = {}

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain JSON-ready data."""
        return _plain(self)

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
        if not isinstance(data, Mapping):
            raise ValueError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
        hints = _type_hints(cls)
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name not in data:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise ValueError(f"{cls.__name__}: missing field {f.name!r}")
                continue
            value = data[f.name]
            nested = cls._nested.get(f.name)
            if nested is not None:
                if not isinstance(value, list | tuple):
                    raise ValueError(f"{cls.__name__}.{f.name}: expected a list, got {value!r:.80}")
                value = tuple(nested.from_dict(item) for item in value)
            else:
                value = _coerce(cls.__name__, f.name, hints[f.name], value)
            kwargs[f.name] = value
        return cls(**kwargs)


_HINTS: dict[type, dict[str, Any]] = {}


def _type_hints(cls: type) -> dict[str, Any]:
    """``typing.get_type_hints`` once per class: it re-evaluates every annotation
    string on each call, which was 75% of the time of reading 13,000 records."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _coerce(owner: str, name: str, hint: Any, value: Any) -> Any:
    """Check ``value`` against a simple type hint; turn lists into tuples."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(owner, name, arg, value)
            except ValueError:
                continue
        raise ValueError(f"{owner}.{name}: unexpected value {value!r:.80}")
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ValueError(f"{owner}.{name}: expected a list, got {value!r:.80}")
        return tuple(value)
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        if not isinstance(value, Mapping):
            raise ValueError(f"{owner}.{name}: expected an object, got {value!r:.80}")
        return dict(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{owner}.{name}: expected a number, got {value!r:.80}")
        return float(value)
    if hint is int or hint is bool or hint is str:
        if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
            raise ValueError(f"{owner}.{name}: expected {hint.__name__}, got {value!r:.80}")
        return value
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
