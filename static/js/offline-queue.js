/* MPP Digital — offline drafts and the submission outbox: the storage and sync core.
 *
 * Shared by the apply pages (loaded before drafts.js) and the service worker (importScripts in sw.js, for
 * Background Sync), so it is a plain script without import/export and defines `self.mppOffline`.
 *
 * IndexedDB "mpp-drafts" holds, per device:
 *   drafts  {id, account, answers, dirty, step, revision, localRevision, syncedLocalRevision, updatedAt, syncUrl,
 *            pages: {step: form snapshot}, conflict}
 *           `answers` is what the form shows on this device; `dirty` maps every answer changed here and not yet
 *           on the account to the value it had before (its *base*: what the account held as far as this device
 *           knows). A sync sends only the dirty answers with their bases, so the server merges them answer by
 *           answer and calls it a conflict only when the account's value moved away from the base too — i.e.
 *           another device or session really changed that answer. `revision` is the newest server revision this
 *           device has seen (taken from every save answer and every rendered page); `localRevision` counts edits.
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
      dirty: {},
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

  // Answers kept only on the device (data-draft-local, e.g. the MPP choice the step's own POST saves) are tracked
  // as edits, so the device shows them again, but never sent by the sync.
  const unsent = (draft) =>
    draft.dirty
      ? Object.keys(draft.dirty).filter((name) => !(draft.localOnly || []).includes(name))
      : draft.localRevision > draft.syncedLocalRevision // a copy stored before `dirty` existed: send it all
        ? Object.keys(sendable(draft))
        : [];
  const hasUnsynced = (draft) => !!draft && unsent(draft).length > 0;

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
  const sameValue = (a, b) => canonical({ v: a }) === canonical({ v: b });

  // A copy stored before `dirty` existed: its unsynced answers become edits with an unknown base (null).
  function ensureDirty(draft) {
    if (draft.dirty) return draft;
    draft.dirty = {};
    if (draft.localRevision > draft.syncedLocalRevision) {
      for (const name of Object.keys(sendable(draft))) draft.dirty[name] = null;
    }
    return draft;
  }

  // The citizen typed `answers` on this device: keep them and remember, per changed answer, the value it started
  // from. An answer typed back to its base is no longer an edit (nothing to send). Returns whether anything changed.
  function recordEdits(draft, answers) {
    ensureDirty(draft);
    let changed = false;
    for (const [name, value] of Object.entries(answers)) {
      const before = draft.answers[name];
      if (sameValue(value, before)) continue;
      changed = true;
      if (!(name in draft.dirty)) draft.dirty[name] = before == null ? "" : before;
      draft.answers[name] = value;
      if (sameValue(value, draft.dirty[name])) delete draft.dirty[name];
    }
    return changed;
  }

  // What the account holds (from a save answer): taken for every answer not edited here since. The device never
  // goes back to an older revision than one it has seen.
  function adoptServer(draft, server) {
    if (!server) return;
    ensureDirty(draft);
    for (const [name, value] of Object.entries(server.answers || {})) {
      if (!(name in draft.dirty)) draft.answers[name] = value;
    }
    const revision = Number(server.revision);
    if (Number.isFinite(revision)) draft.revision = Math.max(Number(draft.revision) || 0, revision);
  }

  // A step rendered by the server: `rendered` are its answers as the account held them at `revision`.
  //   - The page is older than what this device already saw (rendered before this device's sync landed): the
  //     device's answers are the newer ones; keep them all and show them.
  //   - Otherwise the account's answers win, except those edited here and not yet on the account: those are
  //     shown from the device (until they are synced), and an edit the page already shows is done (e.g. the
  //     step was just posted as a plain form).
  // Returns the answers the form must show from the device.
  function reconcileRendered(draft, rendered, revision) {
    ensureDirty(draft);
    const show = {};
    const stale = Number.isFinite(revision) && revision < (Number(draft.revision) || 0);
    for (const [name, value] of Object.entries(rendered)) {
      if (name in draft.dirty) {
        if (sameValue(value, draft.answers[name])) delete draft.dirty[name];
        else show[name] = draft.answers[name];
      } else if (stale && name in draft.answers) {
        if (!sameValue(value, draft.answers[name])) show[name] = draft.answers[name];
      } else draft.answers[name] = value;
    }
    if (!stale && Number.isFinite(revision)) draft.revision = Math.max(Number(draft.revision) || 0, revision);
    if (!hasUnsynced(draft)) draft.syncedLocalRevision = draft.localRevision;
    return show;
  }

  // Fields marked data-draft-local (e.g. the choice of MPP, which the server keeps outside the answers) are kept
  // and restored on the device but never sent by the sync, nor compared with the server's answers.
  function sendable(draft) {
    const out = { ...draft.answers };
    for (const name of draft.localOnly || []) delete out[name];
    return out;
  }

  // Only the answers edited here, each with the value it started from ("base"), so the server can tell this
  // device's edits from another device's and merge them answer by answer.
  function payload(draft) {
    const all = sendable(draft);
    const answers = {};
    const base = {};
    for (const name of unsent(draft)) {
      answers[name] = name in all ? all[name] : "";
      if (draft.dirty && name in draft.dirty && draft.dirty[name] !== null) base[name] = draft.dirty[name];
    }
    return draft.dirty
      ? { revision: draft.revision, answers, base, step: draft.step }
      : { revision: draft.revision, answers, step: draft.step };
  }

  async function putDraft(body, url, token) {
    return fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body),
    });
  }

  // The account has `sent`: every sent answer not edited again meanwhile is no longer an edit; one edited again
  // now starts from what was sent (which is what the account holds).
  function acknowledge(draft, sent) {
    ensureDirty(draft);
    for (const [name, value] of Object.entries(sent)) {
      if (sameValue(draft.answers[name], value)) delete draft.dirty[name];
      else if (!(draft.localOnly || []).includes(name)) draft.dirty[name] = value;
    }
  }

  // The answers this device edited that the account ALSO changed, to something else, since this device's base.
  function clashes(draft, server) {
    const theirs = (server && server.answers) || {};
    return unsent(draft).filter((name) => {
      const value = theirs[name];
      if (sameValue(value, draft.answers[name])) return false;
      return !(draft.dirty && name in draft.dirty && sameValue(value, draft.dirty[name]));
    });
  }

  /* Send one draft's unsynced changes. Resolves with {status}:
   *   "clean"     nothing to send;            "synced"   the server has this device's answers;
   *   "offline"   network or server down;     "conflict" the server copy changed elsewhere (stored in draft.conflict);
   *   "signin"    the session ended;          "gone"     the draft no longer exists for this account.
   * Only edited answers are sent, each with its base; the server merges them answer by answer and answers 409
   * only when the account changed one of them to something else since (another device or session). Safe to call
   * twice at once (a `sync` event and an `online` listener): the server applies a replay as a no-op. */
  async function syncDraft(id, options = {}, attempt = 0) {
    const draft = await getDraft(id);
    if (!draft || !hasUnsynced(draft)) return { status: "clean" };
    if (draft.conflict) return { status: "conflict", draft };
    const body = payload(draft);
    let token = options.token;
    let response;
    try {
      if (!token) {
        const fresh = await freshCsrfToken();
        if (fresh.signedOut) return { status: "signin" };
        token = fresh.token;
      }
      response = await putDraft(body, draft.syncUrl, token);
      if (isCsrfFailure(response)) {
        const fresh = await freshCsrfToken();
        if (fresh.signedOut) return { status: "signin" };
        token = fresh.token;
        response = await putDraft(body, draft.syncUrl, token);
      }
    } catch (error) {
      return { status: "offline" };
    }
    if (response.ok) {
      // Every save answer carries the account's copy and its new revision: the device takes both.
      const answer = await response.json().catch(() => ({}));
      const server = answer.draft || { revision: answer.revision, answers: {} };
      const saved = await updateDraft(id, (d) => {
        if (!d) return null;
        ensureDirty(d);
        acknowledge(d, body.answers);
        adoptServer(d, server);
        if (!hasUnsynced(d)) d.syncedLocalRevision = d.localRevision;
        d.conflict = null;
        return d;
      });
      if (saved && hasUnsynced(saved) && attempt < 2) return syncDraft(id, { token }, attempt + 1); // typed meanwhile
      return { status: "synced", draft: saved };
    }
    if (response.status === 409) {
      const answer = await response.json().catch(() => ({}));
      const server = answer.draft || answer.server || answer;
      const saved = await updateDraft(id, (d) => {
        if (!d) return null;
        ensureDirty(d);
        const names = clashes(d, server);
        // Answers the account already holds are done; the others' changes to answers not edited here are taken.
        for (const name of unsent(d)) {
          if (sameValue((server.answers || {})[name], d.answers[name])) delete d.dirty[name];
        }
        if (!names.length) {
          adoptServer(d, server); // nothing clashes after all (e.g. an old copy without bases): send again
          d.revision = Number(server.revision);
          d.conflict = null;
        } else {
          d.conflict = {
            revision: Number(server.revision),
            answers: server.answers || {},
            names,
            step: server.step || "",
            updatedAt: server.updated_at || null,
          };
        }
        if (!hasUnsynced(d)) d.syncedLocalRevision = d.localRevision;
        return d;
      });
      if (saved && !saved.conflict) {
        if (hasUnsynced(saved) && attempt < 2) return syncDraft(id, { token }, attempt + 1);
        return { status: "synced", draft: saved };
      }
      return { status: "conflict", draft: saved };
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

  // Resolve a conflict the citizen decided — never decided for them.
  //   "device": this device's answers stay and are sent again, now on top of the account's copy;
  //   "server": the account's copy is taken and this device's pending edits are dropped.
  function resolveConflict(id, choice) {
    return updateDraft(id, (d) => {
      if (!d || !d.conflict) return d;
      ensureDirty(d);
      const theirs = d.conflict.answers || {};
      if (choice === "server") {
        d.answers = { ...d.answers, ...theirs };
        for (const name of Object.keys(d.dirty)) {
          if (!(d.localOnly || []).includes(name)) delete d.dirty[name];
        }
        d.syncedLocalRevision = d.localRevision;
      } else {
        for (const name of d.conflict.names || unsent(d)) d.dirty[name] = name in theirs ? theirs[name] : "";
        for (const [name, value] of Object.entries(theirs)) if (!(name in d.dirty)) d.answers[name] = value;
        d.localRevision += 1;
      }
      d.revision = Math.max(Number(d.revision) || 0, d.conflict.revision);
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
    recordEdits,
    reconcileRendered,
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
