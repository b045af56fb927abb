"""Checks a person would make of any page: every control has a label, nothing runs off a phone's
screen; and dates relative to today for forms with age rules."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from typing import Any


def years_ago(years: int, today: date | None = None) -> str:
    today = today or date.today()
    try:
        return today.replace(year=today.year - years).isoformat()
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28).isoformat()


def labelless_controls(page: Any) -> list[str]:
    """Every control a person can reach must have a name a screen reader reads out."""
    return list(
        page.evaluate("""() => [...document.querySelectorAll('input, textarea, select')]
        .filter(el => el.type !== 'hidden' && !el.closest('[aria-hidden="true"]'))
        .filter(el => {
            const fromLabels = [...(el.labels || [])].map(l => l.textContent.trim()).join('');
            const fromAria = (el.getAttribute('aria-label') || '').trim();
            const fromIds = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
                .map(id => (document.getElementById(id) || {}).textContent || '').join('').trim();
            return !(fromLabels || fromAria || fromIds);
        })
        .map(el => el.outerHTML.slice(0, 120))""")
    )


def horizontal_overflow(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@cache
def _axe_script() -> str:
    # axe-core as the axe-playwright-python package ships it: nothing is fetched at run time
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[str]:
    """What axe-core finds wrong on the page as shown now: each rule broken, with where."""
    page.evaluate(_axe_script())
    return list(
        page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)""")
    )
