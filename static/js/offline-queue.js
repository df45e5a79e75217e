/* MPP Digital — offline drafts and the submission outbox: the storage and sync core.
 *
 * Shared by the apply pages (loaded before drafts.js) and the service worker (importScripts in sw.js, for
 * Background Sync), so it is a plain script without import/export and defines `self.mppOffline`.
 *
 * IndexedDB "mpp-drafts" holds, per device:
 *   drafts  {id, account, answers, step, revision, localRevision, syncedLocalRevision, updatedAt, syncUrl,
 *            pages: {step: form snapshot}, conflict}
 *           `revision` is the server revision this copy is based on; `localRevision` counts every save on this
 *           device; the copy has unsynced changes while localRevision > syncedLocalRevision.
 *   outbox  {key (the idempotency key), account, draftId, url, multipart, entries, pageUrl, createdAt}
 *           a submission waiting for the network. It is removed only after a definitive answer from the server.
 *   meta    {name, value}: "account" = the opaque key of the account last seen signed in on this device.
 *
 * Everything is tagged with the account key, so on a shared phone citizen B never sees (nor sends) citizen A's
 * drafts. The whole database is deleted on sign-out (Clear-Site-Data, the worker's forget-account, forgetAll()).
 */
(function (scope) {
  "use strict";

  const DB_NAME = "mpp-drafts";
  const DB_VERSION = 1;
  const SYNC_TAG = "mpp-drafts";
  const TOKEN_URL = "/luring/token";
  const SIGN_IN_PATH = "/masuk";
  let opening = null;

  // == IndexedDB ================================================================================================

  function openDb() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore("drafts", { keyPath: "id" });
          db.createObjectStore("outbox", { keyPath: "key" });
          db.createObjectStore("meta", { keyPath: "name" });
        };
        request.onsuccess = () => {
          const db = request.result;
          // Sign-out deletes the database from another tab or the worker: close at once so it is not blocked.
          db.onversionchange = () => {
            db.close();
            opening = null;
          };
          db.onclose = () => {
            opening = null;
          };
          resolve(db);
        };
        request.onerror = () => {
          opening = null;
          reject(request.error);
        };
      });
    }
    return opening;
  }

  // Run `work(stores)` in one transaction; resolves with its result once the transaction has committed.
  async function transaction(names, mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(names, mode);
      const stores = {};
      for (const name of names) stores[name] = tx.objectStore(name);
      let result;
      Promise.resolve(work(stores)).then((value) => {
        result = value;
      }, reject);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    });
  }

  function requested(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  const getDraft = (id) => transaction(["drafts"], "readonly", (s) => requested(s.drafts.get(String(id))));
  const allDrafts = () => transaction(["drafts"], "readonly", (s) => requested(s.drafts.getAll()));
  const allQueued = () => transaction(["outbox"], "readonly", (s) => requested(s.outbox.getAll()));
  const deleteDraft = (id) => transaction(["drafts"], "readwrite", (s) => requested(s.drafts.delete(String(id))));

  // Read-modify-write in one transaction, so two quick saves (or a save racing a sync) never lose an edit.
  function updateDraft(id, change) {
    return transaction(["drafts"], "readwrite", async (s) => {
      const current = await requested(s.drafts.get(String(id)));
      const next = change(current ? structuredClone(current) : null);
      if (next) s.drafts.put(next);
      return next;
    });
  }

  function newDraft(id, account) {
    return {
      id: String(id),
      account,
      answers: {},
      step: "",
      revision: 0,
      localRevision: 0,
      syncedLocalRevision: 0,
      localOnly: [],
      updatedAt: new Date().toISOString(),
      syncUrl: `/permohonan/draf/${encodeURIComponent(id)}`,
      pages: {},
      conflict: null,
    };
  }

  const hasUnsynced = (draft) => !!draft && draft.localRevision > draft.syncedLocalRevision;

  async function getMeta(name) {
    const row = await transaction(["meta"], "readonly", (s) => requested(s.meta.get(name)));
    return row ? row.value : null;
  }

  function setMeta(name, value) {
    return transaction(["meta"], "readwrite", (s) => requested(s.meta.put({ name, value })));
  }

  // The page tells us who is signed in. Drafts and queued submissions of any other account are removed: on a
  // shared phone the next person must never see them, and they could not be sent in this session anyway.
  async function setAccount(account) {
    if (!account) return;
    await transaction(["drafts", "outbox", "meta"], "readwrite", async (s) => {
      for (const draft of await requested(s.drafts.getAll())) {
        if (draft.account !== account) s.drafts.delete(draft.id);
      }
      for (const item of await requested(s.outbox.getAll())) {
        if (item.account !== account) s.outbox.delete(item.key);
      }
      s.meta.put({ name: "account", value: account });
    });
  }

  // Sign-out: the whole database goes (also done by Clear-Site-Data "storage" and the worker's forget-account).
  async function forgetAll() {
    if (opening) {
      try {
        (await opening).close();
      } catch (error) {
        /* it never opened */
      }
      opening = null;
    }
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }

  // == talking to the server ====================================================================================

  // A CSRF token bound to the *current* session. The one in the page may be stale: the session idles out after
  // 30 minutes and a new sign-in rotates it, while a draft can wait on the device until tomorrow.
  async function freshCsrfToken() {
    const response = await fetch(TOKEN_URL, { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return { token: null, account: null, signedOut: true }; // the session ended
    if (!response.ok) throw new Error(`token ${response.status}`);
    const body = await response.json();
    return { token: body.csrf_token, account: body.account || null };
  }

  // A 400 is most often a CSRF token from an older session: fetch a fresh one and try exactly once more.
  const isCsrfFailure = (response) => response.status === 400;

  function canonical(answers) {
    const out = {};
    for (const key of Object.keys(answers || {}).sort()) {
      let value = answers[key];
      if (Array.isArray(value)) value = [...value].map(String).sort();
      else value = value == null ? "" : String(value);
      if (value === "" || (Array.isArray(value) && value.length === 0)) continue;
      out[key] = value;
    }
    return JSON.stringify(out);
  }

  const sameAnswers = (a, b) => canonical(a) === canonical(b);

  // Fields marked data-draft-local (e.g. the choice of MPP, which the server keeps outside the answers) are kept
  // and restored on the device but never sent by the sync, nor compared with the server's answers.
  function sendable(draft) {
    const out = { ...draft.answers };
    for (const name of draft.localOnly || []) delete out[name];
    return out;
  }

  async function putDraft(draft, token) {
    return fetch(draft.syncUrl, {
      method: "PUT",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ revision: draft.revision, answers: sendable(draft), step: draft.step }),
    });
  }

  /* Send one draft's unsynced changes. Resolves with {status}:
   *   "clean"     nothing to send;            "synced"   the server has this device's answers;
   *   "offline"   network or server down;     "conflict" the server copy changed elsewhere (stored in draft.conflict);
   *   "signin"    the session ended;          "gone"     the draft no longer exists for this account.
   * Safe to call twice at once (a `sync` event and an `online` listener): the server applies a replay as a no-op
   * and answers a stale revision with its copy, which is recognised here as identical. */
  async function syncDraft(id, options = {}) {
    const draft = await getDraft(id);
    if (!draft || !hasUnsynced(draft)) return { status: "clean" };
    if (draft.conflict) return { status: "conflict", draft };
    let token = options.token;
    let response;
    try {
      if (!token) {
        const fresh = await freshCsrfToken();
        if (fresh.signedOut) return { status: "signin" };
        token = fresh.token;
      }
      response = await putDraft(draft, token);
      if (isCsrfFailure(response)) {
        const fresh = await freshCsrfToken();
        if (fresh.signedOut) return { status: "signin" };
        token = fresh.token;
        response = await putDraft(draft, token);
      }
    } catch (error) {
      return { status: "offline" };
    }
    const sentLocal = draft.localRevision;
    if (response.ok) {
      const body = await response.json().catch(() => ({}));
      const revision = Number(body.revision ?? (body.draft && body.draft.revision));
      const saved = await updateDraft(id, (d) => {
        if (!d) return null;
        if (Number.isFinite(revision)) d.revision = revision;
        d.syncedLocalRevision = Math.max(d.syncedLocalRevision, sentLocal);
        d.conflict = null;
        return d;
      });
      return { status: "synced", draft: saved };
    }
    if (response.status === 409) {
      const body = await response.json().catch(() => ({}));
      const server = body.draft || body.server || body;
      const saved = await updateDraft(id, (d) => {
        if (!d) return null;
        if (sameAnswers(server.answers, sendable(d))) {
          // The server already holds exactly these answers (a replay, or the step was posted as a form).
          d.revision = Number(server.revision);
          d.syncedLocalRevision = d.localRevision;
          d.conflict = null;
        } else {
          d.conflict = {
            revision: Number(server.revision),
            answers: server.answers || {},
            step: server.step || "",
            updatedAt: server.updated_at || null,
          };
        }
        return d;
      });
      return { status: saved && saved.conflict ? "conflict" : "synced", draft: saved };
    }
    if (response.status === 401 || response.status === 403 || response.redirected) return { status: "signin" };
    if (response.status === 410) {
      // Already submitted (from this device's queue or another device): the device copy has done its job.
      await deleteDraft(id);
      return { status: "submitted" };
    }
    if (response.status === 404) return { status: "gone" };
    return { status: "offline" }; // 5xx: try again later, nothing is lost
  }

  // Resolve a conflict the citizen decided. "device": send this device's answers on top of the server copy.
  // "server": take the server copy. Never decided for them.
  function resolveConflict(id, choice) {
    return updateDraft(id, (d) => {
      if (!d || !d.conflict) return d;
      if (choice === "server") {
        d.answers = { ...d.conflict.answers };
        d.syncedLocalRevision = d.localRevision;
      } else {
        d.localRevision += 1;
      }
      d.revision = d.conflict.revision;
      d.conflict = null;
      d.updatedAt = new Date().toISOString();
      return d;
    });
  }

  async function syncAllDrafts(account) {
    const results = {};
    for (const draft of await allDrafts()) {
      if (draft.account !== account || !hasUnsynced(draft)) continue;
      results[draft.id] = await syncDraft(draft.id);
      if (results[draft.id].status === "offline") break;
    }
    return results;
  }

  // == the outbox: submissions sent exactly once ================================================================

  function enqueueSubmission(item) {
    return transaction(["outbox"], "readwrite", (s) => requested(s.outbox.put(item)));
  }

  const removeQueued = (key) => transaction(["outbox"], "readwrite", (s) => requested(s.outbox.delete(key)));

  function submissionBody(item, token) {
    const entries = item.entries.map(([name, value]) => [name, name === "csrf_token" ? token : value]);
    if (!entries.some(([name]) => name === "csrf_token")) entries.push(["csrf_token", token]);
    if (item.multipart) {
      const data = new FormData();
      for (const [name, value] of entries) data.append(name, value);
      return data;
    }
    return new URLSearchParams(entries.map(([name, value]) => [name, String(value)]));
  }

  async function sendQueued(item) {
    const fresh = await freshCsrfToken();
    if (fresh.signedOut) return new Response(null, { status: 401 }); // handled as "signin" below
    let { token } = fresh;
    const send = () =>
      fetch(item.url, {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        redirect: "follow",
        headers: { "X-MPP-Outbox": "1" },
        body: submissionBody(item, token),
      });
    let response = await send();
    if (isCsrfFailure(response)) {
      const retry = await freshCsrfToken();
      if (retry.signedOut) return new Response(null, { status: 401 });
      token = retry.token;
      response = await send();
    }
    return response;
  }

  /* Send every queued submission of `account`. The item is deleted only after a definitive answer:
   *   sent      the server redirected to the application (a new one, or the one this key already created);
   *   rejected  the server answered with the form again (e.g. a required answer is missing): the citizen must
   *             look at it, so the page falls back to a normal submit that shows the messages;
   *   signin / offline: kept, tried again on the next page load, `online` event or Background Sync.
   * A Web Lock makes the page and the worker take turns; the server's idempotency key is what guarantees one
   * application even if two of them send at once. */
  async function flushOutbox(account) {
    const run = async () => {
      const results = [];
      for (const item of await allQueued()) {
        if (account && item.account !== account) continue;
        let response;
        try {
          response = await sendQueued(item);
        } catch (error) {
          results.push({ key: item.key, item, status: "offline" });
          break;
        }
        const finalPath = new URL(response.url || item.url, scope.location.href).pathname;
        let status;
        if (response.status >= 500) status = "offline";
        else if (response.status === 401 || response.status === 403 || finalPath === SIGN_IN_PATH) status = "signin";
        else if (response.ok && response.redirected) status = "sent";
        else status = "rejected";
        if (status === "sent" || status === "rejected") await removeQueued(item.key);
        // Sent: the application now lives on the server; no personal data stays behind on the phone.
        if (status === "sent" && item.draftId) await deleteDraft(item.draftId);
        results.push({ key: item.key, item, status, url: response.url });
        if (status === "offline") break;
      }
      return results;
    };
    if (scope.navigator && scope.navigator.locks) {
      return scope.navigator.locks.request("mpp-outbox", run);
    }
    return run();
  }

  // Ask the browser to wake the worker when the network is back (Chromium: Background Sync). Where it does not
  // exist, the `online` event and the next page load do the same job.
  async function requestBackgroundSync() {
    try {
      if (!("serviceWorker" in scope.navigator)) return false;
      const registration = await scope.navigator.serviceWorker.getRegistration();
      if (!registration || !registration.sync) return false;
      await registration.sync.register(SYNC_TAG);
      return true;
    } catch (error) {
      return false;
    }
  }

  // The worker's `sync` handler: drafts first (cheap), then queued submissions, for the last account seen.
  async function syncEverything() {
    const account = await getMeta("account");
    if (!account) return { drafts: {}, outbox: [] };
    const drafts = await syncAllDrafts(account);
    const outbox = await flushOutbox(account);
    return { drafts, outbox };
  }

  scope.mppOffline = {
    SYNC_TAG,
    openDb,
    newDraft,
    getDraft,
    allDrafts,
    updateDraft,
    deleteDraft,
    hasUnsynced,
    getMeta,
    setMeta,
    setAccount,
    forgetAll,
    freshCsrfToken,
    sameAnswers,
    syncDraft,
    syncAllDrafts,
    resolveConflict,
    enqueueSubmission,
    allQueued,
    flushOutbox,
    requestBackgroundSync,
    syncEverything,
  };
})(self);
