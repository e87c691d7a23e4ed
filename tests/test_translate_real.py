"""Real OPUS-MT translations of seed sentences; skipped unless the snapshots are in models/."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.mt.marian_translator import MarianTranslator
from pipeline.mt.registry import model_specs, resolve
from pipeline.mt.translator import GenerationSettings

MODELS = Path(__file__).resolve().parents[1] / "models"

pytestmark = [pytest.mark.real_model, pytest.mark.slow]


def _translator(lang: str) -> MarianTranslator:
    spec = model_specs(MODELS)[lang]
    folder = MODELS / spec.local_name
    if not (folder / "config.json").is_file():
        pytest.skip(f"{folder} absent (run `parallax models fetch {lang}`)")
    return MarianTranslator(resolve(spec, MODELS), GenerationSettings(device="cpu"))


@pytest.mark.parametrize(
    ("lang", "source", "expected"),
    [
        # seeds/000: the title of the PLO article
        ("vi", "Đường dây liên lạc Mỹ-Nga từng được sử dụng một lần", ("US", "America")),
        # the 13 May 2022 call between the defence ministers
        ("vi", "Bộ trưởng Quốc phòng Mỹ điện đàm với người đồng cấp Nga.", ("Defense", "Defence")),
        ("zh", "美国防长奥斯汀与俄罗斯防长绍伊古通话", ("Austin",)),
    ],
)
def test_real_translation(lang: str, source: str, expected: tuple[str, ...]) -> None:
    (out,) = _translator(lang).translate_batch([source])
    assert any(word in out for word in expected), out
