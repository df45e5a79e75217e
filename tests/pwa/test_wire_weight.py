"""What a first visit costs on the wire in Chromium — response headers, the service worker's precache and its own
scripts included — and that the next page fetches only its HTML: nothing is downloaded twice."""

from __future__ import annotations

from ..wire import measure_visits

# Measured ~40 KB: the page itself is ~29 KB (HTML, CSS, htmx, app.js, icon), the worker adds its script, /offline
# and offline-pages.js. The offline-drafts kit (offline-queue.js, drafts.js, /luring/formulir: ~17 KB) is fetched by
# the worker variant a citizen's first apply page registers; precaching it for every visitor again breaks this.
FIRST_VISIT_BUDGET = 50 * 1024
DRAFTS_KIT = ("/static/js/offline-queue.js", "/static/js/drafts.js", "/luring/formulir")


def test_a_first_visit_downloads_nothing_twice_and_the_next_page_fetches_only_its_html(
    browser, browser_context_args, base_url, demo_data
):
    first, second = measure_visits(browser, base_url, browser_context_args)
    report = "\n".join(f"  {f.by:<6} {f.bytes:>7}  {f.url}" for f in first.fetches + second.fetches)
    print(f"first visit {first.total} B, second page {second.total} B on the wire:\n{report}")
    assert not first.downloaded_twice(), f"downloaded twice: {first.downloaded_twice()}\n{report}"
    kit = [f.url for f in first.fetches if f.url.startswith(DRAFTS_KIT)]
    assert not kit, f"the first visit fetched the offline-drafts kit: {kit}\n{report}"
    assert first.total <= FIRST_VISIT_BUDGET, f"first visit {first.total} B on the wire:\n{report}"
    fetched = [f.url for f in second.over_network]
    assert fetched == ["/layanan"], f"the second page fetched {fetched}\n{report}"
