//! Prints every finding of each argument with its class: what the scanner saw and why a
//! redaction would keep or replace it.
//!
//!     cargo run -p flywheel-pii --example explain -- "Signed, Jolanda Soffici"
fn main() {
    let scanner = pii::Scanner::new();
    for text in std::env::args().skip(1) {
        for m in scanner.mentions(&text) {
            let s = m.span;
            println!(
                "{:<16} {:<16?} {:?}",
                s.entity_type.as_str(),
                m.class,
                &text[s.start..s.end]
            );
        }
        println!();
    }
}
