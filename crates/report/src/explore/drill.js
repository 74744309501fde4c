// faultline drill: on call for one run. Every outcome reachable from here was simulated
// beforehand (the JSON above); this script keeps the clock, reveals what the student looks
// at, and looks their choices up.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const $ = (id) => document.getElementById(id);
  const NS = "http://www.w3.org/2000/svg";
  const P = D.scene.picture;
  const roots = new Set(D.roots);
  let elapsed = 0;            // simulated minutes since the page
  let acked = false, known = false, done = false;
  let handed = null;          // null, or { notes } once the student has handed off
  const looked = [];          // component indices, in the order looked at
  const nodes = [];

  const stamp = faultlineStamp;
  function human(s) {
    if (s === null || s === undefined) return "not within the run";
    if (s >= 86400) { const d = Math.floor(s / 86400); return `${d}d ${Math.floor((s - d * 86400) / 3600)}h`; }
    if (s >= 3600) { const h = Math.floor(s / 3600); return `${h}h ${Math.round((s - h * 3600) / 60)}m`; }
    return `${Math.round(s / 60)}m`;
  }
  const money = (x) => "$" + Math.round(x).toLocaleString("en-US");
  const now = () => D.paged_at + 60 * elapsed;

  // A component's state at time t, from the baseline's changes (before anyone acts, the
  // run is the baseline's).
  function stateAt(c, t) {
    let s = "healthy", via = null;
    for (const ch of D.scene.changes) {
      if (ch.t > t) break;
      if (ch.c === c && !ch.s.includes("latent") && !ch.s.includes("mitigated")) { s = ch.s; via = ch.via; }
    }
    return { s, via };
  }

  function draw() {
    const g = $("graph");
    faultlineFit(g, P);
    const lg = document.createElementNS(NS, "g");
    g.appendChild(lg);
    for (const l of P.links) {
      const p = document.createElementNS(NS, "path");
      p.setAttribute("d", l.d);
      p.setAttribute("class", "link " + l.kind);
      lg.appendChild(p);
    }
    P.nodes.forEach((n, i) => {
      const box = document.createElementNS(NS, "g");
      box.setAttribute("class", "node " + n.kind);
      box.dataset.id = n.id;
      box.setAttribute("data-state", n.kind === "service" ? stateAt(i, now()).s : "unknown");
      const r = document.createElementNS(NS, "rect");
      for (const [k, v] of Object.entries({ x: n.x, y: n.y, width: n.w, height: n.h })) r.setAttribute(k, v);
      box.appendChild(r);
      const t = document.createElementNS(NS, "text");
      t.setAttribute("x", n.x + n.w / 2);
      t.setAttribute("y", n.y + n.h / 2);
      t.textContent = n.id;
      box.appendChild(t);
      box.addEventListener("click", () => look(i));
      g.appendChild(box);
      nodes.push(box);
    });
  }

  function note(text) {
    const li = document.createElement("li");
    li.textContent = `${stamp(now())}  ${text}`;
    $("notes").appendChild(li);
  }
  function tick(minutes) {
    elapsed += minutes;
    $("now").textContent = stamp(now());
    $("elapsed").textContent = `${elapsed} minutes since the page`;
    // What users see is never hidden: the services' state moves with the clock.
    P.nodes.forEach((n, i) => {
      if (n.kind === "service") nodes[i].setAttribute("data-state", stateAt(i, now()).s);
    });
  }

  function acknowledge() {
    if (acked) return;
    acked = true;
    tick(D.ack_minutes);
    note(`acknowledged (${D.ack_minutes} min)`);
    $("ack").disabled = true;
    $("know").disabled = false;
    $("handoff-notes").disabled = false;
    $("handoff-bare").disabled = false;
    $("hint").textContent = `Click a component to look at it (${D.look_minutes} simulated minutes a look).`;
  }

  function look(i) {
    if (!acked || known || handed || done) {
      $("hint").textContent = acked ? "" : "Acknowledge the page first.";
      return;
    }
    if (P.nodes[i].kind === "service") return;
    tick(D.look_minutes);
    looked.push(i);
    const { s, via } = stateAt(i, now());
    nodes[i].setAttribute("data-state", s);
    let text = `looked at ${P.nodes[i].id}: ${s}`;
    if (s !== "healthy" && via !== null) text += `, through ${P.nodes[via].id} (an error, not its fault)`;
    if (roots.has(i)) text += ": a fault of its own";
    note(text);
  }

  function know() {
    if (!looked.some((i) => roots.has(i))) {
      $("hint").textContent = "You have seen errors, not the fault behind them: follow them down the graph.";
      note("said I knew, but had not found a fault yet");
      return;
    }
    known = true;
    $("know").disabled = true;
    note(`know what is broken: ${looked.filter((i) => roots.has(i)).map((i) => P.nodes[i].id).join(", ")}`);
    offerMitigations("Fix the failure, not (only) the fault: pick a mitigation, or none.");
  }

  // The shift is over (or the student is out of their depth): a colleague of the
  // scenario's takes the incident over. With notes they read what was seen; without,
  // they start again.
  function handOff(notes) {
    if (!acked || handed || done) return;
    handed = { notes };
    $("know").disabled = true;
    $("handoff-notes").disabled = true;
    $("handoff-bare").disabled = true;
    note(notes ? "handed off, with these notes" : "handed off, without notes");
    offerMitigations("Your colleague takes it from here. Which mitigation does the team have ready for them?");
  }

  function offerMitigations(hint) {
    $("hint").textContent = hint;
    const m = $("mitigations");
    m.hidden = false;
    m.replaceChildren();
    D.choices.forEach((c, k) => {
      const b = document.createElement("button");
      b.dataset.strategy = c.strategy;
      b.innerHTML = "<span></span><small></small>";
      b.children[0].textContent = k === 0 ? "No mitigation: wait for the repair" : c.strategy;
      b.children[1].textContent = k === 0 ? "the scenario as written" : c.about;
      b.addEventListener("click", () => choose(k));
      m.appendChild(b);
    });
  }

  function choose(k) {
    if (done) return;
    done = true;
    const c = D.choices[k];
    note(k === 0 ? "chose no mitigation" : `chose ${c.strategy}`);
    $("mitigations").hidden = true;
    $("handoff-notes").disabled = true;
    $("handoff-bare").disabled = true;
    $("hint").textContent = "";
    postmortem(k);
  }

  // The student's run: index the outcomes by how many looks and how it ended.
  function ending(c, looks, how) {
    const found = looked.some((i) => roots.has(i));
    if (how === null) return c.by_looks[looks - 1];
    if (!how.notes) return c.handed_off.bare[looks];
    return found ? c.handed_off.notes_found[looks - 1] : c.handed_off.notes[looks];
  }

  function postmortem(k) {
    const c = D.choices[k];
    const looks = Math.min(looked.length, c.by_looks.length);
    const you = ending(c, looks, handed);
    const found = looked.some((i) => roots.has(i));
    // What the other ways of ending would have given, on the same history.
    const others = [];
    if (handed) {
      const other = { notes: !handed.notes };
      others.push([`had you handed off ${other.notes ? "with" : "without"} notes`, ending(c, looks, other)]);
      if (found) others.push(["had you stayed and diagnosed it yourself", ending(c, looks, null)]);
    }
    const best = D.choices.reduce((b, c, i) => (c.as_modelled.cost < D.choices[b].as_modelled.cost ? i : b), 0);
    const row = (who, o, cls) => `<tr class="${cls || ""}"><td>${who}</td><td class="num">${human(o.restored === null ? null : o.restored - D.paged_at)}</td>` +
      `<td class="num">${o.mitigated === null ? "none" : human(o.mitigated - D.paged_at)}</td><td class="num">${human(o.downtime)}</td><td class="num">${money(o.cost)}</td></tr>`;
    const pm = $("postmortem");
    pm.hidden = false;
    pm.innerHTML = `<h2>Postmortem of your run</h2>
      <p id="summary"></p>
      <table><tr><th></th><th>page → service back</th><th>page → mitigated</th><th>downtime (run)</th><th>cost (run)</th></tr>
      ${row("you", you, "you")}
      ${others.map(([who, o]) => row(who, o)).join("")}
      ${row(`${D.choices[k].strategy}, as the scenario models its people`, D.choices[k].as_modelled)}
      ${row(`best on this history: ${D.choices[best].strategy}`, D.choices[best].as_modelled)}
      </table>
      <p>Write down what is happening: your notes above are the timeline. Fix the failure, not the fault: a
      mitigation brings the service back while the repair goes on.</p>`;
    const diag = D.ack_minutes + looks * D.look_minutes;
    const ended = handed
      ? `handed off ${handed.notes ? "with" : "without"} notes ${diag} minutes after the page` +
        (handed.notes ? (found ? " (they named the fault)" : " (they did not name the fault yet)") : "")
      : `knew what was broken ${diag} minutes after the page`;
    $("summary").textContent = `You acknowledged in ${D.ack_minutes} minutes, looked at ${looked.length} ` +
      `component${looked.length === 1 ? "" : "s"} and ${ended}; ` +
      `you chose ${k === 0 ? "no mitigation" : D.choices[k].strategy}. Your run cost ${money(you.cost)}, ` +
      `${you.cost <= D.choices[best].as_modelled.cost ? "no more than" : money(you.cost - D.choices[best].as_modelled.cost) + " more than"} ` +
      `the best strategy on the same faults.`;
    window.drill.result = { looks, handed, strategy: D.choices[k].strategy, outcome: you, best: D.choices[best].strategy };
  }

  $("title").textContent = `On call: ${D.scenario}, run ${D.run} of seed ${D.seed}`;
  $("situation").textContent = `You are paged at ${stamp(D.paged_at)}: ${D.paged}`;
  $("command").textContent = "Written by: " + D.command;
  $("legend").innerHTML = "Grey boxes are what you have not looked at; services show what users see.";
  draw();
  tick(0);
  $("ack").addEventListener("click", acknowledge);
  $("know").addEventListener("click", know);
  $("handoff-notes").addEventListener("click", () => handOff(true));
  $("handoff-bare").addEventListener("click", () => handOff(false));
  // For scripts (and the browser test).
  window.drill = { elapsed: () => elapsed, result: null };
})();
