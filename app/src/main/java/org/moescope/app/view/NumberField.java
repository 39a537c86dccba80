package org.moescope.app.view;

import java.math.BigDecimal;
import java.util.function.Function;
import javafx.beans.property.Property;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.util.StringConverter;

/**
 * An editable numeric {@link Spinner} that checks its text against a {@link NumberRule} as it is typed. Valid text
 * is committed to the bound property at once; invalid text stays as typed, is marked (style class
 * {@value #INVALID}, a tooltip saying what is allowed) and is never committed, so the property holds the value shown
 * whenever {@link #problemProperty()} is null. Pressing Enter or leaving the field with invalid text changes nothing
 * (the spinner's own commit never throws).
 */
public final class NumberField<T extends Number> {
    /** The style class of a field whose text is not allowed. */
    public static final String INVALID = "invalid";

    private final Spinner<T> spinner;
    private final NumberRule rule;
    private final Function<BigDecimal, T> toValue;
    private final String name;
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper(this, "problem");

    /**
     * @param name     the field's label, for the problem sentence ("Max new tokens: ...")
     * @param toValue  the value of a number the rule accepted (e.g. {@code BigDecimal::intValueExact})
     * @param property the view model's property; the field shows it and commits to it
     */
    public NumberField(String id, String name, NumberRule rule, SpinnerValueFactory<T> factory,
                       Function<BigDecimal, T> toValue, Property<T> property) {
        this.rule = rule;
        this.toValue = toValue;
        this.name = name;
        spinner = new Spinner<>(factory);
        spinner.setId(id);
        spinner.setEditable(true);
        spinner.setTooltip(new Tooltip(capitalized(rule.allowed())));
        factory.setConverter(new Converter(factory, spinner.getEditor()));
        factory.setValue(property.getValue());
        factory.valueProperty().bindBidirectional(property);
        // keep the adapter property (IntegerProperty.asObject()) reachable as long as the spinner lives
        spinner.getProperties().put("bound", property);
        spinner.getEditor().setText(factory.getConverter().toString(factory.getValue()));
        spinner.getEditor().textProperty().addListener((obs, was, text) -> check(text, factory));
        spinner.getProperties().put(NumberField.class, this);
    }

    public Spinner<T> spinner() {
        return spinner;
    }

    /** Why the text is not allowed, naming the field ("Top-p: '1e3' is not a number: ..."); null when it is. */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    private void check(String text, SpinnerValueFactory<T> factory) {
        NumberRule.Check check = rule.check(text);
        if (check.valid()) {
            factory.setValue(toValue.apply(check.value()));
            spinner.getStyleClass().remove(INVALID);
            spinner.getTooltip().setText(capitalized(rule.allowed()));
            problem.set(null);
        } else {
            if (!spinner.getStyleClass().contains(INVALID)) {
                spinner.getStyleClass().add(INVALID);
            }
            spinner.getTooltip().setText(capitalized(check.problem()));
            problem.set(name + ": " + check.problem());
        }
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /**
     * Text ⇄ value for the spinner: never throws; invalid text converts to the current value (so Enter changes
     * nothing), and a value the editor's text already means is shown as typed (so "0.50" is not rewritten to "0.5"
     * under the caret while typing).
     */
    private final class Converter extends StringConverter<T> {
        private final SpinnerValueFactory<T> factory;
        private final TextField editor;

        Converter(SpinnerValueFactory<T> factory, TextField editor) {
            this.factory = factory;
            this.editor = editor;
        }

        @Override
        public String toString(T value) {
            if (value == null) {
                return "";
            }
            NumberRule.Check typed = rule.check(editor.getText());
            if (typed.valid() && toValue.apply(typed.value()).equals(value)) {
                return editor.getText();
            }
            return value instanceof Double d ? NumberRule.plain(BigDecimal.valueOf(d)) : value.toString();
        }

        @Override
        public T fromString(String text) {
            NumberRule.Check check = rule.check(text);
            return check.valid() ? toValue.apply(check.value()) : factory.getValue();
        }
    }
}
