"""Public results page, JSON API and OpenAPI: only approved results, per URL."""

import json

import pytest
from django.contrib.auth.models import User
from openapi_spec_validator import validate

from accounts.roles import ASSESSORS, COMPLAINT_HANDLERS, OFFICIALS
from analysis import services
from analysis.models import IndexResult
from tests.analysis.conftest import login_admin, role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(wave, run_wave):
    run = run_wave(wave)
    assert run.status == "succeeded", run.message
    return run


def _sector_estimate(run) -> str:
    row = IndexResult.objects.get(
        run=run, kind="index", domain_type="sector", domain="medical"
    )
    return f"{row.estimate:.1f}"


def _public_urls(wave):
    return [
        "/results/",
        f"/results/{wave.slug}/",
        f"/en/results/{wave.slug}/",
        "/api/v1/results/",
        f"/api/v1/results/{wave.slug}/",
        f"/api/v1/results/{wave.slug}/?kind=index",
    ]


@pytest.mark.parametrize("who", ["anonymous", "citizen", "handler", "assessor"])
def test_no_public_url_shows_an_unpublished_wave(client, wave, done, who):
    if who == "citizen":
        client.force_login(User.objects.create_user("citizen"))
    elif who == "handler":
        client.force_login(role_user(COMPLAINT_HANDLERS, "handler"))
    elif who == "assessor":
        client.force_login(role_user(ASSESSORS, "assessor"))
    estimate = _sector_estimate(done)
    for url in _public_urls(wave):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        body = response.content.decode()
        assert estimate not in body, url
        assert wave.slug not in body or response.status_code == 404, url


def test_a_published_wave_appears_on_the_page_and_in_the_api(client, wave, done):
    official = role_user(OFFICIALS, "official")
    services.wave_results_publish(wave=wave, run=done, user=official)
    estimate = _sector_estimate(done)
    page = client.get("/en/results/")
    assert page.status_code == 200
    assert estimate in page.content.decode()
    assert "Producer services" in page.content.decode()
    listing = client.get("/api/v1/results/").json()
    assert [w["slug"] for w in listing["waves"]] == [wave.slug]
    data = client.get(f"/api/v1/results/{wave.slug}/?domain_type=rollup").json()
    assert {r["domain"] for r in data["results"]} == {
        "consumer_services",
        "producer_services",
        "service_sector",
    }
    assert all(r["ci_low"] <= r["estimate"] <= r["ci_high"] for r in data["results"])


def test_a_newer_run_is_not_public_until_it_is_approved(client, wave, done, run_wave):
    services.wave_results_publish(wave=wave, run=done, user=None)
    from surveys.models import Response

    first = Response.objects.filter(survey__in=wave.surveys.all()).order_by("pk")
    Response.objects.filter(
        pk__in=list(first.values_list("pk", flat=True)[:30])
    ).update(excluded=True)
    newer = run_wave(wave)
    assert newer.status == "succeeded"
    data = client.get(f"/api/v1/results/{wave.slug}/?kind=index").json()
    medical = next(
        r
        for r in data["results"]
        if r["domain_type"] == "sector" and r["domain"] == "medical"
    )
    old = IndexResult.objects.get(
        run=done, kind="index", domain_type="sector", domain="medical"
    )
    assert medical["estimate"] == pytest.approx(old.estimate)
    assert medical["n"] == old.n


def test_bad_filters_get_a_400_with_the_choices(client, wave, done):
    services.wave_results_publish(wave=wave, run=done, user=None)
    response = client.get(f"/api/v1/results/{wave.slug}/?kind=everything")
    assert response.status_code == 400
    assert "satisfied_rate" in response.json()["detail"]


def test_the_openapi_document_is_valid_and_describes_both_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    validate(document)
    assert set(document["paths"]) == {"/results/", "/results/{slug}/"}
    assert document["servers"][0]["url"].endswith("/api/v1")


def test_the_results_page_says_so_when_nothing_is_published(client, db):
    response = client.get("/en/results/")
    assert response.status_code == 200
    assert "No results have been published yet" in response.content.decode()


def test_admin_run_pages_hide_unpublished_estimates_from_non_officials(
    client, wave, done
):
    estimate = _sector_estimate(done)
    urls = [
        f"/admin/assessment/waves/{wave.pk}/",
        f"/admin/assessment/runs/{done.pk}/",
        f"/admin/assessment/runs/{done.pk}/status.json",
    ]
    for user in (role_user(ASSESSORS, "a1"), role_user(COMPLAINT_HANDLERS, "h1")):
        login_admin(client, user)
        for url in urls:
            response = client.get(url)
            assert estimate not in response.content.decode(), (user, url)
            if user.username == "h1":
                assert response.status_code in (302, 403), url
    client.logout()
    for url in urls:
        assert client.get(url).status_code in (302, 403), url
    login_admin(client, role_user(OFFICIALS, "o1"))
    assert estimate in client.get(f"/admin/assessment/runs/{done.pk}/").content.decode()


def test_only_officials_can_publish(client, wave, done):
    login_admin(client, role_user(ASSESSORS, "a2"))
    url = f"/admin/assessment/waves/{wave.pk}/publish/"
    assert client.post(url, {"run": done.pk}).status_code in (302, 403)
    wave.refresh_from_db()
    assert wave.published_run is None
    login_admin(client, role_user(OFFICIALS, "o2"))
    assert client.post(url, {"run": "not-a-number"}).status_code == 302
    assert client.post(url, {"run": done.pk}).status_code == 302
    wave.refresh_from_db()
    assert wave.published_run == done


def test_run_now_queues_one_run_and_the_progress_page_polls_its_status(
    client, wave, django_capture_on_commit_callbacks
):
    login_admin(client, role_user(ASSESSORS, "a3"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/assessment/waves/{wave.pk}/run/")
    assert response.status_code == 302
    progress = client.get(response["Location"])
    assert progress.status_code == 200
    status = client.get(response["Location"] + "status.json").json()
    assert status["status"] == "succeeded" and status["progress"] == 100
