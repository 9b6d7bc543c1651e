//! The traceback entries (`traceback.format_tb`) the server sends with exceptions raised while
//! validating. They name the server's own files and lines (ComfyUI 0.3.64 installed at
//! `/opt/ComfyUI`, Python 3.11 caret markers), so they are fixed text: each constant is one entry,
//! recorded from the real server code for the one statement that can raise there.

/// `validate_inputs` catching an exception from the node a link points to (execution.py:808).
pub(super) const CATCH_INNER: &str = "  File \"/opt/ComfyUI/execution.py\", line 808, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
/// `validate_prompt` catching an exception from an output node (execution.py:1010).
pub(super) const CATCH_OUTER: &str = "  File \"/opt/ComfyUI/execution.py\", line 1010, in validate_prompt\n    m = await validate_inputs(prompt_id, prompt, o, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";

/// The node has no `inputs` key.
pub(super) const NODE_INPUTS: &str = "  File \"/opt/ComfyUI/execution.py\", line 730, in validate_inputs\n    inputs = prompt[unique_id]['inputs']\n             ~~~~~~~~~~~~~~~~~^^^^^^^^^^\n";
/// `inputs` is not a container (`x not in inputs`).
pub(super) const INPUT_PRESENT: &str = "  File \"/opt/ComfyUI/execution.py\", line 757, in validate_inputs\n    if x not in inputs:\n       ^^^^^^^^^^^^^^^\n";
/// `inputs` is a list or a string (`inputs[x]`).
pub(super) const INPUT_VALUE: &str = "  File \"/opt/ComfyUI/execution.py\", line 770, in validate_inputs\n    val = inputs[x]\n          ~~~~~~^^^\n";
/// The link names no node (`prompt[o_id]`).
pub(super) const LINK_NODE: &str = "  File \"/opt/ComfyUI/execution.py\", line 788, in validate_inputs\n    o_class_type = prompt[o_id]['class_type']\n                   ~~~~~~^^^^^^\n";
/// The link names no output of that node (`RETURN_TYPES[slot]`).
pub(super) const LINK_SLOT: &str = "  File \"/opt/ComfyUI/execution.py\", line 790, in validate_inputs\n    received_type = r[val[1]]\n                    ~^^^^^^^^\n";
/// The value cannot be ordered against the input's `min`.
pub(super) const MIN_COMPARE: &str = "  File \"/opt/ComfyUI/execution.py\", line 869, in validate_inputs\n    if \"min\" in extra_info and val < extra_info[\"min\"]:\n                               ^^^^^^^^^^^^^^^^^^^^^^^\n";
/// The value cannot be ordered against the input's `max`.
pub(super) const MAX_COMPARE: &str = "  File \"/opt/ComfyUI/execution.py\", line 882, in validate_inputs\n    if \"max\" in extra_info and val > extra_info[\"max\"]:\n                               ^^^^^^^^^^^^^^^^^^^^^^^\n";

/// Gathering the arguments of a node's own validation function.
pub(super) const GET_INPUT_DATA_CALL: &str = "  File \"/opt/ComfyUI/execution.py\", line 924, in validate_inputs\n    input_data_all, _, hidden_inputs = get_input_data(inputs, obj_class, unique_id)\n                                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const GET_INPUT_DATA_ITEM: &str = "  File \"/opt/ComfyUI/execution.py\", line 148, in get_input_data\n    input_data = inputs[x]\n                 ~~~~~~^^^\n";
/// Calling a node's own validation function.
pub(super) const MAP_CALL: &str = "  File \"/opt/ComfyUI/execution.py\", line 932, in validate_inputs\n    ret = await _async_map_node_over_list(prompt_id, unique_id, obj_class, input_filtered, validate_function_name, hidden_inputs=hidden_inputs)\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const MAP_NO_INPUTS: &str = "  File \"/opt/ComfyUI/execution.py\", line 285, in _async_map_node_over_list\n    await process_inputs({})\n";
pub(super) const MAP_SLICE: &str = "  File \"/opt/ComfyUI/execution.py\", line 289, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n";
pub(super) const PROCESS_CALL: &str = "  File \"/opt/ComfyUI/execution.py\", line 277, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n";
/// V3 nodes run their validation through a locked class clone.
pub(super) const V3_WRAPPED: &str = "  File \"/opt/ComfyUI/comfy_api/internal/__init__.py\", line 149, in wrapped_func\n    return method(locked_class, **inputs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";

/// `folder_paths.exists_annotated_filepath(name)` on a non-string.
pub(super) const EXISTS_ANNOTATED: &str = "  File \"/opt/ComfyUI/folder_paths.py\", line 205, in exists_annotated_filepath\n    name, base_dir = annotated_filepath(name)\n                     ^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const ANNOTATED: &str = "  File \"/opt/ComfyUI/folder_paths.py\", line 177, in annotated_filepath\n    if name.endswith(\"[output]\"):\n       ^^^^^^^^^^^^^\n";

pub(super) const LOAD_IMAGE_CHECK: &str = "  File \"/opt/ComfyUI/nodes.py\", line 1701, in VALIDATE_INPUTS\n    if not folder_paths.exists_annotated_filepath(image):\n       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const LOAD_IMAGE_MASK_CHECK: &str = "  File \"/opt/ComfyUI/nodes.py\", line 1750, in VALIDATE_INPUTS\n    if not folder_paths.exists_annotated_filepath(image):\n       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const LOAD_LATENT_CHECK: &str = "  File \"/opt/ComfyUI/nodes.py\", line 538, in VALIDATE_INPUTS\n    if not folder_paths.exists_annotated_filepath(latent):\n       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const LOAD_AUDIO_CHECK: &str = "  File \"/opt/ComfyUI/comfy_extras/nodes_audio.py\", line 347, in VALIDATE_INPUTS\n    if not folder_paths.exists_annotated_filepath(audio):\n       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const LOAD_VIDEO_CHECK: &str = "  File \"/opt/ComfyUI/comfy_extras/nodes_video.py\", line 200, in validate_inputs\n    if not folder_paths.exists_annotated_filepath(file):\n       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const KLING_CHECK: &str = "  File \"/opt/ComfyUI/comfy_api_nodes/nodes_kling.py\", line 720, in validate_inputs\n    if not is_valid_camera_control_configs(\n       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const KLING_ANY: &str = "  File \"/opt/ComfyUI/comfy_api_nodes/nodes_kling.py\", line 247, in is_valid_camera_control_configs\n    return any(not math.isclose(value, 0.0) for value in configs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const KLING_GENEXPR: &str = "  File \"/opt/ComfyUI/comfy_api_nodes/nodes_kling.py\", line 247, in <genexpr>\n    return any(not math.isclose(value, 0.0) for value in configs)\n                   ^^^^^^^^^^^^^^^^^^^^^^^^\n";
pub(super) const TRIPO_CHECK: &str = "  File \"/opt/ComfyUI/comfy_api_nodes/nodes_tripo.py\", line 527, in VALIDATE_INPUTS\n    if input_types[\"original_model_task_id\"] not in (\"MODEL_TASK_ID\", \"RIG_TASK_ID\", \"RETARGET_TASK_ID\"):\n    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
