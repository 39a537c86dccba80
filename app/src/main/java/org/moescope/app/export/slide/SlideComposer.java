package org.moescope.app.export.slide;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.SnapshotParameters;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Background;
import javafx.scene.layout.BackgroundFill;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.paint.CycleMethod;
import javafx.scene.paint.LinearGradient;
import javafx.scene.paint.Stop;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.transform.Transform;

/**
 * Lays a {@link Slide} out around a view's picture, at the view's size on screen: a title band above, the picture,
 * a line naming the axes and the legend band below. {@link #pixels} renders the whole at a scale, text as text (sharp
 * at any scale) and the picture at its own resolution (drawn at that scale beforehand). FX thread only.
 */
public final class SlideComposer {
    static final double TITLE_FONT = 22;
    static final double TEXT_FONT = 14;
    static final double PADDING = 12;
    static final double SWATCH = 14;

    private SlideComposer() {
    }

    /**
     * The slide as a node {@code width} px wide: the bands that {@code options} asks for around {@code picture}, shown
     * at {@code width} x {@code height} (the view's size on screen, whatever the picture's resolution).
     */
    public static Region compose(Slide slide, Image picture, double width, double height, SlideOptions options) {
        VBox box = new VBox();
        box.getStyleClass().add("slide");
        box.setBackground(new Background(new BackgroundFill(slide.background(), null, null)));
        box.setMinWidth(width);
        box.setPrefWidth(width);
        box.setMaxWidth(width);
        if (options.title()) {
            Label title = text(slide.title(), slide, TITLE_FONT, true, width);
            title.setId("slide-title");
            VBox band = new VBox(2, title);
            if (!slide.subtitle().isEmpty()) {
                Label subtitle = text(slide.subtitle(), slide, TEXT_FONT, false, width);
                subtitle.setId("slide-subtitle");
                band.getChildren().add(subtitle);
            }
            band.setId("slide-title-band");
            band.setPadding(new Insets(PADDING, PADDING, PADDING / 2, PADDING));
            box.getChildren().add(band);
        }
        ImageView view = new ImageView(picture);
        view.setId("slide-picture");
        view.setFitWidth(width);
        view.setFitHeight(height);
        view.setSmooth(true);
        box.getChildren().add(view);
        if (options.legend() && (slide.hasLegend() || !slide.axes().isEmpty())) {
            VBox band = new VBox(6);
            band.setId("slide-legend-band");
            band.setPadding(new Insets(PADDING / 2, PADDING, PADDING, PADDING));
            if (!slide.axes().isEmpty()) {
                Label axes = text(String.join("   \u00b7   ", slide.axes()), slide, TEXT_FONT, false, width);
                axes.setId("slide-axes");
                band.getChildren().add(axes);
            }
            if (slide.colorBar() != null) {
                band.getChildren().add(colorBar(slide.colorBar(), slide));
            }
            if (!slide.legend().isEmpty()) {
                FlowPane swatches = new FlowPane(14, 6);
                swatches.setId("slide-legend");
                swatches.setPrefWrapLength(width - 2 * PADDING);
                for (LegendEntry e : slide.legend()) {
                    swatches.getChildren().add(entry(e, slide));
                }
                band.getChildren().add(swatches);
            }
            box.getChildren().add(band);
        }
        return box;
    }

    /** The legend's labels in order (for tests and the SVG writer's counterpart checks). */
    public static List<String> legendTexts(Region composed) {
        layOut(composed);
        List<String> out = new ArrayList<>();
        Node legend = composed.lookup("#slide-legend");
        if (legend instanceof FlowPane pane) {
            for (Node n : pane.getChildren()) {
                if (n instanceof Label l) {
                    out.add(l.getText());
                }
            }
        }
        return out;
    }

    /** ARGB pixels of {@code composed} at {@code scale}; {@code size[0]} = width, {@code size[1]} = height on return. */
    public static int[] pixels(Region composed, double scale, Color background, int[] size) {
        layOut(composed);
        SnapshotParameters params = new SnapshotParameters();
        params.setTransform(Transform.scale(scale, scale));
        params.setFill(background);
        WritableImage image = composed.snapshot(params, null);
        int w = (int) image.getWidth();
        int h = (int) image.getHeight();
        int[] argb = new int[w * h];
        image.getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), IntBuffer.wrap(argb), w);
        size[0] = w;
        size[1] = h;
        return argb;
    }

    /** Gives the slide skins, CSS and its layout at its own size (a slide is shown in no window). */
    public static void layOut(Region composed) {
        if (composed.getScene() == null) {
            new Scene(new Group(composed));
        }
        composed.applyCss();
        composed.autosize();
        composed.layout();
    }

    private static Label text(String s, Slide slide, double size, boolean bold, double width) {
        Label l = new Label(s);
        l.setFont(Font.font(Font.getDefault().getFamily(), bold ? FontWeight.BOLD : FontWeight.NORMAL, size));
        l.setTextFill(slide.text());
        l.setWrapText(true);
        l.setMaxWidth(width - 2 * PADDING);
        return l;
    }

    private static Label entry(LegendEntry e, Slide slide) {
        Rectangle swatch = new Rectangle(SWATCH, SWATCH, e.color());
        swatch.setStroke(slide.text().deriveColor(0, 1, 1, 0.35));
        Label l = new Label(e.label(), swatch);
        l.setFont(Font.font(TEXT_FONT));
        l.setTextFill(slide.text());
        l.setGraphicTextGap(5);
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }

    private static Node colorBar(ColorBar bar, Slide slide) {
        List<Stop> stops = new ArrayList<>();
        for (int i = 0; i < bar.colors().size(); i++) {
            stops.add(new Stop(i / (double) (bar.colors().size() - 1), bar.colors().get(i)));
        }
        Rectangle ramp = new Rectangle(220, SWATCH,
                new LinearGradient(0, 0, 1, 0, true, CycleMethod.NO_CYCLE, stops));
        ramp.setId("slide-color-bar");
        HBox row = new HBox(6, plain(bar.low(), slide), ramp, plain(bar.high(), slide), plain(bar.valueName(), slide));
        row.setAlignment(Pos.CENTER_LEFT);
        return row;
    }

    private static Label plain(String s, Slide slide) {
        Label l = new Label(s);
        l.setFont(Font.font(TEXT_FONT));
        l.setTextFill(slide.text());
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }
}
