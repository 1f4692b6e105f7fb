"""A wave the browser tests can show: simulated responses in two sectors,
margins by gender and age band, and its index run computed by the pipeline."""

from analysis.models import Wave
from tests.analysis.conftest import AGE, GENDER
from tests.factories.analysis import add_margin, simulated_wave


def computed_wave(responses_per_survey: int) -> Wave:
    from analysis import services

    simulated = simulated_wave(responses_per_survey=responses_per_survey)
    add_margin(simulated.wave, "gender", GENDER)
    add_margin(simulated.wave, "age_band", AGE)
    run = services.index_run_request(wave=simulated.wave)  # runs on commit (eager)
    run.refresh_from_db()
    assert run.status == "succeeded", run.message
    return simulated.wave
