// MPP Digital — what every page gets: the offline banner and the service worker. Small on purpose.

const banner = document.getElementById("offline-banner");

function showConnection() {
  if (banner) banner.hidden = navigator.onLine;
}
window.addEventListener("online", showConnection);
window.addEventListener("offline", showConnection);
showConnection();

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // No service worker (private mode, old WebView): the site still works online.
    });
  });
}
