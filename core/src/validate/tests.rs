//! Cases whose expected answers were produced by running the server's own validation code
//! (ComfyUI 0.3.64 execution.py and server.py, Python 3.11, PYTHONHASHSEED=0) on stand-in
//! node classes built from the embedded catalog, with `example.png` as the only input file.

use super::*;
use crate::json::json_eq;
use serde_json::{Map, Value, json};

/// (name, request body, expected `{"status", "body"}`; `body` is null for a 500).
#[rustfmt::skip]
const CASES: &[(&str, &str, &str)] = &[
    ("int_accepts_numeric_string", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": "7", "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("int_truncates_float", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 12.7, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("int_rejects_exponent_string", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": "1e3", "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "invalid_input_type", "message": "Failed to convert an input value to a INT value", "details": "width, 1e3, invalid literal for int() with base 10: '1e3'", "extra_info": {"input_name": "width", "input_config": ["INT", {"default": 512, "min": 1, "max": 16384, "step": 1}], "received_value": "1e3", "exception_message": "invalid literal for int() with base 10: '1e3'"}}], "dependent_outputs": ["3"], "class_type": "EmptyImage"}}}}"###),
    ("int_accepts_unicode_digits_and_underscores", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": "١_٢", "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("int_error_reprs_quotes", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": "a'b", "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "invalid_input_type", "message": "Failed to convert an input value to a INT value", "details": "width, a'b, invalid literal for int() with base 10: \"a'b\"", "extra_info": {"input_name": "width", "input_config": ["INT", {"default": 512, "min": 1, "max": 16384, "step": 1}], "received_value": "a'b", "exception_message": "invalid literal for int() with base 10: \"a'b\""}}], "dependent_outputs": ["3"], "class_type": "EmptyImage"}}}}"###),
    ("int_from_huge_float", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 1e+16, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "value_bigger_than_max", "message": "Value 10000000000000000 bigger than max of 16384", "details": "width", "extra_info": {"input_name": "width", "input_config": ["INT", {"default": 512, "min": 1, "max": 16384, "step": 1}], "received_value": 10000000000000000}}], "dependent_outputs": ["3"], "class_type": "EmptyImage"}}}}"###),
    ("int_unwraps_value_wrapper", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": {"__value__": 64}, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("int_rejects_wrapped_list", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": {"__value__": [1]}, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "invalid_input_type", "message": "Failed to convert an input value to a INT value", "details": "width, [1], int() argument must be a string, a bytes-like object or a real number, not 'list'", "extra_info": {"input_name": "width", "input_config": ["INT", {"default": 512, "min": 1, "max": 16384, "step": 1}], "received_value": [1], "exception_message": "int() argument must be a string, a bytes-like object or a real number, not 'list'"}}], "dependent_outputs": ["3"], "class_type": "EmptyImage"}}}}"###),
    ("int_rejects_bool_free_dict", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": {"a": 1}, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "invalid_input_type", "message": "Failed to convert an input value to a INT value", "details": "width, {'a': 1}, int() argument must be a string, a bytes-like object or a real number, not 'dict'", "extra_info": {"input_name": "width", "input_config": ["INT", {"default": 512, "min": 1, "max": 16384, "step": 1}], "received_value": {"a": 1}, "exception_message": "int() argument must be a string, a bytes-like object or a real number, not 'dict'"}}], "dependent_outputs": ["3"], "class_type": "EmptyImage"}}}}"###),
    ("bool_is_an_int", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": true, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("float_tiny_below_min", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageAddNoise", "inputs": {"image": ["1", 0], "seed": 0, "strength": -1e-07}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"2": {"errors": [{"type": "value_smaller_than_min", "message": "Value -1e-07 smaller than min of 0.0", "details": "strength", "extra_info": {"input_name": "strength", "input_config": ["FLOAT", {"default": 0.5, "min": 0.0, "max": 1.0, "step": 0.01}], "received_value": -1e-07}}], "dependent_outputs": ["3"], "class_type": "ImageAddNoise"}}}}"###),
    ("float_from_string", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageAddNoise", "inputs": {"image": ["1", 0], "seed": 0, "strength": " 0.25 "}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("float_rejects_text", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageAddNoise", "inputs": {"image": ["1", 0], "seed": 0, "strength": "half"}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"2": {"errors": [{"type": "invalid_input_type", "message": "Failed to convert an input value to a FLOAT value", "details": "strength, half, could not convert string to float: 'half'", "extra_info": {"input_name": "strength", "input_config": ["FLOAT", {"default": 0.5, "min": 0.0, "max": 1.0, "step": 0.01}], "received_value": "half", "exception_message": "could not convert string to float: 'half'"}}], "dependent_outputs": ["3"], "class_type": "ImageAddNoise"}}}}"###),
    ("seed_as_string_exact", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageAddNoise", "inputs": {"image": ["1", 0], "seed": "18446744073709551615", "strength": 0.5}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("seed_big_float_above_max", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageAddNoise", "inputs": {"image": ["1", 0], "seed": 1e+20, "strength": 0.5}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"2": {"errors": [{"type": "value_bigger_than_max", "message": "Value 100000000000000000000 bigger than max of 18446744073709551615", "details": "seed", "extra_info": {"input_name": "seed", "input_config": ["INT", {"default": 0, "min": 0, "max": 18446744073709551615, "control_after_generate": true, "tooltip": "The random seed used for creating the noise."}], "received_value": 100000000000000000000}}], "dependent_outputs": ["3"], "class_type": "ImageAddNoise"}}}}"###),
    ("combo_quote_in_value", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageScale", "inputs": {"image": ["1", 0], "upscale_method": "it's", "width": 8, "height": 8, "crop": 1}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"2": {"errors": [{"type": "value_not_in_list", "message": "Value not in list", "details": "upscale_method: 'it's' not in ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']", "extra_info": {"input_name": "upscale_method", "input_config": [["nearest-exact", "bilinear", "area", "bicubic", "lanczos"], {}], "received_value": "it's"}}, {"type": "value_not_in_list", "message": "Value not in list", "details": "crop: '1' not in ['disabled', 'center']", "extra_info": {"input_name": "crop", "input_config": [["disabled", "center"], {}], "received_value": 1}}], "dependent_outputs": ["3"], "class_type": "ImageScale"}}}}"###),
    ("combo_over_twenty_choices", r###"{"prompt": {"1": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "nope"}}, "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "value_not_in_list", "message": "Value not in list", "details": "sampler_name: 'nope' not in (list of length 42)", "extra_info": {"input_name": "sampler_name", "input_config": null, "received_value": "nope"}}], "dependent_outputs": ["2"], "class_type": "KSamplerSelect"}}}}"###),
    ("any_type_accepts_every_link", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("negative_slot_counts_from_the_end", r###"{"prompt": {"1": {"class_type": "LoadImage", "inputs": {"image": "example.png"}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", -1]}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"2": {"errors": [{"type": "return_type_mismatch", "message": "Return type mismatch between linked nodes", "details": "image, received_type(MASK) mismatch input_type(IMAGE)", "extra_info": {"input_name": "image", "input_config": ["IMAGE", {}], "received_type": "MASK", "linked_node": ["1", -1]}}], "dependent_outputs": ["3"], "class_type": "ImageInvert"}}}}"###),
    ("bool_slot_is_an_index", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", true]}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"2": {"errors": [{"type": "exception_during_inner_validation", "message": "Exception when validating inner node", "details": "tuple index out of range", "extra_info": {"input_name": "images", "input_config": ["IMAGE", {}], "exception_message": "tuple index out of range", "exception_type": "IndexError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 808, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 790, in validate_inputs\n    received_type = r[val[1]]\n                    ~^^^^^^^^\n"], "linked_node": ["2", 0]}}], "dependent_outputs": ["3"], "class_type": "ImageInvert"}}}}"###),
    ("link_to_float_id", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": [1.5, 0]}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"2": {"errors": [{"type": "exception_during_inner_validation", "message": "Exception when validating inner node", "details": "1.5", "extra_info": {"input_name": "images", "input_config": ["IMAGE", {}], "exception_message": "1.5", "exception_type": "KeyError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 808, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 788, in validate_inputs\n    o_class_type = prompt[o_id]['class_type']\n                   ~~~~~~^^^^^^\n"], "linked_node": ["2", 0]}}], "dependent_outputs": ["3"], "class_type": "ImageInvert"}}}}"###),
    ("link_slot_too_big_for_an_index", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 100000000000000000000]}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"2": {"errors": [{"type": "exception_during_inner_validation", "message": "Exception when validating inner node", "details": "cannot fit 'int' into an index-sized integer", "extra_info": {"input_name": "images", "input_config": ["IMAGE", {}], "exception_message": "cannot fit 'int' into an index-sized integer", "exception_type": "IndexError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 808, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 790, in validate_inputs\n    received_type = r[val[1]]\n                    ~^^^^^^^^\n"], "linked_node": ["2", 0]}}], "dependent_outputs": ["3"], "class_type": "ImageInvert"}}}}"###),
    ("v3_node_link_slot_out_of_range_is_a_list", r###"{"prompt": {"1": {"class_type": "PrimitiveInt", "inputs": {"value": 1}}, "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 3]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "Exception when validating node: list index out of range", "extra_info": {}}, "node_errors": {"2": {"errors": [{"type": "exception_during_validation", "message": "Exception when validating node", "details": "list index out of range", "extra_info": {"exception_type": "IndexError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 1010, in validate_prompt\n    m = await validate_inputs(prompt_id, prompt, o, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 790, in validate_inputs\n    received_type = r[val[1]]\n                    ~^^^^^^^^\n"]}}], "dependent_outputs": ["2"], "class_type": "PreviewAny"}}}}"###),
    ("output_without_inputs_key", r###"{"prompt": {"1": {"class_type": "SaveImage"}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "Exception when validating node: 'inputs'", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "exception_during_validation", "message": "Exception when validating node", "details": "'inputs'", "extra_info": {"exception_type": "KeyError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 1010, in validate_prompt\n    m = await validate_inputs(prompt_id, prompt, o, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 730, in validate_inputs\n    inputs = prompt[unique_id]['inputs']\n             ~~~~~~~~~~~~~~~~~^^^^^^^^^^\n"]}}], "dependent_outputs": ["1"], "class_type": "SaveImage"}}}}"###),
    ("inputs_not_a_container", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": 5}, "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "exception_during_inner_validation", "message": "Exception when validating inner node", "details": "argument of type 'int' is not iterable", "extra_info": {"input_name": "images", "input_config": ["IMAGE", {"tooltip": "The images to save."}], "exception_message": "argument of type 'int' is not iterable", "exception_type": "TypeError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 808, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 757, in validate_inputs\n    if x not in inputs:\n       ^^^^^^^^^^^^^^^\n"], "linked_node": ["1", 0]}}], "dependent_outputs": ["2"], "class_type": "EmptyImage"}}}}"###),
    ("inputs_a_string", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": "width"}, "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "exception_during_inner_validation", "message": "Exception when validating inner node", "details": "string indices must be integers, not 'str'", "extra_info": {"input_name": "images", "input_config": ["IMAGE", {"tooltip": "The images to save."}], "exception_message": "string indices must be integers, not 'str'", "exception_type": "TypeError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 808, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 770, in validate_inputs\n    val = inputs[x]\n          ~~~~~~^^^\n"], "linked_node": ["1", 0]}}], "dependent_outputs": ["2"], "class_type": "EmptyImage"}}}}"###),
    ("mixed_outputs_partially_accepted", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageScale", "inputs": {"image": ["1", 0], "upscale_method": "nope", "width": 8, "height": 8, "crop": "disabled"}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}, "4": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 200, "body": {"node_errors": {"2": {"errors": [{"type": "value_not_in_list", "message": "Value not in list", "details": "upscale_method: 'nope' not in ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']", "extra_info": {"input_name": "upscale_method", "input_config": [["nearest-exact", "bilinear", "area", "bicubic", "lanczos"], {}], "received_value": "nope"}}], "dependent_outputs": ["3"], "class_type": "ImageScale"}}}}"###),
    ("partial_targets_select_outputs", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 0, "height": 64, "batch_size": 1, "color": 0}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}, "4": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}}, "5": {"class_type": "SaveImage", "inputs": {"images": ["4", 0], "filename_prefix": "x"}}}, "partial_execution_targets": ["5"]}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("partial_targets_as_string_are_substrings", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "12": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}, "partial_execution_targets": "123"}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("partial_targets_number_is_500", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}}, "partial_execution_targets": 5}"###, r###"{"status": 500, "body": null}"###),
    ("cycle_keeps_own_errors", r###"{"prompt": {"1": {"class_type": "ImageScale", "inputs": {"image": ["2", 0], "upscale_method": "bogus", "width": 8, "height": 8, "crop": "disabled"}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "value_not_in_list", "message": "Value not in list", "details": "upscale_method: 'bogus' not in ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos']", "extra_info": {"input_name": "upscale_method", "input_config": [["nearest-exact", "bilinear", "area", "bicubic", "lanczos"], {}], "received_value": "bogus"}}], "dependent_outputs": ["3"], "class_type": "ImageScale"}}}}"###),
    ("self_loop_two_outputs", r###"{"prompt": {"1": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}, "4": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {}}}"###),
    ("errors_upstream_and_on_output", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 0, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "Required input is missing: filename_prefix", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "value_smaller_than_min", "message": "Value 0 smaller than min of 1", "details": "width", "extra_info": {"input_name": "width", "input_config": ["INT", {"default": 512, "min": 1, "max": 16384, "step": 1}], "received_value": 0}}], "dependent_outputs": ["2"], "class_type": "EmptyImage"}, "2": {"errors": [{"type": "required_input_missing", "message": "Required input is missing", "details": "filename_prefix", "extra_info": {"input_name": "filename_prefix"}}], "dependent_outputs": ["2"], "class_type": "SaveImage"}}}}"###),
    ("list_prompt_string_node", r###"{"prompt": [1, "abc"]}"###, r###"{"status": 400, "body": {"error": {"type": "invalid_prompt", "message": "Cannot execute because a node is missing the class_type property.", "details": "Node ID '#1'", "extra_info": {}}, "node_errors": {}}}"###),
    ("list_prompt_bool_index", r###"{"prompt": [true, {}]}"###, r###"{"status": 400, "body": {"error": {"type": "invalid_prompt", "message": "Cannot execute because a node is missing the class_type property.", "details": "Node ID '#True'", "extra_info": {}}, "node_errors": {}}}"###),
    ("list_prompt_unknown_class", r###"{"prompt": [1, {"class_type": "NoSuch"}]}"###, r###"{"status": 400, "body": {"error": {"type": "invalid_prompt", "message": "Cannot execute because node NoSuch does not exist.", "details": "Node ID '#1'", "extra_info": {}}, "node_errors": {}}}"###),
    ("list_prompt_dict_element", r###"{"prompt": [{"class_type": "SaveImage"}]}"###, r###"{"status": 500, "body": null}"###),
    ("empty_list_prompt", r###"{"prompt": []}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": "", "extra_info": {}}, "node_errors": {}}}"###),
    ("empty_string_prompt", r###"{"prompt": ""}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": "", "extra_info": {}}, "node_errors": {}}}"###),
    ("body_string_without_keys", r###""abc""###, r###"{"status": 400, "body": {"error": {"type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided", "extra_info": {}}, "node_errors": {}}}"###),
    ("body_string_naming_prompt", r###""prompt""###, r###"{"status": 500, "body": null}"###),
    ("body_list_naming_number", r###"["number"]"###, r###"{"status": 500, "body": null}"###),
    ("body_number", r###"5"###, r###"{"status": 500, "body": null}"###),
    ("number_with_underscores", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}, "number": " 1_0 "}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("number_bool", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}, "number": true}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("number_null_is_500", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}, "number": null}"###, r###"{"status": 500, "body": null}"###),
    ("extra_data_not_object_with_client_id", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}, "extra_data": 5, "client_id": "c"}"###, r###"{"status": 500, "body": null}"###),
    ("extra_data_not_object_alone", r###"{"prompt": {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}, "extra_data": 5}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("class_type_number", r###"{"prompt": {"1": {"class_type": 5}}}"###, r###"{"status": 400, "body": {"error": {"type": "invalid_prompt", "message": "Cannot execute because node 5 does not exist.", "details": "Node ID '#1'", "extra_info": {}}, "node_errors": {}}}"###),
    ("class_type_null", r###"{"prompt": {"1": {"class_type": null}}}"###, r###"{"status": 400, "body": {"error": {"type": "invalid_prompt", "message": "Cannot execute because node None does not exist.", "details": "Node ID '#1'", "extra_info": {}}, "node_errors": {}}}"###),
    ("class_type_list_is_500", r###"{"prompt": {"1": {"class_type": ["SaveImage"]}}}"###, r###"{"status": 500, "body": null}"###),
    ("node_string_naming_class_type", r###"{"prompt": {"1": "my class_type"}}"###, r###"{"status": 500, "body": null}"###),
    ("node_list_without_class_type", r###"{"prompt": {"1": ["x"]}}"###, r###"{"status": 400, "body": {"error": {"type": "invalid_prompt", "message": "Cannot execute because a node is missing the class_type property.", "details": "Node ID '#1'", "extra_info": {}}, "node_errors": {}}}"###),
    ("node_number_is_500", r###"{"prompt": {"1": 5}}"###, r###"{"status": 500, "body": null}"###),
    ("kling_all_zero", r###"{"prompt": {"1": {"class_type": "KlingCameraControls", "inputs": {"camera_control_type": "simple", "horizontal_movement": 0, "vertical_movement": "0", "pan": 0.0, "tilt": 0, "roll": 0, "zoom": 0}}, "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "custom_validation_failed", "message": "Custom validation failed for node", "details": "horizontal_movement - Invalid camera control configs: at least one of the values must be non-zero", "extra_info": {"input_name": "horizontal_movement"}}, {"type": "custom_validation_failed", "message": "Custom validation failed for node", "details": "vertical_movement - Invalid camera control configs: at least one of the values must be non-zero", "extra_info": {"input_name": "vertical_movement"}}, {"type": "custom_validation_failed", "message": "Custom validation failed for node", "details": "pan - Invalid camera control configs: at least one of the values must be non-zero", "extra_info": {"input_name": "pan"}}, {"type": "custom_validation_failed", "message": "Custom validation failed for node", "details": "tilt - Invalid camera control configs: at least one of the values must be non-zero", "extra_info": {"input_name": "tilt"}}, {"type": "custom_validation_failed", "message": "Custom validation failed for node", "details": "roll - Invalid camera control configs: at least one of the values must be non-zero", "extra_info": {"input_name": "roll"}}, {"type": "custom_validation_failed", "message": "Custom validation failed for node", "details": "zoom - Invalid camera control configs: at least one of the values must be non-zero", "extra_info": {"input_name": "zoom"}}], "dependent_outputs": ["2"], "class_type": "KlingCameraControls"}}}}"###),
    ("kling_link_is_none", r###"{"prompt": {"9": {"class_type": "PrimitiveFloat", "inputs": {"value": 1}}, "1": {"class_type": "KlingCameraControls", "inputs": {"camera_control_type": "simple", "horizontal_movement": ["9", 0], "vertical_movement": 0, "pan": 0, "tilt": 0, "roll": 0, "zoom": 0}}, "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "exception_during_inner_validation", "message": "Exception when validating inner node", "details": "must be real number, not NoneType", "extra_info": {"input_name": "source", "input_config": ["*", {}], "exception_message": "must be real number, not NoneType", "exception_type": "TypeError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 808, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 932, in validate_inputs\n    ret = await _async_map_node_over_list(prompt_id, unique_id, obj_class, input_filtered, validate_function_name, hidden_inputs=hidden_inputs)\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 289, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n", "  File \"/opt/ComfyUI/execution.py\", line 277, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/comfy_api/internal/__init__.py\", line 149, in wrapped_func\n    return method(locked_class, **inputs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/comfy_api_nodes/nodes_kling.py\", line 720, in validate_inputs\n    if not is_valid_camera_control_configs(\n       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/comfy_api_nodes/nodes_kling.py\", line 247, in is_valid_camera_control_configs\n    return any(not math.isclose(value, 0.0) for value in configs)\n           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/comfy_api_nodes/nodes_kling.py\", line 247, in <genexpr>\n    return any(not math.isclose(value, 0.0) for value in configs)\n                   ^^^^^^^^^^^^^^^^^^^^^^^^\n"], "linked_node": ["1", 0]}}], "dependent_outputs": ["2"], "class_type": "KlingCameraControls"}}}}"###),
    ("flux_ultra_aspect_ratio", r###"{"prompt": {"1": {"class_type": "FluxProUltraImageNode", "inputs": {"prompt": "x", "prompt_upsampling": false, "seed": 0, "aspect_ratio": "1:5", "raw": false}}, "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "custom_validation_failed", "message": "Custom validation failed for node", "details": "aspect_ratio - Aspect ratio cannot reduce to any less than 1:4 (0.25), but was 1:5 (0.2).", "extra_info": {"input_name": "aspect_ratio"}}], "dependent_outputs": ["2"], "class_type": "FluxProUltraImageNode"}}}}"###),
    ("flux_ultra_zero_denominator", r###"{"prompt": {"1": {"class_type": "FluxProUltraImageNode", "inputs": {"prompt": "x", "prompt_upsampling": false, "seed": 0, "aspect_ratio": "3:0", "raw": false}}, "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "custom_validation_failed", "message": "Custom validation failed for node", "details": "aspect_ratio - division by zero", "extra_info": {"input_name": "aspect_ratio"}}], "dependent_outputs": ["2"], "class_type": "FluxProUltraImageNode"}}}}"###),
    ("tripo_conversion_needs_a_link", r###"{"prompt": {"1": {"class_type": "TripoConversionNode", "inputs": {"original_model_task_id": "x", "format": "GLTF"}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "Exception when validating node: 'original_model_task_id'", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "exception_during_validation", "message": "Exception when validating node", "details": "'original_model_task_id'", "extra_info": {"exception_type": "KeyError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 1010, in validate_prompt\n    m = await validate_inputs(prompt_id, prompt, o, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 932, in validate_inputs\n    ret = await _async_map_node_over_list(prompt_id, unique_id, obj_class, input_filtered, validate_function_name, hidden_inputs=hidden_inputs)\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 289, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n", "  File \"/opt/ComfyUI/execution.py\", line 277, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/comfy_api_nodes/nodes_tripo.py\", line 527, in VALIDATE_INPUTS\n    if input_types[\"original_model_task_id\"] not in (\"MODEL_TASK_ID\", \"RIG_TASK_ID\", \"RETARGET_TASK_ID\"):\n    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"]}}], "dependent_outputs": ["1"], "class_type": "TripoConversionNode"}}}}"###),
    ("load_video_missing_file", r###"{"prompt": {"1": {"class_type": "LoadVideo", "inputs": {"file": "nope.mp4"}}, "2": {"class_type": "SaveVideo", "inputs": {"video": ["1", 0], "filename_prefix": "x", "format": "auto", "codec": "auto"}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "custom_validation_failed", "message": "Custom validation failed for node", "details": "file - Invalid video file: nope.mp4", "extra_info": {"input_name": "file"}}], "dependent_outputs": ["2"], "class_type": "LoadVideo"}}}}"###),
    ("load_image_linked_filename", r###"{"prompt": {"1": {"class_type": "PrimitiveString", "inputs": {"value": "example.png"}}, "2": {"class_type": "LoadImage", "inputs": {"image": ["1", 0]}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"2": {"errors": [{"type": "exception_during_inner_validation", "message": "Exception when validating inner node", "details": "'NoneType' object has no attribute 'endswith'", "extra_info": {"input_name": "images", "input_config": ["IMAGE", {}], "exception_message": "'NoneType' object has no attribute 'endswith'", "exception_type": "AttributeError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 808, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 932, in validate_inputs\n    ret = await _async_map_node_over_list(prompt_id, unique_id, obj_class, input_filtered, validate_function_name, hidden_inputs=hidden_inputs)\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 289, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n", "  File \"/opt/ComfyUI/execution.py\", line 277, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/nodes.py\", line 1701, in VALIDATE_INPUTS\n    if not folder_paths.exists_annotated_filepath(image):\n       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/folder_paths.py\", line 205, in exists_annotated_filepath\n    name, base_dir = annotated_filepath(name)\n                     ^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/folder_paths.py\", line 177, in annotated_filepath\n    if name.endswith(\"[output]\"):\n       ^^^^^^^^^^^^^\n"], "linked_node": ["2", 0]}}], "dependent_outputs": ["3"], "class_type": "LoadImage"}}}}"###),
    ("load_image_without_input", r###"{"prompt": {"1": {"class_type": "LoadImage", "inputs": {}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "exception_during_inner_validation", "message": "Exception when validating inner node", "details": "LoadImage.VALIDATE_INPUTS() missing 1 required positional argument: 'image'", "extra_info": {"input_name": "images", "input_config": ["IMAGE", {}], "exception_message": "LoadImage.VALIDATE_INPUTS() missing 1 required positional argument: 'image'", "exception_type": "TypeError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 808, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 932, in validate_inputs\n    ret = await _async_map_node_over_list(prompt_id, unique_id, obj_class, input_filtered, validate_function_name, hidden_inputs=hidden_inputs)\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 285, in _async_map_node_over_list\n    await process_inputs({})\n", "  File \"/opt/ComfyUI/execution.py\", line 277, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n"], "linked_node": ["1", 0]}}], "dependent_outputs": ["3"], "class_type": "LoadImage"}}}}"###),
    ("load_image_present", r###"{"prompt": {"1": {"class_type": "LoadImage", "inputs": {"image": "example.png"}}, "3": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}}"###, r###"{"status": 200, "body": {"node_errors": {}}}"###),
    ("string_min_compare_raises", r###"{"prompt": {"1": {"class_type": "CreateHookKeyframesFromFloats", "inputs": {"floats_strength": "x", "start_percent": 0, "end_percent": 1, "print_floats": true}}, "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}}"###, r###"{"status": 400, "body": {"error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}, "node_errors": {"1": {"errors": [{"type": "exception_during_inner_validation", "message": "Exception when validating inner node", "details": "'<' not supported between instances of 'str' and 'int'", "extra_info": {"input_name": "source", "input_config": ["*", {}], "exception_message": "'<' not supported between instances of 'str' and 'int'", "exception_type": "TypeError", "traceback": ["  File \"/opt/ComfyUI/execution.py\", line 808, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n", "  File \"/opt/ComfyUI/execution.py\", line 869, in validate_inputs\n    if \"min\" in extra_info and val < extra_info[\"min\"]:\n                               ^^^^^^^^^^^^^^^^^^^^^^^\n"], "linked_node": ["1", 0]}}], "dependent_outputs": ["2"], "class_type": "CreateHookKeyframesFromFloats"}}}}"###),
];

fn check(name: &str, body: &str, expected: &str, options: &Options) {
    let body: Value = serde_json::from_str(body).unwrap();
    let expected: Value = serde_json::from_str(expected).unwrap();
    let got = validate_prompt_body_with(&body, Catalog::embedded(), options);
    assert_eq!(
        u64::from(got.status),
        expected["status"].as_u64().unwrap(),
        "{name}: {}",
        got.body
    );
    if got.status == 500 {
        assert_eq!(
            got.body,
            Value::String(INTERNAL_ERROR_TEXT.into()),
            "{name}"
        );
        return;
    }
    assert!(
        json_eq(&got.body, &expected["body"]),
        "{name}:\n got {}\nwant {}",
        got.body,
        expected["body"]
    );
    // Same key order and list order as the server writes them.
    assert_eq!(
        serde_json::to_string(&got.body).unwrap(),
        serde_json::to_string(&expected["body"]).unwrap(),
        "{name}"
    );
}

#[test]
fn answers_match_the_server_code() {
    for (name, body, expected) in CASES {
        check(name, body, expected, &Options::default());
    }
}

fn load_image(name: &str) -> Value {
    json!({"prompt": {
        "1": {"class_type": "LoadImage", "inputs": {"image": name}},
        "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}
    }})
}

#[test]
fn files_are_looked_up_in_the_catalog_listing_by_default() {
    let catalog = Catalog::embedded();
    let missing = validate_prompt_body(&load_image("no_such_file.png"), catalog);
    assert_eq!(missing.status, 400);
    let errors = missing.errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (
            errors[0].node_id,
            errors[0].class_type,
            errors[0].error_type,
            errors[0].details
        ),
        (
            "1",
            "LoadImage",
            "custom_validation_failed",
            "image - Invalid image file: no_such_file.png"
        )
    );
    assert_eq!(errors[0].input_name, Some("image"));
    assert_eq!(missing.node_ids_with_errors(), ["1"]);
    assert_eq!(
        missing.error_type(),
        Some("prompt_outputs_failed_validation")
    );
    // What the listing cannot tell is assumed present.
    for name in [
        "example.png",
        "sub/dir/a.png",
        "a.png [output]",
        "b.png [temp]",
        "/abs.png",
        "",
    ] {
        assert!(
            validate_prompt_body(&load_image(name), catalog).is_accepted(),
            "{name}"
        );
    }
    // `[input]` is stripped before the lookup; Python cuts a fixed length off.
    assert!(validate_prompt_body(&load_image("example.png [input]"), catalog).is_accepted());
    assert_eq!(
        validate_prompt_body(&load_image("example.png[input]"), catalog).status,
        400
    );
}

#[test]
fn a_callback_answers_file_lookups() {
    let seen = std::cell::RefCell::new(Vec::new());
    let exists = |folder: &str, name: &str| {
        seen.borrow_mut().push(format!("{folder}:{name}"));
        name == "uploaded.png"
    };
    let options = Options {
        file_exists: Some(&exists),
    };
    let catalog = Catalog::embedded();
    assert!(
        validate_prompt_body_with(&load_image("uploaded.png"), catalog, &options).is_accepted()
    );
    let out = validate_prompt_body_with(&load_image("x.png [output]"), catalog, &options);
    assert_eq!(
        out.errors()[0].details,
        "image - Invalid image file: x.png [output]"
    );
    assert_eq!(*seen.borrow(), ["input:uploaded.png", "output:x.png"]);
}

#[test]
fn prompt_alone_and_raw_text_entry_points() {
    let catalog = Catalog::embedded();
    let prompt = json!({"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
                        "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}});
    let out = validate_prompt(&prompt, catalog);
    assert_eq!(
        (out.status, out.body.clone()),
        (200, json!({"node_errors": {}}))
    );
    assert_eq!(validate_prompt(&json!(null), catalog).status, 500);
    assert_eq!(
        validate_prompt(&json!({}), catalog).error_type(),
        Some("prompt_no_outputs")
    );
    let text = format!("{{\"prompt\": {prompt}, \"client_id\": \"c\"}}");
    assert!(validate_prompt_text(&text, catalog).is_accepted());
    // Python's json module refuses integers of more than 4300 digits.
    let huge = format!("{{\"prompt\": {{}}, \"x\": {}}}", "9".repeat(4301));
    assert_eq!(validate_prompt_text(&huge, catalog).status, 500);
    let fine = format!("{{\"prompt\": {{}}, \"x\": {}}}", "9".repeat(4300));
    assert_eq!(validate_prompt_text(&fine, catalog).status, 400);
}

#[test]
fn deep_chains_and_cycles_terminate() {
    let catalog = Catalog::embedded();
    let mut prompt = Map::new();
    prompt.insert("0".into(), json!({"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}}));
    for i in 1..5000 {
        prompt.insert(
            i.to_string(),
            json!({"class_type": "ImageInvert", "inputs": {"image": [(i - 1).to_string(), 0]}}),
        );
    }
    prompt.insert(
        "out".into(),
        json!({"class_type": "PreviewImage", "inputs": {"images": ["4999", 0]}}),
    );
    let out = validate_prompt(&Value::Object(prompt.clone()), catalog);
    // Python's recursion limit stops the chain: reported as the server does, on a node deep inside.
    assert_eq!(out.status, 400);
    assert_eq!(
        out.errors()[0].raw["extra_info"]["exception_type"],
        "RecursionError"
    );
    // A chain well within the limit is fine.
    let mut short = Map::new();
    for (k, v) in prompt.iter().take(500) {
        short.insert(k.clone(), v.clone());
    }
    short.insert(
        "out".into(),
        json!({"class_type": "PreviewImage", "inputs": {"images": ["499", 0]}}),
    );
    assert!(validate_prompt(&Value::Object(short), catalog).is_accepted());
    // Every node in a big cycle.
    let mut ring = Map::new();
    for i in 0..3000 {
        ring.insert(i.to_string(), json!({"class_type": "ImageInvert", "inputs": {"image": [((i + 1) % 3000).to_string(), 0]}}));
    }
    ring.insert(
        "out".into(),
        json!({"class_type": "PreviewImage", "inputs": {"images": ["0", 0]}}),
    );
    let out = validate_prompt(&Value::Object(ring), catalog);
    assert_eq!(out.status, 400);
}

mod arbitrary_json {
    use super::*;
    use proptest::prelude::*;

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            "-?[1-9][0-9]{14,29}".prop_map(|d| serde_json::from_str(&d).unwrap()),
            "[-+ ]?[0-9_.eE٠-٩a-z]{0,6}".prop_map(Value::String),
            prop::sample::select(vec![
                "1",
                "2",
                "3",
                "image",
                "images",
                "width",
                "class_type",
                "inputs",
                "prompt",
                "number",
                "__value__",
                "EmptyImage",
                "ImageInvert",
                "SaveImage",
                "PreviewImage",
                "LoadImage",
                "ImageScale",
                "KSamplerSelect",
                "PreviewAny",
                "KlingCameraControls",
                "TripoConversionNode",
                "FluxProUltraImageNode",
                "LoadVideo",
                "PrimitiveInt",
                "bilinear",
                "example.png",
            ])
            .prop_map(|s| Value::String(s.into())),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        scalar().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        scalar().prop_map(|k| match k {
                            Value::String(s) => s,
                            other => other.to_string(),
                        }),
                        inner
                    ),
                    0..6
                )
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    /// Prompt-shaped bodies: nodes of real classes with arbitrary inputs and links.
    fn prompt_body() -> impl Strategy<Value = Value> {
        let node = (
            prop::sample::select(vec![
                "EmptyImage",
                "ImageInvert",
                "SaveImage",
                "PreviewImage",
                "LoadImage",
                "ImageScale",
                "ImageAddNoise",
                "KSamplerSelect",
                "PreviewAny",
                "KlingCameraControls",
                "TripoConversionNode",
                "FluxProUltraImageNode",
                "LoadVideo",
                "PrimitiveInt",
                "LoadAudio",
            ]),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "image",
                        "images",
                        "width",
                        "height",
                        "batch_size",
                        "color",
                        "seed",
                        "strength",
                        "upscale_method",
                        "crop",
                        "filename_prefix",
                        "source",
                        "file",
                        "aspect_ratio",
                        "pan",
                        "zoom",
                        "original_model_task_id",
                        "value",
                        "sampler_name",
                        "audio",
                    ]),
                    prop_oneof![
                        value(),
                        (0u8..6, value()).prop_map(|(n, slot)| json!([n.to_string(), slot])),
                        (0u8..6, 0i64..3).prop_map(|(n, slot)| json!([n.to_string(), slot])),
                    ],
                ),
                0..6,
            ),
        )
            .prop_map(|(class, inputs)| {
                let inputs: Map<String, Value> = inputs
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                json!({"class_type": class, "inputs": inputs})
            });
        (prop::collection::vec(node, 0..7), value(), any::<bool>()).prop_map(
            |(nodes, extra, add)| {
                let prompt: Map<String, Value> = nodes
                    .into_iter()
                    .enumerate()
                    .map(|(i, n)| (i.to_string(), n))
                    .collect();
                let mut body = json!({"prompt": prompt});
                if add {
                    body["partial_execution_targets"] = extra;
                }
                body
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_json_body_gets_an_answer(body in value()) {
            let out = validate_prompt_body(&body, Catalog::embedded());
            prop_assert!(matches!(out.status, 200 | 400 | 500));
            let _ = out.errors();
        }

        #[test]
        fn any_prompt_gets_an_answer(body in prompt_body()) {
            let out = validate_prompt_body(&body, Catalog::embedded());
            prop_assert!(matches!(out.status, 200 | 400 | 500));
            if out.status != 500 {
                prop_assert!(out.node_errors().is_some());
            }
        }
    }
}
