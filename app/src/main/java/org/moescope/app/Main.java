package org.moescope.app;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import javafx.application.Application;

/**
 * Entry point: no arguments opens the app; arguments run the headless CLI ({@code org.moescope.app.cli.Cli}).
 * The CLI is looked up by name so that the GUI does not depend on it at compile time.
 */
public final class Main {
    static final String CLI_CLASS = "org.moescope.app.cli.Cli";

    private Main() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            Application.launch(MoeScopeApp.class);
            return;
        }
        Method cliMain;
        try {
            cliMain = Class.forName(CLI_CLASS).getMethod("main", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            System.err.println("usage: moescope                 open the app on the bundled sample model");
            System.err.println("       moescope [devices | generate | score | bench] ...   (the command-line tools are not in this build)");
            System.exit(2);
            return;
        }
        try {
            cliMain.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
