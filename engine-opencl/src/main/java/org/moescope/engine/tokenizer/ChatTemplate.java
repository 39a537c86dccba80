package org.moescope.engine.tokenizer;

import org.moescope.engine.backend.EngineException;

/**
 * A model's chat template, applied to one user message. Templates are Jinja programs; rather than interpret Jinja,
 * this recognises the one family MoEScope's models use, Qwen's ChatML, and writes what that template renders for a
 * single user turn with the generation prompt:
 * <pre>
 * &lt;|im_start|&gt;user\n{message}&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n
 * </pre>
 * No system turn: Qwen3's template writes one only when the conversation has a system message.
 *
 * <p>Thinking. Qwen3's template leaves the reasoning block to the model by default (it starts its answer with
 * {@code <think>}) and, with {@code enable_thinking=false}, closes an empty block in the prompt
 * ({@code <think>\n\n</think>\n\n}); {@link #userTurn(String, boolean)} does the same. A template whose generation
 * prompt itself differs from the plain assistant header (e.g. one that opens {@code <think>\n} in the prompt) is
 * followed: the generation prompt is the string literal the template writes under {@code add_generation_prompt}.
 */
public final class ChatTemplate {

    static final String IM_START = "<|im_start|>";
    static final String ASSISTANT = IM_START + "assistant\n";
    /** What Qwen3's template appends to the generation prompt when enable_thinking is false. */
    static final String EMPTY_THINKING = "<think>\n\n</think>\n\n";
    private static final String THINKING_SWITCH = "enable_thinking";

    private final String generationPrompt;
    private final boolean hasThinkingSwitch;

    private ChatTemplate(String generationPrompt, boolean hasThinkingSwitch) {
        this.generationPrompt = generationPrompt;
        this.hasThinkingSwitch = hasThinkingSwitch;
    }

    /** The template of {@code template}'s family; EngineException for a template of another family. */
    public static ChatTemplate of(String template) {
        if (template == null || template.isBlank()) {
            throw new EngineException("the chat template is empty; expected a ChatML template (Qwen's, with "
                    + IM_START + ")");
        }
        if (!template.contains(IM_START)) {
            String start = template.strip();
            start = start.length() > 80 ? start.substring(0, 80) + "..." : start;
            throw new EngineException("chat template not supported: only ChatML templates (Qwen's, with " + IM_START
                    + " ... <|im_end|>) are; this one begins '" + start + "'");
        }
        return new ChatTemplate(generationPrompt(template), template.contains(THINKING_SWITCH));
    }

    /** The prompt for one user message followed by the assistant's turn, thinking left as the template's default. */
    public String userTurn(String message) {
        return IM_START + "user\n" + message + "<|im_end|>\n" + generationPrompt;
    }

    /**
     * As {@link #userTurn(String)}; {@code thinking = false} closes an empty reasoning block as Qwen3's template does
     * for enable_thinking=false. EngineException when the template has no such switch.
     */
    public String userTurn(String message, boolean thinking) {
        if (thinking) {
            return userTurn(message);
        }
        if (!hasThinkingSwitch || generationPrompt.contains("<think>")) {
            throw new EngineException("this chat template has no switch to turn thinking off (Qwen3's "
                    + THINKING_SWITCH + "); only such templates can skip the reasoning block");
        }
        return userTurn(message) + EMPTY_THINKING;
    }

    /**
     * The string literal written under the template's last {@code add_generation_prompt} test when it is an assistant
     * header; the plain header otherwise.
     */
    static String generationPrompt(String template) {
        int at = template.lastIndexOf("add_generation_prompt");
        if (at < 0) {
            return ASSISTANT;
        }
        int close = template.indexOf("%}", at);
        String literal = close < 0 ? null : firstStringLiteral(template, close);
        return literal != null && literal.startsWith(ASSISTANT) ? literal : ASSISTANT;
    }

    /** The first '...' or "..." literal from {@code from}, with Jinja's escapes resolved; null when there is none. */
    static String firstStringLiteral(String template, int from) {
        for (int i = from; i < template.length(); i++) {
            char quote = template.charAt(i);
            if (quote != '\'' && quote != '"') {
                continue;
            }
            StringBuilder value = new StringBuilder();
            for (int j = i + 1; j < template.length(); j++) {
                char c = template.charAt(j);
                if (c == quote) {
                    return value.toString();
                }
                if (c == '\\' && j + 1 < template.length()) {
                    char e = template.charAt(++j);
                    value.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> e;
                    });
                } else {
                    value.append(c);
                }
            }
            return null;
        }
        return null;
    }
}
