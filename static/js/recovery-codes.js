// MPP Digital — keeping new recovery codes on a phone: Salin (clipboard) and Bagikan (the phone's share sheet).
// Unduh is a plain data: link in the page and needs no script. Each button stays hidden unless this browser can do
// what it says: no button that does nothing.

const box = document.querySelector("[data-recovery-codes]");
if (box) {
  const text = box.dataset.text;
  const status = document.querySelector("[data-recovery-status]");
  const say = (message) => {
    status.textContent = message;
  };

  const copy = box.querySelector("[data-recovery-copy]");
  if (navigator.clipboard && window.isSecureContext) {
    copy.hidden = false;
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(text);
        say(box.dataset.copied);
      } catch (error) {
        say(box.dataset.copyFailed);
      }
    });
  }

  const share = box.querySelector("[data-recovery-share]");
  const data = { title: share.dataset.shareTitle, text };
  if (typeof navigator.share === "function" && (!navigator.canShare || navigator.canShare(data))) {
    share.hidden = false;
    share.addEventListener("click", async () => {
      try {
        await navigator.share(data);
      } catch (error) {
        // AbortError: the citizen closed the share sheet; nothing to say.
      }
    });
  }
}
