// Upload progress for Dokumen Saya. The form is a normal multipart form that works without this script; here it is
// sent with XMLHttpRequest only because fetch() cannot report upload progress. On a slow 3G link a 5 MB scan takes
// a while, and a bar is the difference between waiting and tapping "Unggah" again.

function replaceMain(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const fresh = doc.querySelector("main");
  const main = document.querySelector("main");
  if (!fresh || !main) return false;
  main.replaceChildren(...fresh.childNodes);
  document.title = doc.title;
  const error = main.querySelector("[aria-invalid='true'], .notice.error");
  if (error) error.focus({ preventScroll: false });
  return true;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form[data-upload]")) return;
  if (typeof XMLHttpRequest === "undefined" || typeof FormData === "undefined") return;
  event.preventDefault();

  const box = form.querySelector("[data-upload-progress]");
  const bar = box && box.querySelector("progress");
  const percent = box && box.querySelector("[data-upload-percent]");
  const button = form.querySelector("button[type='submit']");
  if (box) box.hidden = false;
  if (button) button.disabled = true;

  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable || !bar) return;
    const value = Math.round((e.loaded / e.total) * 100);
    bar.value = value;
    if (percent && value % 25 === 0) percent.textContent = `${value}%`;
  });
  xhr.addEventListener("load", () => {
    const target = new URL(xhr.responseURL || form.action, location.href);
    const posted = new URL(form.action, location.href);
    // Success answers 303 → a GET of another URL, which XHR followed. That GET already took the one-time
    // "saved" message, so show its page as it came (a second GET would arrive without the confirmation).
    if (xhr.status < 400 && target.pathname + target.search !== posted.pathname + posted.search) {
      if (replaceMain(xhr.responseText)) history.pushState(null, "", target.href);
      else location.assign(target.href);
      return;
    }
    // A refusal comes back as the page with the message next to the field (or an error page): show it.
    if (!replaceMain(xhr.responseText)) location.reload();
  });
  xhr.addEventListener("error", () => {
    if (button) button.disabled = false;
    if (box) box.hidden = true;
    form.submit(); // let the browser try the plain way (and show its own network error)
  });
  xhr.send(new FormData(form));
});
