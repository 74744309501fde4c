"""Cross-checks faultline's exact engines against SCRAM and Storm.

Usage (normally through scripts/crosscheck, which installs SCRAM and stormpy and builds
faultline first):

    python3 scripts/crosscheck.py --bin target/release/faultline [--write] [--doc PATH]

What it does:

* Open-PSA MEF fault trees shipped with SCRAM (/usr/share/scram/input): SCRAM 0.16 with
  --bdd gives P(top), the minimal cut sets and the importance factors; faultline's
  `analyze --json` must give the same P(top) (SCRAM prints 6 significant digits, so at
  that precision), the same number of cut sets (CEA9601 at order <= 3: every SCRAM cut
  set must be one of faultline's, see docs/validation.md) and the same MIF, CIF, DIF,
  RAW and RRW within 1e-4 relative.
* The event trees, alignments and substitutions among SCRAM's inputs must be refused
  (exit status 2, with a message naming file, line and column).
* Galileo DFTs shipped in stormpy's wheel: Storm's MTTF and P(failed by t=1) (minimum
  and maximum when the model is nondeterministic) against `faultline analyze F.dft
  --json --time 1`, within 1e-6 relative; a file both refuse counts as agreeing.
* Monte Carlo: `faultline run F --json --runs 20000 -q --seed 1`; the exact value must
  lie in the 95% Wilson interval of the observed failure share (rule of three with no
  failures). When `run` exits non-zero the column says "not simulated: <reason>" and
  does not count as a disagreement.

The tables are printed as Markdown. With --write they also replace the text between
`<!-- crosscheck: begin -->` and `<!-- crosscheck: end -->` in docs/validation.md.

Exit status: 0 when everything agrees, 1 when anything disagrees, 2 on a usage error or
when a tool cannot be run at all.
"""

import argparse
import functools
import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
import xml.etree.ElementTree as ET

SCRAM_INPUT = "/usr/share/scram/input"
REL_EXACT = 1e-6
REL_IMPORTANCE = 1e-4
MC_RUNS = 20000
MC_SEED = 1
MC_TIMEOUT = 120  # seconds per model, so a slow simulation cannot stall the suite
Z95 = 1.959963984540054
BEGIN, END = "<!-- crosscheck: begin -->", "<!-- crosscheck: end -->"

# name, files (relative to SCRAM_INPUT), published cut sets, published P(top),
# extra faultline arguments, extra SCRAM arguments
MODELS = [
    ("Baobab1", ["Baobab/baobab1.xml", "Baobab/baobab1-basic-events.xml"], 46188, "1.2823e-6", [], []),
    ("Chinese", ["Chinese/chinese.xml", "Chinese/chinese-basic-events.xml"], 392, "0.0045691", [], []),
    ("HIPPS", ["HIPPS/HIPPS.xml"], 9, "0.0016209", [], []),
    ("ThreeMotor", ["ThreeMotor/three_motor.xml"], 12, "0.0211538", [], []),
    ("TwoTrain", ["TwoTrain/two_train.xml"], 4, "0.7225", [], []),
    ("TwoTrain with CCF", ["TwoTrain/common_cause.xml"], 6, "0.0622587", [], ["--ccf", "true"]),
    ("Lift", ["Lift/lift.xml"], 12, "1.19999e-5", [], []),
    ("ne574", ["ne574/ne574.xml"], 7, "0.662208", [], []),
    ("Theatre", ["Theatre/theatre.xml"], 2, "0.00207", [], []),
    ("SmallTree", ["SmallTree/SmallTree.xml"], 2, "0.02678", [], []),
    ("BSCU", ["BSCU/BSCU.xml"], 10, "0.1124087", [], []),
    # Published: the rare-event approximation over SCRAM's 1,144 cut sets of order <= 3.
    ("CEA9601", ["CEA9601/CEA9601.xml", "CEA9601/CEA9601-basic-events.xml"], 1144, "3.316e-8",
     ["--max-order", "3"], ["--limit-order", "3"]),
]
SUBSET_RULE = {"CEA9601"}  # cut sets compared by inclusion, see docs/validation.md

# Inputs that are not fault trees: faultline must refuse them.
REFUSED = [
    "EventTrees/attack.xml",
    "EventTrees/attack_alignment.xml",
    "EventTrees/bcd.xml",
    "EventTrees/gas_leak/gas_leak.xml",
    "EventTrees/gas_leak/gas_leak_reactive.xml",
    "EventTrees/mef_example.xml",
    "ThreeMotor/event_tree.xml",
    "TwoTrain/event_tree.xml",
    "TwoTrain/two_train_alignment.xml",
    "TwoTrain/substitutions.xml",
    "TwoTrain/nondeclarative_substitutions.xml",
]
IMPORTANCE_KEYS = [("MIF", "birnbaum"), ("CIF", "criticality"), ("DIF", "fussell_vesely"),
                   ("RAW", "raw"), ("RRW", "rrw")]


class ToolError(Exception):
    """A tool could not be run or gave output that cannot be read."""


# ---------------------------------------------------------------- numbers


def rel_diff(a, b):
    """|a - b| relative to the larger magnitude (0 when both are 0 or equal infinities)."""
    if a == b:
        return 0.0
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b))


def agree(a, b, rel=REL_EXACT):
    return rel_diff(a, b) <= rel


def agree_printed(ours, printed):
    """True when `ours` rounds to the decimal `printed` (a value written with a limited
    number of significant digits): within half a unit of its last digit, or 1e-6
    relative, whichever is looser."""
    value = float(printed)
    mantissa = printed.lower().split("e")[0].lstrip("+-")
    digits = len(mantissa.replace(".", "").lstrip("0")) or 1
    if value == 0:
        return ours == 0
    exponent = math.floor(math.log10(abs(value)))
    half_unit = 0.5 * 10 ** (exponent - digits + 1)
    return abs(ours - value) <= half_unit * (1 + 1e-9) or agree(ours, value)


def round_sig(x, digits=6):
    if x == 0 or math.isinf(x) or math.isnan(x):
        return x
    return float(f"{x:.{digits - 1}e}")


def wilson(failures, n):
    """95% interval for a binomial share: Wilson's, or [0, 3/n] with no failures."""
    if failures == 0:
        return 0.0, 3.0 / n
    p = failures / n
    denom = 1 + Z95 ** 2 / n
    centre = (p + Z95 ** 2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def fmt(x, digits=6):
    if x is None:
        return "-"
    if isinstance(x, float) and (math.isinf(x) or math.isnan(x)):
        return str(x)
    return f"{x:.{digits}g}"


def fmt_count(n):
    return f"{n:,}"


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "(no message)"


# ---------------------------------------------------------------- tools


def run(cmd, timeout=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError as e:
        raise ToolError(f"cannot run {cmd[0]}: {e}") from None


def faultline_analyze(binary, args):
    """faultline's JSON for `analyze ARGS --json`, or its refusal as a string."""
    out = run([binary, "analyze", *args, "--json"])
    if out.returncode != 0:
        return first_line(out.stderr or out.stdout)
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError as e:
        raise ToolError(f"faultline analyze {' '.join(args)}: unreadable JSON ({e})") from None


def faultline_simulate(binary, paths):
    """(failures, runs, seconds) from `faultline run`, or the reason it gave none."""
    started = time.monotonic()
    cmd = [binary, "run", *paths, "--json", "--runs", str(MC_RUNS), "-q", "--seed", str(MC_SEED)]
    try:
        out = run(cmd, timeout=MC_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"not simulated: no answer within {MC_TIMEOUT} s"
    if out.returncode != 0:
        reason = first_line(out.stderr or out.stdout)
        for path in paths:
            reason = reason.replace(os.path.dirname(path) + "/", "")
        return f"not simulated: {reason}"
    try:
        d = json.loads(out.stdout)
        share = float(d["strategies"][0]["services"][0]["failure_probability"])
        runs = int(d["runs"])
    except (json.JSONDecodeError, KeyError, IndexError, TypeError, ValueError) as e:
        return f"not simulated: unreadable output ({type(e).__name__}: {e})"
    return round(share * runs), runs, time.monotonic() - started


@functools.lru_cache(maxsize=None)
def scram_version():
    out = run(["scram", "--version"])
    return first_line(out.stdout or out.stderr).removeprefix("SCRAM ").split()[0]


def element_key(el):
    """An event in SCRAM's report: a basic event's name, or a CCF event as the set of
    its members (faultline names it "[A B]")."""
    if el.tag == "basic-event":
        return el.get("name")
    if el.tag == "ccf-event":
        return frozenset(b.get("name") for b in el.iter("basic-event"))
    if el.tag == "not":
        return ("not", element_key(el[0]))
    raise ToolError(f"unexpected <{el.tag}> in SCRAM's report")


def faultline_key(name):
    if name.startswith("[") and name.endswith("]"):
        return frozenset(name[1:-1].split())
    return name


def scram(files, extra):
    """SCRAM's P(top) (as printed), cut-set distribution, products and importance."""
    tmp = tempfile.mkdtemp(prefix="crosscheck-scram-")
    try:
        report = os.path.join(tmp, "out.xml")
        cmd = ["scram", *files, "--bdd", "--probability", "true", "--importance", "true",
               *extra, "-o", report]
        out = run(cmd)
        if out.returncode != 0:
            return first_line(out.stderr or out.stdout)
        try:
            root = ET.parse(report).getroot()
        except ET.ParseError as e:
            raise ToolError(f"SCRAM's report for {files[0]} is unreadable: {e}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sop = root.find("results/sum-of-products")
    if sop is None:
        raise ToolError(f"SCRAM's report for {files[0]} has no sum-of-products")
    products = [frozenset(element_key(e) for e in p) for p in sop.findall("product")]
    importance = {}
    imp = root.find("results/importance")
    if imp is not None:
        for el in imp:
            importance[element_key(el)] = {k: el.get(k) for k, _ in IMPORTANCE_KEYS}
    return {
        "probability": sop.get("probability"),
        "products": int(sop.get("products")),
        "distribution": [int(x) for x in sop.get("distribution", "").split()],
        "cut_sets": products,
        "importance": importance,
    }


def storm_version():
    try:
        import stormpy.info

        return stormpy.info.storm_version()
    except (ImportError, AttributeError):
        return "unknown"


def storm_dft(path):
    """(mttf, p1, states) from Storm, or the reason it gives none."""
    import stormpy
    import stormpy.dft

    try:
        dft = stormpy.dft.prepare_for_analysis(stormpy.dft.load_dft_galileo_file(path))
        model = stormpy.dft.build_model(dft)
        if type(model).__name__.startswith("_SparseCtmc"):
            query = 'T=? [ F "failed" ]; P=? [ F<=1 "failed" ]'
        else:  # a Markov automaton: ask for both bounds
            query = ('Tmin=? [ F "failed" ]; Tmax=? [ F "failed" ]; '
                     'Pmin=? [ F<=1 "failed" ]; Pmax=? [ F<=1 "failed" ]')
        props = [p.get_raw_formula() for p in stormpy.parse_properties(query)]
        r = stormpy.dft.analyze_dft(dft, props)
    except Exception as e:  # Storm refuses the file: keep its reason
        return " ".join(str(e).split()) or type(e).__name__
    if len(r) == 4:
        if not (agree(r[0], r[1], 1e-12) and agree(r[2], r[3], 1e-12)):
            return f"nondeterministic: MTTF in [{r[0]}, {r[1]}], P(t=1) in [{r[2]}, {r[3]}]"
        r = [r[0], r[2]]
    return float(r[0]), float(r[1]), model.nr_states


# ---------------------------------------------------------------- checks


def check_fault_tree(binary, model, simulate):
    """One row of the SCRAM table: a dict of cells and whether everything agrees."""
    name, files, pub_count, pub_p, fl_extra, scram_extra = model
    paths = [os.path.join(SCRAM_INPUT, f) for f in files]
    ours = faultline_analyze(binary, [*paths, *fl_extra])
    theirs = scram(paths, scram_extra)
    row = {"model": name}
    if isinstance(ours, str) or isinstance(theirs, str):
        row["verdict"] = "DISAGREE"
        row["note"] = f"faultline: {ours if isinstance(ours, str) else 'ok'}; " \
                      f"SCRAM: {theirs if isinstance(theirs, str) else 'ok'}"
        return row, False
    problems, notes = [], []

    # P(top)
    p = ours.get("probability")
    row["p_scram"] = theirs["probability"]
    row["p_ours"] = fmt(p, 10) if p is not None else f"none ({ours.get('no_exact', '?')})"
    if p is None or not agree_printed(p, theirs["probability"]):
        problems.append("P(top)")
    if name in SUBSET_RULE:
        # Published: SCRAM's rare-event sum over its own cut sets; ours over the same sets.
        common = {frozenset(faultline_key(e) for e in c["events"]): c["probability"]
                  for c in ours["cut_sets"]}
        rare = sum(common.get(c, 0.0) for c in theirs["cut_sets"])
        row["published"] = f"{pub_p} (rare-event)"
        if not agree_printed(rare, pub_p):
            problems.append(f"rare-event over SCRAM's cut sets {fmt(rare)}")
        else:
            notes.append(f"rare-event over SCRAM's cut sets {fmt(rare, 4)}")
    else:
        # The published figure is shown, not judged: the oracle is SCRAM as installed.
        row["published"] = pub_p
        if p is not None and not agree_printed(p, pub_p):
            notes.append(f"the published {pub_p} is neither tool's value, see note")

    # cut sets
    n_ours, n_scram = len(ours["cut_sets"]), theirs["products"]
    row["cuts"] = f"{fmt_count(n_scram)} / {fmt_count(n_ours)}"
    if n_scram != pub_count:
        problems.append("SCRAM's count differs from the published one")
    if name in SUBSET_RULE:
        mine = {frozenset(faultline_key(e) for e in c["events"]) for c in ours["cut_sets"]}
        missing = [c for c in theirs["cut_sets"] if c not in mine]
        if missing:
            problems.append(f"{len(missing)} SCRAM cut sets missing from faultline's")
        else:
            notes.append("every SCRAM cut set is one of faultline's")
    else:
        dist_ours = list(ours["orders"])
        dist_scram = theirs["distribution"]
        width = max(len(dist_ours), len(dist_scram))
        if n_ours != n_scram or (dist_ours + [0] * width)[:width] != (dist_scram + [0] * width)[:width]:
            problems.append("cut sets")

    # importance
    if theirs["importance"]:
        ours_imp = {faultline_key(i["event"]): i for i in ours.get("importance") or []}
        worst, unrounded, infinite_rrw = 0.0, 0.0, 0
        for key, vals in theirs["importance"].items():
            mine = ours_imp.get(key)
            if mine is None:
                problems.append(f"no importance for {key}")
                continue
            for skey, okey in IMPORTANCE_KEYS:
                value = math.inf if mine[okey] is None else mine[okey]  # JSON null: infinite
                if skey == "RRW" and value == math.inf and float(vals[skey]) == 0:
                    infinite_rrw += 1  # SCRAM prints 0 for an infinite RRW (see note)
                    continue
                worst = max(worst, rel_diff(round_sig(value), float(vals[skey])))
                unrounded = max(unrounded, rel_diff(value, float(vals[skey])))
        row["importance"] = (f"{len(theirs['importance'])} events, max rel. diff {worst:.1g} "
                             f"({unrounded:.1e} unrounded)")
        if infinite_rrw:
            row["importance"] += f"; {infinite_rrw} infinite RRW (SCRAM: 0)"
        if worst > REL_IMPORTANCE:
            problems.append("importance")
    else:
        row["importance"] = "not computed by SCRAM"

    if simulate:
        row["mc"], mc_ok = monte_carlo(binary, paths, p)
        if not mc_ok:
            problems.append("Monte Carlo")
    if problems:
        row["verdict"] = "DISAGREE: " + ", ".join(problems)
    elif name in SUBSET_RULE:
        row["verdict"] = "agree (definition differs: see note)"
    else:
        row["verdict"] = "agree"
    row["note"] = "; ".join(notes)
    return row, not problems


def merged_mef(paths, directory):
    """One MEF file holding the definitions of all `paths` (`run` reads a single file)."""
    root = ET.parse(paths[0]).getroot()
    for path in paths[1:]:
        root.extend(list(ET.parse(path).getroot()))
    merged = os.path.join(directory, os.path.basename(paths[0]))
    ET.ElementTree(root).write(merged, encoding="utf-8", xml_declaration=True)
    return merged


def monte_carlo(binary, paths, exact):
    """The Monte Carlo cell and whether it agrees (True when it could not be run)."""
    if len(paths) > 1:
        with tempfile.TemporaryDirectory(prefix="crosscheck-mef-") as tmp:
            return monte_carlo(binary, [merged_mef(paths, tmp)], exact)
    sim = faultline_simulate(binary, paths)
    if isinstance(sim, str):
        return sim, True
    failures, runs, seconds = sim
    lo, hi = wilson(failures, runs)
    if exact is None:
        return f"{failures}/{runs} in [{fmt(lo, 3)}, {fmt(hi, 3)}], no exact value", True
    ok = failures == 0 if exact < 1 / runs else lo <= exact <= hi
    mark = "" if ok else " (exact value outside)"
    return f"{failures}/{runs}, 95% CI [{fmt(lo, 3)}, {fmt(hi, 3)}]{mark}, {seconds:.0f} s", ok


def check_refused(binary, rel):
    path = os.path.join(SCRAM_INPUT, rel)
    out = run([binary, "analyze", path, "--json"])
    msg = first_line(out.stderr).replace(SCRAM_INPUT + "/", "")
    ok = out.returncode == 2 and re.search(r":\d+:\d+: ", msg) is not None
    if out.returncode == 0:
        msg = "accepted (expected a refusal)"
    return {"file": rel, "message": msg, "verdict": "refused" if ok else "DISAGREE"}, ok


def check_dft(binary, path, simulate):
    name = os.path.basename(path)
    theirs = storm_dft(path)
    out = run([binary, "analyze", path, "--json", "--time", "1"])
    if out.returncode == 0:
        try:
            d = json.loads(out.stdout)
            mttf = math.inf if d["mttf"] is None else float(d["mttf"])
            ours = (mttf, float(d["unreliability"]), int(d["states"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise ToolError(f"faultline analyze {name}: unreadable JSON ({e})") from None
    else:
        ours = first_line(out.stderr or out.stdout)
    short = lambda s: s.replace(os.path.dirname(path) + "/", "")
    row = {"file": name}
    if isinstance(theirs, tuple) and isinstance(ours, tuple):
        ok = agree(theirs[0], ours[0]) and agree(theirs[1], ours[1])
        row.update(verdict="agree" if ok else "DISAGREE",
                   mttf=f"{fmt(theirs[0], 10)} / {fmt(ours[0], 10)}",
                   p1=f"{fmt(theirs[1], 10)} / {fmt(ours[1], 10)}",
                   states=f"{theirs[2]} / {ours[2]}")
        if simulate:
            row["mc"], mc_ok = monte_carlo(binary, [path], ours[1])
            ok = ok and mc_ok
            if not mc_ok:
                row["verdict"] = "DISAGREE: Monte Carlo"
    else:
        ok = isinstance(theirs, str) and isinstance(ours, str)
        row.update(verdict="both refuse" if ok else "DISAGREE",
                   note=f"Storm: {short(theirs) if isinstance(theirs, str) else 'answers'}; "
                        f"faultline: {short(ours) if isinstance(ours, str) else 'answers'}")
    return row, ok


# ---------------------------------------------------------------- output


def cell(value):
    """Text for a Markdown table cell: no pipes, and no angle brackets read as HTML."""
    return str(value).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        lines.append("| " + " | ".join(cell(c) for c in r) + " |")
    return "\n".join(lines)


def render(ft_rows, refused_rows, dft_rows, versions, seconds):
    out = [f"Generated by `scripts/crosscheck` with SCRAM {versions['scram']} and "
           f"stormpy {versions['stormpy']} (Storm {versions['storm']}); "
           f"the checks took {seconds:.0f} s.", ""]
    out += ["### Fault trees: faultline against SCRAM", "",
            "P(top) is SCRAM's (6 significant digits, the precision it prints) and "
            "faultline's; cut sets are SCRAM's count / faultline's count; importance is "
            "the largest relative difference over MIF, CIF, DIF, RAW and RRW after "
            "rounding faultline's value to SCRAM's 6 digits, and before.", ""]
    out.append(table(
        ["model", "published P(top)", "SCRAM P(top)", "faultline P(top)", "cut sets",
         "importance", "Monte Carlo", "verdict"],
        [[r["model"], r.get("published", "-"), r.get("p_scram", "-"), r.get("p_ours", "-"),
          r.get("cuts", "-"), r.get("importance", "-"), r.get("mc", "-"),
          r["verdict"] + (f"; {r['note']}" if r.get("note") else "")] for r in ft_rows]))
    out += ["", "### Refused, as designed", "",
            "SCRAM's other inputs are event trees, alignments and substitutions; "
            "faultline reads fault trees only and refuses them with exit status 2 and "
            "the location of the first unsupported element.", ""]
    out.append(table(["file", "faultline's message", "verdict"],
                     [[f"`{r['file']}`", r["message"], r["verdict"]] for r in refused_rows]))
    out += ["", "### Dynamic fault trees: faultline against Storm", "",
            "Storm / faultline for the mean time to failure, P(failed by t = 1) and the "
            "number of states of the Markov chain; every `.dft` in stormpy's wheel.", ""]
    out.append(table(
        ["file", "MTTF", "P(t=1)", "states", "Monte Carlo", "verdict"],
        [[f"`{r['file']}`", r.get("mttf", "-"), r.get("p1", "-"), r.get("states", "-"),
          r.get("mc", "-"), r["verdict"] + (f"; {r['note']}" if r.get("note") else "")]
         for r in dft_rows]))
    return "\n".join(out) + "\n"


def write_doc(doc, text):
    try:
        with open(doc) as f:
            old = f.read()
    except OSError as e:
        raise ToolError(f"cannot read {doc}: {e.strerror}") from None
    start, stop = old.find(BEGIN), old.find(END)
    if start < 0 or stop < start:
        raise ToolError(f"{doc} has no '{BEGIN}' ... '{END}' section to replace")
    new = old[:start + len(BEGIN)] + "\n" + text + old[stop:]
    with open(doc, "w") as f:
        f.write(new)


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="the faultline binary")
    ap.add_argument("--write", action="store_true", help="update the generated section of --doc")
    ap.add_argument("--doc", default="docs/validation.md")
    ap.add_argument("--no-simulate", action="store_true", help="skip the Monte Carlo column")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    started = time.monotonic()
    simulate = not args.no_simulate
    try:
        try:
            import stormpy
        except ImportError as e:
            raise ToolError(f"stormpy cannot be imported ({e}); run scripts/crosscheck") from None
        versions = {"scram": scram_version(), "stormpy": stormpy.__version__,
                    "storm": storm_version()}
        ft = [check_fault_tree(args.bin, m, simulate) for m in MODELS]
        refused = [check_refused(args.bin, f) for f in REFUSED]
        shipped = os.path.join(os.path.dirname(stormpy.__file__), "examples", "files", "dft")
        dft = [check_dft(args.bin, f, simulate) for f in sorted(glob.glob(os.path.join(shipped, "*.dft")))]
        text = render([r for r, _ in ft], [r for r, _ in refused], [r for r, _ in dft],
                      versions, time.monotonic() - started)
        print(text)
        if args.write:
            write_doc(args.doc, text)
            print(f"wrote {args.doc}", file=sys.stderr)
    except ToolError as e:
        print(f"crosscheck: {e}", file=sys.stderr)
        return 2
    bad = sum(not ok for _, ok in ft + refused + dft)
    total = len(ft) + len(refused) + len(dft)
    print(f"{total - bad} of {total} checks agree", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
