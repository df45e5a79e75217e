"""What a first visit costs on the wire in Chromium — response headers, the service worker's precache and its own
scripts included — and that the next page fetches only its HTML: nothing is downloaded twice."""

from __future__ import annotations

from ..wire import measure_visits

# The goal is 50 KB. Measured 58–60 KB: the page itself is ~31 KB (HTML, CSS, htmx, app.js, icon); the worker adds
# ~28 KB, of which ~19 KB is the offline-drafts kit (offline-queue.js imported, drafts.js and /luring/formulir
# precached) that a citizen who never applies does not need yet. This budget stops a regression; the goal needs
# that kit fetched on the first apply page instead.
FIRST_VISIT_BUDGET = 62 * 1024


def test_a_first_visit_downloads_nothing_twice_and_the_next_page_fetches_only_its_html(
    browser, browser_context_args, base_url, demo_data
):
    first, second = measure_visits(browser, base_url, browser_context_args)
    report = "\n".join(f"  {f.by:<6} {f.bytes:>7}  {f.url}" for f in first.fetches + second.fetches)
    print(f"first visit {first.total} B, second page {second.total} B on the wire:\n{report}")
    assert not first.downloaded_twice(), f"downloaded twice: {first.downloaded_twice()}\n{report}"
    assert first.total <= FIRST_VISIT_BUDGET, f"first visit {first.total} B on the wire:\n{report}"
    fetched = [f.url for f in second.over_network]
    assert fetched == ["/layanan"], f"the second page fetched {fetched}\n{report}"
