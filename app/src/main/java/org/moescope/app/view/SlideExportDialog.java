package org.moescope.app.view;

import javafx.geometry.Insets;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.stage.Window;
import org.moescope.app.export.slide.SlideOptions;

/**
 * The options of a slide export: size (a scale of the view or a width in pixels), the title band, the legend band,
 * PNG or SVG (SVG for the flame chart and the heatmaps). Starts from the options used last.
 */
final class SlideExportDialog extends Dialog<SlideOptions> {
    final ComboBox<String> size = new ComboBox<>();
    final CheckBox title = new CheckBox("Title: the view, model, prompt and phases, date");
    final CheckBox legend = new CheckBox("Legend and axes");
    final ChoiceBox<SlideOptions.Format> format = new ChoiceBox<>();
    final Label pixels = new Label();

    /** {@code viewWidth} x {@code viewHeight}: the view's size on screen, for the pixel size each choice gives. */
    SlideExportDialog(Window owner, SlideOptions last, boolean svgPossible, String viewName, double viewWidth,
                      double viewHeight) {
        setTitle("Export the view as a slide");
        setHeaderText("Export " + viewName + " as a slide");
        if (owner != null) {
            initOwner(owner);
            getDialogPane().getStylesheets().setAll(owner.getScene().getStylesheets());
            // the window's text size (presentation mode)
            getDialogPane().setStyle(owner.getScene().getRoot().getStyle());
        }
        size.getItems().setAll(SlideOptions.SIZES);
        size.setValue(last.size());
        size.setId("slide-size");
        title.setSelected(last.title());
        title.setId("slide-title-on");
        legend.setSelected(last.legend());
        legend.setId("slide-legend-on");
        format.getItems().setAll(SlideOptions.Format.values());
        format.setValue(svgPossible ? last.format() : SlideOptions.Format.PNG);
        format.setDisable(!svgPossible);
        format.setId("slide-format");

        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(8);
        grid.setPadding(new Insets(10));
        grid.addRow(0, new Label("Size"), size);
        grid.add(pixels, 1, 1);
        grid.addRow(2, new Label("Format"), format);
        grid.add(title, 0, 3, 2, 1);
        grid.add(legend, 0, 4, 2, 1);
        pixels.setId("slide-pixels");
        size.valueProperty().addListener(o -> showPixels(viewWidth, viewHeight));
        showPixels(viewWidth, viewHeight);
        Label note = new Label(svgPossible ? "1x = the size on screen; SVG stays sharp at any size."
                : "1x = the size on screen. SVG is available for the flame chart and the heatmaps.");
        note.setWrapText(true);
        note.setMaxWidth(360);
        grid.add(note, 0, 5, 2, 1);
        getDialogPane().setContent(grid);
        getDialogPane().getButtonTypes().setAll(ButtonType.OK, ButtonType.CANCEL);
        setResultConverter(button -> button == ButtonType.OK
                ? new SlideOptions(size.getValue(), title.isSelected(), legend.isSelected(), format.getValue()) : null);
    }

    private void showPixels(double viewWidth, double viewHeight) {
        double scale = new SlideOptions(size.getValue(), true, true, SlideOptions.Format.PNG).scaleFor(viewWidth);
        pixels.setText(String.format(java.util.Locale.ROOT, "the view at %.0f \u00d7 %.0f px, and the bands",
                Math.ceil(viewWidth * scale), Math.ceil(viewHeight * scale)));
    }
}
