// The MPP hall's board: a "full screen" button for the TV (shown only where the browser can do it) and a screen
// wake lock while full screen, so the display does not dim. The numbers themselves are refreshed by htmx polling
// (one small fragment swapped in place: no state grows in the page; tests/queue/test_board_memory.py measures it).
const screen = document.getElementById("papan");
const button = document.getElementById("layar-penuh");
let wakeLock = null;

function label() {
  if (!button) return;
  const full = document.fullscreenElement === screen;
  button.textContent = full ? button.dataset.exitLabel : button.dataset.enterLabel;
  button.setAttribute("aria-pressed", full ? "true" : "false");
}

async function keepAwake() {
  if (!("wakeLock" in navigator) || document.fullscreenElement !== screen) return;
  try {
    wakeLock = await navigator.wakeLock.request("screen");
  } catch {
    wakeLock = null; // refused (battery saver): the board still works, the screen may dim
  }
}

if (screen && button && document.fullscreenEnabled) {
  button.hidden = false;
  button.addEventListener("click", () => {
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(() => {});
    } else {
      screen.requestFullscreen().catch(() => {});
    }
  });
  document.addEventListener("fullscreenchange", () => {
    label();
    if (document.fullscreenElement === screen) {
      keepAwake();
    } else if (wakeLock) {
      wakeLock.release().catch(() => {});
      wakeLock = null;
    }
  });
  // A wake lock is dropped when the tab is hidden; take it again when the board is shown.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") keepAwake();
  });
}
