package org.moescope.app;

import javafx.application.Application;
import org.moescope.app.cli.Cli;

/**
 * Entry point: no arguments opens the app; arguments run the headless command-line tools ({@link Cli}).
 * This class does not extend {@link Application}, so the app starts from a plain class path.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            try {
                Application.launch(MoeScopeApp.class);
            } catch (RuntimeException | LinkageError e) {
                var sentence = DesktopStartupFailure.explain(e);
                if (sentence.isEmpty()) {
                    throw e;
                }
                System.err.println(sentence.get());
                System.exit(1);
            }
        } else {
            Cli.main(args);
        }
    }
}
