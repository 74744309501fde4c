//! From scenario text to a trusted, compiled [`Model`], or every problem at once.
//!
//! Parsing is ron's job (it locates syntax and type errors). Everything ron cannot know,
//! such as ids that name nothing, k > n, probabilities outside [0, 1], durations that make no
//! sense, and zero-delay dependency cycles, is checked here; each problem carries the path of
//! the offending value so [`crate::diagnostics`] can point at it.

use crate::diagnostics::{LoadError, Problem};
use crate::duration::Duration;
use crate::schema::{
    self, Condition, Dist, EdgeKind, Effect, Mitigation, QueueHealth, RepairStarts, Response,
    Scenario, Strategy, Trigger,
};
use crate::span::{Path, Step};
use faultline_core::model::topology as graph;
use faultline_core::model::{
    self, AlertSpec, Common, Comp, CostModel, Csr, Edge, Injection, MitigationKind, MitigationSpec,
    Model, NONE, QueueHealthSpec, QueueSpec, ResponseSpec, Sampler, ServiceSpec, Slot, Source,
    stable_hash,
};
use std::cell::RefCell;
use std::collections::HashMap;

/// Default cap on events per run when the scenario sets none.
pub const DEFAULT_MAX_EVENTS: u64 = 50_000_000;

/// Reads, parses, validates and compiles a scenario file (the baseline model; every
/// strategy is checked too).
pub fn load_file(file: &str) -> Result<(Scenario, Model), LoadError> {
    let (sc, mut models) = load_all_file(file)?;
    Ok((sc, models.swap_remove(0)))
}

/// Parses, validates and compiles scenario text; `file` is only used in messages.
pub fn load_str(file: &str, text: &str) -> Result<(Scenario, Model), LoadError> {
    let (sc, mut models) = load_all_str(file, text)?;
    Ok((sc, models.swap_remove(0)))
}

/// Like [`load_file`], returning the baseline followed by one model per strategy.
pub fn load_all_file(file: &str) -> Result<(Scenario, Vec<Model>), LoadError> {
    let text = std::fs::read_to_string(file).map_err(|source| LoadError::Io {
        file: file.to_string(),
        source,
    })?;
    load_all_str(file, &text)
}

/// Like [`load_str`], returning the baseline followed by one model per strategy.
pub fn load_all_str(file: &str, text: &str) -> Result<(Scenario, Vec<Model>), LoadError> {
    let scenario = parse(file, text)?;
    let models = compile_parsed(file, text, &scenario)?;
    Ok((scenario, models))
}

/// The second half of [`load_all_str`], for callers that time the two halves: checks and
/// compiles a scenario parsed from `text`, whose problems are located in it.
pub fn compile_parsed(file: &str, text: &str, sc: &Scenario) -> Result<Vec<Model>, LoadError> {
    compile_all(sc).map_err(|problems| LoadError::Invalid {
        file: file.to_string(),
        text: text.to_string(),
        problems,
    })
}

/// Parses RON into the scenario types; `Option` fields may be written without `Some(...)`.
pub fn parse(file: &str, text: &str) -> Result<Scenario, LoadError> {
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| LoadError::from_ron(file, text, &e))
}

/// Where a distribution is used decides what makes sense for it.
#[derive(Clone, Copy, PartialEq)]
enum DistUse {
    Every,
    Activation,
    Repair,
}

/// A path into the scenario while it is being checked: the steps are borrowed and kept
/// inline, so building one costs no allocation; it becomes a [`Path`] only when a problem
/// is reported at it.
#[derive(Clone, Copy)]
struct At<'a> {
    steps: [AtStep<'a>; AT_DEPTH],
    len: u8,
}

/// The deepest path the checks build (`components[i].queue.retries.backoff.mean` has six
/// steps).
const AT_DEPTH: usize = 8;

#[derive(Clone, Copy)]
enum AtStep<'a> {
    Field(&'a str),
    Index(usize),
}

impl<'a> At<'a> {
    /// The top-level value.
    const ROOT: At<'static> = At {
        steps: [AtStep::Index(0); AT_DEPTH],
        len: 0,
    };

    fn with(mut self, step: AtStep<'a>) -> At<'a> {
        debug_assert!((self.len as usize) < AT_DEPTH, "path too deep");
        if let Some(slot) = self.steps.get_mut(self.len as usize) {
            *slot = step;
            self.len += 1;
        }
        self
    }

    /// This path extended by the field `name`.
    fn field(self, name: &'a str) -> At<'a> {
        self.with(AtStep::Field(name))
    }

    /// This path extended by the index `i`.
    fn index(self, i: usize) -> At<'a> {
        self.with(AtStep::Index(i))
    }
}

impl From<At<'_>> for Path {
    fn from(at: At<'_>) -> Path {
        Path(
            at.steps[..at.len as usize]
                .iter()
                .map(|s| match *s {
                    AtStep::Field(name) => Step::Field(name.to_owned()),
                    AtStep::Index(i) => Step::Index(i),
                })
                .collect(),
        )
    }
}

/// A map from names in the scenario, with rustc's Fx hash: much faster than the default
/// hasher on the short ids of a large scenario (no attacker chooses them).
type Names<'a, V> = HashMap<&'a str, V, rustc_hash::FxBuildHasher>;

/// Whether `list[k]` equals an earlier item, asked for every `k` in increasing order (a
/// scan for short lists, a hash set for long ones).
struct Repeats<'a> {
    set: Option<Names<'a, ()>>,
}

impl<'a> Repeats<'a> {
    /// Lists up to this long are scanned.
    const SCAN: usize = 16;

    fn new(len: usize) -> Repeats<'a> {
        Repeats {
            set: (len > Self::SCAN)
                .then(|| Names::with_capacity_and_hasher(len, Default::default())),
        }
    }

    /// Whether `key(&list[k])` occurred among `key(&list[j])`, `j < k`.
    fn at<T>(&mut self, list: &'a [T], k: usize, key: impl Fn(&'a T) -> &'a str) -> bool {
        let name = key(&list[k]);
        match &mut self.set {
            Some(set) => set.insert(name, ()).is_some(),
            None => list[..k].iter().any(|x| key(x) == name),
        }
    }
}

/// Collects problems while checking.
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    fn err(&mut self, path: At<'_>, msg: impl Into<String>) {
        self.push(Problem::new(path, msg));
    }

    fn positive(&mut self, d: Duration, path: At<'_>, what: &str) {
        if d.secs().is_nan() || d.secs() <= 0.0 {
            self.err(
                path,
                format!(
                    "{what} must be longer than zero, not {}",
                    faultline_units::human(d.secs())
                ),
            );
        }
    }

    fn non_negative(&mut self, d: Duration, path: At<'_>, what: &str) {
        if d.secs().is_nan() || d.secs() < 0.0 {
            self.err(
                path,
                format!(
                    "{what} cannot be negative ({})",
                    faultline_units::human(d.secs())
                ),
            );
        }
    }

    fn fraction(&mut self, x: f64, path: At<'_>, what: &str) {
        if !(0.0..=1.0).contains(&x) {
            self.err(path, format!("{what} must be between 0 and 1, not {x}"));
        }
    }

    fn dist(&mut self, d: &Dist, path: At<'_>, usage: DistUse) {
        match *d {
            Dist::Exp { mean } => self.positive(mean, path.field("mean"), "the mean"),
            Dist::Weibull { shape, scale } => {
                if !(shape.is_finite() && shape > 0.0) {
                    self.err(
                        path.field("shape"),
                        format!("Weibull shape must be positive, not {shape}"),
                    );
                }
                self.positive(scale, path.field("scale"), "the Weibull scale");
            }
            Dist::LogNormal { median, sigma } => {
                self.positive(median, path.field("median"), "the median");
                if !(sigma.is_finite() && sigma >= 0.0) {
                    self.err(
                        path.field("sigma"),
                        format!("sigma cannot be negative, not {sigma}"),
                    );
                }
            }
            Dist::Uniform(lo, hi) => {
                self.non_negative(lo, path.index(0), "the lower bound");
                if usage == DistUse::Every && hi.secs() <= 0.0 {
                    self.err(
                        path.index(1),
                        "a time between faults of zero would repeat the fault forever",
                    );
                }
                if hi.secs() < lo.secs() {
                    self.push(
                        Problem::new(path.index(1), "the upper bound is below the lower bound")
                            .hint("write Uniform(low, high)"),
                    );
                }
            }
            Dist::Fixed(x) if usage == DistUse::Every => self.positive(x, path, "a fault period"),
            Dist::Fixed(x) => self.non_negative(x, path, "a fixed duration"),
            Dist::At(x) if usage == DistUse::Every => self.non_negative(x, path, "the fault time"),
            Dist::At(_) => self.push(
                Problem::new(
                    path,
                    "At(...) only makes sense for when a fault happens (`every`)",
                )
                .hint("use Fixed(...) for a constant duration"),
            ),
            Dist::Never if usage == DistUse::Activation => self.push(
                Problem::new(
                    path,
                    "an activation delay of Never means the fault never matters",
                )
                .hint("leave `activation` out for faults that act at once"),
            ),
            Dist::Never => {}
        }
    }

    fn effect(&mut self, e: &Effect, path: At<'_>) {
        match *e {
            Effect::Degrade(f) => self.fraction(f, path.index(0), "a Degrade factor"),
            Effect::Slow(f) => {
                if !(f.is_finite() && f >= 1.0) {
                    self.push(
                        Problem::new(
                            path.index(0),
                            format!("a Slow factor must be at least 1, not {f}"),
                        )
                        .hint("Slow(3.0) means three times the normal latency"),
                    );
                }
            }
            Effect::Burst { jobs, over } => {
                if jobs == 0 {
                    self.err(path.field("jobs"), "a burst needs at least one job");
                }
                self.positive(over, path.field("over"), "a burst window");
            }
            Effect::Crash | Effect::Corrupt => {}
        }
    }
}

/// Checks a parsed scenario and compiles its baseline, or returns every problem found
/// (in the scenario and in its strategies).
pub fn compile(sc: &Scenario) -> Result<Model, Vec<Problem>> {
    compile_all(sc).map(|mut v| v.swap_remove(0))
}

/// Compiles the baseline and every strategy, or returns every problem found.
pub fn compile_all(sc: &Scenario) -> Result<Vec<Model>, Vec<Problem>> {
    let baseline = compile_variant(sc, None);
    let mut problems = match &baseline {
        Ok(_) => vec![],
        Err(p) => p.clone(),
    };
    let mut models = vec![];
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (k, st) in sc.strategies.iter().enumerate() {
        let sp = Path::root().field("strategies").index(k);
        if st.name.trim().is_empty() || st.name == "baseline" {
            problems.push(
                Problem::new(
                    sp.field("name"),
                    format!("`{}` cannot name a strategy", st.name),
                )
                .hint("\"baseline\" is the scenario as written; pick another name"),
            );
        } else if names.insert(&st.name, k).is_some() {
            problems.push(Problem::new(
                sp.field("name"),
                format!("duplicate strategy name `{}`", st.name),
            ));
        }
        if !(st.cost.is_finite() && st.cost >= 0.0) {
            problems.push(Problem::new(
                sp.field("cost"),
                format!("a strategy's cost must be >= 0, not {}", st.cost),
            ));
        }
        let (patched, origin) = apply_strategy(sc, k);
        match compile_variant(&patched, Some((k, st, &origin))) {
            Ok(m) => models.push(m),
            Err(ps) => {
                // Problems in the unpatched scenario were reported for the baseline already.
                for p in ps {
                    if p.path.0.first() == Some(&Step::Field("strategies".into()))
                        && !problems.contains(&p)
                    {
                        problems.push(p);
                    }
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut all = vec![baseline.expect("no problems")];
    all.extend(models);
    Ok(all)
}

/// Where each part of a patched scenario came from, to report problems at the strategy.
struct Origin {
    /// Per component of the patched scenario: its path in the file, when the strategy
    /// put it there (`None`: the scenario's own, at the same index).
    components: Vec<Option<Path>>,
    /// Per edge.
    edges: Vec<Option<Path>>,
    /// Per alert.
    alerts: Vec<Option<Path>>,
    /// Response fields the strategy overrides.
    response: Vec<&'static str>,
    /// The strategy's path.
    strategy: Path,
}

/// The scenario as strategy `k` changes it.
fn apply_strategy(sc: &Scenario, k: usize) -> (Scenario, Origin) {
    let st = &sc.strategies[k];
    let sp = Path::root().field("strategies").index(k);
    let mut out = sc.clone();
    out.strategies.clear();
    let mut origin = Origin {
        components: vec![None; sc.components.len()],
        edges: vec![None; sc.edges.len()],
        alerts: vec![None; sc.alerts.len()],
        response: vec![],
        strategy: sp.clone(),
    };
    if let Some(patch) = &st.patch {
        for (j, c) in patch.components.iter().enumerate() {
            let path = sp.field("patch").field("components").index(j);
            match out.components.iter().position(|x| x.id == c.id) {
                Some(i) => {
                    out.components[i] = c.clone();
                    origin.components[i] = Some(path);
                }
                None => {
                    out.components.push(c.clone());
                    origin.components.push(Some(path));
                }
            }
        }
        for (j, e) in patch.edges.iter().enumerate() {
            out.edges.push(e.clone());
            origin
                .edges
                .push(Some(sp.field("patch").field("edges").index(j)));
        }
    }
    for (j, a) in st.alerts.iter().enumerate() {
        out.alerts.push(a.clone());
        origin.alerts.push(Some(sp.field("alerts").index(j)));
    }
    if let Some(rp) = &st.response {
        let r = out.response.get_or_insert(Response {
            oncall: 1,
            acknowledge: Dist::Fixed(Duration(0.0)),
            diagnose: Dist::Fixed(Duration(0.0)),
            runbook: 1.0,
            customer_report: Dist::Never,
            shift: None,
            notes: true,
            handoff: Dist::Fixed(Duration(0.0)),
            repair_starts: RepairStarts::Activation,
        });
        macro_rules! take {
            ($f:ident) => {
                if let Some(v) = rp.$f {
                    r.$f = v;
                    origin.response.push(stringify!($f));
                }
            };
        }
        take!(oncall);
        take!(acknowledge);
        take!(diagnose);
        take!(runbook);
        take!(customer_report);
        take!(notes);
        take!(handoff);
        take!(repair_starts);
        if let Some(v) = rp.shift {
            r.shift = Some(v);
            origin.response.push("shift");
        }
    }
    (out, origin)
}

impl Origin {
    /// Rewrites a path in the patched scenario into a path in the file.
    fn map(&self, p: Path) -> Path {
        let steps = &p.0;
        let rest = |n: usize| steps[n..].to_vec();
        let join =
            |base: &Path, tail: Vec<Step>| Path(base.0.iter().cloned().chain(tail).collect());
        // Where the strategy put the component, edge or alert (the scenario's own are where
        // the path says).
        let placed = match (steps.first(), steps.get(1)) {
            (Some(Step::Field(f)), Some(Step::Index(i))) => match f.as_str() {
                "components" => self.components.get(*i),
                "edges" => self.edges.get(*i),
                "alerts" => self.alerts.get(*i),
                _ => None,
            },
            _ => None,
        };
        if let Some(Some(base)) = placed {
            return join(base, rest(2));
        }
        match (steps.first(), steps.get(1)) {
            (Some(Step::Field(f)), Some(Step::Field(g)))
                if f == "response" && self.response.contains(&g.as_str()) =>
            {
                join(&self.strategy.field("response"), rest(1))
            }
            _ => p,
        }
    }
}

/// Checks one variant (the baseline, or a strategy applied) and compiles it.
fn compile_variant(
    sc: &Scenario,
    strategy: Option<(usize, &Strategy, &Origin)>,
) -> Result<Model, Vec<Problem>> {
    compile_checked(sc, strategy.map(|(k, st, _)| (k, st))).map_err(|ps| match strategy {
        Some((_, _, origin)) => ps
            .into_iter()
            .map(|mut p| {
                p.path = origin.map(p.path);
                p
            })
            .collect(),
        None => ps,
    })
}

fn compile_checked(
    sc: &Scenario,
    strategy: Option<(usize, &Strategy)>,
) -> Result<Model, Vec<Problem>> {
    let root = At::ROOT;
    let mut ck = Checker { problems: vec![] };

    if sc.name.trim().is_empty() {
        ck.err(root.field("name"), "the scenario needs a name");
    }
    ck.positive(sc.horizon, root.field("horizon"), "the horizon");
    if sc.runs == 0 {
        ck.err(root.field("runs"), "runs must be at least 1");
    }
    if sc.max_events == Some(0) {
        ck.err(root.field("max_events"), "max_events must be at least 1");
    }
    if sc.components.is_empty() {
        ck.err(
            root.field("components"),
            "a scenario needs at least one component",
        );
    }

    // Ids first, so later checks can resolve references.
    // The map's keys are copies of the ids laid out side by side: comparing a key then reads
    // one small, dense block of memory instead of a string anywhere in the heap.
    let arena: String = sc.components.iter().map(|c| c.id.as_str()).collect();
    let mut keys = sc.components.iter().scan(0, |at, c| {
        let key = &arena[*at..*at + c.id.len()];
        *at += c.id.len();
        Some(key)
    });
    let mut ids: Names<u32> =
        Names::with_capacity_and_hasher(sc.components.len(), Default::default());
    for (i, c) in sc.components.iter().enumerate() {
        let key = keys.next().expect("one key per component");
        let p = root.field("components").index(i).field("id");
        if c.id.trim().is_empty() {
            ck.err(p, "a component needs a non-empty id");
        } else if let Some(&j) = ids.get(c.id.as_str()) {
            ck.push(
                Problem::new(p, format!("duplicate component id `{}`", c.id)).hint(format!(
                    "first defined at components[{j}]; ids must be unique"
                )),
            );
        } else {
            ids.insert(key, i as u32);
        }
    }
    // The nearest known id of each unknown one (a typo is often repeated).
    let suggestions: RefCell<HashMap<String, Option<&str>>> = RefCell::default();
    let resolve = |ck: &mut Checker, id: &str, path: At<'_>| -> Option<u32> {
        let found = ids.get(id).copied();
        if found.is_none() {
            let mut prob = Problem::new(path, format!("unknown component `{id}`"));
            let suggestion = *suggestions
                .borrow_mut()
                .entry(id.to_string())
                .or_insert_with(|| closest(id, ids.keys().copied()));
            if let Some(close) = suggestion {
                prob = prob.hint(format!("did you mean `{close}`?"));
            }
            ck.push(prob);
        }
        found
    };

    // Members of a group or replicas of a vote: known, distinct, and not the owner itself.
    let check_list =
        |ck: &mut Checker, list: &[String], p: At<'_>, owner: (&str, &str), role: &str| {
            let mut seen = Repeats::new(list.len());
            for (k, m) in list.iter().enumerate() {
                let mp = p.index(k);
                if *m == owner.1 {
                    ck.err(mp, format!("{} `{m}` cannot be its own {role}", owner.0));
                } else if seen.at(list, k, String::as_str) {
                    ck.err(mp, format!("`{m}` is listed twice in the {}", owner.0));
                } else {
                    resolve(ck, m, mp);
                }
            }
        };
    for (i, c) in sc.components.iter().enumerate() {
        let cp = root.field("components").index(i);
        if !(c.capacity > 0.0 && c.capacity <= 1.0) {
            ck.err(
                cp.field("capacity"),
                format!(
                    "capacity is a fraction of full service in (0, 1], not {}",
                    c.capacity
                ),
            );
        }
        let mut names = Repeats::new(c.faults.len());
        for (j, f) in c.faults.iter().enumerate() {
            let fp = cp.field("faults").index(j);
            if f.name.trim().is_empty() {
                ck.err(fp.field("name"), "a fault mode needs a name");
            } else if names.at(&c.faults, j, |f| f.name.as_str()) {
                ck.err(
                    fp.field("name"),
                    format!("`{}` has two fault modes named `{}`", c.id, f.name),
                );
            }
            ck.dist(&f.every, fp.field("every"), DistUse::Every);
            ck.effect(&f.effect, fp.field("effect"));
            if let Some(a) = &f.activation {
                ck.dist(a, fp.field("activation"), DistUse::Activation);
            }
            ck.dist(&f.repair, fp.field("repair"), DistUse::Repair);
            if let Some(p) = f.chance {
                ck.fraction(p, fp.field("chance"), "a chance per occurrence");
            }
            if let Some(l) = f.learning {
                let lp = fp.field("learning");
                ck.fraction(l.factor, lp.field("factor"), "a training factor");
                ck.positive(l.every, lp.field("every"), "the time between trainings");
                ck.positive(l.halflife, lp.field("halflife"), "a half-life");
                if f.chance.is_none() {
                    ck.push(
                        Problem::new(
                            lp,
                            "training changes a fault's chance, and this fault has none",
                        )
                        .hint("add chance: 0.001 (the probability that each occurrence is a slip)"),
                    );
                }
            }
        }
        if let Some(g) = &c.group {
            let gp = cp.field("group");
            if g.of.is_empty() {
                ck.err(gp.field("of"), "a group needs members");
            }
            if g.need == 0 {
                ck.err(
                    gp.field("need"),
                    "a group needs at least 1 healthy member (need >= 1)",
                );
            } else if g.need as usize > g.of.len() && !g.of.is_empty() {
                ck.push(
                    Problem::new(
                        gp.field("need"),
                        format!(
                            "need {} of {} members: k cannot exceed n",
                            g.need,
                            g.of.len()
                        ),
                    )
                    .hint("add members or lower `need`"),
                );
            }
            check_list(&mut ck, &g.of, gp.field("of"), ("group", &c.id), "member");
        }
        if let Some(v) = &c.voter {
            let vp = cp.field("voter");
            if c.group.is_some() {
                ck.err(vp, "a component is either a group or a voter, not both");
            }
            if v.of.len() < 2 {
                ck.push(
                    Problem::new(vp.field("of"), "a vote needs at least two replicas")
                        .hint("three replicas (triple modular redundancy) outvote one wrong one"),
                );
            }
            check_list(&mut ck, &v.of, vp.field("of"), ("voter", &c.id), "replica");
            if let Some(b) = &v.backup {
                if *b == c.id || v.of.contains(b) {
                    ck.err(
                        vp.field("backup"),
                        "the backup must be independent of the voter and its replicas",
                    );
                } else {
                    resolve(&mut ck, b, vp.field("backup"));
                }
            }
        }
        if let Some(s) = &c.service {
            let sp = cp.field("service");
            if !(s.slo > 0.0 && s.slo <= 1.0) {
                ck.push(
                    Problem::new(
                        sp.field("slo"),
                        format!("slo must be in (0, 1], not {}", s.slo),
                    )
                    .hint("slo: 0.9 means failed while below 90% of full capacity"),
                );
            }
            if let Some(m) = s.max_slow
                && !(m.is_finite() && m >= 1.0)
            {
                ck.err(
                    sp.field("max_slow"),
                    format!("max_slow is a latency multiple >= 1, not {m}"),
                );
            }
        }
        if let Some(l) = &c.load {
            let lp = cp.field("load");
            if !(l.base.is_finite() && l.base >= 0.0) {
                ck.err(
                    lp.field("base"),
                    format!("base load cannot be negative, not {}", l.base),
                );
            }
            if l.base > l.limit {
                ck.push(
                    Problem::new(
                        lp.field("base"),
                        format!(
                            "base load {} is above the limit {}: overloaded with nothing broken",
                            l.base, l.limit
                        ),
                    )
                    .hint("a component trips when its load exceeds `limit`; keep base <= limit"),
                );
            }
            if !(l.limit.is_finite() && l.limit > 0.0) {
                ck.err(
                    lp.field("limit"),
                    format!("load limit must be positive, not {}", l.limit),
                );
            }
        }
    }
    for (i, c) in sc.components.iter().enumerate() {
        let cp = root.field("components").index(i);
        if let Some(q) = &c.queue {
            check_queue(&mut ck, q, cp.field("queue"));
        }
        for (j, f) in c.faults.iter().enumerate() {
            if matches!(f.effect, Effect::Burst { .. }) && c.queue.is_none() {
                ck.push(
                    Problem::new(
                        cp.field("faults").index(j).field("effect"),
                        format!("`{}` is not a queue: a Burst adds jobs to a queue", c.id),
                    )
                    .hint("give the component a queue: (rate: ..., service: ...)"),
                );
            }
        }
    }
    for (i, cc) in sc.common_cause.iter().enumerate() {
        if matches!(cc.effect, Effect::Burst { .. }) {
            ck.err(
                root.field("common_cause").index(i).field("effect"),
                "a Burst is a load fault on one queue, not a common cause",
            );
        }
    }
    if !sc.components.is_empty() && !sc.components.iter().any(|c| c.service.is_some()) {
        ck.push(
            Problem::new(
                root.field("components"),
                "no component is a service, so no failure can ever be seen",
            )
            .hint("mark what users see with service: (slo: 0.9, users: 1000)"),
        );
    }

    // Edges.
    let mut resolved_edges: Vec<(u32, u32, &schema::Edge)> = vec![];
    for (i, e) in sc.edges.iter().enumerate() {
        let ep = root.field("edges").index(i);
        let from = resolve(&mut ck, &e.from, ep.field("from"));
        let to = resolve(&mut ck, &e.to, ep.field("to"));
        if e.from == e.to {
            ck.err(
                ep.field("to"),
                format!("`{}` cannot depend on itself", e.from),
            );
        }
        if let Some(p) = e.p {
            ck.fraction(p, ep.field("p"), "a probability");
        }
        if let Some(d) = e.delay {
            ck.non_negative(d, ep.field("delay"), "a delay");
        }
        match e.kind {
            EdgeKind::Degrades(f) => ck.fraction(f, ep.field("kind").index(0), "a Degrades factor"),
            EdgeKind::Load => {
                if e.p.is_some() || e.delay.is_some() {
                    let at = if e.p.is_some() { "p" } else { "delay" };
                    ck.push(
                        Problem::new(ep.field(at), "p and delay do not apply to Load edges")
                            .hint("load moves at once when a component goes down"),
                    );
                }
                for (id, side) in [(&e.from, from), (&e.to, to)] {
                    if let Some(ix) = side
                        && sc.components[ix as usize].load.is_none()
                    {
                        ck.push(
                            Problem::new(
                                ep.field("kind"),
                                format!("`{id}` takes part in a Load edge but declares no load"),
                            )
                            .hint(format!("add load: (base: 0.5, limit: 1.0) to `{id}`")),
                        );
                    }
                }
            }
            EdgeKind::Feeds => {
                if e.p.is_some() || e.delay.is_some() {
                    let at = if e.p.is_some() { "p" } else { "delay" };
                    ck.err(ep.field(at), "p and delay do not apply to Feeds edges");
                }
                for (id, side) in [(&e.from, from), (&e.to, to)] {
                    if let Some(ix) = side
                        && sc.components[ix as usize].queue.is_none()
                    {
                        ck.push(
                            Problem::new(
                                ep.field("kind"),
                                format!("`{id}` is in a Feeds edge but is not a queue"),
                            )
                            .hint("Feeds passes completed jobs from one queue to another"),
                        );
                    }
                }
            }
            EdgeKind::Requires => {}
        }
        if let (Some(f), Some(t)) = (from, to)
            && f != t
        {
            resolved_edges.push((f, t, e));
        }
    }

    // Common causes.
    let mut cc_names: HashMap<&str, usize> = HashMap::new();
    for (i, cc) in sc.common_cause.iter().enumerate() {
        let p = root.field("common_cause").index(i);
        if cc.name.trim().is_empty() {
            ck.err(p.field("name"), "a common-cause fault needs a name");
        } else if cc_names.insert(&cc.name, i).is_some() {
            ck.err(
                p.field("name"),
                format!("duplicate common-cause name `{}`", cc.name),
            );
        }
        if cc.hits.is_empty() {
            ck.err(
                p.field("hits"),
                "a common-cause fault must hit at least one component",
            );
        }
        let mut seen = Repeats::new(cc.hits.len());
        for (k, h) in cc.hits.iter().enumerate() {
            if seen.at(&cc.hits, k, String::as_str) {
                ck.err(p.field("hits").index(k), format!("`{h}` is listed twice"));
            } else {
                resolve(&mut ck, h, p.field("hits").index(k));
            }
        }
        ck.dist(&cc.every, p.field("every"), DistUse::Every);
        ck.effect(&cc.effect, p.field("effect"));
        if let Some(a) = &cc.activation {
            ck.dist(a, p.field("activation"), DistUse::Activation);
        }
        ck.dist(&cc.repair, p.field("repair"), DistUse::Repair);
    }

    // Injections.
    for (i, inj) in sc.inject.iter().enumerate() {
        let p = root.field("inject").index(i);
        ck.non_negative(inj.at, p.field("at"), "an injection time");
        if inj.at.secs() > sc.horizon.secs() && sc.horizon.secs() > 0.0 {
            ck.push(
                Problem::new(
                    p.field("at"),
                    format!(
                        "injected at {}, after the horizon of {}: it would never happen",
                        faultline_units::human(inj.at.secs()),
                        faultline_units::human(sc.horizon.secs())
                    ),
                )
                .hint("move it before the horizon or lengthen `horizon`"),
            );
        }
        match &inj.component {
            Some(cid) => {
                if let Some(ci) = resolve(&mut ck, cid, p.field("component")) {
                    let c = &sc.components[ci as usize];
                    if !c.faults.iter().any(|f| f.name == inj.fault) {
                        let names: Vec<_> =
                            c.faults.iter().map(|f| format!("`{}`", f.name)).collect();
                        ck.push(
                            Problem::new(p.field("fault"), format!("`{cid}` has no fault mode `{}`", inj.fault)).hint(
                                if names.is_empty() {
                                    format!("declare it under `{cid}`'s faults, with every: Never for an injected-only fault")
                                } else {
                                    format!("its fault modes are {}", names.join(", "))
                                },
                            ),
                        );
                    }
                }
            }
            None => {
                if !cc_names.contains_key(inj.fault.as_str()) {
                    let owner = sc
                        .components
                        .iter()
                        .find(|c| c.faults.iter().any(|f| f.name == inj.fault));
                    let mut prob = Problem::new(
                        p.field("fault"),
                        format!("no common-cause fault named `{}`", inj.fault),
                    );
                    if let Some(o) = owner {
                        prob = prob.hint(format!(
                            "to inject `{}`'s own fault mode, add component: \"{}\"",
                            o.id, o.id
                        ));
                    }
                    ck.push(prob);
                }
            }
        }
    }

    for (field, x) in [
        ("outage_per_minute", sc.cost.outage_per_minute),
        ("degraded_per_minute", sc.cost.degraded_per_minute),
        ("per_user_minute", sc.cost.per_user_minute),
        ("responder_hour", sc.cost.responder_hour),
        ("per_lost_job", sc.cost.per_lost_job),
    ] {
        if !(x.is_finite() && x >= 0.0) {
            ck.err(
                root.field("cost").field(field),
                format!("a cost must be >= 0, not {x}"),
            );
        }
    }

    // Alerts and the response team.
    for (i, a) in sc.alerts.iter().enumerate() {
        let p = root.field("alerts").index(i);
        resolve(&mut ck, &a.on, p.field("on"));
        ck.non_negative(a.after, p.field("after"), "an alert delay");
        match a.when {
            Condition::CapacityBelow(x) if !(x > 0.0 && x <= 1.0) => ck.err(
                p.field("when").index(0),
                format!("a capacity threshold is in (0, 1], not {x}"),
            ),
            Condition::QueueAbove(_)
                if ids
                    .get(a.on.as_str())
                    .is_some_and(|&c| sc.components[c as usize].queue.is_none()) =>
            {
                ck.err(
                    p.field("when"),
                    format!("`{}` is not a queue: QueueAbove needs one", a.on),
                )
            }
            Condition::SlowerThan(x) if !(x.is_finite() && x >= 1.0) => ck.err(
                p.field("when").index(0),
                format!("a latency threshold is a multiple >= 1, not {x}"),
            ),
            _ => {}
        }
    }
    if !sc.alerts.is_empty() && sc.response.is_none() {
        ck.push(
            Problem::new(root.field("alerts"), "alerts page nobody: there is no response team")
                .hint("add response: (oncall: 1, acknowledge: Exp(mean: \"5m\"), diagnose: Exp(mean: \"30m\"))"),
        );
    }
    if let Some(r) = &sc.response {
        let p = root.field("response");
        if r.oncall == 0 {
            ck.err(p.field("oncall"), "at least one responder must be on call");
        }
        ck.dist(&r.acknowledge, p.field("acknowledge"), DistUse::Repair);
        ck.dist(&r.diagnose, p.field("diagnose"), DistUse::Repair);
        ck.dist(
            &r.customer_report,
            p.field("customer_report"),
            DistUse::Repair,
        );
        ck.dist(&r.handoff, p.field("handoff"), DistUse::Repair);
        if !(r.runbook.is_finite() && r.runbook > 0.0) {
            ck.push(
                Problem::new(
                    p.field("runbook"),
                    format!("the runbook factor must be positive, not {}", r.runbook),
                )
                .hint("runbook: 0.5 halves diagnosis time; 1.0 means no runbook"),
            );
        }
        if let Some(sh) = r.shift {
            ck.positive(sh, p.field("shift"), "a shift");
        }
    }
    if let Some((k, st)) = strategy {
        let sp = root.field("strategies").index(k);
        for (j, mt) in st.mitigations.iter().enumerate() {
            let is_queue = |id: &str| {
                ids.get(id)
                    .is_some_and(|&c| sc.components[c as usize].queue.is_some())
            };
            check_mitigation(
                &mut ck,
                mt,
                sp.field("mitigations").index(j),
                &|ck, id, path| resolve(ck, id, path),
                &is_queue,
            );
            if sc.response.is_none() && trigger_of(mt) == Trigger::Manual {
                ck.push(
                    Problem::new(
                        sp.field("mitigations").index(j),
                        "a manual mitigation needs responders, and there is no response team",
                    )
                    .hint(
                        "add a `response` block, or make it automated with trigger: Auto(\"1m\")",
                    ),
                );
            }
        }
    }

    if !ck.problems.is_empty() {
        return Err(ck.problems);
    }

    // Zero-delay cycles: errors would chase their own tail within one instant.
    let n = sc.components.len();
    let mut deps: Vec<(u32, u32)> = resolved_edges
        .iter()
        .filter(|(_, _, e)| {
            !matches!(e.kind, EdgeKind::Load | EdgeKind::Feeds)
                && e.delay.is_none_or(|d| d.secs() == 0.0)
        })
        .map(|(f, t, _)| (*f, *t))
        .collect();
    for (g, c) in sc.components.iter().enumerate() {
        for m in feeders(c) {
            deps.push((g as u32, ids[m.as_str()]));
        }
    }
    let ranks = match graph::rank_or_cycle(n, &deps) {
        Ok(r) => r,
        Err(cycle) => {
            let names: Vec<&str> = cycle
                .iter()
                .map(|&i| sc.components[i as usize].id.as_str())
                .collect();
            let first = cycle[0];
            let second = cycle[1 % cycle.len()];
            let path = edge_path(sc, &ids, first, second);
            return Err(vec![Problem::new(
                path,
                format!("zero-delay dependency cycle: {}", names.join(" → ")),
            )
            .hint("an error would reach itself in no time; give one edge of the cycle a delay, or break it")]);
        }
    };

    Ok(build(
        sc,
        strategy.map(|(_, st)| st),
        &ids,
        &resolved_edges,
        ranks,
    ))
}

/// Path of the edge (or group membership) that makes `a` depend on `b`.
fn edge_path(sc: &Scenario, ids: &Names<u32>, a: u32, b: u32) -> Path {
    for (i, e) in sc.edges.iter().enumerate() {
        if ids.get(e.from.as_str()) == Some(&a) && ids.get(e.to.as_str()) == Some(&b) {
            return Path::root().field("edges").index(i);
        }
    }
    let c = &sc.components[a as usize];
    if let Some(g) = &c.group
        && let Some(k) = g.of.iter().position(|m| ids.get(m.as_str()) == Some(&b))
    {
        return Path::root()
            .field("components")
            .index(a as usize)
            .field("group")
            .field("of")
            .index(k);
    }
    Path::root().field("components").index(a as usize)
}

/// The components whose output a group or voter reads: members, replicas and backup.
fn feeders(c: &schema::Component) -> impl Iterator<Item = &String> {
    let group = c.group.iter().flat_map(|g| g.of.iter());
    let voter = c
        .voter
        .iter()
        .flat_map(|v| v.of.iter().chain(v.backup.iter()));
    group.chain(voter)
}

/// The nearest id by edit distance, if it is close enough to be a likely typo (ties go to
/// the first in string order).
fn closest<'a>(id: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = 2.max(id.len() / 3);
    let id: Vec<char> = id.chars().collect();
    let mut rows = (Vec::new(), Vec::new());
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // Only a distance up to the best so far can still win.
        let bound = best.map_or(limit, |(d, _)| d.min(limit));
        if c.chars().count().abs_diff(id.len()) > bound {
            continue;
        }
        if let Some(d) = edit_distance_within(&id, c, bound, &mut rows)
            && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc))
        {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The edit distance between `a` and `b` if it is at most `bound` (`rows` are reused
/// buffers).
fn edit_distance_within(
    a: &[char],
    b: &str,
    bound: usize,
    rows: &mut (Vec<usize>, Vec<usize>),
) -> Option<usize> {
    let (prev, cur) = rows;
    prev.clear();
    prev.extend(0..=a.len());
    for (i, cb) in b.chars().enumerate() {
        cur.clear();
        cur.push(i + 1);
        for (j, ca) in a.iter().enumerate() {
            let d = (prev[j] + usize::from(ca != &cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            cur.push(d);
        }
        // Distances never drop below the best of a row.
        if cur.iter().min().is_some_and(|&m| m > bound) {
            return None;
        }
        std::mem::swap(prev, cur);
    }
    Some(prev[a.len()]).filter(|&d| d <= bound)
}

/// Builds the flat model from a scenario already known to be valid.
fn build(
    sc: &Scenario,
    strategy: Option<&Strategy>,
    ids: &Names<u32>,
    edges: &[(u32, u32, &schema::Edge)],
    ranks: Vec<u32>,
) -> Model {
    let n = sc.components.len();
    let mut slots: Vec<Slot> = vec![];
    let mut comps: Vec<Comp> = Vec::with_capacity(n);
    for (i, c) in sc.components.iter().enumerate() {
        let start = slots.len() as u32;
        for f in &c.faults {
            slots.push(Slot {
                comp: i as u32,
                name: f.name.clone(),
                effect: effect(f.effect),
                every: sampler(&f.every),
                once: matches!(f.every, Dist::At(_)),
                activation: f.activation.as_ref().map(sampler),
                repair: sampler(&f.repair),
                source: Source::Own,
                key: stable_hash(&["fault", &c.id, &f.name]),
                chance: f.chance.unwrap_or(1.0),
                learning: f
                    .learning
                    .map(|l| (l.factor, l.every.secs(), l.halflife.secs())),
            });
        }
        comps.push(Comp {
            id: c.id.clone(),
            capacity: c.capacity,
            slots: start..slots.len() as u32,
            need: c.group.as_ref().map_or(0, |g| g.need),
            voter: c
                .voter
                .as_ref()
                .map(|v| v.backup.as_ref().map_or(NONE, |b| ids[b.as_str()])),
            service: c.service.as_ref().map(|s| ServiceSpec {
                slo: s.slo,
                users: s.users,
                max_slow: s.max_slow.unwrap_or(f64::INFINITY),
            }),
            load: c.load.as_ref().map(|l| (l.base, l.limit)),
            cluster: NONE,

            queue: NONE,
        });
    }
    let mut common = vec![];
    let mut cc_index: HashMap<&str, u32> = HashMap::new();
    for cc in &sc.common_cause {
        let start = slots.len() as u32;
        let idx = common.len() as u32;
        for h in &cc.hits {
            slots.push(Slot {
                comp: ids[h.as_str()],
                name: cc.name.clone(),
                effect: effect(cc.effect),
                every: Sampler::Never,
                once: false,
                activation: cc.activation.as_ref().map(sampler),
                repair: sampler(&cc.repair),
                source: Source::Common(idx),
                key: stable_hash(&["common", &cc.name, h]),
                chance: 1.0,
                learning: None,
            });
        }
        cc_index.insert(&cc.name, idx);
        common.push(Common {
            name: cc.name.clone(),
            every: sampler(&cc.every),
            once: matches!(cc.every, Dist::At(_)),
            slots: start..slots.len() as u32,
            key: stable_hash(&["common", &cc.name]),
        });
    }

    let comp_slots = Csr::from_pairs(
        n,
        &slots
            .iter()
            .enumerate()
            .map(|(k, s)| (s.comp, k as u32))
            .collect::<Vec<_>>(),
    );
    let mut model_edges = vec![];
    let mut random_edges = 0u32;
    let mut load_pairs = vec![];
    let mut feed_pairs: Vec<(u32, u32)> = vec![];
    for &(f, t, e) in edges {
        let kind = match e.kind {
            EdgeKind::Requires => model::EdgeKind::Requires,
            EdgeKind::Degrades(x) => model::EdgeKind::Degrades(x),
            EdgeKind::Load => {
                load_pairs.push((f, t));
                continue;
            }
            EdgeKind::Feeds => {
                feed_pairs.push((f, t));
                continue;
            }
        };
        model_edges.push(Edge {
            from: f,
            to: t,
            kind,
            p: e.p.unwrap_or(1.0),
            delay: e.delay.map_or(0.0, |d| d.secs()),
            rng: NONE,
            key: stable_hash(&["edge", &e.from, &e.to]),
        });
    }
    // Edges sorted by dependent, Requires before Degrades: each component's inputs are one
    // contiguous run of the edge arrays (cache-friendly), and the minimum is taken before
    // Degrades factors multiply, whatever order the file lists them in (propagation.rs).
    model_edges.sort_by_key(|e| (e.from, matches!(e.kind, model::EdgeKind::Degrades(_))));
    for e in &mut model_edges {
        if e.p < 1.0 {
            e.rng = random_edges;
            random_edges += 1;
        }
    }
    let inputs = Csr::from_pairs(
        n,
        &model_edges
            .iter()
            .enumerate()
            .map(|(i, e)| (e.from, i as u32))
            .collect::<Vec<_>>(),
    );
    let dependents = Csr::from_pairs(
        n,
        &model_edges
            .iter()
            .enumerate()
            .map(|(i, e)| (e.to, i as u32))
            .collect::<Vec<_>>(),
    );
    let mut member_pairs = vec![];
    let mut feeder_pairs = vec![];
    for (g, c) in sc.components.iter().enumerate() {
        let replicas = c
            .group
            .as_ref()
            .map(|x| &x.of)
            .or(c.voter.as_ref().map(|v| &v.of));
        for m in replicas.into_iter().flatten() {
            member_pairs.push((g as u32, ids[m.as_str()]));
        }
        for m in feeders(c) {
            feeder_pairs.push((ids[m.as_str()], g as u32));
        }
    }
    let members = Csr::from_pairs(n, &member_pairs);
    let groups_of = Csr::from_pairs(n, &feeder_pairs);
    // `from` takes `to`'s load.
    let load_takes = Csr::from_pairs(n, &load_pairs);
    let load_takers = Csr::from_pairs(
        n,
        &load_pairs.iter().map(|&(f, t)| (t, f)).collect::<Vec<_>>(),
    );
    let cluster_of = graph::clusters(n, &load_pairs);
    let mut cluster_pairs = vec![];
    for (i, cl) in cluster_of.iter().enumerate() {
        if *cl != NONE {
            comps[i].cluster = *cl;
            cluster_pairs.push((*cl, i as u32));
        }
    }
    let n_clusters = cluster_of
        .iter()
        .filter(|c| **c != NONE)
        .map(|c| *c + 1)
        .max()
        .unwrap_or(0);
    let clusters = Csr::from_pairs(n_clusters as usize, &cluster_pairs);

    let mut injections: Vec<Injection> = sc
        .inject
        .iter()
        .map(|inj| match &inj.component {
            Some(cid) => {
                let ci = ids[cid.as_str()] as usize;
                let base = comps[ci].slots.start;
                let k = sc.components[ci]
                    .faults
                    .iter()
                    .position(|f| f.name == inj.fault)
                    .expect("validated");
                Injection {
                    at: inj.at.secs(),
                    slots: vec![base + k as u32],
                    common: None,
                }
            }
            None => {
                let cc = cc_index[inj.fault.as_str()];
                Injection {
                    at: inj.at.secs(),
                    slots: common[cc as usize].slots.clone().collect(),
                    common: Some(cc),
                }
            }
        })
        .collect();
    injections.sort_by(|a, b| a.at.total_cmp(&b.at));

    let mut queues: Vec<QueueSpec> = vec![];
    for (i, c) in sc.components.iter().enumerate() {
        let Some(q) = &c.queue else { continue };
        let mut schedule: Vec<(f64, f64)> =
            q.schedule.iter().map(|(t, r)| (t.secs(), *r)).collect();
        schedule.sort_by(|a, b| a.0.total_cmp(&b.0));
        queues.push(QueueSpec {
            comp: i as u32,
            rate: q.rate,
            schedule,
            workers: q.workers,
            service: sampler(&q.service),
            slow_a: q.slowdown.map_or(0.0, |s| s.a),
            slow_b: q.slowdown.map_or(0.0, |s| s.b),
            timeout: q.timeout.map_or(f64::INFINITY, |t| t.secs()),
            drop_expired: q.drop_expired,
            errors: q.errors,
            retries: q.retries.map_or(0, |r| r.count),
            backoff: q
                .retries
                .map_or(Sampler::Fixed(0.0), |r| sampler(&r.backoff)),
            multiplier: q.retries.map_or(1.0, |r| r.multiplier),
            budget: q.retries.and_then(|r| r.budget).unwrap_or(f64::INFINITY),
            bound: q.bound.unwrap_or(u64::MAX),
            health: match q.health {
                QueueHealth::Goodput => QueueHealthSpec::Goodput,
                QueueHealth::Latency(d) => QueueHealthSpec::Latency(d.secs()),
            },
            window: q.window.secs(),
            warmup: q.warmup.secs(),
            feeds: vec![],
            key: stable_hash(&["queue", &c.id]),
        });
    }
    for &(f, t) in &feed_pairs {
        let (qf, qt) = (
            queues.iter().position(|q| q.comp == f).expect("validated"),
            queues.iter().position(|q| q.comp == t).expect("validated"),
        );
        queues[qf].feeds.push(qt as u32);
    }
    for (k, q) in queues.iter().enumerate() {
        comps[q.comp as usize].queue = k as u32;
    }
    let alerts: Vec<AlertSpec> = sc
        .alerts
        .iter()
        .map(|a| AlertSpec {
            comp: ids[a.on.as_str()],
            when: condition(a.when),
            after: a.after.secs(),
        })
        .collect();
    let mut spare_units = 0u32;
    let mitigations: Vec<MitigationSpec> = strategy
        .map(|st| st.mitigations.as_slice())
        .unwrap_or(&[])
        .iter()
        .map(|mt| {
            let first_unit = spare_units;
            let (label, kind, targets, per_use, key) = match mt {
                Mitigation::Spare {
                    for_,
                    deploy,
                    capacity,
                    stock,
                    fails,
                    dormant,
                    per_use,
                    ..
                } => {
                    spare_units += stock;
                    (
                        "spare",
                        MitigationKind::Spare {
                            deploy: sampler(deploy),
                            capacity: *capacity,
                            stock: *stock,
                            fails: sampler(fails),
                            dormant: *dormant,
                        },
                        for_.iter().map(|id| ids[id.as_str()]).collect(),
                        *per_use,
                        list_key("spare", for_),
                    )
                }
                Mitigation::Failover {
                    for_,
                    standby,
                    delay,
                    per_use,
                    ..
                } => (
                    "failover",
                    MitigationKind::Failover {
                        standby: ids[standby.as_str()],
                        delay: sampler(delay),
                    },
                    vec![ids[for_.as_str()]],
                    *per_use,
                    stable_hash(&["failover", for_, standby]),
                ),
                Mitigation::Shed {
                    for_,
                    rate,
                    above,
                    delay,
                    per_use,
                    per_drop,
                    ..
                } => (
                    "shed",
                    MitigationKind::Shed {
                        delay: sampler(delay),
                        rate: *rate,
                        above: *above,
                        per_drop: *per_drop,
                    },
                    vec![ids[for_.as_str()]],
                    *per_use,
                    stable_hash(&["shed", for_]),
                ),
                Mitigation::RateLimit {
                    for_,
                    rate,
                    delay,
                    per_use,
                    ..
                } => (
                    "rate limit",
                    MitigationKind::RateLimit {
                        delay: sampler(delay),
                        rate: *rate,
                    },
                    vec![ids[for_.as_str()]],
                    *per_use,
                    stable_hash(&["ratelimit", for_]),
                ),
                Mitigation::CircuitBreaker {
                    for_,
                    below,
                    slower_than,
                } => (
                    "circuit breaker",
                    MitigationKind::CircuitBreaker {
                        below: *below,
                        slower_than: slower_than.unwrap_or(f64::INFINITY),
                    },
                    vec![ids[for_.as_str()]],
                    0.0,
                    stable_hash(&["breaker", for_]),
                ),
                Mitigation::AddWorkers {
                    for_,
                    workers,
                    delay,
                    per_use,
                    ..
                } => (
                    "more workers",
                    MitigationKind::AddWorkers {
                        delay: sampler(delay),
                        workers: *workers,
                    },
                    vec![ids[for_.as_str()]],
                    *per_use,
                    stable_hash(&["workers", for_]),
                ),
                Mitigation::Redesign {
                    for_,
                    takes,
                    per_use,
                } => (
                    "redesign",
                    MitigationKind::Redesign {
                        takes: sampler(takes),
                    },
                    vec![ids[for_.as_str()]],
                    *per_use,
                    stable_hash(&["redesign", for_]),
                ),
                Mitigation::Restart {
                    for_,
                    takes,
                    works,
                    per_use,
                    ..
                } => (
                    "restart",
                    MitigationKind::Restart {
                        takes: sampler(takes),
                        works: *works,
                    },
                    for_.iter().map(|id| ids[id.as_str()]).collect(),
                    *per_use,
                    list_key("restart", for_),
                ),
            };
            MitigationSpec {
                label,
                kind,
                targets,
                auto: match trigger_of(mt) {
                    Trigger::Auto(d) => Some(d.secs()),
                    Trigger::Manual => None,
                },
                per_use,
                first_unit,
                key,
            }
        })
        .collect();

    let mut model = Model {
        name: sc.name.clone(),
        about: sc.about.clone(),
        horizon: sc.horizon.secs(),
        runs: sc.runs,
        seed: sc.seed,
        max_events: sc.max_events.unwrap_or(DEFAULT_MAX_EVENTS),
        rank: ranks,
        services: (0..n as u32)
            .filter(|&i| comps[i as usize].service.is_some())
            .collect(),
        comps,
        slots,
        comp_slots,
        edges: model_edges,
        members,
        groups_of,
        load_takes,
        load_takers,
        clusters,
        common,
        injections,
        random_edges,
        cost: CostModel {
            outage_per_minute: sc.cost.outage_per_minute,
            degraded_per_minute: sc.cost.degraded_per_minute,
            per_user_minute: sc.cost.per_user_minute,
            responder_hour: sc.cost.responder_hour,
            fixed: strategy.map_or(0.0, |s| s.cost),
            per_lost_job: sc.cost.per_lost_job,
        },
        strategy: strategy.map_or_else(|| "baseline".to_string(), |s| s.name.clone()),
        strategy_about: strategy.map_or_else(String::new, |s| s.about.clone()),
        alerts_of: Csr::from_pairs(
            n,
            &alerts
                .iter()
                .enumerate()
                .map(|(i, a)| (a.comp, i as u32))
                .collect::<Vec<_>>(),
        ),
        alerts,
        response: sc.response.as_ref().map(|r| ResponseSpec {
            oncall: r.oncall,
            acknowledge: sampler(&r.acknowledge),
            diagnose: sampler(&r.diagnose),
            runbook: r.runbook,
            customer_report: sampler(&r.customer_report),
            shift: r.shift.map_or(f64::INFINITY, |d| d.secs()),
            notes: r.notes,
            handoff: sampler(&r.handoff),
            repair_on_diagnosis: r.repair_starts == RepairStarts::Diagnosis,
        }),
        mitigations_of: Csr::from_pairs(
            n,
            &mitigations
                .iter()
                .enumerate()
                .flat_map(|(k, m)| m.targets.iter().map(move |&c| (c, k as u32)))
                .collect::<Vec<_>>(),
        ),
        standby_for: Csr::from_pairs(
            n,
            &mitigations
                .iter()
                .enumerate()
                .filter_map(|(k, m)| match m.kind {
                    MitigationKind::Failover { standby, .. } => Some((standby, k as u32)),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        ),
        spare_units,
        mitigations,
        queues,
        nodes: vec![],
        links: vec![],
        deps: vec![],
        slow: vec![],
    };
    model.lay_out(&inputs, &dependents);
    model
}

/// A checked distribution, ready to sample.
fn sampler(d: &Dist) -> Sampler {
    match *d {
        Dist::Exp { mean } => Sampler::exp(mean.secs()),
        Dist::Weibull { shape, scale } => Sampler::weibull(shape, scale.secs()),
        Dist::LogNormal { median, sigma } => Sampler::lognormal(median.secs(), sigma),
        Dist::Uniform(lo, hi) => Sampler::uniform(lo.secs(), hi.secs()),
        Dist::Fixed(d) | Dist::At(d) => Some(Sampler::Fixed(d.secs())),
        Dist::Never => Some(Sampler::Never),
    }
    .expect("checked")
}

/// A fault's effect as the engine applies it.
fn effect(e: Effect) -> model::Effect {
    match e {
        Effect::Crash => model::Effect::Crash,
        Effect::Degrade(f) => model::Effect::Degrade(f),
        Effect::Corrupt => model::Effect::Corrupt,
        Effect::Slow(f) => model::Effect::Slow(f),
        Effect::Burst { jobs, over } => model::Effect::Burst {
            jobs,
            over: over.secs(),
        },
    }
}

/// An alert's condition as the engine checks it.
fn condition(c: Condition) -> model::Condition {
    match c {
        Condition::Failed => model::Condition::Failed,
        Condition::CapacityBelow(x) => model::Condition::CapacityBelow(x),
        Condition::SlowerThan(x) => model::Condition::SlowerThan(x),
        Condition::QueueAbove(n) => model::Condition::QueueAbove(n),
        Condition::Corrupt => model::Condition::Corrupt,
    }
}

/// Stable key of a mitigation over a list of components: the same mitigation in two
/// strategies draws the same random numbers.
fn list_key(kind: &str, ids: &[String]) -> u64 {
    let mut parts = vec![kind];
    parts.extend(ids.iter().map(String::as_str));
    stable_hash(&parts)
}

fn trigger_of(m: &Mitigation) -> Trigger {
    match m {
        Mitigation::Spare { trigger, .. }
        | Mitigation::Failover { trigger, .. }
        | Mitigation::Restart { trigger, .. }
        | Mitigation::Shed { trigger, .. }
        | Mitigation::RateLimit { trigger, .. }
        | Mitigation::AddWorkers { trigger, .. } => *trigger,
        // Always armed: no one has to switch it on.
        Mitigation::CircuitBreaker { .. } => Trigger::Auto(Duration(0.0)),
        // A redesign is started by the people who diagnosed the problem.
        Mitigation::Redesign { .. } => Trigger::Manual,
    }
}

/// Checks one mitigation; `resolve` reports unknown ids.
fn check_mitigation(
    ck: &mut Checker,
    m: &Mitigation,
    p: At<'_>,
    resolve: &dyn Fn(&mut Checker, &str, At<'_>) -> Option<u32>,
    is_queue: &dyn Fn(&str) -> bool,
) {
    // A mitigation's `for` list: at least one component, every one known.
    let targets = |ck: &mut Checker, list: &[String], empty: &str| {
        if list.is_empty() {
            ck.err(p.field("for"), empty);
        }
        for (i, id) in list.iter().enumerate() {
            resolve(ck, id, p.field("for").index(i));
        }
    };
    let queue = |ck: &mut Checker, id: &str, path: At<'_>| {
        if resolve(ck, id, path).is_some() && !is_queue(id) {
            ck.err(path, format!("`{id}` is not a queue"));
        }
    };
    let money = |ck: &mut Checker, x: f64, path: At<'_>| {
        if !(x.is_finite() && x >= 0.0) {
            ck.err(path, format!("a cost must be >= 0, not {x}"));
        }
    };
    if let Trigger::Auto(d) = trigger_of(m) {
        ck.non_negative(d, p.field("trigger").index(0), "an automation delay");
    }
    match m {
        Mitigation::Spare {
            for_,
            deploy,
            capacity,
            stock,
            fails,
            dormant,
            per_use,
            ..
        } => {
            targets(ck, for_, "a spare must stand in for at least one component");
            ck.dist(deploy, p.field("deploy"), DistUse::Repair);
            ck.dist(fails, p.field("fails"), DistUse::Repair);
            if !(*capacity > 0.0 && *capacity <= 1.0) {
                ck.err(
                    p.field("capacity"),
                    format!("a spare's capacity is a share in (0, 1], not {capacity}"),
                );
            }
            if *stock == 0 {
                ck.err(p.field("stock"), "a spare needs at least one unit in stock");
            }
            if !(0.0..=1.0).contains(dormant) {
                ck.push(
                    Problem::new(p.field("dormant"), format!("dormant is a failure-rate factor in [0, 1], not {dormant}"))
                        .hint("0: a cold spare never fails while waiting; 1: a hot spare fails as if in service"),
                );
            }
            money(ck, *per_use, p.field("per_use"));
        }
        Mitigation::Failover {
            for_,
            standby,
            delay,
            per_use,
            ..
        } => {
            resolve(ck, for_, p.field("for"));
            resolve(ck, standby, p.field("standby"));
            if for_ == standby {
                ck.err(p.field("standby"), "a component cannot fail over to itself");
            }
            ck.dist(delay, p.field("delay"), DistUse::Repair);
            money(ck, *per_use, p.field("per_use"));
        }
        Mitigation::Restart {
            for_,
            takes,
            works,
            per_use,
            ..
        } => {
            targets(ck, for_, "a restart must apply to at least one component");
            ck.dist(takes, p.field("takes"), DistUse::Repair);
            ck.fraction(*works, p.field("works"), "a success probability");
            money(ck, *per_use, p.field("per_use"));
        }
        Mitigation::Shed {
            for_,
            rate,
            above,
            delay,
            per_use,
            per_drop,
            ..
        } => {
            queue(ck, for_, p.field("for"));
            if rate.is_none() && above.is_none() {
                ck.push(
                    Problem::new(p, "Shed needs `rate` (spoon-feed parked jobs) or `above` (drop beyond a length)")
                        .hint("Shed(for: \"jobs\", rate: 5.0) pulls the backlog and feeds back 5 jobs a second"),
                );
            }
            if let Some(r) = rate
                && !(r.is_finite() && *r > 0.0)
            {
                ck.err(
                    p.field("rate"),
                    format!("a spoon-feeding rate must be positive, not {r}"),
                );
            }
            if *above == Some(0) {
                ck.err(p.field("above"), "a drop threshold must be at least 1");
            }
            ck.dist(delay, p.field("delay"), DistUse::Repair);
            money(ck, *per_use, p.field("per_use"));
            money(ck, *per_drop, p.field("per_drop"));
        }
        Mitigation::RateLimit {
            for_,
            rate,
            delay,
            per_use,
            ..
        } => {
            queue(ck, for_, p.field("for"));
            if !(rate.is_finite() && *rate > 0.0) {
                ck.err(
                    p.field("rate"),
                    format!("a rate limit must be positive, not {rate}"),
                );
            }
            ck.dist(delay, p.field("delay"), DistUse::Repair);
            money(ck, *per_use, p.field("per_use"));
        }
        Mitigation::CircuitBreaker {
            for_,
            below,
            slower_than,
        } => {
            queue(ck, for_, p.field("for"));
            if !(*below > 0.0 && *below <= 1.0) {
                ck.err(
                    p.field("below"),
                    format!("a breaker threshold is in (0, 1], not {below}"),
                );
            }
            if let Some(f) = slower_than
                && !(*f > 1.0 && f.is_finite())
            {
                ck.err(
                    p.field("slower_than"),
                    format!(
                        "a breaker's latency factor is above 1 (normal speed), not {f}: at or below 1 it would never close"
                    ),
                );
            }
        }
        Mitigation::AddWorkers {
            for_,
            workers,
            delay,
            per_use,
            ..
        } => {
            queue(ck, for_, p.field("for"));
            if *workers == 0 {
                ck.err(p.field("workers"), "add at least one worker");
            }
            ck.dist(delay, p.field("delay"), DistUse::Repair);
            money(ck, *per_use, p.field("per_use"));
        }
        Mitigation::Redesign {
            for_,
            takes,
            per_use,
        } => {
            queue(ck, for_, p.field("for"));
            ck.dist(takes, p.field("takes"), DistUse::Repair);
            money(ck, *per_use, p.field("per_use"));
        }
    }
}

/// Checks a queue's parameters.
fn check_queue(ck: &mut Checker, q: &schema::Queue, p: At<'_>) {
    if !(q.rate.is_finite() && q.rate >= 0.0) {
        ck.err(
            p.field("rate"),
            format!(
                "an arrival rate (jobs per second) must be >= 0, not {}",
                q.rate
            ),
        );
    }
    for (i, (t, r)) in q.schedule.iter().enumerate() {
        ck.non_negative(*t, p.field("schedule").index(i).index(0), "a schedule time");
        if !(r.is_finite() && *r >= 0.0) {
            ck.err(
                p.field("schedule").index(i).index(1),
                format!("a rate must be >= 0, not {r}"),
            );
        }
    }
    if q.workers == 0 {
        ck.err(p.field("workers"), "a queue needs at least one worker");
    }
    ck.dist(&q.service, p.field("service"), DistUse::Repair);
    if matches!(q.service, Dist::Never) {
        ck.err(
            p.field("service"),
            "a service time of Never means no job ever finishes",
        );
    }
    if let Some(sd) = q.slowdown {
        if !(sd.a.is_finite() && sd.a >= 0.0) {
            ck.err(
                p.field("slowdown").field("a"),
                format!("slowdown `a` must be >= 0, not {}", sd.a),
            );
        }
        if !(sd.b.is_finite() && sd.b >= 0.0) {
            ck.err(
                p.field("slowdown").field("b"),
                format!("slowdown `b` must be >= 0, not {}", sd.b),
            );
        }
    }
    if let Some(t) = q.timeout {
        ck.positive(t, p.field("timeout"), "a timeout");
    }
    ck.fraction(q.errors, p.field("errors"), "an error probability");
    if let Some(r) = q.retries {
        ck.dist(
            &r.backoff,
            p.field("retries").field("backoff"),
            DistUse::Repair,
        );
        if !(r.multiplier.is_finite() && r.multiplier >= 1.0) {
            ck.err(
                p.field("retries").field("multiplier"),
                format!("a backoff multiplier must be >= 1, not {}", r.multiplier),
            );
        }
        if let Some(b) = r.budget
            && !(b.is_finite() && b >= 0.0)
        {
            ck.err(
                p.field("retries").field("budget"),
                format!("a retry budget must be >= 0, not {b}"),
            );
        }
    }
    if q.bound == Some(0) {
        ck.err(p.field("bound"), "a queue bound must be at least 1");
    }
    if let QueueHealth::Latency(d) = q.health {
        ck.positive(d, p.field("health").index(0), "a latency objective");
    }
    ck.positive(q.window, p.field("window"), "a health window");
    ck.non_negative(q.warmup, p.field("warmup"), "a warm-up");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definitions `closest` must agree with.
    fn edit_distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    fn plain_closest<'a>(id: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let mut best: Option<(usize, &str)> = None;
        for &c in candidates {
            let d = edit_distance(id, c);
            if d <= 2.max(id.len() / 3) && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
                best = Some((d, c));
            }
        }
        best.map(|(_, c)| c)
    }

    #[test]
    fn closest_matches_the_plain_definition() {
        let mut rand = crate::testing::xorshift(0x0DDB_1A5E_5BAD_5EED);
        let alphabet: Vec<char> = "abcé_1→".chars().collect();
        let word = |rand: &mut dyn FnMut(usize) -> usize| -> String {
            (0..rand(12))
                .map(|_| alphabet[rand(alphabet.len())])
                .collect()
        };
        for _ in 0..400 {
            let pool: Vec<String> = (0..rand(60)).map(|_| word(&mut rand)).collect();
            let candidates: Vec<&str> = pool.iter().map(String::as_str).collect();
            for _ in 0..10 {
                let id = if candidates.is_empty() || rand(2) == 0 {
                    word(&mut rand)
                } else {
                    // A near miss of a candidate.
                    let mut w: Vec<char> = candidates[rand(candidates.len())].chars().collect();
                    for _ in 0..rand(4) {
                        match rand(3) {
                            0 if !w.is_empty() => {
                                w.remove(rand(w.len()));
                            }
                            1 => w.insert(rand(w.len() + 1), alphabet[rand(alphabet.len())]),
                            _ if !w.is_empty() => {
                                let k = rand(w.len());
                                w[k] = alphabet[rand(alphabet.len())];
                            }
                            _ => {}
                        }
                    }
                    w.into_iter().collect()
                };
                assert_eq!(
                    closest(&id, candidates.iter().copied()),
                    plain_closest(&id, &candidates),
                    "{id:?} among {candidates:?}"
                );
            }
        }
    }
}
