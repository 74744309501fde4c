#!/usr/bin/env python3
"""The explorer page in headless Chromium: see scripts/browser-check (which installs
Chromium and Playwright and runs this). Every check prints one line; any failure exits 1."""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

from playwright.sync_api import sync_playwright

SLIDER_MAX = 1_000_000
FAILED = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        FAILED.append(what)


def run(bin_, *args):
    out = subprocess.run([bin_, *args], capture_output=True, text=True)
    if out.returncode != 0:
        print(f"browser-check: {' '.join(args)} failed:\n{out.stderr}", file=sys.stderr)
        sys.exit(2)
    return out.stdout


def expected_states(trace, t):
    """What `trace` says every component was at time t: from its lines' words, not from
    the typed notes the page is built from."""
    state = {}
    for e in trace["events"]:
        if e["t_s"] > t or e["component"] is None:
            continue
        c, kind, text = e["component"], e["kind"], e["text"]
        if kind in ("ERROR", "IMPROVED"):
            state[c] = text.split(": ", 1)[1].split(",", 1)[0]
        elif kind in ("CLEARED", "RECOVERED"):
            state[c] = "healthy"
        elif kind == "FAILURE":
            state[c] = "failed"
        elif kind in ("DEGRADED", "RESTORED"):
            state[c] = "degraded"
    return state


def mitigated_by(trace, comp, t):
    """Whether a mitigation stood in for comp at time t (MITIGATED, not yet WITHDRAWN)."""
    on = False
    for e in trace["events"]:
        if e["t_s"] <= t and e["component"] == comp:
            if e["kind"] == "MITIGATED":
                on = True
            elif e["kind"] == "WITHDRAWN":
                on = False
    return on


def set_slider(page, horizon, t):
    v = math.ceil(SLIDER_MAX * t / horizon)
    page.eval_on_selector("#slider", "(e, v) => { e.value = v; e.dispatchEvent(new Event('input')) }", v)
    return page.evaluate("explorer.time()")


def shown_states(page):
    return page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#graph .node')]"
        ".map(g => [g.dataset.id, g.dataset.state]))"
    )


def substation(page, bin_, work, shots):
    # The two pages whose screenshots go under docs/ are written where a user's would be
    # (output/, out of git), so their "Written by" line is the command a reader can run.
    path = run(bin_, "explore", "scenarios/substation.ron", "--run", "3",
               "--strategy", "mobile-transformer", "-q").strip()
    size = os.path.getsize(path)
    check(size < 1_000_000, f"substation page is {size:,} bytes (budget 1 MB)")
    page.goto("file://" + os.path.abspath(path))
    horizon = page.evaluate("JSON.parse(document.getElementById('data').textContent).horizon")
    for k, strategy in enumerate(["baseline", "mobile-transformer"]):
        args = ["trace", "scenarios/substation.ron", "--run", "3", "--json", "-q",
                "--out", os.path.join(work, "trace")]
        if strategy != "baseline":
            args += ["--strategy", strategy]
        trace = json.loads(run(bin_, *args))
        page.click(f"#scenes button:nth-child({k + 1})")
        times = sorted({e["t_s"] for e in trace["events"]})
        probes = [1.0] + [t + 1.0 for t in times] + [(a + b) / 2 for a, b in zip(times, times[1:])]
        wrong = []
        for t in probes:
            now = set_slider(page, horizon, t)
            want = expected_states(trace, now)
            for comp, shown in shown_states(page).items():
                if shown == "mitigated":
                    if not mitigated_by(trace, comp, now):
                        wrong.append((now, comp, shown, "not mitigated"))
                    continue
                expect = want.get(comp, "healthy")
                if shown != expect:
                    wrong.append((now, comp, shown, expect))
        check(not wrong, f"{strategy}: every component's colour matches the trace at "
                         f"{len(probes)} slider positions" + (f": {wrong[:3]}" if wrong else ""))
    # The gunfire, seen: day 3, 13 minutes in, the customers are dark in the baseline.
    page.click("#scenes button:nth-child(1)")
    set_slider(page, horizon, 3 * 86400 + 800)
    check(page.evaluate("explorer.state('customers')") == "failed", "baseline: customers failed after the gunfire")
    carrying = page.evaluate("document.querySelectorAll('#graph .link.carrying').length")
    check(carrying >= 4, f"baseline: {carrying} edges carry the error up to the customers")
    page.screenshot(path=os.path.join(shots, "substation-run3.png"))
    # The log and the slider, synced both ways.
    page.click("#log li:nth-child(20)")
    line = page.evaluate("document.querySelector('#log li:nth-child(20)').dataset.t")
    check(abs(page.evaluate("explorer.time()") - float(line)) < 1e-6, "clicking a trace line moves the cursor there")
    current = page.evaluate("document.querySelector('#log li.current') !== null")
    check(current, "the current line is highlighted")
    # The counterfactual: the same moment under the mobile transformer, after both arrive.
    set_slider(page, horizon, 7 * 86400)
    base = page.evaluate("explorer.state('customers')")
    page.click("#scenes button:nth-child(2)")
    mobile = page.evaluate("explorer.state('customers')")
    check((base, mobile) == ("failed", "degraded"),
          f"day 7: customers {base} in the baseline, {mobile} with the mobile transformers")
    page.screenshot(path=os.path.join(shots, "substation-run3-mobile.png"))
    # Play: time moves.
    page.click("#scenes button:nth-child(1)")
    set_slider(page, horizon, 0)
    page.select_option("#speed", "604800")
    page.click("#play")
    page.wait_for_timeout(1000)
    page.click("#play")
    t = page.evaluate("explorer.time()")
    check(86400 < t < 30 * 86400, f"one second of play at a week a second moved the cursor to {t / 86400:.1f} days")


def drill(page, bin_, work, shots):
    """The drill of substation run 3 played with scripted choices ends with the
    postmortem the precomputed outcomes say."""
    path = run(bin_, "drill", "scenarios/substation.ron", "--run", "3", "-q").strip()
    page.goto("file://" + os.path.abspath(path))
    data = page.evaluate("JSON.parse(document.getElementById('data').textContent)")
    check(abs(data["paged_at"] - (3 * 86400 + 300)) < 1e-6, "the drill starts at the gunfire's page (day 3 00:05)")
    page.click('#graph .node[data-id="west_end"]')
    check(page.evaluate("drill.elapsed()") == 0, "looking before acknowledging costs nothing and shows nothing")
    page.click("#ack")
    page.click('#graph .node[data-id="distribution"]')
    page.click("#know")
    hint = page.inner_text("#hint")
    check("errors, not the fault" in hint, f"saying you know before finding a fault is refused: {hint!r}")
    for c in ["county_supply", "west_end", "west_end_xfmr"]:
        page.click(f'#graph .node[data-id="{c}"]')
    shown = page.evaluate("document.querySelector('#graph .node[data-id=\"west_end_xfmr\"]').dataset.state")
    check(shown == "down", "a look reveals the transformer down")
    check(page.evaluate("drill.elapsed()") == 42, "2 minutes to acknowledge and 4 looks of 10: 42 minutes")
    page.click("#know")
    page.click('#mitigations button[data-strategy="mobile-transformer"]')
    result = page.evaluate("drill.result")
    check(page.is_disabled("#handoff-notes") and page.is_disabled("#handoff-bare"),
          "once a mitigation is chosen, the drill is over: no hand-off is offered")
    mobile = next(c for c in data["choices"] if c["strategy"] == "mobile-transformer")
    want = mobile["by_looks"][3]
    check(result["looks"] == 4 and result["outcome"] == want,
          f"the postmortem is the outcome simulated for 4 looks and the mobile transformer: {result}")
    text = page.inner_text("#postmortem")
    cost = "${:,}".format(round(want["cost"]))
    check(cost in text, f"the postmortem shows the run's cost {cost}")
    best = min(data["choices"], key=lambda c: c["as_modelled"]["cost"])["strategy"]
    check(f"best on this history: {best}" in text, f"and the best strategy on the same faults ({best})")
    page.screenshot(path=os.path.join(shots, "drill-run3.png"), full_page=True)

    # Again, handing off with notes before finding the fault.
    page.goto("file://" + os.path.abspath(path))
    page.click("#ack")
    for c in ["distribution", "west_end"]:
        page.click(f'#graph .node[data-id="{c}"]')
    page.click("#handoff-notes")
    page.click('#graph .node[data-id="west_end_xfmr"]')
    check(page.evaluate("drill.elapsed()") == 22, "after a hand-off, looks cost nothing: still 22 minutes")
    page.click('#mitigations button[data-strategy="mobile-transformer"]')
    result = page.evaluate("drill.result")
    want = mobile["handed_off"]["notes"][2]
    check(result["handed"] == {"notes": True} and result["outcome"] == want,
          f"a hand-off with notes that do not name the fault: the outcome simulated for it: {result}")
    text = page.inner_text("#postmortem")
    other = "${:,}".format(round(mobile["handed_off"]["bare"][2]["cost"]))
    check("had you handed off without notes" in text and other in text,
          f"and the postmortem sets it beside a hand-off without notes ({other})")
    page.screenshot(path=os.path.join(shots, "drill-handoff.png"), full_page=True)


def estate(page, bin_, work, shots):
    """Smooth animation on a 1,000-component model: frames per second while playing."""
    text = run(bin_, "gen", "1000")
    model = os.path.join(work, "estate.ron")
    with open(model, "w") as f:
        f.write(text)
    path = run(bin_, "explore", model, "--out", os.path.join(work, "estate"), "-q").strip()
    page.goto("file://" + os.path.abspath(path))
    page.select_option("#speed", "86400")
    page.click("#play")
    fps = page.evaluate(
        "new Promise(done => { let n = 0; const t0 = performance.now();"
        " (function f(now) { n++; if (now - t0 < 3000) requestAnimationFrame(f);"
        " else done(1000 * n / (now - t0)); })(t0); })"
    )
    page.click("#play")
    frames = page.evaluate("explorer.frames()")
    per = frames["ms"] / max(frames["n"], 1)
    check(per <= 8, f"1,000 components: {per:.1f} ms of script per frame while playing "
                    f"({frames['n']} frames; at most 8, half a 60 Hz frame)")
    check(fps >= 20, f"1,000 components: {fps:.0f} frames per second while playing in headless "
                     f"Chromium, painting in software (at least 20)")
    page.screenshot(path=os.path.join(shots, "estate-1000.png"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--docs", action="store_true")
    a = ap.parse_args()
    shots = os.path.join("output", "browser-check")
    os.makedirs(shots, exist_ok=True)
    with tempfile.TemporaryDirectory() as work, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=a.chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        substation(page, a.bin, work, shots)
        drill(page, a.bin, work, shots)
        estate(page, a.bin, work, shots)
        check(not errors, "no script errors" + (f": {errors[:3]}" if errors else ""))
        browser.close()
    print(f"screenshots in {shots}/")
    if a.docs:
        shutil.copy(os.path.join(shots, "substation-run3.png"), "docs/explorer.png")
        shutil.copy(os.path.join(shots, "drill-run3.png"), "docs/drill.png")
        print("wrote docs/explorer.png and docs/drill.png")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
