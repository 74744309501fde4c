//! The Open-PSA Model Exchange Format (MEF) read into a [`FaultTree`]: fault trees with
//! their gates, basic and house events, parameters, expressions and common-cause groups,
//! from one file or several (SCRAM's benchmarks keep basic events in a file of their own).
//!
//! Every problem is a [`MefError`] at a file, line and column; a construct faultline does
//! not read (event trees, the 11-argument periodic test, ...) is refused by name, never
//! approximated.

mod ccf;
mod expr;
mod formula;
mod write;

pub use write::write;

use crate::tree::{Event, FaultTree, Law, Node};
use std::collections::HashMap;
use std::fmt;

/// A MEF input: its name (for messages) and its text.
pub struct Source<'a> {
    /// The file name shown in messages.
    pub name: &'a str,
    /// The XML text.
    pub text: &'a str,
}

/// How to read a model: the settings the MEF leaves to the analysis.
#[derive(Clone, Debug)]
pub struct Options {
    /// The mission time in hours (`system-mission-time`); SCRAM's default is 8760.
    pub mission_time: f64,
    /// The top gate, when the model has several gates no other gate uses.
    pub top: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mission_time: 8760.0,
            top: None,
        }
    }
}

/// A problem in a MEF file, where it is.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct MefError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for MefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// A definition: which file, which element.
#[derive(Clone, Copy)]
struct Def<'a, 'input> {
    file: usize,
    node: roxmltree::Node<'a, 'input>,
    /// The component it is in (an index into [`Defs::scopes`]; 0 is the model's top level).
    scope: u32,
}

/// Everything defined in the files, by name.
struct Defs<'a, 'input> {
    docs: &'a [roxmltree::Document<'input>],
    names: Vec<&'a str>,
    /// Component paths (`t`, `t.u`), "" for the top level; definitions refer to them.
    scopes: Vec<String>,
    gates: Vec<(String, Def<'a, 'input>)>,
    events: Vec<(String, Def<'a, 'input>)>,
    houses: HashMap<String, Def<'a, 'input>>,
    params: HashMap<String, Def<'a, 'input>>,
    ccf: Vec<Def<'a, 'input>>,
}

impl Defs<'_, '_> {
    /// The keys a reference `name` made in `scope` may mean, the most local first: a
    /// private name of its own component, then a public (or full-path) name.
    fn candidates(&self, scope: u32, name: &str) -> impl Iterator<Item = String> {
        let s = &self.scopes[scope as usize];
        let local = (!s.is_empty()).then(|| format!("{s}.{name}"));
        local.into_iter().chain(std::iter::once(name.to_string()))
    }

    fn error(&self, file: usize, node: roxmltree::Node, message: impl Into<String>) -> MefError {
        let pos = self.docs[file].text_pos_at(node.range().start);
        MefError {
            file: self.names[file].to_string(),
            line: pos.row,
            col: pos.col,
            message: message.into(),
        }
    }
}

/// Reads a fault tree from MEF files: the top gate (the one gate no other gate uses, or
/// [`Options::top`]) and everything below it.
pub fn read(sources: &[Source], opts: &Options) -> Result<FaultTree, MefError> {
    let mut docs = Vec::with_capacity(sources.len());
    for s in sources {
        let doc = roxmltree::Document::parse(s.text).map_err(|e| {
            let pos = e.pos();
            MefError {
                file: s.name.to_string(),
                line: pos.row,
                col: pos.col,
                message: format!("not well-formed XML: {e}"),
            }
        })?;
        docs.push(doc);
    }
    let mut defs = Defs {
        docs: &docs,
        names: sources.iter().map(|s| s.name).collect(),
        scopes: vec![String::new()],
        gates: vec![],
        events: vec![],
        houses: HashMap::new(),
        params: HashMap::new(),
        ccf: vec![],
    };
    for (i, doc) in docs.iter().enumerate() {
        let root = doc.root_element();
        if root.tag_name().name() != "opsa-mef" {
            let found = root.tag_name().name();
            return Err(defs.error(
                i,
                root,
                format!("expected an <opsa-mef> document, found <{found}>"),
            ));
        }
        collect(&mut defs, i, root, 0, false)?;
    }
    build(&defs, opts)
}

/// Gathers the definitions under `parent` (the document, a fault tree, model data, a
/// component), in component `scope`, private by default if `private`.
fn collect<'a, 'input>(
    defs: &mut Defs<'a, 'input>,
    file: usize,
    parent: roxmltree::Node<'a, 'input>,
    scope: u32,
    private: bool,
) -> Result<(), MefError> {
    for el in parent.children().filter(|n| n.is_element()) {
        let tag = el.tag_name().name();
        let def = Def {
            file,
            node: el,
            scope,
        };
        let role_private = match el.attribute("role") {
            Some("private") => true,
            Some("public") => false,
            Some(other) => {
                return Err(defs.error(
                    file,
                    el,
                    format!("role=\"{other}\": a role is \"public\" or \"private\""),
                ));
            }
            None => private,
        };
        match tag {
            "define-fault-tree" | "model-data" => collect(defs, file, el, scope, role_private)?,
            "define-component" => {
                let name = name_of(defs, file, el)?;
                let outer = &defs.scopes[scope as usize];
                let path = if outer.is_empty() {
                    name.to_string()
                } else {
                    format!("{outer}.{name}")
                };
                defs.scopes.push(path);
                let inner = defs.scopes.len() as u32 - 1;
                collect(defs, file, el, inner, role_private)?;
            }
            "label" | "attributes" => {}
            "define-gate" | "define-basic-event" | "define-house-event" | "define-parameter" => {
                let name = name_of(defs, file, el)?;
                let s = &defs.scopes[scope as usize];
                let key = if role_private && !s.is_empty() {
                    format!("{s}.{name}")
                } else {
                    name.to_string()
                };
                match tag {
                    "define-gate" => defs.gates.push((key, def)),
                    "define-basic-event" => defs.events.push((key, def)),
                    "define-house-event" => {
                        defs.houses.insert(key, def);
                    }
                    _ => {
                        defs.params.insert(key, def);
                    }
                }
            }
            "define-CCF-group" => defs.ccf.push(def),
            "define-event-tree"
            | "define-initiating-event"
            | "define-sequence"
            | "define-rule"
            | "define-alignment"
            | "define-substitution"
            | "define-consequence"
            | "define-consequence-group"
            | "define-extern-function"
            | "define-instruction" => {
                return Err(defs.error(
                    file,
                    el,
                    format!(
                        "<{tag}> is not supported: faultline reads fault trees, not event trees, \
                         substitutions or extern functions"
                    ),
                ));
            }
            _ => return Err(defs.error(file, el, format!("unknown element <{tag}> here"))),
        }
    }
    Ok(())
}

fn name_of<'a>(defs: &Defs, file: usize, el: roxmltree::Node<'a, '_>) -> Result<&'a str, MefError> {
    el.attribute("name")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| defs.error(file, el, format!("<{}> needs a name", el.tag_name().name())))
}

/// Lowers the collected definitions into a tree rooted at the top gate.
fn build(defs: &Defs, opts: &Options) -> Result<FaultTree, MefError> {
    let mut tree = FaultTree::default();
    let mut eval = expr::Eval::new(defs, opts.mission_time);
    let mut event_index: HashMap<String, Node> = HashMap::new();
    for (name, def) in &defs.events {
        if event_index.contains_key(name) {
            return Err(defs.error(
                def.file,
                def.node,
                format!("basic event '{name}' is defined twice"),
            ));
        }
        let (p, law) = event_probability(defs, &mut eval, *def, name)?;
        event_index.insert(name.clone(), Node::Event(tree.events.len() as u32));
        tree.events.push(Event {
            name: name.clone(),
            p,
            law,
        });
    }
    let mut extra = ccf::expand(defs, &mut eval, &mut tree, &mut event_index)?;
    formula::lower(
        defs,
        &mut eval,
        &mut tree,
        &event_index,
        &mut extra,
        opts.top.as_deref(),
    )?;
    Ok(tree)
}

/// A basic event's probability and law from its expression.
fn event_probability(
    defs: &Defs,
    eval: &mut expr::Eval,
    def: Def,
    name: &str,
) -> Result<(f64, Law), MefError> {
    let Some(e) = expr::children(def.node).next() else {
        return Err(defs.error(
            def.file,
            def.node,
            format!(
                "basic event '{name}' has no probability: give it an expression \
                 (<float value=\"0.01\"/>, <exponential>...)"
            ),
        ));
    };
    let p = eval.value(def.file, e)?;
    if !(0.0..=1.0).contains(&p) {
        return Err(defs.error(
            def.file,
            e,
            format!("basic event '{name}' has probability {p}, outside [0, 1]"),
        ));
    }
    Ok((p, eval.law(def.file, e)))
}
