//! Fuzz target: the blog source reader, then extraction, on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    jinsong::fuzzing::read_and_extract(data, jinsong::sources::Format::Blog);
});
