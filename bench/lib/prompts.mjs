// API prompts the benchmarks submit. Every job gets a unique input (the server caches a node
// whose inputs equal the previous job's) and a unique filename prefix, so a result can be
// checked to be *this* job's file.

/** The model file the sampler prompt loads: start the emulator with `--model <this>`. */
export const MODEL = 'checkpoints/v1-5-pruned-emaonly-fp16.safetensors';

/** EmptyImage → [ImageInvert] → SaveImage: no model, no sampler, one output file. */
export function imagePrompt(prefix, color = 0, { invert = false } = {}) {
  const p = {
    1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: color % 16777216 } },
    2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: prefix } },
  };
  if (invert) {
    p[3] = { class_type: 'ImageInvert', inputs: { image: ['1', 0] } };
    p[2].inputs.images = ['3', 0];
  }
  return p;
}

/** A txt2img graph: KSampler progress steps and (when the emulator sends them) binary previews. */
export function samplerPrompt(prefix, seed, steps) {
  return {
    4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: MODEL.split('/')[1] } },
    5: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    6: { class_type: 'CLIPTextEncode', inputs: { text: 'a red fox', clip: ['4', 1] } },
    7: { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    3: {
      class_type: 'KSampler',
      inputs: {
        seed, steps, cfg: 7.0, sampler_name: 'euler', scheduler: 'normal', denoise: 1.0,
        model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
      },
    },
    8: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    9: { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: prefix } },
  };
}

/** ImageAddNoise echoes its `seed` into the stored prompt (GET /history/{id}), no sampler needed. */
export function seedPrompt(prefix, seed) {
  return {
    1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } },
    2: { class_type: 'ImageAddNoise', inputs: { image: ['1', 0], seed, strength: 0.5 } },
    3: { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: prefix } },
  };
}

/** Output node ids of a prompt (the classes the benchmarks use). */
export function outputNodes(prompt) {
  return Object.entries(prompt)
    .filter(([, n]) => n.class_type === 'SaveImage' || n.class_type === 'PreviewImage')
    .map(([id]) => id);
}

/** Exactly one saved file, of this job's prefix, in the output folder. */
export function filesAreRight(files, prefix) {
  return Array.isArray(files) && files.length === 1
    && typeof files[0].filename === 'string'
    && files[0].filename.startsWith(`${prefix}_`) && /_\d{5}_\.png$/.test(files[0].filename)
    && (files[0].subfolder ?? '') === '' && files[0].type === 'output';
}
