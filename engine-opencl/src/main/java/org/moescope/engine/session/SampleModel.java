package org.moescope.engine.session;

import java.nio.file.Files;
import java.nio.file.Path;
import org.moescope.engine.backend.EngineException;

/** The bundled sample model: the {@code sample-weights/} folder of the MoEScope installation or repository. */
public final class SampleModel {

    public static final String FOLDER = "sample-weights";
    /** Set by the launcher to the installation root. */
    public static final String HOME_PROPERTY = "moescope.home";

    private SampleModel() {
    }

    /**
     * {@code $moescope.home/sample-weights} when the property is set, else the first {@code sample-weights/} holding a
     * config.json found walking up from the working directory.
     */
    public static Path locate() {
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            Path dir = Path.of(home).resolve(FOLDER);
            if (Files.isRegularFile(dir.resolve("config.json"))) {
                return dir;
            }
            throw new EngineException("the sample model is missing: no " + dir.resolve("config.json")
                    + " (" + HOME_PROPERTY + "=" + home + "); pass --model with a model folder or a preset instead");
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(FOLDER).resolve("config.json"))) {
                return dir.resolve(FOLDER);
            }
        }
        throw new EngineException("the sample model is missing: no " + FOLDER + "/config.json in " + start
                + " or any folder above it; pass --model with a model folder or a preset instead");
    }
}
