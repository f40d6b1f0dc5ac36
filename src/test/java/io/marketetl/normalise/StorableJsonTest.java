package io.marketetl.normalise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StorableJsonTest {

    @Test
    void textPostgresqlAcceptsHasNoProblem() {
        assertThat(StorableJson.problem("{\"p\":\"108250.01\"}")).isNull();
        assertThat(StorableJson.problem("{\"s\":\"tab\\there \\\" quote \\\\ backslash \\u00e9 \\u0000\"}")).isNull();
        assertThat(StorableJson.problem("{\"emoji\":\"\\ud83d\\ude00\",\"raw\":\"\uD83D\uDE00\"}")).isNull();
        // an escaped backslash followed by text that looks like an escape is not an escape
        assertThat(StorableJson.problem("{\"s\":\"\\\\ud800\"}")).isNull();
        assertThat(StorableJson.problem("{\"s\":\"ends with \\\\\"}")).isNull();
    }

    @Test
    void loneSurrogateEscapesAreFound() {
        assertThat(StorableJson.problem("{\"s\":\"\\ud800\"}")).isEqualTo("lone_surrogate_escape");
        assertThat(StorableJson.problem("{\"s\":\"\\uD800x\"}")).isEqualTo("lone_surrogate_escape");
        assertThat(StorableJson.problem("{\"s\":\"\\udc00\"}")).isEqualTo("lone_surrogate_escape");
        assertThat(StorableJson.problem("{\"s\":\"\\ud800\\u0041\"}")).isEqualTo("lone_surrogate_escape");
        assertThat(StorableJson.problem("{\"s\":\"\\ude00\\ud83d\"}")).isEqualTo("lone_surrogate_escape");
        assertThat(StorableJson.problem("{\"s\":\"\\ud83d\\ude00\\ud800\"}")).isEqualTo("lone_surrogate_escape");
    }

    @Test
    void aCutUnicodeEscapeIsFound() {
        assertThat(StorableJson.problem("{\"s\":\"\\u12")).isEqualTo("bad_unicode_escape");
    }
}
