// The /offline page: list the public pages this device has stored, so the citizen can still reach them.
// Reads the service worker's pages cache directly (only public catalog pages are ever stored there).

const section = document.querySelector("[data-pages-cache]");

function pageTitle(html, url) {
  const title = new DOMParser().parseFromString(html, "text/html").title;
  return (title || url.pathname).replace(/\s*·\s*MPP Digital$/, "");
}

async function listStoredPages() {
  if (!section || !("caches" in window)) return;
  const cache = await caches.open(section.dataset.pagesCache);
  const requests = (await cache.keys()).reverse(); // most recently visited first
  const list = section.querySelector(".offline-page-list");
  for (const request of requests) {
    const url = new URL(request.url);
    if (url.origin !== location.origin || url.pathname === "/offline") continue; // not this page itself
    const response = await cache.match(request, { ignoreVary: true });
    if (!response) continue;
    const link = document.createElement("a");
    link.href = url.pathname + url.search;
    link.textContent = pageTitle(await response.text(), url); // textContent: never parsed as HTML
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
  }
  section.querySelector(".offline-pages-empty").hidden = list.children.length > 0;
  section.hidden = false;
}

listStoredPages().catch(() => {
  // Storage unavailable (private mode): the page still explains what works offline.
});
