#include "cpu.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t isa_once = PTHREAD_ONCE_INIT;
static int cpu_avx2; /* written once under isa_once */
static int isa_auto; /* environment/CPU decision, written once under isa_once */
static int isa_now;  /* in effect; atomically accessed (ct_isa_force may change it) */

static void isa_init(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    cpu_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    cpu_avx2 = 0;
#endif
    int isa = ct_isa_choose(getenv("COVERTHEME_ISA"), cpu_avx2);
    isa_auto = isa;
    __atomic_store_n(&isa_now, isa, __ATOMIC_RELEASE);
}

int ct_isa_choose(const char *env, int cpu_has_avx2)
{
    if (env && strcmp(env, "scalar") == 0)
        return CT_ISA_SCALAR;
    /* "avx2", unset, or anything else: the best the CPU has (only AVX2 exists so far) */
    return cpu_has_avx2 ? CT_ISA_AVX2 : CT_ISA_SCALAR;
}

int ct_isa(void)
{
    pthread_once(&isa_once, isa_init);
    return __atomic_load_n(&isa_now, __ATOMIC_ACQUIRE);
}

const char *ct_isa_name(int isa)
{
    switch (isa) {
    case CT_ISA_SCALAR:
        return "scalar";
    case CT_ISA_AVX2:
        return "avx2";
    default:
        return "unknown";
    }
}

int ct_cpu_has_avx2(void)
{
    pthread_once(&isa_once, isa_init);
    return cpu_avx2;
}

int ct_isa_force(int isa)
{
    pthread_once(&isa_once, isa_init);
    if (isa < 0)
        isa = isa_auto;
    else if (isa != CT_ISA_AVX2 || !cpu_avx2)
        isa = CT_ISA_SCALAR;
    __atomic_store_n(&isa_now, isa, __ATOMIC_RELEASE);
    return isa;
}
