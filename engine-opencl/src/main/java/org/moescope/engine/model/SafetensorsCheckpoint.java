package org.moescope.engine.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.EngineException;

/**
 * The weights of a Hugging Face folder: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json} ({@code weight_map: tensor name -> shard file}).
 */
public final class SafetensorsCheckpoint implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile.Tensor> tensors;
    private final Map<String, SafetensorsFile> owner;

    private SafetensorsCheckpoint(List<SafetensorsFile> files, Map<String, SafetensorsFile.Tensor> tensors,
                                  Map<String, SafetensorsFile> owner) {
        this.files = files;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.owner = owner;
    }

    public static boolean existsIn(Path dir) {
        return Files.isRegularFile(dir.resolve(SINGLE_FILE)) || Files.isRegularFile(dir.resolve(INDEX_FILE));
    }

    /** Opens and validates every file of the checkpoint in {@code dir}. */
    public static SafetensorsCheckpoint open(Path dir) {
        List<Path> shards;
        Map<String, String> weightMap = null;
        if (Files.isRegularFile(dir.resolve(INDEX_FILE))) {
            weightMap = readWeightMap(dir.resolve(INDEX_FILE));
            shards = new ArrayList<>();
            for (String file : new java.util.TreeSet<>(weightMap.values())) {
                shards.add(dir.resolve(file));
            }
        } else if (Files.isRegularFile(dir.resolve(SINGLE_FILE))) {
            shards = List.of(dir.resolve(SINGLE_FILE));
        } else {
            throw new EngineException("no weights in " + dir.toAbsolutePath() + ": expected " + SINGLE_FILE + " or " + INDEX_FILE);
        }
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, SafetensorsFile.Tensor> tensors = new TreeMap<>();
            Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
            for (Path shard : shards) {
                if (!Files.isRegularFile(shard)) {
                    throw new EngineException(INDEX_FILE + " lists shard " + shard.getFileName() + ", which is missing in " + dir);
                }
                SafetensorsFile file = SafetensorsFile.open(shard);
                opened.add(file);
                for (SafetensorsFile.Tensor t : file.tensors().values()) {
                    SafetensorsFile previous = owner.put(t.name(), file);
                    if (previous != null) {
                        throw new EngineException("tensor '" + t.name() + "' appears in both " + previous.path().getFileName()
                                + " and " + shard.getFileName());
                    }
                    tensors.put(t.name(), t);
                }
            }
            if (weightMap != null) {
                for (Map.Entry<String, String> e : weightMap.entrySet()) {
                    SafetensorsFile f = owner.get(e.getKey());
                    if (f == null || !f.path().getFileName().toString().equals(Path.of(e.getValue()).getFileName().toString())) {
                        throw new EngineException(INDEX_FILE + " maps tensor '" + e.getKey() + "' to " + e.getValue()
                                + ", which does not contain it");
                    }
                }
            }
            return new SafetensorsCheckpoint(opened, tensors, owner);
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> readWeightMap(Path index) {
        try {
            JsonObject root = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8)).getAsJsonObject();
            JsonObject map = root.getAsJsonObject("weight_map");
            if (map == null) {
                throw new EngineException(index + ": no weight_map");
            }
            Map<String, String> out = new TreeMap<>();
            for (Map.Entry<String, JsonElement> e : map.entrySet()) {
                out.put(e.getKey(), e.getValue().getAsString());
            }
            return out;
        } catch (IOException e) {
            throw new EngineException("cannot read " + index + ": " + e, e);
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new EngineException(index + ": malformed index: " + e.getMessage(), e);
        }
    }

    /** The file that names the checkpoint's tensors (its only file, or the index of its shards), for messages. */
    public Path describingFile() {
        Path first = files.isEmpty() ? Path.of(SINGLE_FILE) : files.get(0).path();
        return files.size() == 1 ? first : first.resolveSibling(INDEX_FILE);
    }

    /** All tensors by name (sorted). */
    public Map<String, SafetensorsFile.Tensor> tensors() {
        return tensors;
    }

    public SafetensorsFile.Tensor tensor(String name) {
        SafetensorsFile.Tensor t = tensors.get(name);
        if (t == null) {
            throw new EngineException("missing tensor '" + name + "'");
        }
        return t;
    }

    /** Uploads tensor {@code name} into {@code dst} at element {@code dstOffset}. */
    public void upload(String name, Backend backend, DeviceBuffer dst, long dstOffset) {
        owner.get(name).upload(tensor(name), backend, dst, dstOffset);
    }

    /** Uploads elements [srcOffset, srcOffset + count) of tensor {@code name} into {@code dst} at {@code dstOffset}. */
    public void upload(String name, long srcOffset, long count, Backend backend, DeviceBuffer dst, long dstOffset) {
        owner.get(name).upload(tensor(name), srcOffset, count, backend, dst, dstOffset);
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
