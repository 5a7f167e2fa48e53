;; SIMD lane-wise add/subtract of a keystream block into a target block, in place, mod 2^32
;; (i32x4) or mod 2^64 (i64x2). `n` is a byte count, a multiple of 16; both regions live
;; in this module's memory. The JS add loop reaches ~2 GB/s here, well under the AES-CTR
;; keystream rate, so the add step is done 16 bytes at a time instead.
;; Rebuild: npx wat2wasm src/crypto/wasm/mask-add.wat (test/crypto/mask-add-wasm.spec.ts
;; checks that the embedded bytes equal this source compiled).
(module
  (memory (export "memory") 3)
  (func (export "add32") (param $t i32) (param $k i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $t) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $t) (local.get $end)))
        (v128.store (local.get $t) (i32x4.add (v128.load (local.get $t)) (v128.load (local.get $k))))
        (local.set $t (i32.add (local.get $t) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $next))))
  (func (export "sub32") (param $t i32) (param $k i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $t) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $t) (local.get $end)))
        (v128.store (local.get $t) (i32x4.sub (v128.load (local.get $t)) (v128.load (local.get $k))))
        (local.set $t (i32.add (local.get $t) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $next))))
  (func (export "add64") (param $t i32) (param $k i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $t) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $t) (local.get $end)))
        (v128.store (local.get $t) (i64x2.add (v128.load (local.get $t)) (v128.load (local.get $k))))
        (local.set $t (i32.add (local.get $t) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $next))))
  (func (export "sub64") (param $t i32) (param $k i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $t) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $t) (local.get $end)))
        (v128.store (local.get $t) (i64x2.sub (v128.load (local.get $t)) (v128.load (local.get $k))))
        (local.set $t (i32.add (local.get $t) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $next)))))
