"""The public pages run under the strict Content Security Policy without a violation."""

import pytest

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback: the flush after each test removes the root page too.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def csp_violations(page, url: str) -> list[str]:
    """Console messages and securitypolicyviolation events while ``url`` loads."""
    messages: list[str] = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    response = page.goto(url)
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    return messages + page.evaluate("window.__cspViolations")


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_the_home_page_loads_on_a_phone_without_a_csp_violation(phone, site, path):
    assert csp_violations(phone, site + path) == []


def test_an_inline_script_would_be_reported(phone, site):
    """The detector works: an inline script injected into the page is blocked."""
    violations = csp_violations(phone, site + "/")
    assert violations == []
    phone.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    phone.wait_for_timeout(200)
    assert phone.evaluate("window.__ran === undefined")
    assert any("script-src" in v for v in phone.evaluate("window.__cspViolations"))
