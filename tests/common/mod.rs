//! Helpers shared by the native test files.

use std::io::Write;
use std::process::{Command, Stdio};

/// PHP's encoding of each JSON document (one per line in, one per line out).
pub fn php_encode(docs: &[String]) -> Vec<String> {
    let script = r#"while (($line = fgets(STDIN)) !== false) { $v = json_decode($line, true, 512, JSON_THROW_ON_ERROR); echo http_build_query($v), "\n"; }"#;
    let mut child = Command::new("php")
        .args(["-r", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("php must be installed (make test installs php-cli)");
    let mut input = child.stdin.take().unwrap();
    let text = docs.join("\n") + "\n";
    let writer = std::thread::spawn(move || input.write_all(text.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "php failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}
