// Passkeys: sign-up, sign-in (button and autofill), add, confirm. A small module on top of plain pages.
// The server sends options from py_webauthn's options_to_json(); modern browsers parse them with
// PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON and serialise the result with
// credential.toJSON(). Older Android WebViews lack those, so a base64url fallback does the same by hand.

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
const html = document.documentElement;
const english = (html.lang || "id").startsWith("en");

// Messages shown to the citizen. Indonesian by default; English when the page is English.
const MESSAGES = english
  ? {
      unsupported:
        "This browser cannot use passkeys. Update Chrome or Safari, or open this page in Chrome. You can also recover your account with a recovery code.",
      cancelled:
        "Cancelled, or your phone did not verify that it is you. Try again and use your fingerprint, face or screen lock.",
      noPasskey:
        "No passkey for MPP Digital was found on this device. Create an account, or recover your account if you lost your phone.",
      exists: "This device already has a passkey for your account.",
      network: "No connection to the server. Check your internet connection and try again.",
      security: "This page's address is not secure for passkeys. Open the site at its official address.",
      failed: "Something went wrong. Please try again.",
      working: "Waiting for your phone…",
      confirmed: "Confirmed.",
    }
  : {
      unsupported:
        "Browser ini belum mendukung passkey. Perbarui Chrome atau Safari, atau buka halaman ini di Chrome. Anda juga dapat memulihkan akun dengan kode pemulihan.",
      cancelled:
        "Dibatalkan, atau ponsel Anda tidak memverifikasi bahwa ini Anda. Coba lagi dan gunakan sidik jari, wajah, atau kunci layar.",
      noPasskey:
        "Tidak ada passkey MPP Digital di perangkat ini. Buat akun, atau pulihkan akun jika ponsel Anda hilang.",
      exists: "Perangkat ini sudah memiliki passkey untuk akun Anda.",
      network: "Tidak ada koneksi ke server. Periksa koneksi internet Anda lalu coba lagi.",
      security: "Alamat halaman ini tidak aman untuk passkey. Buka situs di alamat resminya.",
      failed: "Terjadi kesalahan. Silakan coba lagi.",
      working: "Menunggu ponsel Anda…",
      confirmed: "Terkonfirmasi.",
    };

// --- base64url fallback -----------------------------------------------------------------------------------------
const toBytes = (value) => {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(value.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
};
const toBase64url = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: toBytes(json.challenge),
    user: { ...json.user, id: toBytes(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return {
    ...json,
    challenge: toBytes(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

function credentialJSON(credential) {
  try {
    if (typeof credential.toJSON === "function") return credential.toJSON();
  } catch (_error) {
    // Some WebViews expose toJSON but throw: fall through to the manual form.
  }
  const r = credential.response;
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = toBase64url(r.authenticatorData);
    response.signature = toBase64url(r.signature);
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults?.() || {},
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
  };
}

// --- talking to the server --------------------------------------------------------------------------------------
class ServerRefusal extends Error {
  constructor(message, body) {
    super(message);
    this.body = body;
  }
}

async function post(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
  } catch (_error) {
    throw new ServerRefusal(MESSAGES.network, {});
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ServerRefusal(data.error || MESSAGES.failed, data);
  return data;
}

// --- what the citizen sees --------------------------------------------------------------------------------------
const statusBox = () => document.querySelector("[data-passkey-status]");

function show(message, kind = "warning") {
  const box = statusBox();
  if (!box) return;
  box.textContent = message;
  box.className = `passkey-status notice ${kind}`;
  box.hidden = false;
}

function explain(error, { creating = false } = {}) {
  if (error instanceof ServerRefusal) return error.message;
  switch (error?.name) {
    case "NotAllowedError":
      // Chrome reports cancel, timeout and a failed fingerprint/face check all as NotAllowedError.
      return MESSAGES.cancelled;
    case "InvalidStateError":
      return creating ? MESSAGES.exists : MESSAGES.failed;
    case "SecurityError":
      return MESSAGES.security;
    case "NotSupportedError":
      return MESSAGES.unsupported;
    case "AbortError":
      return null;
    default:
      return MESSAGES.failed;
  }
}

const supported = () => typeof window.PublicKeyCredential === "function" && !!navigator.credentials;

// --- ceremonies -------------------------------------------------------------------------------------------------
let conditionalAbort = null;

async function register(optionsUrl, verifyUrl) {
  const options = await post(optionsUrl);
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  return post(verifyUrl, credentialJSON(credential));
}

async function authenticate(optionsUrl, verifyUrl, { mediation, signal } = {}) {
  const options = await post(optionsUrl);
  const request = { publicKey: requestOptions(options) };
  if (mediation) request.mediation = mediation;
  if (signal) request.signal = signal;
  const credential = await navigator.credentials.get(request);
  if (!credential) throw new DOMException("no credential", "NotAllowedError");
  return post(verifyUrl, credentialJSON(credential));
}

function go(result) {
  if (result?.redirect) window.location.assign(result.redirect);
  else window.location.reload();
}

async function run(button, action) {
  if (button.getAttribute("aria-busy") === "true") return;
  button.setAttribute("aria-busy", "true");
  button.disabled = true;
  show(MESSAGES.working, "");
  try {
    await action();
  } catch (error) {
    const message = explain(error, { creating: button.dataset.passkey !== "sign-in" });
    if (message) show(message, "warning");
    if (error?.body?.restart) window.location.assign(error.body.restart);
  } finally {
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }
}

const handlers = {
  register: (button) => register(button.dataset.optionsUrl, button.dataset.verifyUrl).then(go),
  "sign-in": (button) => {
    conditionalAbort?.abort(); // the autofill request must step aside for the button's own request
    return authenticate(button.dataset.optionsUrl, button.dataset.verifyUrl).then(go);
  },
  // The confirmation page's verify URL carries ?next=: the server answers with where to go back to.
  reauthenticate: (button) => authenticate(button.dataset.optionsUrl, button.dataset.verifyUrl).then(go),
  add: async (button) => {
    try {
      go(await register(button.dataset.optionsUrl, button.dataset.verifyUrl));
    } catch (error) {
      // Adding a passkey needs a fresh confirmation: do it, then try once more.
      if (!(error instanceof ServerRefusal && error.body?.reauthenticate && button.dataset.reauthOptionsUrl)) throw error;
      await authenticate(button.dataset.reauthOptionsUrl, button.dataset.reauthVerifyUrl);
      go(await register(button.dataset.optionsUrl, button.dataset.verifyUrl));
    }
  },
};

async function startAutofill(field) {
  if (!window.PublicKeyCredential?.isConditionalMediationAvailable) return;
  if (!(await PublicKeyCredential.isConditionalMediationAvailable().catch(() => false))) return;
  conditionalAbort = new AbortController();
  try {
    go(
      await authenticate(field.dataset.optionsUrl, field.dataset.verifyUrl, {
        mediation: "conditional",
        signal: conditionalAbort.signal,
      }),
    );
  } catch (error) {
    const message = explain(error);
    if (message && error?.name !== "NotAllowedError") show(message, "warning");
    else if (error instanceof ServerRefusal) show(error.message, "warning");
  }
}

function forgetAccount() {
  // After sign-out: tell the service worker to drop anything of this account it still holds.
  if (!document.querySelector("[data-forget-account]") || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready
    .then((registration) => (navigator.serviceWorker.controller || registration.active)?.postMessage({ type: "forget-account" }))
    .catch(() => {});
  try {
    localStorage.clear();
    sessionStorage.clear();
  } catch (_error) {
    // storage may be unavailable (private mode); Clear-Site-Data already did the work
  }
}

function init() {
  forgetAccount();
  const buttons = document.querySelectorAll("[data-passkey]");
  if (!buttons.length) return;
  if (!supported()) {
    show(MESSAGES.unsupported, "warning");
    return;
  }
  for (const button of buttons) {
    const handler = handlers[button.dataset.passkey];
    if (!handler) continue;
    button.disabled = false;
    button.addEventListener("click", () => run(button, () => handler(button)));
  }
  const field = document.querySelector("[data-passkey-autofill]");
  if (field) startAutofill(field);
}

init();
