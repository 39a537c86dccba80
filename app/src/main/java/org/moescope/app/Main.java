package org.moescope.app;

/** Entry point: no arguments opens the app; a subcommand runs the headless CLI. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("usage: moescope [devices | generate | score | bench] ...");
    }
}
