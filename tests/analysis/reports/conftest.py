import pytest

from tests.analysis.conftest import AGE, GENDER
from tests.factories.analysis import add_margin, simulated_wave


@pytest.fixture(autouse=True)
def report_files(settings, tmp_path):
    settings.REPORT_FILES_ROOT = tmp_path / "reports"
    return settings.REPORT_FILES_ROOT


@pytest.fixture
def computed_wave(db, run_wave):
    """A simulated wave with margins and one successful index run."""
    simulated = simulated_wave(responses_per_survey=80)
    add_margin(simulated.wave, "gender", GENDER)
    add_margin(simulated.wave, "age_band", AGE)
    run = run_wave(simulated.wave)
    assert run.status == "succeeded", run.message
    simulated.wave.refresh_from_db()
    return simulated.wave
