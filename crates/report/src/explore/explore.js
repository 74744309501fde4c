// faultline explore: one run to watch. The data (scenes, their pictures, logs and state
// changes) is the JSON above; everything else happens here, offline.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const $ = (id) => document.getElementById(id);
  const NS = "http://www.w3.org/2000/svg";
  const SLIDER_MAX = 1000000;
  const MARK = {
    FAULT: "fault", COMMON: "fault", LATENT: "fault", FAILURE: "failure",
    DETECTED: "people", PAGED: "people", ACK: "people", TEAM: "people", HANDOFF: "people",
    DIAGNOSED: "people", MITIGATE: "people", MITIGATED: "people", RESOLVED: "people",
    REPAIRED: "repair", RECOVERED: "repair",
  };
  let scene = null;      // the scene shown
  let T = 0;             // the cursor, simulated seconds
  let applied = 0;       // changes applied to `st` (those with t <= T)
  let st = [];           // per component: {cls, latent, mitigated, via, since}
  let nodes = [];        // per component: its <g>
  let links = [];        // per link: its <path>
  let linkOf = new Map();// "from,to" -> link index
  let playing = false, last = 0, current = -1, scrolled = 0;
  const frames = { n: 0, ms: 0 };  // frames played and the script time they took
  let dirty = new Set();  // components whose state changed since the last render
  let fresh = new Set();  // components glowing: changed a moment ago
  let hurt = [];          // per group: members not healthy
  let groupsOf = [], membersOf = [], servicesAbove = [], carried = [];

  const stamp = faultlineStamp;
  function human(s) {
    if (s >= 86400) return (s / 86400).toFixed(1) + "d";
    if (s >= 3600) return (s / 3600).toFixed(1) + "h";
    if (s >= 60) return (s / 60).toFixed(1) + "m";
    return s.toFixed(1) + "s";
  }
  function el(name, attrs, parent) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  // The picture of the scene's model.
  function draw() {
    const g = $("graph"), P = scene.picture;
    g.innerHTML = "";
    faultlineFit(g, P);
    // Large pictures paint without anti-aliasing: frames stay smooth.
    g.classList.toggle("large", P.nodes.length > 200);
    const lg = el("g", {}, g);
    links = P.links.map((l) => el("path", { d: l.d, class: "link " + l.kind }, lg));
    linkOf = new Map(P.links.map((l, k) => [l.from + "," + l.to, k]));
    const ng = el("g", {}, g);
    nodes = P.nodes.map((n, i) => {
      const box = el("g", { class: "node " + n.kind, "data-id": n.id, "data-state": "healthy" }, ng);
      el("rect", { x: n.x, y: n.y, width: n.w, height: n.h }, box);
      const cx = n.x + n.w / 2;
      const t = el("text", { x: cx, y: n.y + (n.sub ? n.h * 0.33 : n.h / 2) }, box);
      t.textContent = n.id;
      if (n.sub) {
        const s = el("text", { x: cx, y: n.y + n.h * 0.7, class: "sub" }, box);
        s.textContent = n.sub;
      }
      const x = el("text", { x: cx, y: n.y + n.h + 11, class: "extra" }, box);
      box.extra = x;
      const title = el("title", {}, box);
      title.textContent = n.id;
      box.addEventListener("click", () => jumpToComponent(i));
      return box;
    });
    const n = P.nodes.length;
    groupsOf = P.nodes.map(() => []);
    membersOf = P.nodes.map(() => []);
    servicesAbove = P.nodes.map(() => []);
    P.links.forEach((l) => {
      if (l.kind === "member") { groupsOf[l.to].push(l.from); membersOf[l.from].push(l.to); }
      if (P.nodes[l.from].kind === "service") servicesAbove[l.to].push(l.from);
    });
    carried = Array.from({ length: n }, () => []);
    $("about").textContent = scene.about || "";
    $("services").innerHTML = "";
    scene.services.slice(0, 4).forEach((s) => {
      const d = document.createElement("div");
      d.textContent = `${s.id}: ${s.text} in this run`;
      $("services").appendChild(d);
    });
    if (scene.services.length > 4) {
      const d = document.createElement("div");
      d.textContent = `and ${scene.services.length - 4} more services`;
      $("services").appendChild(d);
    }
    drawLog();
    drawMarks();
  }

  function drawLog() {
    const ol = $("log");
    ol.innerHTML = "";
    scene.log.forEach((l, k) => {
      const li = document.createElement("li");
      li.dataset.t = l.t;
      li.className = "future";
      li.innerHTML = `<span class="time"></span><span class="tag"></span><span class="text"></span>`;
      li.children[0].textContent = l.time;
      li.children[1].textContent = l.tag;
      li.children[2].textContent = l.text;
      li.addEventListener("click", () => { pause(); setTime(l.t); });
      ol.appendChild(li);
    });
    current = -1;
  }

  function drawMarks() {
    const m = $("marks");
    m.innerHTML = "";
    const seen = new Set();
    for (const l of scene.log) {
      const kind = MARK[l.tag];
      if (!kind) continue;
      const x = (100 * l.t / D.horizon).toFixed(2);
      if (seen.has(kind + x)) continue;
      seen.add(kind + x);
      const s = document.createElement("span");
      s.className = kind;
      s.style.left = `calc(${x}% - 1px)`;
      s.title = `${l.time} ${l.tag}: ${l.text}`;
      s.addEventListener("click", () => { pause(); setTime(l.t); });
      m.appendChild(s);
    }
  }

  // The state at the cursor: changes applied in order, from the start when going back.
  function reset() {
    st = scene.picture.nodes.map(() => ({ cls: "healthy", latent: false, mitigated: false, via: null, since: -1 }));
    hurt = scene.picture.nodes.map(() => 0);
    applied = 0;
    dirty = new Set(st.keys());
    fresh.clear();
  }
  function apply(c) {
    const s = st[c.c], was = s.cls;
    dirty.add(c.c);
    if (c.s === "latent") s.latent = true;
    else if (c.s === "-latent") s.latent = false;
    else if (c.s === "mitigated") s.mitigated = true;
    else if (c.s === "-mitigated") s.mitigated = false;
    else { s.cls = c.s; s.via = c.s === "healthy" ? null : c.via; }
    s.since = c.t;
    if ((was === "healthy") !== (s.cls === "healthy")) {
      for (const g of groupsOf[c.c]) { hurt[g] += s.cls === "healthy" ? -1 : 1; dirty.add(g); }
    }
    for (const v of servicesAbove[c.c]) dirty.add(v);
  }
  function shown(s) {
    if (s.mitigated) return "mitigated";
    if (s.latent && s.cls === "healthy") return "latent";
    return s.cls;
  }
  function advanceTo(t, animate) {
    const ch = scene.changes;
    if (t < T || applied > ch.length) reset();
    const travelled = [];
    while (applied < ch.length && ch[applied].t <= t) {
      const c = ch[applied++];
      apply(c);
      if (animate && c.via !== null && c.s !== "healthy") travelled.push(c);
    }
    T = t;
    // A few travelling errors per frame are a story; hundreds are noise (and slow).
    travelled.slice(0, 6).forEach(pulse);
  }

  // An error travelling the edge it crossed: from the dependency (or member) up to it.
  function pulse(c) {
    const k = linkOf.get(c.c + "," + c.via);
    if (k === undefined) return;
    const path = links[k], len = path.getTotalLength();
    const dot = el("circle", { r: 6, class: "pulse" }, $("graph"));
    const start = performance.now();
    (function step(now) {
      const f = Math.min(1, (now - start) / 700);
      const p = path.getPointAtLength(len * (1 - f));
      dot.setAttribute("cx", p.x);
      dot.setAttribute("cy", p.y);
      if (f < 1) requestAnimationFrame(step); else dot.remove();
    })(start);
  }

  // Only what changed since the last frame is touched: a frame of a large model while
  // playing is a few components, not all of them.
  function render() {
    const P = scene.picture, window_ = freshness();
    for (const i of dirty) {
      const g = nodes[i], s = shown(st[i]);
      if (g.getAttribute("data-state") !== s) g.setAttribute("data-state", s);
      const glow = st[i].since >= 0 && s !== "healthy" && T - st[i].since < window_;
      g.classList.toggle("fresh", glow);
      if (glow) fresh.add(i);
      // The lines that carry its error: from where it came, or, for a service (told
      // without a path), to its impaired dependencies.
      for (const k of carried[i]) links[k].classList.remove("carrying");
      carried[i] = [];
      if (st[i].cls !== "healthy") {
        if (st[i].via !== null) {
          const k = linkOf.get(i + "," + st[i].via);
          if (k !== undefined) carried[i].push(k);
        } else if (P.nodes[i].kind === "service") {
          P.links.forEach((l, k) => { if (l.from === i && st[l.to].cls !== "healthy") carried[i].push(k); });
        }
      }
      for (const k of carried[i]) links[k].classList.add("carrying");
      if (membersOf[i].length) g.classList.toggle("masking", hurt[i] > 0 && st[i].cls === "healthy");
    }
    for (const i of fresh) {
      const on = st[i].since >= 0 && T - st[i].since < window_ && shown(st[i]) !== "healthy";
      nodes[i].classList.toggle("fresh", on);
      if (!on) fresh.delete(i);
    }
    dirty.clear();
    for (const q of scene.queues) {
      let at = null;
      for (const p of q.pts) { if (p[0] <= T) at = p; else break; }
      nodes[q.c].extra.textContent = at ? `backlog ${at[1]}` + (at[2] !== null ? ` · latency ${human(at[2])}` : "") : "";
    }
    $("now").textContent = stamp(T);
    const states = scene.services.map((s) => shown(st[s.c]));
    if (states.length <= 4) {
      $("status").textContent = scene.services.map((s, k) => `${s.id}: ${states[k]}`).join(" · ");
    } else {
      const count = (x) => states.filter((s) => s === x).length;
      $("status").textContent = `${states.length} services: ${count("failed")} failed, ${count("degraded")} degraded`;
    }
    $("slider").value = Math.round(SLIDER_MAX * T / D.horizon);
    syncLog();
  }
  function freshness() { return Number($("speed").value) * 1.5; }

  function syncLog() {
    const log = scene.log;
    let lo = 0, hi = log.length;  // the first line after the cursor
    while (lo < hi) { const mid = (lo + hi) >> 1; if (log[mid].t <= T) lo = mid + 1; else hi = mid; }
    const k = lo - 1;
    if (k === current) return;
    const items = $("log").children;
    const from = Math.max(0, Math.min(k, current)), to = Math.min(items.length - 1, Math.max(k, current));
    for (let i = from; i <= to; i++) items[i].className = i < k ? "past" : i === k ? "current" : "future";
    current = k;
    const now = performance.now();
    if (k >= 0 && (!playing || now - scrolled > 200)) {
      items[k].scrollIntoView({ block: "nearest" });
      scrolled = now;
    }
  }

  function setTime(t, animate) {
    advanceTo(Math.max(0, Math.min(D.horizon, t)), animate);
    render();
  }

  function jumpToComponent(i) {
    const next = scene.log.find((l) => l.c === i && l.t > T);
    if (next) { pause(); setTime(next.t); }
  }
  function step(dir) {
    pause();
    const times = scene.log.map((l) => l.t);
    const t = dir > 0 ? times.find((x) => x > T) : [...times].reverse().find((x) => x < T);
    if (t !== undefined) setTime(t, dir > 0);
  }

  function play() {
    if (T >= D.horizon) setTime(0);
    playing = true;
    $("play").textContent = "⏸";
    last = performance.now();
    requestAnimationFrame(tick);
  }
  function pause() { playing = false; $("play").textContent = "▶"; }
  function tick(now) {
    if (!playing) return;
    const dt = (now - last) / 1000;
    last = now;
    const t0 = performance.now();
    setTime(T + dt * Number($("speed").value), true);
    frames.n++;
    frames.ms += performance.now() - t0;
    if (T >= D.horizon) pause(); else requestAnimationFrame(tick);
  }

  function show(k) {
    scene = D.scenes[k];
    [...$("scenes").children].forEach((b, i) => b.setAttribute("aria-selected", i === k));
    draw();
    const t = T;
    reset();
    T = 0;
    setTime(t);
  }

  // Header, scene tabs, controls.
  $("title").textContent = `${D.scenario}: run ${D.run} of seed ${D.seed}`;
  $("chosen").textContent = D.chosen;
  $("command").textContent = "Written by: " + D.command;
  D.scenes.forEach((s, k) => {
    const b = document.createElement("button");
    b.textContent = s.strategy;
    b.setAttribute("role", "tab");
    b.title = s.about || "the scenario as written";
    b.addEventListener("click", () => show(k));
    $("scenes").appendChild(b);
  });
  if (D.scenes.length > 1) {
    const p = document.createElement("span");
    p.textContent = " the same run (the same faults) under each strategy";
    $("scenes").appendChild(p);
  }
  const legend = ["healthy", "degraded", "corrupt", "down", "latent", "mitigated"];
  $("legend").innerHTML = legend.map((s) => `<span style="background:var(--${s})"></span>${s}`).join("") +
    " · red edges carry an error; a thick green border is a group masking one";
  $("slider").addEventListener("input", (e) => { pause(); setTime(D.horizon * e.target.value / SLIDER_MAX); });
  $("play").addEventListener("click", () => (playing ? pause() : play()));
  $("prev").addEventListener("click", () => step(-1));
  $("next").addEventListener("click", () => step(1));
  document.addEventListener("keydown", (e) => {
    if (e.target.tagName === "SELECT") return;
    if (e.key === " ") { e.preventDefault(); playing ? pause() : play(); }
    if (e.key === "ArrowRight") step(1);
    if (e.key === "ArrowLeft") step(-1);
  });
  // Zoom with the wheel, pan by dragging: large models.
  (function zoom() {
    const g = $("graph");
    let drag = null;
    const box = () => g.getAttribute("viewBox").split(" ").map(Number);
    g.addEventListener("wheel", (e) => {
      e.preventDefault();
      const [x, y, w, h] = box(), f = e.deltaY > 0 ? 1.2 : 1 / 1.2, r = g.getBoundingClientRect();
      const px = x + w * (e.clientX - r.left) / r.width, py = y + h * (e.clientY - r.top) / r.height;
      g.setAttribute("viewBox", `${px - (px - x) * f} ${py - (py - y) * f} ${w * f} ${h * f}`);
    }, { passive: false });
    g.addEventListener("mousedown", (e) => { drag = { x: e.clientX, y: e.clientY, v: box() }; });
    window.addEventListener("mouseup", () => { drag = null; });
    window.addEventListener("mousemove", (e) => {
      if (!drag) return;
      const r = g.getBoundingClientRect(), [x, y, w, h] = drag.v;
      const dx = (e.clientX - drag.x) * w / r.width, dy = (e.clientY - drag.y) * h / r.height;
      g.setAttribute("viewBox", `${x - dx} ${y - dy} ${w} ${h}`);
    });
  })();
  // For scripts (and the browser test): read the page as a user sees it.
  window.explorer = {
    time: () => T,
    state: (id) => { const n = nodes.find((g) => g.dataset.id === id); return n && n.dataset.state; },
    scenes: () => D.scenes.map((s) => s.strategy),
    frames: () => ({ ...frames }),
  };
  show(0);
})();
