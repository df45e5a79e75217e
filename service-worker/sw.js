// MPP Digital service worker. Served by Flask at /sw.js (root scope); the server fills in VERSION, PRECACHE,
// the cache names and DRAFTS_KIT for each deploy (app/pwa/shell.py), so a deploy always installs a fresh worker.
// Two variants of this one file: /sw.js (the shell, for every visitor) and /sw.js?kit=drafts (the shell plus the
// offline-drafts kit, registered by static/js/app.js once a page that keeps drafts on the device was opened).
//
// The rules, because phones are often shared:
//   * static assets (versioned URLs, ?v=<hash>) are cache-first: they never change under the same URL;
//   * page navigations are network-first;
//   * a page is stored for offline reading ONLY when the server marked it `X-MPP-Offline: public` (catalog pages
//     with no personal data). Everything else is never written to any cache;
//   * offline, a stored page is served; an unvisited page gets /offline.
// Signing out sends `Clear-Site-Data: "cache", "storage"`, which removes every cache and this worker; a page
// can also post {type: "forget-account"} to drop everything except the shell and the public pages.

const VERSION = "__MPP_VERSION__";
const PRECACHE = [] /* __MPP_PRECACHE__ */;
// Named after the shell's own version (not the variant's), so the kit worker replacing the plain one of the same
// deploy finds the shell already stored and fetches nothing of it again.
const STATIC_CACHE = "__MPP_STATIC_CACHE__";
// The offline-drafts kit: empty in the plain variant.
const DRAFTS_KIT = [] /* __MPP_DRAFTS_KIT__ */;
const DRAFTS_KIT_CACHE = "__MPP_DRAFTS_KIT_CACHE__";
const DRAFTS_KIT_PREFIX = "mpp-drafts-kit-";
const PAGES_CACHE = "__MPP_PAGES_CACHE__";
const OFFLINE_URL = "/offline";
const OFFLINE_HEADER = "X-MPP-Offline";
const MAX_PAGES = 60; // enough for a citizen's browsing; old entries go first so storage stays small

// Caches that survive an update and "forget-account". Another capability that adds a cache must decide here
// whether it is personal (then it is NOT listed and is deleted on forget-account). The drafts kit is not personal.
const KEEP = new Set([STATIC_CACHE, PAGES_CACHE, DRAFTS_KIT_CACHE].filter(Boolean));

// Clients whose current page was served from the cache because the network failed (for the offline banner
// when the phone believes it is online, e.g. the server or the carrier is down).
const servedFromCache = new Set();

// == lifecycle ==================================================================================================

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      await precache(STATIC_CACHE, PRECACHE);
      if (DRAFTS_KIT_CACHE) await precache(DRAFTS_KIT_CACHE, DRAFTS_KIT);
      await self.skipWaiting();
    })(),
  );
});

// Store what `cacheName` lacks of `urls` (a cache is named after its content's version, so what it holds is
// current). A versioned asset is copied from any of our caches or taken from the HTTP cache, where the page that
// just loaded it left it (its URL changes with its content, so that copy IS this deploy's): nothing is downloaded
// twice. `reload` bypasses the HTTP cache for the unversioned pages, so they really are this deploy's. addAll is
// all or nothing: an install that cannot fetch everything fails and the previous worker (and its caches) stays.
async function precache(cacheName, urls) {
  const cache = await caches.open(cacheName);
  const missing = [];
  for (const url of urls) {
    if (await cache.match(url, { ignoreVary: true })) continue;
    const versioned = new URL(url, self.location).searchParams.has("v");
    const stored = versioned && (await caches.match(url));
    if (stored) await cache.put(url, stored);
    else missing.push(new Request(url, { cache: versioned ? "default" : "reload" }));
  }
  await cache.addAll(missing);
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (KEEP.has(name)) continue;
        // The plain worker leaves a kit alone: it only replaces the kit worker by accident (two tabs registering
        // at once), and a citizen offline must not lose the form. The kit worker keeps only its own kit.
        if (name.startsWith("mpp-static-") || (DRAFTS_KIT_CACHE && name.startsWith(DRAFTS_KIT_PREFIX))) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })(),
  );
});

// A versioned asset from the shell or a drafts kit (the kit's copy may be the only one offline after a deploy).
async function matchAsset(request, options = {}) {
  const hit = await caches.match(request, { ...options, cacheName: STATIC_CACHE });
  if (hit) return hit;
  for (const name of await caches.keys()) {
    if (!name.startsWith(DRAFTS_KIT_PREFIX)) continue;
    const kitHit = await caches.match(request, { ...options, cacheName: name });
    if (kitHit) return kitHit;
  }
  return undefined;
}

// == fetch ======================================================================================================

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Only our own GETs. POSTs (forms, sign-in) always go to the network untouched.
  if (request.method !== "GET" || url.origin !== self.location.origin) return;

  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticAsset(request, url));
  }
  // Anything else (htmx fragments, API calls, /sw.js itself) is left to the browser and never cached.
});

async function navigate(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    if (isPublicPage(response)) event.waitUntil(storePage(request, response.clone()));
    else if (isOwnTicket(response)) event.waitUntil(storeTicket(request, response.clone()));
    else if (TICKET_PAGE.test(new URL(request.url).pathname)) event.waitUntil(forgetTicket(request));
    return response;
  } catch (error) {
    // The network failed (offline, or the server cannot be reached): a stored public page, else /offline.
    servedFromCache.add(event.resultingClientId);
    const cached =
      (await caches.match(request, { cacheName: PAGES_CACHE, ignoreVary: true })) ||
      (await caches.match(request, { cacheName: TICKETS_CACHE, ignoreVary: true }));
    if (cached) return cached;
    const offline =
      (await offlineDraftForm(request)) ||
      (await caches.match(OFFLINE_URL, { cacheName: STATIC_CACHE, ignoreVary: true }));
    return offline || Response.error();
  }
}

function isPublicPage(response) {
  // Not `redirected`: a protected page that redirected to sign-in must not be stored under the protected URL.
  return (
    response.ok &&
    response.type === "basic" &&
    !response.redirected &&
    response.headers.get(OFFLINE_HEADER) === "public"
  );
}

async function storePage(request, response) {
  const cache = await caches.open(PAGES_CACHE);
  await cache.delete(request, { ignoreVary: true }); // a re-visit moves the page to the end (most recent)
  await cache.put(request, response);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) await cache.delete(old);
}

async function staticAsset(request, url) {
  const cached = await matchAsset(request);
  if (cached) return cached;
  try {
    const response = await fetch(request);
    // Only versioned URLs are kept: their content can never change, so cache-first is always correct.
    if (response.ok && url.searchParams.has("v")) {
      const cache = await caches.open(STATIC_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    // Offline with a page stored before a deploy: it names an older version of the asset. Any version of the
    // same file is better than an unstyled page.
    const anyVersion = await matchAsset(request, { ignoreSearch: true });
    return anyVersion || Response.error();
  }
}

// == messages from pages ========================================================================================

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "forget-account") {
    event.waitUntil(forgetAccount().then(() => reply(event, { type: "account-forgotten" })));
  } else if (type === "refresh-shell-pages") {
    event.waitUntil(refreshShellPages());
  } else if (type === "ticket-account") {
    event.waitUntil(forgetOtherTickets(event.data.account));
  } else if (type === "connection-status") {
    const clientId = event.source && event.source.id;
    reply(event, { type: "connection-status", servedFromCache: servedFromCache.has(clientId) });
    servedFromCache.delete(clientId);
  }
});

// Sign-out on a shared phone: keep only what holds no personal data (the shell, the public pages, the drafts kit).
async function forgetAccount() {
  for (const name of await caches.keys()) {
    if (!KEEP.has(name) && !name.startsWith(DRAFTS_KIT_PREFIX)) await caches.delete(name);
  }
  await forgetDeviceDrafts();
}

// The precached pages (/offline, /luring/formulir) are rendered in the language of the visit that installed the
// worker; after the citizen switches language they are fetched again so the offline fallback speaks the chosen one.
async function refreshShellPages() {
  for (const [cacheName, urls] of [
    [STATIC_CACHE, PRECACHE],
    [DRAFTS_KIT_CACHE, DRAFTS_KIT],
  ]) {
    const pages = urls.filter((url) => !url.startsWith("/static/"));
    if (!cacheName || !pages.length) continue;
    const cache = await caches.open(cacheName);
    await cache.addAll(pages.map((url) => new Request(url, { cache: "reload" })));
  }
}

function reply(event, message) {
  if (event.source) event.source.postMessage(message);
}

// == background sync (offline drafts) ===========================================================================
// Owned by the offline drafts capability (static/js/drafts.js, static/js/offline-queue.js, app/device_drafts/).
// Drafts and queued submissions live in IndexedDB "mpp-drafts" (personal: not in KEEP, deleted on forget-account).
//   * `sync` (tag "mpp-drafts"): send unsynced drafts, then queued submissions, even when no page is open. The
//     page's `online` listener may run at the same time: a Web Lock makes them take turns, and the server's
//     idempotency key (submissions) and revision check (drafts) make a replay harmless.
//   * An apply page that cannot be loaded is replaced by the precached offline form page (no personal data);
//     drafts.js draws the step from the device's copy. Apply pages themselves are never cached.
// All of it is in the kit variant only (DRAFTS_KIT, cache DRAFTS_KIT_CACHE): the plain worker has no sync core.

const OFFLINE_FORM_URL = "/luring/formulir";
const DRAFT_PAGE = /^\/permohonan\/draf\/[^/]+\/[^/]+\/?$/;
const OFFLINE_QUEUE_SCRIPT = DRAFTS_KIT.find((url) => url.startsWith("/static/js/offline-queue.js"));

// importScripts only works while the worker is installed (this first evaluation): a worker cannot take the sync
// core later, which is why the kit comes as a worker update. If it fails the shell still works; drafts then sync
// from the page (on load and on `online`) instead of in the background.
try {
  if (OFFLINE_QUEUE_SCRIPT) importScripts(OFFLINE_QUEUE_SCRIPT);
} catch (error) {
  // keep the worker installable
}

// This kit's form page, else one a kit worker left behind (see activate).
async function offlineDraftForm(request) {
  if (!DRAFT_PAGE.test(new URL(request.url).pathname)) return null;
  const names = (await caches.keys()).filter((name) => name.startsWith(DRAFTS_KIT_PREFIX));
  if (DRAFTS_KIT_CACHE) names.unshift(DRAFTS_KIT_CACHE);
  for (const cacheName of names) {
    const form = await caches.match(OFFLINE_FORM_URL, { cacheName, ignoreVary: true });
    if (form) return form;
  }
  return null;
}

self.addEventListener("sync", (event) => {
  if (event.tag !== "mpp-drafts" || !self.mppOffline) return;
  event.waitUntil(syncDeviceDrafts());
});

async function syncDeviceDrafts() {
  const results = await self.mppOffline.syncEverything();
  for (const client of await self.clients.matchAll({ type: "window" })) {
    client.postMessage({ type: "mpp-drafts-synced", ...results });
  }
  // Still unreachable (the phone is "online" but the server is not): fail, so the browser tries again later.
  const waiting =
    Object.values(results.drafts).some((result) => result.status === "offline") ||
    results.outbox.some((result) => result.status === "offline");
  if (waiting) throw new Error("drafts are still waiting for the server");
}

async function forgetDeviceDrafts() {
  if (self.mppOffline) {
    await self.mppOffline.forgetAll();
    return;
  }
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase("mpp-drafts");
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

// == push notifications =========================================================================================
// Owned by the notifications capability (app/notifications/, static/js/push.js). The server sends JSON
// {id, title, body, url, tag, icon, badge, lang} (delivery.py). Delivery is at-least-once: a retry after a crash
// can repeat a message, so a notification id already shown is not shown again. Nothing here is cached: a notice
// is personal, and the inbox (/notifikasi, never cached) is the source of truth.

const SHOWN_IDS = []; // ids shown since this worker started (the notification tray covers the rest)
const MAX_SHOWN_IDS = 100;

self.addEventListener("push", (event) => {
  event.waitUntil(showPush(event));
});

async function showPush(event) {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const id = data.id === undefined ? null : String(data.id);
  if (id !== null) {
    const shown = await self.registration.getNotifications();
    if (SHOWN_IDS.includes(id) || shown.some((n) => n.data && String(n.data.id) === id)) return;
    SHOWN_IDS.push(id);
    if (SHOWN_IDS.length > MAX_SHOWN_IDS) SHOWN_IDS.shift();
  }
  await self.registration.showNotification(data.title || "MPP Digital", {
    body: data.body || "",
    icon: data.icon,
    badge: data.badge,
    tag: data.tag || (id ? `mpp-${id}` : undefined), // one per application: a newer state replaces an older one
    renotify: Boolean(data.tag),
    lang: data.lang,
    data: { id, url: sameOriginPath(data.url) },
  });
  // An open inbox refreshes itself, and every open page updates its unread count.
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
    client.postMessage({ type: "mpp-notification", id });
  }
}

// Only paths on this site: a message can never send the citizen to another origin.
function sameOriginPath(url) {
  try {
    const target = new URL(url || "/notifikasi", self.location.origin);
    return target.origin === self.location.origin ? target.pathname + target.search : "/notifikasi";
  } catch (error) {
    return "/notifikasi";
  }
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/notifikasi";
  const opened = openNotificationUrl(url);
  try {
    event.waitUntil(opened);
  } catch (error) {
    // a synthetic event (tests) cannot be extended; the navigation still happens
  }
});

// Reuse an open window of the app (focus it and show the application) rather than opening another one.
async function openNotificationUrl(url) {
  const target = new URL(url, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const same = windows.find((client) => client.url === target);
  if (same) return same.focus().catch(() => same);
  const any = windows.find((client) => "navigate" in client);
  if (any) {
    const navigated = await any.navigate(target).catch(() => null);
    if (navigated) return navigated.focus().catch(() => navigated);
  }
  return self.clients.openWindow(target);
}

// == queue tickets (antrean) ====================================================================================
// Owned by the queue capability (app/queue/, static/js/queue-ticket.js). A ticket (/antrean/<kode>) is the citizen's
// own page: the server marks it `X-MPP-Ticket: <opaque account key>` and it is kept in TICKETS_CACHE so it opens
// offline at the MPP's door. Personal, so NOT in KEEP: forget-account and Clear-Site-Data on sign-out delete it.
// A page of another account tells the worker who is signed in now ("ticket-account"); other accounts' tickets go.

const TICKETS_CACHE = "mpp-tickets";
const TICKET_HEADER = "X-MPP-Ticket";
const TICKET_PAGE = /^\/antrean\/[^/]+$/; // a ticket no longer served as one (cancelled, served) is dropped

function isOwnTicket(response) {
  return response.ok && response.type === "basic" && !response.redirected && Boolean(response.headers.get(TICKET_HEADER));
}

async function storeTicket(request, response) {
  await forgetOtherTickets(response.headers.get(TICKET_HEADER));
  const cache = await caches.open(TICKETS_CACHE);
  await cache.put(request, response);
}

async function forgetOtherTickets(account) {
  if (!account) return;
  const cache = await caches.open(TICKETS_CACHE);
  for (const request of await cache.keys()) {
    const stored = await cache.match(request, { ignoreVary: true });
    if (!stored || stored.headers.get(TICKET_HEADER) !== account) await cache.delete(request, { ignoreVary: true });
  }
}

async function forgetTicket(request) {
  const cache = await caches.open(TICKETS_CACHE);
  await cache.delete(request, { ignoreVary: true });
}
