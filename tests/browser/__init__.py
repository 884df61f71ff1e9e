"""Browser tests: the real app, served by uvicorn on loopback, driven in Debian's Chromium.

What they check, on every page that exists (``test_pages.py`` lists them):

- the page loads, has exactly one ``h1`` and no axe-core violations of WCAG 2.0/2.1/2.2 A and
  AA (tags ``wcag2a wcag2aa wcag21a wcag21aa wcag22aa``), at 390 and 1280 px wide;
- keyboard: the first Tab reaches the skip link, then the brand link, then "Need help now?";
  each shows a visible focus outline and is not hidden off screen; the skip link moves focus
  to ``main``;
- the help link is in the same place on every page (WCAG 3.2.6 Consistent Help);
- no horizontal scroll at 320 px (WCAG 1.4.10 Reflow);
- the page works with JavaScript turned off;
- nothing is fetched from another origin, and the browser console shows no errors (a
  Content-Security-Policy violation is an error);
- ``/docs`` (Swagger UI) renders under the strict CSP from vendored files.

Screenshots of each page at both widths are written to ``test-artifacts/screenshots/``
(git-ignored) for a person to look at.

How to run::

    .venv/bin/python -m pytest tests/browser          # just these
    scripts/test                                      # the whole suite, these included

They need Chromium from Debian (``apt-get install chromium``); the project never downloads a
browser (no ``playwright install``). ``BOTHAND_CHROMIUM=/path/to/chromium`` picks another
binary. Without Chromium the tests are skipped locally, but fail when ``CI=true``: in CI a
browser test is never skipped (``.ci/run`` installs Chromium there).

Chromium runs headless with ``--no-sandbox`` (CI runs as root) and with its background
networking off, so it makes no connections of its own; any request the page makes to another
origin is aborted and recorded. Each test gets a fresh browser context, so cookies (the flow
state) never leak from one test to the next.
"""
