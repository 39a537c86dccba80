package org.moescope.app.view;

import java.io.File;
import java.util.List;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import org.controlsfx.control.NotificationPane;
import org.moescope.app.viewmodel.DeviceChoice;
import org.moescope.app.viewmodel.Selection;
import org.moescope.app.viewmodel.SessionViewModel;

/**
 * The main window: menu bar, the run panel on the left, tabs (output and dashboard, timeline, routing, A/B
 * compare) in the centre under a notification bar for errors, and a status bar with progress.
 */
public final class MainWindow extends BorderPane {
    private final SessionViewModel vm;
    private final RunPanel runPanel;
    private final OutputPane output;
    private final ComparePane compare;
    private final TabPane tabs = new TabPane();
    private final NotificationPane notifications;
    private final BooleanProperty darkTheme = new SimpleBooleanProperty(this, "darkTheme");
    private final ExportActions exports;
    private final TimelinePane timeline;
    private final RoutingPane routing;
    private final org.moescope.app.view.teach.TeachingView teaching;
    private final PresentationMode presentation = new PresentationMode(this);
    private final Selection selection = new Selection();

    public MainWindow(SessionViewModel vm, List<DeviceChoice> devices) {
        this.vm = vm;
        getStyleClass().add("main-window");
        runPanel = new RunPanel(vm, devices);
        output = new OutputPane(vm);
        compare = new ComparePane(vm);
        timeline = new TimelinePane(vm.steps());
        routing = new RoutingPane(vm.steps(), vm.tokenText());
        routing.modelConfigProperty().bind(vm.configProperty());
        timeline.modelBytesProperty().bind(javafx.beans.binding.Bindings.createObjectBinding(
                () -> org.moescope.app.metrics.StageBytes.forModel(vm.configProperty().get(),
                        vm.weightTypesProperty().get()),
                vm.configProperty(), vm.weightTypesProperty()));
        routing.quantizedExpertsProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(
                () -> vm.weightTypesProperty().get() != null && vm.weightTypesProperty().get().expertsQuantized(),
                vm.weightTypesProperty()));
        exports = new ExportActions(vm, timeline, routing, this::currentChart);
        routing.paceProperty().addListener((o, was, pace) -> vm.pacer().setStepsPerSecond(pace == null ? 0 : pace));
        // a token, layer or expert picked in one view picks its spans in the other, through one shared selection
        org.moescope.app.view.timeline.TimelineSelection.attach(timeline.flameChart(), selection);
        org.moescope.app.view.routing.RoutingSelection.attach(routing.selectedRowProperty(), routing.layerIndexProperty(),
                routing::run, routing.tokenHeatmap(), routing.inspector(), selection,
                List.of(routing.tokenHeatmap(), routing.routedText()));
        selection.addShowListener(v -> tabs.getSelectionModel().select(v == Selection.View.TIMELINE ? 1 : 2));

        tabs.setId("main-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getTabs().addAll(tab("Output", "tab-output", output), tab("Timeline", "tab-timeline", timeline),
                tab("Routing", "tab-routing", routing), tab("A/B compare", "tab-compare", compare));
        teaching = new org.moescope.app.view.teach.TeachingView(vm, timeline.flameChart(),
                () -> tabs.getSelectionModel().select(1));
        Tab teachingTab = tab("Teaching", "tab-teaching", teaching);
        tabs.getTabs().add(teachingTab);
        routing.inspector().onWalkThroughProperty().set((step, layer, row) -> {
            tabs.getSelectionModel().select(teachingTab);
            teaching.walkThrough(step, layer, row);
        });
        // Follow turned on (F8 from any tab) shows the routing view
        routing.followProperty().addListener((o, was, on) -> tabs.getTabs().stream()
                .filter(t -> on && "tab-routing".equals(t.getId())).findFirst().ifPresent(tabs.getSelectionModel()::select));
        notifications = new NotificationPane(tabs);
        notifications.setId("notifications");
        notifications.getStyleClass().add(NotificationPane.STYLE_CLASS_DARK);
        pushTabsBelowTheBar();
        vm.lastErrorProperty().addListener((obs, was, message) -> {
            if (message != null) {
                // show(text) on a showing bar hides it and shows the text only when the hide animation ends, so an
                // error arriving during that animation was lost; setting the text first keeps it
                notifications.setText(message);
                notifications.show();
            }
        });
        vm.busyProperty().addListener((obs, was, busy) -> {
            if (busy) {
                notifications.hide();
            }
        });

        ScrollPane left = new ScrollPane(runPanel);
        left.setFitToWidth(true);
        left.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        left.getStyleClass().add("run-panel-scroll");
        setTop(menuBar());
        setLeft(left);
        setCenter(notifications);
        setBottom(statusBar());

        // a .gguf file or a model folder dropped anywhere on the window loads it
        setOnDragOver(e -> {
            if (!vm.busyProperty().get() && e.getDragboard().hasFiles()
                    && ModelChooser.droppedModel(e.getDragboard().getFiles()).isPresent()) {
                e.acceptTransferModes(TransferMode.COPY_OR_MOVE);
            }
            e.consume();
        });
        setOnDragDropped(e -> {
            e.setDropCompleted(e.getDragboard().hasFiles() && dropModel(e.getDragboard().getFiles()));
            e.consume();
        });
    }

    /**
     * The notification bar slides over its content; the tabs get a top inset as tall as the visible part of the
     * bar, so that it pushes the tab strip down instead of covering it.
     */
    private void pushTabsBelowTheBar() {
        javafx.beans.value.ChangeListener<javafx.geometry.Bounds> follow = (o, was, bounds) -> {
            Node bar = notifications.lookup(".notification-bar");
            // the bar's own box, not its shadow
            double covered = bar == null ? 0 : bar.getLayoutY() + bar.getTranslateY() + bar.getLayoutBounds().getHeight();
            double top = bar != null && bar.isVisible() ? Math.max(0, covered) : 0;
            if (tabs.getPadding().getTop() != top) {
                tabs.setPadding(new Insets(top, 0, 0, 0));
            }
        };
        notifications.skinProperty().addListener((o, was, skin) -> {
            Node bar = notifications.lookup(".notification-bar");
            if (bar != null) {
                bar.boundsInParentProperty().addListener(follow);
                bar.visibleProperty().addListener(v -> follow.changed(null, null, bar.getBoundsInParent()));
            }
        });
    }

    /**
     * Loads what a drop on the window carries when it names one model (a .gguf file or a folder) and nothing runs;
     * returns whether it did.
     */
    public boolean dropModel(List<File> files) {
        if (vm.busyProperty().get()) {
            return false;
        }
        var model = ModelChooser.droppedModel(files);
        model.ifPresent(vm::openModel);
        return model.isPresent();
    }

    private static Tab tab(String title, String id, Node content) {
        Tab tab = new Tab(title, content);
        tab.setId(id);
        return tab;
    }

    private MenuBar menuBar() {
        Menu recent = new Menu("Open recent");
        recent.setId("menu-open-recent");
        fillRecent(recent);
        vm.recentModels().addListener((javafx.collections.ListChangeListener<String>) c -> fillRecent(recent));
        Menu file = new Menu("File", null,
                item(Shortcut.OPEN_GGUF, runPanel::openGgufFile),
                item(Shortcut.OPEN_FOLDER, runPanel::openFolder),
                recent,
                item(Shortcut.LOAD_MODEL, vm::loadModel),
                new SeparatorMenuItem(),
                item(Shortcut.EXPORT_TRACE, exports::exportTrace),
                item(Shortcut.EXPORT_ROUTING, exports::exportRouting),
                item(Shortcut.SNAPSHOT, exports::saveChartPng),
                item(Shortcut.SLIDE, () -> exports.slides().exportSlide()),
                new SeparatorMenuItem(),
                // a close request, as the window's close button sends, so that Quit asks during a run (CloseGuard)
                item(Shortcut.QUIT, () -> getScene().getWindow().fireEvent(new javafx.stage.WindowEvent(
                        getScene().getWindow(), javafx.stage.WindowEvent.WINDOW_CLOSE_REQUEST))));
        Menu run = new Menu("Run", null,
                item(Shortcut.PREFILL, vm::prefill),
                item(Shortcut.STEP, vm::step),
                item(Shortcut.GENERATE, vm::generate),
                item(Shortcut.STOP, vm::stop),
                item(Shortcut.RESET, vm::reset),
                new SeparatorMenuItem(),
                item(Shortcut.COMPARE, () -> {
                    tabs.getSelectionModel().select(3);
                    compare.run();
                }));
        Menu switches = new Menu("Switches", null,
                check(Shortcut.FUSED, vm.fusedGateUpSiluProperty()),
                check(Shortcut.HOST_TOPK, vm.hostTopkProperty()),
                check(Shortcut.DIRECT, vm.directDispatchProperty()),
                check(Shortcut.Q8_ACTIVATIONS, vm.q8ActivationsProperty()),
                check(Shortcut.PROFILING, vm.profilingProperty()));
        Menu view = new Menu("View", null,
                item(Shortcut.TAB_OUTPUT, () -> tabs.getSelectionModel().select(0)),
                item(Shortcut.TAB_TIMELINE, () -> tabs.getSelectionModel().select(1)),
                item(Shortcut.TAB_ROUTING, () -> tabs.getSelectionModel().select(2)),
                item(Shortcut.TAB_COMPARE, () -> tabs.getSelectionModel().select(3)),
                item(Shortcut.TAB_TEACHING, () -> tabs.getSelectionModel().select(tabs.getTabs().stream()
                        .filter(t -> t.getContent() == teaching).findFirst().orElseThrow())),
                item(Shortcut.SHOW_IN_TIMELINE, () -> selection.show(Selection.View.TIMELINE)),
                item(Shortcut.SHOW_IN_ROUTING, () -> selection.show(Selection.View.ROUTING)),
                new SeparatorMenuItem(),
                check(Shortcut.FOLLOW, routing.followProperty()),
                check(Shortcut.DARK_THEME, darkTheme),
                check(Shortcut.PRESENT, presentation.presentingProperty()),
                item(Shortcut.TEXT_LARGER, presentation::larger),
                item(Shortcut.TEXT_SMALLER, presentation::smaller),
                item(Shortcut.TEXT_NORMAL, presentation::actualSize));
        Menu help = new Menu("Help", null, item(Shortcut.HELP, this::showHelp), aboutItem());
        MenuBar bar = new MenuBar(file, run, switches, view, help);
        bar.setId("menu-bar");
        return bar;
    }

    private void fillRecent(Menu recent) {
        recent.getItems().setAll(runPanel.recentItems(""));
        recent.setDisable(recent.getItems().isEmpty());
    }

    private static MenuItem item(Shortcut shortcut, Runnable action) {
        MenuItem item = new MenuItem(shortcut.description());
        item.setId("menu-" + shortcut.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        item.setAccelerator(shortcut.keys());
        item.setOnAction(e -> action.run());
        return item;
    }

    private static CheckMenuItem check(Shortcut shortcut, BooleanProperty property) {
        String text = shortcut.description().replaceFirst("^Toggle (the )?", "");
        CheckMenuItem item = new CheckMenuItem(Character.toUpperCase(text.charAt(0)) + text.substring(1));
        item.setAccelerator(shortcut.keys());
        item.selectedProperty().bindBidirectional(property);
        return item;
    }

    private MenuItem aboutItem() {
        MenuItem about = new MenuItem("About MoEScope");
        about.setOnAction(e -> {
            Alert alert = new Alert(Alert.AlertType.INFORMATION, "A visual profiler for Mixture-of-Experts inference: "
                    + "an OpenCL engine for Qwen3-MoE models, flame charts of every stage and expert-routing heatmaps.", ButtonType.OK);
            alert.setHeaderText("MoEScope");
            alert.initOwner(getScene().getWindow());
            alert.show();
        });
        return about;
    }

    /** Opens the keyboard shortcut sheet. */
    public void showHelp() {
        Alert sheet = new Alert(Alert.AlertType.NONE, null, ButtonType.CLOSE);
        sheet.setTitle("MoEScope keyboard shortcuts");
        sheet.setHeaderText("Keyboard shortcuts");
        sheet.setResizable(true);
        sheet.getDialogPane().setContent(new HelpSheet());
        sheet.getDialogPane().getStylesheets().setAll(getScene().getStylesheets());
        sheet.getDialogPane().setStyle(getStyle());
        sheet.initOwner(getScene().getWindow());
        sheet.show();
    }

    private Node statusBar() {
        Label status = new Label();
        status.setId("status-label");
        status.textProperty().bind(vm.statusProperty());
        status.setMinWidth(0);
        HBox.setHgrow(status, Priority.SOMETIMES);
        ProgressBar progress = new ProgressBar();
        progress.setId("status-progress");
        progress.progressProperty().bind(javafx.beans.binding.Bindings.when(vm.busyProperty())
                .then(javafx.beans.binding.Bindings.when(vm.progressProperty().greaterThan(0)).then(vm.progressProperty()).otherwise(-1.0))
                .otherwise(0.0));
        progress.visibleProperty().bind(vm.busyProperty());
        progress.setPrefWidth(220);
        Label steps = new Label();
        steps.setMinWidth(Region.USE_PREF_SIZE);
        steps.setId("steps-label");
        // counts every step of the run; says so when a long run keeps only its last steps in full
        steps.textProperty().bind(vm.stepsSummaryProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(12, status, spacer, steps, progress);
        bar.getStyleClass().add("status-bar");
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(4, 10, 4, 10));
        return bar;
    }

    /** The chart of the selected tab (flame chart, token heatmap), else the tab's content, for File ▸ Save as PNG. */
    private Node currentChart() {
        return switch (tabs.getSelectionModel().getSelectedIndex()) {
            case 1 -> timeline.flameChart();
            case 2 -> routing.tokenHeatmap();
            default -> tabs.getSelectionModel().getSelectedItem().getContent();
        };
    }

    /** File ▸ Export the current view as a slide. */
    public SlideExport slides() {
        return exports.slides();
    }

    ExportActions exports() {
        return exports;
    }

    public TimelinePane timeline() {
        return timeline;
    }

    public org.moescope.app.view.teach.TeachingView teaching() {
        return teaching;
    }

    public RoutingPane routing() {
        return routing;
    }

    public PresentationMode presentation() {
        return presentation;
    }

    /** The pick shared by the timeline and the routing views. */
    public Selection selection() {
        return selection;
    }

    public BooleanProperty darkThemeProperty() {
        return darkTheme;
    }

    public SessionViewModel viewModel() {
        return vm;
    }

    public RunPanel runPanel() {
        return runPanel;
    }

    public OutputPane output() {
        return output;
    }

    public ComparePane compare() {
        return compare;
    }

    public TabPane tabs() {
        return tabs;
    }

    public NotificationPane notifications() {
        return notifications;
    }
}
