"""A run's or report's status reads in the reader's language, whoever wrote it.

Celery workers have no request, so they run in the default language
(zh-hans): ``translation.override("zh-hans")`` around the run stands for the
worker here.
"""

import importlib

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.apps import apps
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from analysis.models import IndexResult, IndexRun, RunStatus
from analysis.reports import services as report_services
from analysis.reports.models import Report, ReportStatus
from analysis.reports.tasks import SOFT_TIME_LIMIT, generate_report
from tests.analysis.conftest import login_admin
from tests.factories.analysis import WaveFactory

pytestmark = pytest.mark.django_db


def _reader(client, language: str):
    """Sign ``client`` in as an administrator who reads the admin in
    ``language`` (the admin follows the user's preferred language)."""
    user = User.objects.create_superuser(f"reader-{language}", password="pw")  # noqa: S106
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    login_admin(client, user)
    return client


def _pages(client, run: IndexRun) -> dict[str, str]:
    """The run list, the run's page and its JSON status, as the reader gets them."""
    pages = {
        "runs": client.get(reverse("analysis_admin_wave_runs", args=[run.wave_id])),
        "run": client.get(reverse("analysis_admin_run", args=[run.pk])),
    }
    status = client.get(reverse("analysis_admin_run_status", args=[run.pk]))
    assert {r.status_code for r in (*pages.values(), status)} == {200}
    return {
        **{name: page.content.decode() for name, page in pages.items()},
        "status": status.json()["message"],
    }


def test_a_run_finished_in_a_worker_reads_in_each_readers_language(
    wave, run_wave, client
):
    with translation.override("zh-hans"):
        run = run_wave(wave)
    assert run.status == RunStatus.SUCCEEDED
    stored = IndexResult.objects.filter(run=run).count()

    english = _pages(_reader(client, "en"), run)
    assert english["status"] == f"Finished: {stored} results stored."
    assert english["status"] in english["runs"] and english["status"] in english["run"]

    client.logout()
    chinese = _pages(_reader(client, "zh-hans"), run)
    assert chinese["status"] == f"已完成：已保存 {stored} 条结果。"
    assert chinese["status"] in chinese["runs"] and chinese["status"] in chinese["run"]


def test_a_wave_without_responses_explains_why_in_each_readers_language(
    run_wave, client
):
    with translation.override("zh-hans"):
        run = run_wave(WaveFactory())
    assert run.status == RunStatus.FAILED
    # the technical detail for engineers stays in the source language
    assert run.error == "The wave has no analysable responses yet."

    english = _pages(_reader(client, "en"), run)
    problem = "The wave has no analysable responses yet."
    assert english["status"] == f"No results: {problem}"
    assert f"<li>{problem}</li>" in english["run"]
    assert english["status"] in english["runs"]

    client.logout()
    chinese = _pages(_reader(client, "zh-hans"), run)
    assert chinese["status"] == "无结果：本调查轮次尚无可分析的答卷。"
    assert "<li>本调查轮次尚无可分析的答卷。</li>" in chinese["run"]
    assert problem not in chinese["runs"]  # only the run page's engineer detail


def test_a_margin_problem_keeps_its_parameters_in_both_languages(
    wave, run_wave, client
):
    wave.margins.get(variables="age_band").cells.filter(category="60+").delete()
    with translation.override("zh-hans"):
        run = run_wave(wave)
    assert run.status == RunStatus.FAILED
    english = _pages(_reader(client, "en"), run)
    assert "60+" in english["status"] and "add it to the margin" in english["status"]
    client.logout()
    chinese = _pages(_reader(client, "zh-hans"), run)
    assert "60+" in chinese["status"] and "请将其添加到边际分布中" in chinese["status"]


def _old_style_run(wave, message: str, problems=()) -> IndexRun:
    """A failed run as stored before messages were structured: words only."""
    return IndexRun.objects.create(
        wave=wave,
        status=RunStatus.FAILED,
        message=message,
        requested_at=timezone.now(),
        diagnostics={"problems": list(problems)},
    )


def test_old_stored_words_still_show_as_they_were(client):
    problem = "Margin “age_band” has no population at all."
    run = _old_style_run(WaveFactory(), f"无结果：{problem}", [problem])
    english = _pages(_reader(client, "en"), run)
    assert english["status"] == f"无结果：{problem}"
    assert f"<li>{problem}</li>" in english["run"]


def test_the_migration_rewords_old_messages_in_the_readers_language(client):
    wave = WaveFactory()
    finished = _old_style_run(wave, "已完成：已保存 12 条结果。")
    stopped = _old_style_run(wave, "Stopped: the run took longer than 540 seconds.")
    odd = _old_style_run(wave, "Stopped by hand at 100%.")
    problem = "Margin “age_band” has no population at all."
    no_results = _old_style_run(wave, f"无结果：{problem}", [problem, "Odd."])
    migration = importlib.import_module(
        "analysis.migrations.0006_status_message_params"
    )
    migration.restate_messages(apps, None)

    finished.refresh_from_db()
    assert finished.message == "Finished: %(n)d results stored."
    assert finished.message_params == {"n": 12}
    with translation.override("en"):
        assert str(finished.status_message) == "Finished: 12 results stored."
    stopped.refresh_from_db()
    assert stopped.message_params == {"s": 540}
    with translation.override("zh-hans"):
        assert str(stopped.status_message) == "已停止：计算用时超过 540 秒。"
    no_results.refresh_from_db()
    with translation.override("en"):
        assert str(no_results.status_message) == f"No results: {problem}"
    page = _pages(_reader(client, "zh-hans"), no_results)
    assert page["status"] == "无结果：边际分布“age_band”的人口总数为零。"
    assert "<li>边际分布“age_band”的人口总数为零。</li>" in page["run"]
    assert "<li>Odd.</li>" in page["run"]  # read as no known problem: as stored
    client.logout()
    odd.refresh_from_db()
    assert (odd.message, odd.message_params) == ("Stopped by hand at 100%.", {})
    assert _pages(_reader(client, "en"), odd)["status"] == "Stopped by hand at 100%."


def test_a_report_stopped_in_a_worker_reads_in_each_readers_language(
    wave, run_wave, client, django_capture_on_commit_callbacks, monkeypatch
):
    run = run_wave(wave)
    report = Report.objects.create(
        kind="csv",
        wave=wave,
        run=run,
        language="zh-hans",
        requested_at=timezone.now(),
    )

    def too_long(**kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(report_services, "report_generate", too_long)
    with translation.override("zh-hans"):
        assert generate_report.apply(args=[report.pk]).get() == "failed"
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED

    url = reverse("analysis_report", args=[report.pk])
    english = _reader(client, "en").get(url).content.decode()
    assert f"Stopped: took longer than {SOFT_TIME_LIMIT} seconds." in english
    client.logout()
    chinese = _reader(client, "zh-hans").get(url).content.decode()
    assert f"已停止：生成用时超过 {SOFT_TIME_LIMIT} 秒。" in chinese
