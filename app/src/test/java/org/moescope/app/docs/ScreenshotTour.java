package org.moescope.app.docs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.moescope.app.MoeScopeApp;
import org.moescope.app.export.PngSnapshot;
import org.moescope.app.export.slide.SlideOptions;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.moe.MoeOptions;

/**
 * Drives the real app through every view and captures the X screen after each (the user guide's screenshots).
 * Run under Xvfb by scripts/screenshots.sh: {@code ScreenshotTour OUT_DIR MODEL DEVICE}.
 */
public final class ScreenshotTour {
    private static final int WIDTH = Integer.getInteger("tour.width", 1600);
    private static final int HEIGHT = Integer.getInteger("tour.height", 1000);

    private final Path out;
    private MainWindow window;
    private SessionViewModel vm;

    private ScreenshotTour(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/images");
        String model = args.length > 1 ? args[1] : "";
        String device = args.length > 2 ? args[2] : "";
        Files.createDirectories(out);
        Platform.startup(() -> { });
        int status = 0;
        try {
            new ScreenshotTour(out).run(model, device);
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        } finally {
            Platform.exit();
        }
        System.exit(status);
    }

    private void run(String model, String device) throws Exception {
        AppPreferences prefs = new AppPreferences(Preferences.userRoot().node("moescope-tour/" + System.nanoTime()));
        prefs.setModel(model);
        prefs.setDevice(device);
        prefs.setWindowSize(WIDTH, HEIGHT);
        fx(() -> {
            Stage stage = new Stage();
            window = MoeScopeApp.open(stage, prefs, true);
            stage.setX(0);
            stage.setY(0);
            stage.setWidth(WIDTH);
            stage.setHeight(HEIGHT);
            vm = window.viewModel();
            return null;
        });
        awaitIdle();
        fail();
        // the run panel alone: model line with the weight types, the switches
        settle();
        fx(() -> {
            PngSnapshot.write(window.runPanel(), out.resolve("run-panel.png"));
            return null;
        });
        fx(() -> {
            vm.maxNewTokensProperty().set(Integer.getInteger("tour.tokens", 40));
            vm.temperatureProperty().set(Double.parseDouble(System.getProperty("tour.temperature", "0")));
            if (vm.hasTokenizerProperty().get()) {
                vm.promptProperty().set(System.getProperty("tour.prompt", vm.promptProperty().get()));
            }
            vm.generate();
            return null;
        });
        awaitIdle();
        fail();
        shot("output");

        tab(1);
        shot("timeline");
        slide("slide-timeline", "1920 px");

        tab(2);
        fx(() -> {
            window.routing().selectedRowProperty().set(Math.min(3, vm.steps().get(0).tokensProcessed() - 1));
            return null;
        });
        shot("routing");
        slide("slide-routing", "1920 px");
        presenting("presenting-routing");
        tab(1);
        presenting("presenting-timeline");
        tab(0);
        presenting("presenting-output");

        // teaching mode: a decode token at an expert, then a prompt token at the grouped GEMM tiles
        teachingShot("teaching", 1, 0, "expert-0");
        teachingShot("teaching-prefill", 0, 2, "tiles");
        presenting("presenting-teaching");
        // follow mode at a demo pace, taken mid-run: the map grows a row per token, the grid lights its experts
        fx(() -> {
            window.routing().paceProperty().set(5.0);
            window.routing().followProperty().set(true);
            vm.maxNewTokensProperty().set(40);
            vm.generate();
            return null;
        });
        while (fx(() -> vm.steps().size()) < 10) {
            Thread.sleep(100);
        }
        shot("follow");
        presenting("presenting-follow");
        fx(() -> {
            vm.stop();
            return null;
        });
        awaitIdle();
        fx(() -> {
            window.routing().followProperty().set(false);
            window.routing().paceProperty().set(0.0);
            return null;
        });
        crossSelectionShots();

        tab(3);
        fx(() -> {
            vm.maxNewTokensProperty().set(8);
            window.compare().set(MoeOptions.DEFAULT, MoeOptions.DEFAULT.withFusedGateUpSilu(false), 3, true);
            window.compare().run();
            return null;
        });
        awaitIdle();
        fail();
        shot("compare");

        // a run with the run panel's switches, in the dark theme
        fx(() -> {
            window.darkThemeProperty().set(true);
            vm.maxNewTokensProperty().set(16);
            vm.generate();
            return null;
        });
        awaitIdle();
        tab(1);
        shot("timeline-dark");
        fx(() -> {
            window.darkThemeProperty().set(false);
            return null;
        });

        tab(0);
        fx(() -> {
            window.showHelp();
            return null;
        });
        shot("help");
        Path notAModel = Files.createTempDirectory("downloads");
        Files.writeString(notAModel.resolve("notes.txt"), "not a model");
        fx(() -> {
            javafx.stage.Window.getWindows().stream().filter(w -> w != window.getScene().getWindow()).toList()
                    .forEach(javafx.stage.Window::hide);
            vm.modelProperty().set(notAModel.toString());
            vm.loadModel();
            return null;
        });
        awaitIdle();
        shot("error");
    }

    private void teachingShot(String name, int step, int row, String phase) throws Exception {
        fx(() -> {
            window.tabs().getSelectionModel().select(window.tabs().getTabs().stream()
                    .filter(t -> t.getContent() == window.teaching()).findFirst().orElseThrow());
            int layer = vm.configProperty().get().numHiddenLayers() > 1 ? 1 : 0;
            window.teaching().walkThrough(step, layer, row);
            return null;
        });
        awaitIdle();
        fail();
        fx(() -> {
            window.teaching().go(window.teaching().walk().indexOf(phase));
            return null;
        });
        shot(name);
    }

    /** The current view exported as a slide, with title and legend, at {@code size}. */
    private void slide(String name, String size) throws Exception {
        settle();
        Path file = out.resolve(name + ".png");
        var task = fx(() -> java.util.Optional.ofNullable(
                window.slides().export(file, new SlideOptions(size, true, true, SlideOptions.Format.PNG))));
        if (task.isEmpty()) {
            throw new IllegalStateException("no slide: " + fx(() -> vm.lastErrorProperty().get()));
        }
        while (!fx(() -> task.get().isDone())) {
            Thread.sleep(100);
        }
        fail();
        System.out.println("wrote " + file);
    }

    /** The window presenting the current tab, as on a 1920 x 1080 projector (a picture of the window, not the screen). */
    private void presenting(String name) throws Exception {
        Stage stage = fx(() -> (Stage) window.getScene().getWindow());
        fx(() -> {
            vm.showStatus("Presentation mode: Esc leaves, Ctrl + and Ctrl \u2212 change the text size");
            window.presentation().setFullScreen(false);
            window.presentation().presentingProperty().set(true);
            stage.setWidth(1920);
            stage.setHeight(1080);
            return null;
        });
        settle();
        fx(() -> {
            PngSnapshot.write(window, out.resolve(name + ".png"));
            window.presentation().presentingProperty().set(false);
            window.presentation().setFullScreen(true);
            stage.setWidth(WIDTH);
            stage.setHeight(HEIGHT);
            return null;
        });
        settle();
        System.out.println("wrote " + out.resolve(name + ".png"));
    }

    /**
     * A token × expert cell picked in the routing view, shown in the timeline (View ▸ Show in timeline); then the
     * glossary tooltip of the stage table's first stage.
     */
    private void crossSelectionShots() throws Exception {
        fx(() -> {
            var routing = window.routing();
            int row = routing.run().rows().size() - 2;
            int layerIndex = routing.run().layers().length - 1;
            routing.layerIndexProperty().set(layerIndex);
            routing.tokenHeatmap().selectedColumnProperty().set(routing.run().top1(row, layerIndex));
            routing.selectedRowProperty().set(row);
            window.selection().show(org.moescope.app.viewmodel.Selection.View.TIMELINE);
            return null;
        });
        shot("cross-selection");
        javafx.scene.control.Tooltip tip = fx(() -> {
            for (javafx.scene.Node n : window.timeline().stageTable().lookupAll(".table-cell")) {
                if (n instanceof javafx.scene.control.TableCell<?, ?> c && c.getTooltip() != null
                        && c.getTableRow() != null && c.getTableRow().getIndex() == 0
                        && c.getTableColumn().getGraphic() instanceof javafx.scene.control.Label l
                        && "Stage".equals(l.getText())) {
                    var b = c.localToScreen(c.getBoundsInLocal());
                    c.getTooltip().show(c, b.getMinX() + 20, b.getMaxY() + 4);
                    return c.getTooltip();
                }
            }
            throw new IllegalStateException("no stage cell with a glossary tooltip");
        });
        shot("glossary-tooltip");
        fx(() -> {
            tip.hide();
            return null;
        });
    }

    private void fail() throws Exception {
        String error = fx(() -> vm.lastErrorProperty().get());
        if (error != null) {
            throw new IllegalStateException("the tour hit an error: " + error);
        }
    }

    private void tab(int index) throws Exception {
        fx(() -> {
            window.tabs().getSelectionModel().select(index);
            return null;
        });
    }

    private void shot(String name) throws Exception {
        settle();
        Path file = out.resolve(name + ".png");
        Process p = new ProcessBuilder("import", "-window", "root", file.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("import failed for " + file);
        }
        System.out.println("wrote " + file);
    }

    private void settle() throws Exception {
        for (int i = 0; i < 5; i++) {
            fx(() -> null);
            Thread.sleep(300);
        }
    }

    private void awaitIdle() throws Exception {
        settle();
        while (fx(() -> vm.busyProperty().get())) {
            Thread.sleep(200);
        }
        settle();
    }

    private static <T> T fx(Callable<T> callable) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                result.complete(callable.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(600, TimeUnit.SECONDS);
    }
}
