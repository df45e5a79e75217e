"""Browser waits that work under the app's own Content-Security-Policy.

``page.wait_for_function`` given a bare expression ("window.x !== undefined") evaluates it with ``eval`` in the
page each time it polls, and the CSP (``script-src 'self'``, no ``'unsafe-eval'``) refuses that: the wait fails
whenever its condition is not already true at the first look. It failed the correction round trip once, on a busy
machine where the page was still loading. A function ("() => window.x !== undefined") is not evaluated from a
string in the page, so every wait in the suite is written as one; this keeps it so.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# wait_for_function( and the string literal it is given (any quotes, f-string or not) on the same line.
CALL = re.compile(r"wait_for_function\(\s*f?(\"\"\"|'''|\"|')(.*)")
FUNCTION = re.compile(r"\s*(?:async\s*)?\(")  # "() =>", "(n) =>", "([key, arg]) =>", "async () =>"


def bare_expression(line: str) -> bool:
    call = CALL.search(line)
    return call is not None and not FUNCTION.match(call.group(2))


def test_every_wait_for_function_in_the_suite_is_given_a_function():
    bare = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if bare_expression(line)
    ]
    assert not bare, f"bare expressions, refused by the CSP when polled; write them as '() => …': {bare}"


def test_the_pattern_tells_a_bare_expression_from_a_function():
    assert bare_expression("""page.wait_for_function("window.htmx !== undefined")""")
    assert bare_expression("""page.wait_for_function("document.readyState === 'complete'")""")
    assert not bare_expression("""page.wait_for_function("() => window.htmx !== undefined")""")
    assert not bare_expression("""page.wait_for_function(f"() => ({X})().then(p => p)")""")
    assert not bare_expression("""page.wait_for_function("(n) => window.__polls >= n", arg=2)""")
    assert not bare_expression('''page.wait_for_function(\n        f"""([key, arg]) => {{''')
