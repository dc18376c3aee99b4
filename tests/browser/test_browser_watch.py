"""The watch on the browser's errors (tests/browser/conftest.py) sees what it is there for: a
script error logged, an exception nothing caught, and an inline script that the
Content-Security-Policy refuses (what a template moved off its static files would cause).
"""

import re

from tests.browser.browsing import DESKTOP


def test_the_browser_s_errors_are_seen(open_browser, watched):
    page = open_browser(DESKTOP)
    page.goto("/login")
    assert watched.settled_errors() == []  # the sign-in page itself is clean

    page.evaluate("console.error('logged by a script')")
    page.evaluate("setTimeout(() => { throw new Error('nobody caught this') })")
    page.evaluate(
        """() => {
            const inline = document.createElement('script');
            inline.textContent = 'document.title = "ran inline"';
            document.body.append(inline);
            const missing = document.createElement('script');
            missing.src = '/static/js/missing.js';
            document.body.append(missing);
        }"""
    )
    page.wait_for_timeout(200)  # the timer's turn, the missing file's answer
    errors = list(watched.settled_errors())
    assert page.title() != "ran inline"  # the policy refused it

    expected = {
        "the script's console.error": r"console error at http://127\.0\.0\.1:\d+/login: "
        r"logged by a script",
        "the uncaught exception": r"uncaught exception at http://127\.0\.0\.1:\d+/login: "
        r".*nobody caught this.*",
        "the policy's refusal": r"console error at .*/login: .*inline script.*"
        r"Content Security Policy.*",
        "the missing file's answer": r"HTTP 404 for script GET http://127\.0\.0\.1:\d+"
        r"/static/js/missing\.js",
        "the missing file's refusal": r"console error at .*/login: .*missing\.js.*",
    }
    found = {
        seen: [error for error in errors if re.fullmatch(pattern, error, re.DOTALL)]
        for seen, pattern in expected.items()
    }
    assert {seen: len(matched) for seen, matched in found.items()} == dict.fromkeys(expected, 1), (
        errors
    )
    assert len(errors) == len(expected), errors
    watched.errors.clear()  # seen: this test passes

    # A page's own 4xx is for the test to judge, not an error of the browser's.
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert watched.settled_errors() == []
