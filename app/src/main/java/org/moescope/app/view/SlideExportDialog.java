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
 * PNG or SVG (SVG for the flame chart). Starts from the options used last.
 */
final class SlideExportDialog extends Dialog<SlideOptions> {
    final ComboBox<String> size = new ComboBox<>();
    final CheckBox title = new CheckBox("Title: the view, model, prompt and phases, date");
    final CheckBox legend = new CheckBox("Legend and axes");
    final ChoiceBox<SlideOptions.Format> format = new ChoiceBox<>();

    SlideExportDialog(Window owner, SlideOptions last, boolean svgPossible, String viewName) {
        setTitle("Export the view as a slide");
        setHeaderText("Export " + viewName + " as a slide");
        if (owner != null) {
            initOwner(owner);
            getDialogPane().getStylesheets().setAll(owner.getScene().getStylesheets());
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
        grid.addRow(1, new Label("Format"), format);
        grid.add(title, 0, 2, 2, 1);
        grid.add(legend, 0, 3, 2, 1);
        Label note = new Label(svgPossible ? "1x = the size on screen; SVG stays sharp at any size."
                : "1x = the size on screen. SVG is available for the timeline's flame chart.");
        note.setWrapText(true);
        note.setMaxWidth(360);
        grid.add(note, 0, 4, 2, 1);
        getDialogPane().setContent(grid);
        getDialogPane().getButtonTypes().setAll(ButtonType.OK, ButtonType.CANCEL);
        setResultConverter(button -> button == ButtonType.OK
                ? new SlideOptions(size.getValue(), title.isSelected(), legend.isSelected(), format.getValue()) : null);
    }
}
