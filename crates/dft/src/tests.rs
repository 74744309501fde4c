//! Closed forms against the chain.
