package org.moescope.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.bench.Workload;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;

class BenchCommandTest {

    @Test
    void tokensNameTheThreePaths() {
        assertEquals(List.of(new Workload(Phase.DECODE, 1), new Workload(Phase.BATCHED_DECODE, 4),
                new Workload(Phase.PREFILL, 32), new Workload(Phase.PREFILL, 128)),
                BenchCommand.workloads("1, b4, 32,p128"));
        assertEquals(Workload.DEFAULTS, BenchCommand.workloads(BenchCommand.DEFAULT_TOKENS));
        assertEquals(Workload.DEFAULTS, BenchCommand.workloads("all"));
        assertEquals(List.of(new Workload(Phase.BATCHED_DECODE, 4), new Workload(Phase.BATCHED_DECODE, 16)),
                BenchCommand.workloads("batched,b4"));
    }

    @Test
    void badTokensAreUsageErrors() {
        assertThrows(CliArgs.UsageException.class, () -> BenchCommand.workloads("bx"));
        assertThrows(CliArgs.UsageException.class, () -> BenchCommand.workloads("0"));
        assertThrows(CliArgs.UsageException.class, () -> BenchCommand.workloads(" , "));
    }

    @Test
    void variantsByNumberOrBySwitchWords() {
        List<MoeOptions> all = MoeOptions.allSwitchCombinations(false);
        assertEquals(all, BenchCommand.variants("all"));
        assertEquals(List.of(MoeOptions.DEFAULT, MoeOptions.DEFAULT.withFusedGateUpSilu(false)),
                BenchCommand.variants("0,1"));
        assertEquals(List.of(MoeOptions.DEFAULT.withFusedGateUpSilu(false).withHostTopk(true),
                        MoeOptions.DEFAULT.withDirectDispatch(true)),
                BenchCommand.variants("unfused+host-topk, direct, 4"));
        assertEquals(List.of(MoeOptions.DEFAULT), BenchCommand.variants("default,fused+device-topk+indirect"));
        assertEquals(all.get(7), BenchCommand.variants("unfused+host-topk+direct").get(0));
    }

    @Test
    void q8VariantsByNumberWordOrFlag() {
        MoeOptions q8 = MoeOptions.DEFAULT.withQ8Activations(true);
        assertEquals(List.of(q8, q8.withFusedGateUpSilu(false).withHostTopk(true).withDirectDispatch(true)),
                BenchCommand.variants("8,15"));
        assertEquals(List.of(q8, MoeOptions.DEFAULT), BenchCommand.variants("q8,q8+float-act"));
        assertEquals(List.of(q8.withDirectDispatch(true)), BenchCommand.variants("direct+q8"));
        assertEquals(MoeOptions.allSwitchCombinations(false, true), BenchCommand.variants("all", true));
        assertEquals(List.of(q8), BenchCommand.variants("0,q8", true), "the flag merges what only it told apart");
    }

    @Test
    void badVariantsAreUsageErrors() {
        assertThrows(CliArgs.UsageException.class, () -> BenchCommand.variants("16"));
        assertThrows(CliArgs.UsageException.class, () -> BenchCommand.variants("123456789012"));
        assertThrows(CliArgs.UsageException.class, () -> BenchCommand.variants("turbo"));
        assertThrows(CliArgs.UsageException.class, () -> BenchCommand.variants(""));
    }

    @Test
    void partsAreChecked() {
        assertEquals(Set.of("moe", "gemm"), BenchCommand.parts("moe,GEMM"));
        assertThrows(CliArgs.UsageException.class, () -> BenchCommand.parts("moe,attention"));
    }

    @Test
    void unknownOptionsAndBadValuesFailBeforeAnyWork() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThrows(CliArgs.UsageException.class, () -> BenchCommand.run(new String[] {"bench", "--turbo"}, out));
        assertThrows(CliArgs.UsageException.class,
                () -> BenchCommand.run(new String[] {"bench", "--dtype", "Q4"}, out));
        assertThrows(CliArgs.UsageException.class,
                () -> BenchCommand.run(new String[] {"bench", "--routing", "sticky"}, out));
        assertThrows(CliArgs.UsageException.class,
                () -> BenchCommand.run(new String[] {"bench", "--layers", "0"}, out));
    }

    @Test
    void runsOnTheJavaReferenceAndWritesJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("sub/bench.json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc = BenchCommand.run(new String[] {"bench", "--device", "java", "--shape", "qwen3-tiny", "--layers", "1",
                "--tokens", "1,b2,p3", "--variants", "0,2", "--warmup", "0", "--repeats", "2", "--parts", "moe",
                "--routing", "random", "--json", json.toString()}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(0, rc);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("== prefill T=3"), text);
        assertTrue(text.contains("routing random"), text);
        String written = Files.readString(json);
        assertTrue(written.contains("\"routing\": \"random\""), written);
        assertTrue(written.contains("\"label\": \"batched_decode B=2\""), written);
    }
}
