//! The whole analysis of a fault tree, as `faultline analyze` prints it: exact probability,
//! minimal cut sets, approximations, importance.

use crate::bdd::{self, Mode, TooLarge};
use crate::cutsets;
use crate::importance::{self, Importance};
use crate::tree::FaultTree;
use serde::Serialize;

/// What to compute.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Largest cut set to list (None: all).
    pub max_order: Option<usize>,
    /// Largest decision diagram to build, in nodes.
    pub node_limit: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_order: None,
            node_limit: 20_000_000,
        }
    }
}

/// A minimal cut set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CutSet {
    /// Its basic events, by name.
    pub events: Vec<String>,
    /// The probability that they have all failed.
    pub probability: f64,
}

/// The analysis of one fault tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// The top event.
    pub top: String,
    /// Basic events in the model.
    pub basic_events: usize,
    /// Whether the tree is coherent (no negation).
    pub coherent: bool,
    /// The exact top-event probability (None if the diagram was too large).
    pub probability: Option<f64>,
    /// Why there is no exact probability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_exact: Option<String>,
    /// Decision nodes of the exact diagram.
    pub bdd_nodes: usize,
    /// The order limit of the cut sets listed (None: all of them).
    pub max_order: Option<usize>,
    /// The minimal cut sets (negative literals dropped), most probable first.
    pub cut_sets: Vec<CutSet>,
    /// How many cut sets of each order (index 0: order 1).
    pub orders: Vec<usize>,
    /// Sum of the cut sets' probabilities.
    pub rare_event: f64,
    /// The min-cut upper bound.
    pub mcub: f64,
    /// Importance of each basic event under the top, most important (Fussell–Vesely) first;
    /// empty without an exact probability.
    pub importance: Vec<Importance>,
}

/// The exact top-event probability alone (no cut sets, no importance): what a caller
/// that only compares a probability needs.
pub fn probability(tree: &FaultTree, node_limit: usize) -> Result<f64, TooLarge> {
    let p: Vec<f64> = tree.events.iter().map(|e| e.p).collect();
    Ok(bdd::build(tree, Mode::Exact, node_limit)?.probability(&p))
}

/// Analyses `tree`: exact probability and importance if the diagram fits in the node
/// limit; cut sets (to the order asked) in any case, or the error if even they do not fit.
pub fn analyze(tree: &FaultTree, s: &Settings) -> Result<Analysis, TooLarge> {
    let p: Vec<f64> = tree.events.iter().map(|e| e.p).collect();
    let coherent = tree.coherent();
    let exact = bdd::build(tree, Mode::Exact, s.node_limit);
    let (probability, no_exact, bdd_nodes, importance) = match &exact {
        Ok(d) => {
            let (top, b) = d.birnbaum(&p, tree.events.len());
            let mut imp: Vec<Importance> = d
                .events
                .iter()
                .map(|e| {
                    importance::measures(
                        &tree.events[*e as usize].name,
                        p[*e as usize],
                        b[*e as usize],
                        top,
                    )
                })
                .collect();
            imp.sort_by(|a, b| {
                b.fussell_vesely
                    .total_cmp(&a.fussell_vesely)
                    .then_with(|| a.event.cmp(&b.event))
            });
            (Some(top), None, d.size(), imp)
        }
        Err(e) => (None, Some(e.to_string()), 0, vec![]),
    };
    let mono = if coherent {
        exact?
    } else {
        bdd::build(tree, Mode::Monotone, s.node_limit)?
    };
    let sets = cutsets::minimal(&mono, s.max_order.unwrap_or(usize::MAX));
    let mut orders = vec![0; sets.iter().map(Vec::len).max().unwrap_or(0)];
    for set in &sets {
        if !set.is_empty() {
            orders[set.len() - 1] += 1;
        }
    }
    let rare_event = cutsets::rare_event(&sets, &p);
    let mcub = cutsets::mcub(&sets, &p);
    let mut cut_sets: Vec<CutSet> = sets
        .iter()
        .map(|set| CutSet {
            events: set
                .iter()
                .map(|e| tree.events[*e as usize].name.clone())
                .collect(),
            probability: cutsets::probability(set, &p),
        })
        .collect();
    cut_sets.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then_with(|| a.events.cmp(&b.events))
    });
    Ok(Analysis {
        top: tree.top_name(),
        basic_events: tree.events.len(),
        coherent,
        probability,
        no_exact,
        bdd_nodes,
        max_order: s.max_order,
        cut_sets,
        orders,
        rare_event,
        mcub,
        importance,
    })
}
