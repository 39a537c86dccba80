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
            Application.launch(MoeScopeApp.class);
        } else {
            Cli.main(args);
        }
    }
}
