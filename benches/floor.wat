;; The least a WebAssembly package does at its first call, for benches/coldstart.mjs's floor: a module with
;; one function that reads the body where JS copied it (counting its braces, so the read cannot be skipped).
(module
  (memory (export "memory") 1)
  (func (export "scan") (param $at i32) (param $length i32) (result i32)
    (local $end i32)
    (local $braces i32)
    (local.set $end (i32.add (local.get $at) (local.get $length)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $braces
          (i32.add (local.get $braces) (i32.eq (i32.load8_u (local.get $at)) (i32.const 123))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $next)))
    (local.get $braces)))
