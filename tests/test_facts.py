"""Facts of claims: the same call read from Vietnamese, Chinese and English gives the same keys."""

from __future__ import annotations

import pytest

from pipeline.facts.extract import amount_key, amounts_agree, claim_facts, extract_facts
from pipeline.records import Fact

PUB = "2022-05-14"

# seed 001 (VietNamNet, 14/05/2022), the key sentences of the 13/5 Austin-Shoigu call
VI_001 = (
    "Reuters dẫn lời một quan chức Mỹ giấu tên tiết lộ, cuộc điện đàm ngày 13/5 giữa hai lãnh "
    "đạo quốc phòng Mỹ - Nga được thực hiện theo yêu cầu của ông Austin. Ông Austin đã nhiều lần "
    "cố gắng đối thoại với Bộ trưởng Quốc phòng Nga Sergei Shoigu."
)
# seed 003 (Guancha, 2022-05-14), the same call
ZH_003 = (
    "俄国防部的声明称：“在美方的提议之下，俄防长绍伊古同美防长奥斯汀进行了电话会谈。”"
    "声明写道：“5月13日，美防长奥斯汀自2月18日以来首次与俄防长绍伊古进行了会谈。”"
)
# English translations of those sentences, written for these tests
EN_001 = (
    "Reuters quoted an unnamed US official as saying that the May 13 phone call between the US "
    "and Russian defence chiefs was made at the request of Mr Austin. Austin had repeatedly tried "
    "to talk to Russian Defence Minister Sergei Shoigu."
)
EN_003 = (
    "The Russian Defence Ministry said: 'At the initiative of the US side, Russian Defence "
    "Minister Shoigu held a telephone conversation with US Defense Secretary Austin.' "
    "On May 13, Austin spoke with Shoigu for the first time since February 18."
)


def _keys(facts: tuple[Fact, ...], slot: str) -> set[str]:
    return {f.key for f in facts if f.slot == slot}


@pytest.mark.parametrize(
    ("text", "lang"), [(VI_001, "vi"), (ZH_003, "zh"), (EN_001, "en"), (EN_003, "en")]
)
def test_the_same_call_gives_the_same_keys(text: str, lang: str) -> None:
    facts = extract_facts(text, lang, PUB)
    assert "2022-05-13" in _keys(facts, "when")
    assert {"austin", "shoigu"} <= _keys(facts, "who")
    assert _keys(facts, "initiator") == {"US"}


@pytest.mark.parametrize(
    ("text", "lang", "sources"),
    [
        # seed 001
        ("Reuters dẫn lời một quan chức Mỹ giấu tên tiết lộ", "vi", {"reuters"}),
        ("Hãng thông tấn Tass dẫn lời Bộ Quốc phòng Nga xác nhận,", "vi", {"tass", "ru-mod"}),
        ("Theo phát ngôn viên Lầu Năm Góc John Kirby, ông Austin đã nhấn mạnh", "vi", {"kirby"}),
        # seed 000
        ("Theo hãng tin Reuters , khi xung đột tại Ukraine nổ ra", "vi", {"reuters"}),
        # unnamed officials are no source; "theo dõi" (follow) is no attribution
        ("các quan chức Mỹ cho biết Moscow tỏ ra không quan tâm", "vi", set()),
        ("Theo dõi Reuters trên mạng", "vi", set()),
        ("Nga theo đuổi chính sách với NATO", "vi", set()),
        ("theo ông Kuleba, Ukraine cần thêm vũ khí", "vi", {"kuleba"}),
        # seed 003
        ("据今日俄罗斯(RT)当地时间5月13日报道", "zh", {"rt"}),
        ("RT、塔斯社等俄媒报道称", "zh", {"rt", "tass"}),
        ("塔斯社称，五角大楼发言人柯比在3月底曾表示", "zh", {"tass", "kirby"}),
        ("美国有线电视新闻网(CNN)援引美国防官员的话报道称", "zh", {"cnn"}),
        ("这一名称", "zh", set()),
        # English
        ("according to Reuters, the call lasted an hour", "en", {"reuters"}),
        ("the call lasted an hour, Kirby said.", "en", {"kirby"}),
        ("TASS quoted the Russian Defence Ministry as saying", "en", {"tass", "ru-mod"}),
        ("as cited by TASS.", "en", {"tass"}),
        ("Pentagon spokesman John Kirby told reporters", "en", {"kirby"}),
        ("the call was reported by TASS", "en", {"tass"}),
        # the outlet a statement was given to; a person told something is no source
        ("Peskov told TASS on Friday", "en", {"peskov", "tass"}),
        ("Austin told Shoigu that the war must end", "en", {"austin"}),
        ("佩斯科夫接受塔斯社采访时", "zh", {"tass"}),
    ],
)
def test_source(text: str, lang: str, sources: set[str]) -> None:
    assert _keys(extract_facts(text, lang, PUB), "source") == sources


@pytest.mark.parametrize(
    ("text", "lang", "initiators"),
    [
        # seed 001: Reuters says Austin asked; TASS says the US side took the initiative
        ("được thực hiện theo yêu cầu của ông Austin.", "vi", {"US"}),
        ('cuộc gọi diễn ra theo "sáng kiến của phía Mỹ".', "vi", {"US"}),
        ("theo đề nghị từ phía Nga", "vi", {"RU"}),
        # seed 000: "the US was the side that started a call"
        ("Vị quan chức giấu tên cho hay Mỹ là bên bắt đầu một cuộc gọi", "vi", {"US"}),
        # seed 003
        ("在美方的提议之下，俄防长绍伊古同美防长奥斯汀进行了电话会谈", "zh", {"US"}),
        ("应美方要求，双方通话", "zh", {"US"}),
        ("应奥斯汀的请求", "zh", {"US"}),
        ("由俄方发起", "zh", {"RU"}),
        # English
        ("at Austin's request", "en", {"US"}),
        ("at the request of Mr Austin", "en", {"US"}),
        ("the call came at the US side's initiative", "en", {"US"}),
        ("at the initiative of the Russian side", "en", {"RU"}),
        ("a call initiated by Moscow", "en", {"RU"}),
        ("Shoigu requested the call", "en", {"RU"}),
        # likely machine-translation wordings of seeds 001 and 003
        ("the May 13 phone call was made at Mr. Austin's request.", "en", {"US"}),
        ("At the proposal of the US side, Shoigu had a telephone conversation", "en", {"US"}),
        ("The call came following a request from Washington.", "en", {"US"}),
        ("The Pentagon said Austin asked for the call.", "en", {"US"}),
        # other Vietnamese and Chinese wordings
        ("Cuộc gọi do phía Mỹ đề xuất.", "vi", {"US"}),
        ("theo lời đề nghị của Moscow", "vi", {"RU"}),
        ("美方提议举行会谈", "zh", {"US"}),
        ("美方发起了通话", "zh", {"US"}),
        # no initiator named, or a name without a known affiliation
        ("the call lasted about an hour", "en", set()),
        ("at the request of Jane Doe", "en", set()),
    ],
)
def test_initiator(text: str, lang: str, initiators: set[str]) -> None:
    assert _keys(extract_facts(text, lang, PUB), "initiator") == initiators


@pytest.mark.parametrize(
    ("value", "unit", "key"),
    [(3.8e9, "USD", "3.8e9 USD"), (4e10, "USD", "4e10 USD"), (300000.0, "shell", "300000 shell"),
     (1.0, "hour", "1 hour"), (2.5, None, "2.5")],
)  # fmt: skip
def test_amount_key(value: float, unit: str | None, key: str) -> None:
    assert amount_key(value, unit) == key


def test_amount_facts_carry_value_unit_and_qualifier() -> None:
    (vi,) = [f for f in extract_facts("hơn 40 tỷ USD", "vi", PUB) if f.slot == "amount"]
    (zh,) = [f for f in extract_facts("400亿美元", "zh", PUB) if f.slot == "amount"]
    assert (vi.key, vi.value, vi.unit, vi.approx) == ("4e10 USD", 4e10, "USD", True)
    assert vi.display == "more-than 4e10 USD"
    assert amounts_agree(vi, zh)
    (other,) = [f for f in extract_facts("3,8 tỷ USD", "vi", PUB) if f.slot == "amount"]
    assert not amounts_agree(other, zh)


def test_claim_facts_prefer_the_source_for_dates_and_numbers() -> None:
    # The translation mangled the date and the amount; names are read from both.
    source = "cuộc điện đàm ngày 13/5 kéo dài khoảng 1 giờ theo yêu cầu của ông Austin"
    translation = "the phone call on May 15 lasted about 10 hours at the request of Mr Austin"
    facts = claim_facts(source, translation, "vi", PUB)
    assert _keys(facts, "when") == {"2022-05-13"}
    assert _keys(facts, "amount") == {"1 hour"}
    assert _keys(facts, "who") == {"austin"}
    assert _keys(facts, "initiator") == {"US"}
    assert all(f.origin == "source" for f in facts)
    assert len({(f.slot, f.key) for f in facts}) == len(facts)


def test_claim_facts_fill_from_the_translation() -> None:
    # An unknown Chinese transliteration can only be keyed from the translation.
    source = "李四在会上发言"
    translation = "Jane Doe spoke at the meeting on May 13"
    facts = claim_facts(source, translation, "zh", PUB)
    by_slot = {(f.slot, f.key): f.origin for f in facts}
    assert by_slot[("who", "doe")] == "translation"
    assert by_slot[("when", "2022-05-13")] == "translation"


@pytest.mark.parametrize("lang", ["vi", "zh", "en", "und"])
def test_empty_text_has_no_facts(lang: str) -> None:
    assert extract_facts("", lang, PUB) == ()
    assert claim_facts("", "", lang, None) == ()
