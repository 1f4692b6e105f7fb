from tests.analysis.reports.conftest import computed_wave, report_files  # noqa: F401
