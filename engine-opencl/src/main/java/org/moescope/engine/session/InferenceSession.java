package org.moescope.engine.session;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.Backends;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.model.CheckpointLoader;
import org.moescope.engine.model.KvCache;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.ModelWeights;
import org.moescope.engine.model.WeightTypes;
import org.moescope.engine.model.SafetensorsCheckpoint;
import org.moescope.engine.model.SyntheticWeights;
import org.moescope.engine.model.Transformer;
import org.moescope.engine.model.gguf.GgufFile;
import org.moescope.engine.model.gguf.GgufLoader;
import org.moescope.engine.model.gguf.GgufModelConfig;
import org.moescope.engine.model.gguf.GgufConversion;
import org.moescope.engine.model.gguf.GgufValue;
import org.moescope.engine.model.gguf.GgufVocabularyReader;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.MoeTokenTrace;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.Profiler;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.profile.StepRouting;
import org.moescope.engine.sampling.Sampler;
import org.moescope.engine.tokenizer.GgufVocabulary;
import org.moescope.engine.tokenizer.TextTokenizer;
import org.moescope.engine.tokenizer.TokenizerJsonVocabulary;

/**
 * A loaded model on one backend and the sequences being generated with it. Single-threaded: call it from one worker
 * thread at a time. This is the engine's contract with the app and the CLI (session-api.md).
 *
 * <p>A batch of B sequences shares one prompt: it is prefilled once and its KV cache copied to the other sequences,
 * then each sequence samples with its own seeded sampler ({@code seed + index}) and decode runs batched.
 */
public final class InferenceSession implements AutoCloseable {

    /** Rows of scratch made at load time; a longer prompt grows it once. */
    private static final int INITIAL_ROWS = 16;

    private final Backend backend;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final Transformer transformer;
    private final TextTokenizer tokenizer; // null when the folder has none
    private final String name;
    /** The tokenizer as GGUF keys, for {@link #writeGguf}; supplies null when the model has none. */
    private final Supplier<GgufVocabulary> vocabulary;
    /** llama.cpp's name of a GGUF file's general.file_type ("Q4_K_M"), or null. */
    private final String fileType;
    private final List<Sequence> sequences = new ArrayList<>();
    private DType kvCacheDType = DType.F32;
    /** Cache types the kernels were warmed up with (F32 at load). */
    private final Set<DType> warmedCacheTypes = EnumSet.of(DType.F32);
    private int step;                      // the next step's number
    private boolean closed;

    private InferenceSession(Backend backend, ModelConfig config, ModelWeights weights, TextTokenizer tokenizer,
                             String name, Supplier<GgufVocabulary> vocabulary, String fileType) {
        this.backend = backend;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.name = name;
        this.vocabulary = vocabulary;
        this.fileType = fileType;
        this.transformer = new Transformer(backend, config, weights, INITIAL_ROWS);
    }

    // ---------------------------------------------------------------- opening

    /**
     * Opens the backend {@code deviceSelector} names ({@link Backends#open}: null or "" = the first GPU, else the first
     * OpenCL device, else the Java reference; an index of {@link Backends#listDevices()}; "java"; or part of a device
     * name) and loads the model onto it. Thread-safe to call off the UI thread. On failure (bad folder, bad tensors,
     * out of device memory) throws EngineException with a readable message and leaves nothing allocated.
     */
    public static InferenceSession open(ModelSource source, String deviceSelector, LoadProgress listener) {
        if (source == null) {
            throw new IllegalArgumentException("source must not be null");
        }
        return open(source, Backends.open(deviceSelector), listener);
    }

    /**
     * Loads the model onto {@code backend} (ownership passes to the session: it is closed with it, or at once when
     * loading fails). Nothing stays allocated on failure, nor when {@code listener} asks to cancel: the load then
     * stops before the next tensor (or before the kernel warm-up) with a LoadCancelledException.
     */
    public static InferenceSession open(ModelSource source, Backend backend, LoadProgress listener) {
        if (source == null || backend == null) {
            throw new IllegalArgumentException("source and backend must not be null");
        }
        LoadProgress progress = listener == null ? LoadProgress.NONE : listener;
        try {
            return switch (source) {
                case ModelSource.Folder f -> openFolder(f.dir(), backend, progress);
                case ModelSource.Gguf g -> openGguf(g.file(), backend, progress);
                case ModelSource.Synthetic s -> openSynthetic(s, backend, progress);
            };
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        }
    }

    private static InferenceSession openFolder(Path dir, Backend backend, LoadProgress progress) {
        ModelConfig config = ModelConfig.load(dir);
        ModelWeights weights;
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            weights = CheckpointLoader.load(checkpoint, config, backend, progress);
        }
        Path fileName = dir.toAbsolutePath().normalize().getFileName();
        Path tokenizerJson = dir.resolve(TextTokenizer.FILE);
        Integer eos = config.eosTokenIds().isEmpty() ? null : config.eosTokenIds().get(0);
        Supplier<GgufVocabulary> vocabulary = () -> tokenizerJson.toFile().isFile()
                ? TokenizerJsonVocabulary.read(tokenizerJson, null, eos) : null;
        return withTokenizer(backend, config, weights, () -> TextTokenizer.loadIfPresent(dir),
                fileName == null ? dir.toString() : fileName.toString(), vocabulary, null, progress);
    }

    /**
     * The session over loaded weights, its tokenizer made by {@code tokenizer} (which may give null), warmed up; on
     * failure the weights and the tokenizer are closed.
     */
    private static InferenceSession withTokenizer(Backend backend, ModelConfig config, ModelWeights weights,
                                                  Supplier<TextTokenizer> tokenizerMaker, String name,
                                                  Supplier<GgufVocabulary> vocabulary, String fileType,
                                                  LoadProgress progress) {
        TextTokenizer tokenizer = null;
        try {
            tokenizer = tokenizerMaker.get();
            return new InferenceSession(backend, config, weights, tokenizer, name, vocabulary, fileType)
                    .warmedUp(progress);
        } catch (RuntimeException | Error e) {
            weights.close();
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    /** A GGUF file: config, weights (kept in their stored types) and tokenizer all come from the file. */
    private static InferenceSession openGguf(Path path, Backend backend, LoadProgress progress) {
        ModelConfig config;
        ModelWeights weights;
        GgufVocabulary vocabulary;
        String fileType;
        try (GgufFile file = GgufFile.open(path)) {
            config = GgufModelConfig.from(file);
            vocabulary = aboutFile(path, () -> GgufVocabularyReader.read(file));
            GgufValue ftype = file.get(GgufModelConfig.FILE_TYPE_KEY);
            fileType = ftype == null ? null : WeightTypes.fileTypeName(ftype.asInt(GgufModelConfig.FILE_TYPE_KEY));
            weights = GgufLoader.load(file, config, backend, progress);
        }
        return withTokenizer(backend, config, weights,
                () -> vocabulary == null ? null : aboutFile(path, () -> TextTokenizer.fromGguf(vocabulary)),
                path.getFileName().toString(),
                () -> vocabulary, fileType, progress);
    }

    /** What {@code work} makes of {@code file}'s contents; its errors name the file. */
    private static <T> T aboutFile(Path file, Supplier<T> work) {
        try {
            return work.get();
        } catch (EngineException e) {
            if (e.getMessage() != null && e.getMessage().contains(file.toString())) {
                throw e;
            }
            throw new EngineException(file + ": " + e.getMessage(), e);
        }
    }

    private static InferenceSession openSynthetic(ModelSource.Synthetic s, Backend backend, LoadProgress progress) {
        // Random weights make EOS a random event: synthetic runs always use their whole token budget, so that
        // measurements of the same request are comparable.
        ModelConfig config = s.config().withEosTokenIds(List.of());
        ModelWeights weights = SyntheticWeights.create(config, s.dtype(), s.seed(), backend, progress);
        try {
            return new InferenceSession(backend, config, weights, null, s.displayName(), () -> null, null)
                    .warmedUp(progress);
        } catch (RuntimeException | Error e) {
            weights.close();
            throw e;
        }
    }

    /**
     * Compiles the backend's kernels before the first step (see {@link Transformer#warmUp()}); the Java reference
     * compiles nothing and skips it. Closes the session's own buffers if it fails (the caller closes the weights).
     */
    private InferenceSession warmedUp(LoadProgress progress) {
        try {
            progress.stopIfCancelled();
            if (!"java".equals(backend.kind())) {
                progress.progress(1.0, "compiling kernels (one short run of every path)");
                transformer.warmUp();
            }
            progress.progress(1.0, "loaded " + name);
            return this;
        } catch (RuntimeException | Error e) {
            transformer.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- facts

    public ModelConfig config() {
        return config;
    }

    public DeviceInfo device() {
        return backend.device();
    }

    /** Folder name, GGUF file name or preset name. */
    public String modelName() {
        return name;
    }

    /** Device bytes of the model's weights. */
    public long weightBytes() {
        return weights.bytes();
    }

    /**
     * Writes the model as a GGUF file in llama.cpp's layout, with its tokenizer when it has one: each weight in
     * {@code type} (quantized by ggml's reference quantizers; norms and router stay F32, see WeightTypePlan), or as
     * stored when {@code type} is null. Reports progress per tensor and stops at a cancel; the file appears under
     * {@code path} only when complete.
     */
    public void writeGguf(Path path, DType type, LoadProgress progress) {
        checkOpen();
        GgufConversion.writeLoaded(config, weights, backend, vocabulary.get(), type, name, path,
                progress == null ? LoadProgress.NONE : progress);
    }

    /**
     * Writes a synthetic model as a GGUF file without loading it: each tensor is made on {@code backend} in
     * {@code type} (the source's dtype when null), written and freed before the next, so a model larger than the
     * device can be written. The file holds exactly the weights {@link #open} would make for the same source.
     */
    public static void writeSyntheticGguf(ModelSource.Synthetic source, DType type, Backend backend, Path path,
                                          LoadProgress progress) {
        GgufConversion.writeSynthetic(source.config(), type == null ? source.dtype() : type, source.seed(), backend,
                source.displayName(), path, progress == null ? LoadProgress.NONE : progress);
    }

    /** The stored types of the weights, by group ("experts Q4_K/Q6_K, attention Q4_K/Q6_K"). */
    public WeightTypes weightTypes() {
        return WeightTypes.of(weights, fileType);
    }

    public boolean hasTokenizer() {
        return tokenizer != null;
    }

    /** The model's chat template (a GGUF file's or tokenizer_config.json's), or null when it has none. */
    public String chatTemplate() {
        return tokenizer == null ? null : tokenizer.chatTemplate();
    }

    /** EngineException when the model has no tokenizer. */
    public int[] encode(String text) {
        if (tokenizer == null) {
            throw new EngineException("model '" + name + "' has no tokenizer.json: give the prompt as token ids");
        }
        return tokenizer.encode(text);
    }

    /** ids as text; "[1 2 3]" when the model has no tokenizer. */
    public String decode(int[] ids) {
        if (tokenizer == null) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < ids.length; i++) {
                sb.append(i == 0 ? "" : " ").append(ids[i]);
            }
            return sb.append(']').toString();
        }
        return tokenizer.decode(ids);
    }

    /** One token's text piece (for per-token displays). */
    public String tokenText(int id) {
        return decode(new int[] {id});
    }

    /** The type the KV caches of the next prefill (and score) are stored in: F32 (the default), F16 or BF16. */
    public DType kvCacheDType() {
        return kvCacheDType;
    }

    /**
     * Stores the KV caches of runs from the next {@link #prefill} (and {@link #score}) on in {@code dtype}: F16 and
     * BF16 halve the cache's memory and the bytes attention reads, at the cost of rounding every stored key and
     * value. A run in progress keeps its caches.
     */
    public void setKvCacheDType(DType dtype) {
        checkOpen();
        KvCache.requireCacheType(dtype);
        // the attention kernels of a cache type are built on first use: do it now, not in the first profiled step
        if (!"java".equals(backend.kind()) && warmedCacheTypes.add(dtype)) {
            transformer.warmUp(dtype);
        }
        kvCacheDType = dtype;
    }

    // ---------------------------------------------------------------- generation

    /**
     * Starts {@code batch} sequences on the same prompt with a budget of {@code maxNewTokens} each, runs the prefill
     * and samples every sequence's first new token. Arguments are validated before any work.
     */
    public StepResult prefill(int[] promptIds, int batch, int maxNewTokens, SamplingSettings sampling,
                              MoeOptions options, boolean captureRouting) {
        checkOpen();
        validatePrefill(promptIds, batch, maxNewTokens, sampling, options);
        long t0 = System.nanoTime();
        reset();
        int capacity = promptIds.length + maxNewTokens;
        try {
            for (int b = 0; b < batch; b++) {
                KvCache cache = new KvCache(backend, config, capacity, "kv.seq" + b, kvCacheDType);
                sequences.add(new Sequence(b, cache, new Sampler(sampling.temperature(), sampling.topP(),
                        sampling.seed() + b), maxNewTokens));
            }
            Profiler profiler = profilerFor(options);
            profiler.beginStep(Phase.PREFILL, promptIds.length, options);
            List<LayerRouting> routing = captureRouting ? new ArrayList<>() : null;
            KvCache first = sequences.get(0).cache;
            float[] logits = transformer.prefill(promptIds, first, false, options, profiler, routing);
            for (int b = 1; b < batch; b++) {
                sequences.get(b).cache.copyFrom(backend, first, promptIds.length, config.kvDim());
            }
            List<StageSpan> spans = profiler.endStep();
            int[] newTokens = new int[batch];
            String[] newText = new String[batch];
            for (Sequence s : sequences) {
                sampleInto(s, logits, 0, newTokens, newText);
            }
            StepRouting stepRouting = null;
            if (routing != null) {
                int[] positions = new int[promptIds.length];
                Arrays.setAll(positions, i -> i);
                stepRouting = new StepRouting(step, Phase.PREFILL, promptIds.clone(), positions,
                        new int[promptIds.length], routing);
            }
            return result(Phase.PREFILL, promptIds.length, newTokens, newText, options, spans, stepRouting, t0);
        } catch (RuntimeException | Error e) {
            reset();
            throw e;
        }
    }

    private void validatePrefill(int[] promptIds, int batch, int maxNewTokens, SamplingSettings sampling,
                                 MoeOptions options) {
        if (promptIds == null || promptIds.length == 0) {
            throw new IllegalArgumentException("promptIds: the prompt is empty (at least one token is needed)");
        }
        for (int i = 0; i < promptIds.length; i++) {
            if (promptIds[i] < 0 || promptIds[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("promptIds[" + i + "] = " + promptIds[i]
                        + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1, got " + maxNewTokens);
        }
        if ((long) promptIds.length + maxNewTokens > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("context overflow: prompt (" + promptIds.length + " tokens) + maxNewTokens ("
                    + maxNewTokens + ") = " + ((long) promptIds.length + maxNewTokens)
                    + " exceeds max_position_embeddings = " + config.maxPositionEmbeddings());
        }
        if (sampling == null || options == null) {
            throw new IllegalArgumentException("sampling and options must not be null");
        }
    }

    /**
     * One decode token for every unfinished sequence: decode when one is active, batched decode when more are.
     * IllegalStateException if there was no prefill or every sequence has finished.
     */
    public StepResult step(MoeOptions options, boolean captureRouting) {
        checkOpen();
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        if (sequences.isEmpty()) {
            throw new IllegalStateException("no sequence: call prefill first");
        }
        if (finished()) {
            throw new IllegalStateException("every sequence has finished: call prefill to start again");
        }
        long t0 = System.nanoTime();
        List<Sequence> active = sequences.stream().filter(s -> !s.finished()).toList();
        int n = active.size();
        int[] fed = new int[n];
        int[] positions = new int[n];
        int[] seqIndex = new int[n];
        KvCache[] caches = new KvCache[n];
        for (int i = 0; i < n; i++) {
            Sequence s = active.get(i);
            fed[i] = s.lastToken();
            positions[i] = s.cache.length();
            seqIndex[i] = s.index;
            caches[i] = s.cache;
        }
        Phase phase = n == 1 ? Phase.DECODE : Phase.BATCHED_DECODE;
        Profiler profiler = profilerFor(options);
        profiler.beginStep(phase, n, options);
        List<LayerRouting> routing = captureRouting ? new ArrayList<>() : null;
        float[] logits = n == 1
                ? transformer.decode(fed[0], caches[0], options, profiler, routing)
                : transformer.batchedDecode(fed, caches, options, profiler, routing);
        List<StageSpan> spans = profiler.endStep();
        int[] newTokens = new int[sequences.size()];
        String[] newText = new String[sequences.size()];
        Arrays.fill(newTokens, -1);
        Arrays.fill(newText, "");
        for (int i = 0; i < n; i++) {
            sampleInto(active.get(i), logits, i * config.vocabSize(), newTokens, newText);
        }
        StepRouting stepRouting = routing == null ? null
                : new StepRouting(step, phase, fed, positions, seqIndex, routing);
        return result(phase, n, newTokens, newText, options, spans, stepRouting, t0);
    }

    private void sampleInto(Sequence s, float[] logits, int offset, int[] newTokens, String[] newText) {
        int token = s.sampler.sample(logits, offset, config.vocabSize());
        s.accept(token, config.isEos(token));
        newTokens[s.index] = token;
        newText[s.index] = s.nextText(tokenizer);
    }

    /** Spans carry the session's step number (a fresh profiler per step counts from 0). */
    private StepResult result(Phase phase, int tokens, int[] newTokens, String[] newText, MoeOptions options,
                              List<StageSpan> spans, StepRouting routing, long t0) {
        int number = step++;
        List<StageSpan> numbered = new ArrayList<>(spans.size());
        for (StageSpan s : spans) {
            numbered.add(new StageSpan(number, s.phase(), s.layer(), s.block(), s.stage(), s.tokens(), s.options(),
                    s.startNanos(), s.endNanos()));
        }
        return new StepResult(number, phase, tokens, newTokens, newText, options, numbered, routing,
                System.nanoTime() - t0, finished());
    }

    private Profiler profilerFor(MoeOptions options) {
        return options.profiling() ? Profiler.on(backend) : Profiler.OFF;
    }

    /** True when every sequence has hit EOS or its budget (also true before the first prefill). */
    public boolean finished() {
        for (Sequence s : sequences) {
            if (!s.finished()) {
                return false;
            }
        }
        return true;
    }

    /** Per sequence, the new tokens so far. */
    public List<int[]> generatedTokens() {
        List<int[]> out = new ArrayList<>(sequences.size());
        for (Sequence s : sequences) {
            out.add(s.tokens());
        }
        return out;
    }

    /**
     * Scores a prompt: logits at every prompt position (one prefill), the greedy continuation of up to
     * {@code greedyTokens} ids through the decode path, and the router top-k of every prompt token per MoE layer.
     * Forgets any sequences in progress.
     */
    public ScoreResult score(int[] promptIds, int greedyTokens, MoeOptions options) {
        checkOpen();
        validatePrefill(promptIds, 1, greedyTokens, SamplingSettings.GREEDY, options);
        reset();
        int vocab = config.vocabSize();
        try (KvCache cache = new KvCache(backend, config, promptIds.length + greedyTokens, "kv.score", kvCacheDType)) {
            List<LayerRouting> routing = new ArrayList<>();
            float[] logits = transformer.prefill(promptIds, cache, true, options, Profiler.OFF, routing);
            int[] continuation = new int[greedyTokens];
            int n = 0;
            int token = Sampler.argmax(logits, (promptIds.length - 1) * vocab, vocab);
            while (true) {
                continuation[n++] = token;
                if (n == greedyTokens || config.isEos(token)) {
                    break;
                }
                float[] next = transformer.decode(token, cache, options, Profiler.OFF, null);
                token = Sampler.argmax(next, 0, vocab);
            }
            return new ScoreResult(promptIds.clone(), logits, vocab, Arrays.copyOf(continuation, n), routing);
        }
    }

    /**
     * One token through one MoE layer with the numbers of a run: replays {@code replay} up to {@code step} in KV
     * caches of its own (the sequences in progress are not touched) and reads back the MoE block of {@code layer} for
     * the step's row {@code row}; see {@link MoeTokenTrace}. Costs the replayed steps, once per call.
     */
    public MoeTokenTrace traceToken(RunReplay replay, int step, int layer, int row) {
        checkOpen();
        return new TokenTracer(backend, config, transformer, kvCacheDType).trace(replay, step, layer, row);
    }

    /** Forgets sequences and KV caches (keeps the loaded model). */
    public void reset() {
        sequences.forEach(Sequence::close);
        sequences.clear();
        step = 0;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the session is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reset();
        transformer.close();
        weights.close();
        if (tokenizer != null) {
            tokenizer.close();
        }
        backend.close();
    }
}
