//! Addressing nodes of an API prompt by id, title, class or role — so a caller can say
//! "prompt = a red fox, seed = 42" without knowing that the positive prompt is node `6` today
//! and `12:5` after the next edit. See [`selector`] for the syntax.

mod graph;
pub mod roles;
pub mod selector;

pub use roles::{Role, Target};
pub use selector::{Pick, Selector};

use crate::catalog::Catalog;
use crate::prompt::Prompt;

/// Every role's candidates in `prompt`, in execution order.
pub fn find_roles(prompt: &Prompt, catalog: &Catalog) -> Vec<(Role, Vec<Target>)> {
    let graph = graph::PromptGraph::new(prompt, catalog);
    Role::ALL
        .into_iter()
        .map(|r| (r, roles::find(&graph, r)))
        .collect()
}

/// Resolves a selector string in one call.
pub fn select(prompt: &Prompt, catalog: &Catalog, selector: &str) -> crate::Result<Vec<Target>> {
    Selector::parse(selector)?.resolve(prompt, catalog)
}
