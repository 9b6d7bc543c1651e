use serde_json::Value;

/// `origin_id` of a link that starts at a subgraph's input node.
pub const SUBGRAPH_INPUT_ID: &str = "-10";
/// `target_id` of a link that ends at a subgraph's output node.
pub const SUBGRAPH_OUTPUT_ID: &str = "-20";

/// A connection from an output slot to an input slot. Both 0.4 arrays
/// (`[id, origin_id, origin_slot, target_id, target_slot, type]`) and version-1 objects read into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub id: i64,
    pub origin_id: String,
    pub origin_slot: i64,
    pub target_id: String,
    /// Index into the target's *saved* inputs, which the editor compresses; inputs are matched by
    /// the link id they carry instead.
    pub target_slot: i64,
    /// Informational: `"*"`, a comma list, a number or an array in the wild.
    pub link_type: Value,
}
