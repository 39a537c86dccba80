package org.moescope.engine.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.SampleModel;
import org.moescope.engine.tokenizer.TokenizerJsonVocabulary;

/** One case for each bug {@link FileFuzzTest} found, each now a clear EngineException naming the file. */
class FuzzFindingsTest {
    @TempDir
    Path tmp;
    private int folders;

    /** A copy of the sample model with {@code file} replaced by {@code content}. */
    private Path sampleWith(String file, String content) throws IOException {
        Path sample = SampleModel.locate();
        Path dir = Files.createDirectories(tmp.resolve("m" + folders++));
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
            Files.copy(sample.resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve(file), content);
        return dir;
    }

    private static EngineException openFails(ModelSource source) {
        return assertThrows(EngineException.class, () -> InferenceSession.open(source, new JavaBackend(),
                LoadProgress.NONE).close());
    }

    @Test
    void aNegativeOrHugeTokenIdInTokenizerJsonIsRefusedNotAnIndexError() throws IOException {
        String json = Files.readString(SampleModel.locate().resolve("tokenizer.json"));
        Path negative = sampleWith("tokenizer.json", json.replaceFirst("(\"vocab\":\\s*\\{\\s*\"[^\"]+\":\\s*)\\d+", "$1-1"));
        EngineException e = assertThrows(EngineException.class,
                () -> TokenizerJsonVocabulary.read(negative.resolve("tokenizer.json"), null, null));
        assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains("has id -1"), e.getMessage());

        Files.writeString(negative.resolve("tokenizer.json"),
                json.replaceFirst("(\"added_tokens\":\\s*\\[\\s*\\{\\s*\"id\":\\s*)\\d+", "$12147483646"));
        EngineException huge = assertThrows(EngineException.class,
                () -> TokenizerJsonVocabulary.read(negative.resolve("tokenizer.json"), null, null));
        assertTrue(huge.getMessage().contains("has id 2147483646, outside"), huge.getMessage());
    }

    @Test
    void aTokenIdOfTheWrongTypeIsAMalformedFileNotAClassCast() throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(SampleModel.locate().resolve("tokenizer.json")))
                .getAsJsonObject();
        json.getAsJsonObject("model").add("vocab", new JsonArray());
        Path dir = sampleWith("tokenizer.json", json.toString());
        EngineException e = assertThrows(EngineException.class,
                () -> TokenizerJsonVocabulary.read(dir.resolve("tokenizer.json"), null, null));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }

    /** The Rust tokenizers library panicked on this (byte index out of bounds in bpe/model.rs), aborting the JVM. */
    @Test
    void aContinuingSubwordPrefixLongerThanAMergeIsRefusedBeforeTheNativeLibrarySeesIt() throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(SampleModel.locate().resolve("tokenizer.json")))
                .getAsJsonObject();
        json.getAsJsonObject("model").addProperty("continuing_subword_prefix", "x".repeat(1000));
        Path dir = sampleWith("tokenizer.json", json.toString());
        EngineException e = openFails(new ModelSource.Folder(dir));
        assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains("continuing_subword_prefix"),
                e.getMessage());
    }

    @Test
    void anEmptyMergePairIsRefusedNotAnIndexError() throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(SampleModel.locate().resolve("tokenizer.json")))
                .getAsJsonObject();
        json.getAsJsonObject("model").getAsJsonArray("merges").set(3, new JsonArray());
        Path dir = sampleWith("tokenizer.json", json.toString());
        EngineException e = assertThrows(EngineException.class,
                () -> TokenizerJsonVocabulary.read(dir.resolve("tokenizer.json"), null, null));
        assertTrue(e.getMessage().contains("tokenizer.json: merge [] is not a pair of tokens"), e.getMessage());
    }

    /** Gson's getAsInt made 2^37 heads 0 (then a division by zero) and 4294967297 layers 1. */
    @Test
    void sizesThatDoNotFitAnIntOrAreNotWholeAreRefusedNotWrapped() throws IOException {
        String config = Files.readString(SampleModel.locate().resolve("config.json"));
        for (String heads : new String[] {"137438953472", "-1e308", "0", "4.5", "true"}) {
            Path dir = sampleWith("config.json", config.replaceFirst("\"num_attention_heads\":\\s*\\d+",
                    "\"num_attention_heads\": " + heads));
            EngineException e = openFails(new ModelSource.Folder(dir));
            assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("num_attention_heads"),
                    heads + ": " + e.getMessage());
        }
        Path wrapped = sampleWith("config.json", config.replaceFirst("\"num_hidden_layers\":\\s*\\d+",
                "\"num_hidden_layers\": 4294967300"));
        EngineException e = openFails(new ModelSource.Folder(wrapped));
        assertTrue(e.getMessage().contains("'num_hidden_layers' must be an integer in"), e.getMessage());
    }

    /** 1e308 became Infinity as a float and passed the check, to fail later in the rotary tables. */
    @Test
    void aRopeThetaBeyondFloatRangeIsRefusedWhenTheConfigIsRead() throws IOException {
        String config = Files.readString(SampleModel.locate().resolve("config.json"));
        Path dir = sampleWith("config.json", config.replaceFirst("\"rope_theta\":\\s*[0-9.e+]+",
                "\"rope_theta\": 1e308"));
        EngineException e = openFails(new ModelSource.Folder(dir));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("rope_theta must be finite"),
                e.getMessage());
    }

    /** A shape whose element count wraps a long to 0 matched empty data and opened. */
    @Test
    void aShapeWhoseSizeOverflowsIsRefused() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(json.length).put(json);
        Path dir = sampleWith("config.json", Files.readString(SampleModel.locate().resolve("config.json")));
        Files.write(dir.resolve("model.safetensors"), file.array());
        EngineException e = openFails(new ModelSource.Folder(dir));
        assertTrue(e.getMessage().contains("model.safetensors: tensor 'w': shape [4294967296, 4294967296] has more "
                + "elements than a tensor can hold"), e.getMessage());
    }

    @Test
    void aLayerCountBeyondTheCheckpointIsRefusedBeforeListingMillionsOfTensors() throws IOException {
        String config = Files.readString(SampleModel.locate().resolve("config.json"));
        Path dir = sampleWith("config.json", config.replaceFirst("\"num_hidden_layers\":\\s*\\d+",
                "\"num_hidden_layers\": 65536"));
        EngineException e = openFails(new ModelSource.Folder(dir));
        assertTrue(e.getMessage().contains("model.safetensors has tensors of 4 layer(s), but config.json says "
                + "num_hidden_layers=65536"), e.getMessage());

        Path experts = sampleWith("config.json", config.replaceFirst("\"num_experts\":\\s*\\d+",
                "\"num_experts\": 2147483647"));
        EngineException x = openFails(new ModelSource.Folder(experts));
        assertTrue(x.getMessage().contains("config.json says num_experts=2147483647"), x.getMessage());
    }

    @Test
    void aTensorMissingFromTheCheckpointNamesBothFiles() throws IOException {
        Path dir = sampleWith("config.json", Files.readString(SampleModel.locate().resolve("config.json")));
        byte[] st = Files.readAllBytes(dir.resolve("model.safetensors"));
        String header = new String(st, 8, 200, StandardCharsets.ISO_8859_1);
        int at = 8 + header.indexOf("lm_head.weight");
        st[at] = 'L'; // the tensor is now "Lm_head.weight"
        Files.write(dir.resolve("model.safetensors"), st);
        EngineException e = openFails(new ModelSource.Folder(dir));
        assertTrue(e.getMessage().contains(dir.resolve("model.safetensors") + " is missing 1 tensor(s) that config.json "
                + "needs: lm_head.weight"), e.getMessage());
    }

    @Test
    void aBrokenMergeInAGgufFileNamesTheFile() throws IOException {
        byte[] gguf = Files.readAllBytes(Path.of("src/test/resources/org/moescope/engine/gguf/gguf-tiny-k/model.gguf"));
        byte[] key = "tokenizer.ggml.merges".getBytes(StandardCharsets.US_ASCII);
        int k = indexOf(gguf, key);
        // key, then type ARRAY (4 bytes), element type STRING (4), count (8), the first merge's length (8) and text
        int first = k + key.length + 4 + 4 + 8;
        int length = (int) ByteBuffer.wrap(gguf, first, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int space = indexOf(gguf, new byte[] {' '}, first + 8);
        assertTrue(space < first + 8 + length, "the first merge has a space");
        gguf[space] = '$';
        Path file = tmp.resolve("broken-merge.gguf");
        Files.write(file, gguf);
        EngineException e = openFails(new ModelSource.Gguf(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("merges"), e.getMessage());
    }

    @Test
    void anExpertCountBeyondTheGgufTensorsIsRefusedBeforeTheLayoutIsBuilt() throws IOException {
        byte[] gguf = Files.readAllBytes(Path.of("src/test/resources/org/moescope/engine/gguf/gguf-tiny-q8/model.gguf"));
        byte[] key = "qwen3moe.expert_count".getBytes(StandardCharsets.US_ASCII);
        int value = indexOf(gguf, key) + key.length + 4; // after the key: its type (UINT32), then the value
        ByteBuffer.wrap(gguf).order(ByteOrder.LITTLE_ENDIAN).putInt(value, Integer.MAX_VALUE);
        Path file = tmp.resolve("many-experts.gguf");
        Files.write(file, gguf);
        EngineException e = openFails(new ModelSource.Gguf(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("expert_count is 2147483647"),
                e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, 0);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
