//! Fuzz target: the temporal tagger on one sentence of any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        jinsong::fuzzing::dates(text);
    }
});
