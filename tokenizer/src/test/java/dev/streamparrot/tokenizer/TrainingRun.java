package dev.streamparrot.tokenizer;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains on a list of files and prints the time of each phase and the peak heap, so that the
 * benchmark can run it in a JVM of its own with a small -Xmx. Usage: TrainingRun FILE_LIST VOCAB_SIZE
 */
final class TrainingRun {
    /** phases: wall seconds; mainCpuSeconds: CPU time of the calling thread, which runs all but the word counting. */
    record Result(double seconds, Map<String, Double> phases, double mainCpuSeconds, double processCpuSeconds, double peakHeapMb, Tokenizer tokenizer) {
        /**
         * What the wall time would be on two idle cores: the main thread's CPU time plus the rest of
         * the process's CPU time (word counting, GC, JIT) shared by two cores. On a busy machine the
         * wall time says more about the other processes than about the trainer.
         */
        double idleTwoCoreSeconds() {
            return mainCpuSeconds + (processCpuSeconds - mainCpuSeconds) / 2;
        }
    }

    private static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    static Result train(List<Path> files, int vocabSize) {
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
        System.gc();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        Map<String, Double> phases = new LinkedHashMap<>();
        long cpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        double processStart = processCpuSeconds();
        long start = System.nanoTime();
        long[] phaseStart = {start};
        String[] current = {null};
        BpeTrainer.Progress timer = (phase, done, total) -> {
            if (!phase.equals(current[0])) {
                long now = System.nanoTime();
                if (current[0] != null) phases.put(current[0], (now - phaseStart[0]) / 1e9);
                current[0] = phase;
                phaseStart[0] = now;
            }
        };
        Tokenizer tokenizer = new BpeTrainer(BpeTrainer.Config.byteLevel(vocabSize), timer).train(Corpus.read(files));
        long end = System.nanoTime();
        double cpu = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) / 1e9;
        phases.put(current[0], (end - phaseStart[0]) / 1e9);
        // Each pool's peak, added up: an upper bound of the heap ever in use at once.
        double peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1e6;
        return new Result((end - start) / 1e9, phases, cpu, processCpuSeconds() - processStart, peak, tokenizer);
    }

    public static void main(String[] args) throws Exception {
        List<Path> files = Corpus.listedFiles(Path.of(args[0]));
        Result r = train(files, Integer.parseInt(args[1]));
        System.out.printf("SECONDS %.2f%nMAIN_THREAD_CPU_S %.2f%nPROCESS_CPU_S %.2f%nIDLE_TWO_CORE_ESTIMATE_S %.2f%nPEAK_HEAP_MB %.0f%nMAX_HEAP_MB %.0f%nPHASES %s%nVOCAB %d%n", r.seconds(), r.mainCpuSeconds(), r.processCpuSeconds(), r.idleTwoCoreSeconds(), r.peakHeapMb(),
                Runtime.getRuntime().maxMemory() / 1e6, r.phases(), r.tokenizer().vocabSize());
    }
}
