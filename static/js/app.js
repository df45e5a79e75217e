// MPP Digital — what every page gets: the offline banner and the service worker. Small on purpose.

const banner = document.getElementById("offline-banner");
let servedFromCache = false; // the worker answered this page from its cache because the network failed

function showConnection() {
  if (banner) banner.hidden = navigator.onLine && !servedFromCache;
}
window.addEventListener("online", () => {
  servedFromCache = false;
  showConnection();
});
window.addEventListener("offline", showConnection);
showConnection();

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "connection-status") {
      servedFromCache = event.data.servedFromCache;
      showConnection();
    }
  });
  // The phone may think it is online while the server or the carrier is down: ask the worker.
  if (navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "connection-status" });
    // Signed out on a shared phone: the page says so, and the worker drops every cache holding personal data.
    if (document.querySelector('meta[name="mpp-forget-account"]')) {
      navigator.serviceWorker.controller.postMessage({ type: "forget-account" });
    }
    refreshShellPagesOnLanguageChange(navigator.serviceWorker.controller);
  } else {
    // The worker installing now stores /offline in this page's language: remember it, so the next page does not
    // ask for the same pages again.
    rememberShellLanguage();
  }
  window.addEventListener("load", () => {
    self.mppWorkerRegistered = registerWorker(); // for tests: settles once this page's registration is done
  });
}

async function registerWorker() {
  // updateViaCache "all": the update check of /sw.js is a revalidation (304) and the script it imports, a
  // versioned file, comes from the HTTP cache — not downloaded in full again on every page.
  try {
    await navigator.serviceWorker.register(await workerUrl(), { scope: "/", updateViaCache: "all" });
  } catch (error) {
    // No service worker (private mode, old WebView): the site still works online.
  }
}

// The worker with the offline-drafts kit (Background Sync of drafts and queued submissions, the offline form page)
// is fetched only by a citizen who opens a page that keeps them on the device — such a page loads the kit's sync
// core — and is kept on every page after that: registering the plain worker again would replace it.
const DRAFTS_WORKER = "/sw.js?kit=drafts";

async function workerUrl() {
  const forgetting = document.querySelector('meta[name="mpp-device-drafts"][content="forget"]');
  if (document.querySelector('script[src^="/static/js/offline-queue.js"]') && !forgetting) return DRAFTS_WORKER;
  const registration = await navigator.serviceWorker.getRegistration("/");
  const newest = registration && (registration.installing || registration.waiting || registration.active);
  const url = newest && new URL(newest.scriptURL);
  return url && url.pathname + url.search === DRAFTS_WORKER ? DRAFTS_WORKER : "/sw.js";
}

function rememberShellLanguage() {
  try {
    localStorage.setItem("mpp-shell-language", document.documentElement.lang);
  } catch (error) {
    // storage disabled: the next page asks the worker to refresh the shell pages, which is harmless
  }
}

// The worker keeps /offline in the language it was installed in; ask it to fetch it again after a language switch.
function refreshShellPagesOnLanguageChange(worker) {
  const language = document.documentElement.lang;
  try {
    if (localStorage.getItem("mpp-shell-language") === language) return;
    localStorage.setItem("mpp-shell-language", language);
  } catch (error) {
    return; // storage disabled: the offline page simply stays in the language it was first saved in
  }
  worker.postMessage({ type: "refresh-shell-pages" });
}

// A boosted link or form that fails for lack of network: fall back to a real navigation, which the service
// worker answers with the stored page or /offline instead of leaving the citizen on a page that did nothing.
document.addEventListener("htmx:sendError", (event) => {
  const detail = event.detail;
  if (detail.boosted && detail.requestConfig.verb === "get") {
    window.location.assign(detail.pathInfo.finalRequestPath);
  }
});
