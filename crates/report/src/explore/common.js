// What the explorer and the drill share: the time as the trace writes it, and a picture
// fitted to its frame (a small one keeps its size, centred).
"use strict";
function faultlineStamp(t) {
  const d = Math.floor(t / 86400), s = Math.floor(t - d * 86400);
  const p = (n) => String(n).padStart(2, "0");
  return `day ${d} ${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`;
}
function faultlineFit(svg, P) {
  const vw = Math.max(P.width + 20, 760), vh = Math.max(P.height + 20, 520);
  svg.setAttribute("viewBox", `${(P.width - vw) / 2} ${(P.height - vh) / 2} ${vw} ${vh}`);
}
