// A join link as a QR code for the projector, drawn as SVG from the vendored qrcode-generator (global `qrcode`).

import { $ } from "./page.js";

const SVG = "http://www.w3.org/2000/svg";
const QUIET = 4;  // modules of white border a scanner needs

export function qrSvg(text, label) {
  const code = globalThis.qrcode(0, "M");
  code.addData(text);
  code.make();
  const n = code.getModuleCount();
  let path = "";
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) if (code.isDark(row, col)) path += `M${col + QUIET} ${row + QUIET}h1v1h-1z`;
  }
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${n + 2 * QUIET} ${n + 2 * QUIET}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", "100%");
  background.setAttribute("height", "100%");
  background.setAttribute("fill", "#fff");
  const modules = document.createElementNS(SVG, "path");
  modules.setAttribute("d", path);
  modules.setAttribute("fill", "#000");
  svg.append(background, modules);
  return svg;
}

export function showQr(label, url) {
  $("qr-title").textContent = `Join as ${label}`;
  $("qr-code").replaceChildren(qrSvg(url, `QR code of the join link for ${label}`));
  $("qr-dialog").showModal();
}

export function wireQrDialog() {
  $("qr-close").addEventListener("click", () => $("qr-dialog").close());
}
