/* Instruction-set selection for the SIMD kernels.
 *
 * Decided once per process: AVX2 when the CPU has AVX2 and FMA (checked together, as the
 * kernels are built for that level), else scalar. The environment variable
 * COVERTHEME_ISA=scalar|avx2 overrides the choice; asking for avx2 on a CPU without it
 * falls back to scalar, and any other value is ignored. Every kernel gives bit-identical
 * results on every ISA, so the choice affects speed only. */
#ifndef CT_CPU_H
#define CT_CPU_H

enum { CT_ISA_SCALAR = 0, CT_ISA_AVX2 = 1 };

/* The ISA the kernels use (CT_ISA_SCALAR or CT_ISA_AVX2). Thread-safe. */
int ct_isa(void);

/* "scalar", "avx2", or "unknown". */
const char *ct_isa_name(int isa);

/* Whether this CPU can run the AVX2 kernels (AVX2 and FMA), regardless of the override. */
int ct_cpu_has_avx2(void);

/* The decision rule, for tests: the ISA for COVERTHEME_ISA = `env` (NULL when unset) on a
 * CPU that has (1) or lacks (0) AVX2+FMA. */
int ct_isa_choose(const char *env, int cpu_has_avx2);

/* For tests and benchmarks: use `isa` from now on (clamped to what the CPU supports), or,
 * with a negative value, go back to the environment/CPU decision. Returns the ISA now in
 * effect. Not meant to be called while another thread is clustering. */
int ct_isa_force(int isa);

#endif
