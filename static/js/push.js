// MPP Digital — notifications on the page: the unread count in the header, turning Web Push on/off for this
// device, and refreshing the inbox when a push arrives. Loaded only for signed-in visitors.
//
// The count is fetched, never rendered by the server: the header is part of public pages the service worker keeps
// for offline reading, and a number baked into them would be personal and stale.
// The permission prompt is never shown on page load: only when the citizen presses a button (after submitting an
// application, or on /akun/notifikasi), with a sentence saying what will be sent.

const COUNT_URL = "/notifikasi/jumlah";

// == the unread count ==========================================================================================

async function refreshCount() {
  // Two badges: the header's bell (wide screens) and the tab bar's Notifikasi (phones).
  const badges = document.querySelectorAll("[data-unread-count]");
  if (!badges.length) return;
  try {
    const response = await fetch(COUNT_URL, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    const { unread } = await response.json();
    for (const badge of badges) {
      badge.querySelector("[data-unread-number]").textContent = unread > 99 ? "99+" : String(unread);
      badge.hidden = !unread;
    }
  } catch (error) {
    // offline: keep whatever the badge showed
  }
}

// A push arrived (the service worker tells every open page): update the count, and let the inbox list refresh
// itself (it listens for "mpp-notification" with htmx).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "mpp-notification") {
      refreshCount();
      document.body.dispatchEvent(new CustomEvent("mpp-notification", { detail: event.data }));
    }
  });
}
refreshCount();

// == Web Push on this device ===================================================================================

function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

// iPhone/iPad only offer Web Push to a site added to the Home Screen (iOS 16.4+); in Safari itself there is no
// PushManager at all. Say how to get it instead of "not supported".
function isIosBrowserTab() {
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  const standalone = navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
  return ios && !standalone;
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) return meta.content;
  const input = document.querySelector('input[name="csrf_token"]');
  return input ? input.value : "";
}

function keyBytes(base64url) {
  const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    // an HTML error page: the status says enough
  }
  if (!response.ok) {
    const error = new Error(data.error || `HTTP ${response.status}`);
    error.renew = Boolean(data.renew);
    error.fromServer = Boolean(data.error); // an Indonesian message for the citizen
    throw error;
  }
  return data;
}

async function currentSubscription() {
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

// Ask (the browser's prompt), subscribe with our VAPID key, and store the subscription on the server.
async function turnOn(box) {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return permission;
  const registration = await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ||
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(box.dataset.vapidKey),
    }));
  try {
    await postJson(box.dataset.subscribeUrl, subscription.toJSON());
  } catch (error) {
    if (!error.renew) throw error;
    // This browser's push address belongs to another account (a shared phone): the server never moves it. Get a
    // new address instead; unsubscribing ends the old one at the push service, so the other account's row is
    // removed at its next message (410) rather than taken over.
    await subscription.unsubscribe();
    const fresh = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(box.dataset.vapidKey),
    });
    await postJson(box.dataset.subscribeUrl, fresh.toJSON());
  }
  return "granted";
}

async function turnOff(box) {
  const subscription = await currentSubscription();
  if (!subscription) return;
  const endpoint = subscription.endpoint;
  await subscription.unsubscribe();
  await postJson(box.dataset.unsubscribeUrl, { endpoint });
}

// What to tell the citizen when turning push on failed: never the browser's own English text ("Registration failed
// - permission denied"), but what happened and what to do, by the DOMException's name. A refusal from our server
// already carries an Indonesian message.
function explain(box, error) {
  if (error.fromServer) return error.message;
  if (!navigator.onLine || error.name === "NetworkError" || error instanceof TypeError) return box.dataset.msgOffline;
  const byName = {
    NotAllowedError: box.dataset.msgBlocked, // permission denied by the browser, the OS or a policy
    AbortError: box.dataset.msgUnreachable, // "push service error": the browser's push service did not answer
    NotSupportedError: box.dataset.msgUnsupported,
    InvalidStateError: box.dataset.msgUnsupported,
    SecurityError: box.dataset.msgUnsupported,
  };
  return byName[error.name] || box.dataset.msgFailed;
}

function say(box, text) {
  const status = box.querySelector("[data-push-status]");
  if (status) status.textContent = text || "";
}

// -- the box on the confirmation page after submitting ---------------------------------------------------------

async function setUpOptIn(box) {
  if (!pushSupported() || !box.dataset.vapidKey || Notification.permission === "denied") return;
  // A browser subscription the server no longer holds (the "notifikasi" consent was withdrawn) is offered again;
  // a subscribed device with consent in force, or one the citizen already allowed, needs no question.
  const subscription = await currentSubscription();
  const forgotten = subscription && box.dataset.consent === "no";
  if (!forgotten && (subscription || Notification.permission !== "default")) return;
  box.hidden = false;
  const button = box.querySelector("[data-push-enable]");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const result = await turnOn(box);
      say(box, result === "granted" ? box.dataset.msgOn : box.dataset.msgDenied);
      button.hidden = result === "granted";
    } catch (error) {
      say(box, explain(box, error));
    } finally {
      button.disabled = false;
    }
  });
}

// -- /akun/notifikasi: this device on/off ----------------------------------------------------------------------

function showState(box, state) {
  for (const element of box.querySelectorAll("[data-push-state]")) element.hidden = element.dataset.pushState !== state;
  box.querySelector("[data-push-enable]").hidden = state !== "off";
  box.querySelector("[data-push-disable]").hidden = state !== "on";
}

async function setUpDevice(box) {
  if (!box.querySelector("[data-push-enable]")) return; // push is off on this server
  if (!pushSupported()) {
    showState(box, isIosBrowserTab() ? "ios" : "unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    showState(box, "denied");
    return;
  }
  const subscription = await currentSubscription();
  // "On" only when the server holds this browser's subscription too: withdrawing the "notifikasi" consent removes
  // every device on the server while the browser keeps its subscription. Then this device is off, and turning it
  // on sends the same subscription again (and records the consent).
  const row = subscription && [...document.querySelectorAll("[data-endpoint]")].find((r) => r.dataset.endpoint === subscription.endpoint);
  showState(box, row ? "on" : "off");
  if (row) row.querySelector("[data-this-device]").hidden = false;
  box.querySelector("[data-push-enable]").addEventListener("click", async (event) => {
    event.target.disabled = true;
    try {
      const result = await turnOn(box);
      if (result === "granted") window.location.reload();
      else showState(box, result === "denied" ? "denied" : "off");
    } catch (error) {
      say(box, explain(box, error));
    } finally {
      event.target.disabled = false;
    }
  });
  box.querySelector("[data-push-disable]").addEventListener("click", async (event) => {
    event.target.disabled = true;
    try {
      await turnOff(box);
      window.location.reload();
    } catch (error) {
      say(box, explain(box, error));
    } finally {
      event.target.disabled = false;
    }
  });
}

const optIn = document.querySelector("[data-push-opt-in]");
if (optIn) setUpOptIn(optIn);
const device = document.querySelector("[data-push-device]");
if (device) setUpDevice(device);
