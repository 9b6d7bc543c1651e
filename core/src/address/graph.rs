//! Read-only views of an API prompt as a graph: links upstream, execution order.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::Value;

use crate::catalog::{Catalog, NodeDef};
use crate::prompt::{Prompt, PromptNode, as_link};

pub(crate) struct PromptGraph<'p, 'c> {
    pub prompt: &'p Prompt,
    pub catalog: &'c Catalog,
    /// Node ids in execution order (producers before consumers, ties in id order).
    pub order: Vec<&'p str>,
}

impl<'p, 'c> PromptGraph<'p, 'c> {
    pub(crate) fn new(prompt: &'p Prompt, catalog: &'c Catalog) -> Self {
        // Seeded in the order a JS engine lists the ids, so indices like `KSampler[1]` mean the
        // same whether the prompt came from a file or from a conversion.
        let ids: Vec<&str> = crate::json::js_key_order(prompt.nodes.keys().map(String::as_str));
        let mut pending: HashMap<&str, usize> = ids.iter().map(|id| (*id, 0)).collect();
        let mut consumers: HashMap<&str, Vec<&str>> = HashMap::new();
        for id in &ids {
            let node = &prompt.nodes[*id];
            for v in node.inputs.values() {
                if let Some((origin, _)) = as_link(v) {
                    if let Some(origin) =
                        prompt.nodes.get_key_value(origin).map(|(k, _)| k.as_str())
                    {
                        *pending.get_mut(id).expect("every id is counted") += 1;
                        consumers.entry(origin).or_default().push(id);
                    }
                }
            }
        }
        let mut queue: VecDeque<&str> = ids.iter().copied().filter(|id| pending[id] == 0).collect();
        let mut order = Vec::with_capacity(ids.len());
        let mut seen = HashSet::new();
        while let Some(id) = queue.pop_front() {
            if !seen.insert(id) {
                continue;
            }
            order.push(id);
            for c in consumers.get(id).into_iter().flatten() {
                let n = pending.get_mut(c).expect("every id is counted");
                *n = n.saturating_sub(1);
                if *n == 0 {
                    queue.push_back(c);
                }
            }
        }
        order.extend(ids.iter().filter(|id| !seen.contains(*id)));
        PromptGraph {
            prompt,
            catalog,
            order,
        }
    }

    pub(crate) fn node(&self, id: &str) -> Option<&'p PromptNode> {
        self.prompt.nodes.get(id)
    }

    pub(crate) fn def(&self, id: &str) -> Option<&'c NodeDef> {
        self.catalog.get(self.node(id)?.class_type.as_deref()?)
    }

    /// The node and output slot feeding `input` of `id`, when it is a link to an existing node.
    pub(crate) fn upstream(&self, id: &str, input: &str) -> Option<(&'p str, i64)> {
        let (origin, slot) = as_link(self.node(id)?.inputs.get(input)?)?;
        let key = self.prompt.nodes.get_key_value(origin)?.0.as_str();
        Some((key, slot))
    }

    /// The declared type of `input` of node `id` (`CONDITIONING`, `INT`, `COMBO`…).
    pub(crate) fn input_type(&self, id: &str, input: &str) -> Option<&'c str> {
        Some(self.def(id)?.input(input)?.spec.type_name())
    }

    /// A literal (non-link) value of `input` on `id`.
    pub(crate) fn literal(&self, id: &str, input: &str) -> Option<&'p Value> {
        let v = self.node(id)?.inputs.get(input)?;
        as_link(v).is_none().then_some(v)
    }

    /// Breadth-first walk upstream from `start` through the given inputs (all inputs when `None`),
    /// yielding node ids nearest first, `start` included.
    pub(crate) fn upstream_bfs(&self, start: &'p str, through: Option<&[&str]>) -> Vec<&'p str> {
        let mut out = vec![start];
        let mut seen: HashSet<&str> = HashSet::from([start]);
        let mut queue = VecDeque::from([start]);
        let mut first = true;
        while let Some(id) = queue.pop_front() {
            let Some(node) = self.node(id) else { continue };
            for (name, _) in &node.inputs {
                if first && through.is_some_and(|names| !names.contains(&name.as_str())) {
                    continue;
                }
                if let Some((origin, _)) = self.upstream(id, name) {
                    if seen.insert(origin) {
                        out.push(origin);
                        queue.push_back(origin);
                    }
                }
            }
            first = false;
        }
        out
    }
}
