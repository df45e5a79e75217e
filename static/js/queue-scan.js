// The counter: read a ticket's QR code with the device camera where the browser has BarcodeDetector, and put the
// code into the check-in form. Typing the code always works; this only saves typing. Also the slip's Print button.

const form = document.querySelector("[data-scan-form]");
const start = form && form.querySelector("[data-scan-start]");
const video = form && form.querySelector("[data-scan-video]");
const status = form && form.querySelector("[data-scan-status]");

async function scan() {
  const detector = new BarcodeDetector({ formats: ["qr_code"] });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const stop = () => {
    stream.getTracks().forEach((track) => track.stop());
    video.hidden = true;
  };
  for (;;) {
    const codes = await detector.detect(video).catch(() => []);
    const code = codes.map((c) => c.rawValue).find((v) => /^[A-Z0-9]{8}$/.test(v));
    if (code) {
      stop();
      form.querySelector("input[name=kode]").value = code;
      form.requestSubmit();
      return;
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

if (start && "BarcodeDetector" in window && navigator.mediaDevices) {
  start.hidden = false;
  start.addEventListener("click", () => {
    scan().catch(() => {
      if (status) status.textContent = start.dataset.failed || "";
      video.hidden = true;
    });
  });
}

const print = document.querySelector("[data-print]");
if (print) {
  print.hidden = false;
  print.addEventListener("click", () => window.print());
}
