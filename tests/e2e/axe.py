"""Accessibility checks with axe-core (bundled by axe-playwright-python)."""

from __future__ import annotations

SERIOUS = {"serious", "critical"}


def serious_violations(page, context: str | None = None) -> list[str]:
    """Serious or critical axe-core violations on the page (or in the part the
    CSS selector ``context`` picks), as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
