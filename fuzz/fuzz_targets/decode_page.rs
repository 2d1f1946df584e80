//! libFuzzer target: any bytes given to `thoughtindustries::wire::decode_page` give a page or a typed
//! error, never a panic, and the page's invariants hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    thoughtindustries_fuzz::decode_page(data);
});
