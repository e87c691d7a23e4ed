"""The language of one text: a script check first, then seeded langdetect.

:func:`classify` says how it decided; :func:`detect_language` gives the code and
confidence. The detect stage (:mod:`pipeline.detect`) applies them to documents.

langdetect is random unless seeded and loads its profiles lazily into global
state, so this module builds its own ``DetectorFactory`` on first use (one per
seed) and seeds that instance; the global factory of ``langdetect.detect`` is
never touched and results are the same in every run and every process.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from pipeline.text.unicode_scripts import DOMINANT, is_short_latin, profile, script_guess

UND = "und"
# langdetect codes that are not ISO 639-1.
_CODE_MAP = {"zh-cn": "zh", "zh-tw": "zh"}
# Below this many letters (or two units) nothing but a clear script decides.
MIN_LETTERS = 8
# Below this langdetect probability the text is too mixed to tell.
MIN_PROBABILITY = 0.7


class Detection(NamedTuple):
    """The language of one text.

    Attributes:
        lang: ISO 639-1 code, or ``und``.
        confidence: 0..1; for ``und`` the probability of the best guess (0 when none).
        method: ``script``, ``langdetect``, ``short`` (too little text) or
            ``mixed`` (no script holds most of the text; confidence is the share
            of the largest).
    """

    lang: str
    confidence: float
    method: str


@functools.lru_cache(maxsize=4)
def _factory(seed: int) -> Any:
    """A langdetect factory with all profiles loaded and this seed (built once)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(seed)
    return factory


def _langdetect(text: str, seed: int) -> tuple[str, float]:
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory(seed).create()
    detector.append(text)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return UND, 0.0
    return _CODE_MAP.get(best.lang, best.lang), round(float(best.prob), 4)


def classify(text: str, seed: int = 0) -> Detection:
    """Detect the language of ``text`` and say how it was decided.

    Args:
        text: any text (a sentence, a paragraph).
        seed: the langdetect seed.

    Returns:
        The detection; ``und`` when the text is too short or too mixed to tell.
    """
    prof = profile(text)
    guess = script_guess(prof)
    if guess is not None:
        return Detection(guess[0], guess[1], "script")
    script, share = prof.dominant()
    if script is not None and share < DOMINANT:
        return Detection(UND, round(share, 4), "mixed")
    if prof.letters < MIN_LETTERS or prof.total < 2 or is_short_latin(prof):
        return Detection(UND, 0.0, "short")
    lang, prob = _langdetect(text, seed)
    if prob < MIN_PROBABILITY:
        return Detection(UND, prob, "langdetect")
    return Detection(lang, prob, "langdetect")


def detect_language(text: str, seed: int = 0) -> tuple[str, float]:
    """The ISO 639-1 code of ``text`` (``und`` when unclear) and its confidence."""
    found = classify(text, seed)
    return found.lang, found.confidence
