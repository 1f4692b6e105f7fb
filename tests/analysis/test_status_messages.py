"""Status messages are stored as msgid and parameters and worded when shown."""

import json

from django.utils import translation
from django.utils.translation import gettext_noop

from analysis.status_messages import Message, from_fields, from_json

NO_RESULTS = gettext_noop("No results: %(why)s")
NO_POPULATION = gettext_noop("Margin “%(margin)s” has no population at all.")


def _no_population() -> Message:
    problem = Message(NO_POPULATION, {"margin": "age_band"})
    return Message(NO_RESULTS, {"why": problem})


def test_a_nested_problem_is_worded_in_the_readers_language():
    message = _no_population()
    with translation.override("en"):
        english = str(message)
    with translation.override("zh-hans"):
        chinese = str(message)
    assert english == "No results: Margin “age_band” has no population at all."
    assert chinese.startswith("无结果：") and "age_band" in chinese
    assert "no population" not in chinese


def test_the_source_text_stays_english_whatever_the_language():
    with translation.override("zh-hans"):
        text = _no_population().source_text()
    assert text == "No results: Margin “age_band” has no population at all."


def test_a_message_survives_its_json_round_trip_with_its_nested_problem():
    stored = json.loads(json.dumps(_no_population().as_fields()))
    restored = from_fields(stored["message"], stored["message_params"])
    assert restored == _no_population()
    assert from_json(json.loads(json.dumps(_no_population().as_json()))) == (
        _no_population()
    )


def test_old_plain_text_is_shown_as_it_was_stored():
    # rows written before messages were structured: words, no parameters
    with translation.override("en"):
        assert str(from_fields("已完成：已保存 12 条结果。", {})) == (
            "已完成：已保存 12 条结果。"
        )
        assert str(from_fields("100% done", {})) == "100% done"
        assert str(from_json("Margin “x” has no population at all.")) == (
            "Margin “x” has no population at all."
        )
        assert str(from_fields("Waiting for a worker.", None)) == (
            "Waiting for a worker."
        )
    with translation.override("zh-hans"):
        # an old English text that is a msgid is translated after all
        assert str(from_fields("Waiting for a worker.", {})) == "正在等待工作进程。"


def test_parameters_that_no_longer_fit_the_text_show_the_text_instead_of_failing():
    wrong_type = from_fields("Finished: %(n)d results stored.", {"n": "many"})
    wrong_name = from_fields("Finished: %(n)d results stored.", {"m": 3})
    with translation.override("en"):
        assert str(wrong_type) == "Finished: %(n)d results stored."
        assert str(wrong_name) == "Finished: %(n)d results stored."


def test_an_empty_message_is_empty_not_the_catalogue_header():
    with translation.override("zh-hans"):
        assert str(from_fields("", {})) == ""
