//! Integration tests of the emulator against the captures of a real ComfyUI 0.3.64.

mod common;
mod faults;
mod http;
mod runs;
