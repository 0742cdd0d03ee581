/*
 * MKL picks its fast AVX-512/AVX2 kernels only on CPUs it recognises as Intel; on other x86 CPUs (AMD, some
 * cloud VMs) it falls back to slow generic code. MKL asks this exported function; answering "yes" makes
 * libtorch's fp32 matmul 2.5x faster on this machine (150 -> ~390 GFLOP/s). Build with build.sh and
 * LD_PRELOAD the result (with tcmalloc) into the JVM that runs libtorch.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
