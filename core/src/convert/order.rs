//! `LGraph.computeExecutionOrder`: the order in which the editor visits root nodes.

use std::collections::VecDeque;

use super::live::LiveGraph;

/// Kahn's topological sort seeded in document order; nodes left in cycles come last.
pub(crate) fn execution_order(graph: &LiveGraph) -> Vec<usize> {
    let n = graph.nodes.len();
    let mut pending = vec![0usize; n];
    let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (idx, live) in graph.nodes.iter().enumerate() {
        for input in &live.node.inputs {
            let Some(link) = input.link.and_then(|l| graph.graph.link(l)) else {
                continue;
            };
            // Links to missing nodes are ignored.
            if let Some(origin) = graph.node(&link.origin_id) {
                pending[idx] += 1;
                consumers[origin].push(idx);
            }
        }
    }
    let mut queue: VecDeque<usize> = (0..n).filter(|&i| pending[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while let Some(idx) = queue.pop_front() {
        if done[idx] {
            continue;
        }
        done[idx] = true;
        order.push(idx);
        for &c in &consumers[idx] {
            pending[c] = pending[c].saturating_sub(1);
            if pending[c] == 0 {
                queue.push_back(c);
            }
        }
    }
    order.extend((0..n).filter(|&i| !done[i]));
    order
}
