;; The inner loop of the polyphase resampler (src/pipeline/resampler.ts) in WebAssembly SIMD.
;; Assembled into polyphase_kernel_wasm.ts by scripts/build_polyphase_kernel.ts.
;;
;; render(coef, buf, out, n, taps, up, whole, part, start, phase) computes n output samples:
;;   out[i] = sum over k < taps of coef[phase_i * taps + k] * buf[start_i + k]
;; then start += whole, phase += part, and when phase reaches up: phase -= up, start += 1.
;; coef, buf and out are byte offsets of f32 arrays; start and phase are the first output's
;; input index (in buf) and filter phase. taps must be a positive multiple of 8 (the caller pads
;; the filter rows with zeros, and the input with zeros past what the last output reads).
(module
  (memory (export "memory") 1)
  (func (export "render")
    (param $coef i32) (param $buf i32) (param $out i32) (param $n i32)
    (param $taps i32) (param $up i32) (param $whole i32) (param $part i32)
    (param $start i32) (param $phase i32)
    (local $row i32) (local $c i32) (local $b i32) (local $end i32)
    (local $acc0 v128) (local $acc1 v128)
    (local.set $row (i32.shl (local.get $taps) (i32.const 2)))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $outputs
        (local.set $c
          (i32.add (local.get $coef) (i32.mul (local.get $phase) (local.get $row))))
        (local.set $b
          (i32.add (local.get $buf) (i32.shl (local.get $start) (i32.const 2))))
        (local.set $end (i32.add (local.get $c) (local.get $row)))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        ;; Two accumulators of four lanes: eight taps per turn.
        (loop $taps
          (local.set $acc0
            (f32x4.add (local.get $acc0)
              (f32x4.mul (v128.load (local.get $c)) (v128.load (local.get $b)))))
          (local.set $acc1
            (f32x4.add (local.get $acc1)
              (f32x4.mul (v128.load offset=16 (local.get $c))
                (v128.load offset=16 (local.get $b)))))
          (local.set $c (i32.add (local.get $c) (i32.const 32)))
          (local.set $b (i32.add (local.get $b) (i32.const 32)))
          (br_if $taps (i32.lt_u (local.get $c) (local.get $end))))
        (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc0))
              (f32x4.extract_lane 1 (local.get $acc0)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc0))
              (f32x4.extract_lane 3 (local.get $acc0)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $start (i32.add (local.get $start) (local.get $whole)))
        (local.set $phase (i32.add (local.get $phase) (local.get $part)))
        (if (i32.ge_u (local.get $phase) (local.get $up))
          (then
            (local.set $phase (i32.sub (local.get $phase) (local.get $up)))
            (local.set $start (i32.add (local.get $start) (i32.const 1)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $outputs (local.get $n))))))
