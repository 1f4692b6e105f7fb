import pytest


@pytest.fixture
def site(live_server) -> str:
    """The live server's base URL, with the home page in place."""
    from core.demo import ensure_home_page

    ensure_home_page()
    return live_server.url

