package org.moescope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.EngineException;

/** Qwen's ChatML templates applied to one user turn, and where a model's chat template comes from. */
class ChatTemplateTest {

    static String qwen3Template() throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("qwen3-chat-template.jinja")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void qwen3TemplateWritesTheUserTurnAndTheAssistantHeader() throws IOException {
        ChatTemplate t = ChatTemplate.of(qwen3Template());
        assertEquals("<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n", t.userTurn("What is 2+2?"));
        assertEquals(t.userTurn("x"), t.userTurn("x", true));
        assertEquals("<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                t.userTurn("x", false));
    }

    @Test
    void aGenerationPromptThatOpensTheReasoningBlockIsFollowed() {
        // a thinking-only template opens <think> itself and has no switch to turn it off
        String thinkingOnly = "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + "
                + "message.content + '<|im_end|>\\n' }}{%- endfor %}\n"
                + "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n<think>\\n' }}\n{%- endif %}\n";
        ChatTemplate t = ChatTemplate.of(thinkingOnly);
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n", t.userTurn("hi"));
        EngineException e = assertThrows(EngineException.class, () -> t.userTurn("hi", false));
        assertTrue(e.getMessage().contains("enable_thinking"), e.getMessage());
    }

    @Test
    void aChatMLTemplateWithoutAThinkingSwitchCannotTurnThinkingOff() {
        String plain = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] "
                + "+ '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ \"<|im_start|>assistant\\n\" }}"
                + "{% endif %}";
        ChatTemplate t = ChatTemplate.of(plain);
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", t.userTurn("hi"));
        assertThrows(EngineException.class, () -> t.userTurn("hi", false));
    }

    @Test
    void otherTemplateFamiliesAreRefusedWithWhatIsSupported() {
        String llama3 = "{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>"
                + "\\n\\n' + message['content'] + '<|eot_id|>' }}{% endfor %}";
        EngineException e = assertThrows(EngineException.class, () -> ChatTemplate.of(llama3));
        assertTrue(e.getMessage().contains("ChatML") && e.getMessage().contains("<|start_header_id|>"), e.getMessage());
        assertThrows(EngineException.class, () -> ChatTemplate.of(" "));
    }

    @Test
    void aGgufVocabularyCarriesItsChatTemplate() throws IOException {
        GgufVocabulary v = GgufPreTokenizerTest.tinyVocabulary("qwen2", false, null);
        GgufVocabulary withTemplate = new GgufVocabulary(v.model(), v.pre(), v.tokens(), v.merges(), v.tokenTypes(),
                null, null, false, qwen3Template());
        try (TextTokenizer t = TextTokenizer.fromGguf(withTemplate); TextTokenizer none = TextTokenizer.fromGguf(v)) {
            assertEquals(qwen3Template(), t.chatTemplate());
            assertNull(none.chatTemplate());
            // the template's markers are control tokens of the vocabulary, matched whole
            int[] ids = t.encode(ChatTemplate.of(t.chatTemplate()).userTurn("1"));
            assertEquals(GgufPreTokenizerTest.ID_IM_START, ids[0]);
        }
    }

    @Test
    void aModelFolderTakesItsTemplateFromTokenizerConfigOrChatTemplateJinja(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(TextTokenizer.FILE), TextTokenizerTest.WORD_LEVEL);
        try (TextTokenizer t = TextTokenizer.loadIfPresent(dir)) {
            assertNull(t.chatTemplate());
        }
        Files.writeString(dir.resolve(TokenizerConfigFile.CONFIG), "{\"chat_template\": \"A {{ x }}\"}");
        try (TextTokenizer t = TextTokenizer.loadIfPresent(dir)) {
            assertEquals("A {{ x }}", t.chatTemplate());
        }
        Files.writeString(dir.resolve(TokenizerConfigFile.CONFIG), "{\"chat_template\": [{\"name\": \"tool_use\", "
                + "\"template\": \"T\"}, {\"name\": \"default\", \"template\": \"D\"}]}");
        assertEquals("D", TokenizerConfigFile.chatTemplate(dir));
        Files.writeString(dir.resolve(TokenizerConfigFile.CONFIG), "{\"bos_token\": null}");
        assertNull(TokenizerConfigFile.chatTemplate(dir));
        Files.writeString(dir.resolve(TokenizerConfigFile.JINJA), "J");
        assertEquals("J", TokenizerConfigFile.chatTemplate(dir));
        for (String broken : List.of("{\"chat_template\": 42", "{\"chat_template\": {\"a\": 1}}")) {
            Files.delete(dir.resolve(TokenizerConfigFile.JINJA));
            Files.writeString(dir.resolve(TokenizerConfigFile.CONFIG), broken);
            EngineException e = assertThrows(EngineException.class, () -> TokenizerConfigFile.chatTemplate(dir));
            assertTrue(e.getMessage().contains(TokenizerConfigFile.CONFIG), e.getMessage());
            Files.writeString(dir.resolve(TokenizerConfigFile.JINJA), "J");
        }
    }
}
