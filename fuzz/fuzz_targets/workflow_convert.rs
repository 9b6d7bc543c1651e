#![no_main]
//! Any bytes as a file a user hands the CLI or a binding: JSON text (UI workflow, API prompt or a
//! `POST /prompt` body) or a PNG/WebP/FLAC/Ogg/MP3 carrying one. Reading and converting must
//! answer a value or a typed error, never panic; a converted prompt must re-read as a prompt.
use comfywire::convert::DynamicPrompts;
use comfywire::{Catalog, ConvertOptions, Document, Prompt};
use libfuzzer_sys::fuzz_target;

fn convert(doc: Document, catalog: &Catalog, options: &ConvertOptions) {
    let Ok(conversion) = doc.into_prompt(catalog, options) else {
        return;
    };
    let value = conversion.prompt.to_value();
    Prompt::from_value(&value).expect("a converted prompt reads back as an API prompt");
    let _ = comfywire::params::list_params(&conversion.prompt, catalog);
    let _ = comfywire::address::find_roles(&conversion.prompt, catalog);
}

fuzz_target!(|data: &[u8]| {
    let catalog = Catalog::embedded();
    // The byte path: media detection, then JSON text (BOM stripped).
    if let Ok(doc) = Document::from_bytes(data) {
        convert(doc, catalog, &ConvertOptions::default());
    }
    // The text path, as the bindings call it with a string, with the non-default options.
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(doc) = Document::from_json(text) {
            let options = ConvertOptions {
                dynamic_prompts: DynamicPrompts::Resolve {
                    seed: data.len() as u64,
                },
                prefer_named_values: true,
                keep_subgraph_ids: true,
                ..ConvertOptions::default()
            };
            convert(doc, catalog, &options);
        }
    }
});
