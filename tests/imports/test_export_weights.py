"""Exports carry the calibrated weight of each response's wave."""

import io

import pandas as pd
import pyreadstat
import pytest
from django.utils import translation

from exchange.exports import ExportFilters, export_begin, stream_csv
from exchange.formats import export_to_file
from surveys.models import Response
from tests.analysis.conftest import AGE, GENDER
from tests.factories.analysis import add_margin, simulated_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave():
    made = simulated_wave(responses_per_survey=40).wave
    add_margin(made, "gender", GENDER)
    add_margin(made, "age_band", AGE)
    return made


def exported(filters: ExportFilters) -> pd.DataFrame:
    export, rows, header = export_begin(filters=filters, file_format="csv", user=None)
    content = b"".join(stream_csv(export, rows, header)).decode("utf-8-sig")
    return pd.read_csv(io.StringIO(content), dtype={"d_gender": str, "d_age": str})


def test_the_weights_of_a_wave_reproduce_its_margins_in_every_sector(wave):
    frame = exported(ExportFilters(wave=wave.slug))
    assert len(frame) == Response.objects.filter(excluded=False).count()
    assert set(frame["wave"]) == {wave.slug}
    assert (frame["design_weight"] == 1).all()
    assert frame["weight"].notna().all() and (frame["weight"] > 0).all()
    # a skipped weighting question counts in its modal category, as in the run
    gender = frame["d_gender"].fillna(frame["d_gender"].mode()[0])
    for _sector, rows in frame.groupby("sector"):
        by_gender = rows["weight"].groupby(gender[rows.index]).sum()
        by_age = rows["weight"].groupby(rows["d_age"]).sum()
        assert by_gender.to_dict() == pytest.approx(GENDER, rel=1e-6)
        assert by_age.to_dict() == pytest.approx(AGE, rel=1e-6)


def test_excluded_responses_and_surveys_outside_any_wave_have_no_weight(wave):
    excluded = Response.objects.order_by("pk").first()
    Response.objects.filter(pk=excluded.pk).update(excluded=True)
    outside = simulated_wave(sectors=(("transport", "consumer"),), seed=5)
    outside.wave.surveys.clear()
    frame = exported(ExportFilters(include_excluded=True)).set_index("response_id")
    assert pd.isna(frame.loc[excluded.pk, "weight"])
    others = frame[frame["sector"] == "transport"]
    assert len(others) and others["weight"].isna().all()
    assert others["wave"].isna().all()
    inside = frame[(frame["sector"] != "transport") & (frame.index != excluded.pk)]
    assert inside["weight"].notna().all() and set(inside["wave"]) == {wave.slug}


def test_the_wave_filter_exports_only_the_surveys_the_wave_assesses(wave):
    simulated_wave(sectors=(("transport", "consumer"),), seed=5)
    frame = exported(ExportFilters(wave=wave.slug))
    assert set(frame["sector"]) == {"medical", "finance"}


def test_a_wave_that_cannot_be_weighted_exports_without_weights(wave):
    # one service point left: the run refuses to estimate, so no weights
    Response.objects.exclude(service_point__code="medical-0").update(excluded=True)
    frame = exported(ExportFilters(wave=wave.slug))
    assert len(frame) and frame["weight"].isna().all()


def test_spss_files_label_the_weights(wave, tmp_path):
    export, rows, header = export_begin(
        filters=ExportFilters(wave=wave.slug), file_format="sav", user=None
    )
    path = tmp_path / "responses.sav"
    with translation.override("en"):
        export_to_file(export=export, rows=rows, header=header, path=path)
    frame, meta = pyreadstat.read_sav(str(path))
    assert "Calibrated weight" in meta.column_names_to_labels["weight"]
    assert frame["weight"].sum() == pytest.approx(2 * sum(GENDER.values()), rel=1e-6)
