// MPP Digital — offline drafts on the apply pages: every keystroke is kept on this device, restored after a
// reload, a crash or a night offline, synced to the server when it can be reached, and a submission made offline
// is queued and sent exactly once. Storage and sync live in offline-queue.js (shared with the service worker).
//
// Contract with the server-rendered pages (templates/applications/…):
//   <form data-draft-id="…" data-draft-revision="<server revision>" data-draft-step="…"
//         [data-draft-url="PUT/GET JSON endpoint"] [data-next-url="GET url of the next step"]>
//   a submit form carries <input type="hidden" name="idempotency_key">; it is sent by this module (queued first).
//   <meta name="mpp-account" content="<opaque key>"> says who is signed in (templates/device_drafts/head.html).
// Without JavaScript all of this is absent and the pages work as plain forms.

const Q = self.mppOffline;
const SAVE_DELAY = 250; // ms: at most this much typing is at risk if the phone dies mid-word
const SYNC_DELAY = 1500; // ms of quiet before sending to the server, so a sentence is one request, not twenty
const IGNORED = new Set(["csrf_token", "idempotency_key"]);
const NOT_ANSWERS = new Set(["hidden", "file", "password", "submit", "button", "reset", "image"]);

const messages = readMessages();
const accountMeta = document.querySelector('meta[name="mpp-account"]');
let account = accountMeta ? accountMeta.content : null;
let saveTimer = null;
let syncTimer = null;
let restoring = false;
let lastStatus = "";

function readMessages() {
  const node = document.getElementById("mpp-drafts-messages");
  try {
    return node ? JSON.parse(node.textContent) : {};
  } catch (error) {
    return {};
  }
}

const t = (key) => messages[key] || key;
const draftForm = () => document.querySelector("form[data-draft-id]");
const isSubmitForm = (form) => !!form.querySelector('input[name="idempotency_key"]');
// A form written in one go and sent once (the complaint form) may still keep every keystroke on the device:
// data-draft-device makes it a draft of this device only (with data-draft-local, nothing goes to the account);
// the outbox deletes it once the submission is sent, and sign-out deletes it with everything else.
const isDeviceDraft = (form) => form.hasAttribute("data-draft-device");
const keepsAnswers = (form) => !isSubmitForm(form) || isDeviceDraft(form);

// == reading and writing the form ===============================================================================

function answerFields(form) {
  return [...form.elements].filter((el) => {
    if (!el.name || IGNORED.has(el.name) || el.disabled) return false;
    if (!["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName)) return false;
    if (NOT_ANSWERS.has((el.type || "").toLowerCase())) return false;
    return !el.closest("[data-draft-ignore]");
  });
}

function groupOf(form, name) {
  return answerFields(form).filter((el) => el.name === name);
}

// Answers as the server keeps them: strings keyed by field name; a group of checkboxes (or a multiple select)
// gives a list; a single yes/no checkbox gives its value or "".
// With `asRendered`, the values the server put in the page (the DOM keeps them as defaultValue/defaultChecked/
// defaultSelected), whatever was typed since: what the account held when the page was rendered.
function collect(form, { asRendered = false } = {}) {
  const answers = {};
  const checked = (el) => (asRendered ? el.defaultChecked : el.checked);
  const selected = (el) => [...el.options].filter((o) => (asRendered ? o.defaultSelected : o.selected));
  for (const el of answerFields(form)) {
    if (el.name in answers && el.type !== "checkbox") {
      if (el.type === "radio" && checked(el)) answers[el.name] = el.value;
      continue;
    }
    if (el.type === "radio") answers[el.name] = checked(el) ? el.value : answers[el.name] || "";
    else if (el.type === "checkbox") {
      const group = groupOf(form, el.name);
      if (group.length > 1) answers[el.name] = group.filter(checked).map((box) => box.value);
      else answers[el.name] = checked(el) ? el.value : "";
    } else if (el.tagName === "SELECT" && el.multiple) {
      answers[el.name] = selected(el).map((option) => option.value);
    } else if (el.tagName === "SELECT" && asRendered) {
      const [option] = selected(el);
      answers[el.name] = option ? option.value : el.options.length ? el.options[0].value : "";
    } else answers[el.name] = asRendered ? el.defaultValue : el.value;
  }
  return answers;
}

function fill(form, answers) {
  restoring = true;
  try {
    for (const el of answerFields(form)) {
      if (!(el.name in answers)) continue;
      const value = answers[el.name];
      const values = Array.isArray(value) ? value.map(String) : value ? [String(value)] : [];
      let changed = false;
      if (el.type === "radio" || el.type === "checkbox") {
        const checked = values.includes(el.value);
        changed = el.checked !== checked;
        el.checked = checked;
      } else if (el.tagName === "SELECT" && el.multiple) {
        for (const option of el.options) option.selected = values.includes(option.value);
        changed = true;
      } else {
        const next = Array.isArray(value) ? values.join(", ") : value == null ? "" : String(value);
        changed = el.value !== next;
        el.value = next;
      }
      // Let the page's own scripts (conditional questions, htmx triggers) see the restored value.
      if (changed) el.dispatchEvent(new Event("change", { bubbles: true }));
    }
  } finally {
    restoring = false;
  }
}

function only(answers, names) {
  const out = {};
  for (const name of names) if (name in answers) out[name] = answers[name];
  return out;
}

const text = (node) => (node ? node.textContent.replace(/\s+/g, " ").trim() : "");

function labelText(el) {
  const label = el.labels && el.labels[0];
  if (!label) return el.getAttribute("aria-label") || el.name;
  const copy = label.cloneNode(true);
  for (const extra of copy.querySelectorAll(".hint, .field-error, [role='alert']")) extra.remove();
  return text(copy);
}

function hintText(el) {
  const ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  return ids
    .map((id) => document.getElementById(id))
    .filter((node) => node && !node.matches(".field-error, [role='alert']"))
    .map(text)
    .join(" ");
}

const COPIED_ATTRIBUTES = ["inputmode", "autocomplete", "maxlength", "minlength", "pattern", "min", "max", "step",
  "placeholder", "rows"];

// What the offline form page needs to draw this step again without the server: the form *definition* as
// rendered (labels, hints, options, constraints) — no values; those are the answers, kept beside it.
function snapshot(form) {
  const fields = [];
  const seen = new Set();
  for (const el of answerFields(form)) {
    if (seen.has(el.name)) continue;
    seen.add(el.name);
    const group = groupOf(form, el.name);
    const field = { name: el.name, required: el.required, hint: hintText(el), attrs: {} };
    if (el.type === "radio" || el.type === "checkbox") {
      const fieldset = el.closest("fieldset");
      const legend = fieldset && fieldset.querySelector("legend");
      Object.assign(field, {
        kind: el.type,
        label: group.length > 1 || el.type === "radio" ? text(legend) || labelText(el) : labelText(el),
        hint: hintText(el) || (fieldset ? hintText(fieldset) : ""),
        options: group.map((option) => ({ value: option.value, label: labelText(option) })),
        grouped: group.length > 1 || el.type === "radio",
      });
    } else {
      Object.assign(field, {
        kind: el.tagName === "SELECT" ? "select" : el.tagName === "TEXTAREA" ? "textarea" : el.type || "text",
        label: labelText(el),
        multiple: !!el.multiple,
        options: el.tagName === "SELECT" ? [...el.options].map((o) => ({ value: o.value, label: text(o) })) : null,
      });
      for (const name of COPIED_ATTRIBUTES) if (el.hasAttribute(name)) field.attrs[name] = el.getAttribute(name);
    }
    fields.push(field);
  }
  const button = form.querySelector('button[type="submit"], button:not([type]), input[type="submit"]');
  const key = form.querySelector('input[name="idempotency_key"]');
  return {
    title: text(document.querySelector("h1")),
    url: location.pathname,
    action: form.action,
    multipart: form.enctype === "multipart/form-data",
    nextUrl: form.dataset.nextUrl || null,
    submitLabel: button ? button.value && button.tagName === "INPUT" ? button.value : text(button) : "",
    idempotencyKey: key ? key.value : null,
    fields,
  };
}

// == notices ====================================================================================================

function noticeArea(form) {
  let area = document.getElementById("draft-status");
  if (!area) {
    area = document.createElement("div");
    area.id = "draft-status";
    area.className = "draft-status";
    area.setAttribute("role", "status");
    const anchor = form || document.querySelector("main h1");
    if (anchor && form) anchor.before(area);
    else if (anchor) anchor.after(area);
    else document.body.prepend(area);
  }
  return area;
}

// One polite live region; it only speaks when the state really changes (not on every keystroke).
function setStatus(key, { kind = "info", link = null } = {}) {
  const area = noticeArea(draftForm() || document.querySelector("form[data-offline-submit]"));
  const signature = `${key}|${link && link.href}`;
  if (signature === lastStatus) return;
  lastStatus = signature;
  area.replaceChildren();
  if (!key) {
    area.className = "draft-status";
    return;
  }
  area.className = `draft-status notice ${kind}`;
  const p = document.createElement("p");
  p.textContent = t(key);
  if (link) {
    p.append(" ");
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = t(link.text);
    p.append(a);
  }
  area.append(p);
}

function showConflict(form, draft) {
  let box = document.getElementById("draft-conflict");
  if (!box) {
    box = document.createElement("div");
    box.id = "draft-conflict";
    box.className = "notice warning draft-conflict";
    const p = document.createElement("p");
    p.setAttribute("role", "alert");
    p.textContent = t("conflict");
    const actions = document.createElement("div");
    actions.className = "draft-conflict-actions";
    for (const [choice, label, style] of [["device", "keepDevice", "button"], ["server", "useServer", "button secondary"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = style;
      button.dataset.draftChoice = choice;
      button.textContent = t(label);
      actions.append(button);
    }
    box.append(p, actions);
    noticeArea(form).after(box);
    box.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-draft-choice]");
      if (!button) return;
      const choice = button.dataset.draftChoice;
      const resolved = await Q.resolveConflict(draft.id, choice);
      box.remove();
      const current = draftForm();
      if (choice === "server" && resolved && current) fill(current, only(resolved.answers, names(current)));
      setStatus(choice === "server" ? "usedServer" : "keptDevice", { kind: "success" });
      if (choice === "device") syncNow();
    });
  }
}

const names = (form) => [...new Set(answerFields(form).map((el) => el.name))];
const localNames = (form) => names(form).filter((name) => groupOf(form, name).some((el) => el.closest("[data-draft-local]")));
const withLocal = (draft, form) => [...new Set([...(draft.localOnly || []), ...localNames(form)])];

// == saving =====================================================================================================

async function saveNow(form = draftForm()) {
  clearTimeout(saveTimer);
  saveTimer = null;
  if (!form || !keepsAnswers(form)) return null;
  const id = form.dataset.draftId;
  const answers = collect(form);
  const step = form.dataset.draftStep || "";
  const saved = await Q.updateDraft(id, (draft) => {
    const d = draft || Q.newDraft(id, account);
    if (form.dataset.draftUrl) d.syncUrl = form.dataset.draftUrl;
    d.localOnly = withLocal(d, form);
    if (Q.recordEdits(d, answers)) {
      d.localRevision += 1;
      d.updatedAt = new Date().toISOString();
    }
    if (!Q.hasUnsynced(d)) d.syncedLocalRevision = d.localRevision;
    d.step = step || d.step;
    if (account) d.account = account;
    return d;
  });
  if (saved && Q.hasUnsynced(saved)) scheduleSync();
  return saved;
}

function scheduleSave(form) {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => saveNow(form), SAVE_DELAY);
}

function scheduleSync() {
  clearTimeout(syncTimer);
  syncTimer = setTimeout(syncNow, SYNC_DELAY);
}

async function syncNow() {
  clearTimeout(syncTimer);
  const form = draftForm();
  if (!form || form.dataset.draftShell === "1" && !navigator.onLine) {
    if (form) setStatus("savedDevice");
    return;
  }
  const result = await Q.syncDraft(form.dataset.draftId);
  showSyncResult(form, result);
}

function showSyncResult(form, result) {
  if (!result) return;
  switch (result.status) {
    case "synced":
      setStatus(form.dataset.draftShell === "1" ? "savedServerShell" : "saved", { kind: "success" });
      break;
    case "offline":
      if (form.dataset.draftShell === "1") setStatus(navigator.onLine ? "shellUnreachable" : "shellOffline", { kind: "warning" });
      else setStatus("savedDevice", { kind: "warning" });
      Q.requestBackgroundSync();
      break;
    case "conflict":
      setStatus("");
      showConflict(form, result.draft);
      break;
    case "signin":
      setStatus("signin", { kind: "warning", link: { href: `/masuk?next=${encodeURIComponent(location.pathname)}`, text: "signinLink" } });
      break;
    case "gone":
      setStatus("gone", { kind: "warning" });
      break;
    default:
  }
}

// == submitting exactly once ====================================================================================

async function submitForm(form, submitter) {
  form.dataset.sending = "1";
  for (const button of form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]')) {
    button.disabled = true; // a double tap cannot send twice; the idempotency key covers retries and replays
  }
  const data = new FormData(form, submitter || undefined);
  let key = data.get("idempotency_key");
  if (!key) {
    key = crypto.randomUUID();
    data.set("idempotency_key", key);
    form.querySelector('input[name="idempotency_key"]').value = key; // a fallback plain post carries the same key
  }
  form.dataset.sendingKey = key;
  if (draftForm() === form) await saveNow(form);
  // Queued BEFORE the first attempt: if the phone dies while sending, the next start sends it (once).
  await Q.enqueueSubmission({
    key,
    account,
    draftId: form.dataset.draftId || null,
    url: form.action,
    multipart: form.enctype === "multipart/form-data",
    entries: [...data.entries()].filter(([name]) => name !== "csrf_token"),
    pageUrl: location.pathname,
    createdAt: new Date().toISOString(),
  });
  setStatus("sending");
  const results = await Q.flushOutbox(account);
  handleOutbox(results, { form, key });
}

function releaseForm(form) {
  delete form.dataset.sending;
  delete form.dataset.sendingKey;
  for (const button of form.querySelectorAll("button, input[type='submit']")) button.disabled = false;
}

// The form of this page being sent with `key`: another flush (the one every page load runs, or the worker's
// Background Sync) may take the queued item before the submit's own flush gets the lock, and its answer is still
// this form's answer — else the form would stay disabled with its messages never shown.
function sendingForm(key) {
  return [...document.querySelectorAll("form[data-sending-key]")].find((f) => f.dataset.sendingKey === key) || null;
}

function handleOutbox(results, { form = null, key = null } = {}) {
  for (const result of results || []) {
    const ownForm = key ? form : sendingForm(result.key);
    const navigated = ownForm ? handleResult(result, ownForm, result.key) : handleResult(result, form, key);
    if (navigated) return;
  }
}

// Shows one outbox result on this page; true when it navigates away (to the application, or a plain post).
function handleResult(result, form, key) {
  const mine = key ? result.key === key : result.item && result.item.pageUrl === location.pathname;
  if (result.status === "sent") {
    if (mine) {
      location.assign(result.url);
      return true;
    }
    setStatus("sent", { kind: "success", link: { href: result.url, text: "sentLink" } });
  } else if (result.status === "rejected" && mine) {
    // The server wants something corrected: a normal submit shows its messages next to the fields (the same
    // idempotency key still guarantees a single application).
    if (form && form.dataset.draftShell !== "1") {
      HTMLFormElement.prototype.submit.call(form);
      return true;
    }
    if (form) releaseForm(form);
    setStatus("rejected", { kind: "warning", link: { href: result.item.pageUrl, text: "openOnline" } });
  } else if (result.status === "offline" && (mine || !key)) {
    setStatus("queued", { kind: "warning" });
    Q.requestBackgroundSync();
  } else if (result.status === "signin" && (mine || !key)) {
    setStatus("signinSubmit", { kind: "warning", link: { href: `/masuk?next=${encodeURIComponent(location.pathname)}`, text: "signinLink" } });
  }
  return false;
}

// A step form sent while the phone knows it is offline would end on the browser's error page. Keep the answers
// (already on the device) and move on to the next step's offline form when there is one.
async function stepWhileOffline(form) {
  const draft = await saveNow(form);
  Q.requestBackgroundSync();
  const next = form.dataset.nextUrl && new URL(form.dataset.nextUrl, location.href).pathname;
  const known = draft && Object.values(draft.pages || {}).some((page) => page.url === next);
  if (known) location.assign(next);
  else setStatus(form.dataset.draftShell === "1" ? "shellNextMissing" : "savedDevice", { kind: "warning" });
}

// == the offline form page (served by the worker in place of an apply page) =====================================

function element(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

function renderField(field, index) {
  const id = `luring-${index}`;
  const hintId = field.hint ? `${id}-hint` : null;
  const hint = field.hint ? [element("span", { className: "hint", id: hintId, text: field.hint })] : [];
  if (field.kind === "radio" || field.kind === "checkbox") {
    const options = field.options.map((option, i) =>
      element("label", { className: "checkbox", for: `${id}-${i}` }, [
        element("input", {
          type: field.kind,
          id: `${id}-${i}`,
          name: field.name,
          value: option.value,
          required: field.required && field.kind === "radio",
          "aria-describedby": hintId,
        }),
        element("span", { text: option.label }),
      ]),
    );
    if (!field.grouped) return element("div", { className: "field" }, [...hint, ...options]);
    return element("fieldset", { className: "field", "aria-describedby": hintId }, [
      element("legend", { text: field.label }),
      ...hint,
      ...options,
    ]);
  }
  const common = { id, name: field.name, required: field.required, "aria-describedby": hintId, ...field.attrs };
  let control;
  if (field.kind === "select") {
    control = element("select", { ...common, multiple: field.multiple },
      (field.options || []).map((option) => element("option", { value: option.value, text: option.label })));
  } else if (field.kind === "textarea") control = element("textarea", common);
  else control = element("input", { type: field.kind, ...common });
  return element("div", { className: "field" }, [element("label", { for: id, text: field.label }), ...hint, control]);
}

function renderShellForm(shell, draft, page, step) {
  const h1 = document.querySelector("h1");
  if (h1 && page.title) h1.textContent = page.title;
  if (page.title) document.title = `${page.title} · MPP Digital`;
  const form = element("form", {
    method: "post",
    action: page.action,
    "data-draft-id": draft.id,
    "data-draft-step": step,
    "data-draft-revision": String(draft.revision),
    "data-draft-shell": "1",
    "data-next-url": page.nextUrl,
    enctype: page.multipart ? "multipart/form-data" : null,
  });
  page.fields.forEach((field, index) => form.append(renderField(field, index)));
  if (page.idempotencyKey) {
    form.append(element("input", { type: "hidden", name: "idempotency_key", value: page.idempotencyKey }));
  }
  form.append(element("div", { className: "form-actions" }, [
    element("button", { type: "submit", className: "button", text: page.submitLabel || t("saveDevice") }),
  ]));
  shell.replaceChildren(form);
  fill(form, only(draft.answers, page.fields.map((field) => field.name)));
  return form;
}

function renderShellList(shell, drafts) {
  const items = drafts
    .filter((draft) => Object.keys(draft.pages || {}).length)
    .map((draft) => {
      const step = draft.pages[draft.step] ? draft.step : Object.keys(draft.pages)[0];
      const page = draft.pages[step];
      return element("li", {}, [element("a", { href: page.url, text: page.title || draft.id })]);
    });
  shell.replaceChildren(
    items.length
      ? element("ul", { className: "offline-page-list" }, items)
      : element("p", { text: t("shellEmpty") }),
  );
}

async function initShell(shell) {
  account = await Q.getMeta("account");
  const drafts = (await Q.allDrafts()).filter((draft) => account && draft.account === account);
  const match = location.pathname.match(/^\/permohonan\/draf\/([^/]+)\/([^/]+)/);
  if (match) {
    const draft = drafts.find((d) => d.id === decodeURIComponent(match[1]));
    const step = decodeURIComponent(match[2]);
    const page = draft && draft.pages && draft.pages[step];
    if (page) {
      const form = renderShellForm(shell, draft, page, step);
      setStatus(navigator.onLine ? "shellUnreachable" : "shellOffline", { kind: "warning" });
      if (draft.conflict) showConflict(form, draft);
      return;
    }
    renderShellList(shell, drafts);
    if (draft) setStatus("shellStepMissing", { kind: "warning" });
    return;
  }
  renderShellList(shell, drafts);
}

// == the real apply page ========================================================================================

async function initDraftForm(form) {
  if (form.dataset.draftReady) return; // once per rendered form (htmx settles other parts of the page too)
  form.dataset.draftReady = "1";
  const id = form.dataset.draftId;
  const serverRevision = Number(form.dataset.draftRevision || 0);
  const checkPage = !keepsAnswers(form);
  const rendered = checkPage ? {} : collect(form, { asRendered: true });
  const existing = await Q.getDraft(id);
  const mine = existing && (!account || existing.account === account);
  let show = {};
  // The page says what the account holds and at which revision; the device reconciles that with its own edits
  // (offline-queue.js reconcileRendered): its edits not yet on the account, and anything newer than the page,
  // are what the form must show — never an older value under "Draf tersimpan.".
  await Q.updateDraft(id, (current) => {
    const d = mine && current ? current : Q.newDraft(id, account);
    if (form.dataset.draftUrl) d.syncUrl = form.dataset.draftUrl;
    d.localOnly = withLocal(d, form);
    show = Q.reconcileRendered(d, rendered, serverRevision);
    d.step = form.dataset.draftStep || d.step;
    // A device-only draft has no offline form page to be drawn on (its page is not kept by the worker).
    if (!isDeviceDraft(form)) d.pages = { ...(d.pages || {}), [form.dataset.draftStep || "_"]: snapshot(form) };
    if (account) d.account = account;
    return d;
  });
  const restored = Object.keys(show).length > 0;
  if (restored) {
    fill(form, show);
    setStatus("restored", { kind: "success" });
  }
  if (!checkPage) await saveNow(form); // anything typed before this script was ready is an edit too
  const current = await Q.getDraft(id);
  if (current && current.conflict) showConflict(form, current);
  else if (Q.hasUnsynced(current)) {
    const result = await Q.syncDraft(id);
    if (result.status !== "synced" || !restored) showSyncResult(form, result);
  }
}

async function showPendingSubmission() {
  const queued = (await Q.allQueued()).filter(
    (item) => item.account === account && item.pageUrl === location.pathname,
  );
  if (!queued.length) return;
  const form = document.querySelector(`form input[name="idempotency_key"]`)?.form;
  if (form) {
    form.dataset.sending = "1";
    for (const button of form.querySelectorAll("button, input[type='submit']")) button.disabled = true;
  }
  setStatus("queued", { kind: "warning" });
}

async function syncEverything() {
  if (!account) return;
  const form = draftForm();
  const results = await Q.syncAllDrafts(account);
  if (form && results[form.dataset.draftId]) showSyncResult(form, results[form.dataset.draftId]);
  handleOutbox(await Q.flushOutbox(account));
}

// == wiring =====================================================================================================

// The declaration on the check page is not an answer: it must be ticked again, knowingly, for each submission.
const answerForm = (target) => {
  const form = target.closest && target.closest("form[data-draft-id]");
  return form && keepsAnswers(form) ? form : null;
};
document.addEventListener("input", (event) => {
  const form = answerForm(event.target);
  if (form && !restoring) scheduleSave(form);
});
document.addEventListener("change", (event) => {
  const form = answerForm(event.target);
  if (form && !restoring) scheduleSave(form);
});

// Capture phase on the document: runs before htmx's own submit handling, so a form is sent once, by us.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (isSubmitForm(form)) {
      event.preventDefault();
      event.stopPropagation();
      if (form.dataset.sending === "1") return;
      submitForm(form, event.submitter);
    } else if (form.matches("form[data-draft-id]")) {
      if (form.dataset.draftShell === "1" || !navigator.onLine) {
        event.preventDefault();
        event.stopPropagation();
        stepWhileOffline(form);
      } else {
        saveNow(form); // the answers are on the device before the request leaves
      }
    }
  },
  true,
);

// Closing the app or switching away: write now, do not wait for the debounce.
window.addEventListener("pagehide", () => saveTimer && saveNow());
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden" && saveTimer) saveNow();
});
// The network is back (a real outage fires nothing, hence also the run on every load below).
window.addEventListener("online", syncEverything);
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "mpp-drafts-synced") {
      handleOutbox(event.data.outbox);
      const form = draftForm();
      const result = form && event.data.drafts && event.data.drafts[form.dataset.draftId];
      if (result) showSyncResult(form, result);
    }
  });
}

async function init() {
  if (!Q) return;
  if (document.querySelector('meta[name="mpp-device-drafts"][content="forget"]')) {
    await Q.forgetAll(); // the page after sign-out
    return;
  }
  if (account) await Q.setAccount(account);
  const shell = document.querySelector("[data-draft-shell-root]");
  if (shell) await initShell(shell);
  const form = draftForm();
  if (form && form.dataset.draftShell !== "1") await initDraftForm(form);
  await showPendingSubmission();
  await syncEverything();
}

// htmx may swap a step in place: set the new form up like a fresh page.
document.addEventListener("htmx:afterSettle", () => {
  const form = draftForm();
  if (form && form.dataset.draftShell !== "1") initDraftForm(form);
});

export const ready = init();
self.mppDraftsReady = ready; // for the page after sign-out and for tests

// For the sign-out page and tests.
export function forgetAllDrafts() {
  return Q.forgetAll();
}
