//! The editor's UI format: graphs of nodes and links, subgraph definitions and legacy group nodes.
//!
//! Only what conversion, addressing and parameter listing need is typed; the original document is
//! kept alongside ([`Workflow::raw`]) so nothing is lost when it travels on (e.g. `extra_pnginfo`).

mod link;
mod node;
pub(crate) mod parse;

pub use link::{Link, SUBGRAPH_INPUT_ID, SUBGRAPH_OUTPUT_ID};
pub use node::{InputSlot, Mode, Node, OutputSlot, WidgetValues};

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::error::Result;

/// One graph: the root of a workflow, or the interior of a subgraph definition.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    /// Links by id, in document order.
    pub links: IndexMap<i64, Link>,
}

impl Graph {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
    pub fn link(&self, id: i64) -> Option<&Link> {
        self.links.get(&id)
    }
}

/// A subgraph definition (`definitions.subgraphs[]`): a reusable graph whose instances are nodes
/// whose `type` is the definition id.
#[derive(Debug, Clone)]
pub struct SubgraphDef {
    pub id: String,
    pub name: String,
    pub inputs: Vec<SubgraphIo>,
    pub outputs: Vec<SubgraphIo>,
    pub graph: Graph,
    /// `state.lastNodeId`, used when interior ids must be renumbered.
    pub last_node_id: Option<i64>,
}

/// An input or output of a subgraph definition.
#[derive(Debug, Clone)]
pub struct SubgraphIo {
    pub name: String,
    pub slot_type: Value,
    pub link_ids: Vec<i64>,
    pub label: Option<String>,
}

/// A UI-format workflow as saved by the editor (version 0.4 or 1).
#[derive(Debug, Clone)]
pub struct Workflow {
    pub graph: Graph,
    /// Subgraph definitions in document order, nested definitions hoisted after their parent.
    pub subgraphs: Vec<SubgraphDef>,
    /// Legacy group node definitions (`extra.groupNodes`), kept raw: they are rewritten into
    /// subgraphs before conversion.
    pub group_nodes: Map<String, Value>,
    /// The larger of `last_node_id` and `state.lastNodeId`.
    pub last_node_id: i64,
    pub last_link_id: i64,
    /// `extra.frontendVersion`, when the editor wrote it.
    pub frontend_version: Option<String>,
    /// The document as parsed.
    pub raw: Value,
}

impl Workflow {
    /// Parses UI-format JSON text.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::from_value(crate::json::parse(text)?)
    }

    /// Reads a UI-format workflow from an already parsed document.
    pub fn from_value(raw: Value) -> Result<Self> {
        parse::parse_workflow(raw)
    }

    pub fn subgraph(&self, id: &str) -> Option<&SubgraphDef> {
        self.subgraphs.iter().find(|s| s.id == id)
    }
}
