// Antrean: tell the service worker who is signed in, so tickets kept on this device for another account are
// dropped (a shared phone: citizen B never opens citizen A's ticket offline). The worker keeps a ticket only when
// the page was served with the X-MPP-Ticket header (the citizen's own ticket); sign-out deletes every ticket.
const account = document.querySelector('meta[name="mpp-account"]');

if (account && account.content && "serviceWorker" in navigator) {
  navigator.serviceWorker.ready
    .then((registration) => {
      const worker = navigator.serviceWorker.controller || registration.active;
      if (worker) worker.postMessage({ type: "ticket-account", account: account.content });
    })
    .catch(() => {
      // No worker (private mode, old WebView): tickets are simply not kept offline.
    });
}
