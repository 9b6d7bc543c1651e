//! Reading the UI format from parsed JSON, leniently where the editor is lenient.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::{
    Graph, InputSlot, Link, Mode, Node, OutputSlot, SubgraphDef, SubgraphIo, WidgetValues, Workflow,
};
use crate::error::{Document, Result};
use crate::json::{JsonPath, Reader, as_int, member};

const R: Reader = Reader {
    doc: Document::Workflow,
};

pub(super) fn parse_workflow(raw: Value) -> Result<Workflow> {
    let root = JsonPath::Root;
    let top = R.object(&raw, &root)?;
    let graph = parse_graph(top, &root)?;

    let mut subgraphs = Vec::new();
    if let Some(defs) = member(top, "definitions") {
        collect_definitions(defs, &root.key("definitions"), &mut subgraphs)?;
    }

    let extra = member(top, "extra").and_then(Value::as_object);
    let group_nodes = extra
        .and_then(|e| member(e, "groupNodes"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let frontend_version = extra
        .and_then(|e| member(e, "frontendVersion"))
        .and_then(Value::as_str)
        .map(str::to_string);

    let state = member(top, "state").and_then(Value::as_object);
    let counter = |legacy: &str, modern: &str| {
        let a = member(top, legacy).and_then(as_int);
        let b = state.and_then(|s| member(s, modern)).and_then(as_int);
        a.max(b).unwrap_or(0)
    };
    let last_node_id = counter("last_node_id", "lastNodeId");
    let last_link_id = counter("last_link_id", "lastLinkId");

    Ok(Workflow {
        graph,
        subgraphs,
        group_nodes,
        last_node_id,
        last_link_id,
        frontend_version,
        raw,
    })
}

fn collect_definitions(defs: &Value, path: &JsonPath, out: &mut Vec<SubgraphDef>) -> Result<()> {
    let defs = R.object(defs, path)?;
    let Some(list) = member(defs, "subgraphs") else {
        return Ok(());
    };
    let list_path = path.key("subgraphs");
    for (i, def) in R.array(list, &list_path)?.iter().enumerate() {
        let def_path = list_path.index(i);
        let obj = R.object(def, &def_path)?;
        out.push(parse_subgraph(obj, &def_path)?);
        // Definitions nested inside a definition are hoisted, as the editor does on load.
        if let Some(nested) = member(obj, "definitions") {
            collect_definitions(nested, &def_path.key("definitions"), out)?;
        }
    }
    Ok(())
}

fn parse_subgraph(obj: &Map<String, Value>, path: &JsonPath) -> Result<SubgraphDef> {
    let id = match obj.get("id") {
        Some(v) => R.node_id(v, &path.key("id"))?,
        None => return Err(Document::Workflow.error(path, "subgraph definition without an id")),
    };
    let name = member(obj, "name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let io = |key: &str| -> Result<Vec<SubgraphIo>> {
        let Some(list) = member(obj, key) else {
            return Ok(Vec::new());
        };
        let list_path = path.key(key);
        let items = R.array(list, &list_path)?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let item_path = list_path.index(i);
                let o = R.object(item, &item_path)?;
                Ok(SubgraphIo {
                    name: member(o, "name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    slot_type: o.get("type").cloned().unwrap_or(Value::Null),
                    link_ids: int_list(member(o, "linkIds"), &item_path.key("linkIds"))?,
                    label: member(o, "label")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                })
            })
            .collect()
    };
    let last_node_id = member(obj, "state")
        .and_then(Value::as_object)
        .and_then(|s| member(s, "lastNodeId"))
        .and_then(as_int);
    Ok(SubgraphDef {
        id,
        name,
        inputs: io("inputs")?,
        outputs: io("outputs")?,
        graph: parse_graph(obj, path)?,
        last_node_id,
    })
}

fn parse_graph(obj: &Map<String, Value>, path: &JsonPath) -> Result<Graph> {
    let nodes_path = path.key("nodes");
    let nodes = match member(obj, "nodes") {
        Some(list) => R
            .array(list, &nodes_path)?
            .iter()
            .enumerate()
            .map(|(i, n)| parse_node(n, &nodes_path.index(i)))
            .collect::<Result<Vec<_>>>()?,
        None => Vec::new(),
    };
    let links_path = path.key("links");
    let mut links = IndexMap::new();
    if let Some(list) = member(obj, "links") {
        for (i, l) in R.array(list, &links_path)?.iter().enumerate() {
            let link = parse_link(l, &links_path.index(i))?;
            // The editor keeps the first of several links with one id.
            links.entry(link.id).or_insert(link);
        }
    }
    Ok(Graph { nodes, links })
}

fn parse_link(v: &Value, path: &JsonPath) -> Result<Link> {
    match v {
        Value::Array(a) => {
            if a.len() < 5 {
                return Err(Document::Workflow.error(
                    path,
                    format!("link array has {} elements, expected 6", a.len()),
                ));
            }
            Ok(Link {
                id: R.int(&a[0], &path.index(0))?,
                origin_id: R.node_id(&a[1], &path.index(1))?,
                origin_slot: R.int(&a[2], &path.index(2))?,
                target_id: R.node_id(&a[3], &path.index(3))?,
                target_slot: R.int(&a[4], &path.index(4))?,
                link_type: a.get(5).cloned().unwrap_or(Value::Null),
            })
        }
        Value::Object(o) => {
            let field = |k: &str| {
                o.get(k)
                    .ok_or_else(|| Document::Workflow.error(path, format!("link without `{k}`")))
            };
            Ok(Link {
                id: R.int(field("id")?, &path.key("id"))?,
                origin_id: R.node_id(field("origin_id")?, &path.key("origin_id"))?,
                origin_slot: R.int(field("origin_slot")?, &path.key("origin_slot"))?,
                target_id: R.node_id(field("target_id")?, &path.key("target_id"))?,
                target_slot: R.int(field("target_slot")?, &path.key("target_slot"))?,
                link_type: o.get("type").cloned().unwrap_or(Value::Null),
            })
        }
        other => Err(Document::Workflow.error(
            path,
            format!(
                "expected a link array or object, found {}",
                crate::json::kind(other)
            ),
        )),
    }
}

pub(crate) fn parse_node(v: &Value, path: &JsonPath) -> Result<Node> {
    let obj = R.object(v, path)?;
    let id = match obj.get("id") {
        Some(id) => R.node_id(id, &path.key("id"))?,
        None => return Err(Document::Workflow.error(path, "node without an id")),
    };
    let node_type = member(obj, "type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mode = Mode::from_i64(member(obj, "mode").and_then(as_int).unwrap_or(0));
    let title = member(obj, "title")
        .and_then(Value::as_str)
        .map(str::to_string);

    let inputs_path = path.key("inputs");
    let inputs = match member(obj, "inputs") {
        Some(list) => R
            .array(list, &inputs_path)?
            .iter()
            .enumerate()
            .map(|(i, s)| parse_input(s, &inputs_path.index(i)))
            .collect::<Result<Vec<_>>>()?,
        None => Vec::new(),
    };
    let outputs_path = path.key("outputs");
    let outputs = match member(obj, "outputs") {
        Some(list) => R
            .array(list, &outputs_path)?
            .iter()
            .enumerate()
            .map(|(i, s)| parse_output(s, &outputs_path.index(i)))
            .collect::<Result<Vec<_>>>()?,
        None => Vec::new(),
    };
    let properties = member(obj, "properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let widgets_values = match member(obj, "widgets_values") {
        Some(Value::Array(a)) => Some(WidgetValues::Positional(a.clone())),
        Some(Value::Object(o)) => Some(WidgetValues::Named(o.clone())),
        Some(other) => {
            return Err(Document::Workflow.error(
                path.key("widgets_values"),
                format!(
                    "expected an array or object, found {}",
                    crate::json::kind(other)
                ),
            ));
        }
        None => None,
    };
    let widgets_values_named = member(obj, "widgets_values_named")
        .and_then(Value::as_object)
        .cloned();
    Ok(Node {
        id,
        node_type,
        mode,
        title,
        inputs,
        outputs,
        properties,
        widgets_values,
        widgets_values_named,
    })
}

fn widget_name(slot: &Map<String, Value>) -> Option<String> {
    member(slot, "widget")?
        .as_object()?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

fn parse_input(v: &Value, path: &JsonPath) -> Result<InputSlot> {
    let o = R.object(v, path)?;
    let link = match member(o, "link") {
        Some(l) => Some(R.int(l, &path.key("link"))?),
        None => None,
    };
    Ok(InputSlot {
        name: member(o, "name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        slot_type: o.get("type").cloned().unwrap_or(Value::Null),
        link,
        widget: widget_name(o),
        label: member(o, "label")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

fn parse_output(v: &Value, path: &JsonPath) -> Result<OutputSlot> {
    let o = R.object(v, path)?;
    Ok(OutputSlot {
        name: member(o, "name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        slot_type: o.get("type").cloned().unwrap_or(Value::Null),
        links: int_list(member(o, "links"), &path.key("links"))?,
        widget: widget_name(o),
    })
}

fn int_list(v: Option<&Value>, path: &JsonPath) -> Result<Vec<i64>> {
    let Some(v) = v else { return Ok(Vec::new()) };
    R.array(v, path)?
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.is_null())
        .map(|(i, x)| R.int(x, &path.index(i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_link_layouts() {
        let wf = Workflow::from_json(
            r#"{"nodes": [{"id": 1, "type": "A"}, {"id": "2", "type": "B", "mode": 4,
                 "inputs": [{"name": "x", "type": "INT", "link": "7", "widget": {"name": "x"}}]}],
                "links": [[7, 1, 0, "2", 0, "INT"]],
                "definitions": {"subgraphs": [{"id": "s", "nodes": [], "inputs": [{"name": "in", "type": "IMAGE", "linkIds": [3]}],
                   "links": [{"id": 3, "origin_id": -10, "origin_slot": 0, "target_id": 5, "target_slot": "1", "type": "IMAGE"}]}]}}"#,
        )
        .unwrap();
        let link = wf.graph.link(7).unwrap();
        assert_eq!(
            (link.origin_id.as_str(), link.target_id.as_str()),
            ("1", "2")
        );
        let b = wf.graph.node("2").unwrap();
        assert_eq!(b.mode, Mode::Bypass);
        assert_eq!(b.inputs[0].widget.as_deref(), Some("x"));
        let s = wf.subgraph("s").unwrap();
        assert_eq!(
            s.graph.link(3).unwrap().origin_id,
            super::super::SUBGRAPH_INPUT_ID
        );
        assert_eq!(s.graph.link(3).unwrap().target_slot, 1);
        assert_eq!(s.inputs[0].link_ids, vec![3]);
    }

    #[test]
    fn shape_errors_name_the_path() {
        let err = Workflow::from_json(
            r#"{"nodes": [{"id": 1}, {"id": 2, "inputs": [{"name": "a", "link": {}}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), "INVALID_WORKFLOW");
        assert!(
            err.to_string().contains("$.nodes[1].inputs[0].link"),
            "{err}"
        );
        let err = Workflow::from_json(r#"{"nodes": [{"type": "A"}]}"#).unwrap_err();
        assert!(err.to_string().contains("$.nodes[0]"), "{err}");
    }

    #[test]
    fn widget_values_keep_holes_and_big_ints() {
        let wf = Workflow::from_json(
            r#"{"nodes": [{"id": 1, "widgets_values": [18446744073709551615, null, "x"]}]}"#,
        )
        .unwrap();
        let vals = wf.graph.nodes[0].positional_values().unwrap();
        assert_eq!(vals[0].to_string(), "18446744073709551615");
        assert!(vals[1].is_null());
    }
}
