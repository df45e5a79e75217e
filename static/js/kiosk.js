// Kiosk mode (issue 13): the tablet at the MPP is shared by everyone who walks past it.
// * After `data-idle-seconds` without a touch or a key, the visit ends: the page goes to the "Selesai" address,
//   whose Clear-Site-Data answer removes cookies, caches and storage from the tablet.
// * The "Selesai" page returns to the kiosk's home after `data-return-seconds`.
// `replace`, not `assign`: the back button must not bring the previous person's page back.

const body = document.body;
const idleSeconds = Number(body.dataset.idleSeconds || 0);
const endUrl = body.dataset.endUrl;

if (idleSeconds > 0 && endUrl) {
  let timer = null;
  const restart = () => {
    clearTimeout(timer);
    timer = setTimeout(() => window.location.replace(endUrl), idleSeconds * 1000);
  };
  for (const type of ["pointerdown", "keydown", "input", "wheel", "touchstart"]) {
    window.addEventListener(type, restart, { passive: true });
  }
  restart();
}

const returnSeconds = Number(body.dataset.returnSeconds || 0);
const returnUrl = body.dataset.returnUrl;
if (returnSeconds > 0 && returnUrl) {
  setTimeout(() => window.location.replace(returnUrl), returnSeconds * 1000);
}
